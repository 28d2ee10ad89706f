#include "sampler.h"

#include "run.h"
#include "scenario.h"

namespace ipc {

Sampler::Sampler(QObject *parent) : QObject(parent)
{
    m_timer.setInterval(kDefaultIntervalMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &Sampler::tick);
}

void Sampler::setScenario(Scenario *scenario)
{
    m_scenario = scenario;
    if (!scenario) stop();
    beginRun();
}

void Sampler::beginRun(std::uint64_t startNs)
{
    m_startNs = startNs;
    m_ticks = 0;
    m_history.clear();
    m_samples.clear();
    m_snapshot = Snapshot{};
}

void Sampler::start() { m_timer.start(); }

const TraceLog &Sampler::trace() const noexcept
{
    static const TraceLog kNone;
    return m_scenario ? m_scenario->trace() : kNone;
}

void Sampler::stop() { m_timer.stop(); }

void Sampler::tick()
{
    if (!m_scenario) return;
    // The lesson's tick first (it reaps exits, so a process that just died
    // shows as killed in this very snapshot, and advances the lesson).
    m_scenario->poll();
    SnapshotOptions options;
    options.readCpuTime = m_ticks % kCpuEveryTicks == 0;
    takeSnapshot(*m_scenario, m_snapshot, options);
    const double t = m_snapshot.timeNs > m_startNs ? double(m_snapshot.timeNs - m_startNs) * 1e-9 : 0.0;
    if (m_snapshot.hasRun) {
        m_history.append(m_snapshot, t);
        m_samples.add({t, m_snapshot});
    }
    ++m_ticks;
    Q_EMIT sampled();
}

} // namespace ipc
