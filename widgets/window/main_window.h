// MainWindow: the playground. Left, the scenario list; middle, the live
// diagram of the run over its charts; right, the run's controls over the
// process table; bottom, the explanation and the Python twin.
//
// Data flows one way: the RunController's Sampler ticks, and every view is
// refreshed from its Snapshot and History; commands go back only through
// the RunController (start/stop/pause/kill, Scenario::setParam).
//
// Closing the window stops and reaps every process of the run
// (RunController::shutdown); QSettings remembers the last scenario, the
// layout, presentation mode and the export folder.
#pragma once

#include "chart_exporter.h"
#include "chart_view.h"
#include "process_table_model.h"
#include "result.h"
#include "run_controller.h"

#include <QMainWindow>
#include <QTemporaryDir>
#include <QSizeF>

#include <map>

class QActionGroup;
class QLabel;
class QListWidget;
class QSplitter;
class QTableView;

namespace ipc {

class ChartsPanel;
class ControlsPanel;
class ExplanationPane;
class ProcessDiagram;
class SequenceChart;
struct Recording;
class ReplayBar;
class ReplayController;
class StateLegend;

struct MainWindowOptions {
    bool useSettings = true; // tests switch it off
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    using Options = MainWindowOptions;

    explicit MainWindow(Options options = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] RunController &controller() noexcept { return *m_controller; }
    [[nodiscard]] ProcessTableModel &processModel() noexcept { return *m_model; }
    [[nodiscard]] QListWidget *scenarioList() const noexcept { return m_list; }
    [[nodiscard]] ProcessDiagram *diagram() const noexcept { return m_diagram; }
    [[nodiscard]] ChartsPanel *charts() const noexcept { return m_charts; }
    [[nodiscard]] SequenceChart *sequenceChart() const noexcept { return m_sequence; }
    // The message sequence chart in the charts' place (View menu); while it
    // is shown, Export and Copy act on it.
    void showSequenceChart(bool shown);
    [[nodiscard]] bool sequenceShown() const;
    // The run's event trace as Chrome trace-event JSON (File > Export),
    // the lesson's plotted values as counter tracks.
    [[nodiscard]] Result<void> exportTrace(const QString &path) const;
    // The run so far as a recording (File > Save run; `replay` reads it).
    [[nodiscard]] Result<void> saveRun(const QString &path) const;
    // A saved run shown again (File > Open recording): the live run stops,
    // no process starts, the replay bar's slider moves every view. Leaving
    // it: Close on the bar, or choosing or starting a lesson.
    [[nodiscard]] Result<void> openRecording(const QString &path);
    void closeReplay();
    [[nodiscard]] ReplayController &replay() noexcept { return *m_replay; }
    [[nodiscard]] ReplayBar *replayBar() const noexcept { return m_replayBar; }
    [[nodiscard]] ControlsPanel *controls() const noexcept { return m_controls; }
    [[nodiscard]] ExplanationPane *explanation() const noexcept { return m_explanation; }
    [[nodiscard]] QTableView *processTable() const noexcept { return m_table; }
    // The panes the View menu hides and restores.
    [[nodiscard]] QWidget *scenarioPane() const noexcept { return m_listBox; }
    // One chart (or, chart null and diagram true, the diagram) fills the
    // middle; enlarge(nullptr, false) shows them all again (Esc).
    void enlarge(ChartView *chart, bool diagram);
    [[nodiscard]] bool isEnlarged() const;
    [[nodiscard]] QWidget *diagramPane() const noexcept { return m_diagramBox; }
    [[nodiscard]] QWidget *processTablePane() const;
    [[nodiscard]] QWidget *explanationPane() const;
    // "start", "stop", "pause", "restart", "kill", "presentation", "export-png", ...
    [[nodiscard]] QAction *action(const QString &name) const;

    // Selects the scenario in the list (which makes it current).
    bool chooseScenario(const QString &name);
    // A lecturer's scenario file (File > Open, or dropped on the window):
    // added to the list and made current. A malformed file is refused with
    // the message naming the file, the place and the problem; nothing starts.
    bool openScenarioFile(const QString &path);

    // Presentation mode: every text the audience reads grows by textScale()
    // (the set scale, or automaticPresentationScale of the screen when 0);
    // the scenario list and the process table step aside.
    void setPresentationMode(bool on);
    [[nodiscard]] bool presentationMode() const noexcept { return m_presentation; }
    void setPresentationScale(qreal scale);
    [[nodiscard]] qreal presentationScale() const noexcept { return m_presentationScale; }
    [[nodiscard]] qreal textScale() const;
    [[nodiscard]] static qreal automaticPresentationScale(const QSize &screen);
    [[nodiscard]] QString exportFolder() const { return m_exportFolder; }
    void setExportFolder(const QString &folder) { m_exportFolder = folder; }
    // The export options of the window now: a slide, in its current style.
    [[nodiscard]] ExportOptions exportOptions(qreal scale = 1.0) const;
    [[nodiscard]] Result<void> exportCurrentChart(ExportFormat format, const QString &path,
                                                  const ExportOptions &options);
    void copyCurrentChart();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    // A recording of a lesson file's run that this window has not opened:
    // its copy of the file, opened as a lesson file (false: none, or refused).
    bool openRecordedLessonFile(const Recording &recording);
    void buildActions();
    void buildRunActions();
    void buildStepActions();
    void buildViewActions();
    void buildFileActions();
    // A named action (action(name) finds it) with its shortcut in its tooltip.
    QAction *makeAction(const char *name, const QString &text, const QKeySequence &key, const QString &tip);
    void buildMenus();
    void buildLayout();
    void buildScenarioList();
    void buildCenter();
    void buildRightColumn();
    void resetLayout();
    void applyTextScale();
    // The diagram takes the height its picture needs, the charts the rest.
    void fitDiagramHeight();
    void restoreSettings();
    void saveSettings();
    void onSampled();
    void onScenarioChanged();
    void onRunStarted();
    void onStatusChanged();
    void onChartAction(ChartView *view, ChartAction action);
    void exportCurrentWithDialog(ChartAction action);
    void exportAllWithDialog();
    void exportTraceWithDialog();
    void saveRunWithDialog();
    void openRecordingWithDialog();
    void onReplayMoved();
    void setCenterSizes(int diagram, int rest);
    void openScenarioWithDialog();
    void chooseExportFolder();
    void killChosen();
    // File > Save schedule, Run > Replay schedule (schedule.h's text).
    void saveSchedule();
    void replaySchedule();
    void selectSlot(int slot);
    void showShortcuts();
    [[nodiscard]] ChartContext chartContext() const;

    Options m_options;
    RunController *m_controller;
    ReplayController *m_replay;
    ReplayBar *m_replayBar = nullptr;
    // Lesson files that came in recordings, opened from here (removed on exit).
    std::unique_ptr<QTemporaryDir> m_recordedLessons;
    ProcessTableModel *m_model;
    QListWidget *m_list = nullptr;
    QWidget *m_listBox = nullptr;
    QWidget *m_diagramBox = nullptr;
    ProcessDiagram *m_diagram = nullptr;
    ChartsPanel *m_charts = nullptr;
    SequenceChart *m_sequence = nullptr;
    ControlsPanel *m_controls = nullptr;
    ExplanationPane *m_explanation = nullptr;
    QTableView *m_table = nullptr;
    QSplitter *m_mainSplit = nullptr;
    QSplitter *m_columns = nullptr;
    QSplitter *m_center = nullptr;
    QSplitter *m_right = nullptr;
    QLabel *m_rate = nullptr;
    std::map<QString, QAction *> m_actions;
    QFont m_baseFont;
    bool m_presentation = false;
    qreal m_presentationScale = 0; // 0: automatic
    QActionGroup *m_scaleChoices = nullptr;
    StateLegend *m_stateLegend = nullptr;
    bool m_fitDiagramPending = false; // at the first picture of a run
    QSizeF m_fittedScene;             // the picture's size the middle was last fitted to
    int m_refitsLeft = 0;             // fits for a changed picture this run may still take
    QString m_exportFolder;
    bool m_syncingSelection = false;
    QString m_selectedKey;             // list key (lesson name or file path) now current
};

} // namespace ipc
