#include "controls_panel.h"

#include "metrics_chart.h"
#include "text_template.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace ipc {

namespace {

QToolButton *actionButton(QAction *action, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setDefaultAction(action);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    b->setMinimumHeight(b->sizeHint().height() + 8);
    return b;
}

bool integral(double x) { return std::fabs(x - std::round(x)) < 1e-9; }

} // namespace

void ControlsPanel::scaleHeadings()
{
    QFont big = font();
    big.setBold(true);
    big.setPointSizeF(font().pointSizeF() * 1.3);
    m_status->setFont(big);
    QFont figures = font();
    figures.setPointSizeF(font().pointSizeF() * 1.2);
    m_figures->setFont(figures);
}

void ControlsPanel::setPresentation(bool on)
{
    m_presentation = on;
    placeLabels();
    updateStatus();
    // On a projector the run's buttons come first, right under the status;
    // the figures follow the parameters there.
    auto *layout = static_cast<QVBoxLayout *>(this->layout());
    layout->removeWidget(m_figures);
    layout->insertWidget(on ? layout->indexOf(m_paramsBox) + 1 : 1, m_figures);
}

void ControlsPanel::placeLabels()
{
    // Projector text, or a narrow column (a 1024-pixel screen), leaves no
    // room for a label beside its slider: each label goes above its control.
    const bool above = m_presentation || width() < 400;
    const auto policy = above ? QFormLayout::WrapAllRows : QFormLayout::WrapLongRows;
    if (m_params->rowWrapPolicy() != policy) m_params->setRowWrapPolicy(policy);
}

void ControlsPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placeLabels();
}

void ControlsPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) scaleHeadings();
}

ControlsPanel::ControlsPanel(RunController &controller, const Actions &actions, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("runStatus"));
    // A long lesson title wraps rather than widening the panel past the window.
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    // The lesson's live figures that are not lines on the values chart
    // (the race's increments per second beside its lost updates).
    m_figures = new QLabel(this);
    m_figures->setObjectName(QStringLiteral("liveFigures"));
    // A figure too long for the column wraps rather than widening the
    // panel past the window's edge.
    m_figures->setWordWrap(true);
    m_figures->hide();

    scaleHeadings();

    auto *runBox = new QGroupBox(tr("Run"), this);
    auto *grid = new QGridLayout(runBox);
    grid->addWidget(actionButton(actions.start, runBox), 0, 0);
    grid->addWidget(actionButton(actions.stop, runBox), 0, 1);
    grid->addWidget(actionButton(actions.pause, runBox), 1, 0);
    grid->addWidget(actionButton(actions.restart, runBox), 1, 1);
    m_victim = new QComboBox(runBox);
    m_victim->setObjectName(QStringLiteral("killChooser"));
    m_victim->setToolTip(tr("The process Kill acts on; or click it in the diagram or the table (Alt+K)"));
    m_victim->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_victim->setMinimumContentsLength(12);
    auto *victimShortcut = new QShortcut(QKeySequence(Qt::ALT | Qt::Key_K), this);
    connect(victimShortcut, &QShortcut::activated, m_victim, [this] {
        m_victim->setFocus();
        m_victim->showPopup();
    });
    grid->addWidget(m_victim, 2, 0);
    grid->addWidget(actionButton(actions.kill, runBox), 2, 1);
    // (each on a row of its own: beside another, the longer label would
    // widen its column past a narrow panel's edge)
    if (actions.stepMode) grid->addWidget(actionButton(actions.stepMode, runBox), 3, 0, 1, 2);
    if (actions.stepRandomly) grid->addWidget(actionButton(actions.stepRandomly, runBox), 4, 0, 1, 2);
    connect(m_victim, &QComboBox::currentIndexChanged, this,
            [this](int) { Q_EMIT chosenSlotChanged(chosenSlot()); });
    layout->addWidget(runBox);

    m_paramsBox = new QGroupBox(tr("Parameters"), this);
    m_params = new QFormLayout(m_paramsBox);
    m_params->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_params->setRowWrapPolicy(QFormLayout::WrapLongRows);
    layout->addWidget(m_paramsBox);
    layout->insertWidget(1, m_figures); // under the status (setPresentation moves it)

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("problem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b71c1c; font-weight: bold;"));
    m_problem->hide();
    layout->addWidget(m_problem);
    layout->addStretch(1);

    connect(&m_controller, &RunController::statusChanged, this, &ControlsPanel::updateStatus);
    connect(&m_controller, &RunController::scenarioChanged, this, &ControlsPanel::rebuildParameters);
    connect(&m_controller, &RunController::problem, this, &ControlsPanel::showProblem);
    connect(&m_controller, &RunController::runStarted, this, [this] { m_problem->hide(); });
    rebuildParameters();
    updateStatus();
}

void ControlsPanel::updateStatus()
{
    QString text = m_controller.statusText();
    // (presentation mode: the lesson's title heads its text below)
    if (Scenario *s = m_controller.scenario(); s && !m_presentation)
        text = QString::fromStdString(s->lesson().title) + QStringLiteral(": ") + text;
    m_status->setText(text);
}

void ControlsPanel::showProblem(const QString &message)
{
    m_problem->setText(message);
    m_problem->show();
}

void ControlsPanel::rebuildParameters()
{
    while (m_params->rowCount() > 0) m_params->removeRow(0);
    for (QObject *o : m_paramShortcuts) delete o;
    m_paramShortcuts.clear();
    m_paramWidgets.clear();
    Scenario *s = m_controller.scenario();
    m_paramsBox->setEnabled(s != nullptr);
    if (!s) return;
    int n = 0;
    for (const ParamSpec &p : s->lesson().params) addParameter(p, ++n);
}

void ControlsPanel::addParameter(const ParamSpec &spec, int n)
{
    Scenario *scenario = m_controller.scenario();
    const QString key = QString::fromStdString(spec.key);
    const QString label = QString::fromStdString(spec.label);
    const QKeySequence shortcut = n <= 9 ? QKeySequence(Qt::ALT | Qt::Key(Qt::Key_0 + n)) : QKeySequence();
    QString tip = QString::fromStdString(spec.help);
    tip += spec.live ? tr("\nActs on the running processes at once.")
                     : tr("\nTakes effect at the next start (Restart: Ctrl+R).");
    if (!shortcut.isEmpty()) tip += QStringLiteral(" (%1)").arg(shortcut.toString(QKeySequence::NativeText));
    const double value = scenario->param(spec.key);
    const ParamField made = makeField(spec, key, value, tip, shortcut);
    QWidget *control = made.control;
    QWidget *field = made.field;
    if (!spec.boolean && !shortcut.isEmpty()) {
        auto *sc = new QShortcut(shortcut, this);
        connect(sc, &QShortcut::activated, control, [control] {
            control->setFocus(Qt::ShortcutFocusReason);
            if (auto *a = qobject_cast<QAbstractSpinBox *>(control)) a->selectAll();
        });
        m_paramShortcuts.push_back(sc);
    }
    control->setObjectName(QStringLiteral("param-") + key);
    control->setToolTip(tip);
    field->setToolTip(tip);
    m_paramWidgets[key] = control;
    const QString hint = spec.live ? tr("live") : tr("next start");
    if (spec.boolean) {
        auto *l = new QLabel(QStringLiteral("<small>%1</small>").arg(hint), m_paramsBox);
        l->setToolTip(tip);
        m_params->addRow(l, field);
    } else {
        auto *l = new QLabel(QStringLiteral("%1<br><small>%2</small>").arg(label.toHtmlEscaped(), hint), m_paramsBox);
        l->setBuddy(control);
        l->setToolTip(tip);
        m_params->addRow(l, field);
    }
}

ControlsPanel::ParamField ControlsPanel::makeField(const ParamSpec &spec, const QString &key, double value,
                                                  const QString &tip, const QKeySequence &shortcut)
{
    const QString label = QString::fromStdString(spec.label);
    QWidget *control = nullptr;
    QWidget *field = nullptr;
    if (spec.boolean) {
        auto *box = new QCheckBox(label, m_paramsBox);
        box->setChecked(value != 0);
        connect(box, &QCheckBox::toggled, this,
                [this, key](bool on) { (void)m_controller.setParam(key, on ? 1.0 : 0.0); });
        if (!shortcut.isEmpty()) {
            auto *sc = new QShortcut(shortcut, this);
            connect(sc, &QShortcut::activated, box, &QCheckBox::toggle);
            m_paramShortcuts.push_back(sc);
        }
        control = box;
        field = box;
    } else if (!spec.choices.empty()) {
        // Named choices: the names, never their numeric codes.
        auto *combo = new QComboBox(m_paramsBox);
        for (std::size_t i = 0; i < spec.choices.size(); ++i)
            combo->addItem(QString::fromStdString(spec.choices[i]), spec.min + double(i));
        combo->setCurrentIndex(std::max(0, combo->findData(value)));
        connect(combo, &QComboBox::currentIndexChanged, this,
                [this, key, combo](int) { (void)m_controller.setParam(key, combo->currentData().toDouble()); });
        control = combo;
        field = combo;
    } else if (integral(spec.min) && integral(spec.max) && integral(spec.defaultValue) &&
               spec.max <= double(std::numeric_limits<int>::max())) {
        const ParamField f = integerField(spec, key, value, tip);
        control = f.control;
        field = f.field;
    } else {
        auto *spin = new QDoubleSpinBox(m_paramsBox);
        spin->setDecimals(2);
        spin->setRange(spec.min, spec.max);
        spin->setValue(value);
        spin->setKeyboardTracking(false);
        connect(spin, &QDoubleSpinBox::valueChanged, this,
                [this, key](double v) { (void)m_controller.setParam(key, v); });
        control = spin;
        field = spin;
    }
    return {control, field};
}

// A spin box for an integer, with a slider beside it for a short range
// (easy to drag in front of a class).
ControlsPanel::ParamField ControlsPanel::integerField(const ParamSpec &spec, const QString &key, double value,
                                                     const QString &tip)
{
    auto *spin = new QSpinBox(m_paramsBox);
    spin->setRange(int(spec.min), int(spec.max));
    spin->setValue(int(std::lround(value)));
    spin->setKeyboardTracking(false);
    spin->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    spin->setGroupSeparatorShown(true);
    // "until stopped" rather than a bare 0.
    if (!spec.minimumText.empty()) spin->setSpecialValueText(QString::fromStdString(spec.minimumText));
    connect(spin, &QSpinBox::valueChanged, this,
            [this, key](int v) { (void)m_controller.setParam(key, double(v)); });
    if (spec.max - spec.min > 1000) return {spin, spin};
    auto *row = new QWidget(m_paramsBox);
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    auto *slider = new QSlider(Qt::Horizontal, row);
    slider->setRange(int(spec.min), int(spec.max));
    slider->setValue(spin->value());
    slider->setToolTip(tip);
    connect(slider, &QSlider::valueChanged, spin, &QSpinBox::setValue);
    connect(spin, &QSpinBox::valueChanged, slider, &QSlider::setValue);
    h->addWidget(slider, 1);
    spin->setParent(row);
    h->addWidget(spin);
    return {spin, row};
}

QWidget *ControlsPanel::parameterWidget(const QString &key) const
{
    auto it = m_paramWidgets.find(key);
    return it == m_paramWidgets.end() ? nullptr : it->second.data();
}

void ControlsPanel::showSnapshot(const Snapshot &snapshot)
{
    QStringList figures;
    for (const Metric &m : snapshot.metrics)
        if (!m.plotted && std::isfinite(m.value))
            figures.append(QStringLiteral("%1: <b>%2</b>")
                               .arg(MetricsChart::metricLabel(QString::fromStdString(m.key)).toHtmlEscaped(),
                                    QString::fromStdString(formatTemplateNumber(m.value))));
    const QString shown = figures.join(QStringLiteral("<br>"));
    if (shown != m_figures->text()) m_figures->setText(shown);
    m_figures->setVisible(!shown.isEmpty());

    const int keep = chosenSlot();
    std::vector<std::int32_t> pids;
    pids.reserve(snapshot.processes.size());
    for (const ProcessSnapshot &p : snapshot.processes) pids.push_back(p.pid);
    const bool rebuild = pids != m_victimPids;
    if (rebuild) {
        QSignalBlocker block(m_victim);
        m_victim->clear();
        for (const ProcessSnapshot &p : snapshot.processes)
            m_victim->addItem(QString(), p.slot);
        m_victimPids = pids;
    }
    for (std::size_t i = 0; i < snapshot.processes.size(); ++i) {
        const ProcessSnapshot &p = snapshot.processes[i];
        const QString text = QStringLiteral("%1 %2%3")
                                 .arg(QString::fromStdString(p.role))
                                 .arg(p.pid)
                                 .arg(isTerminal(p.state) ? tr(" (%1)").arg(QString::fromUtf8(procStateName(p.state).data()))
                                                          : QString());
        if (m_victim->itemText(int(i)) != text) m_victim->setItemText(int(i), text);
    }
    if (rebuild) {
        QSignalBlocker block(m_victim);
        const int index = m_victim->findData(keep);
        m_victim->setCurrentIndex(index >= 0 ? index : (m_victim->count() ? 0 : -1));
    }
}

int ControlsPanel::chosenSlot() const
{
    const QVariant v = m_victim->currentData();
    return v.isValid() ? v.toInt() : -1;
}

void ControlsPanel::setChosenSlot(int slot)
{
    const int index = m_victim->findData(slot);
    if (index >= 0) m_victim->setCurrentIndex(index);
}

} // namespace ipc
