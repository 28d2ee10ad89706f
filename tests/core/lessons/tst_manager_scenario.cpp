// The manager lesson run as the window and the CLI run it: lost updates
// through the namespace without the manager's Lock, none with it; the run
// ends by itself and reports the manager's rate and latency.
#include "catalog.h"
#include "scenario.h"
#include "test_support.h"

#include <QJsonObject>

using namespace ipc;

class TestManagerScenario : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void losesWithoutLockExactWithIt();
    void liveMetrics();
};

namespace {

QJsonObject runOnce(bool lock, int processes, int increments)
{
    auto s = createScenario("manager");
    if (!s) return {};
    if (!(*s)->setParam("processes", processes) || !(*s)->setParam("increments", increments) ||
        !(*s)->setParam("lock", lock ? 1 : 0))
        return {};
    if (auto ok = (*s)->start(); !ok) {
        qWarning("%s", ok.error().toString().c_str());
        return {};
    }
    // The scenario ends its run itself: the clients finish, then it shuts
    // the server down.
    if (!waitFor([&] { return (*s)->finished(); }, 90'000)) return {};
    QJsonObject r = (*s)->result();
    (*s)->stop();
    return r;
}

} // namespace

void TestManagerScenario::losesWithoutLockExactWithIt()
{
    double lost = 0;
    for (int attempt = 0; attempt < 3 && lost == 0; ++attempt) {
        const QJsonObject r = runOnce(false, 3, 1500);
        QVERIFY(!r.isEmpty());
        QCOMPARE(r.value(QStringLiteral("expected")).toDouble(), 4500.0);
        QVERIFY(r.value(QStringLiteral("server_reachable")).toBool());
        lost = r.value(QStringLiteral("lost")).toDouble();
        QCOMPARE(lost, r.value(QStringLiteral("expected")).toDouble() - r.value(QStringLiteral("actual")).toDouble());
    }
    QVERIFY2(lost > 0, "no update was lost in three unlocked runs");

    const QJsonObject r = runOnce(true, 3, 1500);
    QVERIFY(!r.isEmpty());
    QCOMPARE(r.value(QStringLiteral("actual")).toDouble(), 4500.0);
    QCOMPARE(r.value(QStringLiteral("lost")).toDouble(), 0.0);
    QCOMPARE(r.value(QStringLiteral("finished_clients")).toDouble(), 3.0);
    QVERIFY(r.value(QStringLiteral("requests_per_s")).toDouble() > 0);
    QVERIFY(r.value(QStringLiteral("mean_latency_us")).toDouble() > 0);
    // Locked: acquire, get, set, release per increment, plus the reports.
    QVERIFY(r.value(QStringLiteral("requests")).toDouble() >= 4 * 4500);
}

void TestManagerScenario::liveMetrics()
{
    auto s = createScenario("manager");
    QVERIFY(s);
    QVERIFY((*s)->setParam("processes", 2));
    QVERIFY((*s)->setParam("increments", 1'000'000));
    QVERIFY((*s)->start());
    // Live: requests flow, and the toggle reaches running clients.
    QVERIFY(waitFor([&] {
        (void)(*s)->finished();
        for (const Metric &m : (*s)->metrics())
            if (m.key == "requests_per_s" && m.value > 0) return true;
        return false;
    }, 30'000));
    QVERIFY((*s)->setParam("lock", 1));
    Run *run = (*s)->run();
    QVERIFY(run);
    QVERIFY(waitFor([&] {
        return run->board().slots[1].counter(Counter::Custom0) > 0 && run->board().slots[2].counter(Counter::Custom0) > 0;
    }, 30'000));
    bool sawClients = false;
    for (const Metric &m : (*s)->metrics()) {
        if (m.key == "clients") sawClients = m.value >= 2;
        if (m.key == "client0_requests_per_s") QVERIFY(m.value >= 0);
    }
    QVERIFY(sawClients);
    (*s)->stop();
    QVERIFY(run->allExited());
}

QTEST_GUILESS_MAIN(TestManagerScenario)
#include "tst_manager_scenario.moc"
