// counter: the race-condition lesson's worker.
//
//   for i in range(increments):                    # increments 0: until stopped
//       if control.lockEnabled: with lock: value.value += 1
//       else:                   value.value += 1      # read, race window, write
//
// The lock, the race window and the pace (Pacer) are read from the control
// block on every increment, so the lecturer's toggles act on running
// processes.
// Board: ops = increments done (stored after each write to the value);
// Custom0 = increments done under the lock; Custom1 = acquisitions that
// were told the previous holder died (AcquireStatus::OwnerDied). A single
// store cannot be left half done, so there is nothing to repair: the
// counter just goes on, which is the point of the lesson.
//
// In step mode (step_gate.h) an increment is the steps of the Python line:
// (acquire lock,) read counter, write counter, (release lock): the add
// happens in the process between its read and its write, so a lost update
// takes four steps -- P0 read, P1 read, P0 write, P1 write.
//
// With --rounds R (the race's "repeat N times"), every counter runs R
// rounds in step with the others, through a Barrier of all of them: the
// lock is off in even rounds and on in odd ones, whatever the control
// says; after each round the first to arrive at the barrier (wait() == 0)
// writes the counter's final value to results[round] and sets the counter
// back to 0. Board: ops = increments over all rounds, Custom0 = rounds done.
#include "roles.h"

#include "barrier.h"
#include "pacer.h"
#include "shared_value.h"
#include "step_gate.h"

#include <cstdio>
#include <optional>

namespace ipc::roles {

namespace {

constexpr std::string_view kRole = "counter";

// One increment in step mode, each operation a step. False when the run
// stops at a gate (the lock, if held, is released on the way out).
Result<bool> steppedIncrement(SharedValue<std::int64_t> &v, AnyLock &lock, bool locked)
{
    std::optional<LockGuard> held;
    if (locked) {
        if (!telemetry::stepGate("acquire lock")) return false;
        auto acquired = LockGuard::hold(lock);
        if (!acquired) return std::unexpected(acquired.error());
        held.emplace(std::move(*acquired));
    }
    if (!telemetry::stepGate("read counter")) return false;
    const std::int64_t seen = v.load();
    telemetry::noteRead(seen);
    char write[StepSlot::kTextSize];
    std::snprintf(write, sizeof write, "write %lld", static_cast<long long>(seen + 1));
    if (!telemetry::stepGate(write)) return false;
    v.store(seen + 1);
    if (held) {
        if (!telemetry::stepGate("release lock")) return false;
        if (auto r = held->release(); !r) return std::unexpected(r.error());
    }
    return true;
}

int rounds(WorkerContext &ctx, const CounterOptions &options, SharedValue<std::int64_t> &v, AnyLock &lock)
{
    const std::int64_t increments = options.increments;
    const std::int64_t count = options.rounds;
    auto barrier = ctx.arena.find<Barrier>(*options.barrier);
    if (!barrier) return failed(kRole, barrier.error());
    auto results = ctx.arena.find<SharedArray<std::int64_t>>(*options.results);
    if (!results) return failed(kRole, results.error());
    if ((*results)->size() < std::size_t(count))
        return failed(kRole, Error{Errc::InvalidArgument, "results array holds fewer than --rounds values"});
    ControlBlock &control = *ctx.control;
    BoardSlot *slot = ctx.slot;
    Pacer pacer(&control);
    std::uint64_t done = 0;
    for (std::int64_t round = 0; round < count; ++round) {
        const bool locked = round % 2 == 1;
        // Everybody starts together: the overlap is what loses updates.
        if (auto w = (*barrier)->wait(); !w) return control.stopping() ? 0 : failed(kRole, w.error());
        for (std::int64_t i = 0; i < increments; ++i) {
            if (!pacer.wait()) return 0;
            if (locked) {
                auto held = LockGuard::hold(lock);
                if (!held) return failed(kRole, held.error());
                v.store(v.load() + 1);
                if (auto r = held->release(); !r) return failed(kRole, r.error());
            } else {
                v.racyAdd(1, RaceMode(control.raceMode.load(std::memory_order_relaxed)),
                          control.raceWindowUs.load(std::memory_order_relaxed));
            }
            if (slot) slot->ops.store(++done, std::memory_order_relaxed);
            if ((i & 255) == 255 && control.stopping()) return 0;
        }
        auto w = (*barrier)->wait();
        if (!w) return control.stopping() ? 0 : failed(kRole, w.error());
        if (*w == 0) { // one of them (Python's wait() == 0) books the round
            (*results)->store(std::size_t(round), v.load());
            v.store(0);
        }
        // Nobody starts the next round before the counter is back at 0.
        if (auto again = (*barrier)->wait(); !again) return control.stopping() ? 0 : failed(kRole, again.error());
        if (slot) slot->counters[std::size_t(Counter::Custom0)].store(std::uint64_t(round + 1),
                                                                      std::memory_order_relaxed);
    }
    return 0;
}

} // namespace

int counter(WorkerContext &ctx, const CounterOptions &options)
{
    auto value = ctx.arena.find<SharedValue<std::int64_t>>(options.value);
    if (!value) return failed(kRole, value.error());
    // A separate lock object (Lock()) or the value's own (get_lock()).
    AnyLock *lock = &(*value)->getLock();
    if (options.lock != "own") {
        auto separate = ctx.arena.find<Lock>(options.lock);
        if (!separate) return failed(kRole, separate.error());
        lock = *separate;
    }
    SharedValue<std::int64_t> &v = **value;
    if (options.rounds > 0) return rounds(ctx, options, v, *lock);
    ControlBlock &control = *ctx.control;
    BoardSlot *slot = ctx.slot;

    Pacer pacer(&control);
    std::uint64_t locked = 0;
    std::uint64_t ownerDeaths = 0;
    const bool untilStopped = options.increments == 0;
    for (std::int64_t i = 0; untilStopped || i < options.increments; ++i) {
        if (!pacer.wait()) break;
        if (telemetry::stepping()) {
            const bool lockOn = control.lockOn();
            auto stepped = steppedIncrement(v, *lock, lockOn);
            if (!stepped) return failed(kRole, stepped.error());
            if (!*stepped) break;
            if (lockOn) ++locked;
        } else if (control.lockOn()) {
            auto held = LockGuard::hold(*lock);
            if (!held) return failed(kRole, held.error());
            if (held->ownerDied() && slot) {
                // Published at once: the one who was told is the lesson.
                slot->counters[std::size_t(Counter::Custom1)].store(++ownerDeaths,
                                                                    std::memory_order_relaxed);
            }
            v.store(v.load() + 1);
            if (auto r = held->release(); !r) return failed(kRole, r.error());
            ++locked;
        } else {
            v.racyAdd(1, RaceMode(control.raceMode.load(std::memory_order_relaxed)),
                      control.raceWindowUs.load(std::memory_order_relaxed));
        }
        if (slot) {
            // Every increment, so that expected-minus-actual is exact to
            // within one in-flight increment per process at any sample.
            slot->ops.store(std::uint64_t(i + 1), std::memory_order_relaxed);
            if ((i & 255) == 255) {
                slot->counters[std::size_t(Counter::Custom0)].store(locked, std::memory_order_relaxed);
                slot->heartbeatNs.store(monotonicNs(), std::memory_order_relaxed);
            }
        }
    }
    if (slot) slot->counters[std::size_t(Counter::Custom0)].store(locked, std::memory_order_relaxed);
    return 0;
}

} // namespace ipc::roles
