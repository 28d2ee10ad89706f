// Step mode: the lecturer is the scheduler. In step mode a worker stops
// before each operation on a shared object it is written to gate ("read
// counter", "write 42 to counter", "acquire lock") and says which; the
// engine lets one process at a time take exactly one step. The order of
// the steps taken is the run's schedule, and replaying it gives the same
// interleaving of real processes, so the same result.
//
// One StepSlot per board slot, in the run's StepControl ("steps", made
// with the board). Writers: the engine switches the mode and grants steps
// (granted, a futex word); each worker writes its own slot's next, seen,
// taken and arrived. Outside step mode a gate costs one relaxed load and a
// branch.
//
// SIGKILL: a process killed at its gate leaves its slot as it was; its
// board state says it is gone, and the engine does not grant it steps.
#pragma once

#include "board.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace ipc {

struct alignas(64) StepSlot {
    static constexpr std::size_t kTextSize = 40;
    std::atomic<std::uint32_t> granted{0}; // steps the engine has allowed (futex word)
    std::atomic<std::uint32_t> taken{0};   // steps the process has begun
    std::atomic<std::uint32_t> arrived{0}; // gates it has reached in step mode
    std::atomic<std::uint32_t> hasSeen{0}; // 1 once `seen` holds a read
    std::atomic<std::int64_t> seen{0};     // what its last read step read: its private copy
    char next[kTextSize]{};                // what it will do next, NUL-terminated

    // At its gate, waiting for a step the engine has not yet granted.
    [[nodiscard]] bool waiting() const noexcept
    {
        const std::uint32_t t = taken.load(std::memory_order_acquire);
        return arrived.load(std::memory_order_acquire) > t && granted.load(std::memory_order_acquire) == t;
    }
};

struct StepControl {
    static constexpr ObjectKind kKind = ObjectKind::Scenario;

    std::atomic<std::uint32_t> enabled{0};
    StepSlot slots[Board::kMaxSlots];

    // Engine: on or off; off lets every process at its gate go on.
    void setEnabled(bool on) noexcept;
    // Engine: one step for the process in `slot` (it must be waiting).
    void grant(std::uint32_t slot) noexcept;
};

namespace telemetry {

// This process's step slot and the run's stop request (nonzero: stop),
// attached by the worker; null: no gates (tests, benchmarks).
inline StepControl *g_steps = nullptr;
inline StepSlot *g_stepSlot = nullptr;
inline const std::atomic<std::uint32_t> *g_stepStop = nullptr;

void attachSteps(StepControl *steps, std::uint32_t slot, const std::atomic<std::uint32_t> *stopRequested) noexcept;

namespace detail {
[[nodiscard]] bool waitForStep(std::string_view what) noexcept;
}

// Before an operation on a shared object: in step mode, says what comes
// and waits for a step. False when the run is stopping instead.
[[nodiscard]] inline bool stepGate(std::string_view what) noexcept
{
    if (StepControl *s = g_steps; s && s->enabled.load(std::memory_order_relaxed) != 0) [[unlikely]]
        return detail::waitForStep(what);
    return true;
}

// In step mode, the value a read step read (the diagram shows it as the
// process's private copy).
inline void noteRead(std::int64_t value) noexcept
{
    if (StepSlot *s = g_stepSlot; s && g_steps->enabled.load(std::memory_order_relaxed) != 0) [[unlikely]] {
        s->seen.store(value, std::memory_order_relaxed);
        s->hasSeen.store(1, std::memory_order_release);
    }
}

[[nodiscard]] inline bool stepping() noexcept
{
    return g_steps && g_steps->enabled.load(std::memory_order_relaxed) != 0;
}

} // namespace telemetry

} // namespace ipc
