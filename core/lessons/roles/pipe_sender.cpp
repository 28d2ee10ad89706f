// pipe-sender: sends N messages over its connection, paced at the control
// block's rate, then a sentinel, then closes its end.
//
//   for i in range(messages):
//       conn.send([0, i, payload])     # or conn.send(i) with --request int
//       if expect: reply = conn.recv()  # echo: the same; square: i * i
//   conn.send(SENTINEL); conn.close()      # --sentinel off: close only
//
// With --expect the sender is the client of a request/response pair and
// times each round trip. Without a sentinel the receiver learns of the end
// from EndOfFile (Python's EOFError), the one-way pipe lesson.
// Board: ops = messages sent (and answered, with --expect); Custom0 = total
// round-trip time in ns; Custom1 = wrong replies.
#include "roles.h"

#include "messaging_util.h"
#include "pacer.h"

namespace ipc::roles {

int pipeSender(WorkerContext &ctx, const PipeSenderOptions &options)
{
    constexpr std::string_view kRole = PipeSenderOptions::kRole;
    auto conn = connectionFrom(ctx, options.pipe, "pipe");
    if (!conn) return badOption(kRole, conn.error());

    Pacer pacer(ctx.control, true);
    bool stopped = false;
    for (std::int64_t i = 0; i < options.messages; ++i) {
        if (!pacer.wait()) return 0;
        const Message message =
            options.request == "int" ? Message::integer(i)
                              : payloadMessage(0, i, std::min<std::uint32_t>(
                                                         ctx.control->payloadBytes.load(std::memory_order_relaxed),
                                                         std::uint32_t(conn->maxMessageBytes() - 32)));
        const std::uint64_t t0 = monotonicNs();
        const std::string number = std::to_string(i + 1);
        const std::string step = (options.expect == "none" ? "send message " : "send request ") + number;
        if (auto sent = sendUntilStopped(ctx, *conn, message, stopped, step); !sent) {
            if (stopped) return 0;
            if (sent.error().code == Errc::Closed) return 0; // the receiver went away
            return failed(kRole, sent.error());
        }
        if (options.expect != "none") {
            auto reply = recvUntilStopped(ctx, *conn, stopped, "receive reply " + number);
            if (!reply) {
                if (stopped || reply.error().code == Errc::EndOfFile) return 0;
                return failed(kRole, reply.error());
            }
            const bool right = options.expect == "echo" ? *reply == message
                                                 : reply->toInteger() == message.toInteger() * message.toInteger();
            if (ctx.slot) {
                ctx.slot->add(Counter::Custom0, monotonicNs() - t0);
                if (!right) ctx.slot->add(Counter::Custom1, 1);
            }
        }
        if (ctx.slot) ctx.slot->addOps(1);
    }
    if (options.sentinel) {
        if (auto sent = sendUntilStopped(ctx, *conn, Message::sentinel(), stopped, "send the end (None)");
            !sent && !stopped && sent.error().code != Errc::Closed)
            return failed(kRole, sent.error());
    }
    conn->close();
    return 0;
}

} // namespace ipc::roles
