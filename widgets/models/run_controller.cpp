#include "run_controller.h"

#include "catalog.h"

#include <algorithm>

namespace ipc {

RunController::RunController(QObject *parent) : QObject(parent)
{
    connect(&m_sampler, &Sampler::sampled, this, &RunController::onSampled);
    connect(&m_replayTimer, &QTimer::timeout, this, &RunController::replayNextStep);
}

RunController::~RunController() { shutdown(); }

QString RunController::scenarioName() const
{
    return m_scenario ? QString::fromStdString(m_scenario->lesson().name) : QString();
}

QString RunController::statusText() const
{
    switch (m_status) {
    case Status::NoScenario: return tr("No scenario");
    case Status::Ready: return tr("Ready");
    case Status::Running: return tr("Running");
    case Status::Paused: return tr("Paused");
    case Status::Finished: return tr("Finished");
    case Status::Stopped: return tr("Stopped");
    }
    return {};
}

void RunController::setStatus(Status s)
{
    if (s == m_status) return;
    m_status = s;
    Q_EMIT statusChanged();
}

Result<void> RunController::report(Result<void> r, const QString &what)
{
    if (!r) Q_EMIT problem(what + QStringLiteral(": ") + QString::fromStdString(r.error().message));
    return r;
}

Result<void> RunController::select(const QString &name)
{
    auto made = createScenario(name.toStdString());
    if (!made) return report(std::unexpected(made.error()), tr("Cannot open scenario"));
    m_sampler.stop();
    m_sampler.setScenario(nullptr);
    m_scenario.reset(); // its Run stops and reaps every process
    m_scenario = std::move(*made);
    // The window traces every run: the sequence chart and File > Export
    // trace draw from it (a paced lesson's trace loses nothing, and at
    // full speed a ring that fills costs a branch, not a wait).
    m_scenario->setTracing(true);
    m_sampler.setScenario(m_scenario.get());
    m_status = Status::Ready;
    Q_EMIT scenarioChanged();
    Q_EMIT statusChanged();
    return {};
}

Result<void> RunController::start()
{
    if (!m_scenario) return report(fail(Errc::InvalidArgument, "choose one in the list first"), tr("No scenario"));
    m_sampler.stop();
    auto started = m_scenario->start();
    if (!started) {
        m_scenario->stop();
        m_sampler.beginRun();
        m_sampler.tick();
        setStatus(Status::Stopped);
        return report(started, tr("Could not start %1").arg(scenarioName()));
    }
    m_status = Status::Running;
    m_random.seed(kStepSeed);
    m_lastTurn = ~0u;
    m_sampler.beginRun();
    m_sampler.tick(); // data on screen at once, not one interval later
    m_sampler.start();
    Q_EMIT runStarted();
    Q_EMIT statusChanged();
    return {};
}

void RunController::stop()
{
    m_replayTimer.stop();
    if (!m_scenario || !active()) return;
    m_scenario->stop();
    m_sampler.stop();
    m_sampler.tick(); // the final states: finished, killed
    setStatus(Status::Stopped);
}

Result<void> RunController::restart()
{
    stop();
    return start();
}

void RunController::pause()
{
    if (m_status != Status::Running) return;
    if (Run *run = m_scenario->run()) run->pauseAll();
    setStatus(Status::Paused);
}

void RunController::resume()
{
    if (m_status != Status::Paused) return;
    if (Run *run = m_scenario->run()) run->resumeAll();
    setStatus(Status::Running);
}

void RunController::togglePause()
{
    if (m_status == Status::Paused) resume();
    else pause();
}

Result<void> RunController::kill(std::uint32_t slot)
{
    Run *run = m_scenario ? m_scenario->run() : nullptr;
    if (!run || !active())
        return report(fail(Errc::InvalidArgument, "no run is going on"), tr("Cannot kill"));
    auto r = report(run->kill(slot), tr("Cannot kill process #%1").arg(slot));
    if (r) m_sampler.tick();
    return r;
}

Result<void> RunController::setStepMode(bool on)
{
    if (!m_scenario) return report(fail(Errc::InvalidArgument, "no lesson is chosen"), tr("Cannot switch step mode"));
    auto r = report(m_scenario->setStepMode(on), tr("Cannot switch step mode"));
    if (r && active()) m_sampler.tick();
    return r;
}

Result<void> RunController::step(std::uint32_t slot)
{
    if (!m_scenario || !active())
        return report(fail(Errc::InvalidArgument, "no run is going on"), tr("Cannot step"));
    // A step is done in milliseconds (Scenario::step waits for it), so the
    // window may wait for it; one that does not end in a second is said.
    auto r = report(m_scenario->step(slot, std::chrono::seconds(1)), tr("Cannot step process #%1").arg(slot + 1));
    m_sampler.tick();
    return r;
}

Result<void> RunController::stepRandomly()
{
    if (!m_scenario || !active())
        return report(fail(Errc::InvalidArgument, "no run is going on"), tr("Cannot step"));
    std::vector<std::uint32_t> ready;
    for (const Scenario::StepView &v : m_scenario->stepViews())
        if (v.waiting) ready.push_back(v.process);
    if (ready.empty())
        return report(fail(Errc::InvalidArgument, "no process is at its next step (all blocked or ended)"),
                      tr("Cannot step"));
    return step(ready[std::uniform_int_distribution<std::size_t>(0, ready.size() - 1)(m_random)]);
}

void RunController::setAutoStep(bool on)
{
    m_replayTimer.stop();
    m_autoStepping = on;
    if (!on) return;
    const double pace = m_scenario ? m_scenario->param(kPaceKey) : 0;
    m_replayTimer.start(int(1000 / (pace > 0 ? pace : kAutoStepsPerSecond)));
}

Result<void> RunController::replay(std::vector<std::uint32_t> schedule)
{
    m_autoStepping = false;
    if (!m_scenario) return report(fail(Errc::InvalidArgument, "choose one in the list first"), tr("No scenario"));
    if (schedule.empty()) return report(fail(Errc::InvalidArgument, "the schedule has no steps"), tr("Cannot replay"));
    m_replayTimer.stop();
    if (auto on = setStepMode(true); !on) return on;
    if (auto started = restart(); !started) return started;
    m_replay = std::move(schedule);
    m_replayNext = 0;
    m_replayTimer.start(kReplayStepMs);
    return {};
}

void RunController::replayNextStep()
{
    if (m_autoStepping) {
        // The next process after the last one's turn that is at its gate.
        std::vector<std::uint32_t> ready;
        if (active() && stepMode())
            for (const Scenario::StepView &v : m_scenario->stepViews())
                if (v.waiting) ready.push_back(v.process);
        if (ready.empty()) {
            m_replayTimer.stop();
            Q_EMIT statusChanged();
            return;
        }
        const auto after = std::upper_bound(ready.begin(), ready.end(), m_lastTurn);
        m_lastTurn = after != ready.end() && m_lastTurn != ~0u ? *after : ready.front();
        if (!step(m_lastTurn)) m_replayTimer.stop();
        return;
    }
    if (!active() || !stepMode() || m_replayNext >= m_replay.size()) {
        m_replayTimer.stop();
        return;
    }
    const std::uint32_t process = m_replay[m_replayNext++];
    if (!step(process)) m_replayTimer.stop(); // said by step()
    if (m_replayNext >= m_replay.size()) m_replayTimer.stop();
}

Result<void> RunController::setParam(const QString &key, double value)
{
    if (!m_scenario) return fail(Errc::InvalidArgument, "no scenario");
    auto set = report(m_scenario->setParam(key.toStdString(), value), tr("Cannot set %1").arg(key));
    if (set) Q_EMIT paramChanged(key);
    return set;
}

void RunController::shutdown()
{
    m_sampler.stop();
    m_sampler.setScenario(nullptr);
    m_scenario.reset();
    m_status = Status::NoScenario;
}

void RunController::onSampled()
{
    if (!active() || !m_scenario) return;
    if (m_scenario->finished()) {
        m_scenario->stop(); // every process has exited: nothing to wait for
        m_sampler.stop();
        setStatus(Status::Finished);
        m_sampler.tick(); // the exits reaped since this tick's snapshot
    }
}

} // namespace ipc
