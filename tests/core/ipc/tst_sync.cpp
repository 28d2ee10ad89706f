// Semaphore, BoundedSemaphore, Event, Condition and Barrier across real
// forked processes sharing one arena: counts, wakeups, timeouts, broken and
// reset barriers, and the errors of bad input.
//
// "Blocked" is established without sleeping for a guessed time: the child
// shows the waiting state on its board slot (StateScope) and the kernel
// reports it sleeping (/proc/PID/stat), so it is inside the futex wait.
#include "arena.h"
#include "barrier.h"
#include "board.h"
#include "condition.h"
#include "event.h"
#include "lock.h"
#include "semaphore.h"
#include "test_support.h"

#include <memory>
#include <set>
#include <vector>

using namespace ipc;
using namespace std::chrono_literals;

namespace {

// Scratch space the children and the parent share.
struct Shared {
    static constexpr ObjectKind kKind = ObjectKind::Raw;
    std::atomic<int> ready{0};
    std::atomic<int> woken{0};
    std::atomic<int> inside{0};
    std::atomic<int> maxInside{0};
    std::atomic<int> violations{0};
    std::atomic<int> go{0};
    int value = 0; // guarded by the test's lock
    std::atomic<int> results[16][16]{};
};

// A child's exit code for an error: 10 + the Errc, so join() tells which.
int codeOf(const Error &e) { return 10 + int(e.code); }
std::optional<int> exitFor(Errc code) { return 10 + int(code); }

bool kernelSleeping(pid_t pid) { return procState(pid) == 'S'; }

struct Fixture {
    Arena arena;
    Board *board = nullptr;
    Shared *shared = nullptr;

    static Fixture make()
    {
        Fixture f;
        auto a = Arena::create(1 << 20);
        if (!a) qFatal("arena: %s", a.error().toString().c_str());
        f.arena = std::move(*a);
        f.board = *f.arena.make<Board>("board");
        f.shared = *f.arena.make<Shared>("shared");
        return f;
    }

    // A forked child with its own board slot attached, as a worker has.
    std::unique_ptr<test::ForkedChild> spawn(std::function<int()> fn, BoardSlot **slotOut = nullptr)
    {
        BoardSlot *slot = *board->claim("child");
        if (slotOut) *slotOut = slot;
        return std::make_unique<test::ForkedChild>([slot, fn] {
            slot->pid.store(getpid());
            telemetry::attach(slot);
            return fn();
        });
    }
};

// Whether the child has exited, without reaping it (ForkedChild::join does).
bool hasExited(pid_t pid)
{
    siginfo_t info{};
    return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

// Waits until the child shows `state` on `object` and sleeps in the kernel.
bool waitBlocked(BoardSlot *slot, const test::ForkedChild &child, ProcState state,
                 std::uint32_t object)
{
    return waitFor([&] {
        return slot->currentState() == state &&
               slot->object.load(std::memory_order_relaxed) == object &&
               kernelSleeping(child.pid());
    });
}

} // namespace

class TestSync : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Semaphore / BoundedSemaphore
    void semaphoreCountsAcrossProcesses();
    void semaphoreLimitsConcurrency();
    void semaphoreReleaseNWakesN();
    void semaphoreTimeouts();
    void boundedSemaphoreOverRelease();
    void semaphoreBadInput();
    // Event
    void eventWakesWaitersInSeveralProcesses();
    void eventPulseWakesEveryWaiter();
    void eventTimeouts();
    // Condition
    void conditionNotifyOneThenAll();
    void conditionWaitForPredicate();
    void conditionTimeouts();
    void conditionNotOwner();
    void conditionWithRLockRestoresDepth();
    void conditionReacquireReportsOwnerDied();
    void conditionRejectsForeignLock();
    // Barrier
    void barrierIndicesDistinctOverGenerations();
    void barrierNWaitingAndLastArrival();
    void barrierSingleParty();
    void barrierTimeoutBreaksForAll();
    void barrierAbort();
    void barrierActionOncePerPhase();
    void barrierResetWhileWaiting();
    void barrierRejectsBadParties();
};

// ---------------------------------------------------------------- Semaphore

void TestSync::semaphoreCountsAcrossProcesses()
{
    Fixture f = Fixture::make();
    auto sem = makeSemaphore(f.arena, "sem", 3);
    QVERIFY(sem);
    Semaphore *s = *sem;
    QCOMPARE(s->value(), 3u);
    for (int i = 0; i < 3; ++i) QVERIFY(s->acquire(kNoWait));
    QCOMPARE(s->value(), 0u);
    auto empty = s->acquire(kNoWait);
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, Errc::Timeout);

    // Another process sees the same count: its try fails, its blocking
    // acquire waits (and says so on the board) until we release.
    auto tryChild = f.spawn([s] {
        auto r = s->acquire(kNoWait);
        return r ? 0 : codeOf(r.error());
    });
    QCOMPARE(tryChild->join(), exitFor(Errc::Timeout));

    BoardSlot *slot = nullptr;
    auto blocker = f.spawn([s] {
        auto r = s->acquire();
        return r ? 0 : codeOf(r.error());
    }, &slot);
    QVERIFY(waitBlocked(slot, *blocker, ProcState::WaitingSemaphore, s->objectIndex));
    QVERIFY(s->release());
    QCOMPARE(blocker->join(), std::optional<int>(0));
    QCOMPARE(s->value(), 0u); // the child took what we released
    QVERIFY(s->release(2));
    QCOMPARE(s->value(), 2u);
}

void TestSync::semaphoreLimitsConcurrency()
{
    Fixture f = Fixture::make();
    auto sem = makeSemaphore(f.arena, "sem", 2);
    QVERIFY(sem);
    Semaphore *s = *sem;
    Shared *sh = f.shared;
    constexpr int kChildren = 4;
    constexpr int kRounds = 300;
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int c = 0; c < kChildren; ++c)
        children.push_back(f.spawn([s, sh] {
            for (int i = 0; i < kRounds; ++i) {
                if (!s->acquire(10s)) return 3;
                const int now = sh->inside.fetch_add(1) + 1;
                if (now > 2) sh->violations.fetch_add(1);
                int seen = sh->maxInside.load();
                while (now > seen && !sh->maxInside.compare_exchange_weak(seen, now)) {}
                sched_yield();
                sh->inside.fetch_sub(1);
                if (!s->release()) return 4;
            }
            return 0;
        }));
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    QCOMPARE(sh->violations.load(), 0);
    QVERIFY(sh->maxInside.load() <= 2);
    QCOMPARE(s->value(), 2u);
}

void TestSync::semaphoreReleaseNWakesN()
{
    Fixture f = Fixture::make();
    auto sem = makeSemaphore(f.arena, "sem", 0);
    QVERIFY(sem);
    Semaphore *s = *sem;
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    std::vector<BoardSlot *> slots(3);
    for (int c = 0; c < 3; ++c)
        children.push_back(f.spawn([s] { return s->acquire(20s) ? 0 : 3; }, &slots[std::size_t(c)]));
    for (int c = 0; c < 3; ++c)
        QVERIFY(waitBlocked(slots[std::size_t(c)], *children[std::size_t(c)],
                            ProcState::WaitingSemaphore, s->objectIndex));

    QVERIFY(s->release(2));
    // Exactly two can finish: the count they consumed is all there was.
    QVERIFY(waitFor([&] {
        int done = 0;
        for (auto &c : children)
            if (hasExited(c->pid())) ++done;
        return done == 2;
    }));
    QCOMPARE(s->value(), 0u);
    int stillBlocked = 0;
    for (auto &c : children)
        if (!hasExited(c->pid())) ++stillBlocked;
    QCOMPARE(stillBlocked, 1);
    QVERIFY(s->release());
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    QCOMPARE(s->value(), 0u);
}

void TestSync::semaphoreTimeouts()
{
    Fixture f = Fixture::make();
    auto sem = makeSemaphore(f.arena, "sem", 0);
    QVERIFY(sem);
    Semaphore *s = *sem;
    auto timed = s->acquire(30ms);
    QVERIFY(!timed);
    QCOMPARE(timed.error().code, Errc::Timeout);
    QVERIFY2(timed.error().message.find("not acquired within 30 ms") != std::string::npos,
             timed.error().message.c_str());
    auto polled = s->acquire(kNoWait);
    QVERIFY(!polled);
    QCOMPARE(polled.error().code, Errc::Timeout);
    QCOMPARE(s->value(), 0u); // a timeout takes nothing

    // A child's timed acquire fails the same way, and leaves the count alone.
    auto child = f.spawn([s] {
        auto r = s->acquire(30ms);
        return r ? 0 : codeOf(r.error());
    });
    QCOMPARE(child->join(), exitFor(Errc::Timeout));
    QVERIFY(s->release());
    QCOMPARE(s->value(), 1u);
    QVERIFY(s->acquire(30ms));
}

void TestSync::boundedSemaphoreOverRelease()
{
    Fixture f = Fixture::make();
    auto bounded = makeBoundedSemaphore(f.arena, "bounded", 2);
    QVERIFY(bounded);
    BoundedSemaphore *b = *bounded;
    QVERIFY(b->bounded());
    QCOMPARE(b->limit(), 2u);
    auto over = b->release();
    QVERIFY(!over);
    QCOMPARE(over.error().code, Errc::ValueError);
    QVERIFY2(over.error().message.find("released too many times") != std::string::npos,
             over.error().message.c_str());
    QCOMPARE(b->value(), 2u);

    QVERIFY(b->acquire(kNoWait));
    auto two = b->release(2); // 1 + 2 > 2: refused whole, nothing added
    QVERIFY(!two);
    QCOMPARE(two.error().code, Errc::ValueError);
    QCOMPARE(b->value(), 1u);
    QVERIFY(b->release());
    QCOMPARE(b->value(), 2u);

    // Over-release from another process is refused too.
    auto child = f.spawn([b] {
        auto r = b->release();
        return r ? 0 : codeOf(r.error());
    });
    QCOMPARE(child->join(), exitFor(Errc::ValueError));
    QCOMPARE(b->value(), 2u);

    // Found as a plain Semaphore it is still bounded: the bound is data.
    auto asPlain = f.arena.find<Semaphore>("bounded");
    QVERIFY(asPlain);
    QCOMPARE((*asPlain)->release().error().code, Errc::ValueError);

    // A plain semaphore may go above its initial value (Python allows it).
    auto plain = makeSemaphore(f.arena, "plain", 1);
    QVERIFY(plain);
    QVERIFY((*plain)->release(5));
    QCOMPARE((*plain)->value(), 6u);
}

void TestSync::semaphoreBadInput()
{
    Fixture f = Fixture::make();
    const auto objectsBefore = f.arena.objects().size();
    auto negative = makeSemaphore(f.arena, "neg", -1);
    QVERIFY(!negative);
    QCOMPARE(negative.error().code, Errc::InvalidArgument);
    QVERIFY(negative.error().message.find("negative") != std::string::npos);
    auto huge = makeBoundedSemaphore(f.arena, "huge", std::int64_t(Semaphore::kMaxValue) + 1);
    QVERIFY(!huge);
    QCOMPARE(huge.error().code, Errc::InvalidArgument);
    QCOMPARE(f.arena.objects().size(), objectsBefore); // nothing half-made

    auto s = makeSemaphore(f.arena, "s", 0);
    QVERIFY(s);
    auto zero = (*s)->release(0);
    QVERIFY(!zero);
    QCOMPARE(zero.error().code, Errc::InvalidArgument);
    auto max = makeSemaphore(f.arena, "max", Semaphore::kMaxValue);
    QVERIFY(max);
    auto overflow = (*max)->release();
    QVERIFY(!overflow);
    QCOMPARE(overflow.error().code, Errc::ValueError);
    QCOMPARE((*max)->value(), Semaphore::kMaxValue);

    // A plain semaphore is not a BoundedSemaphore.
    auto asBounded = f.arena.find<BoundedSemaphore>("s");
    QVERIFY(!asBounded);
    QCOMPARE(asBounded.error().code, Errc::InvalidArgument);
    QVERIFY(asBounded.error().message.find("not a BoundedSemaphore") != std::string::npos);
    // Nor an Event.
    auto asEvent = f.arena.find<Event>("s");
    QVERIFY(!asEvent);
    QCOMPARE(asEvent.error().code, Errc::InvalidArgument);
}

// -------------------------------------------------------------------- Event

void TestSync::eventWakesWaitersInSeveralProcesses()
{
    Fixture f = Fixture::make();
    auto made = f.arena.make<Event>("event");
    QVERIFY(made);
    Event *e = *made;
    QVERIFY(!e->isSet());
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    std::vector<BoardSlot *> slots(3);
    for (int c = 0; c < 3; ++c)
        children.push_back(f.spawn([e] {
            auto r = e->wait();
            if (!r) return codeOf(r.error());
            return e->isSet() ? 0 : 5;
        }, &slots[std::size_t(c)]));
    for (int c = 0; c < 3; ++c)
        QVERIFY(waitBlocked(slots[std::size_t(c)], *children[std::size_t(c)],
                            ProcState::WaitingEvent, e->objectIndex));
    e->set();
    QVERIFY(e->isSet());
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    // Waiters after set() do not block at all.
    QVERIFY(e->wait(kNoWait));
    auto late = f.spawn([e] { return e->wait(kNoWait) ? 0 : 3; });
    QCOMPARE(late->join(), std::optional<int>(0));
    QCOMPARE(e->setCount(), 1u);
    e->set(); // already set: no new transition
    QCOMPARE(e->setCount(), 1u);
}

void TestSync::eventPulseWakesEveryWaiter()
{
    Fixture f = Fixture::make();
    Event *e = *f.arena.make<Event>("event");
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    std::vector<BoardSlot *> slots(2);
    for (int c = 0; c < 2; ++c)
        children.push_back(f.spawn([e] {
            auto r = e->wait(20s);
            return r ? 0 : codeOf(r.error());
        }, &slots[std::size_t(c)]));
    for (int c = 0; c < 2; ++c)
        QVERIFY(waitBlocked(slots[std::size_t(c)], *children[std::size_t(c)],
                            ProcState::WaitingEvent, e->objectIndex));
    // set() then clear() while the waiters are stopped, so none can see the
    // flag up: they were waiting when it was set, so each still succeeds.
    for (auto &c : children) c->kill(SIGSTOP);
    QVERIFY(waitFor([&] {
        for (auto &c : children)
            if (procState(c->pid()) != 'T') return false;
        return true;
    }));
    e->set();
    e->clear();
    QVERIFY(!e->isSet());
    for (auto &c : children) c->kill(SIGCONT);
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
}

void TestSync::eventTimeouts()
{
    Fixture f = Fixture::make();
    Event *e = *f.arena.make<Event>("event");
    auto polled = e->wait(kNoWait);
    QVERIFY(!polled);
    QCOMPARE(polled.error().code, Errc::Timeout);
    auto timed = e->wait(30ms);
    QVERIFY(!timed);
    QCOMPARE(timed.error().code, Errc::Timeout);
    QVERIFY2(timed.error().message.find("not set within 30 ms") != std::string::npos,
             timed.error().message.c_str());

    auto child = f.spawn([e] {
        auto r = e->wait(30ms);
        return r ? 0 : codeOf(r.error());
    });
    QCOMPARE(child->join(), exitFor(Errc::Timeout));

    e->set();
    QVERIFY(e->wait(kNoWait));
    e->clear();
    QVERIFY(!e->isSet());
    auto afterClear = e->wait(kNoWait);
    QVERIFY(!afterClear);
    QCOMPARE(afterClear.error().code, Errc::Timeout);
    // A child sets, the parent's timed wait sees it.
    auto setter = f.spawn([e] {
        e->set();
        return 0;
    });
    QCOMPARE(setter->join(), std::optional<int>(0));
    QVERIFY(e->wait(10s));
}

// ---------------------------------------------------------------- Condition

void TestSync::conditionNotifyOneThenAll()
{
    Fixture f = Fixture::make();
    Lock *lock = *f.arena.make<Lock>("lock");
    auto made = makeCondition(f.arena, "cond", *lock);
    QVERIFY(made);
    Condition *cond = *made;
    Shared *sh = f.shared;
    constexpr int kWaiters = 3;
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    std::vector<BoardSlot *> slots(kWaiters);
    for (int c = 0; c < kWaiters; ++c)
        children.push_back(f.spawn([cond, sh] {
            if (!cond->acquire(10s)) return 3;
            auto r = cond->wait(20s);
            if (!r) return codeOf(r.error());
            if (!cond->lockHeld()) return 4; // wait returns holding the lock
            sh->woken.fetch_add(1);
            return cond->release() ? 0 : 5;
        }, &slots[std::size_t(c)]));
    for (int c = 0; c < kWaiters; ++c)
        QVERIFY(waitBlocked(slots[std::size_t(c)], *children[std::size_t(c)],
                            ProcState::WaitingCondition, cond->objectIndex));

    const auto exited = [&] {
        int n = 0;
        for (auto &c : children)
            if (hasExited(c->pid())) ++n;
        return n;
    };
    QVERIFY(cond->acquire(10s));
    QVERIFY(cond->notify());
    QVERIFY(cond->release());
    QVERIFY(waitFor([&] { return exited() == 1; }));
    QCOMPARE(sh->woken.load(), 1);

    QVERIFY(cond->acquire(10s));
    QVERIFY(cond->notify(1));
    QVERIFY(cond->release());
    QVERIFY(waitFor([&] { return exited() == 2; }));
    QCOMPARE(sh->woken.load(), 2);

    QVERIFY(cond->acquire(10s));
    QVERIFY(cond->notifyAll());
    QVERIFY(cond->release());
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    QCOMPARE(sh->woken.load(), kWaiters);
    QCOMPARE(cond->notifications(), 3u);
}

void TestSync::conditionWaitForPredicate()
{
    Fixture f = Fixture::make();
    Lock *lock = *f.arena.make<Lock>("lock");
    Condition *cond = *makeCondition(f.arena, "cond", *lock);
    Shared *sh = f.shared;
    // A producer process raises the value step by step, notifying each time;
    // the consumer's waitFor returns only once the predicate holds.
    auto producer = f.spawn([cond, sh] {
        for (int i = 0; i < 5; ++i) {
            if (!cond->acquire(10s)) return 3;
            ++sh->value;
            if (!cond->notifyAll()) return 4;
            if (!cond->release()) return 5;
            sched_yield();
        }
        return 0;
    });
    QVERIFY(cond->acquire(10s));
    auto r = cond->waitFor([sh] { return sh->value >= 5; }, 20s);
    QVERIFY2(r, r ? "" : r.error().toString().c_str());
    QCOMPARE(*r, AcquireStatus::Acquired);
    QVERIFY(cond->lockHeld());
    QCOMPARE(sh->value, 5);
    QVERIFY(cond->release());
    QCOMPARE(producer->join(), std::optional<int>(0));

    // A predicate that already holds returns at once, lock still held.
    QVERIFY(cond->acquire(10s));
    auto already = cond->waitFor([] { return true; }, kNoWait);
    QVERIFY(already);
    QVERIFY(cond->lockHeld());
    // One that never holds times out, and the lock is held again.
    int evaluations = 0;
    auto never = cond->waitFor([&] { ++evaluations; return false; }, 30ms);
    QVERIFY(!never);
    QCOMPARE(never.error().code, Errc::Timeout);
    QVERIFY(cond->lockHeld());
    QVERIFY(evaluations >= 2); // before waiting and once more after the timeout
    QVERIFY(cond->release());
}

void TestSync::conditionTimeouts()
{
    Fixture f = Fixture::make();
    Lock *lock = *f.arena.make<Lock>("lock");
    Condition *cond = *makeCondition(f.arena, "cond", *lock);
    QVERIFY(cond->acquire(10s));
    auto timed = cond->wait(30ms);
    QVERIFY(!timed);
    QCOMPARE(timed.error().code, Errc::Timeout);
    QVERIFY2(timed.error().message.find("not notified within 30 ms") != std::string::npos,
             timed.error().message.c_str());
    QCOMPARE(lock->holderPid(), getpid()); // held again after the timeout
    auto polled = cond->wait(kNoWait);
    QVERIFY(!polled);
    QCOMPARE(polled.error().code, Errc::Timeout);
    QVERIFY(cond->lockHeld());

    // While we wait, the lock is free for others: a child takes it and
    // notifies, which it could not do without the lock.
    auto child = f.spawn([cond] {
        auto a = cond->acquire(10s);
        if (!a) return codeOf(a.error());
        if (auto n = cond->notify(); !n) return codeOf(n.error());
        return cond->release() ? 0 : 4;
    });
    auto waited = cond->wait(20s);
    QVERIFY2(waited, waited ? "" : waited.error().toString().c_str());
    QCOMPARE(*waited, AcquireStatus::Acquired);
    QVERIFY(cond->release());
    QCOMPARE(child->join(), std::optional<int>(0));
}

void TestSync::conditionNotOwner()
{
    Fixture f = Fixture::make();
    Lock *lock = *f.arena.make<Lock>("lock");
    Condition *cond = *makeCondition(f.arena, "cond", *lock);
    auto w = cond->wait(10ms);
    QVERIFY(!w);
    QCOMPARE(w.error().code, Errc::NotOwner);
    QVERIFY(w.error().message.find("without holding its lock") != std::string::npos);
    auto wf = cond->waitFor([] { return false; }, 10ms);
    QVERIFY(!wf);
    QCOMPARE(wf.error().code, Errc::NotOwner);
    QCOMPARE(cond->notify().error().code, Errc::NotOwner);
    QCOMPARE(cond->notifyAll().error().code, Errc::NotOwner);
    QCOMPARE(cond->notifications(), 0u); // a refused notify changes nothing

    // Held by another process is not held by us.
    auto holder = f.spawn([lock, sh = f.shared] {
        if (!lock->acquire(10s)) return 3;
        sh->ready.store(1);
        waitFor([sh] { return sh->go.load() == 1; }, 20000);
        return lock->release() ? 0 : 4;
    });
    QVERIFY(waitFor([&] { return f.shared->ready.load() == 1; }));
    auto notMine = cond->wait(10ms);
    QVERIFY(!notMine);
    QCOMPARE(notMine.error().code, Errc::NotOwner);
    QCOMPARE(cond->notify().error().code, Errc::NotOwner);
    f.shared->go.store(1);
    QCOMPARE(holder->join(), std::optional<int>(0));
    QCOMPARE(lock->holderPid(), 0);
}

void TestSync::conditionWithRLockRestoresDepth()
{
    Fixture f = Fixture::make();
    RLock *rlock = *f.arena.make<RLock>("rlock");
    auto made = makeCondition(f.arena, "cond", *rlock);
    QVERIFY(made);
    Condition *cond = *made;
    for (int i = 0; i < 3; ++i) QVERIFY(rlock->acquire(10s));
    // The child can take the RLock only if wait() released all three levels.
    auto notifier = f.spawn([cond, rlock, sh = f.shared] {
        if (!rlock->acquire(20s)) return 3;
        sh->value = 42;
        if (!cond->notify()) return 4;
        return rlock->release() ? 0 : 5;
    });
    auto r = cond->waitFor([sh = f.shared] { return sh->value == 42; }, 20s);
    QVERIFY2(r, r ? "" : r.error().toString().c_str());
    QCOMPARE(notifier->join(), std::optional<int>(0));
    // Depth 3 again: three releases succeed, the fourth is refused.
    for (int i = 0; i < 3; ++i) QVERIFY(rlock->release());
    QCOMPARE(rlock->release().error().code, Errc::NotOwner);
}

void TestSync::conditionReacquireReportsOwnerDied()
{
    Fixture f = Fixture::make();
    Lock *lock = *f.arena.make<Lock>("lock");
    Condition *cond = *makeCondition(f.arena, "cond", *lock);
    QVERIFY(cond->acquire(10s));
    // The notifier dies holding the lock: our wait returns with the lock and
    // the news that its holder died (the data it guarded needs repair).
    auto dying = f.spawn([cond, lock] {
        if (!lock->acquire(20s)) return 3;
        if (!cond->notify()) return 4;
        raise(SIGKILL);
        return 5;
    });
    auto r = cond->wait(20s);
    QVERIFY2(r, r ? "" : r.error().toString().c_str());
    QCOMPARE(*r, AcquireStatus::OwnerDied);
    QVERIFY(cond->lockHeld());
    QCOMPARE(dying->join(), std::optional<int>(-SIGKILL));
    QVERIFY(cond->release());
    QVERIFY(lock->acquire(kNoWait)); // usable afterwards
    QVERIFY(lock->release());
}

void TestSync::conditionRejectsForeignLock()
{
    Fixture f = Fixture::make();
    Lock onStack;
    auto stackBinding = Condition::bind(f.arena, onStack);
    QVERIFY(!stackBinding);
    QCOMPARE(stackBinding.error().code, Errc::InvalidArgument);
    QVERIFY(stackBinding.error().message.find("same arena") != std::string::npos);

    auto other = Arena::create(1 << 16);
    QVERIFY(other);
    Lock *foreign = *other->make<Lock>("lock");
    auto cross = makeCondition(f.arena, "cond", *foreign);
    QVERIFY(!cross);
    QCOMPARE(cross.error().code, Errc::InvalidArgument);

    // The object under the lock's address must really be a lock.
    auto raw = f.arena.find<Shared>("shared");
    QVERIFY(raw);
    auto notALock = Condition::bind(f.arena, *reinterpret_cast<Lock *>(*raw));
    QVERIFY(!notALock);
    QVERIFY(notALock.error().message.find("not a Lock") != std::string::npos);

    // Bound in one arena, constructed in another: refuses every call.
    Lock *lock = *f.arena.make<Lock>("lock");
    auto binding = Condition::bind(f.arena, *lock);
    QVERIFY(binding);
    auto misplaced = other->make<Condition>("cond", *binding);
    QVERIFY(misplaced);
    QVERIFY(lock->acquire(10s));
    auto w = (*misplaced)->wait(10ms);
    QVERIFY(!w);
    QCOMPARE(w.error().code, Errc::InvalidArgument);
    QCOMPARE((*misplaced)->notify().error().code, Errc::InvalidArgument);
    QVERIFY(!(*misplaced)->acquire(kNoWait));
    QVERIFY(lock->release());
}

// ------------------------------------------------------------------ Barrier

void TestSync::barrierIndicesDistinctOverGenerations()
{
    Fixture f = Fixture::make();
    constexpr int kParties = 4;
    constexpr int kGenerations = 8;
    auto made = makeBarrier(f.arena, "barrier", kParties);
    QVERIFY(made);
    Barrier *b = *made;
    Shared *sh = f.shared;
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int c = 0; c < kParties; ++c)
        children.push_back(f.spawn([b, sh, c] {
            for (int g = 0; g < kGenerations; ++g) {
                auto index = b->wait(20s);
                if (!index) return codeOf(index.error());
                sh->results[g][c].store(int(*index) + 1); // 0 = never written
            }
            return 0;
        }));
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    for (int g = 0; g < kGenerations; ++g) {
        std::set<int> indices;
        for (int c = 0; c < kParties; ++c) indices.insert(sh->results[g][c].load() - 1);
        QCOMPARE(indices, (std::set<int>{0, 1, 2, 3}));
    }
    QVERIFY(!b->isBroken());
    QCOMPARE(b->nWaiting(), 0u);
    QCOMPARE(b->generation(), std::uint32_t(kGenerations));
}

void TestSync::barrierNWaitingAndLastArrival()
{
    Fixture f = Fixture::make();
    Barrier *b = *makeBarrier(f.arena, "barrier", 3);
    QCOMPARE(b->parties(), 3u);
    Shared *sh = f.shared;
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    std::vector<BoardSlot *> slots(2);
    for (int c = 0; c < 2; ++c) {
        children.push_back(f.spawn([b, sh, c] {
            auto index = b->wait(20s);
            if (!index) return codeOf(index.error());
            sh->results[0][c].store(int(*index) + 1);
            return 0;
        }, &slots[std::size_t(c)]));
        // One at a time, so the arrival order is known.
        QVERIFY(waitBlocked(slots[std::size_t(c)], *children.back(), ProcState::WaitingBarrier,
                            b->objectIndex));
        QCOMPARE(b->nWaiting(), std::uint32_t(c + 1));
    }
    auto last = b->wait(10s);
    QVERIFY(last);
    QCOMPARE(*last, 2u); // the last arrival gets parties-1 and releases the rest
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    QCOMPARE(sh->results[0][0].load() - 1, 0);
    QCOMPARE(sh->results[0][1].load() - 1, 1);
    QCOMPARE(b->nWaiting(), 0u);
}

void TestSync::barrierSingleParty()
{
    Fixture f = Fixture::make();
    Barrier *b = *makeBarrier(f.arena, "one", 1);
    for (int i = 0; i < 3; ++i) {
        auto index = b->wait(kNoWait); // never blocks: the caller is all parties
        QVERIFY(index);
        QCOMPARE(*index, 0u);
    }
    QCOMPARE(b->generation(), 3u);
}

void TestSync::barrierTimeoutBreaksForAll()
{
    Fixture f = Fixture::make();
    Barrier *b = *makeBarrier(f.arena, "barrier", 3);
    BoardSlot *slot = nullptr;
    auto waiter = f.spawn([b] {
        auto index = b->wait(20s);
        return index ? 0 : codeOf(index.error());
    }, &slot);
    QVERIFY(waitBlocked(slot, *waiter, ProcState::WaitingBarrier, b->objectIndex));
    // Only two of three arrive: our timeout breaks the barrier. As in
    // Python, both of us get BrokenBarrier; our message says we timed out.
    auto timed = b->wait(30ms);
    QVERIFY(!timed);
    QCOMPARE(timed.error().code, Errc::BrokenBarrier);
    QVERIFY2(timed.error().message.find("timed out") != std::string::npos,
             timed.error().message.c_str());
    QCOMPARE(waiter->join(), exitFor(Errc::BrokenBarrier));
    QVERIFY(b->isBroken());
    QCOMPARE(b->nWaiting(), 0u);
    // Arriving at a broken barrier fails at once, whatever the timeout.
    auto late = f.spawn([b] {
        auto index = b->wait();
        return index ? 0 : codeOf(index.error());
    });
    QCOMPARE(late->join(), exitFor(Errc::BrokenBarrier));

    // A zero timeout with parties still missing breaks it too.
    b->reset();
    QVERIFY(!b->isBroken());
    auto polled = b->wait(kNoWait);
    QVERIFY(!polled);
    QCOMPARE(polled.error().code, Errc::BrokenBarrier);
    QVERIFY(b->isBroken());

    // After reset() the barrier works again for three processes.
    b->reset();
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int c = 0; c < 2; ++c)
        children.push_back(f.spawn([b] { return b->wait(20s) ? 0 : 3; }));
    QVERIFY(b->wait(20s));
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
}

// Python's Barrier(action=...): three processes, five phases; the last to
// arrive runs the action before anyone is released, so it runs exactly
// once per phase and every process sees its effect on leaving the wait.
// An action that fails breaks the barrier for all three.
void TestSync::barrierActionOncePerPhase()
{
    Fixture f = Fixture::make();
    Barrier *b = *makeBarrier(f.arena, "barrier", 3);
    Shared *sh = f.shared;
    constexpr int kPhases = 5;
    // Each process counts the phase it completes; after phase p every one
    // must see p + 1 actions, never more (run twice) nor fewer (released early).
    const auto phases = [b, sh] {
        const Barrier::Action action = [sh]() -> Result<void> {
            sh->woken.fetch_add(1);
            return {};
        };
        for (int p = 0; p < kPhases; ++p) {
            if (!b->wait(20s, action)) return 3;
            if (sh->woken.load() != p + 1) return 4;
            // All must have looked before the next phase's action runs.
            if (!b->wait(20s)) return 5;
        }
        return 0;
    };
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int c = 0; c < 2; ++c) children.push_back(f.spawn(phases));
    QCOMPARE(phases(), 0);
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    QCOMPARE(sh->woken.load(), kPhases);

    // An action that fails: every waiter of the phase gets BrokenBarrier.
    const Barrier::Action failing = [] { return fail(Errc::ValueError, "the action's own failure"); };
    children.clear();
    for (int c = 0; c < 2; ++c)
        children.push_back(f.spawn([b, failing] {
            auto index = b->wait(20s, failing);
            return index ? 0 : codeOf(index.error());
        }));
    auto mine = b->wait(20s, failing);
    for (auto &c : children) QCOMPARE(c->join(), exitFor(Errc::BrokenBarrier));
    QVERIFY(!mine);
    QCOMPARE(mine.error().code, Errc::BrokenBarrier);
    QVERIFY(b->isBroken());
}

void TestSync::barrierAbort()
{
    Fixture f = Fixture::make();
    Barrier *b = *makeBarrier(f.arena, "barrier", 3);
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    std::vector<BoardSlot *> slots(2);
    for (int c = 0; c < 2; ++c)
        children.push_back(f.spawn([b] {
            auto index = b->wait(20s);
            return index ? 0 : codeOf(index.error());
        }, &slots[std::size_t(c)]));
    for (int c = 0; c < 2; ++c)
        QVERIFY(waitBlocked(slots[std::size_t(c)], *children[std::size_t(c)],
                            ProcState::WaitingBarrier, b->objectIndex));
    b->abort();
    for (auto &c : children) QCOMPARE(c->join(), exitFor(Errc::BrokenBarrier));
    QVERIFY(b->isBroken());
    auto after = b->wait(10s);
    QVERIFY(!after);
    QCOMPARE(after.error().code, Errc::BrokenBarrier);
    b->abort(); // idempotent
    QVERIFY(b->isBroken());
    b->reset();
    QVERIFY(!b->isBroken());
    children.clear();
    for (int c = 0; c < 2; ++c) children.push_back(f.spawn([b] { return b->wait(20s) ? 0 : 3; }));
    QVERIFY(b->wait(20s));
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
}

void TestSync::barrierResetWhileWaiting()
{
    Fixture f = Fixture::make();
    Barrier *b = *makeBarrier(f.arena, "barrier", 3);
    const std::uint32_t genBefore = b->generation();
    b->reset(); // idle and whole: nothing happens
    QCOMPARE(b->generation(), genBefore);

    std::vector<std::unique_ptr<test::ForkedChild>> children;
    std::vector<BoardSlot *> slots(2);
    for (int c = 0; c < 2; ++c)
        children.push_back(f.spawn([b] {
            auto index = b->wait(20s);
            if (index) return 0;
            if (index.error().message.find("reset") == std::string::npos) return 6;
            return codeOf(index.error());
        }, &slots[std::size_t(c)]));
    for (int c = 0; c < 2; ++c)
        QVERIFY(waitBlocked(slots[std::size_t(c)], *children[std::size_t(c)],
                            ProcState::WaitingBarrier, b->objectIndex));
    QCOMPARE(b->nWaiting(), 2u);
    b->reset();
    // Usable at once, even before the old waiters have run.
    QVERIFY(!b->isBroken());
    QCOMPARE(b->nWaiting(), 0u);
    for (auto &c : children) QCOMPARE(c->join(), exitFor(Errc::BrokenBarrier));
    children.clear();
    for (int c = 0; c < 2; ++c) children.push_back(f.spawn([b] { return b->wait(20s) ? 0 : 3; }));
    auto index = b->wait(20s);
    QVERIFY(index);
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
}

void TestSync::barrierRejectsBadParties()
{
    Fixture f = Fixture::make();
    const auto objectsBefore = f.arena.objects().size();
    for (std::int64_t bad : {std::int64_t(0), std::int64_t(-3),
                             std::int64_t(Barrier::kMaxParties) + 1}) {
        auto checked = Barrier::validate(bad);
        QVERIFY(!checked);
        QCOMPARE(checked.error().code, Errc::InvalidArgument);
        auto made = makeBarrier(f.arena, "b", bad);
        QVERIFY(!made);
        QCOMPARE(made.error().code, Errc::InvalidArgument);
    }
    QVERIFY(makeBarrier(f.arena, "zero", 0).error().message.find("at least 1 party") !=
            std::string::npos);
    QCOMPARE(f.arena.objects().size(), objectsBefore);
    auto ok = Barrier::validate(Barrier::kMaxParties);
    QVERIFY(ok);
    auto made = f.arena.make<Barrier>("max", *ok);
    QVERIFY(made);
    QCOMPARE((*made)->parties(), Barrier::kMaxParties);
}

QTEST_GUILESS_MAIN(TestSync)
#include "tst_sync.moc"
