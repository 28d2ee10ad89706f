// counter: the race-condition lesson's worker.
//
//   for i in range(increments):
//       if control.lockEnabled: with lock: value.value += 1
//       else:                   value.value += 1      # read, race window, write
//
// The lock and the race window are read from the control block on every
// increment, so the lecturer's toggle acts on running processes.
// Board: ops = increments done (stored after each write to the value);
// Custom0 = increments done under the lock; Custom1 = acquisitions that
// were told the previous holder died (AcquireStatus::OwnerDied). A single
// store cannot be left half done, so there is nothing to repair: the
// counter just goes on, which is the point of the lesson.
#include "roles.h"

#include "shared_value.h"

namespace ipc::roles {

int counter(WorkerContext &ctx)
{
    constexpr std::string_view kRole = "counter";
    if (auto ok = ctx.args.allowOnly({"value", "lock", "increments"}); !ok)
        return badOption(kRole, ok.error());
    auto increments = ctx.args.integer("increments", 10'000, 0, 1'000'000'000);
    if (!increments) return badOption(kRole, increments.error());
    auto value = ctx.arena.find<SharedValue<std::int64_t>>(ctx.args.text("value", "counter"));
    if (!value) return failed(kRole, value.error());
    // A separate lock object (Lock()) or the value's own (get_lock()).
    Lock *lock = &(*value)->getLock();
    if (ctx.args.has("lock") && ctx.args.text("lock") != "own") {
        auto separate = ctx.arena.find<Lock>(ctx.args.text("lock"));
        if (!separate) return failed(kRole, separate.error());
        lock = *separate;
    }
    SharedValue<std::int64_t> &v = **value;
    ControlBlock &control = *ctx.control;
    BoardSlot *slot = ctx.slot;

    std::uint64_t locked = 0;
    std::uint64_t ownerDeaths = 0;
    for (std::int64_t i = 0; i < *increments; ++i) {
        if (control.lockOn()) {
            auto acquired = lock->acquire();
            if (!acquired) return failed(kRole, acquired.error());
            if (*acquired == AcquireStatus::OwnerDied && slot) {
                // Published at once: the one who was told is the lesson.
                slot->counters[std::size_t(Counter::Custom1)].store(++ownerDeaths,
                                                                    std::memory_order_relaxed);
            }
            v.store(v.load() + 1);
            if (auto r = lock->release(); !r) return failed(kRole, r.error());
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
                if (control.stopping()) return 0;
            }
        }
    }
    if (slot) {
        slot->ops.store(std::uint64_t(*increments), std::memory_order_relaxed);
        slot->counters[std::size_t(Counter::Custom0)].store(locked, std::memory_order_relaxed);
    }
    return 0;
}

} // namespace ipc::roles
