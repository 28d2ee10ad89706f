// Lock and RLock across real forked processes: mutual exclusion, timeouts,
// ownership errors, recursion, and the lesson Python cannot give: a holder
// SIGKILLed inside its critical section hands the lock on with OwnerDied,
// and nobody hangs.
#include "arena.h"
#include "board.h"
#include "lock.h"
#include "test_support.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

using namespace ipc;
using namespace std::chrono_literals;

namespace {

struct Shared {
    static constexpr ObjectKind kKind = ObjectKind::Raw;
    long counter = 0; // plain, deliberately: only the lock makes it exact
    std::atomic<int> holding{0};
    std::atomic<int> release{0};
    std::atomic<int> statuses[8]{};
};

int codeOf(const Error &e) { return 10 + int(e.code); }
std::optional<int> exitFor(Errc code) { return 10 + int(code); }
// Child exit codes for an acquire's status.
constexpr int kAcquired = 0;
constexpr int kOwnerDied = 5;
int codeOf(AcquireStatus s) { return s == AcquireStatus::OwnerDied ? kOwnerDied : kAcquired; }


struct Fixture {
    Arena arena;
    Board *board = nullptr;
    Shared *shared = nullptr;
    Lock *plain = nullptr;
    RLock *recursive = nullptr;
    AnyLock *lock = nullptr; // whichever of the two: each case runs for both

    static Fixture make(bool recursive)
    {
        Fixture f;
        auto a = Arena::create(1 << 20);
        if (!a) qFatal("arena: %s", a.error().toString().c_str());
        f.arena = std::move(*a);
        f.board = *f.arena.make<Board>("board");
        f.shared = *f.arena.make<Shared>("shared");
        if (recursive) f.lock = f.recursive = *f.arena.make<RLock>("lock");
        else f.lock = f.plain = *f.arena.make<Lock>("lock");
        return f;
    }

    std::unique_ptr<test::ForkedChild> spawn(std::function<int()> fn, BoardSlot **slotOut = nullptr)
    {
        BoardSlot *slot = *board->claim("child");
        if (slotOut) *slotOut = slot;
        return std::make_unique<test::ForkedChild>([slot, fn] {
            telemetry::attach(slot);
            return fn();
        });
    }

    // A child that takes the lock, says so, and holds it until told to let
    // go (or until it is killed).
    std::unique_ptr<test::ForkedChild> holder()
    {
        AnyLock *l = lock;
        Shared *sh = shared;
        sh->holding.store(0);
        sh->release.store(0);
        auto child = spawn([l, sh] {
            auto a = l->acquire(10s);
            if (!a) return codeOf(a.error());
            sh->holding.store(1);
            if (!waitFor([sh] { return sh->release.load() == 1; }, 30000)) return 7;
            auto r = l->release();
            return r ? 0 : codeOf(r.error());
        });
        if (!waitFor([sh] { return sh->holding.load() == 1; })) qFatal("holder did not start");
        return child;
    }
};

void addLockKinds()
{
    QTest::addColumn<bool>("recursive");
    QTest::newRow("Lock") << false;
    QTest::newRow("RLock") << true;
}

} // namespace

class TestLock : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mutualExclusionAcrossProcesses_data() { addLockKinds(); }
    void mutualExclusionAcrossProcesses();
    void timeoutWhileAnotherProcessHolds_data() { addLockKinds(); }
    void timeoutWhileAnotherProcessHolds();
    void releaseWithoutHoldingIsNotOwner_data() { addLockKinds(); }
    void releaseWithoutHoldingIsNotOwner();
    void lockReacquireWouldDeadlock();
    void rlockRecursionDepth();
    void boardShowsWaitingAndCriticalSection();
    void holderKilledParentGetsOwnerDied_data() { addLockKinds(); }
    void holderKilledParentGetsOwnerDied();
    void holderKilledWaitingChildGetsOwnerDied_data() { addLockKinds(); }
    void holderKilledWaitingChildGetsOwnerDied();
    void rlockHolderKilledAtDepth();
    void guardHoldsForItsScope_data() { addLockKinds(); }
    void guardHoldsForItsScope();
    void guardReportsOwnerDied();
    void standardGuardsAcrossProcesses_data() { addLockKinds(); }
    void standardGuardsAcrossProcesses();
    void standardGuardsThrowWhatAcquireReturns();
};

void TestLock::mutualExclusionAcrossProcesses()
{
    QFETCH(bool, recursive);
    Fixture f = Fixture::make(recursive);
    constexpr int kChildren = 4;
    constexpr long kIncrements = 20000;
    AnyLock *l = f.lock;
    Shared *sh = f.shared;
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int c = 0; c < kChildren; ++c)
        children.push_back(f.spawn([l, sh] {
            for (long i = 0; i < kIncrements; ++i) {
                if (!l->acquire(20s)) return 3;
                const long seen = sh->counter;
                if ((i & 63) == 0) sched_yield(); // widen the window a lock must close
                sh->counter = seen + 1;
                if (!l->release()) return 4;
            }
            return 0;
        }));
    for (auto &c : children) QCOMPARE(c->join(60000), std::optional<int>(0));
    QCOMPARE(sh->counter, kChildren * kIncrements);
    QCOMPARE(l->acquisitions(), std::uint64_t(kChildren * kIncrements));
    QCOMPARE(l->holderPid(), 0);
    QCOMPARE(l->ownerDeaths(), 0u);
}

void TestLock::timeoutWhileAnotherProcessHolds()
{
    QFETCH(bool, recursive);
    Fixture f = Fixture::make(recursive);
    auto holder = f.holder();
    QCOMPARE(f.lock->holderPid(), holder->pid());

    auto timed = f.lock->acquire(30ms);
    QVERIFY(!timed);
    QCOMPARE(timed.error().code, Errc::Timeout);
    QVERIFY2(timed.error().message.find(std::to_string(holder->pid())) != std::string::npos,
             timed.error().message.c_str()); // names the holder
    auto polled = f.lock->acquire(kNoWait);
    QVERIFY(!polled);
    QCOMPARE(polled.error().code, Errc::Timeout);
    // A second process times out the same way.
    AnyLock *l = f.lock;
    auto other = f.spawn([l] {
        auto a = l->acquire(30ms);
        return a ? 0 : codeOf(a.error());
    });
    QCOMPARE(other->join(), exitFor(Errc::Timeout));
    QCOMPARE(f.lock->holderPid(), holder->pid()); // timeouts took nothing

    f.shared->release.store(1);
    QCOMPARE(holder->join(), std::optional<int>(0));
    auto free = f.lock->acquire(kNoWait);
    QVERIFY(free);
    QCOMPARE(*free, AcquireStatus::Acquired);
    QCOMPARE(f.lock->holderPid(), getpid());
    QVERIFY(f.lock->release());
}

void TestLock::releaseWithoutHoldingIsNotOwner()
{
    QFETCH(bool, recursive);
    Fixture f = Fixture::make(recursive);
    auto never = f.lock->release();
    QVERIFY(!never);
    QCOMPARE(never.error().code, Errc::NotOwner);

    // Held by another process: our release is refused and changes nothing.
    auto holder = f.holder();
    QCOMPARE(f.lock->release().error().code, Errc::NotOwner);
    QCOMPARE(f.lock->holderPid(), holder->pid());
    f.shared->release.store(1);
    QCOMPARE(holder->join(), std::optional<int>(0));

    // Held by us: another process's release is refused, we still hold it.
    QVERIFY(f.lock->acquire(10s));
    AnyLock *l = f.lock;
    auto intruder = f.spawn([l] {
        auto r = l->release();
        return r ? 0 : codeOf(r.error());
    });
    QCOMPARE(intruder->join(), exitFor(Errc::NotOwner));
    QCOMPARE(f.lock->holderPid(), getpid());
    auto probe = f.spawn([l] {
        auto a = l->acquire(kNoWait);
        return a ? 0 : codeOf(a.error());
    });
    QCOMPARE(probe->join(), exitFor(Errc::Timeout));
    QVERIFY(f.lock->release());
    QCOMPARE(f.lock->release().error().code, Errc::NotOwner); // once is enough
}

void TestLock::lockReacquireWouldDeadlock()
{
    Fixture f = Fixture::make(false);
    Lock *lock = f.plain;
    QVERIFY(lock->acquire(10s));
    for (Duration t : {kNoWait, Duration(30ms), kForever}) {
        auto again = lock->acquire(t);
        QVERIFY(!again);
        QCOMPARE(again.error().code, Errc::WouldDeadlock);
    }
    QCOMPARE(lock->holderPid(), getpid());
    QVERIFY(lock->release()); // held once, not four times
    QCOMPARE(lock->release().error().code, Errc::NotOwner);
    QCOMPARE(lock->holderPid(), 0);
}

void TestLock::rlockRecursionDepth()
{
    Fixture f = Fixture::make(true);
    RLock *lock = f.recursive;
    for (int i = 0; i < 3; ++i) {
        auto a = lock->acquire(kNoWait);
        QVERIFY(a);
        QCOMPARE(*a, AcquireStatus::Acquired);
    }
    QCOMPARE(lock->holderPid(), getpid());
    const auto othersTry = [&] {
        auto probe = f.spawn([lock] {
            auto a = lock->acquire(kNoWait);
            if (!a) return codeOf(a.error());
            return lock->release() ? 0 : 4;
        });
        return probe->join();
    };
    QCOMPARE(othersTry(), exitFor(Errc::Timeout));
    QVERIFY(lock->release());
    QVERIFY(lock->release());
    QCOMPARE(lock->holderPid(), getpid()); // depth 1 still holds
    QCOMPARE(othersTry(), exitFor(Errc::Timeout));
    QVERIFY(lock->release());
    QCOMPARE(lock->holderPid(), 0);
    QCOMPARE(othersTry(), std::optional<int>(0));
    QCOMPARE(lock->release().error().code, Errc::NotOwner);
}

void TestLock::boardShowsWaitingAndCriticalSection()
{
    Fixture f = Fixture::make(false);
    Lock *lock = f.plain;
    QVERIFY(lock->acquire(10s));
    BoardSlot *slot = nullptr;
    auto waiter = f.spawn([lock] {
        auto a = lock->acquire(20s);
        if (!a) return codeOf(a.error());
        // In the critical section the board says so.
        if (telemetry::currentSlot()->currentState() != ProcState::InCriticalSection) return 6;
        if (!lock->release()) return 4;
        return telemetry::currentSlot()->currentState() == ProcState::InCriticalSection ? 7 : 0;
    }, &slot);
    QVERIFY(waitFor([&] {
        return slot->currentState() == ProcState::WaitingLock &&
               slot->object.load() == lock->objectIndex;
    }));
    QVERIFY(lock->release());
    QCOMPARE(waiter->join(), std::optional<int>(0));
}

void TestLock::holderKilledParentGetsOwnerDied()
{
    QFETCH(bool, recursive);
    Fixture f = Fixture::make(recursive);
    auto holder = f.holder();
    QCOMPARE(f.lock->holderPid(), holder->pid());
    holder->kill(SIGKILL);
    QCOMPARE(holder->join(), std::optional<int>(-SIGKILL));

    auto next = f.lock->acquire(10s);
    QVERIFY2(next, next ? "" : next.error().toString().c_str());
    QCOMPARE(*next, AcquireStatus::OwnerDied);
    QCOMPARE(f.lock->holderPid(), getpid());
    QCOMPARE(f.lock->ownerDeaths(), 1u);
    QVERIFY(f.lock->release());

    // Usable for everyone afterwards, with no further owner-died report.
    AnyLock *l = f.lock;
    auto child = f.spawn([l] {
        auto a = l->acquire(10s);
        if (!a) return codeOf(a.error());
        const int status = codeOf(*a);
        auto r = l->release();
        return r ? status : codeOf(r.error());
    });
    QCOMPARE(child->join(), std::optional<int>(kAcquired));
    auto again = f.lock->acquire(kNoWait);
    QVERIFY(again);
    QCOMPARE(*again, AcquireStatus::Acquired);
    QVERIFY(f.lock->release());
    QCOMPARE(f.lock->ownerDeaths(), 1u);
}

void TestLock::holderKilledWaitingChildGetsOwnerDied()
{
    QFETCH(bool, recursive);
    Fixture f = Fixture::make(recursive);
    auto holder = f.holder();
    // Two processes block on the lock (no timeout: only the kernel's
    // owner-died hand-over can free them; their watchdog guards the test).
    AnyLock *l = f.lock;
    Shared *sh = f.shared;
    std::vector<std::unique_ptr<test::ForkedChild>> waiters;
    std::vector<BoardSlot *> slots(2);
    for (int c = 0; c < 2; ++c)
        waiters.push_back(f.spawn([l, sh] {
            auto a = l->acquire();
            if (!a) return codeOf(a.error());
            const int status = codeOf(*a);
            ++sh->counter; // each waiter gets the lock in turn
            auto r = l->release();
            return r ? status : codeOf(r.error());
        }, &slots[std::size_t(c)]));
    for (int c = 0; c < 2; ++c)
        QVERIFY(waitFor([&] {
            return slots[std::size_t(c)]->currentState() == ProcState::WaitingLock &&
                   procState(waiters[std::size_t(c)]->pid()) == 'S';
        }));

    holder->kill(SIGKILL);
    QCOMPARE(holder->join(), std::optional<int>(-SIGKILL));
    // Exactly one waiter learns that the owner died; the other gets the
    // lock normally after it. Nobody hangs.
    std::vector<int> codes;
    for (auto &w : waiters) {
        const auto code = w->join();
        QVERIFY2(code.has_value(), "a waiter hung after the holder was killed");
        codes.push_back(*code);
    }
    std::sort(codes.begin(), codes.end());
    QCOMPARE(codes, (std::vector<int>{kAcquired, kOwnerDied}));
    QCOMPARE(sh->counter, 2L);
    QCOMPARE(f.lock->ownerDeaths(), 1u);
    auto parent = f.lock->acquire(kNoWait);
    QVERIFY(parent);
    QCOMPARE(*parent, AcquireStatus::Acquired);
    QVERIFY(f.lock->release());
}

void TestLock::rlockHolderKilledAtDepth()
{
    Fixture f = Fixture::make(true);
    RLock *lock = f.recursive;
    Shared *sh = f.shared;
    auto holder = f.spawn([lock, sh] {
        for (int i = 0; i < 3; ++i)
            if (!lock->acquire(10s)) return 3;
        sh->holding.store(1);
        pause();
        return 0;
    });
    QVERIFY(waitFor([sh] { return sh->holding.load() == 1; }));
    holder->kill(SIGKILL);
    QCOMPARE(holder->join(), std::optional<int>(-SIGKILL));
    // The dead holder's depth does not carry over: one release frees it.
    auto next = lock->acquire(10s);
    QVERIFY(next);
    QCOMPARE(*next, AcquireStatus::OwnerDied);
    QVERIFY(lock->release());
    QCOMPARE(lock->holderPid(), 0);
    QCOMPARE(lock->release().error().code, Errc::NotOwner);
    auto child = f.spawn([lock] {
        auto a = lock->acquire(kNoWait);
        if (!a) return codeOf(a.error());
        return lock->release() ? codeOf(*a) : 4;
    });
    QCOMPARE(child->join(), std::optional<int>(kAcquired));
}

void TestLock::guardHoldsForItsScope()
{
    QFETCH(bool, recursive);
    Fixture f = Fixture::make(recursive);
    {
        auto held = LockGuard::hold(*f.lock, 1s);
        QVERIFY(held);
        QVERIFY(held->holds());
        QVERIFY(!held->ownerDied());
        QCOMPARE(f.lock->holderPid(), getpid());
        // Moved, the hold goes with it: one release, at the end of the scope.
        LockGuard moved = std::move(*held);
        QVERIFY(!held->holds());
        QCOMPARE(f.lock->holderPid(), getpid());
    }
    QCOMPARE(f.lock->holderPid(), 0);
    // release() ends the hold early and says how it went; the destructor
    // then has nothing left to release.
    auto held = LockGuard::hold(*f.lock, 1s);
    QVERIFY(held);
    QVERIFY(held->release());
    QVERIFY(!held->holds());
    QCOMPARE(f.lock->holderPid(), 0);
    QVERIFY(held->release());
    // While another process holds it, hold() times out like acquire().
    auto holder = f.holder();
    auto blocked = LockGuard::hold(*f.lock, 50ms);
    QVERIFY(!blocked);
    QCOMPARE(blocked.error().code, Errc::Timeout);
    f.shared->release.store(1);
    QCOMPARE(holder->join(), std::optional<int>(0));
}

void TestLock::guardReportsOwnerDied()
{
    Fixture f = Fixture::make(false);
    auto holder = f.holder();
    holder->kill(SIGKILL);
    QCOMPARE(holder->join(), std::optional<int>(-SIGKILL));
    {
        auto held = LockGuard::hold(*f.lock, 10s);
        QVERIFY2(held, held ? "" : held.error().toString().c_str());
        QVERIFY(held->ownerDied());
    }
    auto again = LockGuard::hold(*f.lock, kNoWait);
    QVERIFY(again);
    QVERIFY(!again->ownerDied());
}

void TestLock::standardGuardsAcrossProcesses()
{
    // std::lock_guard and std::unique_lock over an AnyLock keep four
    // processes' increments exact, as acquire/release do.
    QFETCH(bool, recursive);
    Fixture f = Fixture::make(recursive);
    constexpr int kChildren = 4;
    constexpr long kIncrements = 5000;
    AnyLock *l = f.lock;
    Shared *sh = f.shared;
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int c = 0; c < kChildren; ++c)
        children.push_back(f.spawn([l, sh, c] {
            for (long i = 0; i < kIncrements; ++i) {
                const auto add = [&] {
                    const long seen = sh->counter;
                    if ((i & 63) == 0) sched_yield();
                    sh->counter = seen + 1;
                };
                if (c % 2 == 0) {
                    std::lock_guard guard(*l);
                    add();
                } else {
                    std::unique_lock guard(*l, std::defer_lock);
                    while (!guard.try_lock()) sched_yield();
                    add();
                }
            }
            return 0;
        }));
    for (auto &c : children) QCOMPARE(c->join(60000), std::optional<int>(0));
    QCOMPARE(sh->counter, kChildren * kIncrements);
    QCOMPARE(l->holderPid(), 0);
}

void TestLock::standardGuardsThrowWhatAcquireReturns()
{
    Fixture f = Fixture::make(false);
    std::unique_lock guard(*f.lock);
    // A Lock taken again by its holder: WouldDeadlock, thrown.
    try {
        f.lock->lock();
        QFAIL("a second lock() by the holder returned");
    } catch (const LockError &e) {
        QCOMPARE(e.error().code, Errc::WouldDeadlock);
    }
    guard.unlock();
    // Held by another process: try_lock says false, no exception.
    auto holder = f.holder();
    QVERIFY(!guard.try_lock());
    f.shared->release.store(1);
    QCOMPARE(holder->join(), std::optional<int>(0));
    QVERIFY(guard.try_lock());
    guard.unlock();
    // unlock() of a lock this process does not hold: NotOwner, thrown.
    try {
        f.lock->unlock();
        QFAIL("unlock() without holding returned");
    } catch (const LockError &e) {
        QCOMPARE(e.error().code, Errc::NotOwner);
    }
}

QTEST_GUILESS_MAIN(TestLock)
#include "tst_lock.moc"
