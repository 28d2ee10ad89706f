// The zombie lesson on real processes: children the parent has not joined
// are zombies ('Z' in /proc) and say so on the board; joining books their
// exit codes; the parent's exit terminates its daemons (-SIGTERM); a killed
// parent takes its children along; nothing is left behind.
#include "catalog.h"
#include "scenario.h"
#include "test_support.h"

#include <QJsonArray>

#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

using namespace ipc;

namespace {


bool gone(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH; }

std::unique_ptr<Scenario> zombieLesson(int children, int daemons, int workMs)
{
    auto s = createScenario("zombie");
    if (!s) qFatal("%s", s.error().message.c_str());
    if (!(*s)->setParam("children", children) || !(*s)->setParam("daemons", daemons) ||
        !(*s)->setParam("work_ms", workMs))
        qFatal("parameters");
    return std::move(*s);
}

} // namespace

class TestZombie : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void finishedChildrenAreZombiesUntilJoined();
    void killedParentTakesItsChildren();
    void killedChildIsBookedByItsParent();
    void livingParentBooksItsReapedChild();
};

void TestZombie::finishedChildrenAreZombiesUntilJoined()
{
    auto s = zombieLesson(2, 1, 100);
    QVERIFY(s->start());
    Run &run = *s->run();
    // Slot 0 is the parent, 1-2 its children, 3 its daemon.
    QVERIFY(waitFor([&] { s->poll(); return run.board().slotCount.load() == 4; }, 10000));
    QVERIFY(waitFor([&] {
        return run.slot(1).currentState() == ProcState::Exited && run.slot(2).currentState() == ProcState::Exited;
    }, 20000));
    // Really zombies: the kernel keeps them for their parent.
    for (std::uint32_t i : {1u, 2u}) {
        const pid_t pid = run.slot(i).pid.load();
        QVERIFY(pid > 0);
        QVERIFY(waitFor([&] { return procState(pid) == 'Z'; }, 5000));
    }
    const pid_t daemonPid = run.slot(3).pid.load();
    QVERIFY(procState(daemonPid) != 'Z' && procState(daemonPid) != '?');
    QVERIFY(!isTerminal(run.slot(0).currentState()));
    s->poll();
    QCOMPARE(s->result().value(QStringLiteral("zombies")).toDouble(), 2.0);
    QVERIFY(!s->finished());

    // The parent joins and exits: exit codes booked, the daemon terminated.
    QVERIFY(s->setParam("join", 1));
    QVERIFY(waitFor([&] { return s->finished(); }, 20000));
    QCOMPARE(run.slot(1).currentState(), ProcState::Finished);
    QCOMPARE(run.slot(1).exitStatus.load(), 0);
    QCOMPARE(run.slot(2).currentState(), ProcState::Failed);
    QCOMPARE(run.slot(2).exitStatus.load(), 3);
    QCOMPARE(run.slot(3).currentState(), ProcState::Killed);
    QCOMPARE(run.slot(3).exitStatus.load(), -SIGTERM);
    QCOMPARE(run.slot(0).currentState(), ProcState::Finished);
    const QJsonObject r = s->result();
    QCOMPARE(r.value(QStringLiteral("zombies_seen")).toDouble(), 2.0);
    QCOMPARE(r.value(QStringLiteral("daemons_terminated")).toDouble(), 1.0);
    QCOMPARE(r.value(QStringLiteral("exit_codes")).toArray().size(), 3);
    for (std::uint32_t i = 0; i < 4; ++i) QVERIFY(waitFor([&] { return gone(run.slot(i).pid.load()); }, 5000));
    const std::string answer = s->texts(&r).answer;
    QVERIFY2(answer.find("2 finished children were zombies") != std::string::npos &&
                 answer.find("-15") != std::string::npos,
             answer.c_str());
    s->stop();
}

void TestZombie::killedParentTakesItsChildren()
{
    auto s = zombieLesson(3, 2, 10'000);
    QVERIFY(s->start());
    Run &run = *s->run();
    QVERIFY(waitFor([&] {
        if (run.board().slotCount.load() != 6) return false;
        for (std::uint32_t i = 1; i < 6; ++i)
            if (run.slot(i).pid.load() <= 0 || run.slot(i).currentState() != ProcState::Sleeping) return false;
        return true;
    }, 20000));
    std::vector<pid_t> pids;
    for (std::uint32_t i = 0; i < 6; ++i) pids.push_back(run.slot(i).pid.load());
    QVERIFY(run.kill(0)); // the parent, SIGKILLed
    // Its children die with it (PR_SET_PDEATHSIG), and the run books them.
    QVERIFY(waitFor([&] { return s->finished(); }, 20000));
    for (std::uint32_t i = 0; i < 6; ++i) {
        QCOMPARE(run.slot(i).currentState(), ProcState::Killed);
        QCOMPARE(run.slot(i).exitStatus.load(), -SIGKILL);
    }
    for (pid_t pid : pids) QVERIFY(waitFor([&] { return gone(pid); }, 5000));
    s->stop();
}

void TestZombie::killedChildIsBookedByItsParent()
{
    // The lecturer kills one child (by its slot, as the window does); the
    // parent, when it joins, books -SIGKILL for it and the others' codes.
    auto s = zombieLesson(2, 0, 10'000);
    QVERIFY(s->start());
    Run &run = *s->run();
    QVERIFY(waitFor([&] {
        return run.board().slotCount.load() == 3 && run.slot(1).pid.load() > 0 &&
               run.slot(1).currentState() == ProcState::Sleeping;
    }, 20000));
    const pid_t victim = run.slot(1).pid.load();
    QVERIFY(run.kill(1));
    QVERIFY(waitFor([&] { return procState(victim) == 'Z'; }, 5000)); // dead, not yet joined
    QVERIFY(!isTerminal(run.slot(1).currentState()));
    QVERIFY(s->setParam("join", 1));
    s->stop(); // the parent is asked to finish: it ends the other child and joins both
    QCOMPARE(run.slot(1).currentState(), ProcState::Killed);
    QCOMPARE(run.slot(1).exitStatus.load(), -SIGKILL);
    QVERIFY(isTerminal(run.slot(2).currentState()));
    QVERIFY(waitFor([&] { return gone(victim) && gone(run.slot(2).pid.load()); }, 5000));
}


// A parent reaps its child (the pid leaves /proc) a moment before it books
// how the child ended; the engine must not guess -SIGKILL in that moment.
// Here the "child" is a process the test has reaped itself, exit code 0
// still unbooked, and the would-be parent an idle worker.
void TestZombie::livingParentBooksItsReapedChild()
{
    auto run = Run::create(1 << 20);
    QVERIFY2(run, run ? "" : run.error().toString().c_str());
    auto parent = (*run)->spawn("idle");
    QVERIFY(parent);
    auto slot = (*run)->reserveSlot("child");
    QVERIFY(slot);
    const pid_t reaped = fork();
    if (reaped == 0) _exit(0);
    int status = 0;
    QCOMPARE(waitpid(reaped, &status, 0), reaped);
    (*run)->slot(*slot).pid.store(reaped);
    (*run)->poll();
    QVERIFY(!isTerminal((*run)->slot(*slot).currentState()));
    QVERIFY(!(*run)->allExited());
    // Its parent gone unbooked: then it died with it.
    QVERIFY((*run)->kill(*parent));
    QVERIFY(waitFor([&] { return (*run)->allExited(); }, 10000));
    QCOMPARE((*run)->slot(*slot).exitStatus.load(), -SIGKILL);
    (*run)->stop();
}

QTEST_GUILESS_MAIN(TestZombie)
#include "tst_zombie.moc"
