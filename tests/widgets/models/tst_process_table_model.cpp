// ProcessTableModel under QAbstractItemModelTester, fed with snapshots of
// real runs: rows appear as processes are spawned, change in place (never a
// reset) as they work and end, and go when a smaller run follows.
#include "catalog.h"
#include "process_table_model.h"
#include "sampler.h"
#include "scenario.h"
#include "test_support.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace ipc;

class TestProcessTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void passesModelTester();
    void updatesRowByRow();
    void columnsAndHeaders();
};

namespace {

// Samples a race of `processes` counters for `ticks` ticks into the model.
bool sampleRace(ProcessTableModel &model, int processes, int ticks, bool killOne = false)
{
    auto scenario = createScenario("race");
    if (!scenario) return false;
    Scenario &s = **scenario;
    if (!s.setParam("processes", processes) || !s.setParam("increments", 0) /* until stopped */) return false;
    Sampler sampler;
    sampler.setScenario(&s);
    if (!s.start()) return false;
    sampler.beginRun();
    for (int i = 0; i < ticks; ++i) {
        sampler.tick();
        model.update(sampler.snapshot());
        if (killOne && i == ticks / 2) (void)s.run()->kill(0);
        QTest::qWait(10);
    }
    s.stop();
    sampler.tick();
    model.update(sampler.snapshot());
    sampler.setScenario(nullptr);
    return true;
}

} // namespace

void TestProcessTableModel::passesModelTester()
{
    ProcessTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(sampleRace(model, 3, 20, true));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.state(0), ProcState::Killed);
    QVERIFY(sampleRace(model, 5, 10)); // more rows
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(sampleRace(model, 2, 10)); // fewer rows
    QCOMPARE(model.rowCount(), 2);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    model.update(Snapshot{});
    QCOMPARE(model.rowCount(), 0);
}

void TestProcessTableModel::updatesRowByRow()
{
    ProcessTableModel model;
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QVERIFY(sampleRace(model, 4, 15));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(layouts.count(), 0);
    QVERIFY(inserted.count() >= 1);
    QVERIFY(changed.count() > 4);
    for (const QList<QVariant> &args : std::as_const(changed)) {
        const auto from = args.at(0).value<QModelIndex>();
        const auto to = args.at(1).value<QModelIndex>();
        QCOMPARE(from.row(), to.row()); // one row per signal
        QVERIFY(from.column() <= to.column());
    }
    // Everything ended: each row has an exit code.
    for (int r = 0; r < model.rowCount(); ++r) {
        QVERIFY(isTerminal(model.state(r)));
        QVERIFY(!model.data(model.index(r, ProcessTableModel::ExitCode)).toString().isEmpty());
        QVERIFY(model.operations(r) > 0);
    }
}

void TestProcessTableModel::columnsAndHeaders()
{
    ProcessTableModel model;
    QCOMPARE(model.columnCount(), int(ProcessTableModel::COLUMN_COUNT));
    for (int c = 0; c < ProcessTableModel::COLUMN_COUNT; ++c) {
        QVERIFY(!model.headerData(c, Qt::Horizontal).toString().isEmpty());
        QVERIFY(!model.headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    }
    QVERIFY(!model.headerData(ProcessTableModel::COLUMN_COUNT, Qt::Horizontal).isValid());

    Snapshot s;
    s.hasRun = true;
    s.timeNs = 5'000'000'000;
    ProcessSnapshot p;
    p.slot = 0;
    p.pid = 4242;
    p.role = "producer";
    p.state = ProcState::BlockedPut;
    p.ops = 1234567;
    p.blockedNs = 1'000'000'000;
    p.stateSinceNs = 4'500'000'000; // blocked for another 0.5 s now
    p.cpuNs = 250'000'000;
    s.processes.push_back(p);
    model.update(s);
    auto text = [&](int column) { return model.data(model.index(0, column)).toString(); };
    QCOMPARE(text(ProcessTableModel::Pid), QStringLiteral("4242"));
    QCOMPARE(text(ProcessTableModel::Role), QStringLiteral("producer"));
    QCOMPARE(text(ProcessTableModel::State), QStringLiteral("blocked on put"));
    QCOMPARE(text(ProcessTableModel::TimeBlocked), QStringLiteral("1.50 s"));
    QCOMPARE(text(ProcessTableModel::CpuTime), QStringLiteral("0.25 s"));
    QVERIFY(text(ProcessTableModel::ExitCode).isEmpty());
    QVERIFY(model.data(model.index(0, ProcessTableModel::State), Qt::BackgroundRole).isValid());
    QCOMPARE(model.data(model.index(0, 0), ProcessTableModel::SlotRole).toInt(), 0);

    // CPU time is kept when a tick does not read it; the end shows the signal.
    s.processes[0].cpuNs = -1;
    s.processes[0].state = ProcState::Killed;
    s.processes[0].exitStatus = -9;
    model.update(s);
    QCOMPARE(text(ProcessTableModel::CpuTime), QStringLiteral("0.25 s"));
    QCOMPARE(text(ProcessTableModel::ExitCode), QStringLiteral("-9 (SIGKILL)"));
}

QTEST_MAIN(TestProcessTableModel)
#include "tst_process_table_model.moc"
