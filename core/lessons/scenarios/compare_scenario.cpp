// compare: items move from one process to another through each mechanism
// in turn -- Value+Lock, Array+Lock, Queue, Pipe, Manager dict,
// SharedMemory -- and each is timed live: items per second and the mean
// per-item latency (hand-over to arrival, the producer going flat out, so
// for a buffered mechanism it includes the wait behind the others).
//
// What makes the ranking answer the same way every time:
// - Placement. Each mechanism is measured with both processes pinned to
//   one CPU and then to two (the worker's --cpu), never where the
//   scheduler happens to put them: on one CPU every hand-off is a context
//   switch, across two a wake-up costs tens of microseconds while spinning
//   costs nothing, and a mechanism's rate differs by up to 3x between the
//   two. A machine with one CPU measures the first placement only.
// - Time, not a count. A short pilot (kPilotItems) estimates the rate;
//   each measured repetition then moves as many items as take about
//   `measure_ms` at the rate seen so far, so a fast mechanism is not
//   timed over a millisecond.
// - Spread. Each placement is measured `repeats` times; the lesson shows
//   the median and reports min and max, and where two mechanisms' ranges
//   overlap the ranking says they are tied instead of ordering them.
//   The repetitions take turns (every mechanism once, then every one
//   again) and each uses a fresh object, on other cache lines: what
//   drifts while the lesson runs, and where an object happens to lie,
//   shows as spread rather than as a difference between mechanisms.
//   Closer than kTieRatio counts as a tie too: across two CPUs of a
//   virtual machine, where the host puts them moves the lock-bound rates
//   by more than that from one run to the next.
//
// One pair of `transfer` processes per stage, one pair at a time; poll()
// opens the StartGate once both sides are set up and starts the next pair
// (the gate reset) when one is done: 6 mechanisms x 2 placements x (1 + 5)
// stages need 144 processes at most (a Board holds 128; repeats <= 4 keeps
// it at 120). The manager server runs from the Manager's first stage at a
// placement to its last, on the consumer's CPU. Each SharedMemory block is
// unlinked as soon as both sides have attached, and closed after its stage.
#include "scenarios.h"

#include "role_options.h"

#include "leftovers.h"
#include "manager_client.h"
#include "manager_process.h"
#include "pipe.h"
#include "queue.h"
#include "shared_memory_block.h"
#include "shared_value.h"
#include "start_gate.h"
#include "text_template.h"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sched.h>
#include <unistd.h>

namespace ipc::scenarios {

namespace {

struct Mechanism {
    std::string_view key;   // the transfer role's --mechanism
    std::string_view label; // what the table and the chart say
};

constexpr std::array<Mechanism, 6> kMechanisms{{
    {"value", "Value+Lock"},
    {"array", "Array+Lock"},
    {"queue", "Queue"},
    {"pipe", "Pipe"},
    {"manager", "Manager dict"},
    {"shm", "SharedMemory"},
}};

struct Placement {
    std::string key;   // "one_cpu"
    std::string label; // "one CPU"
    int putCpu;
    int getCpu;
};

constexpr std::uint32_t kArraySlots = 256;
constexpr std::uint32_t kQueueSlots = 1024;
constexpr std::size_t kRingSlots = 4096;
constexpr int kMaxRepeats = 4; // the board holds 128 processes; see above
constexpr std::uint64_t kPilotItems = 5'000;
constexpr std::uint64_t kMinItems = 2'000;
constexpr std::uint64_t kMaxItems = 500'000'000;
// Medians closer than this are a tie, whatever the ranges say (see above).
constexpr double kTieRatio = 1.3;

// The first two CPUs this process may run on (one on a 1-CPU machine).
std::vector<int> usableCpus()
{
    std::vector<int> cpus;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return {0};
    for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c)
        if (CPU_ISSET(c, &set)) cpus.push_back(c);
    if (cpus.empty()) cpus.push_back(0);
    return cpus;
}

// One mechanism at one placement: its repetitions so far.
struct Measurement {
    bool started = false;
    bool gateOpen = false;
    bool done = false;   // every repetition ran (or one failed)
    bool failed = false;
    std::uint32_t putSlot = 0;
    std::uint32_t getSlot = 0;
    std::uint64_t items = 0; // of the stage running now
    double pilotRate = 0;
    std::vector<double> rates;     // items/s, one per measured repetition
    std::vector<double> latencies; // mean latency (us), likewise
    std::string error;

    [[nodiscard]] bool ok() const noexcept { return !failed && !rates.empty(); }
    [[nodiscard]] double median() const { return middle(rates); }
    [[nodiscard]] double medianLatency() const { return middle(latencies); }
    [[nodiscard]] double min() const { return rates.empty() ? 0 : *std::min_element(rates.begin(), rates.end()); }
    [[nodiscard]] double max() const { return rates.empty() ? 0 : *std::max_element(rates.begin(), rates.end()); }

    static double middle(std::vector<double> v)
    {
        if (v.empty()) return 0;
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
};

// Two measurements are tied when their [min, max] ranges overlap or their
// medians are closer than kTieRatio.
bool tied(const Measurement &a, const Measurement &b)
{
    const bool overlap = a.min() <= b.max() && b.min() <= a.max();
    const double hi = std::max(a.median(), b.median());
    const double lo = std::min(a.median(), b.median());
    return overlap || hi < kTieRatio * lo;
}

struct Stage {
    std::size_t mechanism;
    std::size_t placement;
    std::size_t repeat; // 0: the pilot, which estimates the rate
    [[nodiscard]] bool pilot() const noexcept { return repeat == 0; }
};

// The object the stage's pair works on: a fresh one per repetition.
std::string objectName(std::string_view key, std::size_t repeat)
{
    return "cmp-" + std::string(key) + "-" + std::to_string(repeat);
}

class CompareScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "compare", {}, {},
            {wholeParam("measure_ms", 50, 2000, 300), wholeParam("repeats", 1, kMaxRepeats, 3),
             switchParam("log_scale", true, true)},
            {"completed", "fastest", "slowest", "ranking", "results", "table", "cpus", "tie_percent"}};
        return kInfo;
    }

    Result<void> start() override
    {
        m_server.reset();
        m_block = SharedMemoryBlock();
        const std::vector<int> cpus = usableCpus();
        m_placements = {{"one_cpu", "one CPU", cpus[0], cpus[0]}};
        if (cpus.size() > 1) m_placements.push_back({"two_cpus", "two CPUs", cpus[0], cpus[1]});
        m_repeats = std::size_t(param("repeats"));
        m_measurements.assign(kMechanisms.size() * m_placements.size(), Measurement{});
        // Placement by placement; within one, the mechanisms take turns.
        m_stages.clear();
        for (std::size_t p = 0; p < m_placements.size(); ++p)
            for (std::size_t r = 0; r <= m_repeats; ++r)
                for (std::size_t m = 0; m < kMechanisms.size(); ++m) m_stages.push_back({m, p, r});
        m_stage = 0;
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        Arena &arena = (*run)->arena();
        for (std::size_t r = 0; r <= m_repeats; ++r) {
            if (auto v = arena.make<SharedValue<std::int64_t>>(objectName("value", r), 0); !v)
                return std::unexpected(v.error());
            if (auto a = arena.make<SharedArray<std::int64_t>>(objectName("array", r), std::size_t(2 + kArraySlots)); !a)
                return std::unexpected(a.error());
            if (auto q = Queue::create(arena, objectName("queue", r), kQueueSlots, 64); !q)
                return std::unexpected(q.error());
        }
        auto gate = arena.make<StartGate>("cmp-gate");
        if (!gate) return std::unexpected(gate.error());
        m_gate = *gate;
        return beginNextStage();
    }

    void stop() override
    {
        Scenario::stop();
        if (m_server) m_server->cleanup();
        closeBlock();
    }

    void advance() override
    {
        // Stopped: the killed pair must not be taken for a finished stage
        // and the next pair started after the lecturer's Stop.
        if (!m_run || m_stopped || m_stage >= m_stages.size()) return;
        Measurement &o = current();
        Run &run = *m_run;
        if (!o.gateOpen && m_gate->waitArrived(2, kNoWait)) {
            // Both sides are set up (and attached to the block): the name
            // can go, and the clock starts.
            if (m_block.isOpen() && m_block.ownsName()) (void)m_block.unlink();
            m_gate->open();
            o.gateOpen = true;
        }
        const ProcState put = run.slot(o.putSlot).currentState();
        const ProcState get = run.slot(o.getSlot).currentState();
        const bool putFailed = isTerminal(put) && put != ProcState::Finished;
        const bool getFailed = isTerminal(get) && get != ProcState::Finished;
        if ((putFailed || getFailed) && !(isTerminal(put) && isTerminal(get))) {
            // One side died: the other would wait for ever.
            (void)run.kill(putFailed ? o.getSlot : o.putSlot);
            return;
        }
        if (!isTerminal(put) || !isTerminal(get)) return;
        finishStage(o, put == ProcState::Finished && get == ProcState::Finished);
        ++m_stage;
        (void)beginNextStage();
    }

    // The bars and the table are the lesson; beside them, how far it is.
    std::vector<Metric> metrics() const override
    {
        if (!m_run) return {};
        return {{"measurements_done", double(std::min(m_stage, m_stages.size())), false},
                {"measurements", double(m_stages.size()), false}};
    }

    // Items per second by mechanism, one bar per placement, growing as each
    // is measured: the median of the repetitions so far.
    Bars bars() const override
    {
        Bars b;
        if (!m_run) return b;
        b.title = "Items per second on this machine";
        b.categoryLabel = "mechanism (median of " + std::to_string(m_repeats) + ")";
        b.valueLabel = "items/s";
        b.logScale = param("log_scale") != 0;
        for (const Mechanism &m : kMechanisms) b.categories.emplace_back(m.label);
        for (std::size_t p = 0; p < m_placements.size(); ++p) {
            Bars::Set set{m_placements[p].label, {}};
            for (std::size_t m = 0; m < kMechanisms.size(); ++m) set.values.push_back(std::round(live(m, p).first));
            b.sets.push_back(std::move(set));
        }
        return b;
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("cpus"), double(m_placements.size() > 1 ? 2 : 1));
        o.insert(QStringLiteral("tie_percent"), std::round((kTieRatio - 1) * 100));
        QJsonArray results;
        std::string table = "\nmechanism        placement     median/s        min/s        max/s   latency_us\n";
        QStringList rankings;
        QStringList fastest;
        QStringList slowest;
        QJsonObject orders;
        for (std::size_t p = 0; p < m_placements.size(); ++p) {
            const Placement &pl = m_placements[p];
            const std::vector<std::size_t> order = rankedAt(p);
            const std::vector<int> ranks = ranksAt(p, order);
            for (std::size_t m = 0; m < kMechanisms.size(); ++m) {
                const Measurement &r = at(m, p);
                QJsonObject measured = row(m, pl, r);
                if (ranks[m] > 0) measured.insert(QStringLiteral("rank"), ranks[m]);
                results.append(measured);
                char line[200];
                if (r.ok())
                    std::snprintf(line, sizeof line, "%-16s %-9s %12.0f %12.0f %12.0f %12.2f\n",
                                  std::string(kMechanisms[m].label).c_str(), pl.label.c_str(), r.median(), r.min(),
                                  r.max(), r.medianLatency());
                else
                    std::snprintf(line, sizeof line, "%-16s %-9s %s\n", std::string(kMechanisms[m].label).c_str(),
                                  pl.label.c_str(), r.failed ? "failed" : "not run");
                table += line;
            }
            if (order.empty()) continue;
            QJsonArray names;
            for (std::size_t m : order) names.append(label(m));
            orders.insert(QString::fromStdString(pl.key), names);
            rankings.append(QString::fromStdString(pl.label) + QStringLiteral(": ") + rankingText(p, order));
            fastest.append(label(order.front()) + QStringLiteral(" (") + QString::fromStdString(pl.label) + QStringLiteral(")"));
            slowest.append(label(order.back()) + QStringLiteral(" (") + QString::fromStdString(pl.label) + QStringLiteral(")"));
        }
        o.insert(QStringLiteral("results"), results);
        o.insert(QStringLiteral("order"), orders);
        o.insert(QStringLiteral("fastest"), fastest.join(QStringLiteral(", ")));
        o.insert(QStringLiteral("slowest"), slowest.join(QStringLiteral(", ")));
        o.insert(QStringLiteral("ranking"), rankings.join(QStringLiteral("; ")));
        o.insert(QStringLiteral("table"), QString::fromStdString(table));
        return o;
    }

    bool drawsOnlyLinkedObjects() const override { return true; }

    std::vector<Link> links() const override
    {
        std::vector<Link> out;
        if (!m_run || m_stages.empty()) return out;
        // The pair measured now (the last one once all are done): the
        // picture shows it and its object.
        const Stage &st = m_stages[std::min(m_stage, m_stages.size() - 1)];
        const Measurement &r = at(st.mechanism, st.placement);
        if (!r.started) return out;
        const std::string_view key = kMechanisms[st.mechanism].key;
        if (key == "value" || key == "array") {
            const std::string object = objectName(key, st.repeat);
            out.push_back({r.putSlot, object, Link::Kind::Uses});
            out.push_back({r.getSlot, object, Link::Kind::Uses});
        } else if (key == "queue") {
            out.push_back({r.putSlot, objectName(key, st.repeat), Link::Kind::Puts});
            out.push_back({r.getSlot, objectName(key, st.repeat), Link::Kind::Gets});
        } else if (key == "manager" && m_server) {
            out.push_back({r.putSlot, m_serverName, Link::Kind::Uses});
            out.push_back({r.getSlot, m_serverName, Link::Kind::Uses});
        }
        return out;
    }

private:
    [[nodiscard]] Measurement &at(std::size_t m, std::size_t p) { return m_measurements[m * m_placements.size() + p]; }
    [[nodiscard]] const Measurement &at(std::size_t m, std::size_t p) const
    {
        return m_measurements[m * m_placements.size() + p];
    }
    [[nodiscard]] Measurement &current() { return at(m_stages[m_stage].mechanism, m_stages[m_stage].placement); }
    // No later stage measures this stage's mechanism at its placement.
    [[nodiscard]] bool lastOfGroup() const noexcept
    {
        const Stage &st = m_stages[m_stage];
        return std::none_of(m_stages.begin() + std::ptrdiff_t(m_stage) + 1, m_stages.end(), [&](const Stage &later) {
            return later.mechanism == st.mechanism && later.placement == st.placement;
        });
    }
    static QString label(std::size_t m)
    {
        return QString::fromUtf8(kMechanisms[m].label.data(), qsizetype(kMechanisms[m].label.size()));
    }

    // Mechanisms measured at placement p, by median, fastest first.
    [[nodiscard]] std::vector<std::size_t> rankedAt(std::size_t p) const
    {
        std::vector<std::size_t> order;
        for (std::size_t m = 0; m < kMechanisms.size(); ++m)
            if (at(m, p).ok()) order.push_back(m);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return at(a, p).median() > at(b, p).median(); });
        return order;
    }

    // Each mechanism's place in the ranking at placement p, 1 for the
    // fastest; tied mechanisms share one (0: not measured).
    [[nodiscard]] std::vector<int> ranksAt(std::size_t p, const std::vector<std::size_t> &order) const
    {
        std::vector<int> ranks(kMechanisms.size(), 0);
        int rank = 0;
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (i == 0 || !tied(at(order[i - 1], p), at(order[i], p))) ++rank;
            ranks[order[i]] = rank;
        }
        return ranks;
    }

    // "SharedMemory 19.6 (18.2-20.1) > Queue 7.2 (6.9-7.5) = ..." in M
    // items/s: the median and the range of the repetitions; "=" for a tie
    // (see tied(): another run may swap them).
    [[nodiscard]] QString rankingText(std::size_t p, const std::vector<std::size_t> &order) const
    {
        auto millions = [](double v) { return QString::fromStdString(formatTemplateNumber(v / 1e6)); };
        QString text;
        for (std::size_t i = 0; i < order.size(); ++i) {
            const Measurement &r = at(order[i], p);
            if (i > 0) text += tied(at(order[i - 1], p), r) ? QStringLiteral(" = ") : QStringLiteral(" > ");
            text += label(order[i]) + QStringLiteral(" ") + millions(r.median());
            if (r.rates.size() > 1)
                text += QStringLiteral(" (") + millions(r.min()) + QStringLiteral("-") + millions(r.max()) + QStringLiteral(")");
        }
        return text;
    }

    QJsonObject row(std::size_t m, const Placement &pl, const Measurement &r) const
    {
        QJsonObject row;
        row.insert(QStringLiteral("mechanism"), label(m));
        row.insert(QStringLiteral("key"), QString::fromUtf8(kMechanisms[m].key.data(), qsizetype(kMechanisms[m].key.size())));
        row.insert(QStringLiteral("placement"), QString::fromStdString(pl.key));
        row.insert(QStringLiteral("cpus"), QJsonArray{pl.putCpu, pl.getCpu});
        row.insert(QStringLiteral("completed"), r.ok());
        row.insert(QStringLiteral("items_per_s"), r.median());
        row.insert(QStringLiteral("min_items_per_s"), r.min());
        row.insert(QStringLiteral("max_items_per_s"), r.max());
        row.insert(QStringLiteral("us_per_item"), r.median() > 0 ? 1e6 / r.median() : 0.0);
        row.insert(QStringLiteral("latency_us"), r.medianLatency());
        QJsonArray runs;
        for (double x : r.rates) runs.append(x);
        row.insert(QStringLiteral("runs"), runs);
        if (!r.error.empty()) row.insert(QStringLiteral("error"), QString::fromStdString(r.error));
        return row;
    }

    // Starts the stage at m_stage, skipping the rest of a group that failed.
    Result<void> beginNextStage()
    {
        while (m_stage < m_stages.size()) {
            Measurement &o = current();
            if (o.failed) {
                ++m_stage;
                continue;
            }
            auto ok = beginStage();
            if (ok) return {};
            o.failed = o.done = true;
            o.error = ok.error().toString();
            finishGroup();
            ++m_stage;
        }
        return {};
    }

    Result<void> beginStage()
    {
        Run &run = *m_run;
        const Stage &st = m_stages[m_stage];
        const Placement &pl = m_placements[st.placement];
        Measurement &o = current();
        const std::string key(kMechanisms[st.mechanism].key);
        // Enough items for about measure_ms at the rate seen so far.
        const double rate = o.rates.empty() ? o.pilotRate : o.median();
        o.items = st.pilot() ? kPilotItems
                           : std::clamp<std::uint64_t>(std::uint64_t(rate * param("measure_ms") / 1000.0), kMinItems,
                                                       kMaxItems);
        m_gate->reset(); // the last pair has ended
        roles::TransferOptions putSide{
            .mechanism = key, .side = "put", .items = std::int64_t(o.items), .gate = "cmp-gate", .index = 0};
        roles::TransferOptions getSide = putSide;
        getSide.side = "get";
        getSide.index = 1;
        SpawnOptions putOptions{.cpu = pl.putCpu};
        SpawnOptions getOptions{.cpu = pl.getCpu};
        std::optional<std::pair<Connection, Connection>> pipe;
        if (key == "value" || key == "array" || key == "queue") {
            putSide.object = getSide.object = objectName(key, st.repeat);
        } else if (key == "pipe") {
            auto p = Connection::pipe(false);
            if (!p) return std::unexpected(p.error());
            pipe = std::move(*p);
            getSide.pipeFd = pipe->first.fd();
            putSide.pipeFd = pipe->second.fd();
            getOptions.inheritFds = {pipe->first.fd()};
            putOptions.inheritFds = {pipe->second.fd()};
        } else if (key == "manager") {
            if (!m_server) {
                m_serverName = st.placement == 0 ? "manager" : "manager-" + pl.key;
                auto server = manager::ManagerProcess::start(run, m_serverName, std::chrono::seconds(10),
                                                             SpawnOptions{.cpu = pl.getCpu});
                if (!server) return std::unexpected(server.error());
                m_server = std::move(*server);
            }
            putSide.info = getSide.info = m_serverName;
        } else if (key == "shm") {
            const std::string name = ownedBlockName("ipc-cmp");
            auto block = SharedMemoryBlock::createArray<std::int64_t>(name, 16 + kRingSlots);
            if (!block) return std::unexpected(block.error());
            m_block = std::move(*block);
            putSide.block = getSide.block = name;
        }
        o.gateOpen = false;
        auto g = run.spawn(getSide, getOptions);
        if (!g) return std::unexpected(g.error());
        o.getSlot = *g;
        auto p = run.spawn(putSide, putOptions);
        if (!p) {
            (void)run.kill(o.getSlot);
            return std::unexpected(p.error());
        }
        o.putSlot = *p;
        o.started = true;
        // The pipe's ends now live in the two workers only.
        pipe.reset();
        return {};
    }

    void finishStage(Measurement &o, bool bothFinished)
    {
        const StartGate &gate = *m_gate;
        const BoardSlot &consumer = m_run->slot(o.getSlot);
        const std::uint64_t items = consumer.ops.load(std::memory_order_relaxed);
        const std::uint64_t opened = gate.openedNs();
        const std::uint64_t finished = gate.lastFinishNs(2);
        const bool ok = bothFinished && opened != 0 && finished > opened && items == o.items;
        if (ok) {
            const double perS = double(items) * 1e9 / double(finished - opened);
            if (m_stages[m_stage].pilot()) {
                o.pilotRate = perS;
            } else {
                o.rates.push_back(perS);
                o.latencies.push_back(double(consumer.counter(Counter::Custom0)) / double(items) / 1000.0);
            }
        } else {
            o.failed = true;
            o.error = "a transfer process failed (see its stderr)";
        }
        closeBlock();
        o.done = o.failed || lastOfGroup();
        if (o.done) finishGroup();
    }

    // A mechanism's placement is over: its manager server or block goes.
    void finishGroup()
    {
        const std::string_view key = kMechanisms[m_stages[m_stage].mechanism].key;
        if (key == "manager" && m_server) {
            manager::ClientOptions quick;
            quick.replyTimeout = std::chrono::milliseconds(500);
            quick.connectTimeout = std::chrono::milliseconds(500);
            quick.readyTimeout = std::chrono::milliseconds(0);
            auto c = manager::ManagerClient::connect(m_server->info(), quick);
            if (!c || !c->shutdown()) (void)m_run->kill(m_server->slot(), KillOrigin::Engine);
            (void)m_run->process(m_server->slot()).join(std::chrono::seconds(2));
            m_server->cleanup();
            m_server.reset();
        }
        closeBlock();
    }

    // The SharedMemory stage's block: its name goes if it is still there
    // (a pair that never attached), then the mapping.
    void closeBlock()
    {
        if (m_block.isOpen() && m_block.ownsName()) (void)m_block.unlink();
        m_block.close();
    }

    // Items per second and mean latency: the median so far, or the pair
    // running now while nothing is measured yet.
    std::pair<double, double> live(std::size_t m, std::size_t p) const
    {
        const Measurement &o = at(m, p);
        if (!o.rates.empty()) return {o.median(), o.medianLatency()};
        if (m_stage >= m_stages.size() || !o.started || !o.gateOpen) return {0.0, 0.0};
        const Stage &st = m_stages[m_stage];
        if (st.mechanism != m || st.placement != p) return {0.0, 0.0};
        const BoardSlot &consumer = m_run->board().slots[o.getSlot];
        const std::uint64_t items = consumer.ops.load(std::memory_order_relaxed);
        const std::uint64_t opened = m_gate->openedNs();
        const std::uint64_t now = monotonicNs();
        if (items == 0 || opened == 0 || now <= opened) return {0.0, 0.0};
        return {double(items) * 1e9 / double(now - opened),
                double(consumer.counter(Counter::Custom0)) / double(items) / 1000.0};
    }

    std::vector<Placement> m_placements;
    std::vector<Measurement> m_measurements; // mechanism-major, then placement
    std::vector<Stage> m_stages;             // in run order
    StartGate *m_gate = nullptr;             // the pair of each stage in turn
    std::size_t m_repeats = 1;
    std::size_t m_stage = 0;                 // index into m_stages
    std::optional<manager::ManagerProcess> m_server;
    std::string m_serverName = "manager";
    SharedMemoryBlock m_block;
};

} // namespace

std::unique_ptr<Scenario> makeCompare() { return std::make_unique<CompareScenario>(); }

} // namespace ipc::scenarios
