#include "lock.h"

#include <cstring>
#include <unistd.h>

namespace ipc::detail {

RobustMutex::RobustMutex(bool recursive) noexcept : m_recursive(recursive)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    // ERRORCHECK turns a self-deadlock into EDEADLK; RECURSIVE counts.
    pthread_mutexattr_settype(&attr, recursive ? PTHREAD_MUTEX_RECURSIVE
                                               : PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&m_mutex, &attr);
    pthread_mutexattr_destroy(&attr);
}

Result<AcquireStatus> RobustMutex::finishAcquire(int rc, std::uint32_t objectIndex) noexcept
{
    AcquireStatus status = AcquireStatus::Acquired;
    if (rc == EOWNERDEAD) {
        // The holder died inside its critical section. Mark the mutex
        // consistent so it stays usable, and tell the caller to repair.
        pthread_mutex_consistent(&m_mutex);
        m_depth = 0;
        m_ownerDeaths.fetch_add(1, std::memory_order_relaxed);
        status = AcquireStatus::OwnerDied;
    } else if (rc == EDEADLK) {
        return fail(Errc::WouldDeadlock, "lock is already held by this process (use RLock to re-enter)");
    } else if (rc == ETIMEDOUT || rc == EBUSY) {
        return fail(Errc::Timeout, "lock held by pid " + std::to_string(holderPid()));
    } else if (rc == ENOTRECOVERABLE) {
        return fail(Errc::Corrupt, "lock is not recoverable (a holder died and nobody repaired it)");
    } else if (rc != 0) {
        return failErrno("acquire lock", rc);
    }
    if (m_depth++ == 0) {
        m_holderPid.store(getpid(), std::memory_order_relaxed);
        telemetry::setState(ProcState::InCriticalSection, objectIndex);
    }
    m_acquisitions.fetch_add(1, std::memory_order_relaxed);
    return status;
}

Result<AcquireStatus> RobustMutex::acquire(Duration timeout, std::uint32_t objectIndex) noexcept
{
    // Fast path: uncontended, no clock read, no board traffic beyond one store.
    int rc = pthread_mutex_trylock(&m_mutex);
    if (rc != EBUSY || timeout == kNoWait) return finishAcquire(rc, objectIndex);

    StateScope waiting(ProcState::WaitingLock, objectIndex);
    if (timeout == kForever) {
        rc = pthread_mutex_lock(&m_mutex);
    } else {
        const Deadline deadline(timeout);
        const timespec abs = deadline.absolute();
        rc = pthread_mutex_clocklock(&m_mutex, CLOCK_MONOTONIC, &abs);
    }
    return finishAcquire(rc, objectIndex);
}

Result<void> RobustMutex::release(std::uint32_t objectIndex) noexcept
{
    // Robust mutexes check ownership: unlock by a non-owner gives EPERM,
    // before we touch m_depth (which only the holder may read).
    if (m_holderPid.load(std::memory_order_relaxed) != getpid())
        return fail(Errc::NotOwner, "release of a lock this process does not hold");
    const bool last = m_depth == 1;
    if (last) {
        m_depth = 0;
        m_holderPid.store(0, std::memory_order_relaxed);
    } else {
        --m_depth;
    }
    const int rc = pthread_mutex_unlock(&m_mutex);
    if (rc == EPERM) return fail(Errc::NotOwner, "release of a lock this process does not hold");
    if (rc != 0) return failErrno("release lock", rc);
    if (last) telemetry::setState(ProcState::Running, kNoObject);
    (void)objectIndex;
    return {};
}

} // namespace ipc::detail
