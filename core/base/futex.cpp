#include "futex.h"

#include <climits>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ipc {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

WaitOutcome futexWait(std::atomic<std::uint32_t> &word, std::uint32_t expected,
                      const Deadline &deadline) noexcept
{
    if (deadline.expired()) return WaitOutcome::TimedOut;
    const timespec abs = deadline.absolute();
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline; not
    // FUTEX_PRIVATE_FLAG, because waiter and waker are different processes.
    const long r = syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAIT_BITSET,
                           expected, deadline.forever() ? nullptr : &abs, nullptr,
                           FUTEX_BITSET_MATCH_ANY);
    if (r == -1 && errno == ETIMEDOUT) return WaitOutcome::TimedOut;
    return WaitOutcome::Woken; // woken, value changed (EAGAIN) or EINTR: caller re-checks
}

void futexWake(std::atomic<std::uint32_t> &word, int count) noexcept
{
    syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAKE, count, nullptr,
            nullptr, 0);
}

} // namespace ipc
