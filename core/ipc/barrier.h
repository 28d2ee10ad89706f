// Barrier: multiprocessing.Barrier (threading.Barrier) in the arena, for
// `parties` processes, built on one futex word -- no lock that a killed
// process could leave held, no pthread barrier or condvar.
//
// Semantics (as Python's):
//   wait(timeout): arrive and block until `parties` processes have arrived
//     in this generation, then all of them return and the barrier is ready
//     for the next generation. The return value is the caller's arrival
//     index in its generation, 0 .. parties-1, distinct within a generation:
//     0 arrived first, parties-1 arrived last and released the others. This
//     is what threading.Barrier.wait returns (Python's own docs promise only
//     "distinct"; some descriptions count down -- this one counts up).
//   A waiter whose timeout runs out breaks the barrier for everyone: it and
//     every other waiter of that generation get Errc::BrokenBarrier, as
//     Python raises BrokenBarrierError in all of them (the culprit's message
//     says its wait timed out).
//   abort(): breaks the barrier; current and future waiters get BrokenBarrier
//     until reset().
//   reset(): waiters currently blocked get BrokenBarrier, and the barrier is
//     usable again at once (a fresh generation, nobody arrived). Resetting an
//     idle, unbroken barrier changes nothing.
//   isBroken(), nWaiting() (arrived in the current generation, 0 while
//   broken), parties().
//
// Errors: wait -> Errc::BrokenBarrier (broken on arrival, broken/reset
// while waiting, or this caller's timeout broke it).
// validate()/makeBarrier(): Errc::InvalidArgument unless
// 1 <= parties <= kMaxParties. A Barrier can only be constructed from a
// validated Parties, so the arena never holds a barrier of 0 parties.
//
// Which processes: any process attached to the arena; one thread per
// process. More than `parties` processes may use one barrier: each
// generation takes the first `parties` arrivals.
//
// Telemetry: a blocked wait shows WaitingBarrier with this object's index.
//
// Killed processes: all state is one word changed by CAS, so a process
// killed anywhere leaves it consistent. A waiter killed while blocked still
// counts as arrived (as in Python, where it would never leave either): the
// others wait until their timeout breaks the barrier, or until reset().
// How a reset waiter learns it was reset after the barrier has moved on:
// the resetter stamps the reset generation into a 16-entry history before
// advancing, so a waiter that was not scheduled for 16 further resets of
// the same slot could mistake its reset for a release; a running process
// reads the outcome within one wakeup.
#pragma once

#include "arena.h"
#include "posix_call.h"
#include "result.h"

#include <atomic>
#include <functional>
#include <cstdint>
#include <string_view>

namespace ipc {

class Barrier {
public:
    static constexpr ObjectKind kKind = ObjectKind::Barrier;
    static constexpr std::uint32_t kMaxParties = 0x7fff; // fits the word's 15-bit count
    std::uint32_t objectIndex = kNoObject;

    // A checked number of parties; only validate() makes one.
    class Parties {
    public:
        [[nodiscard]] std::uint32_t get() const noexcept { return m_parties; }

    private:
        friend class Barrier;
        explicit constexpr Parties(std::uint32_t n) noexcept : m_parties(n) {}
        std::uint32_t m_parties;
    };
    // InvalidArgument unless 1 <= parties <= kMaxParties.
    [[nodiscard]] static Result<Parties> validate(std::int64_t parties);

    explicit Barrier(Parties parties) noexcept : m_parties(parties.get()) {}
    Barrier(const Barrier &) = delete;
    Barrier &operator=(const Barrier &) = delete;

    [[nodiscard]] Result<std::uint32_t> wait(Duration timeout = kForever) noexcept;
    // Python's Barrier(action=...): the last process to arrive runs
    // `action` before any waiter is released -- once per phase. Each caller
    // passes its own (a function is no object shared memory can hold); the
    // one that arrives last runs it. An action that fails breaks the barrier:
    // every waiter of that phase gets BrokenBarrier, the runner's message
    // carries the action's error. While it runs, a process arriving for the
    // next phase waits for it.
    using Action = std::function<Result<void>()>;
    [[nodiscard]] Result<std::uint32_t> wait(Duration timeout, const Action &action);
    void abort() noexcept;
    void reset() noexcept;

    [[nodiscard]] bool isBroken() const noexcept
    {
        return (m_word.load(std::memory_order_acquire) & kBroken) != 0;
    }
    [[nodiscard]] std::uint32_t nWaiting() const noexcept;
    [[nodiscard]] std::uint32_t parties() const noexcept { return m_parties; }
    // Generations completed or reset so far (16 bits, wraps; for telemetry).
    [[nodiscard]] std::uint32_t generation() const noexcept
    {
        return m_word.load(std::memory_order_relaxed) >> kGenShift;
    }

private:
    // The word: bit 0 broken, bits 1..15 arrivals in this generation,
    // bits 16..31 generation number.
    static constexpr std::uint32_t kBroken = 1;
    static constexpr std::uint32_t kCountShift = 1;
    static constexpr std::uint32_t kCountMask = 0x7fffu << kCountShift;
    static constexpr std::uint32_t kGenShift = 16;
    static constexpr std::uint32_t kHistory = 16;
    static constexpr std::uint32_t kStamped = 1u << 16; // marks a history entry as written

    [[nodiscard]] static std::uint32_t genOf(std::uint32_t w) noexcept { return w >> kGenShift; }
    [[nodiscard]] static std::uint32_t countOf(std::uint32_t w) noexcept
    {
        return (w & kCountMask) >> kCountShift;
    }
    [[nodiscard]] static std::uint32_t nextGeneration(std::uint32_t w) noexcept
    {
        return (genOf(w) + 1) << kGenShift; // count 0, not broken; wraps at 16 bits
    }
    // How the generation `gen` ended, for a waiter that saw it end.
    [[nodiscard]] Result<std::uint32_t> outcome(std::uint32_t gen, std::uint32_t index) const;
    // The last arrival with an action, which has claimed the release
    // (count == parties in `claimed`): runs the action, then opens the next
    // generation, or breaks the barrier if the action failed.
    [[nodiscard]] Result<std::uint32_t> releaseWithAction(std::uint32_t claimed, std::uint32_t index,
                                                          const Action &action);
    // Waits for generation `gen` to end or break; out of time, breaks it.
    // (The caller shows the wait on the board, from before it arrived.)
    [[nodiscard]] Result<std::uint32_t> awaitRelease(std::uint32_t gen, std::uint32_t index,
                                                     const Deadline &deadline, Duration timeout);
    [[nodiscard]] Error brokenError() const;

    const std::uint32_t m_parties;
    std::atomic<std::uint32_t> m_word{0}; // the futex word
    // resetStamp[g % kHistory] == kStamped | g: generation g ended by reset().
    std::atomic<std::uint32_t> m_resetStamps[kHistory]{};
};

// Validate, then construct in the arena. Errors: InvalidArgument (parties),
// and those of Arena::make.
[[nodiscard]] Result<Barrier *> makeBarrier(Arena &arena, std::string_view name,
                                            std::int64_t parties);

} // namespace ipc
