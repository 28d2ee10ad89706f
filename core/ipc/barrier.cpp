#include "barrier.h"

#include "board.h"
#include "futex.h"
#include "sync_detail.h"

#include <optional>

namespace ipc {

Result<Barrier::Parties> Barrier::validate(std::int64_t parties)
{
    if (parties < 1)
        return fail(Errc::InvalidArgument, "a barrier needs at least 1 party, not " +
                                               std::to_string(parties));
    if (parties > std::int64_t(kMaxParties))
        return fail(Errc::InvalidArgument, "a barrier of " + std::to_string(parties) +
                                               " parties exceeds the limit of " +
                                               std::to_string(kMaxParties));
    return Parties(std::uint32_t(parties));
}

std::uint32_t Barrier::nWaiting() const noexcept
{
    const std::uint32_t w = m_word.load(std::memory_order_acquire);
    return (w & kBroken) ? 0 : countOf(w);
}

Result<std::uint32_t> Barrier::outcome(std::uint32_t gen, std::uint32_t index) const
{
    const std::uint32_t stamp = m_resetStamps[gen % kHistory].load(std::memory_order_acquire);
    if (stamp == (kStamped | gen))
        return fail(Errc::BrokenBarrier, detail::objectText("barrier", objectIndex) +
                                             " was reset while this process waited");
    return index;
}

Result<std::uint32_t> Barrier::wait(Duration timeout) noexcept
{
    return wait(timeout, Action());
}

Error Barrier::brokenError() const
{
    return Error{Errc::BrokenBarrier, detail::objectText("barrier", objectIndex) +
                                          " is broken (aborted, reset, a waiter timed out, or its action failed)"};
}

Result<std::uint32_t> Barrier::wait(Duration timeout, const Action &action)
{
    const Deadline deadline(timeout);

    // Arrive: one CAS takes an index in the current generation; the last
    // arrival opens the next generation in the same CAS -- or, with an
    // action, first claims the release (count == parties) and runs it.
    std::uint32_t w = m_word.load(std::memory_order_acquire);
    // A process that will wait shows it from before its arriving CAS: the
    // last arrival, which sees that CAS, then always stamps its release
    // (TraceKind::Wake) inside this wait, so the trace pairs the two.
    std::optional<StateScope> waiting;
    for (;;) {
        if (w & kBroken) return std::unexpected(brokenError());
        const std::uint32_t index = countOf(w);
        if (index >= m_parties) {
            // Another process runs the phase's action: this one belongs to
            // the next phase.
            if (futexWait(m_word, w, deadline) == WaitOutcome::TimedOut && deadline.expired()) {
                abort();
                return fail(Errc::BrokenBarrier, detail::objectText("barrier", objectIndex) +
                                                     ": this wait timed out while the last phase's action ran");
            }
            w = m_word.load(std::memory_order_acquire);
            continue;
        }
        if (index + 1 >= m_parties) {
            waiting.reset(); // the last one: it does not wait after all
            if (!action) {
                telemetry::trace(TraceKind::Wake, objectIndex, 0); // the last arrival lets them all go
                if (m_word.compare_exchange_weak(w, nextGeneration(w), std::memory_order_acq_rel,
                                                 std::memory_order_acquire)) {
                    futexWakeAll(m_word);
                    return index;
                }
                continue;
            }
            const std::uint32_t claimed = (w & ~kCountMask) | (m_parties << kCountShift);
            if (m_word.compare_exchange_weak(w, claimed, std::memory_order_acq_rel, std::memory_order_acquire))
                return releaseWithAction(claimed, index, action);
            continue;
        }
        if (!waiting) waiting.emplace(ProcState::WaitingBarrier, objectIndex);
        if (m_word.compare_exchange_weak(w, w + (1u << kCountShift), std::memory_order_acq_rel,
                                         std::memory_order_acquire))
            return awaitRelease(genOf(w), index, deadline, timeout);
    }
}

Result<std::uint32_t> Barrier::releaseWithAction(std::uint32_t claimed, std::uint32_t index, const Action &action)
{
    const std::uint32_t gen = genOf(claimed);
    Result<void> ran = action();
    std::uint32_t now = claimed;
    if (ran) telemetry::trace(TraceKind::Wake, objectIndex, 0);
    if (ran && m_word.compare_exchange_strong(now, nextGeneration(claimed), std::memory_order_acq_rel,
                                              std::memory_order_acquire)) {
        futexWakeAll(m_word);
        return index;
    }
    if (ran) // reset or broken meanwhile
        return genOf(now) != gen ? outcome(gen, index) : Result<std::uint32_t>(std::unexpected(brokenError()));
    while (genOf(now) == gen && !(now & kBroken) &&
           !m_word.compare_exchange_weak(now, now | kBroken, std::memory_order_acq_rel, std::memory_order_acquire)) {
    }
    futexWakeAll(m_word);
    return fail(Errc::BrokenBarrier, detail::objectText("barrier", objectIndex) + ": its action failed (" +
                                         ran.error().message + "); the barrier is broken for everyone");
}

Result<std::uint32_t> Barrier::awaitRelease(std::uint32_t gen, std::uint32_t index, const Deadline &deadline,
                                            Duration timeout)
{
    std::uint32_t w = m_word.load(std::memory_order_acquire);
    for (;;) {
        if (genOf(w) != gen) return outcome(gen, index);
        if (w & kBroken) return std::unexpected(brokenError());
        if (futexWait(m_word, w, deadline) == WaitOutcome::Woken) {
            w = m_word.load(std::memory_order_acquire);
            continue;
        }
        // Out of time: break the barrier for everyone, unless the
        // generation ended or broke in the meantime (then that wins).
        w = m_word.load(std::memory_order_acquire);
        while (genOf(w) == gen && !(w & kBroken)) {
            if (m_word.compare_exchange_weak(w, w | kBroken, std::memory_order_acq_rel,
                                             std::memory_order_acquire)) {
                futexWakeAll(m_word);
                // Python's BrokenBarrierError, for the one that timed out
                // as for the others; the message says it was this one.
                return fail(Errc::BrokenBarrier, detail::objectText("barrier", objectIndex) + " had " +
                                                     std::to_string(countOf(w)) + " of " +
                                                     std::to_string(m_parties) + " parties " +
                                                     detail::withinText(timeout) +
                                                     ": this wait timed out, and the barrier is now broken for everyone");
            }
        }
    }
}

void Barrier::abort() noexcept
{
    const std::uint32_t before = m_word.fetch_or(kBroken, std::memory_order_acq_rel);
    if (!(before & kBroken)) futexWakeAll(m_word);
}

void Barrier::reset() noexcept
{
    std::uint32_t w = m_word.load(std::memory_order_acquire);
    for (;;) {
        if (!(w & kBroken)) {
            if (countOf(w) == 0) return; // idle and whole: nothing to reset
            // Break first: a broken generation can never be released, so
            // once stamped below it is certain that it ended by reset.
            if (!m_word.compare_exchange_weak(w, w | kBroken, std::memory_order_acq_rel,
                                              std::memory_order_acquire))
                continue;
            w |= kBroken;
        }
        const std::uint32_t gen = genOf(w);
        m_resetStamps[gen % kHistory].store(kStamped | gen, std::memory_order_release);
        if (m_word.compare_exchange_strong(w, nextGeneration(w), std::memory_order_acq_rel,
                                           std::memory_order_acquire))
            break;
        if (genOf(w) != gen) break; // another reset moved it on already
    }
    futexWakeAll(m_word);
}

Result<Barrier *> makeBarrier(Arena &arena, std::string_view name, std::int64_t parties)
{
    auto checked = Barrier::validate(parties);
    if (!checked) return std::unexpected(checked.error());
    return arena.make<Barrier>(name, *checked);
}

} // namespace ipc
