// The event trace (ipc/trace.h, engine/trace_log.h) with real processes:
// every queue item's put and get traced once and paired by number, every
// pipe message's send and recv, a SIGKILLed producer's last events kept
// and the others' rings unharmed, the ring's exact count of what it
// refused, and the Chrome trace JSON that Perfetto opens.
#include "catalog.h"
#include "process.h"
#include "queue.h"
#include "run.h"
#include "scenario.h"
#include "qt_message.h"
#include "test_support.h"
#include "trace_log.h"
#include "wait_for.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>
#include <map>
#include <set>
#include <thread>

using namespace ipc;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

std::unique_ptr<Scenario> make(const char *name)
{
    auto s = createScenario(name);
    return s ? std::move(*s) : nullptr;
}

// A traced producer-consumer run, started, that goes on until stopped
// (100000 items per producer at 500 items/s each); null if it did not start.
std::unique_ptr<Scenario> startedProducerConsumer(int producers, int consumers, int maxsize)
{
    auto s = make("producer-consumer");
    if (!s || !s->setParam("producers", producers) || !s->setParam("consumers", consumers) ||
        !s->setParam("items", 100000) || !s->setParam("maxsize", maxsize) || !s->setParam("rate", 500))
        return nullptr;
    s->setTracing(true);
    if (!s->start()) return nullptr;
    return s;
}

// Runs the lesson to its end; its poll drains the trace on every tick.
bool runToEnd(Scenario &s, int timeoutMs = 60000)
{
    return waitFor([&] { return s.finished(); }, timeoutMs);
}

// Lesson `name`, traced, with `params`, run to its end and stopped; null
// if a parameter was refused, or it did not start or end.
std::unique_ptr<Scenario> tracedToEnd(const char *name, std::initializer_list<std::pair<const char *, double>> params)
{
    auto s = make(name);
    if (!s) return nullptr;
    for (const auto &[key, value] : params)
        if (!s->setParam(key, value)) return nullptr;
    s->setTracing(true);
    if (!s->start() || !runToEnd(*s)) return nullptr;
    s->stop();
    return s;
}

std::size_t countKind(const TraceLog &log, TraceKind kind, std::uint32_t object)
{
    std::size_t n = 0;
    for (const TracedEvent &e : log.events())
        if (e.event.kind == kind && e.event.object == object) ++n;
    return n;
}

} // namespace

class TestTrace : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ringCountsWhatItRefuses();
    void ringReadsAScribbledHeadAsFull();
    void untracedRunHasNoTrace();
    void producerConsumerPairsEveryItem();
    void pingpongPairsEverySend();
    void killedProducerKeepsItsLastEvents();
    void chromeTraceJsonOfPingpong();
    void lockFromADeadHolderIsHandedOverAsOwnerDied();
    void pauseResumeAndKillAreTracedAsSignals();
    void theLastAtTheBarrierLetsTheOthersGo();
};

void TestTrace::ringCountsWhatItRefuses()
{
    auto ring = std::make_unique<TraceRing>();
    const std::uint32_t cap = TraceRing::kCapacity;
    for (std::uint32_t i = 0; i < cap + 88; ++i) ring->push(TraceKind::Put, 3, i);
    QCOMPARE(ring->dropped.load(), 88u);
    std::vector<std::int64_t> seqs;
    QCOMPARE(ring->drain([&](const TraceEvent &e) { seqs.push_back(e.seq); }), std::uint64_t(cap));
    QCOMPARE(seqs.size(), std::size_t(cap));
    for (std::uint32_t i = 0; i < cap; ++i) QCOMPARE(seqs[i], std::int64_t(i)); // the first ones, in order
    // Drained: room again, and the count stays what it was.
    ring->push(TraceKind::Get, 3, 7);
    QCOMPARE(ring->dropped.load(), 88u);
    seqs.clear();
    QCOMPARE(ring->drain([&](const TraceEvent &e) { seqs.push_back(e.seq); }), std::uint64_t(1));
    QCOMPARE(seqs.front(), std::int64_t(7));
}

void TestTrace::ringReadsAScribbledHeadAsFull()
{
    auto ring = std::make_unique<TraceRing>();
    ring->head.store(1'000'000'000); // another process scribbled on the arena
    std::uint64_t n = ring->drain([](const TraceEvent &) {});
    QCOMPARE(n, std::uint64_t(TraceRing::kCapacity));
    QCOMPARE(ring->tail.load(), ring->head.load());
}

void TestTrace::untracedRunHasNoTrace()
{
    auto run = Run::create(1 << 20);
    QVERIFY(run);
    QVERIFY((*run)->trace() == nullptr);
    QVERIFY(!(*run)->arena().lookup("trace"));
    TraceLog log;
    QCOMPARE(log.drain(**run), std::size_t(0));
    // A traced run has its rings beside the size asked for.
    auto traced = Run::create(1 << 20, Tracing::On);
    QVERIFY(traced);
    QVERIFY((*traced)->trace() != nullptr);
    QVERIFY((*traced)->arena().size() >= (1u << 20) + sizeof(Trace));
}

void TestTrace::producerConsumerPairsEveryItem()
{
    // 100 items per producer, 200 in all, paced as in a lecture.
    auto s = tracedToEnd("producer-consumer",
                         {{"producers", 2}, {"consumers", 2}, {"items", 100}, {"maxsize", 4}, {"rate", 2000}, {"work_us", 0}});
    QVERIFY(s);
    const TraceLog &log = s->trace();
    QCOMPARE(log.dropped(), std::uint64_t(0));
    const std::uint32_t queue = s->run()->arena().indexOf(*s->run()->arena().find<Queue>("queue"));
    QVERIFY(queue != kNoObject);
    // 200 items and a sentinel from each producer for each consumer.
    const std::size_t items = 200 + 2 * 2;
    QCOMPARE(countKind(log, TraceKind::Put, queue), items);
    QCOMPARE(countKind(log, TraceKind::Get, queue), items);
    // Every item once, from a producer to a consumer, never backwards in time.
    QCOMPARE(log.messages().size(), items);
    QVERIFY(log.unreceived().empty());
    std::set<std::int64_t> numbers;
    for (const MessageArrow &m : log.messages()) {
        QCOMPARE(m.kind, TraceKind::Put);
        QVERIFY(numbers.insert(m.seq).second);
        QCOMPARE(QString::fromStdString(log.processes()[m.fromSlot].role), QStringLiteral("producer"));
        QCOMPARE(QString::fromStdString(log.processes()[m.toSlot].role), QStringLiteral("consumer"));
        QVERIFY(m.sentNs <= m.receivedNs);
    }
    QCOMPARE(*numbers.begin(), std::int64_t(0));
    QCOMPARE(*numbers.rbegin(), std::int64_t(items - 1));
    // Events in time order; each process started and exited.
    for (std::size_t k = 1; k < log.events().size(); ++k)
        QVERIFY(log.events()[k - 1].event.timeNs <= log.events()[k].event.timeNs);
    QCOMPARE(log.processes().size(), std::size_t(4));
    for (const TracedProcess &p : log.processes()) {
        QVERIFY(p.exited);
        QCOMPARE(p.exitStatus, std::int64_t(0));
    }
}

void TestTrace::pingpongPairsEverySend()
{
    // 10 ms between pings: longer than the receiver's spin lasts even on a
    // loaded machine, where each of its yields may hand the CPU to another
    // busy process for a whole timeslice (at 3000 pings/s, under the
    // sanitizers and beside another suite, every wait ended in the spin).
    auto s = tracedToEnd("pingpong", {{"messages", 30}, {"rate", 100}});
    QVERIFY(s);
    const TraceLog &log = s->trace();
    QCOMPARE(log.dropped(), std::uint64_t(0));
    std::size_t sends = 0;
    std::size_t recvs = 0;
    for (const TracedEvent &e : log.events()) {
        sends += e.event.kind == TraceKind::Send;
        recvs += e.event.kind == TraceKind::Recv;
    }
    QVERIFY(sends >= 60); // a ping and a pong per round trip
    QCOMPARE(recvs, sends);
    QCOMPARE(log.messages().size(), sends);
    QVERIFY(log.unreceived().empty());
    // Per direction, messages are numbered 0, 1, 2, ... and go one way.
    std::map<std::uint16_t, std::set<std::int64_t>> numbers;
    std::map<std::uint16_t, std::set<std::uint32_t>> senders;
    for (const MessageArrow &m : log.messages()) {
        QCOMPARE(m.kind, TraceKind::Send);
        QVERIFY(m.fromSlot != m.toSlot);
        QVERIFY(m.sentNs <= m.receivedNs);
        QVERIFY(numbers[m.direction].insert(m.seq).second);
        senders[m.direction].insert(m.fromSlot);
    }
    QCOMPARE(numbers.size(), std::size_t(2));
    for (const auto &[direction, seqs] : numbers) {
        QCOMPARE(*seqs.begin(), std::int64_t(0));
        QCOMPARE(*seqs.rbegin(), std::int64_t(seqs.size() - 1));
        QCOMPARE(senders[direction].size(), std::size_t(1));
    }
    // The paced side's partner waited for each ping: blocked-on-recv
    // intervals, each closed. (The pinging side's wait for its pong may
    // be over within the reader's spin, before it marks itself blocked.)
    std::set<std::uint32_t> waited;
    for (const StateInterval &i : log.intervals())
        if (i.state == ProcState::BlockedRecv) {
            waited.insert(i.slot);
            QVERIFY(i.endNs >= i.beginNs);
        }
    QVERIFY(!waited.empty());
}

void TestTrace::killedProducerKeepsItsLastEvents()
{
    auto s = startedProducerConsumer(2, 1, 8);
    QVERIFY(s);
    const TraceLog &log = s->trace();
    Run &run = *s->run();
    // Let both producers put a few items, then SIGKILL the first.
    QVERIFY(waitFor([&] {
        s->poll();
        return countKind(log, TraceKind::Put, run.arena().indexOf(*run.arena().find<Queue>("queue"))) >= 10;
    }));
    std::uint32_t victim = kNoObject;
    for (std::uint32_t i = 0; i < run.processCount(); ++i)
        if (std::string_view(run.slot(i).role) == "producer") {
            victim = i;
            break;
        }
    QVERIFY(victim != kNoObject);
    QVERIFY(run.kill(victim));
    const std::uint32_t queue = run.arena().indexOf(*run.arena().find<Queue>("queue"));
    // The other producer and the consumer go on: more items pair after the kill.
    std::size_t pairedAtKill = 0;
    QVERIFY(waitFor([&] {
        s->poll();
        if (!pairedAtKill && log.processes()[victim].exited) pairedAtKill = log.messages().size();
        return pairedAtKill && log.messages().size() >= pairedAtKill + 20;
    }));
    s->stop();
    const TracedProcess &dead = log.processes()[victim];
    QVERIFY(dead.exited);
    QCOMPARE(dead.exitStatus, std::int64_t(-SIGKILL));
    // Its puts are in the trace, and every one of them that went in was got
    // (only the last, stamped just before a commit it may never have made,
    // can be missing its get).
    std::size_t victimPuts = 0;
    for (const TracedEvent &e : log.events())
        if (e.slot == victim && e.event.kind == TraceKind::Put && e.event.object == queue) ++victimPuts;
    QVERIFY(victimPuts >= 1);
    std::size_t victimPaired = 0;
    for (const MessageArrow &m : log.messages()) victimPaired += m.fromSlot == victim;
    QVERIFY(victimPaired + 1 >= victimPuts);
    QCOMPARE(log.dropped(), std::uint64_t(0));
    // The survivors' events after the kill pair as before.
    for (const MessageArrow &m : log.messages()) QVERIFY(m.sentNs <= m.receivedNs);
}

void TestTrace::chromeTraceJsonOfPingpong()
{
    auto s = tracedToEnd("pingpong", {{"messages", 60}, {"rate", 2000}});
    QVERIFY(s);
    const TraceLog &log = s->trace();
    QVERIFY(!log.messages().empty());
    const QByteArray json = chromeTraceJson(log, log.startNs(), {{"lost updates", {{log.startNs(), 0.0}}}});
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonArray events = doc.object().value(u"traceEvents"_s).toArray();
    QVERIFY(!events.isEmpty());
    std::map<qint64, int> starts;
    std::map<qint64, int> finishes;
    std::map<std::pair<qint64, qint64>, double> lastTs; // per track
    std::set<QString> processNames;
    std::size_t slices = 0;
    for (const QJsonValue &v : events) {
        const QJsonObject e = v.toObject();
        const QString ph = e.value(u"ph"_s).toString();
        if (ph == u"M"_s) {
            if (e.value(u"name"_s).toString() == u"process_name"_s)
                processNames.insert(e.value(u"args"_s).toObject().value(u"name"_s).toString());
            continue;
        }
        const std::pair track{e.value(u"pid"_s).toInteger(), e.value(u"tid"_s).toInteger()};
        const double ts = e.value(u"ts"_s).toDouble(-1);
        QVERIFY(ts >= 0);
        if (const auto it = lastTs.find(track); it != lastTs.end()) QVERIFY2(ts >= it->second, "a track goes back in time");
        lastTs[track] = ts;
        if (ph == u"s"_s) ++starts[e.value(u"id"_s).toInteger()];
        if (ph == u"f"_s) ++finishes[e.value(u"id"_s).toInteger()];
        if (ph == u"X"_s) {
            ++slices;
            QVERIFY(e.value(u"dur"_s).toDouble(-1) >= 0);
        }
    }
    QCOMPARE(starts.size(), log.messages().size());
    QCOMPARE(finishes.size(), starts.size());
    for (const auto &[id, n] : starts) {
        QCOMPARE(n, 1);
        QCOMPARE(finishes[id], 1);
    }
    QVERIFY(slices > 2 * log.messages().size()); // each send and recv, and the waits
    // One named track per process, and the shared objects'.
    QCOMPARE(processNames.size(), log.processes().size() + 1);
    for (const TracedProcess &p : log.processes())
        QVERIFY(processNames.contains(QString::fromStdString(p.role) + u" (pid "_s + QString::number(p.pid) + u")"_s));
}

// Deadlocked philosophers each hold a fork; one SIGKILLed, the neighbour
// waiting for its fork gets it from the kernel as owner-died. The trace
// says so (an OwnerDied event naming the dead pid), and the log draws it
// as a hand-over from the dead one -- not as a release at its exit.
void TestTrace::lockFromADeadHolderIsHandedOverAsOwnerDied()
{
    auto s = make("philosophers");
    QVERIFY(s);
    s->setTracing(true);
    QVERIFY(s->start());
    QVERIFY2(waitFor(
                 [&] {
                     s->poll();
                     return s->deadlock() != nullptr;
                 },
                 30000),
             "the philosophers did not deadlock within 30 s");
    Run &run = *s->run();
    const std::uint32_t victim = s->deadlock()->stuck.front();
    const std::int32_t victimPid = run.slot(victim).pid.load();
    QVERIFY(run.kill(victim));
    const TraceLog &log = s->trace();
    const auto ownerDied = [&]() -> const TracedEvent * {
        for (const TracedEvent &e : log.events())
            if (e.event.kind == TraceKind::OwnerDied) return &e;
        return nullptr;
    };
    QVERIFY2(waitFor(
                 [&] {
                     s->poll();
                     return ownerDied() != nullptr && log.processes()[victim].exited;
                 },
                 10000),
             "no owner-died hand-over traced within 10 s");
    s->stop();
    const TracedEvent taken = *ownerDied();
    QCOMPARE(taken.event.seq, std::int64_t(victimPid));
    QVERIFY(taken.slot != victim);
    QVERIFY(log.objectName(taken.event.object).starts_with("fork"));
    // What the victim did while it lived (its exit is booked later, by its reaper).
    std::uint64_t victimLastNs = 0;
    for (const TracedEvent &e : log.events())
        if (e.slot == victim && e.event.kind != TraceKind::Exit) victimLastNs = e.event.timeNs;
    std::size_t fromTheDead = 0;
    for (const LockHandoff &h : log.handoffs()) {
        if (h.fromSlot != victim) continue;
        if (!h.ownerDied) {
            // Forks it put down while it ate, never one "released" by dying.
            QVERIFY(h.releasedNs <= victimLastNs);
            continue;
        }
        ++fromTheDead;
        QCOMPARE(h.toSlot, taken.slot);
        QCOMPARE(h.object, taken.event.object);
        QCOMPARE(h.acquiredNs, taken.event.timeNs);
    }
    QCOMPARE(fromTheDead, std::size_t(1));
    // Every traced process announced its start with its pid.
    for (const TracedProcess &p : log.processes()) {
        const auto start = std::find_if(log.events().begin(), log.events().end(), [&](const TracedEvent &e) {
            return e.slot == p.slot && e.event.kind == TraceKind::Start;
        });
        QVERIFY(start != log.events().end());
        QCOMPARE(start->event.seq, std::int64_t(p.pid));
    }
}

// What the lecturer does to a process is in its trace, booked by the run
// that sent the signal: the consumer paused (SIGSTOP) and resumed
// (SIGCONT) is a Paused interval from one to the other, with nothing of its
// own stamped while it was stopped; the producer killed has its SIGKILL
// before its end. The Chrome JSON names them, and a log rebuilt
// from the events (as a replay does) draws the same.
void TestTrace::pauseResumeAndKillAreTracedAsSignals()
{
    auto s = startedProducerConsumer(1, 1, 4);
    QVERIFY(s);
    const TraceLog &log = s->trace();
    Run &run = *s->run();
    std::uint32_t producer = kNoObject;
    std::uint32_t consumer = kNoObject;
    for (std::uint32_t i = 0; i < run.processCount(); ++i)
        (std::string_view(run.slot(i).role) == "producer" ? producer : consumer) = i;
    QVERIFY(producer != kNoObject && consumer != kNoObject);
    QVERIFY(waitFor([&] {
        s->poll();
        return log.messages().size() >= 5;
    }));

    QVERIFY(run.pause(consumer));
    QVERIFY(waitFor([&] { return isStopped(run.process(consumer).pid()); }));
    const std::uint64_t surelyStoppedNs = monotonicNs();
    // The producer fills the queue meanwhile; the consumer takes nothing.
    QVERIFY(waitFor([&] {
        s->poll();
        return run.slot(producer).currentState() == ProcState::BlockedPut;
    }));
    const std::size_t gotBeforeResume = log.messages().size();
    QVERIFY(run.resume(consumer));
    QVERIFY(waitFor([&] {
        s->poll();
        return log.messages().size() >= gotBeforeResume + 5;
    }));
    QVERIFY(run.kill(producer));
    QVERIFY(waitFor([&] {
        s->poll();
        return log.processes()[producer].exited;
    }));

    std::vector<const SignalMark *> toConsumer;
    std::vector<const SignalMark *> toProducer;
    for (const SignalMark &m : log.signals())
        (m.slot == consumer ? toConsumer : toProducer).push_back(&m);
    QCOMPARE(toConsumer.size(), std::size_t(2));
    QCOMPARE(toConsumer[0]->signal, SIGSTOP);
    QCOMPARE(toConsumer[1]->signal, SIGCONT);
    QVERIFY(toConsumer[0]->timeNs <= surelyStoppedNs);
    QCOMPARE(toProducer.size(), std::size_t(1));
    QCOMPARE(toProducer[0]->signal, SIGKILL);
    QVERIFY(toProducer[0]->timeNs <= log.processes()[producer].lastNs);
    QCOMPARE(log.processes()[producer].exitStatus, std::int64_t(-SIGKILL));

    const auto pausedOf = [&](const TraceLog &l) {
        std::vector<StateInterval> out;
        for (const StateInterval &i : l.intervals())
            if (i.state == ProcState::Paused) out.push_back(i);
        return out;
    };
    const std::vector<StateInterval> paused = pausedOf(log);
    QCOMPARE(paused.size(), std::size_t(1));
    QCOMPARE(paused[0].slot, consumer);
    QCOMPARE(paused[0].beginNs, toConsumer[0]->timeNs);
    QCOMPARE(paused[0].endNs, toConsumer[1]->timeNs);
    for (const TracedEvent &e : log.events())
        if (e.slot == consumer && e.event.kind != TraceKind::Signal)
            QVERIFY2(e.event.timeNs < surelyStoppedNs || e.event.timeNs > toConsumer[1]->timeNs,
                     qPrintable(u"the stopped consumer stamped an event of kind %1 (state %2) %3 ns after it was seen stopped"_s
                                    .arg(int(e.event.kind)).arg(int(e.event.state))
                                    .arg(qint64(e.event.timeNs - surelyStoppedNs))));
    // The consumer is what it was when stopped (its own intervals go on):
    // a pause ends none of them.
    bool someOwnIntervalSpansThePause = false;
    for (const StateInterval &i : log.intervals())
        if (i.slot == consumer && i.state != ProcState::Paused && i.beginNs <= paused[0].beginNs &&
            (i.endNs == 0 || i.endNs >= paused[0].endNs))
            someOwnIntervalSpansThePause = true;
    const bool wasRunning = [&] {
        for (const StateInterval &i : log.intervals())
            if (i.slot == consumer && i.state != ProcState::Paused && i.beginNs <= paused[0].beginNs &&
                (i.endNs == 0 || i.endNs > paused[0].beginNs))
                return false;
        return true;
    }();
    QVERIFY2(someOwnIntervalSpansThePause || wasRunning, "the pause cut the consumer's own interval");

    // Rebuilt from its events, as a replay does.
    TraceLog again;
    again.add(log.events());
    QCOMPARE(again.signals().size(), log.signals().size());
    for (std::size_t k = 0; k < log.signals().size(); ++k) {
        QCOMPARE(again.signals()[k].slot, log.signals()[k].slot);
        QCOMPARE(again.signals()[k].signal, log.signals()[k].signal);
        QCOMPARE(again.signals()[k].timeNs, log.signals()[k].timeNs);
    }
    const std::vector<StateInterval> pausedAgain = pausedOf(again);
    QCOMPARE(pausedAgain.size(), std::size_t(1));
    QCOMPARE(pausedAgain[0].beginNs, paused[0].beginNs);
    QCOMPARE(pausedAgain[0].endNs, paused[0].endNs);

    // The Chrome JSON has each signal, an instant on the process's signals track.
    const QJsonDocument doc = QJsonDocument::fromJson(chromeTraceJson(log, log.startNs(), {}));
    std::map<QString, int> instants;
    for (const QJsonValue &v : doc.object().value(u"traceEvents"_s).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(u"ph"_s).toString() == u"i"_s) ++instants[e.value(u"name"_s).toString()];
    }
    QCOMPARE(instants[u"SIGSTOP"_s], 1);
    QCOMPARE(instants[u"SIGCONT"_s], 1);
    QCOMPARE(instants[u"SIGKILL"_s], 1);
    s->stop();
}

// barrier-print, 4 printers, 5 phases: in each phase the last to arrive
// lets the 3 others go, so the trace has exactly 3 wake-ups per phase, all
// from one process that was not itself waiting then, each to the end of a
// wait that began before it; every wait at the barrier is one of them.
void TestTrace::theLastAtTheBarrierLetsTheOthersGo()
{
    constexpr int kProcesses = 4;
    constexpr int kPhases = 5;
    auto s = tracedToEnd("barrier-print", {{"processes", kProcesses}, {"phases", kPhases}, {"work_ms", 5}});
    QVERIFY(s);
    const TraceLog &log = s->trace();
    QCOMPARE(log.dropped(), std::uint64_t(0));

    std::size_t barrierWaits = 0;
    for (const StateInterval &i : log.intervals()) barrierWaits += i.state == ProcState::WaitingBarrier;
    QCOMPARE(barrierWaits, std::size_t((kProcesses - 1) * kPhases));
    QCOMPARE(log.wakeups().size(), barrierWaits);

    std::map<std::uint64_t, std::vector<const Wakeup *>> byRelease;
    for (const Wakeup &w : log.wakeups()) {
        QCOMPARE(w.wait, ProcState::WaitingBarrier);
        QVERIFY(w.fromSlot != w.toSlot);
        QVERIFY(w.wokeNs <= w.resumedNs);
        byRelease[w.wokeNs].push_back(&w);
        // The one that let them go was not waiting at the barrier itself.
        for (const StateInterval &i : log.intervals())
            if (i.slot == w.fromSlot && i.state == ProcState::WaitingBarrier)
                QVERIFY(w.wokeNs < i.beginNs || (i.endNs != 0 && w.wokeNs > i.endNs));
        // It ends a wait of the woken one that began before the release.
        const bool endsAWait = std::any_of(log.intervals().begin(), log.intervals().end(), [&](const StateInterval &i) {
            return i.slot == w.toSlot && i.state == ProcState::WaitingBarrier && i.beginNs <= w.wokeNs &&
                   i.endNs == w.resumedNs;
        });
        QVERIFY(endsAWait);
    }
    QCOMPARE(byRelease.size(), std::size_t(kPhases));
    for (const auto &[at, woken] : byRelease) {
        QCOMPARE(woken.size(), std::size_t(kProcesses - 1));
        std::set<std::uint32_t> to;
        for (const Wakeup *w : woken) {
            QCOMPARE(w->fromSlot, woken.front()->fromSlot);
            to.insert(w->toSlot);
        }
        QCOMPARE(to.size(), std::size_t(kProcesses - 1));
    }
}

QTEST_GUILESS_MAIN(TestTrace)
#include "tst_trace.moc"
