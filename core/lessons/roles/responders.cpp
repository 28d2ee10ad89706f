// echo and squarer: the server side of request/response over a duplex pipe.
//
//   echo:     while (msg := conn.recv()) is not SENTINEL: conn.send(msg)
//   squarer:  while (n := conn.recv()) is not SENTINEL: conn.send(n * n)
//
// Both end at a sentinel or when the client closes its end.
// Board: ops = requests answered; Custom0 = requests that were not a number
// (squarer).
#include "roles.h"

#include "messaging_util.h"

namespace ipc::roles {

namespace {

template <class Answer>
int respond(WorkerContext &ctx, const ConnectionOptions &pipe, std::string_view role, Answer &&answer)
{
    auto conn = connectionFrom(ctx, pipe, "pipe");
    if (!conn) return badOption(role, conn.error());
    bool stopped = false;
    for (;;) {
        auto request = recvUntilStopped(ctx, *conn, stopped, "receive a request");
        if (!request) {
            if (stopped || request.error().code == Errc::EndOfFile) return 0;
            return failed(role, request.error());
        }
        if (request->isSentinel()) return 0;
        if (auto sent = sendUntilStopped(ctx, *conn, answer(*request), stopped, "send the reply"); !sent) {
            if (stopped || sent.error().code == Errc::Closed) return 0;
            return failed(role, sent.error());
        }
        if (ctx.slot) ctx.slot->addOps(1);
    }
}

} // namespace

int echo(WorkerContext &ctx, const EchoOptions &options)
{
    return respond(ctx, options.pipe, EchoOptions::kRole, [](const Message &request) { return request; });
}

int squarer(WorkerContext &ctx, const SquarerOptions &options)
{
    return respond(ctx, options.pipe, SquarerOptions::kRole, [&ctx](const Message &request) {
        if (!request.isInteger()) {
            if (ctx.slot) ctx.slot->add(Counter::Custom0, 1);
            return Message();
        }
        const std::int64_t n = request.toInteger();
        return Message::integer(n * n);
    });
}

} // namespace ipc::roles
