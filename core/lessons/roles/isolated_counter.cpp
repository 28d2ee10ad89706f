// isolated-counter: the memory-isolation lesson's worker.
//
//   for i in range(increments):
//       counter += 1                      # this process's own global
//       with shared.get_lock(): shared.value += 1
//
// The global lives in this process's private memory; only the shared value
// is seen by the other processes and by the engine.
// Board: ops = iterations done; Custom0 = this process's global. In step
// mode (step_gate.h) the locked add to the shared value is a step; the
// private global changes with it, unseen by anyone else.
#include "roles.h"

#include "pacer.h"

#include "shared_value.h"
#include "step_gate.h"

namespace ipc::roles {

namespace {
// An ordinary global, as `counter = 0` at the top of a Python module.
std::int64_t g_counter = 0;
} // namespace

int isolatedCounter(WorkerContext &ctx, const IsolatedCounterOptions &options)
{
    constexpr std::string_view kRole = IsolatedCounterOptions::kRole;
    auto shared = ctx.arena.find<SharedValue<std::int64_t>>(options.value);
    if (!shared) return failed(kRole, shared.error());

    Pacer pacer(ctx.control);
    for (std::int64_t i = 0; i < options.increments && pacer.wait(); ++i) {
        if (!telemetry::stepGate("add 1 to its global and to shared")) break;
        ++g_counter;
        if (auto added = (*shared)->lockedAdd(1); !added) return failed(kRole, added.error());
        if (ctx.slot) {
            ctx.slot->ops.store(std::uint64_t(i + 1), std::memory_order_relaxed);
            ctx.slot->counters[std::size_t(Counter::Custom0)].store(std::uint64_t(g_counter),
                                                                    std::memory_order_relaxed);
        }
    }
    return 0;
}

} // namespace ipc::roles
