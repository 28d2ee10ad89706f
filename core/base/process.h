// Process: a real child process started with posix_spawn, with Python's
// multiprocessing.Process vocabulary: pid, isAlive, join(timeout), exitCode,
// terminate, kill.
//
// Exit codes follow Python: 0 on success, N for exit(N), -S when killed by
// signal S.
//
// Also Python's name, daemon, close(), active_children() and
// parent_process(): see the members.
//
// Lifetime, a deliberate choice (docs/python-differences.md): by default a
// Process that is destroyed while its child still runs kills (SIGKILL) and
// reaps it, so no child outlives the object that started it, whatever the
// caller forgot. AtDestruction::Python asks for what multiprocessing does at
// interpreter exit instead: a daemon is terminated (SIGTERM) and reaped,
// any other child joined -- which waits as long as the child runs.
// ipc-worker children also die with their parent: it sets PR_SET_PDEATHSIG
// and checks IPC_PARENT_PID at start-up (see worker.h), which covers a
// SIGKILLed parent that never runs a destructor.
//
// Threads: start and reap from one thread (PR_SET_PDEATHSIG follows the
// thread that spawned the child).
#pragma once

#include "posix_call.h"
#include "result.h"

#include <csignal>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ipc {

// A signal's name as kill(1) and Python's signal module give it ("SIGKILL"),
// or "signal N" for one without a name.
[[nodiscard]] std::string signalName(int sig);

// What a Process does with a child still running when it is destroyed.
enum class AtDestruction { Kill, Python };

struct ProcessOptions {
    std::string executable;            // path; not searched in PATH
    std::string name;                  // Python's Process.name; empty: "Process-N", N counting from 1
    bool daemon = false;               // Python's Process.daemon (see AtDestruction)
    AtDestruction atDestruction = AtDestruction::Kill;
    std::vector<std::string> args;     // argv[1..]
    std::vector<int> inheritFds;       // stay open in the child under the same numbers
    std::vector<std::string> extraEnv; // "KEY=value", added to this process's environment
    int stdinFd = -1;                  // -1: /dev/null
    int stdoutFd = -1;                 // -1: inherit ours
    int stderrFd = -1;                 // -1: inherit ours
};

class Process {
public:
    [[nodiscard]] static Result<Process> start(const ProcessOptions &options);

    Process() = default;
    Process(Process &&other) noexcept;
    Process &operator=(Process &&other) noexcept;
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;
    ~Process();

    [[nodiscard]] pid_t pid() const noexcept { return m_pid; }
    [[nodiscard]] const std::string &name() const noexcept { return m_name; }
    [[nodiscard]] bool daemon() const noexcept { return m_daemon; }
    // A descriptor that becomes readable when the child exits (for a
    // QSocketNotifier or poll); -1 if the kernel has no pidfd.
    [[nodiscard]] int pidfd() const noexcept { return m_pidfd; }

    // Reaps without blocking; false once the child has exited.
    [[nodiscard]] bool isAlive();
    // Waits for exit; returns the exit code, or Timeout (the child runs on).
    [[nodiscard]] Result<int> join(Duration timeout = kForever);
    [[nodiscard]] std::optional<int> exitCode() const noexcept { return m_exitCode; }

    [[nodiscard]] Result<void> terminate() { return signal(SIGTERM); }
    [[nodiscard]] Result<void> kill() { return signal(SIGKILL); }
    [[nodiscard]] Result<void> signal(int sig);

    // Python's close(): releases what the object holds once the child has
    // ended; ValueError while it runs. Afterwards every call but pid(),
    // name() and exitCode() fails with ValueError ("process object is closed").
    [[nodiscard]] Result<void> close();
    [[nodiscard]] bool isClosed() const noexcept { return m_closed; }

    // Python's active_children(): the pids of this process's children
    // (Process objects it started and still holds) that are running; those
    // that have ended are reaped on the way, as Python joins them.
    [[nodiscard]] static std::vector<pid_t> activeChildren();
    // Python's parent_process(): the pid of the process that started this
    // one as a worker (IPC_PARENT_PID), or none in a process nobody
    // started that way -- as Python returns None in the main process.
    [[nodiscard]] static std::optional<pid_t> parentPid();

private:
    [[nodiscard]] bool reap(bool block);
    [[nodiscard]] Result<void> usable() const;
    void reset() noexcept;
    void track() noexcept;   // into the active_children registry
    void untrack() noexcept;

    pid_t m_pid = -1;
    int m_pidfd = -1;
    std::optional<int> m_exitCode;
    std::string m_name;
    bool m_daemon = false;
    AtDestruction m_atDestruction = AtDestruction::Kill;
    bool m_closed = false;
};

// Python's convention: 0, N, or -signal, from a waitpid status.
[[nodiscard]] int exitCodeFromStatus(int status) noexcept;

} // namespace ipc
