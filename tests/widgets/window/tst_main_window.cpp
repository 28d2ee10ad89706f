// The window with real processes: every scenario starts from the list and
// shows live data, stops leaving no process; the race's lock toggled from
// the controls stops the losses at once; a killed process shows as killed
// while the others go on; pause/resume; closing the window reaps the run.
#include "catalog.h"
#include "charts_panel.h"
#include "controls_panel.h"
#include "explanation_pane.h"
#include "link_item.h"
#include "main_window.h"
#include "twin_code_view.h"

#include <QTextBlock>

#include <set>
#include "process_diagram.h"
#include "recording.h"
#include "replay_bar.h"
#include "replay_controller.h"
#include "sequence_chart.h"
#include "state_legend.h"
#include "shared_value.h"
#include "state_style.h"
#include "test_support.h"

#include <QAction>
#include <QLineF>
#include <QCheckBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMap>
#include <QListWidget>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QStatusBar>
#include <QTest>
#include <QValueAxis>

#include <cerrno>
#include <csignal>

using namespace ipc;

namespace {

double metric(const Snapshot &s, const char *key)
{
    for (const Metric &m : s.metrics)
        if (m.key == key) return m.value;
    return -1;
}

std::vector<pid_t> pidsOf(const Snapshot &s)
{
    std::vector<pid_t> pids;
    for (const ProcessSnapshot &p : s.processes)
        if (p.pid > 0) pids.push_back(p.pid);
    return pids;
}

// Reaped (not even a zombie): kill(pid, 0) says "no such process".
bool allGone(const std::vector<pid_t> &pids)
{
    for (pid_t p : pids)
        if (::kill(p, 0) == 0 || errno != ESRCH) return false;
    return true;
}

int rowOf(QListWidget *list, const QString &name)
{
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->data(Qt::UserRole).toString() == name) return i;
    return -1;
}

// A race in the window that runs long enough to watch.
bool startLongRace(MainWindow &w, int processes)
{
    if (!w.chooseScenario(QStringLiteral("race"))) return false;
    auto *increments = qobject_cast<QSpinBox *>(w.controls()->parameterWidget(QStringLiteral("increments")));
    auto *count = qobject_cast<QSpinBox *>(w.controls()->parameterWidget(QStringLiteral("processes")));
    if (!increments || !count) return false;
    increments->setValue(0); // until stopped (at full speed, 100 million each take a second or two)
    count->setValue(processes);
    w.action(QStringLiteral("start"))->trigger();
    return w.controller().status() == RunController::Status::Running;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void windowOpens();
    void everyScenarioStartsFromTheList_data();
    void everyScenarioStartsFromTheList();
    void raceLockStopsLosses();
    void killedProcessShowsKilledOthersGoOn();
    void pauseAndResume();
    void stepModeLosesAnUpdateInFourKeys();
    void randomStepsRepeatAndReplay();
    void autoStepDeadlocksThePhilosophers();
    void closingTheWindowReapsTheRun();
    void presentationModeReachesChartsAndExports();
    void doubleClickEnlargesEscRestores();
    void deadlockedEndsAreBlockedOnSend();
    void compareDrawsTheLivingPair();
    void presentationScaleReachesEveryText();
    void ringIsDrawnAsARing();
    void openScenarioFile();
    void answerAfterTheRun();
    void shortRunFillsTheTimeAxis();
    void sequenceChartTakesTheChartsPlace();
    void replayShowsASavedRunWithoutAProcess();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestMainWindow::windowOpens()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.scenarioList()->count(), int(scenarioCatalog().size()));
    QVERIFY(w.scenarioList()->count() > 0);
    QVERIFY(w.controller().scenario()); // the first one is chosen
    // Every action has a shortcut and a tooltip that names it.
    for (const char *name : {"start", "stop", "pause", "restart", "kill", "presentation", "export-png",
                             "export-png2x", "export-png-sized", "export-svg", "export-pdf",
                             "export-csv", "export-all", "copy-chart"}) {
        QAction *a = w.action(QString::fromLatin1(name));
        QVERIFY2(a, name);
        QVERIFY2(!a->shortcut().isEmpty(), name);
        QVERIFY2(a->toolTip().contains(a->shortcut().toString(QKeySequence::NativeText)), name);
    }
    // No two actions share a key: Qt would run neither.
    QMap<QString, QString> owner;
    for (QAction *a : w.actions()) {
        const QString key = a->shortcut().toString();
        if (key.isEmpty()) continue;
        QVERIFY2(!owner.contains(key), qPrintable(QStringLiteral("%1: %2 and %3").arg(key, owner.value(key), a->objectName())));
        owner.insert(key, a->objectName());
    }
    // Every parameter control has a tooltip.
    QVERIFY(w.chooseScenario(QStringLiteral("race")));
    for (const ParamSpec &p : w.controller().scenario()->lesson().params) {
        QWidget *c = w.controls()->parameterWidget(QString::fromStdString(p.key));
        QVERIFY2(c, p.key.c_str());
        QVERIFY2(!c->toolTip().isEmpty(), p.key.c_str());
    }
}

void TestMainWindow::everyScenarioStartsFromTheList_data()
{
    QTest::addColumn<QString>("name");
    for (const ScenarioInfo &s : scenarioCatalog())
        QTest::newRow(s.name.c_str()) << QString::fromStdString(s.name);
}

void TestMainWindow::everyScenarioStartsFromTheList()
{
    QFETCH(QString, name);
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QListWidget *list = w.scenarioList();
    const int row = rowOf(list, name);
    QVERIFY(row >= 0);
    list->setCurrentRow(row);
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Return); // Enter on a scenario starts it

    const Sampler &sampler = w.controller().sampler();
    QTRY_VERIFY_WITH_TIMEOUT(w.controller().status() == RunController::Status::Running ||
                                 w.controller().status() == RunController::Status::Finished,
                             1000);
    // Live data within a second: processes in the table with their pids,
    // several samples, charts on screen.
    QTRY_VERIFY_WITH_TIMEOUT(sampler.history().size() >= 3, 1000);
    QVERIFY(w.processModel().rowCount() > 0);
    for (int r = 0; r < w.processModel().rowCount(); ++r) QVERIFY(w.processModel().pid(r) > 0);
    QVERIFY(!w.charts()->views().isEmpty());
    bool drawn = false; // (compare draws only the pair it measures now)
    for (std::uint32_t s = 0; s < sampler.snapshot().processes.size(); ++s) drawn |= w.diagram()->processNode(s) != nullptr;
    QVERIFY(drawn);
    // Every link the lesson declares is drawn: to an object on screen, from
    // a process on screen (the manager's clients once had no server node
    // to point at, so its diagram was boxes without a line between them).
    if (w.controller().status() == RunController::Status::Running) {
        const std::size_t declared = w.controller().scenario()->links().size();
        QTRY_COMPARE_WITH_TIMEOUT(w.diagram()->linkItems().size(), declared, 1000);
    }
    // The controls column fits beside the charts on a 1600-pixel projector
    // whatever the lesson's title ("Pipe basics: one-way, ping-pong,
    // request/response: Running" once pushed it past the window's edge).
    QVERIFY2(w.controls()->minimumSizeHint().width() <= 480,
             qPrintable(QString::number(w.controls()->minimumSizeHint().width())));

    std::vector<pid_t> pids = pidsOf(sampler.snapshot());
    QVERIFY(!pids.empty());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(!w.controller().active());
    QVERIFY(allGone(pids));
    // The table shows how each one ended.
    for (int r = 0; r < w.processModel().rowCount(); ++r)
        QVERIFY2(isTerminal(w.processModel().state(r)),
                 qPrintable(QStringLiteral("row %1 (pid %2) still %3")
                                .arg(r)
                                .arg(w.processModel().pid(r))
                                .arg(QString::fromUtf8(procStateName(w.processModel().state(r)).data()))));
}

void TestMainWindow::raceLockStopsLosses()
{
    constexpr int kProcesses = 4;
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(startLongRace(w, kProcesses));
    const Sampler &sampler = w.controller().sampler();
    QTRY_VERIFY_WITH_TIMEOUT(metric(sampler.snapshot(), "expected") > 1000, 20000);

    // Lock off: an interval of a second loses updates.
    const double e0 = metric(sampler.snapshot(), "expected");
    const double a0 = metric(sampler.snapshot(), "actual");
    QTest::qWait(1000);
    const double e1 = metric(sampler.snapshot(), "expected");
    const double a1 = metric(sampler.snapshot(), "actual");
    const double lostOff = (e1 - e0) - (a1 - a0);
    QVERIFY2(lostOff > kProcesses, qPrintable(QStringLiteral("lost %1 without the lock").arg(lostOff)));

    // The lock switched on from the controls acts on the running processes.
    auto *lock = qobject_cast<QCheckBox *>(w.controls()->parameterWidget(QStringLiteral("lock")));
    QVERIFY(lock);
    QVERIFY(!lock->isChecked());
    lock->click();
    QCOMPARE(w.controller().scenario()->param("lock"), 1.0);
    QTest::qWait(300); // increments begun before the switch finish
    const double e2 = metric(sampler.snapshot(), "expected");
    const double a2 = metric(sampler.snapshot(), "actual");
    QTest::qWait(1000);
    const double e3 = metric(sampler.snapshot(), "expected");
    const double a3 = metric(sampler.snapshot(), "actual");
    const double lostOn = (e3 - e2) - (a3 - a2);
    QVERIFY2(e3 > e2, "the counters go on with the lock");
    // At most one increment in flight per process at either sample.
    QVERIFY2(std::abs(lostOn) <= kProcesses, qPrintable(QStringLiteral("lost %1 with the lock").arg(lostOn)));

    const std::vector<pid_t> pids = pidsOf(sampler.snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

void TestMainWindow::killedProcessShowsKilledOthersGoOn()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(startLongRace(w, 4));
    ProcessTableModel &model = w.processModel();
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 4, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(model.operations(0) > 0 && model.operations(3) > 0, 20000);

    constexpr int kVictim = 1;
    w.controls()->setChosenSlot(kVictim);
    QCOMPARE(w.controls()->chosenSlot(), kVictim);
    w.action(QStringLiteral("kill"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(model.state(kVictim), ProcState::Killed, 5000);
    QVERIFY(model.data(model.index(kVictim, ProcessTableModel::ExitCode)).toString().startsWith(QStringLiteral("-9")));
    QTRY_COMPARE_WITH_TIMEOUT(w.diagram()->processNode(kVictim)->state(), ProcState::Killed, 1000);

    // The others go on.
    std::vector<std::uint64_t> before;
    for (int r = 0; r < 4; ++r) before.push_back(model.operations(r));
    QTest::qWait(500);
    for (int r = 0; r < 4; ++r) {
        if (r == kVictim) continue;
        QVERIFY2(!isTerminal(model.state(r)), qPrintable(stateLabel(model.state(r))));
        QVERIFY2(model.operations(r) > before[std::size_t(r)], "a survivor stopped counting");
    }
    QCOMPARE(w.controller().status(), RunController::Status::Running);
    const std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

void TestMainWindow::pauseAndResume()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(startLongRace(w, 2));
    ProcessTableModel &model = w.processModel();
    QTRY_VERIFY_WITH_TIMEOUT(model.operations(0) > 0 && model.operations(1) > 0, 20000);
    w.action(QStringLiteral("pause"))->trigger();
    QCOMPARE(w.controller().status(), RunController::Status::Paused);
    QTRY_VERIFY_WITH_TIMEOUT(model.state(0) == ProcState::Paused && model.state(1) == ProcState::Paused, 2000);
    const std::uint64_t frozen = model.operations(0);
    QTest::qWait(300);
    QCOMPARE(model.operations(0), frozen); // SIGSTOPped: no work
    w.action(QStringLiteral("pause"))->trigger(); // resume
    QCOMPARE(w.controller().status(), RunController::Status::Running);
    QTRY_VERIFY_WITH_TIMEOUT(model.operations(0) > frozen, 5000);
    const std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// Step mode from the window: keys 1 and 2 let the processes take one step
// each; the table says what each will do next and what it has read, and
// four keys -- 1, 2, 1, 2 -- lose an update.
void TestMainWindow::stepModeLosesAnUpdateInFourKeys()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("race")));
    QAction *stepMode = w.action(QStringLiteral("step-mode"));
    QVERIFY(stepMode && stepMode->isCheckable());
    stepMode->trigger();
    QVERIFY(w.controller().stepMode());
    auto *increments = qobject_cast<QSpinBox *>(w.controls()->parameterWidget(QStringLiteral("increments")));
    auto *count = qobject_cast<QSpinBox *>(w.controls()->parameterWidget(QStringLiteral("processes")));
    QVERIFY(increments && count);
    increments->setValue(0);
    count->setValue(2);
    w.action(QStringLiteral("start"))->trigger();
    QCOMPARE(w.controller().status(), RunController::Status::Running);
    ProcessTableModel &model = w.processModel();
    const auto stateText = [&](int row) { return model.data(model.index(row, ProcessTableModel::State)).toString(); };
    QTRY_COMPARE_WITH_TIMEOUT(stateText(0), QStringLiteral("next: read counter"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(stateText(1), QStringLiteral("next: read counter"), 20000);
    QCOMPARE(model.state(0), ProcState::WaitingStep);
    QTest::qWait(200);
    QCOMPARE(model.operations(0), std::uint64_t(0)); // nobody moves without a step
    w.action(QStringLiteral("step-1"))->trigger();
    w.action(QStringLiteral("step-2"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(stateText(0), QStringLiteral("next: write 1 (copy: 0)"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(stateText(1), QStringLiteral("next: write 1 (copy: 0)"), 5000);
    // The Python twin marks the line both are about to run, with their pids:
    // without the lock, the unlocked `counter.value += 1`.
    const auto *twin = w.findChild<TwinCodeView *>(QStringLiteral("pythonCode"));
    QVERIFY(twin);
    QTRY_COMPARE_WITH_TIMEOUT(twin->marks().size(), std::size_t(1), 5000);
    const auto [line, marked] = *twin->marks().begin();
    QVERIFY2(twin->document()->findBlockByNumber(line).text().contains(QStringLiteral("# read, (another process runs), write")),
             qPrintable(twin->document()->findBlockByNumber(line).text()));
    const std::vector<pid_t> running = pidsOf(w.controller().sampler().snapshot());
    QCOMPARE(marked.size(), 2);
    for (int pid : marked) QVERIFY(std::find(running.begin(), running.end(), pid_t(pid)) != running.end());
    w.action(QStringLiteral("step-1"))->trigger();
    w.action(QStringLiteral("step-2"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(model.operations(0) + model.operations(1), std::uint64_t(2), 5000);
    auto counter = w.controller().scenario()->run()->arena().find<SharedValue<std::int64_t>>("counter");
    QVERIFY(counter);
    QCOMPARE((*counter)->load(), std::int64_t(1)); // two increments, one update lost
    QCOMPARE(w.controller().scenario()->schedule(), (std::vector<std::uint32_t>{0, 1, 0, 1}));
    stepMode->trigger(); // off: they run on
    QTRY_VERIFY_WITH_TIMEOUT(model.operations(0) > 100, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(twin->marks().empty(), 5000); // no steps, no marks
    const std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// Step randomly picks from a generator seeded at every start: the same
// clicks give the same steps and the same counter; a replay of the saved
// schedule starts again and takes those steps, with the same result.
void TestMainWindow::randomStepsRepeatAndReplay()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("race")));
    QVERIFY(w.controller().setParam(QStringLiteral("processes"), 3));
    QVERIFY(w.controller().setParam(QStringLiteral("increments"), 0));
    w.action(QStringLiteral("step-mode"))->trigger();
    QVERIFY(w.controller().stepMode());
    const auto counter = [&] {
        auto v = w.controller().scenario()->run()->arena().find<SharedValue<std::int64_t>>("counter");
        return v ? (*v)->load() : -1;
    };
    const auto clickRandomly = [&](int times) {
        for (int i = 0; i < times; ++i) w.action(QStringLiteral("step-random"))->trigger();
        return w.controller().scenario()->schedule();
    };
    w.action(QStringLiteral("start"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(w.controller().scenario()->settle() &&
                                 w.controller().scenario()->settle()->size() == 3, 20000);
    const std::vector<std::uint32_t> first = clickRandomly(12);
    QCOMPARE(first.size(), std::size_t(12));
    QVERIFY(std::set<std::uint32_t>(first.begin(), first.end()).size() > 1); // more than one process chosen
    const std::int64_t firstCounter = counter();

    QVERIFY(w.controller().restart());
    QTRY_VERIFY_WITH_TIMEOUT(w.controller().scenario()->settle() &&
                                 w.controller().scenario()->settle()->size() == 3, 20000);
    QCOMPARE(clickRandomly(12), first);
    QCOMPARE(counter(), firstCounter);

    QVERIFY(w.controller().replay(first));
    QVERIFY(w.controller().replaying());
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller().replaying(), 30000);
    QCOMPARE(w.controller().scenario()->schedule(), first);
    QCOMPARE(counter(), firstCounter);
    const std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// Auto-step takes turns: each philosopher takes its first fork, then each
// reaches for its second and blocks; with nobody left to step it stops,
// and the window names the deadlock under the picture and outlines it.
void TestMainWindow::autoStepDeadlocksThePhilosophers()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("philosophers")));
    w.action(QStringLiteral("step-mode"))->trigger();
    w.action(QStringLiteral("start"))->trigger();
    QVERIFY(w.controller().active());
    w.action(QStringLiteral("auto-step"))->trigger();
    QVERIFY(w.controller().autoStepping());
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller().autoStepping(), 30000);
    QCOMPARE(w.controller().scenario()->schedule(),
             (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 0, 1, 2, 3, 4}));
    QVERIFY(!w.action(QStringLiteral("auto-step"))->isChecked());
    QTRY_VERIFY_WITH_TIMEOUT(w.diagram()->deadlockText().startsWith(QStringLiteral("Deadlock")), 10000);
    for (std::uint32_t p = 0; p < 5; ++p) QVERIFY(w.diagram()->processNode(p)->inDeadlock());
    int inCycle = 0;
    for (const LinkItem *line : w.diagram()->linkItems()) inCycle += line->inCycle() ? 1 : 0;
    QCOMPARE(inCycle, 10); // each philosopher's line to the fork it holds and to the one it waits for
    const std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
    QVERIFY(w.diagram()->deadlockText().isEmpty());
}

void TestMainWindow::closingTheWindowReapsTheRun()
{
    std::vector<pid_t> pids;
    {
        MainWindow w({.useSettings = false});
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(startLongRace(w, 3));
        QTRY_COMPARE_WITH_TIMEOUT(w.processModel().rowCount(), 3, 5000);
        pids = pidsOf(w.controller().sampler().snapshot());
        QCOMPARE(pids.size(), std::size_t(3));
        QVERIFY(w.close());
        QVERIFY(!w.controller().scenario());
        QVERIFY(allGone(pids));
    }
    QVERIFY(allGone(pids));
}

void TestMainWindow::presentationModeReachesChartsAndExports()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(startLongRace(w, 2));
    QTRY_VERIFY_WITH_TIMEOUT(!w.charts()->views().isEmpty(), 2000);
    QVERIFY(!w.charts()->chartStyle().presentation);
    const qreal normalTitle = w.charts()->views().front()->liveChart()->titleFont().pointSizeF();
    w.action(QStringLiteral("presentation"))->trigger();
    QVERIFY(w.presentationMode());
    QVERIFY(w.charts()->chartStyle().presentation);
    QVERIFY(w.charts()->views().front()->liveChart()->titleFont().pointSizeF() > normalTitle);
    QVERIFY(w.exportOptions().style.presentation);
    QVERIFY(w.font().pointSizeF() > QApplication::font().pointSizeF());

    // The window's own export of the current chart.
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("current.png"));
    QVERIFY(w.exportCurrentChart(ExportFormat::Png, png, w.exportOptions(2)));
    QCOMPARE(QImage(png).size(), QSize(2560, 1440));
    w.action(QStringLiteral("presentation"))->trigger();
    QVERIFY(!w.charts()->chartStyle().presentation);
    w.action(QStringLiteral("stop"))->trigger();
}

void TestMainWindow::openScenarioFile()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const int before = w.scenarioList()->count();

    // A malformed file is refused with its name and the problem; the
    // current scenario stays and nothing starts.
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("broken.json"));
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ \"format\": 1, \"name\": ");
    }
    const QString current = w.controller().scenarioName();
    QVERIFY(!w.openScenarioFile(bad));
    QCOMPARE(w.controller().scenarioName(), current);
    QCOMPARE(w.scenarioList()->count(), before);
    auto *problem = w.controls()->findChild<QLabel *>(QStringLiteral("problem"));
    QVERIFY(problem && problem->isVisible());
    QVERIFY2(problem->text().contains(QStringLiteral("broken.json")), qPrintable(problem->text()));
    QCOMPARE(w.controller().status(), RunController::Status::Ready);

    // A good one joins the list, becomes current, and runs.
    const QString example = QStringLiteral(IPC_SOURCE_DIR "/docs/examples/race-eight.json");
    QVERIFY(w.openScenarioFile(example));
    QCOMPARE(w.scenarioList()->count(), before + 1);
    QCOMPARE(w.controller().scenarioName(), QStringLiteral("race-eight"));
    QVERIFY(w.controls()->parameterWidget(QStringLiteral("lock")));
    QVERIFY(w.explanation()->explanationText().contains(QStringLiteral("Eight processes")));
    QVERIFY(w.explanation()->pythonCode().contains(QStringLiteral("Value('i', 0")));
    QVERIFY(w.openScenarioFile(example)); // again: the same entry, not a second one
    QCOMPARE(w.scenarioList()->count(), before + 1);
    w.action(QStringLiteral("start"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(w.processModel().rowCount(), 8, 5000);
    const std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// The lesson's question is on screen before and during the run; its
// answer appears once the run has ended.
void TestMainWindow::answerAfterTheRun()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("race")));
    const auto text = [&] { return w.explanation()->explanationText(); };
    QVERIFY2(text().contains(QStringLiteral("What do you predict?")), qPrintable(text()));
    QVERIFY(!text().contains(QStringLiteral("Answer:")));
    auto *increments = qobject_cast<QSpinBox *>(w.controls()->parameterWidget(QStringLiteral("increments")));
    QVERIFY(increments);
    increments->setValue(100'000'000); // long enough to see it run (and to render as a number)
    // The texts follow the parameters as they are set.
    auto *processes = qobject_cast<QSpinBox *>(w.controls()->parameterWidget(QStringLiteral("processes")));
    QVERIFY(processes);
    processes->setValue(3);
    QVERIFY2(text().contains(QStringLiteral("3 processes")) && text().contains(QStringLiteral("100,000,000 times")),
             qPrintable(text()));
    QVERIFY(w.explanation()->pythonCode().contains(QStringLiteral("range(3)")));
    increments->setValue(0); // until stopped: the run lasts as long as the test needs
    QVERIFY2(text().contains(QStringLiteral("over and over")), qPrintable(text()));
    w.action(QStringLiteral("start"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(w.processModel().rowCount() == 3, 5000);
    QTest::qWait(100);
    QVERIFY(!text().contains(QStringLiteral("Answer:")));
    std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
    QVERIFY2(text().contains(QStringLiteral("Answer:")), qPrintable(text()));
    // Rendered from this run: the increments it did, not a template.
    QVERIFY2(text().contains(QStringLiteral("increments and the counter reads")) && !text().contains(QStringLiteral("${")),
             qPrintable(text()));

    // Every start hides it again until that run ends: Restart, then Start.
    for (const char *again : {"restart", "start"}) {
        w.action(QString::fromLatin1(again))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.controller().active() && w.processModel().rowCount() == 3, 5000);
        QVERIFY2(!text().contains(QStringLiteral("Answer:")), again);
        QVERIFY(text().contains(QStringLiteral("What do you predict?")));
        pids = pidsOf(w.controller().sampler().snapshot());
        w.action(QStringLiteral("stop"))->trigger();
        QVERIFY(allGone(pids));
        QVERIFY2(text().contains(QStringLiteral("Answer:")), again);
    }
}

// The first lesson is over in a fraction of a second; once it has ended
// its charts spread that over their width instead of a line at 0 of 10 s.
void TestMainWindow::shortRunFillsTheTimeAxis()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("isolation")));
    QVERIFY(w.controller().setParam(QStringLiteral("pace"), 0)); // full speed: over in a moment
    w.action(QStringLiteral("start"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(w.controller().status() == RunController::Status::Finished, 20000);
    ChartView *values = w.charts()->view(ChartKind::Metrics);
    QVERIFY(values);
    const auto axes = values->liveChart()->axes(Qt::Horizontal);
    QVERIFY(!axes.isEmpty());
    auto *time = qobject_cast<QValueAxis *>(axes.front());
    QVERIFY(time);
    const double ran = w.controller().sampler().history().now() - w.controller().sampler().history().rangeStart();
    QVERIFY2(ran < 5, qPrintable(QString::number(ran))); // the premise: a short run
    QVERIFY2(time->max() - time->min() < 10, qPrintable(QString::number(time->max())));
    QVERIFY(time->max() - time->min() >= ran);
}

// What the lecturer points at fills the middle: a double-clicked chart
// alone, then the diagram alone; Esc brings the layout back.
void TestMainWindow::doubleClickEnlargesEscRestores()
{
    MainWindow w({.useSettings = false});
    w.resize(1024, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(startLongRace(w, 2));
    QTRY_VERIFY_WITH_TIMEOUT(w.charts()->views().size() >= 2, 5000);
    ChartView *values = w.charts()->view(ChartKind::Metrics);
    QVERIFY(values);
    const QSize before = values->size();
    QTest::mouseDClick(values->viewport(), Qt::LeftButton);
    QTRY_VERIFY(w.isEnlarged());
    QVERIFY(!w.diagramPane()->isVisible());
    for (ChartView *v : w.charts()->views()) QCOMPARE(v->isVisible(), v == values);
    // (at 1024 pixels the charts take turns under tabs: already as wide)
    QTRY_VERIFY(values->width() >= before.width() && values->height() > before.height());
    w.action(QStringLiteral("restore-panes"))->trigger(); // Esc
    QVERIFY(!w.isEnlarged());
    QVERIFY(w.diagramPane()->isVisible());
    for (ChartView *v : w.charts()->views())
        QVERIFY(v->isVisible() || (w.charts()->isTabbed() && v != w.charts()->current()));
    QVERIFY(values->isVisible());
    // The diagram alone.
    QTest::mouseDClick(w.diagram()->viewport(), Qt::LeftButton, {}, QPoint(3, 3));
    QTRY_VERIFY(!w.charts()->isVisible());
    QVERIFY(w.diagramPane()->isVisible());
    QTest::keyClick(&w, Qt::Key_Escape);
    QTRY_VERIFY(w.charts()->isVisible());
    QVERIFY(!w.isEnlarged());
    const std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// In the pipe deadlock both ends are blocked sending: the diagram's blocked
// line of each is its send line (drawn on top, "send"), not its receive line.
void TestMainWindow::deadlockedEndsAreBlockedOnSend()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("pipe-deadlock")));
    w.action(QStringLiteral("start"))->trigger();
    ProcessTableModel &model = w.processModel();
    QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() == 2 && model.state(0) == ProcState::BlockedSend &&
                                 model.state(1) == ProcState::BlockedSend,
                             20000);
    QTRY_VERIFY_WITH_TIMEOUT(w.diagram()->linkItems().size() == 4, 2000);
    int blockedSends = 0;
    for (LinkItem *l : w.diagram()->linkItems()) {
        if (l->activity() != LinkItem::Activity::Blocked) continue;
        QCOMPARE(l->kind(), Link::Kind::Sends);
        QVERIFY(l->zValue() > 1);
        ++blockedSends;
    }
    QCOMPARE(blockedSends, 2);
    const std::vector<pid_t> pids = pidsOf(w.controller().sampler().snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// The speed comparison starts a pair of processes per mechanism and
// repetition: the diagram shows those alive (the pair measured now, the
// manager's server during its stage), not every box it ever started.
void TestMainWindow::compareDrawsTheLivingPair()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("compare")));
    QVERIFY(w.controller().setParam(QStringLiteral("measure_ms"), 200));
    w.action(QStringLiteral("start"))->trigger();
    const Sampler &sampler = w.controller().sampler();
    QTRY_VERIFY_WITH_TIMEOUT(sampler.snapshot().processes.size() > 14 || !w.controller().active(), 60000);
    QVERIFY2(sampler.snapshot().processes.size() > 14, "the comparison ended before it had started 15 processes");
    std::size_t nodes = 0;
    for (std::uint32_t s = 0; s < sampler.snapshot().processes.size(); ++s) nodes += w.diagram()->processNode(s) ? 1 : 0;
    QVERIFY2(nodes <= 3, qPrintable(QString::number(nodes)));
    QCOMPARE(w.processModel().rowCount(), int(sampler.snapshot().processes.size())); // the table keeps them all
    const std::vector<pid_t> pids = pidsOf(sampler.snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// One scale factor, chosen or automatic from the screen's height, reaches
// every text the audience reads; the list and the table step aside; the
// legend names only the states the run has shown; the question comes first.
void TestMainWindow::presentationScaleReachesEveryText()
{
    QCOMPARE(MainWindow::automaticPresentationScale(QSize(1024, 768)), ChartStyle::kDefaultPresentationScale);
    QVERIFY(MainWindow::automaticPresentationScale(QSize(1280, 720)) < ChartStyle::kDefaultPresentationScale);
    QVERIFY(MainWindow::automaticPresentationScale(QSize(1920, 1080)) > ChartStyle::kDefaultPresentationScale);

    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(startLongRace(w, 2));
    QTRY_VERIFY_WITH_TIMEOUT(!w.charts()->views().isEmpty(), 2000);
    QCOMPARE(w.textScale(), 1.0);
    const qreal base = w.font().pointSizeF();
    auto *code = w.explanation()->findChild<QWidget *>(QStringLiteral("pythonCode"));
    QVERIFY(code);
    const qreal codeBase = code->font().pointSizeF();

    w.setPresentationScale(2.0);
    QCOMPARE(w.textScale(), 1.0); // a setting for presentation mode only
    w.setPresentationMode(true);
    QCOMPARE(w.textScale(), 2.0);
    QCOMPARE(w.font().pointSizeF(), base * 2);
    QCOMPARE(code->font().pointSizeF(), codeBase * 2);
    QCOMPARE(w.charts()->chartStyle().textScale, 2.0);
    QCOMPARE(w.exportOptions().style.textScale, 2.0);
    QVERIFY(!w.scenarioPane()->isVisible());
    QVERIFY(!w.processTablePane()->isVisible());
    w.setPresentationScale(1.5);
    QCOMPARE(w.font().pointSizeF(), base * 1.5);
    QVERIFY(w.findChild<QAction *>(QStringLiteral("text-scale-150"))->isChecked());
    // The question before the explanation on a projector.
    const QString text = w.explanation()->explanationText();
    const QString question = QString::fromStdString(w.controller().scenario()->texts().question);
    const QString explanation = QString::fromStdString(w.controller().scenario()->texts().explanation);
    QVERIFY(text.indexOf(question.left(30)) >= 0 && text.indexOf(question.left(30)) < text.indexOf(explanation.left(30)));
    // The colours of states this run has shown, not those of other lessons.
    auto *legend = w.findChild<StateLegend *>();
    QVERIFY(legend);
    QTRY_VERIFY(!legend->shownLabels().isEmpty());
    QVERIFY(!legend->shownLabels().contains(groupLabel(StateGroup::Zombie)));
    QVERIFY(legend->shownLabels().contains(groupLabel(StateGroup::Running)));
    // There it makes way for a message (a kill's "Sent SIGKILL to ..."), and
    // a colour coming in meanwhile does not bring it back over the message.
    QTRY_VERIFY(legend->isVisible());
    w.statusBar()->showMessage(QStringLiteral("Sent SIGKILL to somebody"), 60000);
    QVERIFY(!legend->isVisible());
    legend->reset();
    legend->note(w.controller().sampler().snapshot());
    QVERIFY(!legend->shownLabels().isEmpty());
    QVERIFY(!legend->isVisible());
    w.statusBar()->clearMessage();
    QVERIFY(legend->isVisible());

    w.setPresentationMode(false);
    QCOMPARE(w.font().pointSizeF(), base);
    QCOMPARE(code->font().pointSizeF(), codeBase);
    QVERIFY(legend->shownLabels().contains(groupLabel(StateGroup::Zombie))); // all of them again
    w.action(QStringLiteral("stop"))->trigger();
}

// The ring lesson is drawn as a ring: its stages sit on one circle, each
// pipe between the two stages it joins.
void TestMainWindow::ringIsDrawnAsARing()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("ring")));
    QVERIFY(w.controller().setParam(QStringLiteral("stages"), 5));
    w.action(QStringLiteral("start"))->trigger();
    const Sampler &sampler = w.controller().sampler();
    QTRY_VERIFY_WITH_TIMEOUT(sampler.snapshot().processes.size() == 5 && w.diagram()->processNode(4) &&
                                 w.diagram()->objectNode(QStringLiteral("link-4")),
                             5000);
    // (the pipes' ends become known as the stages adopt them: then the ring)
    auto onCircle = [&] {
        QPointF centre;
        for (std::uint32_t s = 0; s < 5; ++s) {
            if (!w.diagram()->processNode(s)) return false;
            centre += w.diagram()->processNode(s)->pos() / 5;
        }
        const qreal radius = QLineF(centre, w.diagram()->processNode(0)->pos()).length();
        for (std::uint32_t s = 0; s < 5; ++s)
            if (radius < 50 || std::abs(QLineF(centre, w.diagram()->processNode(s)->pos()).length() - radius) >= 1)
                return false;
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(onCircle(), 5000);
    // link-i carries stage i's positions to stage i + 1: it sits between them.
    for (int i = 0; i < 5; ++i) {
        const QPointF link = w.diagram()->objectNode(QStringLiteral("link-%1").arg(i))->pos();
        const ObjectSnapshot *o = nullptr;
        for (const ObjectSnapshot &x : sampler.snapshot().objects)
            if (x.name == "link-" + std::to_string(i)) o = &x;
        QVERIFY(o);
        const ProcessSnapshot *from = sampler.snapshot().processByPid(o->endPids[0]);
        const ProcessSnapshot *to = sampler.snapshot().processByPid(o->endPids[1]);
        QVERIFY(from && to);
        const QPointF mid = (w.diagram()->processNode(from->slot)->pos() + w.diagram()->processNode(to->slot)->pos()) / 2;
        QVERIFY2(QLineF(link, mid).length() < 1, qPrintable(QString::number(i)));
    }
    const std::vector<pid_t> pids = pidsOf(sampler.snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// View > Message sequence chart: the chart in the charts' place, drawn from
// the run's trace (every put paired with its get), Export acting on it, and
// File > Export > Event trace writing the Chrome JSON of the same run.
void TestMainWindow::sequenceChartTakesTheChartsPlace()
{
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(QStringLiteral("producer-consumer")));
    w.action(QStringLiteral("start"))->trigger();
    const Sampler &sampler = w.controller().sampler();
    QTRY_VERIFY_WITH_TIMEOUT(sampler.trace().messages().size() >= 20, 10000);
    QVERIFY(!w.sequenceChart()->isVisible());
    w.action(QStringLiteral("show-sequence"))->trigger();
    QVERIFY(w.sequenceChart()->isVisible());
    QVERIFY(!w.charts()->isVisible());
    QVERIFY(w.sequenceChart()->height() > 100);
    // Esc (every pane back) keeps it in the charts' place.
    w.action(QStringLiteral("restore-panes"))->trigger();
    QVERIFY(w.sequenceChart()->isVisible());
    QVERIFY(!w.charts()->isVisible());
    for (const MessageArrow &m : sampler.trace().messages()) {
        QCOMPARE(m.kind, TraceKind::Put);
        QVERIFY(m.sentNs <= m.receivedNs);
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString png = dir.filePath(QStringLiteral("sequence.png"));
    QVERIFY(w.exportCurrentChart(ExportFormat::Png, png, w.exportOptions()));
    QCOMPARE(QImage(png).size(), w.exportOptions().pixelSize());
    const QString csv = dir.filePath(QStringLiteral("sequence.csv"));
    QVERIFY(w.exportCurrentChart(ExportFormat::Csv, csv, w.exportOptions()));
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    QVERIFY(csvFile.readLine().startsWith("time_s,process,pid,event"));
    const QString json = dir.filePath(QStringLiteral("trace.json"));
    QVERIFY(w.exportTrace(json));
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    const QJsonArray events = QJsonDocument::fromJson(jsonFile.readAll()).object().value(QStringLiteral("traceEvents")).toArray();
    int flows = 0;
    for (const QJsonValue &e : events) flows += e.toObject().value(QStringLiteral("ph")).toString() == QStringLiteral("s");
    QVERIFY(flows >= 20);
    // File > Save run: the run's samples and trace, which replay reads back.
    const QString recording = dir.filePath(QStringLiteral("run.ipcrec"));
    QVERIFY(w.saveRun(recording));
    const auto back = loadRecording(recording);
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    QCOMPARE(back->lesson, std::string("producer-consumer"));
    QVERIFY(back->samples.size() >= 2);
    QVERIFY(back->samples.size() <= sampler.samples().size());
    QVERIFY(back->samples.back().snapshot.processes == sampler.samples()[back->samples.size() - 1].snapshot.processes);
    QVERIFY(back->traceLog().messages().size() >= 20);
    // Hidden again: the charts come back.
    w.action(QStringLiteral("show-sequence"))->trigger();
    QVERIFY(!w.sequenceChart()->isVisible());
    QVERIFY(w.charts()->isVisible());
    const std::vector<pid_t> pids = pidsOf(sampler.snapshot());
    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(allGone(pids));
}

// File > Open recording: a saved race shown again with no process started;
// the slider moves every view to that moment; a damaged file changes nothing.
void TestMainWindow::replayShowsASavedRunWithoutAProcess()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("race.ipcrec"));
    {
        MainWindow live({.useSettings = false});
        live.show();
        QVERIFY(QTest::qWaitForWindowExposed(&live));
        QVERIFY(startLongRace(live, 3));
        QTRY_VERIFY_WITH_TIMEOUT(live.controller().sampler().samples().size() >= 20, 10000);
        const std::vector<pid_t> pids = pidsOf(live.controller().sampler().snapshot());
        live.action(QStringLiteral("stop"))->trigger();
        QVERIFY(allGone(pids));
        QVERIFY(live.saveRun(file));
    }
    MainWindow w({.useSettings = false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(!w.replayBar()->isVisible());
    // Not a recording: refused, nothing opens.
    const QString junk = dir.filePath(QStringLiteral("junk.ipcrec"));
    QFile j(junk);
    QVERIFY(j.open(QIODevice::WriteOnly));
    j.write("not a recording");
    j.close();
    QVERIFY(!w.openRecording(junk));
    QVERIFY(!w.replayBar()->isVisible());

    QVERIFY(w.openRecording(file));
    QVERIFY(w.replayBar()->isVisible());
    QVERIFY(!w.controller().active());
    QVERIFY(w.controller().scenario()->run() == nullptr); // no run, so no process
    QCOMPARE(QString::fromStdString(w.controller().scenario()->lesson().name), QStringLiteral("race"));
    QCOMPARE(w.controller().scenario()->param("processes"), 3.0); // the recorded parameters
    const Recording &r = w.replay().recording();
    QCOMPARE(w.charts()->views().isEmpty(), false);
    // The texts of the recorded run: its answer, rendered from its result.
    QVERIFY(w.explanation()->showsRecorded());
    QVERIFY(!r.texts.answer.empty());
    QVERIFY2(w.explanation()->explanationText().contains(QString::fromStdString(r.texts.answer)),
             qPrintable(w.explanation()->explanationText()));
    // Halfway: the history holds the samples up to there, the table the
    // processes as they were then.
    const double half = w.replay().duration() / 2;
    w.replay().seek(half);
    int upTo = 0;
    for (const RecordedSample &s : r.samples) upTo += s.seconds <= half && s.snapshot.hasRun;
    QCOMPARE(w.replay().history().size(), upTo);
    QCOMPARE(w.processModel().rowCount(), int(w.replay().snapshot().processes.size()));
    QCOMPARE(w.replay().snapshot().processes.size(), std::size_t(3));
    for (const ProcessSnapshot &p : w.replay().snapshot().processes) QCOMPARE(p.state, ProcState::Running);
    QVERIFY(std::abs(w.replayBar()->slider()->value() - ReplayBar::kSliderSteps / 2) <= 1);
    // The slider moves it too.
    w.replayBar()->slider()->setValue(ReplayBar::kSliderSteps / 10);
    QVERIFY(std::abs(w.replay().position() - w.replay().duration() / 10) < 1e-9);
    // Playing moves on by itself; Close ends the replay.
    w.replay().play();
    QTRY_VERIFY_WITH_TIMEOUT(w.replay().position() > w.replay().duration() / 10 + 0.05, 5000);
    Recording own = w.replay().recording();
    w.closeReplay();
    QVERIFY(!w.replayBar()->isVisible());
    QVERIFY(!w.replay().active());
    QVERIFY(!w.explanation()->showsRecorded());

    // A lesson of a file this window never opened: its recorded texts still.
    own.lesson = "a-lecturers-own-lesson";
    own.texts.title = "My own race";
    const QString ownFile = dir.filePath(QStringLiteral("own.ipcrec"));
    QVERIFY(saveRecording(own, ownFile));
    QVERIFY(w.openRecording(ownFile));
    QVERIFY(w.explanation()->explanationText().contains(QStringLiteral("My own race")));
    w.closeReplay();

    // A lesson file's run, replayed where that file was never opened: the
    // lesson comes from the recording, with the recorded parameters, so
    // Start runs it again.
    QFile example(QStringLiteral(IPC_SOURCE_DIR "/docs/examples/race-eight.json"));
    QVERIFY(example.open(QIODevice::ReadOnly));
    own.scenarioFile = example.readAll().toStdString();
    own.lesson = "race-eight";
    own.params = {{"processes", 5.0}};
    const QString fileRun = dir.filePath(QStringLiteral("file-run.ipcrec"));
    QVERIFY(saveRecording(own, fileRun));
    QVERIFY(w.openRecording(fileRun));
    QCOMPARE(QString::fromStdString(w.controller().scenario()->lesson().name), QStringLiteral("race-eight"));
    QCOMPARE(w.controller().scenario()->param("processes"), 5.0);
    QVERIFY(w.controller().scenario()->run() == nullptr);
    w.closeReplay();
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
