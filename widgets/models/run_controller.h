// RunController: the window's one handle on the engine. It owns the
// selected Scenario (and so its Run) and the Sampler watching it, and is
// the only way commands go back: start/stop/restart, pause/resume
// (SIGSTOP/SIGCONT of every process, Run::pauseAll/resumeAll), kill one
// process (SIGKILL, Run::kill), and parameters (Scenario::setParam, which
// acts on running processes when the parameter is live).
//
// Lifetime: destroying the controller (or shutdown()) destroys the
// scenario, whose Run stops and reaps every process; the arena is
// anonymous, so nothing is left behind.
//
// Errors become problem(message) with a sentence a person can act on;
// nothing here throws or aborts on bad input.
//
// Threads: the GUI thread.
#pragma once

#include "result.h"
#include "sampler.h"
#include "scenario.h"

#include <QObject>
#include <QTimer>
#include <QString>

#include <memory>
#include <random>
#include <vector>

namespace ipc {

class RunController : public QObject {
    Q_OBJECT
public:
    enum class Status { NoScenario, Ready, Running, Paused, Finished, Stopped };

    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    // Makes `name` the current scenario (stopping the current run).
    [[nodiscard]] Result<void> select(const QString &name);
    [[nodiscard]] Scenario *scenario() const noexcept { return m_scenario.get(); }
    [[nodiscard]] QString scenarioName() const;
    [[nodiscard]] Sampler &sampler() noexcept { return m_sampler; }
    [[nodiscard]] const Sampler &sampler() const noexcept { return m_sampler; }

    [[nodiscard]] Status status() const noexcept { return m_status; }
    [[nodiscard]] bool active() const noexcept
    {
        return m_status == Status::Running || m_status == Status::Paused;
    }
    [[nodiscard]] QString statusText() const;

    [[nodiscard]] Result<void> start();
    void stop();
    [[nodiscard]] Result<void> restart();
    void pause();
    void resume();
    void togglePause();
    [[nodiscard]] Result<void> kill(std::uint32_t slot);
    // Step mode (step_gate.h): on or off, for this run and the next; one
    // step of the process in `slot`.
    [[nodiscard]] Result<void> setStepMode(bool on);
    [[nodiscard]] bool stepMode() const noexcept { return m_scenario && m_scenario->stepMode(); }
    [[nodiscard]] Result<void> step(std::uint32_t slot);
    // One step of a process chosen among those at their gates by a
    // generator seeded anew at every start (kStepSeed): the same clicks
    // give the same interleaving, run after run.
    [[nodiscard]] Result<void> stepRandomly();
    static constexpr std::uint64_t kStepSeed = 1;
    // Starts the lesson again in step mode and takes these steps, one every
    // kReplayStepMs, so the class watches the interleaving happen again.
    [[nodiscard]] Result<void> replay(std::vector<std::uint32_t> schedule);
    [[nodiscard]] bool replaying() const noexcept { return m_replayTimer.isActive() && !m_autoStepping; }
    // Step mode on its own: the processes at their gates take steps in
    // turn, at the pace control's rate (kAutoStepsPerSecond when it is at
    // full speed), until switched off or nobody can step.
    void setAutoStep(bool on);
    [[nodiscard]] bool autoStepping() const noexcept { return m_replayTimer.isActive() && m_autoStepping; }
    static constexpr int kAutoStepsPerSecond = 4;
    static constexpr int kReplayStepMs = 300;
    [[nodiscard]] Result<void> setParam(const QString &key, double value);
    // Stops the run and destroys the scenario (the window is closing).
    void shutdown();

Q_SIGNALS:
    void scenarioChanged();
    void runStarted();
    void statusChanged();
    // A parameter took a new value (the lesson's texts follow it).
    void paramChanged(const QString &key);
    void problem(const QString &message);

private:
    void setStatus(Status s);
    void onSampled();
    Result<void> report(Result<void> r, const QString &what);

    void replayNextStep();

    std::unique_ptr<Scenario> m_scenario;
    Sampler m_sampler;
    Status m_status = Status::NoScenario;
    std::mt19937_64 m_random{kStepSeed};
    QTimer m_replayTimer;
    std::vector<std::uint32_t> m_replay; // the schedule being replayed
    std::size_t m_replayNext = 0;
    bool m_autoStepping = false;    // the timer takes turns rather than a schedule
    std::uint32_t m_lastTurn = ~0u; // the process that took the last turn
};

} // namespace ipc
