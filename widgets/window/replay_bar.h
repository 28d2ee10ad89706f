// ReplayBar: the controls of a replay (ReplayController) along the bottom
// of the window -- play/pause, a time slider that scrubs every view, the
// moment and the length, the speed (0.25x, 1x, 4x) and Close. Shown only
// while a recording is open.
#pragma once

#include <QToolBar>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace ipc {

class ReplayController;

class ReplayBar : public QToolBar {
    Q_OBJECT
public:
    static constexpr int kSliderSteps = 1000;

    explicit ReplayBar(ReplayController *replay, QWidget *parent = nullptr);

    [[nodiscard]] QSlider *slider() const noexcept { return m_slider; }
    // After the replay moved or opened: the slider, the time and the title.
    void sync();

Q_SIGNALS:
    void closeRequested();

private:
    ReplayController *m_replay;
    QLabel *m_title;
    QToolButton *m_play;
    QSlider *m_slider;
    QLabel *m_time;
    QComboBox *m_speed;
    bool m_syncing = false;
};

} // namespace ipc
