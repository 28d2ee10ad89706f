// Process: real children started with posix_spawn -- exit codes as Python
// reports them, join with a timeout, signals, inherited descriptors, clear
// errors, and children that never outlive their parent or their Process.
#include "owner_lock.h"
#include "proc_stat.h"
#include "process.h"
#include "run.h"
#include "test_support.h"
#include "worker.h"

#include <QTemporaryDir>

#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

using namespace ipc;
using namespace std::chrono_literals;

namespace {

ProcessOptions shell(const std::string &script)
{
    ProcessOptions o;
    o.executable = "/bin/sh";
    o.args = {"-c", script};
    return o;
}

ProcessOptions idleWorker()
{
    ProcessOptions o;
    o.executable = Run::workerPath();
    o.args = {"--role", "idle"};
    return o;
}

// Everything readable from fd until EOF, bounded by a deadline.
std::string readAll(int fd, int timeoutMs = 10000)
{
    std::string out;
    const Deadline deadline(std::chrono::milliseconds{timeoutMs});
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, deadline.pollMs()) <= 0) return out + "<timeout>";
        char buf[256];
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return out;
        out.append(buf, std::size_t(n));
    }
}

} // namespace

class TestProcess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void pythonNamesCloseAndChildren();
    void atDestructionKillOrPython();
    void exitCodes_data();
    void exitCodes();
    void killedBySignal_data();
    void killedBySignal();
    void joinTimeoutLeavesChildRunning();
    void isAliveFollowsTheChild();
    void signalsAfterExitAreHarmless();
    void destroyingProcessKillsAndReaps();
    void moveKeepsTheChild();
    void inheritedFdVisibleInChild();
    void otherFdsNotInherited();
    void stdoutRedirected();
    void extraEnvironmentReachesChild();
    void pidfdBecomesReadableOnExit();
    void startErrors();
    void neverStartedProcess();
    void workerDiesWithItsParent();
    void procStatThroughAnyName();
    void workerRefusesAWrongParent();
    void workerKeepsOnlyTheDescriptorsItIsGiven();
};

void TestProcess::initTestCase()
{
    const std::string worker = Run::workerPath();
    QVERIFY2(access(worker.c_str(), X_OK) == 0, ("no ipc-worker at " + worker).c_str());
}

void TestProcess::exitCodes_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("expected");
    QTest::newRow("exit 0") << QStringLiteral("exit 0") << 0;
    QTest::newRow("exit 7") << QStringLiteral("exit 7") << 7;
    QTest::newRow("exit 255") << QStringLiteral("exit 255") << 255;
    QTest::newRow("kills itself") << QStringLiteral("kill -USR1 $$") << -SIGUSR1;
}

void TestProcess::exitCodes()
{
    QFETCH(QString, script);
    QFETCH(int, expected);
    auto p = Process::start(shell(script.toStdString()));
    QVERIFY2(p, p ? "" : p.error().toString().c_str());
    QVERIFY(p->pid() > 0);
    auto code = p->join(10s);
    QVERIFY2(code, code ? "" : code.error().toString().c_str());
    QCOMPARE(*code, expected);
    QCOMPARE(p->exitCode(), std::optional<int>(expected));

    ProcessOptions t;
    t.executable = "/bin/true";
    auto trueProc = Process::start(t);
    QVERIFY(trueProc);
    QCOMPARE(trueProc->join(10s).value_or(-1000), 0);
}

void TestProcess::killedBySignal_data()
{
    QTest::addColumn<int>("sig");
    QTest::newRow("kill") << SIGKILL;
    QTest::newRow("terminate") << SIGTERM;
}

void TestProcess::killedBySignal()
{
    QFETCH(int, sig);
    auto p = Process::start(idleWorker());
    QVERIFY(p);
    QVERIFY(p->isAlive());
    QVERIFY(sig == SIGKILL ? p->kill() : p->terminate());
    auto code = p->join(10s);
    QVERIFY(code);
    QCOMPARE(*code, -sig);
    QVERIFY(!p->isAlive());
}

void TestProcess::joinTimeoutLeavesChildRunning()
{
    auto p = Process::start(idleWorker());
    QVERIFY(p);
    auto timed = p->join(30ms);
    QVERIFY(!timed);
    QCOMPARE(timed.error().code, Errc::Timeout);
    QVERIFY(timed.error().message.find(std::to_string(p->pid())) != std::string::npos);
    QVERIFY(p->isAlive());
    QVERIFY(!isDead(p->pid()));
    QVERIFY(!p->exitCode());
    auto polled = p->join(kNoWait);
    QVERIFY(!polled);
    QCOMPARE(polled.error().code, Errc::Timeout);
    QVERIFY(p->kill());
    QCOMPARE(p->join(10s).value_or(0), -SIGKILL);
}

void TestProcess::isAliveFollowsTheChild()
{
    int fds[2];
    QCOMPARE(pipe2(fds, O_CLOEXEC), 0);
    // The child runs until we close its stdin: alive until then, not after.
    ProcessOptions o = shell("read line");
    o.stdinFd = fds[0];
    auto p = Process::start(o);
    close(fds[0]);
    QVERIFY(p);
    QVERIFY(p->isAlive());
    close(fds[1]);
    QVERIFY(waitFor([&] { return !p->isAlive(); }));
    QCOMPARE(p->exitCode(), std::optional<int>(1)); // read at EOF fails
    QCOMPARE(p->join(kNoWait).value_or(-1000), 1);  // join after exit: at once, same code
}

void TestProcess::signalsAfterExitAreHarmless()
{
    auto p = Process::start(shell("exit 3"));
    QVERIFY(p);
    QCOMPARE(p->join(10s).value_or(-1000), 3);
    QVERIFY(p->terminate());
    QVERIFY(p->kill());
    QCOMPARE(p->exitCode(), std::optional<int>(3)); // still how it really ended
}

void TestProcess::destroyingProcessKillsAndReaps()
{
    pid_t pid = -1;
    {
        auto p = Process::start(idleWorker());
        QVERIFY(p);
        pid = p->pid();
        QVERIFY(!isDead(pid));
    }
    // Killed and reaped: not even a zombie is left, and it is not our child any more.
    QCOMPARE(procState(pid), '?');
    siginfo_t info{};
    QCOMPARE(waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG), -1);
    QCOMPARE(errno, ECHILD);
}

void TestProcess::moveKeepsTheChild()
{
    auto p = Process::start(shell("exit 4"));
    QVERIFY(p);
    const pid_t pid = p->pid();
    Process moved = std::move(*p);
    QCOMPARE(p->pid(), -1);
    QCOMPARE(moved.pid(), pid);
    QCOMPARE(moved.join(10s).value_or(-1000), 4);
}

void TestProcess::inheritedFdVisibleInChild()
{
    int fds[2];
    QCOMPARE(pipe2(fds, O_CLOEXEC), 0);
    ProcessOptions o = shell("echo inherited >&" + std::to_string(fds[1]));
    o.inheritFds = {fds[1]};
    auto p = Process::start(o);
    close(fds[1]);
    QVERIFY(p);
    QCOMPARE(readAll(fds[0]), std::string("inherited\n"));
    close(fds[0]);
    QCOMPARE(p->join(10s).value_or(-1000), 0);
}

void TestProcess::otherFdsNotInherited()
{
    int fds[2];
    QCOMPARE(pipe2(fds, O_CLOEXEC), 0);
    const int devNull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    QVERIFY(devNull >= 0);
    // Not listed in inheritFds: the shell cannot write to it.
    ProcessOptions o = shell("echo leaked >&" + std::to_string(fds[1]));
    o.stderrFd = devNull;
    auto p = Process::start(o);
    close(fds[1]);
    close(devNull);
    QVERIFY(p);
    QCOMPARE(readAll(fds[0]), std::string()); // EOF at once: no other writer
    close(fds[0]);
    auto code = p->join(10s);
    QVERIFY(code);
    QVERIFY(*code != 0);
}

void TestProcess::stdoutRedirected()
{
    int fds[2];
    QCOMPARE(pipe2(fds, O_CLOEXEC), 0);
    ProcessOptions o = shell("echo out; echo more");
    o.stdoutFd = fds[1];
    auto p = Process::start(o);
    close(fds[1]);
    QVERIFY(p);
    QCOMPARE(readAll(fds[0]), std::string("out\nmore\n"));
    close(fds[0]);
    QCOMPARE(p->join(10s).value_or(-1000), 0);
}

void TestProcess::extraEnvironmentReachesChild()
{
    ProcessOptions o = shell("test \"$IPC_TEST_VAR\" = yes");
    o.extraEnv = {"IPC_TEST_VAR=yes"};
    auto p = Process::start(o);
    QVERIFY(p);
    QCOMPARE(p->join(10s).value_or(-1000), 0);
    auto without = Process::start(shell("test \"$IPC_TEST_VAR\" = yes"));
    QVERIFY(without);
    QCOMPARE(without->join(10s).value_or(-1000), 1);
}

void TestProcess::pidfdBecomesReadableOnExit()
{
    int fds[2];
    QCOMPARE(pipe2(fds, O_CLOEXEC), 0);
    ProcessOptions o = shell("read line; exit 5");
    o.stdinFd = fds[0];
    auto p = Process::start(o);
    close(fds[0]);
    QVERIFY(p);
    if (p->pidfd() < 0) QSKIP("kernel without pidfd_open");
    pollfd before{p->pidfd(), POLLIN, 0};
    QCOMPARE(poll(&before, 1, 0), 0); // running: not readable
    close(fds[1]);
    pollfd after{p->pidfd(), POLLIN, 0};
    QCOMPARE(poll(&after, 1, 10000), 1);
    QCOMPARE(p->join(10s).value_or(-1000), 5);
}

void TestProcess::startErrors()
{
    ProcessOptions missing;
    missing.executable = "/nonexistent/ipc-no-such-program";
    auto m = Process::start(missing);
    QVERIFY(!m);
    QCOMPARE(m.error().code, Errc::NotFound);
    QVERIFY2(m.error().message.find("/nonexistent/ipc-no-such-program") != std::string::npos,
             m.error().message.c_str());

    ProcessOptions empty;
    auto e = Process::start(empty);
    QVERIFY(!e);
    QCOMPARE(e.error().code, Errc::InvalidArgument);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string plain = dir.filePath(QStringLiteral("not-executable")).toStdString();
    {
        std::ofstream f(plain);
        f << "#!/bin/sh\nexit 0\n";
    }
    QCOMPARE(chmod(plain.c_str(), 0644), 0);
    ProcessOptions notExec;
    notExec.executable = plain;
    auto n = Process::start(notExec);
    QVERIFY(!n);
    QVERIFY2(n.error().message.find(plain) != std::string::npos, n.error().message.c_str());
}

void TestProcess::neverStartedProcess()
{
    Process p;
    QCOMPARE(p.pid(), -1);
    QVERIFY(!p.isAlive());
    QCOMPARE(p.join(10ms).error().code, Errc::InvalidArgument);
    QCOMPARE(p.kill().error().code, Errc::InvalidArgument);
    QCOMPARE(p.terminate().error().code, Errc::InvalidArgument);
    QVERIFY(!p.exitCode());
}

void TestProcess::workerDiesWithItsParent()
{
    int fds[2];
    QCOMPARE(pipe2(fds, O_CLOEXEC), 0);
    const int writeFd = fds[1];
    // An intermediate process starts an idle worker, as the engine does,
    // reports its pid, and waits. SIGKILLing it runs no destructor: only the
    // worker's PR_SET_PDEATHSIG (or its IPC_PARENT_PID check) can end it.
    test::ForkedChild engine([writeFd] {
        ProcessOptions o = idleWorker();
        o.extraEnv = {std::string(kParentPidEnv) + "=" + std::to_string(getpid())};
        auto p = Process::start(o);
        if (!p) return 3;
        const pid_t pid = p->pid();
        if (write(writeFd, &pid, sizeof pid) != sizeof pid) return 4;
        for (;;) pause();
    });
    close(fds[1]);
    pid_t worker = -1;
    pollfd pf{fds[0], POLLIN, 0};
    QCOMPARE(poll(&pf, 1, 10000), 1);
    QCOMPARE(read(fds[0], &worker, sizeof worker), ssize_t(sizeof worker));
    close(fds[0]);
    QVERIFY(worker > 0);
    QVERIFY(waitFor([&] { return procState(worker) == 'S'; })); // started and idling
    QVERIFY(!isDead(worker));

    engine.kill(SIGKILL);
    QCOMPARE(engine.join(), std::optional<int>(-SIGKILL));
    const bool workerDied = waitFor([&] { return isDead(worker); });
    if (!workerDied) ::kill(worker, SIGKILL); // leave nothing behind even on failure
    QVERIFY2(workerDied, "ipc-worker outlived its SIGKILLed parent");
}

void TestProcess::workerRefusesAWrongParent()
{
    // A worker whose parent is not the one the engine named (it died before
    // the worker could set PR_SET_PDEATHSIG) exits at once.
    ProcessOptions o = idleWorker();
    o.extraEnv = {std::string(kParentPidEnv) + "=1"};
    auto p = Process::start(o);
    QVERIFY(p);
    QCOMPARE(p->join(10s).value_or(-1000), kExitRuntimeError);
    // With the right parent it runs until stopped.
    ProcessOptions right = idleWorker();
    right.extraEnv = {std::string(kParentPidEnv) + "=" + std::to_string(getpid())};
    auto q = Process::start(right);
    QVERIFY(q);
    QCOMPARE(q->join(50ms).error().code, Errc::Timeout);
    QVERIFY(q->terminate());
    QCOMPARE(q->join(10s).value_or(0), -SIGTERM);
}

// /proc/PID/stat read through a name with spaces and parentheses: the
// state of a sleeping child, the CPU time it burnt, the zombie it is once
// killed and before it is reaped (not alive for a lock's owner check), and
// nothing once reaped.
void TestProcess::procStatThroughAnyName()
{
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        prctl(PR_SET_NAME, "a) b (c) 9", 0, 0, 0);
        volatile std::uint64_t x = 0;
        const std::uint64_t until = monotonicNs() + 200'000'000; // 0.2 s of CPU
        while (monotonicNs() < until) x = x + 1;
        for (;;) pause();
    }
    std::optional<ProcStat> st;
    const bool slept = waitFor([&] {
        st = readProcStat(child);
        return st && st->state == 'S';
    });
    if (!slept) kill(child, SIGKILL);
    QVERIFY2(slept, st ? std::string(1, st->state).c_str() : "unreadable");
    QVERIFY2(st->utimeTicks + st->stimeTicks > 0, "0.2 s of CPU left no ticks");
    QVERIFY(processAlive(child));

    QCOMPARE(kill(child, SIGKILL), 0);
    QVERIFY(waitFor([&] {
        st = readProcStat(child);
        return st && st->state == 'Z';
    }));
    QVERIFY(!processAlive(child));
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    errno = 0;
    QVERIFY(!readProcStat(child));
    QCOMPARE(errno, ENOENT);
}

QTEST_GUILESS_MAIN(TestProcess)
// An inheritable descriptor the parent happens to hold (here at 50, without
// O_CLOEXEC) is closed in the worker; the arena it is given stays open.
void TestProcess::workerKeepsOnlyTheDescriptorsItIsGiven()
{
    int fds[2];
    QCOMPARE(pipe(fds), 0); // inheritable, as a careless library's would be
    QCOMPARE(dup2(fds[0], 50), 50);
    auto run = Run::create(1 << 20);
    QVERIFY(run);
    auto slot = (*run)->spawn("idle");
    QVERIFY(slot);
    const pid_t pid = (*run)->process(*slot).pid();
    QVERIFY(waitFor([&] { return (*run)->slot(*slot).currentState() == ProcState::Sleeping; }, 10000));
    const std::string fdDir = "/proc/" + std::to_string(pid) + "/fd/";
    struct stat st{};
    QVERIFY2(::stat((fdDir + "50").c_str(), &st) != 0, "the worker inherited fd 50");
    QVERIFY2(::stat((fdDir + std::to_string(fds[1])).c_str(), &st) != 0, "the worker inherited the pipe's write end");
    QVERIFY2(::stat((fdDir + std::to_string((*run)->arena().fd())).c_str(), &st) == 0, "the arena was closed");
    (*run)->stop();
    ::close(50);
    ::close(fds[0]);
    ::close(fds[1]);
}

// Python's Process.name ("Process-N" unless given), close() (ValueError
// while running, then every call refused), active_children() (running
// children only; ended ones reaped on the way) and parent_process().
void TestProcess::pythonNamesCloseAndChildren()
{
    auto a = Process::start(idleWorker());
    ProcessOptions named = idleWorker();
    named.name = "the-second";
    auto b = Process::start(named);
    QVERIFY(a && b);
    QVERIFY(a->name().starts_with("Process-"));
    QCOMPARE(b->name(), std::string("the-second"));
    auto c = Process::start(idleWorker());
    QVERIFY(c);
    QVERIFY(c->name() != a->name());

    auto children = Process::activeChildren();
    for (pid_t pid : {a->pid(), b->pid(), c->pid()})
        QVERIFY(std::find(children.begin(), children.end(), pid) != children.end());

    auto early = a->close();
    QVERIFY(!early);
    QCOMPARE(early.error().code, Errc::ValueError);
    QVERIFY(a->kill());
    auto joined = a->join(10s);
    QVERIFY(joined);
    QCOMPARE(*joined, -SIGKILL);
    QVERIFY(a->close());
    QVERIFY(a->isClosed());
    auto after = a->join(10s);
    QVERIFY(!after);
    QCOMPARE(after.error().code, Errc::ValueError);
    QCOMPARE(a->signal(SIGTERM).error().code, Errc::ValueError);

    // b ends on its own accord (killed from outside): it leaves the list.
    ::kill(b->pid(), SIGKILL);
    QVERIFY(waitFor([&] {
        const auto now = Process::activeChildren();
        return std::find(now.begin(), now.end(), b->pid()) == now.end();
    }, 10000));
    QCOMPARE(b->exitCode(), std::optional<int>(-SIGKILL)); // reaped through its object
    children = Process::activeChildren();
    QVERIFY(std::find(children.begin(), children.end(), c->pid()) != children.end());
    QVERIFY(std::find(children.begin(), children.end(), a->pid()) == children.end());
    const pid_t cpid = c->pid();
    *c = Process(); // the child's object replaced: killed and reaped, gone from the list
    children = Process::activeChildren();
    QVERIFY(std::find(children.begin(), children.end(), cpid) == children.end());

    // parent_process(): none in a process nobody started as a worker.
    const QByteArray saved = qgetenv("IPC_PARENT_PID");
    qunsetenv("IPC_PARENT_PID");
    QVERIFY(!Process::parentPid());
    qputenv("IPC_PARENT_PID", QByteArray::number(getppid()));
    QCOMPARE(Process::parentPid(), std::optional<pid_t>(getppid()));
    if (saved.isNull()) qunsetenv("IPC_PARENT_PID");
    else qputenv("IPC_PARENT_PID", saved);
}

// What the object does with a child still running when it goes away:
// Kill (the default) ends it at once; Python terminates a daemon (it sees
// SIGTERM) and joins any other (it finishes its work).
void TestProcess::atDestructionKillOrPython()
{
    const auto outcome = [](AtDestruction policy, bool daemon) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) return std::string("pipe failed");
        ProcessOptions o = shell("trap 'echo terminated; exit 0' TERM; echo ready; i=0; "
                                 "while [ $i -lt 6 ]; do sleep 0.05; i=$((i+1)); done; echo finished");
        o.stdoutFd = fds[1];
        o.daemon = daemon;
        o.atDestruction = policy;
        {
            auto p = Process::start(o);
            ::close(fds[1]);
            if (!p) return std::string("no start");
            // Its trap is set once it says so (a bounded wait, then on).
            char ready[6] = {};
            pollfd pf{fds[0], POLLIN, 0};
            if (poll(&pf, 1, 10000) != 1 || read(fds[0], ready, sizeof ready) != sizeof ready)
                return std::string("never ready");
        } // destroyed here, still running
        std::string out = readAll(fds[0]);
        ::close(fds[0]);
        return out;
    };
    QCOMPARE(outcome(AtDestruction::Kill, false), std::string());
    QCOMPARE(outcome(AtDestruction::Python, true), std::string("terminated\n"));
    QCOMPARE(outcome(AtDestruction::Python, false), std::string("finished\n"));
}

#include "tst_process.moc"
