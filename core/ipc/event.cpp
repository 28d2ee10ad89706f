#include "event.h"

#include "board.h"
#include "futex.h"
#include "sync_detail.h"

namespace ipc {

void Event::set() noexcept
{
    std::uint32_t w = m_word.load(std::memory_order_relaxed);
    if (w & kFlag) return;
    telemetry::trace(TraceKind::Wake, objectIndex, 0);
    do {
        if (w & kFlag) return; // already set: nobody can be waiting for this set
    } while (!m_word.compare_exchange_weak(w, (w + 2) | kFlag, std::memory_order_release,
                                           std::memory_order_relaxed));
    // Sets are rare next to waits; waking unconditionally keeps the word
    // the only state (no waiter count a killed waiter could leave wrong).
    futexWakeAll(m_word);
}

void Event::clear() noexcept { m_word.fetch_and(~kFlag, std::memory_order_release); }

Result<void> Event::wait(Duration timeout) noexcept
{
    std::uint32_t seen = m_word.load(std::memory_order_acquire);
    if (seen & kFlag) return {};
    if (timeout <= kNoWait)
        return fail(Errc::Timeout,
                    detail::objectText("event", objectIndex) + " is not set (non-blocking wait)");

    const Deadline deadline(timeout);
    StateScope waiting(ProcState::WaitingEvent, objectIndex);
    const std::uint32_t sets = seen >> 1;
    for (;;) {
        const WaitOutcome outcome = futexWait(m_word, seen, deadline);
        const std::uint32_t now = m_word.load(std::memory_order_acquire);
        // Set now, or set (and maybe cleared again) since we started waiting.
        if ((now & kFlag) || (now >> 1) != sets) return {};
        if (outcome == WaitOutcome::TimedOut)
            return fail(Errc::Timeout, detail::objectText("event", objectIndex) +
                                           " not set " + detail::withinText(timeout));
        seen = now;
    }
}

} // namespace ipc
