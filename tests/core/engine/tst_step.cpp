// Step mode on real processes: the race's counter processes stop before
// each operation on the shared counter and take exactly one step when
// told; a schedule replays an interleaving, a seed picks the same one
// again, and a killed process leaves the others steppable.
#include "catalog.h"
#include "scenario.h"
#include "shared_value.h"
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <thread>

using namespace ipc;

namespace {

constexpr int kTimeoutMs = 60'000;

std::unique_ptr<Scenario> steppedRace(double processes, double increments, bool lock)
{
    auto s = createScenario("race");
    if (!s) return nullptr;
    if (!(*s)->setParam("processes", processes) || !(*s)->setParam("increments", increments) ||
        !(*s)->setParam("lock", lock ? 1 : 0) || !(*s)->setStepMode(true))
        return nullptr;
    return std::move(*s);
}

std::int64_t counterOf(Scenario &s)
{
    auto v = s.run()->arena().find<SharedValue<std::int64_t>>("counter");
    return v ? (*v)->load() : -1;
}

struct Cli {
    int code = -1;
    QJsonObject result;
    QByteArray err;
};

// The CLI run to its end: its exit code (-1 if it did not end or
// crashed), its JSON result and what it said on stderr.
Cli runCli(const QStringList &args)
{
    const test::CliOutcome o = test::runCli(args, kTimeoutMs);
    Cli c;
    c.code = o.finished && o.status == QProcess::NormalExit ? o.code : -1;
    c.result = QJsonDocument::fromJson(o.out).object();
    c.err = o.err;
    return c;
}

} // namespace

class TestStep : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(!qgetenv("IPC_PLAYGROUND").isEmpty()); }
    void nothingMovesWithoutAStep();
    void fourStepsLoseOneUpdate();
    void lockedStepsLoseNothing();
    void killedProcessLeavesOthersSteppable();
    void cliFourSteps();
    void sameSeedSameSteps();
    void scheduleFileReplaysTheRun();
    void badSchedules();
    void pipeDeadlockClosedByHand();
    void gatedLessonsWaitAndNameTheirLine_data();
    void gatedLessonsWaitAndNameTheirLine();
    void barrierPrintInSteps();
    void producerBlocksOnAFullQueueInSteps();
};

// Over many steps, the counter changes only at a write step, and then to
// what that step said it would write; between steps nothing moves.
void TestStep::nothingMovesWithoutAStep()
{
    auto s = steppedRace(3, 0, false);
    QVERIFY(s);
    QVERIFY(s->start());
    auto waiting = s->settle();
    QVERIFY2(waiting, waiting ? "" : waiting.error().toString().c_str());
    QCOMPARE(waiting->size(), std::size_t(3));
    std::uint32_t pick = 7;
    for (int i = 0; i < 60; ++i) {
        pick = (pick * 1103515245u + 12345u) % 3; // any order will do; this one mixes
        const std::string next = s->stepViews()[pick].next;
        const std::int64_t before = counterOf(*s);
        if (i % 15 == 0) { // a pause: still nothing moves
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            QCOMPARE(counterOf(*s), before);
        }
        auto stepped = s->step(pick);
        QVERIFY2(stepped, stepped ? "" : stepped.error().toString().c_str());
        const std::int64_t after = counterOf(*s);
        if (next == "read counter") {
            QCOMPARE(after, before);
            QCOMPARE(s->stepViews()[pick].seen.value_or(-1), before); // its private copy
        } else {
            QVERIFY2(next.starts_with("write "), next.c_str());
            QCOMPARE(after, std::stoll(next.substr(6)));
        }
    }
    QCOMPARE(s->schedule().size(), std::size_t(60));
    s->stop();
}

// P0 read, P1 read, P0 write, P1 write: both wrote 1, one update lost --
// the same in every run.
void TestStep::fourStepsLoseOneUpdate()
{
    for (int run = 0; run < 20; ++run) {
        auto s = steppedRace(2, 1, false);
        QVERIFY(s);
        QVERIFY(s->start());
        for (std::uint32_t p : {0u, 1u, 0u, 1u}) {
            auto stepped = s->step(p);
            QVERIFY2(stepped, stepped ? "" : stepped.error().toString().c_str());
        }
        QVERIFY(waitFor([&] { return s->finished(); }, kTimeoutMs));
        const QJsonObject r = s->result();
        QCOMPARE(r.value(QStringLiteral("expected")).toDouble(), 2.0);
        QCOMPARE(r.value(QStringLiteral("actual")).toDouble(), 1.0);
        QCOMPARE(r.value(QStringLiteral("lost")).toDouble(), 1.0);
        QCOMPARE(r.value(QStringLiteral("schedule")).toArray(), (QJsonArray{0, 1, 0, 1}));
        s->stop();
    }
}

// With the lock, P1's acquire step blocks while P0 holds it: the step is
// taken, P1 waits for the lock, and goes on to its read once P0 releases.
void TestStep::lockedStepsLoseNothing()
{
    auto s = steppedRace(2, 1, true);
    QVERIFY(s);
    QVERIFY(s->start());
    for (std::uint32_t p : {0u, 1u}) QVERIFY(s->step(p)); // both acquire: P1 blocks
    QVERIFY(s->stepViews()[1].blocked);
    QVERIFY(!s->stepViews()[1].waiting);
    for (std::uint32_t p : {0u, 0u, 0u}) QVERIFY(s->step(p)); // read, write, release
    auto waiting = s->settle();
    QVERIFY(waiting);
    QCOMPARE(*waiting, std::vector<std::uint32_t>{1}); // P1 has the lock: at its read
    QCOMPARE(s->stepViews()[1].next, std::string("read counter"));
    for (std::uint32_t p : {1u, 1u, 1u}) QVERIFY(s->step(p));
    QVERIFY(waitFor([&] { return s->finished(); }, kTimeoutMs));
    QCOMPARE(s->result().value(QStringLiteral("lost")).toDouble(), 0.0);
    QCOMPARE(s->result().value(QStringLiteral("actual")).toDouble(), 2.0);
    s->stop();
}

void TestStep::killedProcessLeavesOthersSteppable()
{
    auto s = steppedRace(3, 1, false);
    QVERIFY(s);
    QVERIFY(s->start());
    QVERIFY(s->settle());
    QVERIFY(s->run()->kill(0));
    QVERIFY(waitFor([&] {
        s->run()->poll(); // reaps it
        return s->stepViews()[0].ended;
    }, kTimeoutMs));
    const auto gone = s->step(0);
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, Errc::Closed);
    for (std::uint32_t p : {1u, 2u, 1u, 2u}) {
        auto stepped = s->step(p);
        QVERIFY2(stepped, stepped ? "" : stepped.error().toString().c_str());
    }
    QVERIFY(waitFor([&] { return s->finished(); }, kTimeoutMs));
    QCOMPARE(counterOf(*s), std::int64_t(1));
    s->stop();
}

// The command: each process reads once and writes once.
void TestStep::cliFourSteps()
{
    const Cli c = runCli({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--step"),
                          QStringLiteral("--schedule"), QStringLiteral("0,1,0,1"), QStringLiteral("--processes"),
                          QStringLiteral("2"), QStringLiteral("--increments"), QStringLiteral("1"), QStringLiteral("--json")});
    QVERIFY2(c.code == 0, c.err.constData());
    QCOMPARE(c.result.value(QStringLiteral("lost")).toDouble(), 1.0);
    QCOMPARE(c.result.value(QStringLiteral("schedule")).toArray(), (QJsonArray{0, 1, 0, 1}));
    // The race's challenge (lose an update in at most 6 steps), reached at
    // the fourth step, the one that lost it.
    const QJsonObject challenge = c.result.value(QStringLiteral("challenge")).toObject();
    QVERIFY(challenge.value(QStringLiteral("reached")).toBool());
    QCOMPARE(challenge.value(QStringLiteral("steps")).toDouble(), 4.0);
    // Read then write, one process after the other: nothing lost, not reached.
    const Cli apart = runCli({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--schedule"),
                              QStringLiteral("0,0,1,1"), QStringLiteral("--processes"), QStringLiteral("2"),
                              QStringLiteral("--increments"), QStringLiteral("1"), QStringLiteral("--json")});
    QVERIFY2(apart.code == 0, apart.err.constData());
    QCOMPARE(apart.result.value(QStringLiteral("lost")).toDouble(), 0.0);
    QVERIFY(!apart.result.value(QStringLiteral("challenge")).toObject().value(QStringLiteral("reached")).toBool());
}

// A seed picks the same steps, so the same result, every time; another
// seed may pick others.
void TestStep::sameSeedSameSteps()
{
    QJsonArray first;
    double lost = -1;
    for (int run = 0; run < 5; ++run) {
        const Cli c = runCli({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--seed"), QStringLiteral("42"),
                              QStringLiteral("--processes"), QStringLiteral("3"), QStringLiteral("--increments"),
                              QStringLiteral("4"), QStringLiteral("--json")});
        QVERIFY2(c.code == 0, c.err.constData());
        const QJsonArray schedule = c.result.value(QStringLiteral("schedule")).toArray();
        QCOMPARE(schedule.size(), 3 * 4 * 2); // every read and write a step
        if (run == 0) {
            first = schedule;
            lost = c.result.value(QStringLiteral("lost")).toDouble();
        }
        QCOMPARE(schedule, first);
        QCOMPARE(c.result.value(QStringLiteral("lost")).toDouble(), lost);
    }
}

// The schedule of a seeded run, saved to a file and replayed: the same
// steps, the same counter.
void TestStep::scheduleFileReplaysTheRun()
{
    const QStringList common{QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--processes"), QStringLiteral("3"),
                             QStringLiteral("--increments"), QStringLiteral("3"), QStringLiteral("--json")};
    const Cli seeded = runCli(common + QStringList{QStringLiteral("--seed"), QStringLiteral("5")});
    QVERIFY2(seeded.code == 0, seeded.err.constData());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("schedule.txt")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    QStringList steps;
    for (const QJsonValue &v : seeded.result.value(QStringLiteral("schedule")).toArray()) steps << QString::number(v.toInt());
    file.write(steps.join(u',').toUtf8() + '\n');
    file.close();
    const Cli replayed = runCli(common + QStringList{QStringLiteral("--schedule"), file.fileName()});
    QVERIFY2(replayed.code == 0, replayed.err.constData());
    QCOMPARE(replayed.result.value(QStringLiteral("schedule")), seeded.result.value(QStringLiteral("schedule")));
    QCOMPARE(replayed.result.value(QStringLiteral("actual")), seeded.result.value(QStringLiteral("actual")));
    QCOMPARE(replayed.result.value(QStringLiteral("lost")), seeded.result.value(QStringLiteral("lost")));
}

void TestStep::badSchedules()
{
    // Malformed: a usage error that says where, before anything starts.
    const Cli word = runCli({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--schedule"), QStringLiteral("0,1,x")});
    QCOMPARE(word.code, 2);
    QVERIFY2(word.err.contains("cannot read '0,1,x'") || word.err.contains("character"), word.err.constData());
    const Cli missing = runCli({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--schedule"),
                                QStringLiteral("/nonexistent/schedule.txt")});
    QCOMPARE(missing.code, 2);
    QVERIFY2(missing.err.contains("/nonexistent/schedule.txt"), missing.err.constData());
    // A process the run does not have: the run fails and says which step.
    const Cli absent = runCli({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--processes"),
                               QStringLiteral("2"), QStringLiteral("--increments"), QStringLiteral("1"),
                               QStringLiteral("--schedule"), QStringLiteral("0,5"), QStringLiteral("--json")});
    QCOMPARE(absent.code, 1);
    QVERIFY2(absent.err.contains("step 2 of the schedule") && absent.err.contains("no process 5"), absent.err.constData());
}

// producer-consumer in steps: each put and each get is a step; with a
// queue of 2 the producer's third put is a step that blocks (queue full)
// until the consumer's get makes room.
void TestStep::producerBlocksOnAFullQueueInSteps()
{
    auto s = createScenario("producer-consumer");
    QVERIFY(s);
    QVERIFY((*s)->setParam("producers", 1));
    QVERIFY((*s)->setParam("consumers", 1));
    QVERIFY((*s)->setParam("maxsize", 2));
    QVERIFY((*s)->setParam("items", 4));
    QVERIFY((*s)->setParam("work_us", 0));
    QVERIFY((*s)->setStepMode(true));
    QVERIFY((*s)->start());
    auto waiting = (*s)->settle();
    QVERIFY2(waiting, waiting ? "" : waiting.error().toString().c_str());
    std::uint32_t producer = 99;
    std::uint32_t consumer = 99;
    for (const auto &v : (*s)->stepViews()) {
        if (v.next.starts_with("put item")) producer = v.process;
        if (v.next == "get an item") consumer = v.process;
    }
    QVERIFY(producer != 99 && consumer != 99);
    QCOMPARE((*s)->stepViews()[producer].next, std::string("put item 0"));
    for (int i = 0; i < 2; ++i) QVERIFY((*s)->step(producer)); // puts 0, 1: the queue is full
    (*s)->poll();
    QVERIFY(!(*s)->challenge()->reached);
    QVERIFY((*s)->step(producer)); // the third put blocks
    QVERIFY((*s)->stepViews()[producer].blocked);
    // The lesson's challenge: make a producer block on a full queue.
    QVERIFY(waitFor([&] {
        (*s)->poll();
        return (*s)->challenge()->reached;
    }, kTimeoutMs));
    QCOMPARE((*s)->challenge()->steps, std::size_t(3));
    QVERIFY((*s)->step(consumer)); // gets item 0: room for item 2
    auto settled = (*s)->settle();
    QVERIFY(settled);
    QCOMPARE((*s)->stepViews()[producer].next, std::string("put item 3"));
    (void)(*s)->setStepMode(false); // the rest runs on
    QVERIFY(waitFor([&] { return (*s)->finished(); }, kTimeoutMs));
    (*s)->stop();
}

// pipe-deadlock in steps: each side's send is a step; both sends taken,
// both block, and the wait-for graph names the cycle.
void TestStep::pipeDeadlockClosedByHand()
{
    auto s = createScenario("pipe-deadlock");
    QVERIFY(s);
    QVERIFY((*s)->setStepMode(true));
    QVERIFY((*s)->start());
    QVERIFY((*s)->settle());
    for (std::uint32_t p = 0; p < 2; ++p) {
        QCOMPARE((*s)->stepViews()[p].next, std::string("send round 1"));
        QVERIFY((*s)->step(p));
        QVERIFY((*s)->stepViews()[p].blocked);
    }
    QVERIFY(waitFor([&] {
        (*s)->poll();
        return (*s)->deadlock() != nullptr;
    }, kTimeoutMs));
    (*s)->stop();
    QVERIFY((*s)->result().value(QStringLiteral("deadlock_seen")).toBool());
}

// barrier-print in steps with the lock: take, write, release, wait at the
// barrier; the first at the barrier is blocked there until the other
// arrives, and the lines come out whole.
void TestStep::barrierPrintInSteps()
{
    auto s = createScenario("barrier-print");
    QVERIFY(s);
    QVERIFY((*s)->setParam("processes", 2));
    QVERIFY((*s)->setParam("phases", 1));
    QVERIFY((*s)->setParam("lock", 1));
    QVERIFY((*s)->setParam("work_ms", 0));
    QVERIFY((*s)->setStepMode(true));
    QVERIFY((*s)->start());
    QVERIFY((*s)->settle());
    const std::vector<std::string> expected{"take the lock", "write 'process 0 finished phase 0'", "release the lock",
                                            "wait at the barrier"};
    for (const std::string &next : expected) {
        QCOMPARE((*s)->stepViews()[0].next, next);
        QVERIFY((*s)->step(0));
    }
    QVERIFY((*s)->stepViews()[0].blocked); // at the barrier, alone
    QCOMPARE((*s)->stepViews()[1].next, std::string("take the lock"));
    for (int i = 0; i < 4; ++i) QVERIFY((*s)->step(1));
    QVERIFY(waitFor([&] { return (*s)->finished(); }, kTimeoutMs));
    const QString out = QString::fromStdString((*s)->consoleOutput());
    QVERIFY2(out.contains(QStringLiteral("process 0 finished phase 0\n")) &&
                 out.contains(QStringLiteral("process 1 finished phase 0\n")),
             qPrintable(out));
    QCOMPARE((*s)->schedule(), (std::vector<std::uint32_t>{0, 0, 0, 0, 1, 1, 1, 1}));
}

void TestStep::gatedLessonsWaitAndNameTheirLine_data()
{
    QTest::addColumn<QString>("lesson");
    for (const char *l : {"isolation", "race", "producer-consumer", "worker-pool", "pingpong", "pipe-deadlock",
                          "join-deadlock", "philosophers", "barrier-print"})
        QTest::newRow(l) << QString::fromLatin1(l);
}

// Every gated lesson in step mode: its processes stop at their first
// gate and do nothing more, each gate names its line of the Python twin,
// and one step lets one of them on.
void TestStep::gatedLessonsWaitAndNameTheirLine()
{
    QFETCH(QString, lesson);
    auto s = createScenario(lesson.toStdString());
    QVERIFY(s);
    QVERIFY((*s)->setStepMode(true));
    QVERIFY((*s)->start());
    auto waiting = (*s)->settle();
    QVERIFY2(waiting, waiting ? "" : waiting.error().toString().c_str());
    QVERIFY(!waiting->empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const QStringList twin = QString::fromStdString((*s)->texts().python).split(u'\n');
    for (const Scenario::StepView &v : (*s)->stepViews()) {
        QVERIFY2(v.waiting || v.ended, qPrintable(QStringLiteral("process %1 is neither at a gate nor gone").arg(v.process)));
        if (!v.waiting) continue;
        QCOMPARE((*s)->run()->slot(v.process).ops.load(), std::uint64_t(0)); // nothing done without a step
        const int line = (*s)->twinLine(v.next);
        QVERIFY2(line >= 0 && line < twin.size(), (lesson.toStdString() + ": no twin line for '" + v.next + "'").c_str());
    }
    const std::uint32_t first = waiting->front();
    const std::size_t before = (*s)->schedule().size();
    QVERIFY((*s)->step(first));
    QCOMPARE((*s)->schedule().size(), before + 1);
    (*s)->stop();
}

QTEST_GUILESS_MAIN(TestStep)
#include "tst_step.moc"
