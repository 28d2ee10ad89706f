// The workers of ipc-bench's messaging benches (app/bench/bench_messaging.cpp).
//
//   bench-queue --mode put|get --count N --size S --index I [--queue q]
//               [--gate gate] [--board on|off]
//       N raw byte puts of S bytes (or N gets) on a Queue
//   bench-ring  --mode put|get --count N --size S --index I [--ring ring]
//               [--gate gate]
//       the same on the bare ring ipc-bench holds the Queue against
//       (bare_ring.h)
//   bench-pipe  --mode write|read|echo --count N --size S --index I
//               --pipe-fd FD [--pipe-mode M] [--gate gate] [--board on|off]
//       write: N frames of S bytes; read: N frames into one buffer;
//       echo: N round trips answered (the pinger is ipc-bench itself); with
//       --reply-fd FD the answers go out on that second connection (two
//       one-way pipes instead of one duplex pipe)
//
// Each waits at the StartGate, does its part, stamps its end at the gate.
// --board off detaches the board slot first, so the bench can show what the
// telemetry costs (default on, as in every lesson).
#include "bench_roles.h"

#include "bare_ring.h"
#include "messaging_util.h"
#include "start_gate.h"

#include <chrono>

namespace ipc::roles {

namespace {

struct BenchCommon {
    std::int64_t count = 0;
    std::int64_t size = 0;
    std::int64_t index = 0;
    std::string mode;
    StartGate *gate = nullptr;
};

Result<BenchCommon> benchCommon(WorkerContext &ctx, const std::vector<std::string_view> &modes)
{
    BenchCommon c;
    auto count = ctx.args.integer("count", 100000, 0, 1'000'000'000'000);
    auto size = ctx.args.integer("size", 64, 0, std::int64_t(kMaxMessageBytes));
    auto index = ctx.args.integer("index", 0, 0, StartGate::kMaxWorkers - 1);
    auto mode = ctx.args.choice("mode", modes.front(), modes);
    auto board = ctx.args.boolean("board", true);
    if (!count) return std::unexpected(count.error());
    if (!size) return std::unexpected(size.error());
    if (!index) return std::unexpected(index.error());
    if (!mode) return std::unexpected(mode.error());
    if (!board) return std::unexpected(board.error());
    auto gate = ctx.arena.find<StartGate>(ctx.args.text("gate", "gate"));
    if (!gate) return std::unexpected(gate.error());
    if (!*board) telemetry::attach(nullptr);
    c.count = *count;
    c.size = *size;
    c.index = *index;
    c.mode = *mode;
    c.gate = *gate;
    return c;
}

} // namespace

int benchQueue(WorkerContext &ctx)
{
    constexpr std::string_view kRole = "bench-queue";
    if (auto ok = ctx.args.allowOnly({"queue", "gate", "index", "mode", "count", "size", "board"}); !ok)
        return badOption(kRole, ok.error());
    auto c = benchCommon(ctx, {"put", "get"});
    if (!c) return badOption(kRole, c.error());
    auto queue = Queue::attach(ctx.arena, ctx.args.text("queue", "queue"));
    if (!queue) return failed(kRole, queue.error());
    Queue &q = **queue;
    std::vector<std::byte> buf(std::max<std::size_t>(std::size_t(c->size), q.maxMessageBytes()), std::byte{'x'});
    const std::span<const std::byte> item(buf.data(), std::size_t(c->size));
    if (auto opened = c->gate->arriveAndWait(std::chrono::seconds(60)); !opened)
        return failed(kRole, opened.error());
    if (c->mode == "put") {
        for (std::int64_t i = 0; i < c->count; ++i)
            if (auto put = q.put(item); !put) [[unlikely]]
                return failed(kRole, put.error());
    } else {
        for (std::int64_t i = 0; i < c->count; ++i)
            if (auto got = q.get(buf); !got) [[unlikely]]
                return failed(kRole, got.error());
    }
    c->gate->finish(std::uint32_t(c->index));
    if (ctx.slot) ctx.slot->ops.store(std::uint64_t(c->count), std::memory_order_relaxed);
    return 0;
}

int benchRing(WorkerContext &ctx)
{
    constexpr std::string_view kRole = "bench-ring";
    if (auto ok = ctx.args.allowOnly({"ring", "gate", "index", "mode", "count", "size", "board"}); !ok)
        return badOption(kRole, ok.error());
    auto c = benchCommon(ctx, {"put", "get"});
    if (!c) return badOption(kRole, c.error());
    const std::string name = ctx.args.text("ring", "ring");
    auto entry = ctx.arena.lookup(name);
    if (!entry) return failed(kRole, entry.error());
    const auto size = std::uint32_t(c->size);
    auto *ring = ctx.arena.at<BareRing>((*entry)->offset);
    if ((*entry)->kind != ObjectKind::Scenario || (*entry)->size < BareRing::kSlotsOffset ||
        ring->capacity == 0 || ring->stride < size ||
        (*entry)->size < BareRing::bytesFor(ring->capacity, ring->stride))
        return failed(kRole, Error{Errc::InvalidArgument, "object '" + name + "' is not a bare ring for " +
                                                              std::to_string(size) + "-byte items"});
    std::vector<std::byte> buf(size, std::byte{'x'});
    if (auto opened = c->gate->arriveAndWait(std::chrono::seconds(60)); !opened)
        return failed(kRole, opened.error());
    if (c->mode == "put") {
        for (std::int64_t i = 0; i < c->count; ++i) ring->put(buf);
    } else {
        for (std::int64_t i = 0; i < c->count; ++i) ring->get(buf);
    }
    c->gate->finish(std::uint32_t(c->index));
    return 0;
}

int benchPipe(WorkerContext &ctx)
{
    constexpr std::string_view kRole = "bench-pipe";
    std::vector<std::string_view> known{"gate", "index", "mode", "count", "size", "board"};
    addConnectionKeys(known, "pipe");
    addConnectionKeys(known, "reply");
    if (auto ok = ctx.args.allowOnly(known); !ok) return badOption(kRole, ok.error());
    auto c = benchCommon(ctx, {"write", "read", "echo"});
    if (!c) return badOption(kRole, c.error());
    auto conn = connectionFrom(ctx, "pipe");
    if (!conn) return badOption(kRole, conn.error());
    std::optional<Connection> reply;
    if (ctx.args.has("reply-fd")) {
        auto r = connectionFrom(ctx, "reply");
        if (!r) return badOption(kRole, r.error());
        reply = std::move(*r);
    }
    Connection &out = reply ? *reply : *conn;
    std::vector<std::byte> buf(std::size_t(std::max<std::int64_t>(c->size, 1)), std::byte{'x'});
    if (auto opened = c->gate->arriveAndWait(std::chrono::seconds(60)); !opened)
        return failed(kRole, opened.error());
    if (c->mode == "write") {
        for (std::int64_t i = 0; i < c->count; ++i)
            if (auto sent = conn->sendBytes(buf, 0, std::size_t(c->size)); !sent) [[unlikely]]
                return failed(kRole, sent.error());
    } else if (c->mode == "read") {
        for (std::int64_t i = 0; i < c->count; ++i)
            if (auto got = conn->recvBytesInto(buf); !got) [[unlikely]]
                return failed(kRole, got.error());
    } else {
        for (std::int64_t i = 0; i < c->count; ++i) {
            auto got = conn->recvBytesInto(buf);
            if (!got) [[unlikely]]
                return failed(kRole, got.error());
            if (auto sent = out.sendBytes(buf, 0, *got); !sent) [[unlikely]]
                return failed(kRole, sent.error());
        }
    }
    c->gate->finish(std::uint32_t(c->index));
    return 0;
}

} // namespace ipc::roles
