#include "owner_lock.h"

#include "futex.h"
#include "proc_stat.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

namespace ipc {

namespace {

std::atomic<pid_t> g_pid{0};

void refreshPidInChild() noexcept { g_pid.store(getpid(), std::memory_order_relaxed); }

} // namespace

pid_t currentPid() noexcept
{
    const pid_t cached = g_pid.load(std::memory_order_relaxed);
    if (cached) [[likely]]
        return cached;
    // Registered before the cache is filled, so a fork() after this point
    // always refreshes the child's copy.
    static const bool registered = [] {
        pthread_atfork(nullptr, nullptr, &refreshPidInChild);
        return true;
    }();
    (void)registered;
    const pid_t pid = getpid();
    g_pid.store(pid, std::memory_order_relaxed);
    return pid;
}

bool processAlive(pid_t pid) noexcept
{
    if (pid <= 0) return false;
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    // kill() succeeds on a zombie: a process that died but was not reaped
    // yet. Its state in /proc/PID/stat says so.
    const std::optional<ProcStat> stat = readProcStat(pid);
    if (!stat) return errno != ENOENT; // unreadable but there: alive
    return stat->state != 'Z' && stat->state != 'X' && stat->state != 'x';
}

Result<AcquireStatus> OwnerLock::acquireSlow(const Deadline &deadline, std::uint32_t objectIndex) noexcept
{
    const auto self = std::uint32_t(currentPid());
    // The holder is usually in the middle of a memcpy: spin briefly first.
    for (int i = 0; i < 100; ++i) {
        __builtin_ia32_pause();
        std::uint32_t expected = 0;
        if (m_word.load(std::memory_order_relaxed) == 0 &&
            m_word.compare_exchange_strong(expected, self, std::memory_order_acquire,
                                           std::memory_order_relaxed))
            return AcquireStatus::Acquired;
    }
    StateScope waiting(ProcState::WaitingLock, objectIndex);
    std::uint64_t nextCheckNs = 0; // check the owner at once, then every interval
    for (;;) {
        std::uint32_t v = m_word.load(std::memory_order_relaxed);
        if (v == 0) {
            // Others may be asleep on the word: keep the bit so our release wakes one.
            if (m_word.compare_exchange_strong(v, self | kWaitersBit, std::memory_order_acquire,
                                               std::memory_order_relaxed))
                return AcquireStatus::Acquired;
            continue;
        }
        const auto owner = pid_t(v & ~kWaitersBit);
        const std::uint64_t now = monotonicNs();
        if (now >= nextCheckNs) {
            // Our own pid here means a dead process that had our pid before
            // us (the queue never re-enters its lock).
            if (owner == pid_t(self) || !processAlive(owner)) {
                if (m_word.compare_exchange_strong(v, self | kWaitersBit, std::memory_order_acquire,
                                                   std::memory_order_relaxed))
                    return AcquireStatus::OwnerDied;
                continue;
            }
            nextCheckNs = now + std::uint64_t(std::chrono::nanoseconds(kOwnerCheckInterval).count());
        }
        if (!(v & kWaitersBit)) {
            if (!m_word.compare_exchange_strong(v, v | kWaitersBit, std::memory_order_relaxed))
                continue;
            v |= kWaitersBit;
        }
        if (deadline.expired())
            return fail(Errc::Timeout, "lock held by pid " + std::to_string(owner));
        const Deadline slice(deadline.forever()
                                 ? Duration(kOwnerCheckInterval)
                                 : std::min<Duration>(kOwnerCheckInterval,
                                                      std::chrono::milliseconds(deadline.pollMs())));
        (void)futexWait(m_word, v, slice);
    }
}

void OwnerLock::wakeOne() noexcept { futexWake(m_word, 1); }

} // namespace ipc
