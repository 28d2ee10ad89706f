#include "trace_log.h"

#include "run.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <limits>
#include <set>

namespace ipc {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

TraceKind sendingKind(TraceKind kind) noexcept
{
    return kind == TraceKind::Get ? TraceKind::Put : kind == TraceKind::Recv ? TraceKind::Send : kind;
}

} // namespace

bool isSendingSide(TraceKind kind) noexcept { return kind == TraceKind::Put || kind == TraceKind::Send; }
bool isReceivingSide(TraceKind kind) noexcept { return kind == TraceKind::Get || kind == TraceKind::Recv; }

void TraceLog::clear() { *this = TraceLog(); }

TracedProcess &TraceLog::process(std::uint32_t slot)
{
    while (m_processes.size() <= slot) {
        m_processes.push_back({});
        m_processes.back().slot = std::uint32_t(m_processes.size() - 1);
        m_ringDropped.push_back(0);
        m_openInterval.push_back(kNone);
        m_openPause.push_back(kNone);
    }
    return m_processes[slot];
}

std::size_t TraceLog::drain(Run &run)
{
    Trace *trace = run.trace();
    if (!trace) return 0;
    const auto objects = run.arena().objects();
    if (m_objectNames.size() != objects.size()) {
        m_objectNames.clear();
        for (const DirectoryEntry &e : objects)
            m_objectNames.emplace_back(e.name, strnlen(e.name, DirectoryEntry::kNameSize));
    }
    Board &board = run.board();
    const std::uint32_t count = std::min(board.slotCount.load(std::memory_order_acquire), Trace::kRings);
    std::vector<TracedEvent> batch;
    for (std::uint32_t slot = 0; slot < count; ++slot) {
        BoardSlot &s = board.slots[slot];
        TracedProcess &p = process(slot);
        p.pid = s.pid.load(std::memory_order_relaxed);
        p.role.assign(s.role, strnlen(s.role, BoardSlot::kRoleSize));
        TraceRing &ring = trace->rings[slot];
        ring.drain([&](const TraceEvent &e) { batch.push_back({slot, e}); });
        m_ringDropped[slot] = ring.dropped.load(std::memory_order_relaxed);
    }
    for (const SentSignal &s : run.takeSentSignals()) {
        TraceEvent e;
        e.timeNs = s.timeNs;
        e.seq = s.signal;
        e.kind = TraceKind::Signal;
        batch.push_back({s.slot, e});
    }
    keepInOrder(batch);
    return batch.size();
}

void TraceLog::add(std::vector<TracedEvent> events) { keepInOrder(events); }

void TraceLog::describeProcess(std::uint32_t slot, std::int32_t pid, std::string role)
{
    TracedProcess &p = process(slot);
    p.pid = pid;
    p.role = std::move(role);
}

void TraceLog::keepInOrder(std::vector<TracedEvent> &batch)
{
    if (batch.empty()) return;
    const auto byTime = [](const TracedEvent &a, const TracedEvent &b) { return a.event.timeNs < b.event.timeNs; };
    // Each ring is in order; across rings, interleave by time.
    std::stable_sort(batch.begin(), batch.end(), byTime);
    const std::size_t room = kMaxEvents - std::min(kMaxEvents, m_events.size());
    if (batch.size() > room) {
        m_notKept += batch.size() - room;
        batch.resize(room);
    }
    for (const TracedEvent &e : batch) take(e);
    if (dropped() > 0) forgetUnpairable();
    // An event of this batch may be older than the last of the previous
    // one (stamped before that drain, published after it): merge.
    const std::size_t old = m_events.size();
    m_events.insert(m_events.end(), batch.begin(), batch.end());
    const auto firstLater = std::upper_bound(m_events.begin(), m_events.begin() + std::ptrdiff_t(old),
                                             m_events[old], byTime);
    std::inplace_merge(firstLater, m_events.begin() + std::ptrdiff_t(old), m_events.end(), byTime);
}

void TraceLog::take(const TracedEvent &e)
{
    TracedProcess &p = process(e.slot);
    if (p.firstNs == 0) p.firstNs = e.event.timeNs;
    p.lastNs = std::max(p.lastNs, e.event.timeNs);
    const TraceKind kind = e.event.kind;
    if (kind == TraceKind::State) {
        if (e.event.state < std::uint8_t(ProcState::Count_)) takeState(e, ProcState(e.event.state));
        return;
    }
    if (kind == TraceKind::Signal) {
        takeSignal(e);
        return;
    }
    if (kind == TraceKind::Wake) {
        takeWake(e);
        return;
    }
    if (kind == TraceKind::Exit) {
        takeState(e, ProcState::Running); // closes what it was in
        endPause(e.slot, e.event.timeNs);
        p.exited = true;
        p.exitStatus = e.event.seq;
        return;
    }
    if (kind == TraceKind::OwnerDied) {
        // From the dead holder, found by its pid, at the moment the lock
        // was taken over (when it died is not traced).
        const auto dead = std::find_if(m_processes.begin(), m_processes.end(),
                                       [&](const TracedProcess &q) { return q.pid == e.event.seq && q.pid != 0; });
        if (dead != m_processes.end() && dead->slot != e.slot) {
            m_handoffs.push_back({e.event.object, dead->slot, e.slot, e.event.timeNs, e.event.timeNs, true});
            // It held the lock until now, not until its reaper booked its end.
            if (std::size_t &open = m_openInterval[dead->slot]; open != kNone) {
                StateInterval &was = m_intervals[open];
                if (was.state == ProcState::InCriticalSection && was.object == e.event.object) {
                    was.endNs = std::max(e.event.timeNs, was.beginNs);
                    open = kNone;
                }
            }
        }
        m_lastRelease.erase(e.event.object);
        return;
    }
    if (!isSendingSide(kind) && !isReceivingSide(kind)) return; // Start, or a kind this build does not know
    const MessageKey key{std::uint8_t(sendingKind(kind)), e.event.object, e.event.aux, e.event.seq};
    if (isReceivingSide(kind)) {
        auto [last, fresh] = m_lastReceived.try_emplace({std::get<0>(key), e.event.object, e.event.aux}, e.event.seq);
        if (!fresh) last->second = std::max(last->second, e.event.seq);
    }
    auto &mine = isSendingSide(kind) ? m_unmatchedSends : m_unmatchedReceipts;
    auto &theirs = isSendingSide(kind) ? m_unmatchedReceipts : m_unmatchedSends;
    const auto other = theirs.find(key);
    if (other == theirs.end()) {
        mine.insert_or_assign(key, e); // the last of a number is the one that went out
        return;
    }
    const TracedEvent &sent = isSendingSide(kind) ? e : other->second;
    const TracedEvent &got = isSendingSide(kind) ? other->second : e;
    m_messages.push_back({sendingKind(kind), e.event.object, e.event.seq, e.event.aux, sent.slot, got.slot,
                          sent.event.timeNs, got.event.timeNs});
    theirs.erase(other);
}

void TraceLog::takeState(const TracedEvent &e, ProcState state)
{
    const std::uint64_t t = e.event.timeNs;
    if (std::size_t &open = m_openInterval[e.slot]; open != kNone) {
        StateInterval &was = m_intervals[open];
        was.endNs = std::max(t, was.beginNs);
        if (e.event.kind != TraceKind::Exit) pairWake(was);
        // (Ending while holding it is no release: the lock passes on as
        // owner-died, which is an event of its own.)
        if (was.state == ProcState::InCriticalSection && e.event.kind != TraceKind::Exit)
            m_lastRelease[was.object] = {e.slot, t};
        open = kNone;
    }
    if (state == ProcState::InCriticalSection) {
        const auto released = m_lastRelease.find(e.event.object);
        if (released != m_lastRelease.end() && released->second.slot != e.slot && released->second.timeNs <= t)
            m_handoffs.push_back({e.event.object, released->second.slot, e.slot, released->second.timeNs, t});
    }
    if (state == ProcState::Running) return;
    m_openInterval[e.slot] = m_intervals.size();
    m_intervals.push_back({e.slot, state, e.event.object, t, 0});
}

void TraceLog::takeWake(const TracedEvent &e)
{
    std::vector<PendingWake> &pending = m_pendingWakes[e.event.object];
    pending.push_back({e.slot, e.event.timeNs, std::max<std::int64_t>(e.event.seq, 0)});
    // Wakes nobody took (a release with no waiter) are let go in time.
    constexpr std::size_t kKept = 64;
    if (pending.size() > kKept) pending.erase(pending.begin(), pending.end() - kKept);
}

void TraceLog::pairWake(const StateInterval &wait)
{
    if (wait.state != ProcState::WaitingBarrier && wait.state != ProcState::WaitingEvent &&
        wait.state != ProcState::WaitingCondition && wait.state != ProcState::WaitingSemaphore)
        return;
    const auto found = m_pendingWakes.find(wait.object);
    if (found == m_pendingWakes.end()) return;
    std::vector<PendingWake> &pending = found->second;
    const auto wake = std::find_if(pending.begin(), pending.end(), [&](const PendingWake &w) {
        return w.slot != wait.slot && w.timeNs >= wait.beginNs && w.timeNs <= wait.endNs;
    });
    if (wake == pending.end()) return;
    m_wakeups.push_back({wait.object, wait.state, wake->slot, wait.slot, wake->timeNs, wait.endNs});
    if (wake->left == 0) return; // a wake of all: it may end more waits
    --wake->left;
    if (wake->left == 0) pending.erase(wake);
}

// A signal is the sender's event, not the process's: its intervals go on
// under a pause, which is an interval of its own.
void TraceLog::takeSignal(const TracedEvent &e)
{
    const int sig = int(e.event.seq);
    m_signals.push_back({e.slot, sig, e.event.timeNs});
    if (sig == SIGSTOP && m_openPause[e.slot] == kNone) {
        m_openPause[e.slot] = m_intervals.size();
        m_intervals.push_back({e.slot, ProcState::Paused, kNoObject, e.event.timeNs, 0});
    } else if (sig == SIGCONT || sig == SIGKILL) {
        endPause(e.slot, e.event.timeNs);
    }
}

void TraceLog::endPause(std::uint32_t slot, std::uint64_t timeNs)
{
    if (std::size_t &open = m_openPause[slot]; open != kNone) {
        m_intervals[open].endNs = std::max(timeNs, m_intervals[open].beginNs);
        open = kNone;
    }
}

std::uint64_t TraceLog::dropped() const noexcept
{
    std::uint64_t n = m_notKept;
    for (std::uint64_t d : m_ringDropped) n += d;
    return n;
}

std::string TraceLog::objectName(std::uint32_t object) const
{
    if (object < m_objectNames.size()) return m_objectNames[object];
    return "#" + std::to_string(object);
}

// With events dropped, some sends and receipts will never meet their
// partner: those far behind the last number received on their queue or
// pipe direction are let go, so the waiting lists stay small. (Without a
// drop nothing is let go: events of one moment may reach the log a tick
// apart, from two rings, and still pair.)
void TraceLog::forgetUnpairable()
{
    constexpr std::int64_t kBehind = 4096;
    for (const auto &[where, last] : m_lastReceived) {
        const auto [kind, object, direction] = where;
        for (auto *waiting : {&m_unmatchedSends, &m_unmatchedReceipts}) {
            const auto from = waiting->lower_bound({kind, object, direction, INT64_MIN});
            const auto to = waiting->lower_bound({kind, object, direction, last - kBehind});
            waiting->erase(from, to);
        }
    }
}

std::vector<MessageArrow> TraceLog::unreceived() const
{
    std::vector<MessageArrow> out;
    for (const auto &[key, e] : m_unmatchedSends) {
        const auto last = m_lastReceived.find({std::get<0>(key), std::get<1>(key), std::get<2>(key)});
        if (last != m_lastReceived.end() && e.event.seq < last->second) continue; // received, untraced
        out.push_back({e.event.kind, e.event.object, e.event.seq, e.event.aux, e.slot, kNoObject,
                       e.event.timeNs, 0});
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.sentNs < b.sentNs; });
    return out;
}

// --- Chrome trace-event JSON ------------------------------------------------

using namespace Qt::StringLiterals;

namespace {

// Track ids: a process's states on tid = pid, its messages on pid + this
// (above Linux's PID_MAX_LIMIT, so never a real pid); the shared objects'
// counters under a process of that id.
constexpr qint64 kMessagesTrack = qint64(1) << 22;
// The signals the run sent it, and its pauses, on pid + this (a pause
// overlaps the process's own slices without nesting in them).
constexpr qint64 kSignalsTrack = qint64(2) << 22;
constexpr qint64 kSharedObjectsPid = (qint64(1) << 22) + 1;

class ChromeTraceWriter {
public:
    ChromeTraceWriter(const TraceLog &log, std::uint64_t originNs) : m_log(log), m_origin(originNs) {}

    QByteArray write(const std::vector<CounterTrack> &counters)
    {
        for (const TracedProcess &p : m_log.processes()) names(p);
        meta(u"process_name"_s, kSharedObjectsPid, kSharedObjectsPid, u"shared objects"_s);
        states();
        signals();
        messages();
        queueDepths();
        for (const CounterTrack &c : counters)
            for (const auto &[t, v] : c.points) counter(QString::fromStdString(c.name), t, v);
        // In time order, so every track's timestamps rise (metadata first).
        std::stable_sort(m_events.begin(), m_events.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        QJsonArray all;
        for (auto &[ts, e] : m_events) all.append(std::move(e));
        QJsonObject root;
        root[u"traceEvents"_s] = all;
        root[u"displayTimeUnit"_s] = u"ms"_s;
        return QJsonDocument(root).toJson(QJsonDocument::Compact);
    }

private:
    [[nodiscard]] double us(std::uint64_t ns) const { return ns >= m_origin ? double(ns - m_origin) / 1000.0 : 0.0; }
    [[nodiscard]] qint64 pidOf(std::uint32_t slot) const
    {
        const auto &ps = m_log.processes();
        return slot < ps.size() && ps[slot].pid > 0 ? ps[slot].pid : -qint64(slot) - 1;
    }

    void meta(const QString &what, qint64 pid, qint64 tid, const QString &name)
    {
        add(-1, QJsonObject{{u"ph"_s, u"M"_s}, {u"name"_s, what}, {u"pid"_s, pid}, {u"tid"_s, tid},
                            {u"args"_s, QJsonObject{{u"name"_s, name}}}});
    }
    void names(const TracedProcess &p)
    {
        const qint64 pid = pidOf(p.slot);
        meta(u"process_name"_s, pid, pid, QString::fromStdString(p.role) + u" (pid "_s + QString::number(p.pid) + u")"_s);
        add(-1, QJsonObject{{u"ph"_s, u"M"_s}, {u"name"_s, u"process_sort_index"_s}, {u"pid"_s, pid}, {u"tid"_s, pid},
                            {u"args"_s, QJsonObject{{u"sort_index"_s, qint64(p.slot)}}}});
        meta(u"thread_name"_s, pid, pid, u"state"_s);
        meta(u"thread_name"_s, pid, pid + kMessagesTrack, u"messages"_s);
        meta(u"thread_name"_s, pid, pid + kSignalsTrack, u"signals"_s);
    }
    void states()
    {
        const std::uint64_t end = m_log.events().empty() ? 0 : m_log.events().back().event.timeNs;
        for (const StateInterval &i : m_log.intervals()) {
            QString name = QString::fromUtf8(procStateName(i.state));
            if (i.object != kNoObject) name += u" "_s + QString::fromStdString(m_log.objectName(i.object));
            const std::uint64_t until = i.endNs ? i.endNs : std::max(end, i.beginNs);
            const qint64 pid = pidOf(i.slot);
            const qint64 tid = i.state == ProcState::Paused ? pid + kSignalsTrack : pid;
            add(us(i.beginNs), QJsonObject{{u"ph"_s, u"X"_s}, {u"cat"_s, u"state"_s}, {u"name"_s, name}, {u"pid"_s, pid},
                                           {u"tid"_s, tid}, {u"ts"_s, us(i.beginNs)},
                                           {u"dur"_s, double(until - i.beginNs) / 1000.0}});
        }
    }
    // An instant on the process's signals track for each signal the run sent it.
    void signals()
    {
        for (const SignalMark &s : m_log.signals()) {
            const qint64 pid = pidOf(s.slot);
            add(us(s.timeNs), QJsonObject{{u"ph"_s, u"i"_s}, {u"s"_s, u"t"_s}, {u"cat"_s, u"signal"_s},
                                          {u"name"_s, QString::fromStdString(signalName(s.signal))}, {u"pid"_s, pid},
                                          {u"tid"_s, pid + kSignalsTrack}, {u"ts"_s, us(s.timeNs)}});
        }
    }
    // A slice per put/get/send/recv on the process's messages track, and
    // the flow from each sent message to its receipt.
    void messages()
    {
        using Key = std::tuple<std::uint8_t, std::uint32_t, std::uint16_t, qint64>;
        std::map<Key, qint64> flowIds;
        // The sends that were paired (the last of each number): (slot, time).
        std::set<std::pair<std::uint32_t, std::uint64_t>> pairedSends;
        for (const MessageArrow &m : m_log.messages()) {
            flowIds.emplace(Key{std::uint8_t(m.kind), m.object, m.direction, m.seq}, qint64(flowIds.size() + 1));
            pairedSends.emplace(m.fromSlot, m.sentNs);
        }
        const auto &events = m_log.events();
        const std::vector<std::uint64_t> next = nextOperationNs();
        for (std::size_t k = 0; k < events.size(); ++k) {
            const TracedEvent &e = events[k];
            const TraceKind kind = e.event.kind;
            if (!isSendingSide(kind) && !isReceivingSide(kind)) continue;
            const qint64 pid = pidOf(e.slot);
            const qint64 tid = pid + kMessagesTrack;
            const double ts = us(e.event.timeNs);
            const QString label = opLabel(e);
            // Long enough to see, never reaching the process's next operation.
            const double dur = next[k] ? std::min(1.0, double(next[k] - e.event.timeNs) / 2000.0) : 1.0;
            add(ts, QJsonObject{{u"ph"_s, u"X"_s}, {u"cat"_s, u"message"_s}, {u"name"_s, label}, {u"pid"_s, pid}, {u"tid"_s, tid},
                                {u"ts"_s, ts}, {u"dur"_s, dur}});
            const bool starts = isSendingSide(kind);
            const auto id = flowIds.find(Key{std::uint8_t(starts ? kind : sendingKind(kind)), e.event.object,
                                             e.event.aux, e.event.seq});
            if (id == flowIds.end()) continue;
            if (starts && !pairedSends.contains({e.slot, e.event.timeNs})) continue;
            QJsonObject flow{{u"ph"_s, starts ? u"s"_s : u"f"_s}, {u"cat"_s, u"message"_s}, {u"name"_s, label}, {u"pid"_s, pid},
                             {u"tid"_s, tid}, {u"ts"_s, ts}, {u"id"_s, id->second}};
            if (!starts) flow[u"bp"_s] = u"e"_s;
            add(ts, flow);
        }
    }
    // For each event, the time of its process's next put/get/send/recv (0: none).
    [[nodiscard]] std::vector<std::uint64_t> nextOperationNs() const
    {
        const auto &events = m_log.events();
        std::vector<std::uint64_t> next(events.size(), 0);
        std::map<std::uint32_t, std::uint64_t> seen; // by slot
        for (std::size_t k = events.size(); k-- > 0;) {
            const TracedEvent &e = events[k];
            if (const auto it = seen.find(e.slot); it != seen.end()) next[k] = it->second;
            if (isSendingSide(e.event.kind) || isReceivingSide(e.event.kind)) seen[e.slot] = e.event.timeNs;
        }
        return next;
    }
    [[nodiscard]] QString opLabel(const TracedEvent &e) const
    {
        const QString verb = e.event.kind == TraceKind::Put  ? u"put"_s
                           : e.event.kind == TraceKind::Get  ? u"get"_s
                           : e.event.kind == TraceKind::Send ? u"send"_s
                                                             : u"recv"_s;
        return QString(u"%1 #%2 %3"_s).arg(verb).arg(e.event.seq).arg(QString::fromStdString(m_log.objectName(e.event.object)));
    }
    void queueDepths()
    {
        std::map<std::uint32_t, qint64> depth;
        for (const TracedEvent &e : m_log.events()) {
            if (e.event.kind != TraceKind::Put && e.event.kind != TraceKind::Get) continue;
            qint64 &d = depth[e.event.object];
            d = std::max<qint64>(0, d + (e.event.kind == TraceKind::Put ? 1 : -1));
            counter(u"depth of "_s + QString::fromStdString(m_log.objectName(e.event.object)), e.event.timeNs, double(d));
        }
    }
    void counter(const QString &name, std::uint64_t timeNs, double value)
    {
        add(us(timeNs), QJsonObject{{u"ph"_s, u"C"_s}, {u"name"_s, name}, {u"pid"_s, kSharedObjectsPid},
                                    {u"tid"_s, kSharedObjectsPid}, {u"ts"_s, us(timeNs)},
                                    {u"args"_s, QJsonObject{{u"value"_s, value}}}});
    }

    void add(double ts, QJsonObject event) { m_events.emplace_back(ts, std::move(event)); }

    const TraceLog &m_log;
    std::uint64_t m_origin;
    std::vector<std::pair<double, QJsonObject>> m_events;
};

} // namespace

QByteArray chromeTraceJson(const TraceLog &log, std::uint64_t originNs, const std::vector<CounterTrack> &counters)
{
    return ChromeTraceWriter(log, originNs).write(counters);
}

} // namespace ipc
