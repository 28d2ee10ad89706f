// The joining-before-draining lesson's two workers.
//
// big-putter:  for i in range(items): q.put(b"x" * size)      # then exit
//   A put on a full queue blocks, so this process cannot finish until
//   somebody takes its items off the queue.
// joiner (the "parent"):
//   without the fix: p.join(); then drain   -> waits forever: the putter
//                                               waits for a reader, the
//                                               reader waits for the putter
//   with the fix:    drain; then p.join()
//   The fix is read from the control block (fixEnabled) while waiting, so a
//   lecturer can break the deadlock live.
// Board: ops = items put (putter) / items drained (joiner).
#include "roles.h"

#include "queue.h"
#include "step_gate.h"

#include <optional>
#include <unistd.h>

namespace ipc::roles {

int bigPutter(WorkerContext &ctx, const BigPutterOptions &options)
{
    constexpr std::string_view kRole = BigPutterOptions::kRole;
    auto q = Queue::attach(ctx.arena, options.queue);
    if (!q) return failed(kRole, q.error());
    const Bytes payload(std::size_t(options.size), std::byte{'x'});
    for (std::int64_t i = 0; i < options.items; ++i) {
        // In step mode (step_gate.h) each put is a step.
        if (!telemetry::stepGate("put item " + std::to_string(i + 1))) return 0;
        // Bounded waits so a stop request is seen. The board shows
        // BlockedPut from the first full put until one succeeds.
        std::optional<StateScope> blocked;
        for (;;) {
            if (ctx.shouldStop()) return 0;
            auto put = (*q)->put(std::span(payload), std::chrono::milliseconds(100));
            if (put) break;
            if (put.error().code != Errc::Full) return failed(kRole, put.error());
            if (!blocked) blocked.emplace(ProcState::BlockedPut, (*q)->objectIndex);
        }
        if (ctx.slot) ctx.slot->addOps(1);
    }
    return 0;
}

int joiner(WorkerContext &ctx, const JoinerOptions &options)
{
    constexpr std::string_view kRole = JoinerOptions::kRole;
    const std::int64_t items = options.items;
    auto q = Queue::attach(ctx.arena, options.queue);
    if (!q) return failed(kRole, q.error());
    auto board = ctx.arena.find<Board>("board");
    if (!board) return failed(kRole, board.error());
    BoardSlot *child = (*board)->slot(std::uint32_t(options.waitSlot));
    if (!child) return failed(kRole, Error{Errc::NotFound, "no process in slot " + std::to_string(options.waitSlot)});

    std::int64_t drained = 0;
    Bytes buffer((*q)->maxMessageBytes());
    auto drain = [&]() -> Result<void> {
        while (drained < items && !ctx.shouldStop()) {
            if (!telemetry::stepGate("get an item")) return {};
            Result<std::size_t> got = fail(Errc::Empty, "");
            while (!ctx.shouldStop()) {
                got = (*q)->get(std::span(buffer), std::chrono::milliseconds(100));
                if (got || got.error().code != Errc::Empty) break;
            }
            if (!got) {
                if (got.error().code == Errc::Empty) return {}; // stopped
                return std::unexpected(got.error());
            }
            ++drained;
            if (ctx.slot) ctx.slot->addOps(1);
        }
        return {};
    };
    // The engine records the child's exit on the board when it reaps it.
    auto childDone = [&] { return isTerminal(child->currentState()); };

    if (ctx.control->fixEnabled.load(std::memory_order_relaxed) != 0) {
        if (auto ok = drain(); !ok) return failed(kRole, ok.error());
    }
    telemetry::setJoining(std::uint32_t(options.waitSlot)); // the wait-for graph's edge to the child
    if (!telemetry::stepGate("join the child")) return 0;
    {
        StateScope joining(ProcState::WaitingJoin, kNoObject);
        while (!childDone() && !ctx.shouldStop()) {
            if (ctx.control->fixEnabled.load(std::memory_order_relaxed) != 0 && drained < items) break;
            usleep(10'000);
        }
    }
    // The lecturer switched the fix on while we waited: drain, then join.
    if (auto ok = drain(); !ok) return failed(kRole, ok.error());
    while (!childDone() && !ctx.shouldStop()) {
        StateScope joining(ProcState::WaitingJoin, kNoObject);
        usleep(10'000);
    }
    return 0;
}

} // namespace ipc::roles
