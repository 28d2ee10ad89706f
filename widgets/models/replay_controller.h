// ReplayController: a recorded run (engine/recording.h) shown again, with
// no process started: at any moment of it, the History of the samples up
// to there, the snapshot of that moment and the trace up to it -- what
// the window's views draw from during a live run. Plays at 0.25x to 4x or
// is moved by hand (the window's time slider).
//
// Threads: the GUI thread.
#pragma once

#include "history.h"
#include "recording.h"
#include "result.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

namespace ipc {

class ReplayController : public QObject {
    Q_OBJECT
public:
    static constexpr int kTickMs = 30;

    explicit ReplayController(QObject *parent = nullptr);
    ~ReplayController() override;

    // Opens a recording and moves to its end; an error leaves the replay
    // as it was.
    [[nodiscard]] Result<void> open(const QString &path);
    void open(Recording recording, const QString &path);
    void close();
    [[nodiscard]] bool active() const noexcept { return m_active; }
    [[nodiscard]] const Recording &recording() const noexcept { return m_recording; }
    [[nodiscard]] const QString &path() const noexcept { return m_path; }

    [[nodiscard]] double duration() const noexcept;
    [[nodiscard]] double position() const noexcept { return m_position; }
    void seek(double seconds);
    void play();
    void pause();
    [[nodiscard]] bool playing() const { return m_timer.isActive(); }
    void setSpeed(double speed) { m_speed = speed; }
    [[nodiscard]] double speed() const noexcept { return m_speed; }

    // The run as it was at position().
    [[nodiscard]] const History &history() const noexcept { return m_history; }
    [[nodiscard]] const Snapshot &snapshot() const noexcept { return m_snapshot; }
    [[nodiscard]] const TraceLog &trace() const noexcept { return m_trace; }
    [[nodiscard]] std::uint64_t startNs() const noexcept { return m_recording.startNs; }
    [[nodiscard]] std::uint64_t nowNs() const noexcept { return m_snapshot.timeNs; }

Q_SIGNALS:
    void moved();
    void playingChanged(bool playing);

private:
    void advance();

    QTimer m_timer;
    bool m_active = false;
    QString m_path;
    Recording m_recording;
    double m_position = 0;
    double m_speed = 1;
    History m_history;
    Snapshot m_snapshot;
    TraceLog m_trace;
};

} // namespace ipc
