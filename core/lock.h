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
#include <pthread.h>

namespace ipc {

enum class AcquireStatus {
    Acquired,  // the normal case
    OwnerDied, // acquired; the previous holder died holding it: repair the data
};

namespace detail {

// Shared by Lock and RLock: a robust, process-shared, error-checking or
// recursive pthread mutex and the pid of its holder (for the diagram).
class RobustMutex {
public:
    explicit RobustMutex(bool recursive) noexcept;
    ~RobustMutex() = default; // lives as long as the arena; never destroyed in place
    RobustMutex(const RobustMutex &) = delete;
    RobustMutex &operator=(const RobustMutex &) = delete;

    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout, std::uint32_t objectIndex) noexcept;
    [[nodiscard]] Result<void> release(std::uint32_t objectIndex) noexcept;
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

private:
    [[nodiscard]] Result<AcquireStatus> finishAcquire(int rc, std::uint32_t objectIndex) noexcept;

    pthread_mutex_t m_mutex;
    bool m_recursive;
    std::uint32_t m_depth = 0; // recursion depth, guarded by m_mutex
    std::atomic<std::int32_t> m_holderPid{0};
    std::atomic<std::uint64_t> m_acquisitions{0};
    std::atomic<std::uint64_t> m_ownerDeaths{0};
};

} // namespace detail

class Lock {
public:
    static constexpr ObjectKind kKind = ObjectKind::Lock;
    std::uint32_t objectIndex = kNoObject;

    Lock() noexcept : m_mutex(false) {}

    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout = kForever) noexcept
    {
        return m_mutex.acquire(timeout, objectIndex);
    }
    [[nodiscard]] Result<void> release() noexcept { return m_mutex.release(objectIndex); }
    [[nodiscard]] std::int32_t holderPid() const noexcept { return m_mutex.holderPid(); }
    [[nodiscard]] std::uint64_t acquisitions() const noexcept { return m_mutex.acquisitions(); }
    [[nodiscard]] std::uint64_t ownerDeaths() const noexcept { return m_mutex.ownerDeaths(); }

private:
    detail::RobustMutex m_mutex;
};

class RLock {
public:
    static constexpr ObjectKind kKind = ObjectKind::RLock;
    std::uint32_t objectIndex = kNoObject;

    RLock() noexcept : m_mutex(true) {}

    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout = kForever) noexcept
    {
        return m_mutex.acquire(timeout, objectIndex);
    }
    [[nodiscard]] Result<void> release() noexcept { return m_mutex.release(objectIndex); }
    [[nodiscard]] std::int32_t holderPid() const noexcept { return m_mutex.holderPid(); }
    [[nodiscard]] std::uint64_t acquisitions() const noexcept { return m_mutex.acquisitions(); }
    [[nodiscard]] std::uint64_t ownerDeaths() const noexcept { return m_mutex.ownerDeaths(); }

private:
    detail::RobustMutex m_mutex;
};

} // namespace ipc
