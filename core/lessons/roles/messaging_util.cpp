#include "messaging_util.h"

#include "step_gate.h"

#include "board.h"

#include <algorithm>
#include <ctime>

namespace ipc::roles {

namespace {

std::string key(std::string_view name, const char *suffix) { return std::string(name) + suffix; }

// The payload's bytes follow a pattern of (id, seq), so a torn or mixed-up
// message is recognisable.
std::byte patternByte(std::int64_t id, std::int64_t seq, std::size_t i)
{
    return std::byte((std::uint64_t(id) * 7 + std::uint64_t(seq) * 13 + i) & 0x7f);
}

// Sleeps until `untilNs` (monotonic) in slices; false when stopping.
bool sleepUntil(const WorkerContext &ctx, std::uint64_t untilNs) noexcept
{
    StateScope sleeping(ProcState::Sleeping);
    for (;;) {
        if (ctx.shouldStop()) return false;
        const std::uint64_t now = monotonicNs();
        if (now >= untilNs) return true;
        const std::uint64_t sliceEnd =
            std::min(untilNs, now + std::uint64_t(std::chrono::nanoseconds(kStopSlice).count()));
        const timespec ts{time_t(sliceEnd / 1'000'000'000u), long(sliceEnd % 1'000'000'000u)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
        }
    }
}

} // namespace

ConnectionOptions connectionEnd(const Connection &end, std::string_view statsObject, int statsEnd)
{
    const char *mode = end.mode() == Connection::Mode::Duplex     ? "duplex"
                       : end.mode() == Connection::Mode::ReadOnly ? "read"
                                                                  : "write";
    return {.fd = end.fd(), .mode = mode, .stats = std::string(statsObject), .end = statsEnd};
}

Result<Connection> connectionFrom(WorkerContext &ctx, const ConnectionOptions &options, std::string_view name)
{
    if (options.fd < 0) return fail(Errc::InvalidArgument, "--" + key(name, "-fd") + " is required");
    const Connection::Mode m = options.mode == "read"    ? Connection::Mode::ReadOnly
                               : options.mode == "write" ? Connection::Mode::WriteOnly
                                                         : Connection::Mode::Duplex;
    auto conn = Connection::adopt(int(options.fd), m);
    if (!conn) return fail(conn.error().code, "--" + key(name, "-fd") + ": " + conn.error().message);
    if (!options.stats.empty()) {
        auto ps = ctx.arena.find<PipeStats>(options.stats);
        if (!ps) return std::unexpected(ps.error());
        conn->attachStats(*ps, int(options.end));
    }
    return conn;
}

bool simulateWork(const WorkerContext &ctx) noexcept
{
    const std::uint32_t us = ctx.control ? ctx.control->workUs.load(std::memory_order_relaxed) : 0;
    if (us == 0) return !ctx.shouldStop();
    return sleepUntil(ctx, monotonicNs() + std::uint64_t(us) * 1000u);
}

Message payloadMessage(std::int64_t id, std::int64_t seq, std::uint32_t payloadBytes)
{
    Bytes payload(payloadBytes);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = patternByte(id, seq, i);
    return Message::array({Message::integer(id), Message::integer(seq), Message::bytes(std::move(payload))});
}

std::optional<PayloadId> checkPayload(const Message &message)
{
    const auto items = message.items();
    if (message.type() != Message::Type::Array || items.size() != 3 || !items[0].isInteger() ||
        !items[1].isInteger() || items[2].type() != Message::Type::ByteString)
        return std::nullopt;
    const PayloadId out{items[0].toInteger(), items[1].toInteger()};
    const auto payload = items[2].toBytes();
    for (std::size_t i = 0; i < payload.size(); ++i)
        if (payload[i] != patternByte(out.id, out.seq, i)) return std::nullopt;
    return out;
}

Result<void> putUntilStopped(const WorkerContext &ctx, Queue &queue, const Message &message,
                             bool &stopped)
{
    stopped = false;
    auto put = queue.put(message, kStopSlice);
    if (put || put.error().code != Errc::Full) return put;
    // Blocked: keep the board steady across the slices.
    StateScope blocked(ProcState::BlockedPut, queue.objectIndex);
    for (;;) {
        if (ctx.shouldStop()) {
            stopped = true;
            return put;
        }
        put = queue.put(message, kStopSlice);
        if (put || put.error().code != Errc::Full) return put;
    }
}

Result<void> sendUntilStopped(const WorkerContext &ctx, Connection &conn, const Message &message,
                              bool &stopped, std::string_view step)
{
    stopped = false;
    if (!telemetry::stepGate(step)) {
        stopped = true;
        return fail(Errc::Timeout, "stopped at its step");
    }
    // A send that times out has either sent nothing (send again) or
    // committed the message with its rest pending (flush); the counter
    // tells which.
    const std::uint64_t before = conn.counters().messagesSent;
    auto sent = conn.send(message, kStopSlice);
    if (sent || sent.error().code != Errc::Timeout) return sent;
    StateScope blocked(ProcState::BlockedSend, conn.objectIndex()); // steady across the slices
    for (;;) {
        if (ctx.shouldStop()) {
            stopped = true;
            return sent;
        }
        const bool committed = conn.counters().messagesSent > before;
        sent = committed ? conn.flush(kStopSlice) : conn.send(message, kStopSlice);
        if (sent || sent.error().code != Errc::Timeout) return sent;
    }
}

Result<Message> recvUntilStopped(const WorkerContext &ctx, Connection &conn, bool &stopped,
                                    std::string_view step)
{
    stopped = false;
    if (!telemetry::stepGate(step)) {
        stopped = true;
        return fail(Errc::Timeout, "stopped at its step");
    }
    for (;;) {
        auto got = conn.recv(kStopSlice);
        if (got || got.error().code != Errc::Timeout) return got;
        if (ctx.shouldStop()) {
            stopped = true;
            return got;
        }
    }
}

} // namespace ipc::roles
