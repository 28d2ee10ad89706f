#include "step_gate.h"

#include "futex.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace ipc {

void StepControl::setEnabled(bool on) noexcept
{
    enabled.store(on ? 1 : 0, std::memory_order_release);
    if (on) return;
    for (StepSlot &s : slots) {
        // Whoever waits re-reads `enabled` when woken.
        s.granted.fetch_add(1, std::memory_order_acq_rel);
        futexWakeAll(s.granted);
    }
}

void StepControl::grant(std::uint32_t slot) noexcept
{
    if (slot >= Board::kMaxSlots) return;
    StepSlot &s = slots[slot];
    s.granted.store(s.taken.load(std::memory_order_acquire) + 1, std::memory_order_release);
    futexWakeAll(s.granted);
}

namespace telemetry {

void attachSteps(StepControl *steps, std::uint32_t slot, const std::atomic<std::uint32_t> *stopRequested) noexcept
{
    g_steps = steps && slot < Board::kMaxSlots ? steps : nullptr;
    g_stepSlot = g_steps ? &steps->slots[slot] : nullptr;
    g_stepStop = stopRequested;
}

namespace detail {

bool waitForStep(std::string_view what) noexcept
{
    StepSlot *s = g_stepSlot;
    if (!s) return true;
    const std::size_t n = std::min(what.size(), StepSlot::kTextSize - 1);
    std::memcpy(s->next, what.data(), n);
    s->next[n] = '\0';
    const std::uint32_t taken = s->taken.load(std::memory_order_relaxed);
    // The step granted while this process ran is not this gate's: a grant
    // is for the gate it waits at, granted == taken + 1.
    s->granted.store(taken, std::memory_order_relaxed);
    StateScope shown(ProcState::WaitingStep);
    s->arrived.store(taken + 1, std::memory_order_release);
    for (;;) {
        if (g_steps->enabled.load(std::memory_order_acquire) == 0) break;
        const std::uint32_t g = s->granted.load(std::memory_order_acquire);
        if (g > taken) break;
        if (g_stepStop && g_stepStop->load(std::memory_order_relaxed) != 0) return false;
        // A stop request is no futex wake: look again every 50 ms.
        (void)futexWait(s->granted, g, Deadline(std::chrono::milliseconds(50)));
    }
    s->taken.store(taken + 1, std::memory_order_release);
    return true;
}

} // namespace detail

} // namespace telemetry

} // namespace ipc
