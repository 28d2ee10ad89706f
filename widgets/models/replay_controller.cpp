#include "replay_controller.h"


#include <algorithm>

namespace ipc {

ReplayController::ReplayController(QObject *parent) : QObject(parent)
{
    m_timer.setInterval(kTickMs);
    connect(&m_timer, &QTimer::timeout, this, &ReplayController::advance);
}

ReplayController::~ReplayController() = default;

Result<void> ReplayController::open(const QString &path)
{
    auto loaded = loadRecording(path);
    if (!loaded) return std::unexpected(loaded.error());
    open(std::move(*loaded), path);
    return {};
}

void ReplayController::open(Recording recording, const QString &path)
{
    pause();
    m_recording = std::move(recording);
    m_path = path;
    m_active = true;
    m_position = -1;
    seek(duration());
}

void ReplayController::close()
{
    pause();
    m_active = false;
    m_recording = Recording();
    m_history.clear();
    m_snapshot = Snapshot{};
    m_trace.clear();
}

double ReplayController::duration() const noexcept
{
    return m_recording.samples.empty() ? 0.0 : m_recording.samples.back().seconds;
}

void ReplayController::seek(double seconds)
{
    if (!m_active) return;
    seconds = std::clamp(seconds, 0.0, duration());
    if (seconds == m_position) return;
    m_position = seconds;
    m_history.clear();
    m_snapshot = Snapshot{};
    for (const RecordedSample &s : m_recording.samples) {
        if (s.seconds > seconds) break;
        if (s.snapshot.hasRun) m_history.append(s.snapshot, s.seconds);
        m_snapshot = s.snapshot;
    }
    m_trace = m_recording.traceLog(m_snapshot.timeNs ? m_snapshot.timeNs : m_recording.startNs);
    Q_EMIT moved();
}

void ReplayController::play()
{
    if (!m_active || playing()) return;
    if (m_position >= duration()) seek(0);
    m_timer.start();
    Q_EMIT playingChanged(true);
}

void ReplayController::pause()
{
    if (!playing()) return;
    m_timer.stop();
    Q_EMIT playingChanged(false);
}

void ReplayController::advance()
{
    seek(m_position + m_speed * kTickMs / 1000.0);
    if (m_position >= duration()) pause();
}

} // namespace ipc
