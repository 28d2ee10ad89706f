// Process-shared futex wait/wake on a 32-bit word in shared memory.
// The building block of Semaphore, Event, Condition and Barrier: a process
// killed while waiting leaves nothing behind (unlike a pthread condvar,
// whose waiter bookkeeping a SIGKILL can corrupt).
#pragma once

#include "posix_call.h"

#include <atomic>
#include <cstdint>

namespace ipc {

enum class WaitOutcome { Woken, TimedOut };

// Blocks while *word == expected, until woken or the deadline passes.
// Spurious wakeups are possible: callers re-check their condition.
WaitOutcome futexWait(std::atomic<std::uint32_t> &word, std::uint32_t expected,
                      const Deadline &deadline) noexcept;
void futexWake(std::atomic<std::uint32_t> &word, int count) noexcept;
inline void futexWakeAll(std::atomic<std::uint32_t> &word) noexcept
{
    futexWake(word, 0x7fffffff);
}

} // namespace ipc
