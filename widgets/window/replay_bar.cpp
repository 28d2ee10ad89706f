#include "replay_bar.h"

#include "replay_controller.h"

#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QSlider>
#include <QToolButton>

#include <cmath>

namespace ipc {

ReplayBar::ReplayBar(ReplayController *replay, QWidget *parent)
    : QToolBar(tr("Replay"), parent), m_replay(replay)
{
    setObjectName(QStringLiteral("replayBar"));
    setMovable(false);
    m_title = new QLabel(this);
    addWidget(m_title);
    m_play = new QToolButton(this);
    m_play->setObjectName(QStringLiteral("replayPlay"));
    m_play->setToolTip(tr("Play or pause the recorded run"));
    addWidget(m_play);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("replaySlider"));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setToolTip(tr("Move to any moment of the recorded run: every view follows"));
    addWidget(m_slider);
    m_time = new QLabel(this);
    addWidget(m_time);
    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("replaySpeed"));
    for (const double s : {0.25, 1.0, 4.0}) m_speed->addItem(QStringLiteral("%1x").arg(s), s);
    m_speed->setCurrentIndex(1);
    m_speed->setToolTip(tr("Playing speed"));
    addWidget(m_speed);
    addAction(tr("Close replay"), this, &ReplayBar::closeRequested);

    connect(m_play, &QToolButton::clicked, this, [this] {
        if (m_replay->playing()) m_replay->pause();
        else m_replay->play();
    });
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        if (!m_syncing) m_replay->seek(m_replay->duration() * value / kSliderSteps);
    });
    connect(m_speed, &QComboBox::currentIndexChanged, this,
            [this] { m_replay->setSpeed(m_speed->currentData().toDouble()); });
    connect(m_replay, &ReplayController::playingChanged, this, &ReplayBar::sync);
    connect(m_replay, &ReplayController::moved, this, &ReplayBar::sync);
}

void ReplayBar::sync()
{
    m_syncing = true;
    const double d = m_replay->duration();
    m_slider->setValue(d > 0 ? int(std::lround(m_replay->position() / d * kSliderSteps)) : 0);
    m_syncing = false;
    m_play->setText(m_replay->playing() ? tr("Pause") : tr("Play"));
    m_time->setText(tr("%1 / %2 s").arg(m_replay->position(), 0, 'f', 2).arg(d, 0, 'f', 2));
    m_title->setText(tr("Replay: %1 ").arg(QFileInfo(m_replay->path()).fileName()));
}

} // namespace ipc
