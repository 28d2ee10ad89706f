// Run: one execution of a scenario -- its arena (with the board and the
// control block already in it) and the real processes it started.
//
// The engine side of the one-way data flow: scenario -> Run (arena +
// processes) -> board -> sampler. Commands from the GUI come back only
// through Run: the control block, and signals to the processes it owns.
//
// Lifetime: destroying a Run stops it: stop requested, a grace period, then
// SIGKILL and reap. No process of a run outlives its Run; the arena is
// anonymous, so nothing is left in /dev/shm either.
//
// Threads: one thread (the GUI's main thread, or the CLI's).
#pragma once

#include "arena.h"
#include "board.h"
#include "control_block.h"
#include "options.h"
#include "process.h"
#include "result.h"
#include "step_gate.h"

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ipc {

struct SpawnOptions {
    std::vector<int> inheritFds{}; // pipes, sockets the role needs (beside the arena)
    int stdoutFd = -1;             // -1: inherit ours (e.g. a pipe to the console pane)
    int stderrFd = -1;
    int cpu = -1;                  // >= 0: the worker runs only on this CPU (its --cpu)
};

// Who asked for a process's SIGKILL, if anybody: a kill nobody asked for
// (a crash, an outside signal) fails the run; one the lecturer or the
// engine's stop asked for does not.
enum class KillOrigin : std::uint8_t { None, Lecturer, Engine };

// A signal the run sent one of its processes (pause, resume, kill, stop).
struct SentSignal {
    std::uint32_t slot = 0;
    int signal = 0;
    std::uint64_t timeNs = 0; // CLOCK_MONOTONIC, as the trace's events
};

// Whether the run's processes write the event trace (ipc/trace.h).
enum class Tracing : std::uint8_t { Off, On };

class Run {
public:
    static constexpr auto kDefaultGrace = std::chrono::milliseconds(1000);

    // A traced run's arena has room for its trace beside arenaSize.
    [[nodiscard]] static Result<std::unique_ptr<Run>> create(std::size_t arenaSize = Arena::kDefaultSize,
                                                             Tracing tracing = Tracing::Off);
    ~Run();
    Run(const Run &) = delete;
    Run &operator=(const Run &) = delete;

    [[nodiscard]] Arena &arena() noexcept { return m_arena; }
    [[nodiscard]] Board &board() noexcept { return *m_board; }
    [[nodiscard]] const Board &board() const noexcept { return *m_board; }
    [[nodiscard]] ControlBlock &control() noexcept { return *m_control; }
    [[nodiscard]] StepControl &steps() noexcept { return *m_steps; }
    // The event trace; null when the run is not traced.
    [[nodiscard]] Trace *trace() noexcept { return m_trace; }

    // Start `ipc-worker --role ROLE --arena-fd FD --slot K ARGS...`;
    // returns K, the process's index in this run and on the board.
    [[nodiscard]] Result<std::uint32_t> spawn(std::string_view role,
                                              const std::vector<std::string> &args = {},
                                              const SpawnOptions &options = {});
    // The role of these options (Options::kRole, options.h) with them.
    template <class Options>
        requires requires { Options::kRole; }
    [[nodiscard]] Result<std::uint32_t> spawn(const Options &roleOptions, const SpawnOptions &options = {})
    {
        return spawn(Options::kRole, toArgs(roleOptions), options);
    }

    // A board slot for a process one of this run's workers starts itself
    // (the zombie lesson's children: their parent is that worker, not us).
    // It has no Process here: its parent books its exit (recordExit). Once
    // every process of ours has ended, poll() books one whose pid has gone
    // without that (it died with its parent; while a parent lives, a pid
    // gone from /proc may be one it has reaped and not yet booked),
    // kill() signals it by pid, stop() kills what is left. Reserve after
    // the last spawn(), so a spawned process's index stays its slot.
    [[nodiscard]] Result<std::uint32_t> reserveSlot(std::string_view role);

    [[nodiscard]] std::size_t processCount() const noexcept { return m_processes.size(); }
    [[nodiscard]] Process &process(std::uint32_t index) { return m_processes.at(index); }
    [[nodiscard]] BoardSlot &slot(std::uint32_t index) { return m_board->slots[index]; }

    // Reaps every child that has exited (non-blocking) and records its exit
    // status and terminal state on the board. Call it on every sampling tick.
    void poll();
    [[nodiscard]] bool allExited();
    // Waits for every process to exit; Timeout leaves them running.
    [[nodiscard]] Result<void> waitAll(Duration timeout);

    // Ask workers to finish (control block), wait up to grace, then SIGKILL
    // and reap the rest. Idempotent.
    void stop(Duration grace = kDefaultGrace);
    // SIGKILL one process; `origin` is booked for the result.
    [[nodiscard]] Result<void> kill(std::uint32_t index, KillOrigin origin = KillOrigin::Lecturer);
    [[nodiscard]] KillOrigin killOrigin(std::uint32_t slot) const noexcept
    {
        return slot < m_killOrigin.size() ? m_killOrigin[slot] : KillOrigin::None;
    }
    // Whether the process ended while the run was being stopped (a peer
    // that fails because its partner was stopped is the stop's doing).
    [[nodiscard]] bool endedInStop(std::uint32_t slot) const noexcept
    {
        return slot < m_endedInStop.size() && m_endedInStop[slot];
    }
    [[nodiscard]] Result<void> pause(std::uint32_t index);  // SIGSTOP
    [[nodiscard]] Result<void> resume(std::uint32_t index); // SIGCONT
    void pauseAll();
    void resumeAll();
    [[nodiscard]] bool paused(std::uint32_t index) const { return m_paused.at(index); }
    // The signals sent since the last call, oldest first, for the trace
    // (TraceLog::drain): a worker cannot trace what stops or kills it.
    // Always empty when the run is not traced.
    [[nodiscard]] std::vector<SentSignal> takeSentSignals() { return std::exchange(m_sentSignals, {}); }

    // $IPC_WORKER if set, else ipc-worker beside this executable (a build
    // tree), else in ../libexec/ipc-playground/ from it (an installation).
    [[nodiscard]] static std::string workerPath();
    // How a worker for `role` on board slot `slot` of the arena `arenaFd`
    // is started: `ipc-worker --role ROLE --arena-fd FD --slot K [--cpu C]
    // ARGS...`, the arena and options.inheritFds inherited, this process
    // named as the parent the worker watches. spawn() uses it, and so does
    // a worker that starts workers itself (the zombie lesson's parent).
    [[nodiscard]] static ProcessOptions workerProcess(std::string_view role, int arenaFd, std::uint32_t slot,
                                                      const std::vector<std::string> &args,
                                                      const SpawnOptions &options = {});

private:
    Run() = default;
    void record(std::uint32_t index);
    // Books a reserved slot whose process has gone (true if it is over).
    bool settleReserved(std::uint32_t slot);
    // Sends `sig` to process `index` and books it for the trace.
    [[nodiscard]] Result<void> signal(std::uint32_t index, int sig);
    void bookSignal(std::uint32_t slot, int sig, std::uint64_t sentNs);

    Arena m_arena;
    Board *m_board = nullptr;
    ControlBlock *m_control = nullptr;
    StepControl *m_steps = nullptr;
    Trace *m_trace = nullptr;
    std::vector<Process> m_processes;
    std::vector<bool> m_paused;
    std::vector<std::uint32_t> m_stateBeforePause;
    std::vector<bool> m_recorded;
    std::vector<std::uint32_t> m_reserved; // slots of processes our workers start
    std::vector<SentSignal> m_sentSignals;
    std::array<KillOrigin, Board::kMaxSlots> m_killOrigin{};
    std::array<bool, Board::kMaxSlots> m_endedInStop{};
    bool m_stopping = false;
};

} // namespace ipc
