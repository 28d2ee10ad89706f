// OwnerLock: a small process-shared lock whose word holds the owner's pid,
// for the short critical sections inside Queue (a memcpy and a few
// stores). It survives its owner: a process that finds the lock held by a
// process that no longer exists (or is a zombie) takes it over and is told
// so (AcquireStatus::OwnerDied), and repairs what the lock protects.
//
// Why not Lock (a robust pthread mutex)? The kernel's robust list makes
// every uncontended acquire+release about twice as expensive (list
// bookkeeping and a second locked instruction), and a queue takes two such
// locks per item moved. Here the uncontended path is one CAS to acquire and
// one exchange to release. Death of the owner is found by waiters instead
// of the kernel: a waiter re-checks the owner's liveness every
// kOwnerCheckInterval, so a dead owner costs the next caller at most that
// long, never a hang.
//
// Word: 0 = free, else owner pid | kWaitersBit (someone may sleep on it).
// Pids fit in 22 bits (pid_max <= 2^22), so the bit is free.
// Limits (documented, accepted): a pid recycled by an unrelated process
// before anyone notices the owner died would keep the lock "held"; Linux
// hands out pids cyclically, so that needs pid_max process creations in
// between. One thread per process may use it (the owner is the process).
#pragma once

#include "board.h"
#include "posix_call.h"
#include "result.h"
#include "lock.h" // AcquireStatus

#include <atomic>
#include <chrono>
#include <cstdint>
#include <sys/types.h>

namespace ipc {

// getpid() without a syscall: cached, and refreshed in a fork()ed child.
[[nodiscard]] pid_t currentPid() noexcept;
// False when pid does not exist or is a zombie (died, not yet reaped).
[[nodiscard]] bool processAlive(pid_t pid) noexcept;

class OwnerLock {
public:
    static constexpr std::uint32_t kWaitersBit = 0x80000000u;
    static constexpr auto kOwnerCheckInterval = std::chrono::milliseconds(10);

    // Acquired, or OwnerDied (acquired from a dead owner: repair), or
    // Timeout when the deadline passes first.
    [[nodiscard]] Result<AcquireStatus> acquire(const Deadline &deadline,
                                                std::uint32_t objectIndex = kNoObject) noexcept
    {
        std::uint32_t expected = 0;
        if (m_word.compare_exchange_strong(expected, std::uint32_t(currentPid()),
                                           std::memory_order_acquire, std::memory_order_relaxed))
            [[likely]]
            return AcquireStatus::Acquired;
        return acquireSlow(deadline, objectIndex);
    }
    // Only the owner calls it. A full barrier on x86-64 (locked exchange).
    void release() noexcept
    {
        if (m_word.exchange(0, std::memory_order_seq_cst) & kWaitersBit) [[unlikely]]
            wakeOne();
    }
    [[nodiscard]] pid_t holderPid() const noexcept
    {
        return pid_t(m_word.load(std::memory_order_relaxed) & ~kWaitersBit);
    }

private:
    [[nodiscard]] Result<AcquireStatus> acquireSlow(const Deadline &deadline,
                                                    std::uint32_t objectIndex) noexcept;
    void wakeOne() noexcept;

    std::atomic<std::uint32_t> m_word{0};
};

} // namespace ipc
