// Helpers shared by the Qt Test suites: unique segment names, and children
// that run a lambda in a real forked process under a watchdog, so no test
// can hang and none leaves a process behind.
#pragma once

#include "board.h"
#include "posix_call.h"
#include "proc_stat.h"
#include "process.h"
#include "result.h"

#include <QCborArray>
#include <QCborValue>
#include <QProcess>
#include <QTest>

#include <atomic>
#include <csignal>
#include <functional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

// A failing QCOMPARE prints names, not numbers: "Timeout", "WaitingLock",
// "Timeout: lock 'counter' not acquired within 100 ms" (found by QTest
// through argument-dependent lookup).
namespace ipc {
inline char *toString(Errc code) { return qstrdup(std::string(errcName(code)).c_str()); }
inline char *toString(ProcState state) { return qstrdup(std::string(procStateName(state)).c_str()); }
inline char *toString(const Error &error) { return qstrdup(error.toString().c_str()); }
} // namespace ipc

namespace ipc::test {

// "ipc-test-<pid>-<n>": unique per process and call; check_leftovers.sh
// fails the suite if any such name survives a test.
inline std::string uniqueName(const char *tag = "seg")
{
    static std::atomic<int> counter{0};
    return "ipc-test-" + std::to_string(getpid()) + "-" + tag + "-" + std::to_string(counter++);
}

// A message nested `levels` arrays deep, [[...[7]...]]: depth limits.
inline QCborValue nestedArrays(int levels)
{
    QCborValue v(7);
    for (int i = 0; i < levels; ++i) v = QCborArray{v};
    return v;
}

// A forked child running fn; its exit code is fn's return value. The child
// dies with the test (PR_SET_PDEATHSIG) and is SIGKILLed if it runs longer
// than watchdogSeconds.
class ForkedChild {
public:
    explicit ForkedChild(std::function<int()> fn, unsigned watchdogSeconds = 30)
    {
        m_pid = fork();
        if (m_pid == 0) {
            prctlDeathSignal();
            alarm(watchdogSeconds); // default SIGALRM action terminates
            int rc = 1;
            try {
                rc = fn();
            } catch (...) {
                rc = 99;
            }
            _exit(rc);
        }
    }
    ~ForkedChild()
    {
        if (m_pid > 0 && !m_exit) {
            ::kill(m_pid, SIGKILL);
            int st = 0;
            waitpid(m_pid, &st, 0);
        }
    }
    ForkedChild(const ForkedChild &) = delete;
    ForkedChild &operator=(const ForkedChild &) = delete;

    [[nodiscard]] pid_t pid() const { return m_pid; }
    // Exit code (0, N, -signal), or nullopt if it did not end in time.
    std::optional<int> join(int timeoutMs = 20000)
    {
        if (m_exit) return m_exit;
        const Deadline d(std::chrono::milliseconds{timeoutMs});
        for (;;) {
            int st = 0;
            const pid_t r = waitpid(m_pid, &st, WNOHANG);
            if (r == m_pid) {
                m_exit = exitCodeFromStatus(st);
                return m_exit;
            }
            if (d.expired()) return std::nullopt;
            usleep(1000);
        }
    }
    void kill(int sig = SIGKILL) { ::kill(m_pid, sig); }

private:
    static void prctlDeathSignal();
    pid_t m_pid = -1;
    std::optional<int> m_exit;
};

// The real ipc-playground ($IPC_PLAYGROUND, set by CTest) run with args
// under a deadline: how it ended and what it printed. A run that does not
// end in time is killed (finished = false); a crash is status CrashExit.
struct CliOutcome {
    bool finished = false;
    QProcess::ExitStatus status = QProcess::CrashExit;
    int code = -1;
    QByteArray out;
    QByteArray err;
};

inline CliOutcome runCli(const QStringList &args, int timeoutMs = 120'000)
{
    CliOutcome o;
    QProcess p;
    p.start(QString::fromLocal8Bit(qgetenv("IPC_PLAYGROUND")), args);
    if (!p.waitForStarted(timeoutMs)) return o;
    o.finished = p.waitForFinished(timeoutMs);
    if (!o.finished) {
        p.kill();
        p.waitForFinished(timeoutMs);
    }
    o.status = p.exitStatus();
    o.code = p.exitCode();
    o.out = p.readAllStandardOutput();
    o.err = p.readAllStandardError();
    return o;
}

inline QString describe(const CliOutcome &o)
{
    return QStringLiteral("finished=%1 crashed=%2 code=%3\nstdout: %4\nstderr: %5")
        .arg(o.finished)
        .arg(o.status == QProcess::CrashExit)
        .arg(o.code)
        .arg(QString::fromUtf8(o.out), QString::fromUtf8(o.err));
}

} // namespace ipc::test

#include <sys/prctl.h>
inline void ipc::test::ForkedChild::prctlDeathSignal() { prctl(PR_SET_PDEATHSIG, SIGKILL); }

// Whether a worker sent `sig` from outside died of it (exit code -signal).
// Under AddressSanitizer (the asan preset) the sanitizer may catch a
// SIGSEGV, report it and abort instead.
inline bool diedOf(int exitCode, int sig)
{
#if defined(__SANITIZE_ADDRESS__)
    if (sig == SIGSEGV && exitCode == -SIGABRT) return true;
#endif
    return exitCode == -sig;
}

// The kernel's view of a process, the state letter of /proc/PID/stat: 'R'
// running, 'S' sleeping (a futex wait), 'T' stopped, 'Z' a zombie, ...;
// '?' once the pid is gone.
inline char procState(pid_t pid) { return ipc::readProcStat(pid).value_or(ipc::ProcStat{}).state; }
inline bool isStopped(pid_t pid)
{
    const char c = procState(pid);
    return c == 'T' || c == 't';
}
// Dead: gone, or a zombie nobody has reaped yet -- it has no memory, runs
// nothing and holds nothing.
inline bool isDead(pid_t pid)
{
    const char c = procState(pid);
    return c == '?' || c == 'Z' || c == 'X';
}

// Waits for cond (a lambda) to become true, polling every ms, up to timeoutMs.
template <class Cond>
inline bool waitFor(Cond cond, int timeoutMs = 10000)
{
    const ipc::Deadline d(std::chrono::milliseconds{timeoutMs});
    while (!cond()) {
        if (d.expired()) return false;
        usleep(1000);
    }
    return true;
}
