// Lock and RLock: process-shared robust mutexes living in the arena, with
// Python's multiprocessing.Lock / RLock semantics, plus what Python lacks:
// when the holder dies, the next acquirer gets the lock *and* is told
// (AcquireStatus::OwnerDied), repairs whatever the lock protected, and the
// lock stays usable for everyone. Python's Lock hangs forever there.
//
// acquire(kForever) blocks; acquire(kNoWait) tries once; any other timeout
// waits at most that long and returns Errc::Timeout.
// Errors: release() by a process that does not hold it -> Errc::NotOwner;
// Lock::acquire() by the process already holding it -> Errc::WouldDeadlock
// (Python would hang; RLock counts instead).
//
// Any process attached to the arena may call any member. One thread per
// process (workers are single-threaded); the owner is the calling thread.
//
// Telemetry: a contended acquire shows WaitingLock on the caller's board
// slot while it waits; a holder shows InCriticalSection until release.
#pragma once

#include "arena.h"
#include "board.h"
#include "posix_call.h"
#include "result.h"

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <utility>

namespace ipc {

enum class AcquireStatus {
    Acquired,  // the normal case
    OwnerDied, // acquired; the previous holder died holding it: repair the data
};

namespace detail {

// One link of a thread's robust list: the kernel's `struct robust_list`.
struct RobustLink {
    RobustLink *next;
};

// Shared by Lock and RLock: a 32-bit futex word in the kernel's robust-futex
// format (owner thread id | FUTEX_WAITERS | FUTEX_OWNER_DIED) plus the link
// that puts the lock on its holder's robust list while it is held.
//
// Why not a PTHREAD_MUTEX_ROBUST pthread mutex: glibc's robust lock and
// unlock take its general slow path and cost about twice a plain mutex;
// this lock's uncontended path is one compare-and-swap, a few stores to the
// lock's own cache line and a thread-local list, and a contended acquire
// sleeps at once (lock.cpp says why). Owner death is still detected by the kernel: every thread that
// takes a lock registers its own robust list (set_robust_list), and when the
// thread dies the kernel marks each lock it held FUTEX_OWNER_DIED and wakes
// a waiter. That list replaces glibc's for the thread, so a thread that uses
// Lock must not also rely on PTHREAD_MUTEX_ROBUST pthread mutexes (core uses
// none). A forked child starts with an empty list (pthread_atfork).
//
// Layout: m_link and m_word sit at a fixed distance (the list's futex offset)
// in every lock; the link holds pointers of the holder's address space and
// is read by nobody else.
class RobustMutex {
public:
    explicit RobustMutex(bool recursive) noexcept : m_recursive(recursive) {}
    ~RobustMutex() = default; // lives as long as the arena; never destroyed in place
    RobustMutex(const RobustMutex &) = delete;
    RobustMutex &operator=(const RobustMutex &) = delete;

    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout, std::uint32_t objectIndex) noexcept;
    [[nodiscard]] Result<void> release(std::uint32_t objectIndex) noexcept;
    [[nodiscard]] bool isRecursive() const noexcept { return m_recursive; }
    [[nodiscard]] std::int32_t holderPid() const noexcept
    {
        return m_holderPid.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t acquisitions() const noexcept
    {
        return m_acquisitions.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t ownerDeaths() const noexcept
    {
        return m_ownerDeaths.load(std::memory_order_relaxed);
    }

    // Distance from a lock's link to its futex word, for the robust list head.
    [[nodiscard]] static long futexOffset() noexcept;

private:
    [[nodiscard]] Result<AcquireStatus> acquireContended(std::uint32_t seen, Duration timeout,
                                                         std::uint32_t objectIndex) noexcept;
    [[nodiscard]] AcquireStatus finishAcquire(AcquireStatus status, std::uint32_t objectIndex) noexcept;
    void noteHeld(std::uint32_t objectIndex) noexcept;

    RobustLink m_link{nullptr};
    std::atomic<std::uint32_t> m_word{0};     // 0 = free; see the class comment
    std::atomic<std::int32_t> m_holderPid{0}; // for the diagram; 0 when free
    std::uint32_t m_depth = 0;                // recursion depth, written by the holder only
    bool m_recursive;
    // Written by the holder only (load + store, no locked instruction).
    std::atomic<std::uint64_t> m_acquisitions{0};
    std::atomic<std::uint64_t> m_ownerDeaths{0};
};

} // namespace detail

// What Lock and RLock share: the same robust mutex, recursive or not, and
// the same members, so code that takes "a lock" (a Value's get_lock(), a
// role told to use a separate Lock) takes an AnyLock. Whether it counts
// re-acquisitions is fixed when the lock is made.
class AnyLock {
public:
    std::uint32_t objectIndex = kNoObject;

    explicit AnyLock(bool recursive) noexcept : m_mutex(recursive) {}

    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout = kForever) noexcept
    {
        return m_mutex.acquire(timeout, objectIndex);
    }
    [[nodiscard]] Result<void> release() noexcept { return m_mutex.release(objectIndex); }

    // Lockable, for std::lock_guard, std::unique_lock and std::scoped_lock,
    // which can hear of a failure only as an exception: lock() and
    // try_lock() throw LockError (WouldDeadlock, a system error), unlock()
    // throws NotOwner. An acquire after a holder's death succeeds without
    // telling: code that repairs after one uses LockGuard.
    void lock();
    [[nodiscard]] bool try_lock();
    void unlock();

    [[nodiscard]] bool isRecursive() const noexcept { return m_mutex.isRecursive(); }
    [[nodiscard]] std::int32_t holderPid() const noexcept { return m_mutex.holderPid(); }
    [[nodiscard]] std::uint64_t acquisitions() const noexcept { return m_mutex.acquisitions(); }
    [[nodiscard]] std::uint64_t ownerDeaths() const noexcept { return m_mutex.ownerDeaths(); }

private:
    detail::RobustMutex m_mutex;
};

// What AnyLock's lock(), try_lock() and unlock() throw.
class LockError : public std::runtime_error {
public:
    explicit LockError(Error error) : std::runtime_error(error.toString()), m_error(std::move(error)) {}
    [[nodiscard]] const Error &error() const noexcept { return m_error; }

private:
    Error m_error;
};

// Python's `with lock:` -- holds a lock for a scope, errors as values:
//     auto held = LockGuard::hold(lock);
//     if (!held) return ...;                 // Timeout, WouldDeadlock
//     if (held->ownerDied()) repair();       // the last holder died
//     ...                                    // released at the end of scope
// release() ends the hold early and reports what the destructor cannot.
class [[nodiscard]] LockGuard {
public:
    [[nodiscard]] static Result<LockGuard> hold(AnyLock &lock, Duration timeout = kForever) noexcept;

    LockGuard(LockGuard &&other) noexcept : m_lock(std::exchange(other.m_lock, nullptr)), m_status(other.m_status) {}
    LockGuard &operator=(LockGuard &&other) noexcept;
    LockGuard(const LockGuard &) = delete;
    LockGuard &operator=(const LockGuard &) = delete;
    ~LockGuard() { (void)release(); }

    // The previous holder died holding the lock: repair what it protects.
    [[nodiscard]] bool ownerDied() const noexcept { return m_status == AcquireStatus::OwnerDied; }
    [[nodiscard]] bool holds() const noexcept { return m_lock != nullptr; }
    [[nodiscard]] Result<void> release() noexcept;

private:
    LockGuard(AnyLock &lock, AcquireStatus status) noexcept : m_lock(&lock), m_status(status) {}

    AnyLock *m_lock;
    AcquireStatus m_status;
};

// multiprocessing.Lock: a second acquire by its holder is WouldDeadlock.
class Lock : public AnyLock {
public:
    static constexpr ObjectKind kKind = ObjectKind::Lock;
    Lock() noexcept : AnyLock(false) {}
};

// multiprocessing.RLock: its holder may acquire it again; it is free once
// released as often as acquired.
class RLock : public AnyLock {
public:
    static constexpr ObjectKind kKind = ObjectKind::RLock;
    RLock() noexcept : AnyLock(true) {}
};

static_assert(sizeof(Lock) == sizeof(AnyLock) && sizeof(RLock) == sizeof(AnyLock),
              "a Lock and an RLock are an AnyLock with nothing added");

} // namespace ipc
