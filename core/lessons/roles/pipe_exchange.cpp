// pipe-exchange: one side of the classic pipe deadlock.
//
//   for r in range(rounds):               # 0: until stopped
//       if fix and side == 1:              # the fix: one side listens first
//           other = conn.recv(); conn.send(big)
//       else:                              # both send first ...
//           conn.send(big); other = conn.recv()
//
// A message larger than the socket buffers cannot be sent until the peer
// reads; if both peers send first, both wait for ever: both are shown
// BlockedSend. control.fixEnabled is read while blocked too, so switching
// the fix on un-sticks a running deadlock: side 1 starts reading the
// peer's message while its own waits, the peer's send completes, the peer
// reads, and everything flows. A stop request ends either side cleanly
// within 100 ms, blocked or not.
// Board: ops = rounds completed. In step mode (step_gate.h) each send and
// each receive is a step: step both sends and the deadlock closes by hand.
#include "roles.h"

#include "messaging_util.h"
#include "step_gate.h"

namespace ipc::roles {

static_assert(PipeExchangeOptions::kMaxSize == std::int64_t(kMaxMessageBytes) - 64);

int pipeExchange(WorkerContext &ctx, const PipeExchangeOptions &options)
{
    constexpr std::string_view kRole = PipeExchangeOptions::kRole;
    const std::int64_t side = options.side;
    auto conn = connectionFrom(ctx, options.pipe, "pipe");
    if (!conn) return badOption(kRole, conn.error());
    const auto fixOn = [&] { return ctx.control->fixEnabled.load(std::memory_order_relaxed) != 0; };
    const auto ended = [&](const Error &e) {
        if (e.code == Errc::EndOfFile || e.code == Errc::Closed) return 0; // the peer stopped
        return failed(kRole, e);
    };

    for (std::int64_t r = 0; options.rounds == 0 || r < options.rounds; ++r) {
        if (ctx.shouldStop()) return 0;
        const Message mine = payloadMessage(side, r, std::uint32_t(options.size));
        const std::string round = " round " + std::to_string(r + 1);
        bool received = false;
        const auto receive = [&]() -> Result<void> {
            bool stopped = false;
            auto other = recvUntilStopped(ctx, *conn, stopped, "receive" + round);
            if (!other) return std::unexpected(other.error());
            received = true;
            return {};
        };
        if (side == 1 && fixOn()) {
            if (auto ok = receive(); !ok) return ctx.shouldStop() ? 0 : ended(ok.error());
        }
        if (!telemetry::stepGate("send" + round)) return 0;
        // Send, in slices: stay responsive to a stop and to the fix.
        const std::uint64_t before = conn->counters().messagesSent;
        std::optional<StateScope> blocked;
        for (;;) {
            if (ctx.shouldStop()) return 0;
            const bool committed = conn->counters().messagesSent > before;
            auto sent = committed ? conn->flush(kStopSlice) : conn->send(mine, kStopSlice);
            if (sent) break;
            if (sent.error().code != Errc::Timeout) return ended(sent.error());
            if (!blocked) blocked.emplace(ProcState::BlockedSend, conn->objectIndex());
            if (side == 1 && fixOn() && !received) {
                // The fix, applied to a running deadlock: read while our
                // own message waits, so the peer's send can finish.
                blocked.reset();
                if (auto ok = receive(); !ok) return ctx.shouldStop() ? 0 : ended(ok.error());
            }
        }
        blocked.reset();
        if (!received) {
            if (auto ok = receive(); !ok) return ctx.shouldStop() ? 0 : ended(ok.error());
        }
        if (ctx.slot) ctx.slot->addOps(1);
    }
    return 0;
}

} // namespace ipc::roles
