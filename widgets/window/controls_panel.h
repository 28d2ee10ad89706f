// ControlsPanel: the right-hand side of the window. Buttons for the run
// (start, stop, pause/resume, restart, kill the chosen process), and one
// control per scenario parameter built from its ParamSpec: a check box for
// a switch, a spin box (with a slider for short ranges) for a number.
// Live parameters act on the running processes at once through
// Scenario::setParam; the others apply at the next start, and say so.
//
// Every control has a tooltip and a keyboard shortcut: the run's buttons
// share the window's actions (F5, Shift+F5, F6, Ctrl+R, Ctrl+K); the n-th
// parameter is Alt+n (toggles a switch, focuses a number).
#pragma once

#include "run_controller.h"

#include <QPointer>
#include <QWidget>

#include <map>

class QAction;
class QComboBox;
class QFormLayout;
class QLabel;
class QVBoxLayout;

namespace ipc {

class ControlsPanel : public QWidget {
    Q_OBJECT
public:
    struct Actions {
        QAction *start = nullptr;
        QAction *stop = nullptr;
        QAction *pause = nullptr;
        QAction *restart = nullptr;
        QAction *kill = nullptr;
        QAction *stepMode = nullptr; // checkable
        QAction *stepRandomly = nullptr;
    };

    ControlsPanel(RunController &controller, const Actions &actions, QWidget *parent = nullptr);

    // The parameter widgets for the controller's current scenario.
    void rebuildParameters();
    // The kill chooser follows the run's processes.
    void showSnapshot(const Snapshot &snapshot);
    [[nodiscard]] int chosenSlot() const;
    void setChosenSlot(int slot);
    // The control of parameter `key` (QCheckBox, QSpinBox or QDoubleSpinBox).
    [[nodiscard]] QWidget *parameterWidget(const QString &key) const;
    void showProblem(const QString &message);
    void updateStatus();
    void setPresentation(bool on);

Q_SIGNALS:
    void chosenSlotChanged(int slot);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void addParameter(const ParamSpec &spec, int n);
    // A parameter's control, and what holds it in the form: the control
    // itself, or a row of a slider and it.
    struct ParamField {
        QWidget *control;
        QWidget *field;
    };
    ParamField makeField(const ParamSpec &spec, const QString &key, double value, const QString &tip,
                         const QKeySequence &shortcut);
    ParamField integerField(const ParamSpec &spec, const QString &key, double value, const QString &tip);
    // The status line and the live figures are larger than the panel's text,
    // whatever the window's text size (presentation mode changes it).
    void scaleHeadings();
    void placeLabels();

    RunController &m_controller;
    QLabel *m_status;
    QLabel *m_figures;
    QLabel *m_problem;
    QComboBox *m_victim;
    QWidget *m_paramsBox;
    QFormLayout *m_params;
    std::map<QString, QPointer<QWidget>> m_paramWidgets;
    std::vector<QObject *> m_paramShortcuts;
    std::vector<std::int32_t> m_victimPids;
    bool m_presentation = false;
};

} // namespace ipc
