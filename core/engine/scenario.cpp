#include "scenario.h"

#include "scenario_definition.h"
#include "snapshot.h"
#include "text_template.h"
#include "wait_for.h"

#include <QDir>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>
#include <thread>

namespace ipc {

// What the deadlock watch keeps between ticks: the stuck set it saw, the
// progress its processes had made, and since when both have stood still.
struct Scenario::DeadlockWatch {
    Snapshot snapshot; // reused: a steady tick does not allocate
    std::uint64_t lastNs = 0;
    std::vector<std::uint32_t> stuck;
    std::uint64_t progress = 0;
    std::uint64_t sinceNs = 0;
};

Scenario::Scenario() = default;
Scenario::~Scenario() = default;

std::string ParamSpec::choiceName(double value) const
{
    const double index = value - min;
    if (choices.empty() || index < 0 || index >= double(choices.size())) return {};
    return choices[std::size_t(index)];
}

ParamSpec wholeParam(std::string key, double min, double max, double defaultValue, bool live)
{
    ParamSpec p;
    p.key = std::move(key);
    p.option = p.key;
    std::replace(p.option.begin(), p.option.end(), '_', '-');
    p.min = min;
    p.max = max;
    p.defaultValue = defaultValue;
    p.live = live;
    return p;
}

ParamSpec realParam(std::string key, double min, double max, double defaultValue, bool live)
{
    ParamSpec p = wholeParam(std::move(key), min, max, defaultValue, live);
    p.integer = false;
    return p;
}

ParamSpec switchParam(std::string key, bool defaultOn, bool live)
{
    ParamSpec p = wholeParam(std::move(key), 0, 1, defaultOn ? 1 : 0, live);
    p.boolean = true;
    return p;
}

ParamSpec choiceParam(std::string key, int count, int defaultValue, bool live)
{
    return wholeParam(std::move(key), 0, count - 1, defaultValue, live);
}

ParamSpec paceParam()
{
    return wholeParam(std::string(kPaceKey), 0, 1'000'000, 0, kLive).drives(&ControlBlock::paceOpsPerSecond);
}

ParamSpec ParamSpec::drives(std::atomic<std::uint32_t> ControlBlock::*field) const
{
    ParamSpec bound = *this;
    bound.control = field;
    return bound;
}

const ScenarioInfo &Scenario::lesson() const
{
    return m_definition ? m_definition->info : info();
}

Result<void> Scenario::setDefinition(const ScenarioDefinition &definition)
{
    // parseScenario has checked the parameters against this engine; a
    // definition made another way is checked here too.
    for (const ParamSpec &p : definition.info.params) {
        const bool known = std::any_of(info().params.begin(), info().params.end(),
                                       [&](const ParamSpec &e) { return e.key == p.key; });
        if (!known)
            return fail(Errc::InvalidArgument, definition.source + ": parameter '" + p.key +
                                                   "' is not one engine '" + info().name + "' understands");
    }
    m_definition = std::make_shared<const ScenarioDefinition>(definition);
    m_params.clear();
    return {};
}

namespace {

// A result's field as a template reads it: numbers, switches (0/1), texts.
std::optional<TemplateValue> templateValue(const QJsonObject &o, std::string_view name)
{
    const QJsonValue v = o.value(QLatin1StringView(name.data(), qsizetype(name.size())));
    if (v.isDouble()) return v.toDouble();
    if (v.isBool()) return v.toBool() ? 1.0 : 0.0;
    if (v.isString()) return v.toString().toStdString();
    return std::nullopt;
}

} // namespace

TemplateLookup Scenario::lookup(const QJsonObject *result) const
{
    return [this, result](std::string_view name) -> std::optional<TemplateValue> {
        // A result names the parameters of its own run first.
        if (result)
            if (auto v = templateValue(*result, name); v && spec(name)) return v;
        if (const ParamSpec *p = spec(name)) {
            const double v = param(name);
            if (std::string c = p->choiceName(v); !c.empty()) return c;
            return v;
        }
        if (name == "steps") return double(m_schedule.size());
        return result ? templateValue(*result, name) : std::nullopt;
    };
}

std::optional<Scenario::Challenge> Scenario::challenge() const
{
    if (!m_definition || !m_definition->challenge) return std::nullopt;
    Challenge c;
    c.text = m_definition->challenge->text.render(lookup(nullptr));
    c.reached = m_challengeReachedAt.has_value();
    c.steps = m_challengeReachedAt.value_or(0);
    return c;
}

int Scenario::twinLine(std::string_view step) const
{
    if (!m_definition || step.empty()) return -1;
    for (const auto &[key, line] : m_definition->twinLines) {
        if (step.find(key) == std::string_view::npos) continue;
        const std::string wanted = line.render(lookup(nullptr));
        if (wanted.empty()) return -1;
        const std::string code = m_definition->python.render(lookup(nullptr));
        int number = 0;
        for (std::size_t at = 0; at <= code.size(); ++number) {
            const std::size_t end = std::min(code.find('\n', at), code.size());
            if (std::string_view(code).substr(at, end - at).find(wanted) != std::string_view::npos) return number;
            at = end + 1;
        }
        return -1;
    }
    return -1;
}

void Scenario::checkChallenge()
{
    constexpr std::uint64_t kEveryNs = 20'000'000;
    if (!m_run || m_stopped || m_challengeReachedAt || !m_definition || !m_definition->challenge) return;
    // Every few milliseconds, and after every step: "in at most 6 steps"
    // must see the step that reached it.
    const std::uint64_t now = monotonicNs();
    if (now - m_challengeCheckedNs < kEveryNs && m_schedule.size() == m_challengeCheckedSteps) return;
    m_challengeCheckedNs = now;
    m_challengeCheckedSteps = m_schedule.size();
    const QJsonObject r = result();
    if (m_definition->challenge->goal.render(lookup(&r)) == "1") m_challengeReachedAt = m_schedule.size();
}

LessonTexts Scenario::texts(const QJsonObject *result) const
{
    LessonTexts out;
    if (!m_definition) {
        out.title = info().name;
        return out;
    }
    const ScenarioDefinition &d = *m_definition;
    const TemplateLookup lookup = this->lookup(result);
    out.title = d.title.render(lookup);
    out.explanation = d.explanation.render(lookup);
    out.question = d.question.render(lookup);
    out.answer = result ? d.answer.render(lookup) : d.answer.source();
    out.python = d.python.render(lookup);
    out.valuesAxis = d.valuesAxis.render(lookup);
    return out;
}

namespace {

QJsonObject deadlockJson(const Deadlock &d)
{
    const auto edges = [](const std::vector<Deadlock::Edge> &list) {
        QJsonArray out;
        for (const Deadlock::Edge &e : list) {
            QJsonObject o;
            o.insert(QStringLiteral("process"), double(e.edge.waiter));
            o.insert(QStringLiteral("pid"), e.pid);
            o.insert(QStringLiteral("role"), QString::fromStdString(e.role));
            o.insert(QStringLiteral("state"), QString::fromUtf8(procStateName(e.edge.state)));
            o.insert(QStringLiteral("waits_for"), double(e.edge.waitsFor));
            o.insert(QStringLiteral("waits_for_pid"), e.waitsForPid);
            if (!e.object.empty()) o.insert(QStringLiteral("object"), QString::fromStdString(e.object));
            o.insert(QStringLiteral("text"), QString::fromStdString(e.text));
            out.append(o);
        }
        return out;
    };
    QJsonObject o;
    o.insert(QStringLiteral("cycle"), edges(d.cycle));
    o.insert(QStringLiteral("edges"), edges(d.edges));
    o.insert(QStringLiteral("text"), QString::fromStdString(d.text));
    return o;
}

} // namespace

QJsonObject Scenario::result() const
{
    QJsonObject o;
    o.insert(QStringLiteral("scenario"), QString::fromStdString(lesson().name));
    // Every parameter as the run had it: the lesson's, then any of the
    // engine's the lesson file leaves at its default.
    for (const ScenarioInfo *declared : {&lesson(), &info()})
        for (const ParamSpec &p : declared->params) {
            const QString key = QString::fromStdString(p.key);
            if (o.contains(key)) continue;
            const auto ran = m_runParams.find(p.key);
            const double v = m_run && ran != m_runParams.end() ? ran->second : param(p.key);
            if (p.boolean) o.insert(key, v != 0);
            else if (std::string c = p.choiceName(v); !c.empty()) o.insert(key, QString::fromStdString(c));
            else o.insert(key, v);
        }
    const QJsonObject own = lessonResult();
    for (auto it = own.begin(); it != own.end(); ++it) o.insert(it.key(), it.value());
    bool failed = false;
    if (m_stepMode || !m_schedule.empty()) {
        QJsonArray steps;
        for (std::uint32_t p : m_schedule) steps.append(double(p));
        o.insert(QStringLiteral("schedule"), steps);
    }
    o.insert(QStringLiteral("deadlock"), m_firstDeadlock ? deadlockJson(*m_firstDeadlock) : QJsonValue());
    if (const auto c = challenge()) {
        QJsonObject j;
        j.insert(QStringLiteral("text"), QString::fromStdString(c->text));
        j.insert(QStringLiteral("reached"), c->reached);
        if (c->reached) j.insert(QStringLiteral("steps"), double(c->steps));
        o.insert(QStringLiteral("challenge"), j);
    }
    o.insert(QStringLiteral("abnormal_exits"), abnormalExits(failed));
    o.insert(QStringLiteral("failed"), failed);
    return o;
}

QJsonArray Scenario::abnormalExits(bool &failed) const
{
    QJsonArray abnormal;
    failed = false;
    const std::uint32_t count = m_run ? m_run->board().slotCount.load(std::memory_order_acquire) : 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        const BoardSlot &s = m_run->board().slots[i];
        if (!isTerminal(s.currentState())) continue;
        const int code = s.exitStatus.load(std::memory_order_relaxed);
        if (exitExpected(i, code)) continue;
        KillOrigin origin = code == -SIGKILL ? m_run->killOrigin(i) : KillOrigin::None;
        if (origin == KillOrigin::None && m_run->endedInStop(i)) origin = KillOrigin::Engine;
        QJsonObject p;
        p.insert(QStringLiteral("pid"), s.pid.load(std::memory_order_relaxed));
        p.insert(QStringLiteral("role"), QString::fromLatin1(s.role, qsizetype(strnlen(s.role, BoardSlot::kRoleSize))));
        p.insert(QStringLiteral("exit_code"), code);
        if (code < 0) p.insert(QStringLiteral("signal"), QString::fromStdString(signalName(-code)));
        p.insert(QStringLiteral("killed_by"), origin == KillOrigin::Lecturer ? QStringLiteral("lecturer")
                                              : origin == KillOrigin::Engine ? QStringLiteral("engine")
                                                                             : QStringLiteral("nobody"));
        failed = failed || origin == KillOrigin::None;
        abnormal.append(p);
    }
    return abnormal;
}

bool Scenario::exitExpected(std::uint32_t, int exitCode) const { return exitCode == 0; }

int Scenario::groupCount(std::string_view role, std::string_view fallbackParam) const
{
    if (m_definition) {
        for (const ProcessGroupDecl &g : m_definition->processes)
            if (g.role == role) return g.countParam.empty() ? g.count : int(param(g.countParam));
    }
    return int(param(fallbackParam));
}

const ParamSpec *Scenario::spec(std::string_view key) const
{
    for (const ParamSpec &p : lesson().params)
        if (p.key == key) return &p;
    // A parameter the lesson file leaves out keeps the engine's default.
    for (const ParamSpec &p : info().params)
        if (p.key == key) return &p;
    return nullptr;
}

Result<void> Scenario::setParam(std::string_view key, double value)
{
    const ParamSpec *p = spec(key);
    if (!p)
        return fail(Errc::InvalidArgument,
                    "scenario '" + info().name + "' has no parameter '" + std::string(key) + "'");
    if (!std::isfinite(value) || value < p->min || value > p->max)
        return fail(Errc::InvalidArgument, "parameter '" + p->key + "' = " + formatPlainNumber(value) +
                                               " is out of range [" + formatPlainNumber(p->min) + ", " +
                                               formatPlainNumber(p->max) + "]");
    if (p->boolean && value != 0 && value != 1)
        return fail(Errc::InvalidArgument, "parameter '" + p->key + "' is a switch: 0 or 1");
    if (p->integer && value != std::floor(value))
        return fail(Errc::InvalidArgument, "parameter '" + p->key + "' = " + formatTemplateNumber(value) +
                                               " must be a whole number");
    m_params.insert_or_assign(std::string(key), value);
    if (running() && p->live) {
        m_runParams.insert_or_assign(std::string(key), value);
        writeControls(key);
        applyLive(key, value);
    }
    return {};
}

void Scenario::writeControls(std::string_view onlyKey)
{
    if (!m_run) return;
    bool wrote = false;
    // The engine's own declaration holds the bindings (a lesson file's
    // parameters carry only their texts and ranges).
    for (const ParamSpec &p : info().params) {
        if (!p.control || (!onlyKey.empty() && p.key != onlyKey)) continue;
        const auto value = std::uint32_t(std::clamp(param(p.key), 0.0, 4e9));
        (m_run->control().*(p.control)).store(value, std::memory_order_relaxed);
        wrote = true;
    }
    if (wrote) m_run->control().changed();
}

double Scenario::param(std::string_view key) const
{
    if (auto it = m_params.find(key); it != m_params.end()) return it->second;
    const ParamSpec *p = spec(key);
    return p ? p->defaultValue : 0.0;
}

void Scenario::stop()
{
    if (m_run) {
        m_run->stop();
        m_trace.drain(*m_run); // the last events and every process's exit
    }
    m_stopped = true;
    m_deadlock.reset(); // the result keeps the run's first
}

void Scenario::watchForDeadlock()
{
    constexpr std::uint64_t kEveryNs = 20'000'000;
    if (!m_run || m_stopped) return;
    if (!m_watch) m_watch = std::make_unique<DeadlockWatch>();
    DeadlockWatch &w = *m_watch;
    const std::uint64_t now = monotonicNs();
    // A standing deadlock is looked at every tick, so that it is gone the
    // moment it is broken (a deadlocked run has time to spare).
    if (!m_deadlock && now - w.lastNs < kEveryNs) return;
    w.lastNs = now;
    takeSnapshot(*m_run, w.snapshot);
    const std::vector<Link> lessonLinks = links();
    const WaitForGraph graph = waitForGraph(w.snapshot, lessonLinks);
    // Progress: anything its processes count. A pipe whose reader drains
    // a large message slowly is blocked on both ends, but its bytes move.
    std::uint64_t progress = 0;
    for (std::uint32_t s : graph.stuck) {
        const ProcessSnapshot &p = w.snapshot.processes[s];
        progress += p.ops;
        for (std::uint64_t c : p.counters) progress += c;
    }
    if (graph.stuck.empty() || graph.stuck != w.stuck || progress != w.progress) {
        w.stuck = graph.stuck;
        w.progress = progress;
        w.sinceNs = now;
        m_deadlock.reset();
        return;
    }
    if (m_deadlock || now - w.sinceNs < kDeadlockConfirmNs) return;
    m_deadlock = std::make_unique<Deadlock>(describeDeadlock(graph, w.snapshot));
    if (!m_firstDeadlock) m_firstDeadlock = std::make_unique<Deadlock>(*m_deadlock);
}

void Scenario::poll()
{
    if (m_run) {
        m_run->poll();
        m_trace.drain(*m_run);
    }
    advance();
    watchForDeadlock();
    checkChallenge();
}

bool Scenario::finished()
{
    poll();
    if (m_run == nullptr) return true;
    if (!m_run->allExited()) return false;
    // The last processes may have exited after poll() looked: let the
    // lesson book them (or start its next stage) before the run is over.
    poll();
    if (!m_run->allExited()) return false;
    m_deadlock.reset(); // nobody is left to wait
    return true;
}

void Scenario::applyLive(std::string_view, double) {}

std::vector<Link> Scenario::links() const
{
    std::vector<Link> out;
    if (!m_run || !m_definition) return out;
    const ScenarioDefinition &d = *m_definition;
    const Board &board = m_run->board();
    // A group is the run's processes of its role, in the order they started.
    auto members = [&](const std::string &group) {
        std::vector<std::uint32_t> slots;
        const auto g = std::find_if(d.processes.begin(), d.processes.end(),
                                    [&](const ProcessGroupDecl &x) { return x.group == group; });
        if (g == d.processes.end()) return slots;
        const std::uint32_t count = board.slotCount.load(std::memory_order_acquire);
        for (std::uint32_t i = 0; i < count; ++i)
            if (std::string_view(board.slots[i].role, strnlen(board.slots[i].role, BoardSlot::kRoleSize)) == g->role)
                slots.push_back(i);
        return slots;
    };
    for (const ProcessGroupDecl &g : d.processes)
        for (std::uint32_t slot : members(g.group))
            for (const ObjectUse &use : g.links) out.push_back({slot, use.object, use.kind});
    for (const PipeDecl &p : d.pipes) {
        const std::vector<std::uint32_t> from = members(p.from);
        if (p.ring) {
            const std::size_t n = from.size();
            for (std::size_t k = 0; k < n; ++k) {
                out.push_back({from[k], p.object + "-" + std::to_string(k), Link::Kind::Sends});
                out.push_back({from[k], p.object + "-" + std::to_string((k + n - 1) % n), Link::Kind::Receives});
            }
            continue;
        }
        auto ends = [&](const std::vector<std::uint32_t> &slots, bool sender) {
            for (std::uint32_t s : slots) {
                if (sender || p.duplex) out.push_back({s, p.object, Link::Kind::Sends});
                if (!sender || p.duplex) out.push_back({s, p.object, Link::Kind::Receives});
            }
        };
        ends(from, true);
        if (p.to != p.from) ends(members(p.to), false);
    }
    return out;
}

Result<Run *> Scenario::newRun(std::size_t arenaSize)
{
    m_run.reset(); // stops and reaps the previous run first
    auto run = Run::create(arenaSize, m_tracing ? Tracing::On : Tracing::Off);
    if (!run) return std::unexpected(run.error());
    m_run = std::move(*run);
    m_trace.clear();
    m_stopped = false;
    m_runParams.clear();
    for (const ScenarioInfo *declared : {&info(), &lesson()})
        for (const ParamSpec &p : declared->params) m_runParams.insert_or_assign(p.key, param(p.key));
    writeControls();
    m_schedule.clear();
    m_watch.reset();
    m_deadlock.reset();
    m_firstDeadlock.reset();
    m_challengeReachedAt.reset();
    m_challengeCheckedNs = 0;
    m_challengeCheckedSteps = 0;
    m_run->steps().setEnabled(m_stepMode); // before any process reaches a gate
    return m_run.get();
}

Result<void> Scenario::setStepMode(bool on)
{
    m_stepMode = on;
    if (m_run && !m_stopped) m_run->steps().setEnabled(on);
    return {};
}

namespace {

// A process still marked blocked whose reason is gone -- its lock is free,
// its queue has room or an item -- wakes in a moment by itself: it has not
// settled (a seeded schedule must not depend on how fast it wakes).
bool aboutToWake(const Snapshot &snapshot, const ProcessSnapshot &p)
{
    const ObjectSnapshot *o = snapshot.object(p.object);
    if (!o) return false;
    switch (p.state) {
    case ProcState::WaitingLock: return o->hasLock && (o->holderPid == 0 || o->holderPid == p.pid);
    case ProcState::BlockedPut: return o->capacity >= 0 && o->level >= 0 && o->level < o->capacity;
    case ProcState::BlockedGet: return o->level > 0;
    default: return false;
    }
}

} // namespace

std::vector<Scenario::StepView> Scenario::stepViews() const
{
    std::vector<StepView> out;
    if (!m_run) return out;
    Snapshot snapshot;
    takeSnapshot(*m_run, snapshot);
    const auto count = std::uint32_t(snapshot.processes.size());
    for (std::uint32_t i = 0; i < count && i < Board::kMaxSlots; ++i) {
        const ProcState state = snapshot.processes[i].state;
        const StepSlot &s = m_run->steps().slots[i];
        StepView v;
        v.process = i;
        v.ended = isTerminal(state) || state == ProcState::Exited;
        v.waiting = !v.ended && m_stepMode && s.waiting();
        v.blocked = isBlocking(state) && !aboutToWake(snapshot, snapshot.processes[i]);
        if (v.waiting) v.next.assign(s.next, ::strnlen(s.next, StepSlot::kTextSize));
        if (s.hasSeen.load(std::memory_order_acquire) != 0) v.seen = s.seen.load(std::memory_order_relaxed);
        out.push_back(std::move(v));
    }
    return out;
}

Result<std::vector<std::uint32_t>> Scenario::settle(Duration timeout)
{
    if (!m_run) return fail(Errc::InvalidArgument, "no run to step");
    const Deadline deadline(timeout);
    for (;;) {
        m_run->poll();
        std::vector<std::uint32_t> waiting;
        bool settled = true;
        for (const StepView &v : stepViews()) {
            if (v.waiting) waiting.push_back(v.process);
            else if (!v.ended && !v.blocked) settled = false;
        }
        if (settled) return waiting;
        if (deadline.expired())
            return fail(Errc::Timeout, "a process neither reached its next step nor ended in time");
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

Result<void> Scenario::step(std::uint32_t process, Duration timeout)
{
    if (!m_run || m_stopped) return fail(Errc::InvalidArgument, "no run to step");
    if (!m_stepMode) return fail(Errc::InvalidArgument, "not in step mode");
    if (process >= m_run->board().slotCount.load(std::memory_order_acquire))
        return fail(Errc::NotFound, "no process " + std::to_string(process) + " in this run");
    const Deadline deadline(timeout);
    const auto view = [&] { return stepViews()[process]; };
    // At its gate, or gone.
    for (;;) {
        m_run->poll();
        const StepView v = view();
        if (v.ended) return fail(Errc::Closed, "process " + std::to_string(process) + " has ended");
        if (v.waiting) break;
        if (deadline.expired())
            return fail(Errc::Timeout, "process " + std::to_string(process) + " did not reach a step in time");
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    StepSlot &slot = m_run->steps().slots[process];
    const std::uint32_t taken = slot.taken.load(std::memory_order_acquire);
    m_run->steps().grant(process);
    m_schedule.push_back(process);
    // The step is done once it is at its next gate or has ended.
    for (;;) {
        m_run->poll();
        const StepView v = view();
        const bool moved = slot.taken.load(std::memory_order_acquire) > taken;
        if (v.ended || (moved && (v.waiting || v.blocked))) return {};
        if (deadline.expired())
            return fail(Errc::Timeout, "process " + std::to_string(process) + " did not finish its step in time");
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
}

} // namespace ipc
