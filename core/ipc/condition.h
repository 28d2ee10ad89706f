// Condition: multiprocessing.Condition in the arena -- a wait queue bound to
// a Lock or RLock of the same arena, built on a sequence-counter futex
// (never on a pthread condvar, whose waiter bookkeeping a SIGKILL corrupts).
//
// Binding: the lock is fixed when the condition is made (as Python's
// Condition(lock)). The condition stores the lock's distance from itself,
// which is the same in every process that maps the arena, so no pointer is
// shared. Make one with makeCondition(arena, name, lock), or with
// arena.make<Condition>(name, *Condition::bind(arena, lock)) on that same
// arena; bind() checks that the lock is an object of the arena. A Condition
// constructed anywhere else refuses every call with InvalidArgument.
//
// Semantics (as Python's):
//   acquire()/release() act on the bound lock (`with cond:`).
//   wait(timeout): the caller must hold the lock. Releases it (an RLock
//     completely, however deep the caller's recursion), sleeps until a
//     notify or the timeout, re-acquires it (blocking, as Python does; the
//     timeout bounds only the wait for a notify) and restores the RLock's
//     depth. Spurious returns are possible (a notify(1) may release more
//     than one waiter): callers re-check their predicate, or use waitFor.
//   waitFor(predicate, timeout): waits until predicate() (evaluated with the
//     lock held) is true or the time is up; one deadline for the whole loop.
//   notify(n) wakes up to n waiters, notifyAll() all; the caller must hold
//     the lock, as in Python (RuntimeError there, NotOwner here).
//
// Results and errors:
//   wait/waitFor -> AcquireStatus::Acquired normally;
//     AcquireStatus::OwnerDied when re-acquiring the lock found that its
//     previous holder died: repair the protected data first. OwnerDied
//     takes precedence over Timeout (repair cannot wait), and waitFor
//     returns it at once without evaluating the predicate on unrepaired data.
//   Errc::Timeout: no notify in time (wait) / predicate still false (waitFor);
//     the lock is held again, as after a notify.
//   Errc::NotOwner: wait, waitFor, notify or notifyAll without holding the
//     lock; nothing changes.
//   Errc::InvalidArgument: the condition is not in its lock's arena.
//   Any error of re-acquiring the lock (Corrupt) -- then the lock is not held.
//
// Which processes: any process attached to the arena; one thread per
// process.
//
// Telemetry: a waiter shows WaitingCondition (this object's index) while it
// sleeps, WaitingLock while it re-acquires, InCriticalSection once it holds.
//
// Killed processes: the state is one counter bumped by single atomic
// operations. A waiter killed while it sleeps leaves at most a stale waiter
// hint (a later notify makes one needless syscall). A waiter killed after a
// notify woke it, before it re-took the lock, absorbs that notification, as
// in Python; notifyAll, and waitFor with a timeout, are immune.
#pragma once

#include "arena.h"
#include "lock.h"
#include "posix_call.h"
#include "result.h"

#include <atomic>
#include <cstdint>

namespace ipc {

class Condition {
public:
    static constexpr ObjectKind kKind = ObjectKind::Condition;
    std::uint32_t objectIndex = kNoObject;

    // A lock checked to live in an arena; only bind() makes one.
    class Binding {
    private:
        friend class Condition;
        Binding(void *lock, bool recursive, const Arena &arena) noexcept;
        void *m_lock;
        bool m_recursive;
        const std::byte *m_arenaBegin;
        const std::byte *m_arenaEnd;
    };
    // InvalidArgument if the lock is not an object of this arena.
    [[nodiscard]] static Result<Binding> bind(const Arena &arena, Lock &lock);
    [[nodiscard]] static Result<Binding> bind(const Arena &arena, RLock &lock);

    explicit Condition(const Binding &binding) noexcept;
    Condition(const Condition &) = delete;
    Condition &operator=(const Condition &) = delete;

    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout = kForever) noexcept;
    [[nodiscard]] Result<void> release() noexcept;

    [[nodiscard]] Result<AcquireStatus> wait(Duration timeout = kForever) noexcept
    {
        return waitUntil(Deadline(timeout), timeout);
    }

    template <class Predicate>
    [[nodiscard]] Result<AcquireStatus> waitFor(Predicate &&predicate, Duration timeout = kForever)
    {
        if (auto held = checkHeld("waitFor"); !held) return std::unexpected(held.error());
        const Deadline deadline(timeout);
        while (!predicate()) {
            auto woken = waitUntil(deadline, timeout);
            if (!woken) {
                if (woken.error().code == Errc::Timeout && predicate()) break;
                return woken;
            }
            if (*woken == AcquireStatus::OwnerDied) return woken;
        }
        return AcquireStatus::Acquired;
    }

    [[nodiscard]] Result<void> notify(std::uint32_t n = 1) noexcept;
    [[nodiscard]] Result<void> notifyAll() noexcept;

    // Whether the calling process holds the bound lock.
    [[nodiscard]] bool lockHeld() const noexcept;
    // Number of notify/notifyAll calls so far (wraps; for telemetry).
    [[nodiscard]] std::uint32_t notifications() const noexcept
    {
        return m_sequence.load(std::memory_order_relaxed);
    }

private:
    [[nodiscard]] Result<AcquireStatus> waitUntil(const Deadline &deadline,
                                                  Duration timeout) noexcept;
    [[nodiscard]] Result<void> checkHeld(const char *call) const;
    [[nodiscard]] Result<void> checkBound() const;
    [[nodiscard]] Lock *plainLock() const noexcept;
    [[nodiscard]] RLock *recursiveLock() const noexcept;

    // Distance from this object to its lock in bytes; 0 = not bound.
    std::int64_t m_lockOffset = 0;
    std::uint32_t m_recursive = 0;
    // The futex word: bumped by every notify. A waiter sleeps while it still
    // holds the value it read under the lock.
    std::atomic<std::uint32_t> m_sequence{0};
    std::atomic<std::uint32_t> m_waiters{0}; // hint: lets notify skip the syscall
};

// Bind and construct in the arena. Errors: InvalidArgument (lock not in
// this arena), and those of Arena::make.
[[nodiscard]] Result<Condition *> makeCondition(Arena &arena, std::string_view name, Lock &lock);
[[nodiscard]] Result<Condition *> makeCondition(Arena &arena, std::string_view name, RLock &lock);

} // namespace ipc
