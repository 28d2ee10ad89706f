// consumer: the producer/consumer lesson's consumer.
//
//   seen = 0
//   while True:
//       item = q.get()
//       if item is SENTINEL:
//           seen += 1
//           if seen == stop_after: break     # one per producer
//           continue
//       (work: control.workUs)
//
// Board: ops = items consumed (the queue counts ItemsGot / BytesReceived);
// Custom0 = damaged items seen (always 0 unless something is broken);
// Custom1 = sum of (seq + 1) over the items consumed, so the engine can
// check that every item arrived exactly once.
#include "roles.h"

#include "messaging_util.h"
#include "pacer.h"
#include "step_gate.h"

namespace ipc::roles {

int consumer(WorkerContext &ctx, const ConsumerOptions &options)
{
    constexpr std::string_view kRole = ConsumerOptions::kRole;
    auto queue = Queue::attach(ctx.arena, options.queue);
    if (!queue) return failed(kRole, queue.error());
    Queue &q = **queue;
    // A JoinableQueue gets task_done() after each item's work.
    JoinableQueue *joinable = nullptr;
    if (auto j = ctx.arena.find<JoinableQueue>(options.queue)) joinable = *j;

    std::int64_t sentinels = 0;
    Pacer pacer(ctx.control);
    // Step mode: each get is a step, taken once per item (a get that waits
    // on an empty queue goes on waiting through its slices without another).
    bool gated = false;
    while (pacer.wait()) {
        if (!gated && !telemetry::stepGate("get an item")) return 0;
        gated = true;
        auto item = q.get(kStopSlice);
        if (!item) {
            if (item.error().code == Errc::Empty) continue; // re-check the stop request
            if (item.error().code == Errc::Closed) return 0;
            if (item.error().code == Errc::Corrupt || item.error().code == Errc::TooLarge) {
                if (ctx.slot) ctx.slot->add(Counter::Custom0, 1);
                continue;
            }
            return failed(kRole, item.error());
        }
        gated = false;
        const bool sentinel = item->isSentinel();
        if (!sentinel) {
            const auto id = checkPayload(*item);
            if (ctx.slot) {
                if (id) ctx.slot->add(Counter::Custom1, std::uint64_t(id->seq + 1));
                else ctx.slot->add(Counter::Custom0, 1);
            }
            if (!simulateWork(ctx)) return 0;
            if (ctx.slot) ctx.slot->addOps(1);
        }
        if (joinable) {
            if (auto done = joinable->taskDone(); !done) return failed(kRole, done.error());
        }
        if (sentinel && ++sentinels >= options.stopAfter) return 0;
    }
    return 0;
}

} // namespace ipc::roles
