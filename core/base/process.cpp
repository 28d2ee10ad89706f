#include "process.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace ipc {

std::string signalName(int sig)
{
    if (const char *abbrev = sigabbrev_np(sig)) return std::string("SIG") + abbrev;
    return "signal " + std::to_string(sig);
}

namespace {
// Every Process of this process that holds a child (active_children). One
// thread starts and reaps (see the header); the mutex keeps a second
// from corrupting the list, not from racing a reap.
std::mutex g_childrenMutex;
std::vector<Process *> g_children;
std::atomic<unsigned> g_started{0}; // for "Process-N"
} // namespace

void Process::track() noexcept
{
    std::lock_guard lock(g_childrenMutex);
    g_children.push_back(this);
}

void Process::untrack() noexcept
{
    std::lock_guard lock(g_childrenMutex);
    std::erase(g_children, this);
}

std::vector<pid_t> Process::activeChildren()
{
    std::vector<Process *> children;
    {
        std::lock_guard lock(g_childrenMutex);
        children = g_children;
    }
    std::vector<pid_t> alive;
    for (Process *p : children)
        if (!p->m_closed && p->isAlive()) alive.push_back(p->m_pid);
    return alive;
}

std::optional<pid_t> Process::parentPid()
{
    const char *parent = std::getenv("IPC_PARENT_PID");
    if (!parent || !*parent) return std::nullopt;
    char *end = nullptr;
    const long pid = std::strtol(parent, &end, 10);
    if (*end != '\0' || pid <= 0) return std::nullopt;
    return pid_t(pid);
}

Result<void> Process::usable() const
{
    if (m_closed)
        return fail(Errc::ValueError, "process object '" + m_name + "' (pid " + std::to_string(m_pid) + ") is closed");
    return {};
}

Result<void> Process::close()
{
    if (m_closed) return {};
    if (m_pid > 0 && isAlive())
        return fail(Errc::ValueError, "process '" + m_name + "' (pid " + std::to_string(m_pid) +
                                          ") is still running: join, terminate or kill it before close()");
    if (m_pidfd >= 0) ::close(m_pidfd);
    m_pidfd = -1;
    m_closed = true;
    untrack();
    return {};
}

int exitCodeFromStatus(int status) noexcept
{
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1;
}

Result<Process> Process::start(const ProcessOptions &options)
{
    if (options.executable.empty())
        return fail(Errc::InvalidArgument, "no executable given");
    if (access(options.executable.c_str(), X_OK) != 0)
        return failErrno("cannot execute '" + options.executable + "'", errno);

    std::vector<char *> argv;
    argv.push_back(const_cast<char *>(options.executable.c_str()));
    for (const auto &a : options.args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);

    std::vector<char *> envp;
    // An extra "KEY=value" replaces an inherited KEY (a worker starting a
    // worker hands on IPC_PARENT_PID with its own pid, not its parent's).
    auto overridden = [&](const char *inherited) {
        for (const auto &e : options.extraEnv) {
            const std::size_t eq = e.find('=');
            if (eq != std::string::npos && std::strncmp(inherited, e.c_str(), eq + 1) == 0) return true;
        }
        return false;
    };
    for (char **e = environ; e && *e; ++e)
        if (!overridden(*e)) envp.push_back(*e);
    for (const auto &e : options.extraEnv) envp.push_back(const_cast<char *>(e.c_str()));
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (options.stdinFd >= 0)
        posix_spawn_file_actions_adddup2(&actions, options.stdinFd, 0);
    else
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (options.stdoutFd >= 0) posix_spawn_file_actions_adddup2(&actions, options.stdoutFd, 1);
    if (options.stderrFd >= 0) posix_spawn_file_actions_adddup2(&actions, options.stderrFd, 2);
    // dup2 onto itself clears FD_CLOEXEC in the child (glibc >= 2.29), so
    // the descriptors asked for are inherited; an ipc-worker then closes
    // any other its parent left inheritable (worker.cpp).
    for (int fd : options.inheritFds) posix_spawn_file_actions_adddup2(&actions, fd, fd);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // The child starts with default signal handling and an empty mask, even
    // if the parent (a Qt program) blocks or handles signals.
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    pid_t pid = -1;
    const int rc = posix_spawn(&pid, options.executable.c_str(), &actions, &attr, argv.data(),
                               envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return failErrno("spawn '" + options.executable + "'", rc);

    Process p;
    p.m_pid = pid;
    p.m_pidfd = int(syscall(SYS_pidfd_open, pid, 0));
    if (p.m_pidfd >= 0) fcntl(p.m_pidfd, F_SETFD, FD_CLOEXEC);
    p.m_name = options.name.empty() ? "Process-" + std::to_string(++g_started) : options.name;
    p.m_daemon = options.daemon;
    p.m_atDestruction = options.atDestruction;
    p.track();
    return p;
}

Process::Process(Process &&other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_pidfd(std::exchange(other.m_pidfd, -1)),
      m_exitCode(std::exchange(other.m_exitCode, std::nullopt)), m_name(std::move(other.m_name)),
      m_daemon(other.m_daemon), m_atDestruction(other.m_atDestruction), m_closed(std::exchange(other.m_closed, false))
{
    other.untrack();
    if (m_pid > 0 && !m_closed) track();
}

Process &Process::operator=(Process &&other) noexcept
{
    if (this != &other) {
        reset();
        m_pid = std::exchange(other.m_pid, -1);
        m_pidfd = std::exchange(other.m_pidfd, -1);
        m_exitCode = std::exchange(other.m_exitCode, std::nullopt);
        m_name = std::move(other.m_name);
        m_daemon = other.m_daemon;
        m_atDestruction = other.m_atDestruction;
        m_closed = std::exchange(other.m_closed, false);
        other.untrack();
        if (m_pid > 0 && !m_closed) track();
    }
    return *this;
}

Process::~Process() { reset(); }

void Process::reset() noexcept
{
    untrack();
    if (m_pid > 0 && !m_exitCode && !m_closed) {
        if (m_atDestruction == AtDestruction::Python && !m_daemon) {
            (void)reap(true); // joined, however long the child runs
        } else {
            ::kill(m_pid, m_atDestruction == AtDestruction::Python ? SIGTERM : SIGKILL);
            (void)reap(true);
        }
    }
    if (m_pidfd >= 0) ::close(m_pidfd);
    m_pid = -1;
    m_pidfd = -1;
    m_exitCode.reset();
    m_closed = false;
}

bool Process::reap(bool block)
{
    if (m_pid <= 0 || m_exitCode) return true;
    int status = 0;
    const pid_t r = retryOnEintr([&] { return waitpid(m_pid, &status, block ? 0 : WNOHANG); });
    if (r == m_pid) {
        m_exitCode = exitCodeFromStatus(status);
        return true;
    }
    if (r < 0 && errno == ECHILD) { // reaped elsewhere: we cannot know how it ended
        m_exitCode = -1;
        return true;
    }
    return false;
}

bool Process::isAlive()
{
    if (m_pid <= 0 || m_closed) return false;
    return !reap(false);
}

Result<int> Process::join(Duration timeout)
{
    if (m_pid <= 0) return fail(Errc::InvalidArgument, "join of a process that was never started");
    if (auto ok = usable(); !ok) return std::unexpected(ok.error());
    if (reap(false)) return *m_exitCode;
    if (timeout == kForever) {
        (void)reap(true);
        return *m_exitCode;
    }
    const Deadline deadline(timeout);
    while (!reap(false)) {
        if (deadline.expired())
            return fail(Errc::Timeout, "process " + std::to_string(m_pid) + " still running");
        if (m_pidfd >= 0) {
            pollfd p{m_pidfd, POLLIN, 0};
            retryOnEintr([&] { return poll(&p, 1, deadline.pollMs()); });
        } else {
            usleep(1000);
        }
    }
    return *m_exitCode;
}

Result<void> Process::signal(int sig)
{
    if (m_pid <= 0) return fail(Errc::InvalidArgument, "signal to a process that was never started");
    if (auto ok = usable(); !ok) return std::unexpected(ok.error());
    if (m_exitCode || !isAlive()) return {}; // already gone, as Python's terminate() on a dead process
    if (::kill(m_pid, sig) != 0) return failErrno("kill " + std::to_string(m_pid), errno);
    return {};
}

} // namespace ipc
