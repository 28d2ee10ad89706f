#include "main_window.h"

#include "catalog.h"
#include "schedule.h"

#include "chart_factory.h"
#include "charts_panel.h"
#include "controls_panel.h"
#include "explanation_pane.h"
#include "process_diagram.h"
#include "recording.h"
#include "replay_bar.h"
#include "replay_controller.h"
#include "sequence_chart.h"
#include "state_legend.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QResizeEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QUrl>
#include <QDir>
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QScreen>
#include <QGuiApplication>
#include <QMessageBox>
#include <QScrollArea>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ipc {

namespace {

constexpr int kListWidth = 250;
constexpr int kRightWidth = 470;

QString settingsKey(const char *k) { return QString::fromLatin1(k); }

} // namespace

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent),
      m_options(options),
      m_controller(new RunController(this)),
      m_replay(new ReplayController(this)),
      m_model(new ProcessTableModel(this)),
      m_baseFont(QApplication::font())
{
    setWindowTitle(tr("IPC Playground - real processes, live"));
    setAcceptDrops(true);
    m_exportFolder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (m_exportFolder.isEmpty()) m_exportFolder = QDir::homePath();
    buildActions();
    buildLayout();
    buildMenus();

    connect(m_controller, &RunController::scenarioChanged, this, &MainWindow::onScenarioChanged);
    connect(m_controller, &RunController::runStarted, this, &MainWindow::onRunStarted);
    connect(m_controller, &RunController::statusChanged, this, &MainWindow::onStatusChanged);
    connect(m_controller, &RunController::paramChanged, this, [this] { m_explanation->refresh(); });
    connect(m_controller, &RunController::problem, this,
            [this](const QString &m) { statusBar()->showMessage(m, 10000); });
    connect(&m_controller->sampler(), &Sampler::sampled, this, &MainWindow::onSampled);
    connect(m_replay, &ReplayController::moved, this, &MainWindow::onReplayMoved);

    // The first start fits the screen it opens on: 1600x900, or on a
    // smaller screen (a 1024x768 projector) maximised, frame and all.
    QSize size(1600, 900);
    if (const QScreen *screen = QGuiApplication::primaryScreen()) {
        const QSize room = screen->availableGeometry().size();
        if (room.width() < size.width() + 40 || room.height() < size.height() + 60) {
            size = size.boundedTo(room);
            setWindowState(windowState() | Qt::WindowMaximized);
        }
    }
    resize(size);
    resetLayout();
    if (m_options.useSettings) restoreSettings();
    if (!m_controller->scenario() && m_list->count() > 0) m_list->setCurrentRow(0);
    onStatusChanged();
}

MainWindow::~MainWindow()
{
    // Stop and reap the run before any view goes away.
    m_controller->shutdown();
}

QAction *MainWindow::action(const QString &name) const
{
    auto it = m_actions.find(name);
    return it == m_actions.end() ? nullptr : it->second;
}

QAction *MainWindow::makeAction(const char *name, const QString &text, const QKeySequence &key, const QString &tip)
{
    auto *a = new QAction(text, this);
    a->setObjectName(QString::fromLatin1(name));
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    a->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
    a->setStatusTip(tip);
    addAction(a);
    m_actions[QString::fromLatin1(name)] = a;
    return a;
}

void MainWindow::buildActions()
{
    buildRunActions();
    buildStepActions();
    buildViewActions();
    buildFileActions();
}

void MainWindow::buildRunActions()
{
    connect(makeAction("start", tr("&Start"), QKeySequence(Qt::Key_F5),
                 tr("Start the scenario: spawn its processes")),
            &QAction::triggered, this, [this] { (void)m_controller->start(); });
    connect(makeAction("stop", tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
                 tr("Stop: ask every process to finish, then kill and reap what remains")),
            &QAction::triggered, this, [this] { m_controller->stop(); });
    connect(makeAction("pause", tr("&Pause"), QKeySequence(Qt::Key_F6),
                 tr("Pause or resume every process (SIGSTOP / SIGCONT)")),
            &QAction::triggered, this, [this] { m_controller->togglePause(); });
    connect(makeAction("restart", tr("&Restart"), QKeySequence(Qt::CTRL | Qt::Key_R),
                 tr("Stop and start again with the current parameters")),
            &QAction::triggered, this, [this] { (void)m_controller->restart(); });
    connect(makeAction("kill", tr("&Kill"), QKeySequence(Qt::CTRL | Qt::Key_K),
                 tr("Kill the chosen process with SIGKILL; the others go on")),
            &QAction::triggered, this, &MainWindow::killChosen);
}

// Step mode: be the scheduler (run_controller.h).
void MainWindow::buildStepActions()
{
    auto *stepMode = makeAction("step-mode", tr("S&tep mode"), QKeySequence(Qt::Key_F7),
                          tr("Be the scheduler: each process stops before each operation on a shared object; "
                             "keys 1-9 (or a double click on its row) let one take one step"));
    stepMode->setCheckable(true);
    connect(stepMode, &QAction::toggled, this, [this](bool on) {
        if (on != m_controller->stepMode()) (void)m_controller->setStepMode(on);
    });
    connect(makeAction("step-random", tr("&Random step"), QKeySequence(Qt::Key_F8),
                 tr("Step mode: a process chosen at random (the same choices every run) takes one step")),
            &QAction::triggered, this, [this] {
                if (m_controller->stepMode()) (void)m_controller->stepRandomly();
            });
    auto *autoStep = makeAction("auto-step", tr("&Auto-step"), QKeySequence(Qt::SHIFT | Qt::Key_F8),
                          tr("Step mode: the processes take steps in turn by themselves, at the slow-motion "
                             "rate (4 a second at full speed), until you switch it off"));
    autoStep->setCheckable(true);
    connect(autoStep, &QAction::toggled, this, [this](bool on) {
        if (on != m_controller->autoStepping()) m_controller->setAutoStep(on && m_controller->stepMode());
        if (on && !m_controller->autoStepping()) action(QStringLiteral("auto-step"))->setChecked(false);
    });
    connect(makeAction("save-schedule", tr("Save &schedule..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
                 tr("Save the steps taken in this run (process numbers) to replay them later")),
            &QAction::triggered, this, &MainWindow::saveSchedule);
    connect(makeAction("replay-schedule", tr("Replay sc&hedule..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
                 tr("Start again in step mode and take the steps of a saved schedule, one by one")),
            &QAction::triggered, this, &MainWindow::replaySchedule);
    for (int n = 1; n <= 9; ++n) {
        const QByteArray name = "step-" + QByteArray::number(n);
        auto *a = makeAction(name.constData(), tr("Step process %1").arg(n), QKeySequence(Qt::Key_0 + n),
                       tr("Step mode: process %1 takes one step").arg(n));
        connect(a, &QAction::triggered, this, [this, n] {
            if (m_controller->stepMode()) (void)m_controller->step(std::uint32_t(n - 1));
        });
    }
}

// Presentation mode, its text scale, the panes, the charts' time span.
void MainWindow::buildViewActions()
{
    auto *presentation = makeAction("presentation", tr("&Presentation mode"), QKeySequence(Qt::Key_F11),
                              tr("Large fonts, thick lines, high contrast; exports follow"));
    presentation->setCheckable(true);
    connect(presentation, &QAction::toggled, this, &MainWindow::setPresentationMode);
    // How large presentation mode makes the text: automatic follows the
    // screen's height; a lecturer whose hall is deep picks more.
    m_scaleChoices = new QActionGroup(this);
    m_scaleChoices->setExclusive(true);
    for (const qreal scale : {0.0, 1.25, 1.5, 1.75, 2.0, 2.5}) {
        auto *a = new QAction(scale > 0 ? tr("%1 %").arg(qRound(scale * 100))
                                        : tr("Automatic (from the screen's height)"),
                              m_scaleChoices);
        a->setObjectName(scale > 0 ? QStringLiteral("text-scale-%1").arg(qRound(scale * 100))
                                   : QStringLiteral("text-scale-auto"));
        a->setCheckable(true);
        a->setData(scale);
        a->setChecked(scale == 0);
        connect(a, &QAction::triggered, this, [this, scale] { setPresentationScale(scale); });
    }
    // Secondary panes, hidden and restored; presentation mode hides them so
    // the diagram and the charts get the room.
    auto paneToggle = [&](const char *name, const QString &text, const QKeySequence &key, const QString &tip,
                          auto pane) {
        QAction *a = makeAction(name, text, key, tip);
        a->setCheckable(true);
        a->setChecked(true);
        connect(a, &QAction::toggled, this, [this, pane](bool shown) { (this->*pane)()->setVisible(shown); });
    };
    paneToggle("show-list", tr("Scenario l&ist pane"), QKeySequence(Qt::Key_F9), tr("Show or hide the list of scenarios"),
               &MainWindow::scenarioPane);
    paneToggle("show-table", tr("Process &table pane"), QKeySequence(Qt::Key_F10), tr("Show or hide the table of processes"),
               &MainWindow::processTablePane);
    paneToggle("show-explanation", tr("&Explanation and code pane"), QKeySequence(Qt::Key_F12),
               tr("Show or hide the lesson's text and its Python twin"), &MainWindow::explanationPane);
    auto *wholeRun = makeAction("whole-run", tr("Charts show the &whole run"), QKeySequence(Qt::CTRL | Qt::Key_W),
                          tr("Charts from the run's start (checked) or the last minute only; exports and CSV "
                             "always hold the whole run"));
    wholeRun->setCheckable(true);
    wholeRun->setChecked(true);
    connect(wholeRun, &QAction::toggled, this, [this](bool whole) {
        m_controller->sampler().history().setShowWholeRun(whole);
        m_charts->refresh(m_controller->sampler().history());
    });
    auto *sequence = makeAction("show-sequence", tr("Message &sequence chart"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M),
                                tr("Who sent what to whom, when each process waited, who handed a lock to whom: "
                                   "in the charts' place (Export acts on it while shown)"));
    sequence->setCheckable(true);
    connect(sequence, &QAction::toggled, this, &MainWindow::showSequenceChart);
    connect(makeAction("restore-panes", tr("Show every chart and the diagram"), QKeySequence(Qt::Key_Escape),
                 tr("After a double-click enlarged one chart or the diagram: all of them again")),
            &QAction::triggered, this, [this] { enlarge(nullptr, false); });
    connect(makeAction("reset-layout", tr("Reset &layout"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
                 tr("Put every pane back to its default size")),
            &QAction::triggered, this, &MainWindow::resetLayout);
    connect(makeAction("focus-list", tr("Scenario &list"), QKeySequence(Qt::CTRL | Qt::Key_L),
                 tr("Go to the scenario list (arrows choose, Enter starts)")),
            &QAction::triggered, this, [this] { m_list->setFocus(); });
}

// Export, scenario files, quit, help.
void MainWindow::buildFileActions()
{
    auto chartAction = [&](const char *name, const QString &text, const QKeySequence &key,
                           const QString &tip, ChartAction act) {
        connect(makeAction(name, text, key, tip), &QAction::triggered, this,
                [this, act] { exportCurrentWithDialog(act); });
    };
    chartAction("export-png", tr("Current chart as &PNG (1x)..."), QKeySequence(Qt::CTRL | Qt::Key_E),
                tr("Export the current chart as a PNG at slide size (1280x720)"), ChartAction::ExportPng1x);
    chartAction("export-png2x", tr("Current chart as PNG (&2x)..."),
                QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                tr("Export the current chart as a PNG at twice the pixels (2560x1440)"),
                ChartAction::ExportPng2x);
    chartAction("export-png-sized", tr("Current chart as PNG of &chosen size..."),
                QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E),
                tr("Export the current chart as a PNG of any pixel size"), ChartAction::ExportPngSized);
    chartAction("export-svg", tr("Current chart as &SVG..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G),
                tr("Export the current chart as SVG (vector, for editing)"), ChartAction::ExportSvg);
    chartAction("export-pdf", tr("Current chart as P&DF..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
                tr("Export the current chart as PDF (vector, for slides and print)"), ChartAction::ExportPdf);
    chartAction("export-csv", tr("Data of current chart as &CSV..."),
                QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V),
                tr("Export the numbers behind the current chart as CSV"), ChartAction::ExportCsv);
    connect(makeAction("export-trace", tr("Event &trace for Perfetto (JSON)..."), QKeySequence(),
                 tr("The run's event trace in Chrome's trace-event format: open it in ui.perfetto.dev or chrome://tracing")),
            &QAction::triggered, this, &MainWindow::exportTraceWithDialog);
    connect(makeAction("export-all", tr("&All charts (PNG, SVG, PDF, CSV)..."),
                 QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
                 tr("Export every chart in every format into a folder")),
            &QAction::triggered, this, &MainWindow::exportAllWithDialog);
    connect(makeAction("copy-chart", tr("&Copy current chart"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
                 tr("Copy the current chart to the clipboard as an image")),
            &QAction::triggered, this, &MainWindow::copyCurrentChart);
    connect(makeAction("save-run", tr("&Save run..."), QKeySequence(Qt::CTRL | Qt::Key_S),
                 tr("Keep this run in a file (its samples and its event trace): `ipc-playground replay FILE` "
                    "shows it again without starting a process")),
            &QAction::triggered, this, &MainWindow::saveRunWithDialog);
    connect(makeAction("open-recording", tr("Open &recording..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
                 tr("Show a saved run again, with no process started: a time slider moves every view")),
            &QAction::triggered, this, &MainWindow::openRecordingWithDialog);
    connect(makeAction("export-folder", tr("Choose export &folder..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                 tr("Where exports go by default")),
            &QAction::triggered, this, &MainWindow::chooseExportFolder);
    connect(makeAction("open", tr("&Open scenario file..."), QKeySequence(Qt::CTRL | Qt::Key_O),
                 tr("Open a scenario file (JSON) of your own; or drop it on the window")),
            &QAction::triggered, this, &MainWindow::openScenarioWithDialog);
    connect(makeAction("quit", tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q),
                 tr("Stop the run and close the window")),
            &QAction::triggered, this, &QWidget::close);
    connect(makeAction("shortcuts", tr("&Keyboard shortcuts"), QKeySequence(Qt::Key_F1),
                 tr("List every keyboard shortcut")),
            &QAction::triggered, this, &MainWindow::showShortcuts);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(QStringLiteral("open")));
    file->addSeparator();
    QMenu *exportMenu = file->addMenu(tr("&Export"));
    for (const char *n : {"export-png", "export-png2x", "export-png-sized", "export-svg", "export-pdf",
                          "export-csv"})
        exportMenu->addAction(action(QString::fromLatin1(n)));
    exportMenu->addSeparator();
    exportMenu->addAction(action(QStringLiteral("export-all")));
    exportMenu->addAction(action(QStringLiteral("export-trace")));
    file->addAction(action(QStringLiteral("save-run")));
    file->addAction(action(QStringLiteral("open-recording")));
    file->addAction(action(QStringLiteral("copy-chart")));
    file->addAction(action(QStringLiteral("export-folder")));
    file->addAction(action(QStringLiteral("save-schedule")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("quit")));

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    for (const char *n : {"start", "stop", "pause", "restart", "kill", "step-mode", "step-random", "auto-step", "replay-schedule"})
        run->addAction(action(QString::fromLatin1(n)));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(action(QStringLiteral("presentation")));
    QMenu *sizes = view->addMenu(tr("Presentation te&xt size"));
    for (QAction *a : m_scaleChoices->actions()) sizes->addAction(a);
    view->addAction(action(QStringLiteral("whole-run")));
    view->addAction(action(QStringLiteral("show-sequence")));
    view->addSeparator();
    for (const char *pane : {"show-list", "show-table", "show-explanation"})
        view->addAction(action(QString::fromLatin1(pane)));
    view->addAction(action(QStringLiteral("focus-list")));
    view->addAction(action(QStringLiteral("reset-layout")));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(QStringLiteral("shortcuts")));
    for (auto &entry : m_actions) entry.second->setShortcutVisibleInContextMenu(true);
}

void MainWindow::buildLayout()
{
    m_mainSplit = new QSplitter(Qt::Vertical, this);
    m_mainSplit->setObjectName(QStringLiteral("mainSplit"));
    m_columns = new QSplitter(Qt::Horizontal, m_mainSplit);
    m_columns->setObjectName(QStringLiteral("columns"));

    buildScenarioList(); // left
    buildCenter();       // middle: the diagram over the charts
    buildRightColumn();  // right: controls over the process table

    m_columns->addWidget(m_listBox);
    m_columns->addWidget(m_center);
    m_columns->addWidget(m_right);
    m_columns->setStretchFactor(1, 1);

    m_explanation = new ExplanationPane(m_mainSplit);
    m_explanation->setObjectName(QStringLiteral("explanationPane"));
    m_mainSplit->addWidget(m_columns);
    m_mainSplit->addWidget(m_explanation);
    m_mainSplit->setStretchFactor(0, 1);
    setCentralWidget(m_mainSplit);

    m_rate = new QLabel(this);
    statusBar()->addPermanentWidget(m_rate);

    m_replayBar = new ReplayBar(m_replay, this);
    addToolBar(Qt::BottomToolBarArea, m_replayBar);
    m_replayBar->hide();
    connect(m_replayBar, &ReplayBar::closeRequested, this, &MainWindow::closeReplay);
}

// The scenarios, in catalog order; double-click or Enter starts one.
void MainWindow::buildScenarioList()
{
    auto *listBox = new QWidget(m_columns);
    listBox->setObjectName(QStringLiteral("scenarioPane"));
    m_listBox = listBox;
    auto *listLayout = new QVBoxLayout(listBox);
    listLayout->setContentsMargins(4, 4, 0, 4);
    auto *listTitle = new QLabel(tr("<b>Scenarios</b>"), listBox);
    listLayout->addWidget(listTitle);
    m_list = new QListWidget(listBox);
    m_list->setObjectName(QStringLiteral("scenarioList"));
    m_list->setWordWrap(true);
    m_list->setToolTip(tr("Choose a scenario; double-click or Enter starts it (Ctrl+L comes here)"));
    for (const ScenarioInfo &info : scenarioCatalog()) {
        auto *item = new QListWidgetItem(QString::fromStdString(info.title), m_list);
        item->setData(Qt::UserRole, QString::fromStdString(info.name));
        item->setToolTip(QString::fromStdString(info.summary));
    }
    listLayout->addWidget(m_list, 1);
    // An item's key is a lesson name, or the path of a scenario file.
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (!item) return;
        const QString key = item->data(Qt::UserRole).toString();
        if (key != m_selectedKey && m_controller->select(key)) m_selectedKey = key;
    });
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QString key = item->data(Qt::UserRole).toString();
        if (key != m_selectedKey) {
            if (!m_controller->select(key)) return;
            m_selectedKey = key;
        }
        (void)m_controller->restart();
    });
}

// The diagram and its state legend over the charts.
void MainWindow::buildCenter()
{
    m_center = new QSplitter(Qt::Vertical, m_columns);
    m_center->setObjectName(QStringLiteral("center"));
    auto *diagramBox = new QWidget(m_center);
    m_diagramBox = diagramBox;
    auto *diagramLayout = new QVBoxLayout(diagramBox);
    diagramLayout->setContentsMargins(0, 0, 0, 0);
    diagramLayout->setSpacing(2);
    m_diagram = new ProcessDiagram(diagramBox);
    m_diagram->setObjectName(QStringLiteral("diagram"));
    diagramLayout->addWidget(m_diagram, 1);
    m_stateLegend = new StateLegend(diagramBox);
    diagramLayout->addWidget(m_stateLegend);
    // A new state in the legend may take a row from the diagram: it gets it back.
    m_stateLegend->installEventFilter(this);
    connect(statusBar(), &QStatusBar::messageChanged, m_stateLegend, &StateLegend::updateVisibility);
    m_charts = new ChartsPanel(m_center);
    m_charts->setObjectName(QStringLiteral("charts"));
    connect(m_charts, &ChartsPanel::actionRequested, this, &MainWindow::onChartAction);
    // What the lecturer points at fills the middle: a double-clicked chart
    // or the diagram; Esc (or another double-click) brings the rest back.
    connect(m_charts, &ChartsPanel::enlargeRequested, this, [this](ChartView *view) {
        enlarge(m_charts->enlarged() == view ? nullptr : view, false);
    });
    // A run's first picture decides how much of the middle the diagram
    // takes: what it needs at its width, the charts the rest.
    connect(m_diagram, &ProcessDiagram::arranged, this, [this] {
        // And again when the picture grows or shrinks as the run's first
        // samples come in (objects seen, labels widened): a few times a run,
        // so that two arrangements cannot chase each other.
        if (m_fitDiagramPending || (m_diagram->sceneRect().size() != m_fittedScene && m_refitsLeft > 0)) {
            if (!m_fitDiagramPending) --m_refitsLeft;
            fitDiagramHeight();
        }
    });
    connect(m_diagram, &ProcessDiagram::heightWanted, this, &MainWindow::fitDiagramHeight);
    connect(m_diagram, &ProcessDiagram::enlargeRequested, this,
            [this] { enlarge(nullptr, m_charts->isVisible()); });
    m_center->addWidget(diagramBox);
    m_center->addWidget(m_charts);
    // The message sequence chart takes the charts' place when shown.
    m_sequence = new SequenceChart(m_center);
    m_sequence->setObjectName(QStringLiteral("sequenceChart"));
    m_sequence->hide();
    m_center->addWidget(m_sequence);
}

// The controls (scrolling only when long) over the process table.
void MainWindow::buildRightColumn()
{
    m_right = new QSplitter(Qt::Vertical, m_columns);
    m_right->setObjectName(QStringLiteral("right"));
    auto *scroll = new QScrollArea(m_right);
    scroll->setWidgetResizable(true);
    // The controls follow the column's width (labels go above their
    // controls when it is narrow); only a long list of them scrolls.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    m_controls = new ControlsPanel(*m_controller,
                                   {action(QStringLiteral("start")), action(QStringLiteral("stop")),
                                    action(QStringLiteral("pause")), action(QStringLiteral("restart")),
                                    action(QStringLiteral("kill")), action(QStringLiteral("step-mode")),
                                    action(QStringLiteral("step-random"))},
                                   scroll);
    m_controls->setObjectName(QStringLiteral("controls"));
    scroll->setWidget(m_controls);
    m_table = new QTableView(m_right);
    m_table->setObjectName(QStringLiteral("processTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    // In step mode a double click on a process lets it take one step.
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (m_controller->stepMode())
            (void)m_controller->step(std::uint32_t(m_model->data(index, ProcessTableModel::SlotRole).toInt()));
    });
    // Numbers and states take what they need; the role takes the rest and
    // is elided there ("manager-client" and "ring-particles" once pushed the
    // exit codes out of sight behind a scroll bar).
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ProcessTableModel::Role, QHeaderView::Stretch);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setToolTip(tr("Every process of the run; select one to choose it for Kill"));
    m_right->addWidget(scroll);
    m_right->addWidget(m_table);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!m_syncingSelection && current.isValid())
                    selectSlot(m_model->data(current, ProcessTableModel::SlotRole).toInt());
            });
    connect(m_controls, &ControlsPanel::chosenSlotChanged, this, &MainWindow::selectSlot);
    // A click chooses the process (for Kill); in step mode it also lets it
    // take one step.
    connect(m_diagram, &ProcessDiagram::processClicked, this, [this](std::uint32_t slot) {
        selectSlot(int(slot));
        if (m_controller->stepMode()) (void)m_controller->step(slot);
    });
}

QWidget *MainWindow::processTablePane() const { return m_table; }

QWidget *MainWindow::explanationPane() const { return m_explanation; }

void MainWindow::resetLayout()
{
    const int w = std::max(width(), 1000);
    const int h = std::max(height() - menuBar()->height() - statusBar()->height(), 600);
    if (m_presentation) {
        // The list and the table are hidden: the middle takes what the
        // controls (a third at most) leave, shared evenly by the diagram and
        // the chart; the lesson's text and code keep a quarter below.
        const int right = std::clamp(w * 32 / 100, 300, 560);
        m_columns->setSizes({0, w - right, right});
        m_mainSplit->setSizes({h * 80 / 100, h * 20 / 100});
        setCenterSizes(h * 46 / 100, h * 34 / 100); // until a run shows what it needs
    } else {
        // On a small screen the list and the controls give up some width,
        // so the middle still holds a chart whose title reads whole.
        const int list = std::clamp(w * 16 / 100, 170, kListWidth);
        const int right = std::clamp(w * 29 / 100, 300, kRightWidth);
        m_columns->setSizes({list, w - list - right, right});
        m_mainSplit->setSizes({h * 78 / 100, h * 22 / 100});
        setCenterSizes(h * 40 / 100, h * 60 / 100);
    }
    m_right->setSizes({h * 62 / 100, h * 38 / 100}); // the controls first: a run has few processes
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_stateLegend && event->type() == QEvent::Resize &&
        static_cast<QResizeEvent *>(event)->oldSize().height() != m_stateLegend->height() && m_controller->active())
        QMetaObject::invokeMethod(this, &MainWindow::fitDiagramHeight, Qt::QueuedConnection);
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::fitDiagramHeight()
{
    m_fitDiagramPending = false;
    const QWidget *underDiagram = sequenceShown() ? static_cast<const QWidget *>(m_sequence) : m_charts;
    if (isEnlarged() || !underDiagram->isVisible()) return;
    const int total = m_center->height();
    const int legend = m_diagramBox->height() - m_diagram->height();
    // Its smallest text 12.6 px on a 1024x768 projector (and as
    // much more as the text is scaled up), 13 px on a desk; a little more
    // than exactly, as the boxes may be arranged anew for it.
    const qreal text = m_presentation ? 12.6 * std::max(1.0, textScale() / ChartStyle::kDefaultPresentationScale) : 13.0;
    const int wanted = m_diagram->heightFor(m_diagram->width(), text) * 104 / 100 + legend;
    // Never less than a quarter (the picture must read), never more than
    // 60 % (the chart must too).
    const int diagram = std::clamp(wanted, total / 4, total * 60 / 100);
    setCenterSizes(diagram, total - diagram);
    m_fittedScene = m_diagram->sceneRect().size();
}

void MainWindow::restoreSettings()
{
    QSettings s;
    if (const QByteArray g = s.value(settingsKey("window/geometry")).toByteArray(); !g.isEmpty())
        restoreGeometry(g);
    // The mode first: it sets its own pane sizes, which the saved ones
    // (of the mode the window was closed in) then replace.
    action(QStringLiteral("presentation"))->setChecked(s.value(settingsKey("presentation"), false).toBool());
    const std::pair<const char *, QSplitter *> splits[] = {
        {"layout/main", m_mainSplit}, {"layout/columns", m_columns}, {"layout/center", m_center},
        {"layout/right", m_right}, {"layout/explanation", m_explanation->splitter()}};
    for (const auto &[key, split] : splits)
        if (const QByteArray state = s.value(settingsKey(key)).toByteArray(); !state.isEmpty())
            split->restoreState(state);
    m_exportFolder = s.value(settingsKey("exportFolder"), m_exportFolder).toString();
    setPresentationScale(s.value(settingsKey("presentationScale"), 0.0).toDouble());
    const QString last = s.value(settingsKey("scenario")).toString();
    if (last.endsWith(QLatin1String(".json")) && QFileInfo::exists(last)) openScenarioFile(last);
    else if (!last.isEmpty()) chooseScenario(last);
}

void MainWindow::saveSettings()
{
    if (!m_options.useSettings) return;
    QSettings s;
    s.setValue(settingsKey("window/geometry"), saveGeometry());
    s.setValue(settingsKey("layout/main"), m_mainSplit->saveState());
    s.setValue(settingsKey("layout/columns"), m_columns->saveState());
    s.setValue(settingsKey("layout/center"), m_center->saveState());
    s.setValue(settingsKey("layout/right"), m_right->saveState());
    s.setValue(settingsKey("layout/explanation"), m_explanation->splitter()->saveState());
    s.setValue(settingsKey("exportFolder"), m_exportFolder);
    s.setValue(settingsKey("presentation"), m_presentation);
    s.setValue(settingsKey("presentationScale"), m_presentationScale);
    s.setValue(settingsKey("scenario"), m_selectedKey);
}

bool MainWindow::chooseScenario(const QString &name)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(Qt::UserRole).toString() == name) {
            m_list->setCurrentRow(i);
            return m_selectedKey == name && m_controller->scenario();
        }
    }
    return false;
}

bool MainWindow::openScenarioFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->data(Qt::UserRole).toString() == absolute) return chooseScenario(absolute);
    if (!m_controller->select(absolute)) return false; // the problem is on screen
    m_selectedKey = absolute;
    const ScenarioInfo &info = m_controller->scenario()->lesson();
    auto *item = new QListWidgetItem(QString::fromStdString(info.title) + tr(" (file)"), m_list);
    item->setData(Qt::UserRole, absolute);
    item->setToolTip(QDir::toNativeSeparators(absolute) + QStringLiteral("\n") +
                     QString::fromStdString(info.summary));
    const QSignalBlocker block(m_list);
    m_list->setCurrentItem(item);
    statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(absolute)), 5000);
    return true;
}

void MainWindow::openScenarioWithDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a scenario file"), m_exportFolder,
                                                      tr("Scenario files (*.json)"));
    if (!path.isEmpty()) openScenarioFile(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".json"))) {
            event->acceptProposedAction();
            return;
        }
    }
}

void MainWindow::dropEvent(QDropEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".json"))) {
            openScenarioFile(url.toLocalFile());
            event->acceptProposedAction();
            return;
        }
    }
}

ChartContext MainWindow::chartContext() const
{
    Scenario *s = m_controller->scenario();
    if (!s) return {};
    return ChartContext{QString::fromStdString(s->lesson().name), QString::fromStdString(s->lesson().title),
                        QString::fromStdString(s->texts().valuesAxis)};
}

void MainWindow::onScenarioChanged()
{
    closeReplay();
    m_model->clear();
    m_controls->showSnapshot(Snapshot{}); // the kill list: the previous lesson's processes are gone
    m_rate->clear();
    m_diagram->setLinks({});
    m_stateLegend->reset();
    m_diagram->clear(tr("Press Start (F5) to run \"%1\".").arg(chartContext().scenarioTitle));
    m_charts->setContext(chartContext());
    m_sequence->setTrace(&m_controller->sampler().trace(), m_controller->sampler().startNs());
    m_sequence->setTitle(tr("Who sent what to whom: %1").arg(chartContext().scenarioTitle));
    m_explanation->setScenario(m_controller->scenario());
    setWindowTitle(tr("IPC Playground - %1").arg(chartContext().scenarioTitle));
}

void MainWindow::onRunStarted()
{
    closeReplay();
    Scenario *s = m_controller->scenario();
    m_charts->setContext(chartContext());
    m_sequence->setTrace(&m_controller->sampler().trace(), m_controller->sampler().startNs());
    m_stateLegend->reset();
    m_diagram->setLinks(s ? s->links() : std::vector<Link>{}, s && s->drawsOnlyLinkedObjects());
    m_explanation->hideAnswer(); // every start: the question stands until this run ends
    m_fitDiagramPending = true;
    m_refitsLeft = 3;
    onSampled();
}

void MainWindow::onStatusChanged()
{
    const auto st = m_controller->status();
    const bool has = m_controller->scenario() != nullptr;
    // The question stands while the class watches; the answer, rendered
    // from what this run measured, comes when it has ended.
    const bool ended = st == RunController::Status::Finished || st == RunController::Status::Stopped;
    if (ended && !m_explanation->answerShown() && m_controller->scenario())
        m_explanation->showAnswer(m_controller->scenario()->result());
    m_charts->setRunEnded(ended, m_controller->sampler().history());
    action(QStringLiteral("start"))->setEnabled(has && !m_controller->active());
    action(QStringLiteral("stop"))->setEnabled(m_controller->active());
    action(QStringLiteral("pause"))->setEnabled(m_controller->active());
    action(QStringLiteral("pause"))->setText(st == RunController::Status::Paused ? tr("Res&ume") : tr("&Pause"));
    action(QStringLiteral("restart"))->setEnabled(has);
    action(QStringLiteral("kill"))->setEnabled(m_controller->active());
    action(QStringLiteral("step-mode"))->setEnabled(has);
    action(QStringLiteral("step-random"))->setEnabled(m_controller->active());
    action(QStringLiteral("auto-step"))->setEnabled(m_controller->active());
    action(QStringLiteral("auto-step"))->setChecked(m_controller->autoStepping());
    action(QStringLiteral("replay-schedule"))->setEnabled(has);
    action(QStringLiteral("step-mode"))->setChecked(m_controller->stepMode()); // a new lesson starts without
    m_controls->updateStatus();
}

void MainWindow::onSampled()
{
    const Sampler &sampler = m_controller->sampler();
    const Snapshot &snap = sampler.snapshot();
    m_model->update(snap);
    m_diagram->showSnapshot(snap);
    m_stateLegend->note(snap);
    m_charts->refresh(sampler.history());
    m_sequence->setNow(snap.timeNs);
    m_controls->showSnapshot(snap);
    if (Scenario *s = m_controller->scenario()) {
        m_diagram->showPoints(s->points());
        const std::string out = s->consoleOutput();
        if (!out.empty()) m_explanation->setConsoleText(QString::fromStdString(out));
        m_explanation->showSteps(snap);
        if (m_explanation->noteChallenge()) {
            const std::size_t steps = s->challenge()->steps;
            statusBar()->showMessage(steps == 0   ? tr("Challenge reached")
                                     : steps == 1 ? tr("Challenge reached in 1 step")
                                                  : tr("Challenge reached in %1 steps").arg(steps),
                                     10000);
        }
        // Links can change as a run goes on (compare's next pair, a lesson
        // spawning its next repetition): the picture follows when they do.
        if (s->run())
            if (std::vector<Link> links = s->links(); links != m_diagram->links())
                m_diagram->setLinks(std::move(links), s->drawsOnlyLinkedObjects());
    }
    m_rate->setText(tr("%1 processes  |  t = %2 s  |  sampling every %3 ms")
                        .arg(snap.processes.size())
                        .arg(sampler.seconds(), 0, 'f', 1)
                        .arg(sampler.interval()));
}

void MainWindow::selectSlot(int slot)
{
    if (m_syncingSelection) return;
    m_syncingSelection = true;
    m_controls->setChosenSlot(slot);
    m_diagram->setSelectedSlot(slot);
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->data(m_model->index(row, 0), ProcessTableModel::SlotRole).toInt() == slot) {
            m_table->selectRow(row);
            break;
        }
    }
    m_syncingSelection = false;
}

void MainWindow::saveSchedule()
{
    const Scenario *s = m_controller->scenario();
    if (!s || s->schedule().empty()) {
        statusBar()->showMessage(tr("No steps to save yet: take some in step mode (F7)"), 8000);
        return;
    }
    const QString suggested = QDir(m_exportFolder).filePath(m_controller->scenarioName() + QStringLiteral("-schedule.txt"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the schedule"), suggested, tr("Schedules (*.txt)"));
    if (path.isEmpty()) return;
    QFile f(path);
    const std::string text = formatSchedule(s->schedule());
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.data(), qint64(text.size())) != qint64(text.size())) {
        statusBar()->showMessage(tr("Could not save %1: %2").arg(QDir::toNativeSeparators(path), f.errorString()), 10000);
        return;
    }
    statusBar()->showMessage(tr("Saved %n step(s) in %1", nullptr, int(s->schedule().size())).arg(QDir::toNativeSeparators(path)), 8000);
}

void MainWindow::replaySchedule()
{
    if (!m_controller->scenario()) {
        statusBar()->showMessage(tr("Choose a lesson first"), 5000);
        return;
    }
    const QString path = QFileDialog::getOpenFileName(this, tr("Replay a schedule"), m_exportFolder, tr("Schedules (*.txt);;All files (*)"));
    if (path.isEmpty()) return;
    auto steps = readScheduleFile(path.toStdString());
    if (!steps) {
        QMessageBox::warning(this, tr("Cannot replay"), QString::fromStdString(steps.error().message));
        return;
    }
    if (m_controller->replay(std::move(*steps)))
        statusBar()->showMessage(tr("Replaying %1").arg(QDir::toNativeSeparators(path)), 8000);
}

void MainWindow::killChosen()
{
    const int slot = m_controls->chosenSlot();
    if (slot < 0) {
        statusBar()->showMessage(tr("Choose a process to kill: click it in the diagram or the table"), 5000);
        return;
    }
    // Name it as the table and the diagram do: role and pid.
    QString who = tr("process #%1").arg(slot);
    for (const ProcessSnapshot &p : m_controller->sampler().snapshot().processes)
        if (int(p.slot) == slot) who = QStringLiteral("%1 %2").arg(QString::fromStdString(p.role)).arg(p.pid);
    if (m_controller->kill(std::uint32_t(slot))) statusBar()->showMessage(tr("Sent SIGKILL to %1").arg(who), 5000);
}

void MainWindow::setPresentationMode(bool on)
{
    m_presentation = on;
    if (QAction *a = action(QStringLiteral("presentation")); a && a->isChecked() != on) a->setChecked(on);
    applyTextScale();
    // A projector shows the lesson, not the catalogue: the scenario list and
    // the process table step aside (View menu, F9 / F10, brings them back).
    action(QStringLiteral("show-list"))->setChecked(!on);
    action(QStringLiteral("show-table"))->setChecked(!on);
    resetLayout();
}

qreal MainWindow::automaticPresentationScale(const QSize &screen)
{
    // Text keeps the share of the screen's height it has on a 1024x768
    // projector at the default scale, so the back row reads the same
    // whatever the resolution the projector is driven at; up to 1.8 (at
    // 1080 lines), where a chart would otherwise be all labels.
    return std::clamp(ChartStyle::kDefaultPresentationScale * screen.height() / 768.0, 1.25, 1.8);
}

qreal MainWindow::textScale() const
{
    if (!m_presentation) return 1.0;
    if (m_presentationScale > 0) return m_presentationScale;
    const QScreen *s = screen() ? screen() : QGuiApplication::primaryScreen();
    return s ? automaticPresentationScale(s->geometry().size()) : ChartStyle::kDefaultPresentationScale;
}

void MainWindow::setPresentationScale(qreal scale)
{
    m_presentationScale = scale > 0 ? std::clamp(scale, 1.0, 3.0) : 0;
    for (QAction *a : m_scaleChoices->actions())
        if (std::abs(a->data().toDouble() - m_presentationScale) < 1e-6) a->setChecked(true);
    if (m_presentation) {
        applyTextScale();
        resetLayout();
    }
}

void MainWindow::applyTextScale()
{
    const qreal scale = textScale();
    QFont f = m_baseFont;
    if (m_presentation) {
        f.setPointSizeF(m_baseFont.pointSizeF() * scale);
        f.setBold(true);
    }
    setFont(f);
    m_charts->setChartStyle(ChartStyle::forMode(m_presentation, scale));
    m_sequence->setChartStyle(ChartStyle::forMode(m_presentation, scale));
    m_diagram->setPresentation(m_presentation);
    m_controls->setPresentation(m_presentation);
    m_explanation->setPresentation(m_presentation, scale);
    m_stateLegend->setOnlyStatesSeen(m_presentation);
    // On a projector every row of the middle goes to the picture and the
    // chart: the colours' legend moves to the status bar.
    if (m_presentation && m_stateLegend->parentWidget() != statusBar()) {
        statusBar()->insertWidget(0, m_stateLegend, 1);
        m_stateLegend->show();
    } else if (!m_presentation && m_stateLegend->parentWidget() != m_diagramBox) {
        statusBar()->removeWidget(m_stateLegend);
        m_diagramBox->layout()->addWidget(m_stateLegend);
        m_stateLegend->show();
    }
}

ExportOptions MainWindow::exportOptions(qreal scale) const
{
    ExportOptions o;
    o.style = ChartStyle::forMode(m_presentation, textScale());
    o.scale = scale;
    return o;
}

Result<void> MainWindow::exportCurrentChart(ExportFormat format, const QString &path,
                                            const ExportOptions &options)
{
    if (sequenceShown()) return m_sequence->exportTo(format, path, options);
    ChartView *view = m_charts->current();
    if (!view) return fail(Errc::InvalidArgument, "no chart yet: start a scenario first");
    return exportChart(view->liveChart()->kind(), m_controller->sampler().history(), chartContext(),
                       format, path, options);
}

void MainWindow::enlarge(ChartView *chart, bool diagram)
{
    m_charts->setEnlarged(chart);
    m_diagramBox->setVisible(!chart);
    m_charts->setVisible(!diagram && !sequenceShown());
    m_sequence->setVisible(!diagram && sequenceShown());
}

bool MainWindow::isEnlarged() const
{
    const QWidget *underDiagram = sequenceShown() ? static_cast<const QWidget *>(m_sequence) : m_charts;
    return m_charts->enlarged() != nullptr || !m_diagramBox->isVisibleTo(this) || !underDiagram->isVisibleTo(this);
}

void MainWindow::onChartAction(ChartView *view, ChartAction act)
{
    m_charts->setCurrent(view);
    if (act == ChartAction::Copy) copyCurrentChart();
    else exportCurrentWithDialog(act);
}

void MainWindow::exportCurrentWithDialog(ChartAction act)
{
    ChartView *view = m_charts->current();
    if (!view && !sequenceShown()) {
        statusBar()->showMessage(tr("No chart yet: start a scenario first"), 5000);
        return;
    }
    ExportFormat format = ExportFormat::Png;
    ExportOptions options = exportOptions();
    switch (act) {
    case ChartAction::ExportPng1x: break;
    case ChartAction::ExportPng2x: options.scale = 2; break;
    case ChartAction::ExportPngSized: {
        bool ok = false;
        const QString text = QInputDialog::getText(this, tr("PNG size"),
                                                   tr("Width x height in pixels (e.g. 1920x1080):"),
                                                   QLineEdit::Normal, QStringLiteral("1920x1080"), &ok);
        if (!ok) return;
        const QStringList wh = text.toLower().split(QLatin1Char('x'));
        const int w = wh.size() == 2 ? wh[0].trimmed().toInt() : 0;
        const int h = wh.size() == 2 ? wh[1].trimmed().toInt() : 0;
        if (w < 64 || h < 64 || w > 16384 || h > 16384) {
            statusBar()->showMessage(tr("A size such as 1920x1080, each side 64 to 16384 pixels"), 8000);
            return;
        }
        options = ExportOptions::forPixels(QSize(w, h), options.style);
        break;
    }
    case ChartAction::ExportSvg: format = ExportFormat::Svg; break;
    case ChartAction::ExportPdf: format = ExportFormat::Pdf; break;
    case ChartAction::ExportCsv: format = ExportFormat::Csv; break;
    case ChartAction::Copy: copyCurrentChart(); return;
    }
    const QString ext = formatExtension(format);
    const QString suggested = QDir(m_exportFolder).filePath(
        (sequenceShown() ? chartContext().scenarioName + QStringLiteral("-sequence")
                         : chartFileStem(view->liveChart()->kind(), chartContext())) +
        (options.scale != 1 && format == ExportFormat::Png ? QStringLiteral("@%1x").arg(options.scale) : QString()) +
        QLatin1Char('.') + ext);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), suggested,
                                                      tr("%1 files (*.%2)").arg(ext.toUpper(), ext));
    if (path.isEmpty()) return;
    if (auto r = exportCurrentChart(format, path, options); !r) {
        statusBar()->showMessage(tr("Export failed: %1").arg(QString::fromStdString(r.error().message)), 10000);
        return;
    }
    m_exportFolder = QFileInfo(path).absolutePath();
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 8000);
}

void MainWindow::exportAllWithDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export all charts into"), m_exportFolder);
    if (dir.isEmpty()) return;
    auto written = exportAllCharts(m_controller->sampler().history(), chartContext(),
                                   {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf, ExportFormat::Csv},
                                   dir, exportOptions());
    if (!written) {
        statusBar()->showMessage(tr("Export failed: %1").arg(QString::fromStdString(written.error().message)), 10000);
        return;
    }
    m_exportFolder = dir;
    statusBar()->showMessage(tr("Saved %1 files in %2").arg(written->size()).arg(QDir::toNativeSeparators(dir)), 8000);
}

void MainWindow::copyCurrentChart()
{
    ChartView *view = m_charts->current();
    if (!view && !sequenceShown()) return;
    const QImage image = sequenceShown() ? m_sequence->renderImage(exportOptions())
                                         : renderChartImage(view->liveChart()->kind(), m_controller->sampler().history(),
                                                            chartContext(), exportOptions());
    QApplication::clipboard()->setImage(image);
    statusBar()->showMessage(tr("Chart copied to the clipboard (%1x%2)").arg(image.width()).arg(image.height()), 5000);
}

bool MainWindow::sequenceShown() const { return action(QStringLiteral("show-sequence"))->isChecked(); }

// The middle under the diagram goes to the charts or, when shown, to the
// sequence chart in their place.
void MainWindow::setCenterSizes(int diagram, int rest)
{
    const bool sequence = sequenceShown();
    m_center->setSizes({diagram, sequence ? 0 : rest, sequence ? rest : 0});
}

void MainWindow::showSequenceChart(bool shown)
{
    // The View menu's check mark is the state: set it, and its toggle comes back here.
    if (QAction *a = action(QStringLiteral("show-sequence")); a->isChecked() != shown) {
        a->setChecked(shown);
        return;
    }
    const QList<int> sizes = m_center->sizes();
    enlarge(nullptr, false);
    setCenterSizes(sizes.value(0), sizes.value(1) + sizes.value(2));
    if (shown) {
        m_sequence->follow();
        m_sequence->setFocus();
    }
}

Result<void> MainWindow::exportTrace(const QString &path) const
{
    const Sampler &sampler = m_controller->sampler();
    // The lesson's values over time go with it, as counter tracks.
    std::vector<CounterTrack> counters;
    const History &history = sampler.history();
    for (const QString &key : history.plottedMetricKeys()) {
        CounterTrack track{key.toStdString(), {}};
        const int series = history.metricSeries(key);
        for (int i = 0; series >= 0 && i < history.size(); ++i) {
            const double v = history.value(series, i);
            if (!std::isnan(v))
                track.points.emplace_back(sampler.startNs() + std::uint64_t(history.time(i) * 1e9), v);
        }
        counters.push_back(std::move(track));
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(Errc::System, "cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
    file.write(chromeTraceJson(sampler.trace(), sampler.startNs(), counters));
    if (!file.commit())
        return fail(Errc::System, "cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
    return {};
}

Result<void> MainWindow::saveRun(const QString &path) const
{
    const Scenario *s = m_controller->scenario();
    const Sampler &sampler = m_controller->sampler();
    if (!s || sampler.samples().empty()) return fail(Errc::InvalidArgument, "no run yet: start a scenario first");
    Recording r = recordingOf(*s, sampler.startNs(), sampler.samples());
    r.program = QCoreApplication::applicationVersion().toStdString();
    return saveRecording(r, path);
}

void MainWindow::saveRunWithDialog()
{
    if (m_controller->sampler().samples().empty()) {
        statusBar()->showMessage(tr("No run yet: start a scenario first"), 5000);
        return;
    }
    const QString suggested = QDir(m_exportFolder).filePath(chartContext().scenarioName + QStringLiteral(".ipcrec"));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save run"), suggested, tr("Recordings (*.ipcrec)"));
    if (path.isEmpty()) return;
    if (auto r = saveRun(path); !r) {
        statusBar()->showMessage(tr("Could not save the run: %1").arg(QString::fromStdString(r.error().message)), 10000);
        return;
    }
    m_exportFolder = QFileInfo(path).absolutePath();
    statusBar()->showMessage(tr("Saved %1: `ipc-playground replay` shows it again").arg(QDir::toNativeSeparators(path)),
                             8000);
}

Result<void> MainWindow::openRecording(const QString &path)
{
    // Read first: a file that is not a recording changes nothing.
    auto loaded = loadRecording(path);
    if (!loaded) return std::unexpected(loaded.error());
    // The live run stops; its lesson becomes the recorded one, with the
    // recorded parameters: the controls and the texts say what ran, and
    // Start runs it again live.
    if (m_controller->active()) m_controller->stop();
    m_controller->sampler().stop();
    if (chooseScenario(QString::fromStdString(loaded->lesson)) || openRecordedLessonFile(*loaded)) {
        for (const auto &[key, value] : loaded->params) (void)m_controller->setParam(QString::fromStdString(key), value);
        m_controls->rebuildParameters();
        m_explanation->refresh();
    } else {
        m_explanation->setScenario(nullptr); // a lesson of a file this window has not opened: no texts of another
    }
    m_replay->open(std::move(*loaded), path);
    const Recording &r = m_replay->recording();
    // The texts as they were rendered for the recorded run, its answer
    // from its result -- for a lesson file this window never opened too.
    if (!r.texts.title.empty()) {
        LessonTexts texts = r.texts;
        if (texts.python.empty())
            texts.python = ExplanationPane::builtinPython(QString::fromStdString(r.lesson)).toStdString();
        m_explanation->showRecorded(std::move(texts));
    }
    m_model->clear();
    m_stateLegend->reset();
    m_diagram->setLinks(r.links, r.drawsOnlyLinkedObjects);
    m_charts->setContext(ChartContext{QString::fromStdString(r.lesson), QString::fromStdString(r.title),
                                      QString::fromStdString(r.texts.valuesAxis)});
    m_sequence->setTrace(&m_replay->trace(), r.startNs);
    m_sequence->setTitle(tr("Who sent what to whom: %1").arg(QString::fromStdString(r.title)));
    setWindowTitle(tr("IPC Playground - replay of %1").arg(QFileInfo(path).fileName()));
    m_replayBar->show();
    m_replayBar->sync();
    onReplayMoved();
    return {};
}

bool MainWindow::openRecordedLessonFile(const Recording &recording)
{
    if (recording.scenarioFile.empty()) return false;
    if (!m_recordedLessons) m_recordedLessons = std::make_unique<QTemporaryDir>();
    if (!m_recordedLessons->isValid()) return false;
    QString name = QString::fromStdString(recording.lesson);
    for (QChar &c : name)
        if (!c.isLetterOrNumber() && c != u'-' && c != u'_') c = u'_';
    QFile file(m_recordedLessons->filePath(name + QStringLiteral(".json")));
    if (!file.open(QIODevice::WriteOnly)) return false;
    file.write(QByteArray::fromStdString(recording.scenarioFile));
    file.close();
    return openScenarioFile(file.fileName());
}

void MainWindow::openRecordingWithDialog()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open recording"), m_exportFolder, tr("Recordings (*.ipcrec);;All files (*)"));
    if (path.isEmpty()) return;
    if (auto r = openRecording(path); !r)
        statusBar()->showMessage(tr("Cannot open the recording: %1").arg(QString::fromStdString(r.error().message)), 10000);
}

// Every view at the replay's moment, as onSampled does for a live run.
void MainWindow::onReplayMoved()
{
    if (!m_replay->active()) return;
    const Snapshot &snap = m_replay->snapshot();
    m_model->update(snap);
    m_diagram->showSnapshot(snap);
    m_stateLegend->note(snap);
    m_charts->refresh(m_replay->history());
    m_charts->setRunEnded(true, m_replay->history());
    m_sequence->setTrace(&m_replay->trace(), m_replay->startNs());
    m_sequence->setNow(m_replay->nowNs());
    m_rate->setText(tr("replay  |  %1 processes  |  t = %2 s").arg(snap.processes.size()).arg(m_replay->position(), 0, 'f', 2));
}

void MainWindow::closeReplay()
{
    if (!m_replay->active()) return;
    m_replay->close();
    m_replayBar->hide();
    m_explanation->showRecorded(std::nullopt);
    m_sequence->setTrace(&m_controller->sampler().trace(), m_controller->sampler().startNs());
    setWindowTitle(tr("IPC Playground - %1").arg(chartContext().scenarioTitle));
}

void MainWindow::exportTraceWithDialog()
{
    if (m_controller->sampler().trace().events().empty()) {
        statusBar()->showMessage(tr("No events traced yet: start a scenario first"), 5000);
        return;
    }
    const QString suggested = QDir(m_exportFolder).filePath(chartContext().scenarioName + QStringLiteral("-trace.json"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export event trace"), suggested, tr("Trace files (*.json)"));
    if (path.isEmpty()) return;
    if (auto r = exportTrace(path); !r) {
        statusBar()->showMessage(tr("Export failed: %1").arg(QString::fromStdString(r.error().message)), 10000);
        return;
    }
    m_exportFolder = QFileInfo(path).absolutePath();
    statusBar()->showMessage(tr("Saved %1: open it in ui.perfetto.dev").arg(QDir::toNativeSeparators(path)), 8000);
}

void MainWindow::chooseExportFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export folder"), m_exportFolder);
    if (!dir.isEmpty()) m_exportFolder = dir;
}

void MainWindow::showShortcuts()
{
    QString html = QStringLiteral("<table>");
    for (const auto &[name, a] : m_actions) {
        Q_UNUSED(name);
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                         a->statusTip().toHtmlEscaped());
    }
    html += QStringLiteral("<tr><td><b>Alt+1..9</b></td><td>%1</td></tr>"
                           "<tr><td><b>Alt+K</b></td><td>%2</td></tr>"
                           "<tr><td><b>Enter</b></td><td>%3</td></tr></table>")
                .arg(tr("The scenario's parameters, in order: toggle a switch, focus a number"),
                     tr("Choose the process to kill"),
                     tr("In the scenario list: start the selected scenario"));
    QMessageBox::information(this, tr("Keyboard shortcuts"), html);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    m_controller->shutdown(); // every process of the run is stopped and reaped
    event->accept();
}

} // namespace ipc
