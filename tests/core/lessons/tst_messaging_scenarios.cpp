// The messaging lessons end to end, with real ipc-worker processes:
// producer-consumer counts, pingpong round trips, the pipe deadlock shown
// and fixed live, every run stopped cleanly; the roles behind them
// (request/response, one-way sender/receiver) through Run directly; and the
// headless CLI. The ring's stages are tested with their lesson (tst_lessons).
#include "catalog.h"
#include "pipe.h"
#include "messaging_util.h"
#include "run.h"
#include "scenario.h"
#include "qt_message.h"
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <cmath>

using namespace ipc;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Scenario> make(const char *name)
{
    auto s = createScenario(name);
    return s ? std::move(*s) : nullptr;
}

// Runs the scenario's loop (poll via finished()) until it ends or time is up.
bool runToEnd(Scenario &s, int timeoutMs = 60000)
{
    return waitFor([&] { return s.finished(); }, timeoutMs);
}

bool allFinishedCleanly(Run &run)
{
    run.poll();
    for (std::uint32_t i = 0; i < run.processCount(); ++i) {
        const BoardSlot &b = run.slot(i);
        if (b.currentState() != ProcState::Finished || b.exitStatus.load() != 0) {
            qWarning("process %u (%s) ended %s, status %d", i, b.role,
                     procStateName(b.currentState()).data(), b.exitStatus.load());
            return false;
        }
    }
    return true;
}

} // namespace

class TestMessagingScenarios : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void producerConsumerCounts_data();
    void producerConsumerCounts();
    void producerConsumerBlocksAndStopsCleanly();
    void pingpongRoundTrips();
    void pipeBasicsModes();
    void pipeDeadlockShownThenFixedLive();
    void pipeDeadlockStopsCleanly();
    void pipeDeadlockWithFixFromTheStart();
    void requestResponseSquarer();
    void oneWaySenderReceiver();
    void cliProducerConsumerAndPingpong();
};

void TestMessagingScenarios::producerConsumerCounts_data()
{
    QTest::addColumn<int>("producers");
    QTest::addColumn<int>("consumers");
    QTest::addColumn<int>("items");
    QTest::addColumn<int>("maxsize");
    QTest::newRow("2x2, maxsize 8") << 2 << 2 << 1000 << 8;
    QTest::newRow("4x4, maxsize 2") << 4 << 4 << 500 << 2;
    QTest::newRow("1x3, maxsize 1") << 1 << 3 << 300 << 1;
}

void TestMessagingScenarios::producerConsumerCounts()
{
    QFETCH(int, producers);
    QFETCH(int, consumers);
    QFETCH(int, items);
    QFETCH(int, maxsize);
    auto s = make("producer-consumer");
    QVERIFY(s);
    QVERIFY(s->setParam("producers", producers));
    QVERIFY(s->setParam("consumers", consumers));
    QVERIFY(s->setParam("items", items));
    QVERIFY(s->setParam("maxsize", maxsize));
    // Independent of the lesson file's defaults: as fast as possible.
    QVERIFY(s->setParam("rate", 0));
    QVERIFY(s->setParam("work_us", 0));
    QVERIFY(s->start());
    QVERIFY(runToEnd(*s));
    s->stop();
    const QJsonObject r = s->result();
    QCOMPARE(r.value(QStringLiteral("produced")).toDouble(), double(producers * items));
    QCOMPARE(r.value(QStringLiteral("consumed")).toDouble(), double(producers * items));
    QCOMPARE(r.value(QStringLiteral("exactly_once")).toBool(), true);
    QCOMPARE(r.value(QStringLiteral("damaged")).toDouble(), 0.0);
    QCOMPARE(r.value(QStringLiteral("left_in_queue")).toDouble(), 0.0);
    const double maxDepth = r.value(QStringLiteral("max_depth")).toDouble();
    QVERIFY(maxDepth >= 1 && maxDepth <= maxsize);
    QCOMPARE(r.value(QStringLiteral("processes")).toArray().size(), producers + consumers);
    QVERIFY(r.contains(QStringLiteral("producers_blocked_ms")));
    QVERIFY(r.contains(QStringLiteral("consumers_blocked_ms")));
    QVERIFY(allFinishedCleanly(*s->run()));
    // The diagram sees who puts and who gets.
    const auto links = s->links();
    QCOMPARE(int(links.size()), producers + consumers);
    QCOMPARE(links.front().kind, Link::Kind::Puts);
    QCOMPARE(links.back().kind, Link::Kind::Gets);
}

void TestMessagingScenarios::producerConsumerBlocksAndStopsCleanly()
{
    auto s = make("producer-consumer");
    QVERIFY(s);
    QVERIFY(s->setParam("items", 10'000'000));
    QVERIFY(s->setParam("producers", 2));
    QVERIFY(s->setParam("consumers", 2));
    QVERIFY(s->setParam("maxsize", 2));
    QVERIFY(s->setParam("rate", 0));
    QVERIFY(s->setParam("work_us", 20000)); // slow consumers: the queue fills
    QVERIFY(s->start());
    Run &run = *s->run();
    const auto depth = [&] {
        for (const Metric &m : s->metrics())
            if (m.key == "depth") return m.value;
        return -1.0;
    };
    QVERIFY(waitFor([&] { return depth() == 2.0; }, 20000));
    QVERIFY(waitFor([&] {
        return run.slot(0).currentState() == ProcState::BlockedPut ||
               run.slot(1).currentState() == ProcState::BlockedPut;
    }, 20000));
    // Live: consumers at full speed, producers paced; the queue drains.
    QVERIFY(s->setParam("work_us", 0));
    QVERIFY(s->setParam("rate", 50));
    QVERIFY(waitFor([&] {
        return run.slot(2).currentState() == ProcState::BlockedGet ||
               run.slot(3).currentState() == ProcState::BlockedGet;
    }, 20000));
    QVERIFY(!s->finished());
    s->stop(); // blocked and sleeping workers all see the request and exit 0
    QVERIFY(allFinishedCleanly(run));
    const QJsonObject r = s->result();
    QVERIFY(r.value(QStringLiteral("producers_blocked_ms")).toDouble() > 0);
    QVERIFY(r.value(QStringLiteral("consumers_blocked_ms")).toDouble() > 0);
    QCOMPARE(r.value(QStringLiteral("max_depth")).toDouble(), 2.0);
    QCOMPARE(r.value(QStringLiteral("damaged")).toDouble(), 0.0);
}

// The other two modes of the Pipe basics lesson: squares come back right,
// and a one-way reader ends by EndOfFile when the writer closes.
void TestMessagingScenarios::pipeBasicsModes()
{
    auto square = make("pingpong");
    QVERIFY(square);
    QVERIFY(square->setParam("messages", 500));
    QVERIFY(square->setParam("mode", 1));
    QVERIFY(square->start());
    QVERIFY(runToEnd(*square));
    square->stop();
    QJsonObject r = square->result();
    QCOMPARE(r.value(QStringLiteral("mode")).toString(), QStringLiteral("request-response"));
    QCOMPARE(r.value(QStringLiteral("round_trips")).toDouble(), 500.0);
    QCOMPARE(r.value(QStringLiteral("wrong_replies")).toDouble(), 0.0);
    QCOMPARE(std::string_view(square->run()->slot(1).role), std::string_view("squarer"));

    auto oneWay = make("pingpong");
    QVERIFY(oneWay);
    QVERIFY(oneWay->setParam("messages", 700));
    QVERIFY(oneWay->setParam("mode", 2));
    QVERIFY(oneWay->start());
    QVERIFY(runToEnd(*oneWay));
    oneWay->stop();
    r = oneWay->result();
    QCOMPARE(r.value(QStringLiteral("mode")).toString(), QStringLiteral("one-way"));
    QCOMPARE(r.value(QStringLiteral("sent")).toDouble(), 700.0);
    QCOMPARE(r.value(QStringLiteral("received")).toDouble(), 700.0);
    QVERIFY(r.value(QStringLiteral("ended_by_eof")).toBool());
    QVERIFY(allFinishedCleanly(*oneWay->run()));
}

void TestMessagingScenarios::pingpongRoundTrips()
{
    auto s = make("pingpong");
    QVERIFY(s);
    QVERIFY(s->setParam("messages", 1000));
    QVERIFY(s->setParam("rate", 0));
    QVERIFY(s->start());
    QVERIFY(runToEnd(*s));
    s->stop();
    const QJsonObject r = s->result();
    QCOMPARE(r.value(QStringLiteral("round_trips")).toDouble(), 1000.0);
    QCOMPARE(r.value(QStringLiteral("wrong_replies")).toDouble(), 0.0);
    QVERIFY(r.value(QStringLiteral("mean_round_trip_us")).toDouble() > 0);
    QVERIFY(allFinishedCleanly(*s->run()));
    // Both directions were counted in the pipe's telemetry.
    double there = 0, back = 0;
    for (const Metric &m : s->metrics()) {
        if (m.key == "messages_a_to_b") there = m.value;
        if (m.key == "messages_b_to_a") back = m.value;
    }
    QCOMPARE(there, 1001.0); // and the sentinel
    QCOMPARE(back, 1000.0);
}

void TestMessagingScenarios::pipeDeadlockShownThenFixedLive()
{
    auto s = make("pipe-deadlock");
    QVERIFY(s);
    QVERIFY(s->setParam("rounds", 5));
    QVERIFY(s->setParam("fix", 0));
    QVERIFY(s->setParam("size_kb", 1024));
    QVERIFY(s->start());
    Run &run = *s->run();
    QVERIFY(waitFor([&] {
        return run.slot(0).currentState() == ProcState::BlockedSend &&
               run.slot(1).currentState() == ProcState::BlockedSend;
    }, 20000));
    QVERIFY(waitFor([&] {
        s->poll();
        return s->result().value(QStringLiteral("deadlocked")).toBool();
    }, 20000));
    QCOMPARE(s->result().value(QStringLiteral("rounds")).toDouble(), 0.0);
    QVERIFY(!s->finished());
    // The fix, switched on while they are stuck: it flows and completes.
    QVERIFY(s->setParam("fix", 1));
    QVERIFY(runToEnd(*s));
    const QJsonObject r = s->result();
    QCOMPARE(r.value(QStringLiteral("deadlocked")).toBool(), false);
    QCOMPARE(r.value(QStringLiteral("deadlock_seen")).toBool(), true);
    QCOMPARE(r.value(QStringLiteral("rounds")).toDouble(), 5.0);
    s->stop();
    QVERIFY(allFinishedCleanly(run));
}

void TestMessagingScenarios::pipeDeadlockStopsCleanly()
{
    auto s = make("pipe-deadlock");
    QVERIFY(s);
    QVERIFY(s->setParam("rounds", 0));
    QVERIFY(s->setParam("fix", 0));
    QVERIFY(s->setParam("size_kb", 1024));
    QVERIFY(s->start());
    QVERIFY(waitFor([&] {
        s->poll();
        return s->result().value(QStringLiteral("deadlocked")).toBool();
    }, 20000));
    s->stop();
    QCOMPARE(s->result().value(QStringLiteral("deadlocked")).toBool(), true);
    QCOMPARE(s->result().value(QStringLiteral("both_blocked_send_seen")).toBool(), true);
    QVERIFY(allFinishedCleanly(*s->run())); // exited on the stop request, not SIGKILLed
}

void TestMessagingScenarios::pipeDeadlockWithFixFromTheStart()
{
    auto s = make("pipe-deadlock");
    QVERIFY(s);
    QVERIFY(s->setParam("fix", 1));
    QVERIFY(s->setParam("rounds", 10));
    QVERIFY(s->start());
    QVERIFY(runToEnd(*s));
    s->stop();
    const QJsonObject r = s->result();
    QCOMPARE(r.value(QStringLiteral("deadlocked")).toBool(), false);
    QCOMPARE(r.value(QStringLiteral("deadlock_seen")).toBool(), false);
    QCOMPARE(r.value(QStringLiteral("rounds")).toDouble(), 10.0);
    QVERIFY(allFinishedCleanly(*s->run()));
}

void TestMessagingScenarios::requestResponseSquarer()
{
    auto run = Run::create();
    QVERIFY(run);
    auto p = Connection::pipe(true);
    QVERIFY(p);
    auto &[client, server] = *p;
    const roles::PipeSenderOptions sender{
        .pipe = roles::connectionEnd(client), .messages = 300, .request = "int", .expect = "square"};
    QVERIFY((*run)->spawn(sender, SpawnOptions{{client.fd()}}));
    QVERIFY((*run)->spawn(roles::SquarerOptions{roles::connectionEnd(server)}, SpawnOptions{{server.fd()}}));
    client.close();
    server.close();
    QVERIFY((*run)->waitAll(60s));
    QVERIFY(allFinishedCleanly(**run));
    QCOMPARE((*run)->slot(0).ops.load(), 300u);
    QCOMPARE((*run)->slot(0).counter(Counter::Custom1), 0u); // every answer was n*n
    QCOMPARE((*run)->slot(1).ops.load(), 300u);
}

void TestMessagingScenarios::oneWaySenderReceiver()
{
    auto run = Run::create();
    QVERIFY(run);
    auto stats = (*run)->arena().make<PipeStats>("pipe");
    QVERIFY(stats);
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[reader, writer] = *p;
    QVERIFY((*run)->spawn(roles::PipeSenderOptions{.pipe = roles::connectionEnd(writer, "pipe", 0), .messages = 500},
                          SpawnOptions{{writer.fd()}}));
    QVERIFY((*run)->spawn(roles::PipeReceiverOptions{roles::connectionEnd(reader, "pipe", 1)},
                          SpawnOptions{{reader.fd()}}));
    reader.close();
    writer.close();
    QVERIFY((*run)->waitAll(60s));
    QVERIFY(allFinishedCleanly(**run));
    QCOMPARE((*run)->slot(1).ops.load(), 500u);
    QCOMPARE((*run)->slot(1).counter(Counter::Custom0), 0u);
    QCOMPARE((*stats)->ends[0].messagesSent.load(), 501u); // with the sentinel
    QCOMPARE((*stats)->ends[1].messagesReceived.load(), 501u);
    QCOMPARE((*stats)->ends[0].bytesSent.load(), (*stats)->ends[1].bytesReceived.load());
}

void TestMessagingScenarios::cliProducerConsumerAndPingpong()
{
    const QString exe = QString::fromLocal8Bit(qgetenv("IPC_PLAYGROUND"));
    if (exe.isEmpty()) QSKIP("IPC_PLAYGROUND is not set (run under CTest)");
    const auto runCli = [&](const QStringList &args) {
        QProcess p;
        p.start(exe, args);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished(5000);
            return QJsonObject();
        }
        if (p.exitCode() != 0) qWarning("%s", p.readAllStandardError().constData());
        return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    };
    const QJsonObject pc = runCli({QStringLiteral("run"), QStringLiteral("producer-consumer"),
                                   QStringLiteral("--producers"), QStringLiteral("2"),
                                   QStringLiteral("--consumers"), QStringLiteral("2"),
                                   QStringLiteral("--items"), QStringLiteral("1000"),
                                   QStringLiteral("--maxsize"), QStringLiteral("8"),
                                   QStringLiteral("--json")});
    QCOMPARE(pc.value(QStringLiteral("produced")).toDouble(), 2000.0);
    QCOMPARE(pc.value(QStringLiteral("consumed")).toDouble(), 2000.0);
    QVERIFY(pc.value(QStringLiteral("max_depth")).toDouble() >= 1);
    QVERIFY(pc.value(QStringLiteral("max_depth")).toDouble() <= 8);
    const QJsonObject pp = runCli({QStringLiteral("run"), QStringLiteral("pingpong"),
                                   QStringLiteral("--messages"), QStringLiteral("300"),
                                   QStringLiteral("--json")});
    QCOMPARE(pp.value(QStringLiteral("round_trips")).toDouble(), 300.0);
    const QJsonObject dl = runCli({QStringLiteral("run"), QStringLiteral("pipe-deadlock"),
                                   QStringLiteral("--seconds"), QStringLiteral("1.5"),
                                   QStringLiteral("--json")});
    QCOMPARE(dl.value(QStringLiteral("deadlocked")).toBool(), true);
}

QTEST_GUILESS_MAIN(TestMessagingScenarios)
#include "tst_messaging_scenarios.moc"
