// producer: the producer/consumer lesson's producer.
//
//   for i in range(items):               # items 0: until stopped
//       (pace at control.ratePerSecond)
//       q.put([id, i, payload])          # payload: control.payloadBytes bytes
//   for _ in range(sentinels): q.put(SENTINEL)
//
// Rate and payload size are read from the control block on every item, so
// the lecturer's sliders act on the running process. A stop request ends
// it cleanly between items (no sentinels then: the consumers stop too).
// Board: ops = items put (the queue itself counts ItemsPut / BytesSent).
#include "roles.h"

#include "messaging_util.h"
#include "pacer.h"
#include "step_gate.h"

namespace ipc::roles {

int producer(WorkerContext &ctx, const ProducerOptions &options)
{
    constexpr std::string_view kRole = ProducerOptions::kRole;
    auto queue = Queue::attach(ctx.arena, options.queue);
    if (!queue) return failed(kRole, queue.error());
    Queue &q = **queue;

    Pacer pacer(ctx.control, true);
    bool stopped = false;
    const bool untilStopped = options.items == 0;
    for (std::int64_t i = 0; untilStopped || i < options.items; ++i) {
        if (!pacer.wait()) return 0;
        // Step mode: each put is a step (one that blocks while the queue is full).
        // (The text is made only then: outside step mode this is one branch.)
        if (telemetry::stepping() && !telemetry::stepGate("put item " + std::to_string(i))) return 0;
        // Room for the array's header and two integers beside the payload.
        const std::uint32_t payload = std::min(ctx.control->payloadBytes.load(std::memory_order_relaxed),
                                               q.maxMessageBytes() > 32 ? q.maxMessageBytes() - 32 : 0);
        if (auto put = putUntilStopped(ctx, q, payloadMessage(options.id, i, payload), stopped); !put) {
            if (stopped) return 0;
            if (put.error().code == Errc::Closed) return 0;
            return failed(kRole, put.error());
        }
        if (ctx.slot) ctx.slot->addOps(1);
    }
    for (std::int64_t s = 0; s < options.sentinels; ++s) {
        if (auto put = putUntilStopped(ctx, q, Message::sentinel(), stopped); !put) {
            if (stopped || put.error().code == Errc::Closed) return 0;
            return failed(kRole, put.error());
        }
    }
    return 0;
}

} // namespace ipc::roles
