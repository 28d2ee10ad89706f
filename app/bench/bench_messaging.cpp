// Messaging benches, in the peers' rows:
//   queue_throughput  Queue, raw byte items, 1p1c and 2p2c, 64 B and 4 KiB,
//                     maxsize 1024 (Boost's capacity), board attached or not
//                     -- vs boost/message_queue and py/mp.Queue; and the
//                     bare ring (roles/bare_ring.h), 1p1c, as the bound
//   pipe_throughput   Pipe frames of 64 B, 4 KiB, 64 KiB, one-way and duplex
//                     -- vs c/pipe write+read and py/mp.Pipe
//   pingpong          64 B round trips over one duplex Pipe and over two
//                     one-way Pipes -- vs c/socketpair and c/pipe x2
// Producers, writers and the pinger take role 0; consumers, readers and the
// echo role 1, as in the peers (--pin split puts them on different CPUs).
// Workers are ipc-worker processes (roles bench-queue, bench-ring, bench-pipe) released
// together through a StartGate; the pinger is this process, placed itself.
#include "bench.h"

#include "pipe.h"
#include "queue.h"
#include "bare_ring.h"
#include "bench_roles.h"
#include "messaging_util.h"

#include <sched.h>

namespace ipc::bench {

namespace {

constexpr std::string_view kQueue = "queue_throughput";
constexpr std::string_view kPipe = "pipe_throughput";
constexpr std::string_view kPingpong = "pingpong";
constexpr std::string_view kBenches[] = {kQueue, kPipe, kPingpong};
constexpr std::uint32_t kQueueCapacity = 1024;
constexpr std::string_view kBareRing = "bound/bare ring 1p1c cap=1024";

// --- queue_throughput -----------------------------------------------------

// One pass of n items of `size` bytes through a Queue, or through the bare
// ring (1p1c only) that bounds what a copying queue can do here.
Result<Sample> queueOnce(const Options &opts, int producers, int consumers, std::int64_t n,
                         std::uint32_t size, bool board, bool bare = false, bool traced = false)
{
    const std::size_t ringBytes = bare ? roles::BareRing::bytesFor(kQueueCapacity, size)
                                       : Queue::bytesFor(kQueueCapacity, size);
    auto run = Run::create(ringBytes + (std::size_t(2) << 20), traced ? Tracing::On : Tracing::Off);
    if (!run) return std::unexpected(run.error());
    Arena &arena = (*run)->arena();
    Queue *queue = nullptr;
    roles::BareRing *ring = nullptr;
    if (bare) {
        auto at = arena.allocate("ring", ObjectKind::Scenario, ringBytes);
        if (!at) return std::unexpected(at.error());
        ring = ::new (arena.at<std::byte>(*at)) roles::BareRing(kQueueCapacity, size);
    } else {
        auto made = Queue::create(arena, "queue", kQueueCapacity, size);
        if (!made) return std::unexpected(made.error());
        queue = *made;
    }
    auto gate = arena.make<StartGate>("gate");
    if (!gate) return std::unexpected(gate.error());
    const std::int64_t perProducer = n / producers, perConsumer = n / consumers;
    int index = 0;
    for (int p = 0; p < producers + consumers; ++p) {
        const bool put = p < producers;
        const roles::BenchLoopOptions loop{
            .count = put ? perProducer : perConsumer, .size = size, .index = index++, .board = board};
        const std::string mode = put ? "put" : "get";
        const SpawnOptions placed{.cpu = opts.cpuForRole(put ? 0 : 1)};
        auto spawned = bare ? (*run)->spawn(roles::BenchRingOptions{.mode = mode, .loop = loop}, placed)
                            : (*run)->spawn(roles::BenchQueueOptions{.mode = mode, .loop = loop}, placed);
        if (!spawned) return std::unexpected(spawned.error());
    }
    const auto workers = std::uint32_t(producers + consumers);
    auto t0 = openWhenArrived(**run, **gate, workers);
    if (!t0) return std::unexpected(t0.error());
    if (auto joined = joinAll(**run); !joined) return std::unexpected(joined.error());
    Sample s;
    s.seconds = double((*gate)->lastFinishNs(workers) - *t0) * 1e-9;
    s.final = std::int64_t(bare ? ring->head.load() : queue->stats().itemsGot);
    s.expected = perProducer * producers;
    if (s.final != s.expected)
        return fail(Errc::Corrupt, "queue bench moved " + std::to_string(s.final) + " of " +
                                       std::to_string(s.expected) + " items");
    return s;
}

Result<void> runQueue(const Options &opts)
{
    struct Case {
        int producers, consumers;
        std::uint32_t size;
        std::int64_t n;
    };
    // Boost's counts (200k at 64 B, 100k at 4 KiB); 2p2c moves as many in total.
    const Case cases[] = {{1, 1, 64, 200'000}, {1, 1, 4096, 100'000}, {2, 2, 64, 200'000}, {2, 2, 4096, 100'000}};
    for (const Case &c : cases) {
        const std::int64_t n = opts.scaled(c.n) / (c.producers * c.consumers) * (c.producers * c.consumers);
        auto both = repeatByTurns(
            opts, false, [&](bool board) { return queueOnce(opts, c.producers, c.consumers, n, c.size, board); });
        if (!both) return std::unexpected(both.error());
        for (bool board : {false, true}) {
            const Repeated *r = board ? &both->second : &both->first;
            const std::string impl = "proj/Queue " + std::to_string(c.producers) + "p" +
                                     std::to_string(c.consumers) + "c" + (board ? " +board" : "");
            const double ops = double(n) / r->median.seconds;
            Row(kQueue, impl, opts)
                .msgBytes(c.size)
                .n(n)
                .seconds(r->median.seconds)
                .extra("producers", std::int64_t(c.producers))
                .extra("consumers", std::int64_t(c.consumers))
                .extra("capacity", std::int64_t(kQueueCapacity))
                .extra("mb_per_s", ops * c.size / 1e6, 1)
                .repeated(*r)
                .emit();
        }
    }
    // The event trace on (the window's default) against off, by turns, at
    // 64 B 1p1c; nobody drains the rings (see bench_value.cpp).
    {
        const std::int64_t n = opts.scaled(200'000);
        auto traced = repeatByTurns(opts, false, [&](bool on) { return queueOnce(opts, 1, 1, n, 64, true, false, on); });
        if (!traced) return std::unexpected(traced.error());
        for (bool on : {false, true}) {
            const Repeated &r = on ? traced->second : traced->first;
            Row(kQueue, on ? "proj/Queue 1p1c +board +trace" : "proj/Queue 1p1c +board (by turns with the trace)", opts)
                .msgBytes(64)
                .n(n)
                .seconds(r.median.seconds)
                .extra("capacity", std::int64_t(kQueueCapacity))
                .repeated(r)
                .emit();
        }
    }
    for (const std::uint32_t size : {64u, 4096u}) {
        const std::int64_t n = opts.scaled(size == 64 ? 200'000 : 100'000);
        auto r = repeat(opts, false, [&] { return queueOnce(opts, 1, 1, n, size, false, true); });
        if (!r) return std::unexpected(r.error());
        Row(kQueue, std::string(kBareRing), opts)
            .msgBytes(size)
            .n(n)
            .seconds(r->median.seconds)
            .extra("capacity", std::int64_t(kQueueCapacity))
            .extra("mb_per_s", double(n) / r->median.seconds * size / 1e6, 1)
            .repeated(*r)
            .emit();
    }
    return {};
}

// --- pipe_throughput ------------------------------------------------------

Result<Sample> pipeOnce(const Options &opts, bool duplex, std::int64_t n, std::int64_t size)
{
    auto run = Run::create(1 << 20);
    if (!run) return std::unexpected(run.error());
    auto gate = (*run)->arena().make<StartGate>("gate");
    if (!gate) return std::unexpected(gate.error());
    auto pipe = Connection::pipe(duplex);
    if (!pipe) return std::unexpected(pipe.error());
    auto &[reader, writer] = *pipe;
    const roles::BenchLoopOptions loop{.count = n, .size = size, .board = false};
    auto w = (*run)->spawn(roles::BenchPipeOptions{.mode = "write", .pipe = roles::connectionEnd(writer), .loop = loop},
                           SpawnOptions{.inheritFds = {writer.fd()}, .cpu = opts.cpuForRole(0)});
    if (!w) return std::unexpected(w.error());
    roles::BenchPipeOptions readOptions{.mode = "read", .pipe = roles::connectionEnd(reader), .loop = loop};
    readOptions.loop.index = 1;
    auto r = (*run)->spawn(readOptions, SpawnOptions{.inheritFds = {reader.fd()}, .cpu = opts.cpuForRole(1)});
    if (!r) return std::unexpected(r.error());
    reader.close();
    writer.close();
    auto t0 = openWhenArrived(**run, **gate, 2);
    if (!t0) return std::unexpected(t0.error());
    if (auto joined = joinAll(**run); !joined) return std::unexpected(joined.error());
    Sample s;
    s.seconds = double((*gate)->lastFinishNs(2) - *t0) * 1e-9;
    return s;
}

Result<void> runPipe(const Options &opts)
{
    // The raw pipe's counts.
    const std::pair<std::int64_t, std::int64_t> cases[] = {{64, 500'000}, {4096, 200'000}, {65536, 20'000}};
    for (bool duplex : {false, true}) {
        for (auto [size, count] : cases) {
            const std::int64_t n = opts.scaled(count);
            auto r = repeat(opts, false, [&] { return pipeOnce(opts, duplex, n, size); });
            if (!r) return std::unexpected(r.error());
            const double ops = double(n) / r->median.seconds;
            Row(kPipe, duplex ? "proj/Pipe() [socketpair]" : "proj/Pipe(duplex=False) [pipe]", opts)
                .msgBytes(size)
                .n(n)
                .seconds(r->median.seconds)
                .extra("mb_per_s", ops * double(size) / 1e6, 1)
                .repeated(*r)
                .emit();
        }
    }
    return {};
}

// --- pingpong -------------------------------------------------------------

// Pins this process as role `role` for its lifetime, then restores.
class PinSelf {
public:
    PinSelf(const Options &opts, int role)
    {
        sched_getaffinity(0, sizeof m_saved, &m_saved);
        const int cpu = opts.cpuForRole(role);
        if (cpu < 0) return;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(std::size_t(cpu), &set);
        m_pinned = sched_setaffinity(0, sizeof set, &set) == 0;
    }
    ~PinSelf()
    {
        if (m_pinned) sched_setaffinity(0, sizeof m_saved, &m_saved);
    }
    PinSelf(const PinSelf &) = delete;
    PinSelf &operator=(const PinSelf &) = delete;

private:
    cpu_set_t m_saved{};
    bool m_pinned = false;
};

Result<Sample> pingpongOnce(const Options &opts, bool twoPipes, std::int64_t n)
{
    constexpr std::int64_t kWarmup = 1000;
    constexpr std::size_t kSize = 64;
    auto run = Run::create(1 << 20);
    if (!run) return std::unexpected(run.error());
    auto gate = (*run)->arena().make<StartGate>("gate");
    if (!gate) return std::unexpected(gate.error());
    // ping: this process -> echo; pong: echo -> this process.
    auto ping = Connection::pipe(!twoPipes);
    if (!ping) return std::unexpected(ping.error());
    std::optional<std::pair<Connection, Connection>> pong;
    roles::BenchPipeOptions echo{.mode = "echo", .loop = {.count = n + kWarmup, .size = kSize, .board = false}};
    SpawnOptions spawnOptions{.cpu = opts.cpuForRole(1)};
    Connection *toEcho = nullptr;
    Connection *fromEcho = nullptr;
    if (twoPipes) {
        auto p = Connection::pipe(false);
        if (!p) return std::unexpected(p.error());
        pong = std::move(*p);
        echo.pipe = roles::connectionEnd(ping->first);
        echo.reply = roles::connectionEnd(pong->second);
        spawnOptions.inheritFds = {ping->first.fd(), pong->second.fd()};
        toEcho = &ping->second;
        fromEcho = &pong->first;
    } else {
        echo.pipe = roles::connectionEnd(ping->second);
        spawnOptions.inheritFds = {ping->second.fd()};
        toEcho = fromEcho = &ping->first;
    }
    if (auto spawned = (*run)->spawn(echo, spawnOptions); !spawned)
        return std::unexpected(spawned.error());
    // Only the echo keeps its ends.
    if (twoPipes) {
        ping->first.close();
        pong->second.close();
    } else {
        ping->second.close();
    }
    auto t0 = openWhenArrived(**run, **gate, 1);
    if (!t0) return std::unexpected(t0.error());

    PinSelf pinned(opts, 0);
    std::vector<std::byte> buf(kSize, std::byte{'x'});
    const auto roundTrip = [&]() -> Result<void> {
        if (auto sent = toEcho->sendBytes(buf); !sent) return sent;
        auto got = fromEcho->recvBytesInto(buf);
        if (!got) return std::unexpected(got.error());
        return {};
    };
    for (std::int64_t i = 0; i < kWarmup; ++i)
        if (auto ok = roundTrip(); !ok) return std::unexpected(ok.error());
    std::vector<double> each(std::size_t(n), 0.0);
    const std::uint64_t start = monotonicNs();
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint64_t t = monotonicNs();
        if (auto ok = roundTrip(); !ok) return std::unexpected(ok.error());
        each[std::size_t(i)] = double(monotonicNs() - t) * 1e-9;
    }
    Sample s;
    s.seconds = double(monotonicNs() - start) * 1e-9;
    summarizeLatencies(each, s);
    if (auto joined = joinAll(**run); !joined) return std::unexpected(joined.error());
    return s;
}

Result<void> runPingpong(const Options &opts)
{
    for (bool twoPipes : {false, true}) {
        const std::int64_t n = opts.scaled(20'000);
        auto r = repeat(opts, true, [&] { return pingpongOnce(opts, twoPipes, n); });
        if (!r) return std::unexpected(r.error());
        Row(kPingpong, twoPipes ? "proj/Pipe(duplex=False) x2 [pipe]" : "proj/Pipe() [socketpair]", opts)
            .msgBytes(64)
            .n(n)
            .seconds(r->median.seconds)
            .latencyUs(r->median.latencyUs)
            .repeated(*r)
            .emit();
    }
    return {};
}

Result<void> runMessaging(const Options &opts)
{
    if (opts.wants(kQueue))
        if (auto r = runQueue(opts); !r) return r;
    if (opts.wants(kPipe))
        if (auto r = runPipe(opts); !r) return r;
    if (opts.wants(kPingpong))
        if (auto r = runPingpong(opts); !r) return r;
    return {};
}

} // namespace

extern const Group messagingGroup{"messaging", kBenches, &runMessaging};

} // namespace ipc::bench
