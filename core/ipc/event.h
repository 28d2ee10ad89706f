// Event: multiprocessing.Event in the arena, built on one futex word.
//
// Semantics (as Python's): a flag, initially clear. set() sets it and wakes
// every waiter; clear() clears it; isSet() reads it; wait(timeout) returns
// at once if the flag is set, otherwise blocks until a set() or the timeout.
// One refinement over Python: a waiter that was blocked when set() happened
// returns success even if clear() follows before it runs (a "pulse" of
// set(); clear() wakes everyone who was waiting, never nobody), because the
// word counts sets as well as holding the flag.
//
// Errors: wait -> Errc::Timeout (kNoWait on a clear flag, or the time ran out).
// set/clear/isSet cannot fail.
//
// Which processes: any process attached to the arena, any member, any time;
// one thread per process.
//
// Telemetry: a blocking wait shows WaitingEvent with this object's index.
// Killed processes: the state is one word changed by single atomic
// operations; a killed waiter or setter leaves it consistent.
#pragma once

#include "arena.h"
#include "posix_call.h"
#include "result.h"

#include <atomic>
#include <cstdint>

namespace ipc {

class Event {
public:
    static constexpr ObjectKind kKind = ObjectKind::Event;
    std::uint32_t objectIndex = kNoObject;

    Event() noexcept = default;
    Event(const Event &) = delete;
    Event &operator=(const Event &) = delete;

    void set() noexcept;
    void clear() noexcept;
    [[nodiscard]] bool isSet() const noexcept
    {
        return (m_word.load(std::memory_order_acquire) & kFlag) != 0;
    }
    [[nodiscard]] Result<void> wait(Duration timeout = kForever) noexcept;

    // How many times the flag went from clear to set (wraps; for telemetry).
    [[nodiscard]] std::uint32_t setCount() const noexcept
    {
        return m_word.load(std::memory_order_relaxed) >> 1;
    }

private:
    static constexpr std::uint32_t kFlag = 1;
    // bit 0: the flag; bits 1..31: number of clear->set transitions. The
    // futex word: a waiter sleeps while it is unchanged.
    std::atomic<std::uint32_t> m_word{0};
};

} // namespace ipc
