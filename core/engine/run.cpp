#include "run.h"

#include "worker.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <unistd.h>

namespace ipc {

Result<std::unique_ptr<Run>> Run::create(std::size_t arenaSize, Tracing tracing)
{
    const bool traced = tracing == Tracing::On;
    auto arena = Arena::create(arenaSize + (traced ? sizeof(Trace) + Arena::kObjectAlign : 0));
    if (!arena) return std::unexpected(arena.error());
    std::unique_ptr<Run> run(new Run);
    run->m_arena = std::move(*arena);
    auto board = run->m_arena.make<Board>("board");
    if (!board) return std::unexpected(board.error());
    auto control = run->m_arena.make<ControlBlock>("control");
    if (!control) return std::unexpected(control.error());
    auto steps = run->m_arena.make<StepControl>("steps");
    if (!steps) return std::unexpected(steps.error());
    run->m_board = *board;
    run->m_control = *control;
    run->m_steps = *steps;
    if (traced) {
        auto trace = run->m_arena.make<Trace>("trace");
        if (!trace) return std::unexpected(trace.error());
        run->m_trace = *trace;
        run->m_board->attachTrace(*trace);
    }
    return run;
}

Run::~Run() { stop(); }

std::string Run::workerPath()
{
    if (const char *env = std::getenv("IPC_WORKER"); env && *env) return env;
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return "ipc-worker";
    const std::string path(self, std::size_t(n));
    const std::string dir = path.substr(0, path.rfind('/') + 1);
    // The build tree (and a worker starting workers): beside this executable.
    std::string beside = dir + "ipc-worker";
    if (access(beside.c_str(), X_OK) == 0) return beside;
    // An installed program: bin/../libexec/ipc-playground/ipc-worker (the
    // relative directory comes from GNUInstallDirs, see core/CMakeLists.txt).
    std::string installed = dir + IPC_WORKER_RELATIVE_DIR "/ipc-worker";
    if (access(installed.c_str(), X_OK) == 0) return installed;
    return beside; // its error names the place a build puts it
}

ProcessOptions Run::workerProcess(std::string_view role, int arenaFd, std::uint32_t slot,
                                  const std::vector<std::string> &args, const SpawnOptions &options)
{
    ProcessOptions po;
    po.executable = workerPath();
    po.args = {"--role", std::string(role), "--arena-fd", std::to_string(arenaFd), "--slot", std::to_string(slot)};
    if (options.cpu >= 0) po.args.insert(po.args.end(), {"--cpu", std::to_string(options.cpu)});
    po.args.insert(po.args.end(), args.begin(), args.end());
    po.inheritFds = options.inheritFds;
    po.inheritFds.push_back(arenaFd);
    po.extraEnv = {std::string(kParentPidEnv) + "=" + std::to_string(getpid())};
    po.stdoutFd = options.stdoutFd;
    po.stderrFd = options.stderrFd;
    return po;
}

Result<std::uint32_t> Run::spawn(std::string_view role, const std::vector<std::string> &args,
                                 const SpawnOptions &options)
{
    if (!m_reserved.empty())
        return fail(Errc::InvalidArgument, "spawn after reserveSlot: a process's index must stay its slot");
    auto claimed = m_board->claim(role);
    if (!claimed) return std::unexpected(claimed.error());
    const auto index = std::uint32_t(*claimed - m_board->slots);

    auto process = Process::start(workerProcess(role, m_arena.fd(), index, args, options));
    if (!process) {
        (*claimed)->state.store(std::uint32_t(ProcState::Failed), std::memory_order_relaxed);
        (*claimed)->exitStatus.store(-1, std::memory_order_relaxed);
        return std::unexpected(process.error());
    }
    (*claimed)->pid.store(process->pid(), std::memory_order_relaxed);
    m_processes.push_back(std::move(*process));
    m_paused.push_back(false);
    m_stateBeforePause.push_back(0);
    m_recorded.push_back(false);
    return index;
}

void Run::record(std::uint32_t index)
{
    if (m_recorded[index]) return;
    const auto code = m_processes[index].exitCode();
    if (!code) return;
    recordExit(m_board->slots[index], *code);
    m_endedInStop[index] = m_stopping;
    m_paused[index] = false;
    m_recorded[index] = true;
}

Result<std::uint32_t> Run::reserveSlot(std::string_view role)
{
    auto claimed = m_board->claim(role);
    if (!claimed) return std::unexpected(claimed.error());
    const auto index = std::uint32_t(*claimed - m_board->slots);
    m_reserved.push_back(index);
    return index;
}

bool Run::settleReserved(std::uint32_t index)
{
    BoardSlot &s = m_board->slots[index];
    if (isTerminal(s.currentState())) return true;
    const pid_t pid = s.pid.load(std::memory_order_relaxed);
    if (pid <= 0) return false; // not started yet
    // While a process of ours lives it may be this one's parent, which
    // reaps it and books how it ended: gone from /proc does not mean
    // unbooked, only that the parent has not written its status yet.
    for (bool recorded : m_recorded)
        if (!recorded) return false;
    if (::kill(pid, 0) == 0 || errno != ESRCH) return false;
    // Gone without its parent's booking: reaped by init after its parent
    // died. If it had returned (Exited) it stored its status; otherwise it
    // died with its parent (PR_SET_PDEATHSIG: SIGKILL).
    const bool returned = s.currentState() == ProcState::Exited;
    recordExit(s, returned ? s.exitStatus.load(std::memory_order_relaxed) : -SIGKILL);
    return true;
}

void Run::poll()
{
    for (std::uint32_t i = 0; i < m_processes.size(); ++i) {
        if (!m_recorded[i] && !m_processes[i].isAlive()) record(i);
    }
    for (std::uint32_t slot : m_reserved) (void)settleReserved(slot);
}

bool Run::allExited()
{
    poll();
    for (bool r : m_recorded)
        if (!r) return false;
    for (std::uint32_t slot : m_reserved)
        if (!settleReserved(slot)) return false;
    return true;
}

Result<void> Run::waitAll(Duration timeout)
{
    const Deadline deadline(timeout);
    for (std::uint32_t i = 0; i < m_processes.size(); ++i) {
        if (m_recorded[i]) continue;
        const Duration left = deadline.forever()
                                  ? kForever
                                  : Duration(std::int64_t(deadline.pollMs()) * 1'000'000);
        auto joined = m_processes[i].join(left);
        if (!joined) return std::unexpected(joined.error());
        record(i);
    }
    return {};
}

void Run::stop(Duration grace)
{
    if (!m_control) return;
    m_stopping = true;
    m_control->stopRequested.store(1, std::memory_order_relaxed);
    m_control->changed();
    resumeAll(); // a stopped process cannot see the stop request
    (void)waitAll(grace);
    for (std::uint32_t i = 0; i < m_processes.size(); ++i) {
        if (m_recorded[i]) continue;
        m_killOrigin[i] = KillOrigin::Engine;
        (void)signal(i, SIGKILL);
        (void)m_processes[i].join(kForever);
        record(i);
    }
    // Their parent has gone, and they with it (PR_SET_PDEATHSIG); one that
    // somehow still runs is killed here. Init reaps them.
    for (std::uint32_t slot : m_reserved) {
        BoardSlot &s = m_board->slots[slot];
        if (settleReserved(slot)) continue;
        m_killOrigin[slot] = KillOrigin::Engine;
        const std::uint64_t sentNs = monotonicNs();
        if (const pid_t pid = s.pid.load(std::memory_order_relaxed); pid > 0 && ::kill(pid, SIGKILL) == 0)
            bookSignal(slot, SIGKILL, sentNs);
        recordExit(s, -SIGKILL);
    }
}

Result<void> Run::kill(std::uint32_t index, KillOrigin origin)
{
    if (index < m_killOrigin.size() && m_killOrigin[index] == KillOrigin::None) m_killOrigin[index] = origin;
    if (std::find(m_reserved.begin(), m_reserved.end(), index) != m_reserved.end()) {
        const pid_t pid = m_board->slots[index].pid.load(std::memory_order_relaxed);
        if (pid <= 0 || isTerminal(m_board->slots[index].currentState())) return {};
        const std::uint64_t sentNs = monotonicNs();
        if (::kill(pid, SIGKILL) != 0) {
            if (errno != ESRCH) return failErrno("kill " + std::to_string(pid), errno);
            return {};
        }
        bookSignal(index, SIGKILL, sentNs);
        return {}; // its parent reaps it and books how it ended
    }
    if (index >= m_processes.size())
        return fail(Errc::InvalidArgument, "no process #" + std::to_string(index) + " in this run");
    if (auto r = signal(index, SIGKILL); !r) return r;
    if (m_paused[index]) (void)m_processes[index].signal(SIGCONT);
    return {};
}

Result<void> Run::pause(std::uint32_t index)
{
    if (index >= m_processes.size())
        return fail(Errc::InvalidArgument, "no process #" + std::to_string(index) + " in this run");
    if (m_paused[index] || m_recorded[index]) return {};
    if (auto r = signal(index, SIGSTOP); !r) return r;
    BoardSlot &s = m_board->slots[index];
    m_stateBeforePause[index] = s.state.load(std::memory_order_relaxed);
    s.state.store(std::uint32_t(ProcState::Paused), std::memory_order_relaxed);
    m_paused[index] = true;
    return {};
}

Result<void> Run::resume(std::uint32_t index)
{
    if (index >= m_processes.size())
        return fail(Errc::InvalidArgument, "no process #" + std::to_string(index) + " in this run");
    if (!m_paused[index]) return {};
    // Restore the state first: once continued, the worker may overwrite it.
    BoardSlot &s = m_board->slots[index];
    std::uint32_t expected = std::uint32_t(ProcState::Paused);
    s.state.compare_exchange_strong(expected, m_stateBeforePause[index], std::memory_order_relaxed);
    m_paused[index] = false;
    return signal(index, SIGCONT);
}

Result<void> Run::signal(std::uint32_t index, int sig)
{
    // Stamped before it is sent: a continued process may run, and stamp
    // events of its own, before kill() returns here.
    const std::uint64_t sentNs = monotonicNs();
    if (auto r = m_processes[index].signal(sig); !r) return r;
    // One found reaped (an exit code) got nothing, and nothing is booked.
    if (!m_processes[index].exitCode()) bookSignal(index, sig, sentNs);
    return {};
}

void Run::bookSignal(std::uint32_t slot, int sig, std::uint64_t sentNs)
{
    if (m_trace) m_sentSignals.push_back({slot, sig, sentNs});
}

void Run::pauseAll()
{
    for (std::uint32_t i = 0; i < m_processes.size(); ++i) (void)pause(i);
}

void Run::resumeAll()
{
    for (std::uint32_t i = 0; i < m_processes.size(); ++i) (void)resume(i);
}

} // namespace ipc
