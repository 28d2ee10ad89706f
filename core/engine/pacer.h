// Pacer: how fast a worker's loop may go -- the one place where a role
// waits for its next turn.
//
// Two knobs of the control block set it, both read at every call, so a
// lecturer's change acts on the running processes at once:
//  - paceOpsPerSecond, the "slow motion" every lesson whose workers loop
//    has: at most N operations (increments, puts, gets, lines printed)
//    per second per worker;
//  - ratePerSecond, a producer's or sender's own rate, for the roles made
//    with followsRate.
// The stricter of the two that are set applies; with neither set, wait()
// costs two relaxed loads. A worker sleeps (board state Sleeping) until its
// next slot; one that fell far behind (blocked on a full queue, or just
// slowed down) starts a new schedule instead of bursting to catch up.
//
// Threads: one Pacer per worker loop.
#pragma once

#include "control_block.h"

#include <cstdint>

namespace ipc {

class Pacer {
public:
    explicit Pacer(const ControlBlock *control, bool followsRate = false) noexcept
        : m_control(control), m_followsRate(followsRate)
    {
    }

    // Before each operation. False when the run is stopping (the caller
    // should finish).
    [[nodiscard]] bool wait() noexcept
    {
        if (!m_control) return true;
        if (rate() == 0) [[likely]] {
            m_rate = 0;
            return !m_control->stopping();
        }
        return sleepForTurn();
    }

private:
    [[nodiscard]] std::uint32_t rate() const noexcept;
    bool sleepForTurn() noexcept;

    const ControlBlock *m_control;
    bool m_followsRate;
    std::uint32_t m_rate = 0;   // the rate the schedule below was made for
    std::uint64_t m_baseNs = 0; // the schedule: slot k at base + k * interval
    std::uint64_t m_count = 0;
};

} // namespace ipc
