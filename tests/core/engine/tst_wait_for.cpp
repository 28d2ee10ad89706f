// The wait-for graph: its rules on snapshots made by hand, and the
// deadlocks it finds (and does not find) in real runs: the philosophers'
// cycle of N, pipe-deadlock's and join-deadlock's cycles of two, none in
// the fixed variants or in lessons that cannot deadlock, and a killed fork
// holder whose edges go with it.
#include "catalog.h"
#include "posix_call.h"
#include "scenario.h"
#include "snapshot.h"
#include "test_support.h"
#include "wait_for.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <set>
#include <thread>

using namespace ipc;
using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 30'000;

ProcessSnapshot process(std::uint32_t slot, std::string role, ProcState state, std::uint32_t object = kNoObject)
{
    ProcessSnapshot p;
    p.slot = slot;
    p.pid = std::int32_t(1000 + slot);
    p.role = std::move(role);
    p.state = state;
    p.object = object;
    return p;
}

ObjectSnapshot lock(std::uint32_t index, std::string name, std::int32_t holderPid)
{
    ObjectSnapshot o;
    o.index = index;
    o.name = std::move(name);
    o.kind = ObjectKind::Lock;
    o.hasLock = true;
    o.holderPid = holderPid;
    return o;
}

ObjectSnapshot queue(std::uint32_t index, std::string name)
{
    ObjectSnapshot o;
    o.index = index;
    o.name = std::move(name);
    o.kind = ObjectKind::Queue;
    return o;
}

std::unique_ptr<Scenario> started(const char *lesson, std::initializer_list<std::pair<const char *, double>> params)
{
    auto s = createScenario(lesson);
    if (!s) return nullptr;
    for (const auto &[key, value] : params)
        if (!(*s)->setParam(key, value)) return nullptr;
    if (!(*s)->start()) return nullptr;
    return std::move(*s);
}

// Ticks the scenario until it confirms a deadlock (or the time is up).
const Deadlock *waitForDeadlock(Scenario &s, int timeoutMs = kTimeoutMs)
{
    waitFor([&] {
        s.poll();
        return s.deadlock() != nullptr;
    }, timeoutMs);
    return s.deadlock();
}

// Ticks the scenario for `ms`; true if it never confirmed a deadlock.
bool neverDeadlocks(Scenario &s, int ms)
{
    const Deadline until(std::chrono::milliseconds{ms});
    while (!until.expired()) {
        s.poll();
        if (s.deadlock()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return s.firstDeadlock() == nullptr;
}

} // namespace

class TestWaitFor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void twoLocksHeldCrosswiseAreACycle();
    void aPutWaitsForAnyLivingConsumer();
    void theDeadWakeNobody();
    void philosophersCloseACycleOfN_data();
    void philosophersCloseACycleOfN();
    void fixedPhilosophersNeverDeadlock_data();
    void fixedPhilosophersNeverDeadlock();
    void pipeAndJoinDeadlocksAreCyclesOfTwo();
    void lessonsThatCannotDeadlockDoNot();
    void aKilledForkHolderTakesItsEdgesAlong();
    void headlessRunReportsTheCycle();
    void philosophersDeadlockedByHand();
};

void TestWaitFor::twoLocksHeldCrosswiseAreACycle()
{
    Snapshot s;
    // Objects sit at their directory index, as takeSnapshot() lays them out.
    s.objects = {lock(0, "fork 1", 1000), lock(1, "fork 2", 1001)};
    s.processes = {process(0, "philosopher", ProcState::WaitingLock, 1),
                   process(1, "philosopher", ProcState::WaitingLock, 0)};
    WaitForGraph g = waitForGraph(s, {});
    QCOMPARE(g.edges.size(), std::size_t(2));
    QCOMPARE(g.stuck, (std::vector<std::uint32_t>{0, 1}));
    QCOMPARE(g.cycle.size(), std::size_t(2));
    QCOMPARE(g.cycle[0].waiter, 0u);
    QCOMPARE(g.cycle[0].waitsFor, 1u);
    QCOMPARE(QString::fromStdString(describeCycle(g.cycle, s)),
             QStringLiteral("philosopher 1000 waits for philosopher 1001's fork 2, "
                            "philosopher 1001 waits for philosopher 1000's fork 1"));
    // One of them gets going: the edge stays for the other, the deadlock goes.
    s.processes[1].state = ProcState::Running;
    g = waitForGraph(s, {});
    QCOMPARE(g.edges.size(), std::size_t(1));
    QVERIFY(!g.deadlocked());
    QVERIFY(g.stuck.empty());
}

void TestWaitFor::aPutWaitsForAnyLivingConsumer()
{
    // A producer blocked on a full queue waits for both consumers; one of
    // them is blocked on a lock the producer holds, the other runs: no
    // deadlock. Once the runner is blocked on that lock too, all are stuck.
    Snapshot s;
    s.objects = {queue(0, "queue"), lock(1, "lock", 1000)};
    s.processes = {process(0, "producer", ProcState::BlockedPut, 0),
                   process(1, "consumer", ProcState::WaitingLock, 1),
                   process(2, "consumer", ProcState::Running)};
    const std::vector<Link> links{{0, "queue", Link::Kind::Puts}, {1, "queue", Link::Kind::Gets},
                                  {2, "queue", Link::Kind::Gets}};
    WaitForGraph g = waitForGraph(s, links);
    QCOMPARE(g.edges.size(), std::size_t(3)); // producer -> 1, producer -> 2, 1 -> producer
    QVERIFY(!g.deadlocked());
    s.processes[2].state = ProcState::WaitingLock;
    s.processes[2].object = 1;
    g = waitForGraph(s, links);
    QVERIFY(g.deadlocked());
    QCOMPARE(g.stuck, (std::vector<std::uint32_t>{0, 1, 2}));
    QCOMPARE(QString::fromStdString(describe(g.edges.front(), s)),
             QStringLiteral("producer 1000 waits for consumer 1001 to get from queue"));
}

void TestWaitFor::theDeadWakeNobody()
{
    // The lock's holder was killed: no edge to it. A put whose consumers
    // have all exited waits for nobody alive: stuck for ever, but not a
    // cycle, so not called a deadlock.
    Snapshot s;
    s.objects = {lock(0, "fork 1", 1001), queue(1, "queue")};
    s.processes = {process(0, "philosopher", ProcState::WaitingLock, 0), process(1, "philosopher", ProcState::Killed),
                   process(2, "producer", ProcState::BlockedPut, 1), process(3, "consumer", ProcState::Finished)};
    const std::vector<Link> links{{3, "queue", Link::Kind::Gets}};
    const WaitForGraph g = waitForGraph(s, links);
    QVERIFY(g.edges.empty());
    QVERIFY(!g.deadlocked());
}

void TestWaitFor::philosophersCloseACycleOfN_data()
{
    QTest::addColumn<int>("n");
    QTest::newRow("5") << 5;
    QTest::newRow("3") << 3;
}

void TestWaitFor::philosophersCloseACycleOfN()
{
    QFETCH(int, n);
    auto s = started("philosophers", {{"philosophers", n}});
    QVERIFY(s);
    const Deadlock *d = waitForDeadlock(*s);
    QVERIFY2(d, "no deadlock confirmed");
    QCOMPARE(d->cycle.size(), std::size_t(n));
    QCOMPARE(d->stuck.size(), std::size_t(n));
    std::set<std::uint32_t> waiters, held;
    for (const Deadlock::Edge &e : d->cycle) {
        QCOMPARE(e.edge.state, ProcState::WaitingLock);
        QVERIFY2(e.object.starts_with("fork "), e.object.c_str());
        waiters.insert(e.edge.waiter);
        held.insert(e.edge.waitsFor);
    }
    QCOMPARE(waiters.size(), std::size_t(n)); // each once: one cycle through all
    QCOMPARE(held, waiters);
    // The processes really are where the graph says, and stay there.
    for (const Deadlock::Edge &e : d->cycle)
        QCOMPARE(s->run()->slot(e.edge.waiter).currentState(), ProcState::WaitingLock);
    s->stop();
    const QJsonObject r = s->result();
    QVERIFY(r.value(QStringLiteral("deadlocked")).toBool());
    QCOMPARE(r.value(QStringLiteral("deadlock")).toObject().value(QStringLiteral("cycle")).toArray().size(), n);
}

void TestWaitFor::fixedPhilosophersNeverDeadlock_data()
{
    QTest::addColumn<QString>("fix");
    QTest::newRow("fork order") << QStringLiteral("order");
    QTest::newRow("waiter") << QStringLiteral("waiter");
}

void TestWaitFor::fixedPhilosophersNeverDeadlock()
{
    QFETCH(QString, fix);
    // With either fix no cycle can close, so however long it runs (the
    // unfixed table deadlocks within a second here) none is found, and
    // every philosopher eats.
    auto s = started("philosophers", {{fix == QStringLiteral("order") ? "order" : "waiter", 1}});
    QVERIFY(s);
    QVERIFY(neverDeadlocks(*s, 3000));
    s->stop();
    const QJsonObject r = s->result();
    QVERIFY(!r.value(QStringLiteral("deadlocked")).toBool());
    QVERIFY(r.value(QStringLiteral("deadlock")).isNull());
    QVERIFY2(r.value(QStringLiteral("every_philosopher_ate")).toBool(),
             qPrintable(QString::number(r.value(QStringLiteral("fewest_meals")).toDouble())));
}

void TestWaitFor::pipeAndJoinDeadlocksAreCyclesOfTwo()
{
    auto pipe = started("pipe-deadlock", {});
    QVERIFY(pipe);
    const Deadlock *d = waitForDeadlock(*pipe);
    QVERIFY(d);
    QCOMPARE(d->cycle.size(), std::size_t(2));
    for (const Deadlock::Edge &e : d->cycle) QCOMPARE(e.edge.state, ProcState::BlockedSend);
    pipe->stop();

    auto join = started("join-deadlock", {{"items", 12}, {"maxsize", 3}});
    QVERIFY(join);
    d = waitForDeadlock(*join);
    QVERIFY(d);
    QCOMPARE(d->cycle.size(), std::size_t(2));
    std::set<ProcState> states{d->cycle[0].edge.state, d->cycle[1].edge.state};
    QCOMPARE(states, (std::set<ProcState>{ProcState::BlockedPut, ProcState::WaitingJoin}));
    // Fixed live: the cycle is broken, the run completes.
    QVERIFY(join->setParam("fix", 1));
    QVERIFY(waitFor([&] { return join->finished(); }, kTimeoutMs));
    QVERIFY(!join->deadlock());
    QVERIFY(join->result().value(QStringLiteral("completed")).toBool());

    // Fixed from the start: no deadlock at any point.
    auto fixed = started("pipe-deadlock", {{"fix", 1}, {"rounds", 20}});
    QVERIFY(fixed);
    QVERIFY(waitFor([&] { return fixed->finished(); }, kTimeoutMs));
    QVERIFY(fixed->firstDeadlock() == nullptr);
    QVERIFY(fixed->result().value(QStringLiteral("deadlock")).isNull());
}

void TestWaitFor::lessonsThatCannotDeadlockDoNot()
{
    // Blocked processes come and go (a lock waiter, a producer on a full
    // queue), but something always runs that will wake them.
    auto race = started("race", {{"processes", 4}, {"lock", 1}});
    QVERIFY(race);
    auto pc = started("producer-consumer", {});
    QVERIFY(pc);
    QVERIFY(neverDeadlocks(*race, 1500));
    QVERIFY(neverDeadlocks(*pc, 1500));
}

void TestWaitFor::aKilledForkHolderTakesItsEdgesAlong()
{
    auto s = started("philosophers", {{"philosophers", 4}});
    QVERIFY(s);
    const Deadlock *d = waitForDeadlock(*s);
    QVERIFY(d);
    const std::uint32_t victim = d->cycle.front().edge.waitsFor;
    QVERIFY(s->run()->kill(victim));
    // Its neighbour is handed the fork as owner-died and eats: the cycle is
    // gone, and no edge points at the dead.
    const std::uint64_t mealsBefore = s->run()->slot(d->cycle.front().edge.waiter).ops.load();
    const std::uint32_t neighbour = d->cycle.front().edge.waiter;
    QVERIFY(waitFor([&] {
        s->poll();
        return s->deadlock() == nullptr && s->run()->slot(neighbour).ops.load() > mealsBefore;
    }, kTimeoutMs));
    Snapshot snap;
    takeSnapshot(*s, snap);
    for (const WaitEdge &e : snap.waits.edges) QVERIFY(e.waitsFor != victim);
}

void TestWaitFor::headlessRunReportsTheCycle()
{
    const test::CliOutcome stuck = test::runCli(QStringList{u"run"_s, u"philosophers"_s, u"--seconds"_s, u"10"_s, u"--json"_s}, 60'000);
    QVERIFY2(stuck.finished && stuck.code == 0, qPrintable(test::describe(stuck)));
    const QJsonObject r = QJsonDocument::fromJson(stuck.out).object();
    const QJsonObject d = r.value(QStringLiteral("deadlock")).toObject();
    QCOMPARE(d.value(QStringLiteral("cycle")).toArray().size(), 5);
    QCOMPARE(d.value(QStringLiteral("edges")).toArray().size(), 5);
    for (const QJsonValue &e : d.value(QStringLiteral("cycle")).toArray())
        QVERIFY(e.toObject().value(QStringLiteral("text")).toString().contains(QStringLiteral("'s fork ")));
    QVERIFY(d.value(QStringLiteral("text")).toString().contains(QStringLiteral("waits for")));

    const test::CliOutcome ordered = test::runCli(
        QStringList{u"run"_s, u"philosophers"_s, u"--seconds"_s, u"2"_s, u"--order"_s, u"on"_s, u"--json"_s}, 60'000);
    QVERIFY2(ordered.finished && ordered.code == 0, qPrintable(test::describe(ordered)));
    const QJsonObject o = QJsonDocument::fromJson(ordered.out).object();
    QVERIFY(o.value(QStringLiteral("deadlock")).isNull());
    QVERIFY(o.value(QStringLiteral("every_philosopher_ate")).toBool());
}

// Step mode: each philosopher takes its left fork, then reaches for its
// right one and blocks. Ten steps close the cycle, and the lesson's
// challenge ("deadlock them by hand") is reached at the tenth.
void TestWaitFor::philosophersDeadlockedByHand()
{
    auto s = createScenario("philosophers");
    QVERIFY(s);
    QVERIFY((*s)->setStepMode(true));
    QVERIFY((*s)->start());
    QVERIFY((*s)->challenge());
    for (std::uint32_t p = 0; p < 5; ++p) {
        QVERIFY((*s)->settle());
        QCOMPARE((*s)->stepViews()[p].next, "take fork " + std::to_string(p + 1) + " (first)");
        QVERIFY((*s)->step(p));
    }
    (*s)->poll();
    QVERIFY(!(*s)->challenge()->reached);
    for (std::uint32_t p = 0; p < 5; ++p) {
        QCOMPARE((*s)->stepViews()[p].next, "take fork " + std::to_string((p + 1) % 5 + 1) + " (second)");
        // The Python twin's line of that step.
        const int line = (*s)->twinLine((*s)->stepViews()[p].next);
        QVERIFY(line >= 0);
        QVERIFY(QString::fromStdString((*s)->texts().python).split(u'\n').at(line).contains(u"with forks[second]:"));
        QVERIFY((*s)->step(p));
        QVERIFY((*s)->stepViews()[p].blocked);
    }
    const Deadlock *d = waitForDeadlock(**s);
    QVERIFY(d);
    QCOMPARE(d->cycle.size(), std::size_t(5));
    QVERIFY(waitFor([&] {
        (*s)->poll();
        return (*s)->challenge()->reached;
    }, kTimeoutMs));
    QCOMPARE((*s)->challenge()->steps, std::size_t(10));
    (*s)->stop();
}

QTEST_GUILESS_MAIN(TestWaitFor)
#include "tst_wait_for.moc"
