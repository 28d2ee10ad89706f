// pool-worker: the worker-pool lesson's worker.
//
//   for n in iter(tasks.get, None):
//       (work)                               # work_us per task, x slowdown
//       results.put({"worker": rank, "n": n, "square": n * n})
//
// Board: ops = tasks done.
#include "roles.h"

#include "pacer.h"
#include "step_gate.h"
#include "queue.h"
#include "shared_value.h"


namespace ipc::roles {

int poolWorker(WorkerContext &ctx, const PoolWorkerOptions &options)
{
    constexpr std::string_view kRole = PoolWorkerOptions::kRole;
    auto tasks = Queue::attach(ctx.arena, options.tasks);
    auto results = Queue::attach(ctx.arena, options.results);
    if (!tasks) return failed(kRole, tasks.error());
    if (!results) return failed(kRole, results.error());

    Pacer pacer(ctx.control);
    while (pacer.wait()) {
        // In step mode (step_gate.h) the get and the put are steps.
        if (!telemetry::stepGate("get a task")) return 0;
        Result<Message> task = fail(Errc::Empty, "");
        for (;;) {
            task = (*tasks)->get(std::chrono::milliseconds(200));
            if (task || task.error().code != Errc::Empty) break;
            if (ctx.shouldStop()) return 0; // bounded waits: a stop request is seen
        }
        if (!task) {
            if (task.error().code == Errc::Closed) return 0;
            return failed(kRole, task.error());
        }
        if (task->isSentinel()) return 0;
        const std::int64_t n = task->toInteger();
        const auto work = std::uint64_t(ctx.control->workUs.load(std::memory_order_relaxed)) *
                          std::uint64_t(options.slowdown);
        if (work > 0) {
            StateScope busy(ProcState::Running);
            pauseMicroseconds(std::uint32_t(std::min<std::uint64_t>(work, 10'000'000)));
        }
        const Message result = Message::map({{Message::text("worker"), Message::integer(options.rank)},
                                             {Message::text("n"), Message::integer(n)},
                                             {Message::text("square"), Message::integer(n * n)}});
        if (!telemetry::stepGate("put the square of " + std::to_string(n))) return 0;
        if (auto put = (*results)->put(result); !put) return failed(kRole, put.error());
        if (ctx.slot) ctx.slot->addOps(1);
    }
    return 0;
}

} // namespace ipc::roles
