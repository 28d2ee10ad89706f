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

#include <algorithm>
#include <chrono>

namespace ipc::roles {

static_assert(BenchLoopOptions::kMaxSize == std::int64_t(kMaxMessageBytes));

namespace {

// The start gate of loop.gate; first detaches the board slot when the
// loop runs with the board off.
Result<StartGate *> gateOf(WorkerContext &ctx, const BenchLoopOptions &loop)
{
    auto gate = ctx.arena.find<StartGate>(loop.gate);
    if (!gate) return std::unexpected(gate.error());
    if (!loop.board) telemetry::attach(nullptr);
    return *gate;
}

// The bytes a worker puts from and gets into, on cache lines of their own.
// How fast a 4 KiB item is copied depends on the buffer's alignment, which
// must not depend on what the process happened to allocate before: it did,
// and the Queue's 4 KiB rows moved by 15% when option parsing came first.
class LineBuffer {
public:
    LineBuffer(std::size_t size, std::byte fill) : m_lines((size + 63) / 64), m_size(size)
    {
        std::fill_n(bytes().begin(), size, fill);
    }
    [[nodiscard]] std::span<std::byte> bytes() noexcept
    {
        return {reinterpret_cast<std::byte *>(m_lines.data()), m_size};
    }

private:
    struct alignas(64) Line {
        std::byte bytes[64];
    };
    std::vector<Line> m_lines;
    std::size_t m_size;
};

} // namespace

int benchQueue(WorkerContext &ctx, const BenchQueueOptions &options)
{
    constexpr std::string_view kRole = BenchQueueOptions::kRole;
    const BenchLoopOptions c = options.loop; // a copy: the loops keep count in a register
    auto gate = gateOf(ctx, options.loop);
    if (!gate) return failed(kRole, gate.error());
    auto queue = Queue::attach(ctx.arena, options.queue);
    if (!queue) return failed(kRole, queue.error());
    Queue &q = **queue;
    LineBuffer buf(std::max<std::size_t>(std::size_t(c.size), q.maxMessageBytes()), std::byte{'x'});
    const std::span<const std::byte> item = buf.bytes().first(std::size_t(c.size));
    if (auto opened = (*gate)->arriveAndWait(std::chrono::seconds(60)); !opened)
        return failed(kRole, opened.error());
    if (options.mode == "put") {
        for (std::int64_t i = 0; i < c.count; ++i)
            if (auto put = q.put(item); !put) [[unlikely]]
                return failed(kRole, put.error());
    } else {
        for (std::int64_t i = 0; i < c.count; ++i)
            if (auto got = q.get(buf.bytes()); !got) [[unlikely]]
                return failed(kRole, got.error());
    }
    (*gate)->finish(std::uint32_t(c.index));
    if (ctx.slot) ctx.slot->ops.store(std::uint64_t(c.count), std::memory_order_relaxed);
    return 0;
}

int benchRing(WorkerContext &ctx, const BenchRingOptions &options)
{
    constexpr std::string_view kRole = BenchRingOptions::kRole;
    const BenchLoopOptions c = options.loop; // a copy: the loops keep count in a register
    auto gate = gateOf(ctx, options.loop);
    if (!gate) return failed(kRole, gate.error());
    const std::string &name = options.ring;
    auto entry = ctx.arena.lookup(name);
    if (!entry) return failed(kRole, entry.error());
    const auto size = std::uint32_t(c.size);
    auto *ring = ctx.arena.at<BareRing>((*entry)->offset);
    if ((*entry)->kind != ObjectKind::Scenario || (*entry)->size < BareRing::kSlotsOffset ||
        ring->capacity == 0 || ring->stride < size ||
        (*entry)->size < BareRing::bytesFor(ring->capacity, ring->stride))
        return failed(kRole, Error{Errc::InvalidArgument, "object '" + name + "' is not a bare ring for " +
                                                              std::to_string(size) + "-byte items"});
    LineBuffer buf(size, std::byte{'x'});
    if (auto opened = (*gate)->arriveAndWait(std::chrono::seconds(60)); !opened)
        return failed(kRole, opened.error());
    if (options.mode == "put") {
        for (std::int64_t i = 0; i < c.count; ++i) ring->put(buf.bytes());
    } else {
        for (std::int64_t i = 0; i < c.count; ++i) ring->get(buf.bytes());
    }
    (*gate)->finish(std::uint32_t(c.index));
    return 0;
}

int benchPipe(WorkerContext &ctx, const BenchPipeOptions &options)
{
    constexpr std::string_view kRole = BenchPipeOptions::kRole;
    const BenchLoopOptions c = options.loop; // a copy: the loops keep count in a register
    auto gate = gateOf(ctx, options.loop);
    if (!gate) return failed(kRole, gate.error());
    auto conn = connectionFrom(ctx, options.pipe, "pipe");
    if (!conn) return badOption(kRole, conn.error());
    std::optional<Connection> reply;
    if (options.reply.fd >= 0) {
        auto r = connectionFrom(ctx, options.reply, "reply");
        if (!r) return badOption(kRole, r.error());
        reply = std::move(*r);
    }
    Connection &out = reply ? *reply : *conn;
    LineBuffer buf(std::size_t(std::max<std::int64_t>(c.size, 1)), std::byte{'x'});
    if (auto opened = (*gate)->arriveAndWait(std::chrono::seconds(60)); !opened)
        return failed(kRole, opened.error());
    if (options.mode == "write") {
        for (std::int64_t i = 0; i < c.count; ++i)
            if (auto sent = conn->sendBytes(buf.bytes(), 0, std::size_t(c.size)); !sent) [[unlikely]]
                return failed(kRole, sent.error());
    } else if (options.mode == "read") {
        for (std::int64_t i = 0; i < c.count; ++i)
            if (auto got = conn->recvBytesInto(buf.bytes()); !got) [[unlikely]]
                return failed(kRole, got.error());
    } else {
        for (std::int64_t i = 0; i < c.count; ++i) {
            auto got = conn->recvBytesInto(buf.bytes());
            if (!got) [[unlikely]]
                return failed(kRole, got.error());
            if (auto sent = out.sendBytes(buf.bytes(), 0, *got); !sent) [[unlikely]]
                return failed(kRole, sent.error());
        }
    }
    (*gate)->finish(std::uint32_t(c.index));
    return 0;
}

} // namespace ipc::roles
