// pipe-receiver: receives until a sentinel or the end of the stream.
//
//   while True:
//       try: msg = conn.recv()
//       except EOFError: break
//       if msg is SENTINEL: break
//       (work: control.workUs)
//
// Board: ops = messages received; Custom0 = damaged messages; Custom1 = 1
// when the stream ended by EndOfFile (every writer closed), not a sentinel.
#include "roles.h"

#include "messaging_util.h"

namespace ipc::roles {

int pipeReceiver(WorkerContext &ctx, const PipeReceiverOptions &options)
{
    constexpr std::string_view kRole = PipeReceiverOptions::kRole;
    auto conn = connectionFrom(ctx, options.pipe, "pipe");
    if (!conn) return badOption(kRole, conn.error());
    bool stopped = false;
    for (;;) {
        auto msg = recvUntilStopped(ctx, *conn, stopped, "receive a message");
        if (!msg) {
            if (stopped) return 0;
            if (msg.error().code == Errc::EndOfFile) {
                if (ctx.slot) ctx.slot->add(Counter::Custom1, 1);
                return 0;
            }
            if (msg.error().code == Errc::Corrupt && ctx.slot) {
                ctx.slot->add(Counter::Custom0, 1);
                continue;
            }
            return failed(kRole, msg.error());
        }
        if (msg->isSentinel()) return 0;
        if (msg->type() == Message::Type::Array && !checkPayload(*msg) && ctx.slot) ctx.slot->add(Counter::Custom0, 1);
        if (!simulateWork(ctx)) return 0;
        if (ctx.slot) ctx.slot->addOps(1);
    }
}

} // namespace ipc::roles
