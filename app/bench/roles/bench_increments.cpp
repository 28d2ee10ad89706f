// bench-increments: the worker of ipc-bench's value_locked_increments.
//
//   ipc-worker --role bench-increments [--value counter] [--gate gate]
//              --index I --increments K [--board on|off] [--step-gate on|off]
//              [--glibc-robust on|off]
//
// Waits at the start gate, then does `with v.get_lock(): v.value += 1`
// K times (SharedValue::lockedAdd, the Lock of the value), stamps its end at
// the gate and exits. --board off detaches this process's board slot first,
// so the bench can show what the telemetry costs a lock (default on, as in
// every lesson). --step-gate on passes a step gate (step_gate.h) before
// every increment, as the lessons' workers do, with step mode off: what
// the gate costs when nobody steps (default off). --glibc-robust on does the
// same on glibc's robust mutex (glibc_robust_counter.h), the Lock's bound.
#include "bench_roles.h"

#include "glibc_robust_counter.h"

#include "shared_value.h"
#include "start_gate.h"
#include "step_gate.h"

#include <chrono>

namespace ipc::roles {

namespace {

// The bound: the same loop on glibc's robust mutex, board detached.
int glibcRobustIncrements(WorkerContext &ctx, const BenchIncrementsOptions &options)
{
    constexpr std::string_view kRole = BenchIncrementsOptions::kRole;
    auto counter = ctx.arena.find<GlibcRobustCounter>(options.value);
    if (!counter) return failed(kRole, counter.error());
    auto gate = ctx.arena.find<StartGate>(options.gate);
    if (!gate) return failed(kRole, gate.error());
    telemetry::attach(nullptr);
    if (auto opened = (*gate)->arriveAndWait(std::chrono::seconds(60)); !opened)
        return failed(kRole, opened.error());
    for (std::int64_t i = 0; i < options.increments; ++i)
        if (!(*counter)->lockedAdd(1)) [[unlikely]]
            return failed(kRole, Error{Errc::System, "pthread_mutex_lock or unlock failed"});
    (*gate)->finish(std::uint32_t(options.index));
    return 0;
}

} // namespace

int benchIncrements(WorkerContext &ctx, const BenchIncrementsOptions &options)
{
    constexpr std::string_view kRole = BenchIncrementsOptions::kRole;
    if (options.glibcRobust) return glibcRobustIncrements(ctx, options);
    const std::int64_t increments = options.increments;
    auto value = ctx.arena.find<SharedValue<std::int64_t>>(options.value);
    if (!value) return failed(kRole, value.error());
    auto gate = ctx.arena.find<StartGate>(options.gate);
    if (!gate) return failed(kRole, gate.error());

    if (!options.board) telemetry::attach(nullptr);
    if (auto opened = (*gate)->arriveAndWait(std::chrono::seconds(60)); !opened)
        return failed(kRole, opened.error());
    SharedValue<std::int64_t> &v = **value;
    if (options.stepGate) {
        for (std::int64_t i = 0; i < increments; ++i) {
            if (!telemetry::stepGate("add 1")) [[unlikely]]
                break;
            if (auto added = v.lockedAdd(1); !added) [[unlikely]]
                return failed(kRole, added.error());
        }
    } else {
        for (std::int64_t i = 0; i < increments; ++i) {
            if (auto added = v.lockedAdd(1); !added) [[unlikely]]
                return failed(kRole, added.error());
        }
    }
    (*gate)->finish(std::uint32_t(options.index));
    if (ctx.slot) ctx.slot->ops.store(std::uint64_t(increments), std::memory_order_relaxed);
    return 0;
}

} // namespace ipc::roles
