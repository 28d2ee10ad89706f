// Sampler: the GUI's eye on a run. A QTimer (33 Hz by default) reaps
// exited children (Run::poll), takes a Snapshot, and appends it to the
// History; views listen to sampled(). (The scenario's poll drains the
// run's event trace, trace().)
//
// It only reads: the board and the arena headers with relaxed loads
// (takeSnapshot), never a lock a worker could wait on. CPU times come from
// /proc a few times a second, not on every tick.
//
// Threads: the GUI thread, the one that owns the scenario's Run.
#pragma once

#include "history.h"
#include "recording.h"
#include "snapshot.h"
#include "trace_log.h"

#include <QObject>
#include <QTimer>

namespace ipc {

class Scenario;

class Sampler : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 30;
    static constexpr int kCpuEveryTicks = 8; // /proc reads at ~4 Hz

    explicit Sampler(QObject *parent = nullptr);

    // The scenario to watch (not owned); null stops watching.
    void setScenario(Scenario *scenario);
    [[nodiscard]] Scenario *scenario() const noexcept { return m_scenario; }

    // A new run begins: clears the history; times count from startNs.
    void beginRun(std::uint64_t startNs = monotonicNs());
    void start(); // ticks on the timer
    void stop();
    [[nodiscard]] bool active() const { return m_timer.isActive(); }
    void setInterval(int ms) { m_timer.setInterval(ms); }
    [[nodiscard]] int interval() const { return m_timer.interval(); }

    // One sample now (the timer calls it; tests and headless runs may too).
    void tick();

    [[nodiscard]] const Snapshot &snapshot() const noexcept { return m_snapshot; }
    [[nodiscard]] const History &history() const noexcept { return m_history; }
    [[nodiscard]] History &history() noexcept { return m_history; }
    // Seconds since beginRun at the last tick.
    [[nodiscard]] double seconds() const noexcept { return m_history.now(); }
    [[nodiscard]] std::uint64_t ticks() const noexcept { return m_ticks; }
    // Every sample of the run so far, as a recording keeps them (File >
    // Save run).
    [[nodiscard]] const std::vector<RecordedSample> &samples() const noexcept { return m_samples.samples(); }
    // The run's event trace so far (the scenario's; empty without one).
    [[nodiscard]] const TraceLog &trace() const noexcept;
    // When the run began (CLOCK_MONOTONIC): the charts' time zero.
    [[nodiscard]] std::uint64_t startNs() const noexcept { return m_startNs; }

Q_SIGNALS:
    void sampled();

private:
    Scenario *m_scenario = nullptr;
    QTimer m_timer;
    Snapshot m_snapshot;
    History m_history;
    SampleLog m_samples;
    std::uint64_t m_startNs = 0;
    std::uint64_t m_ticks = 0;
};

} // namespace ipc
