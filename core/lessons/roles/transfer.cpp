// transfer: one side of the speed comparison. A producer (--side put) hands
// N items to a consumer (--side get) through one mechanism; each item is the
// CLOCK_MONOTONIC time it was handed over, so the consumer measures the
// per-item latency (the clock is one for every process).
//
//   value    a Value(int64) and its Lock: one slot, 0 = empty
//   array    an Array(int64) and its Lock: a ring of slots, [0] head, [1] tail
//            (both look at the value before taking the lock, so a side
//            waiting for the other does not keep the lock busy)
//   queue    the arena Queue (8-byte items)
//   pipe     a one-way Pipe (send_bytes / recv_bytes_into of 8 bytes)
//   manager  a Manager dict: d[i] = t by the producer, d.pop(i) by the
//            consumer (retried while the key is not there yet); the
//            producer keeps at most 1024 items in flight, as the Queue does
//   shm      a SharedMemory block used as a lock-free single-producer /
//            single-consumer ring (the lesson: raw memory, your own protocol)
//
// Both sides set up (attach, connect), then meet at the StartGate --gate,
// so the timing covers the transfer only; each stamps its end there
// (--index 0 producer, 1 consumer).
// Options: --mechanism M --side put|get --items N --gate NAME --index I and
// per mechanism --object NAME (value, array, queue), --block NAME (shm),
// --pipe-fd FD (pipe), --info NAME (manager).
// Board: ops = items moved; consumer Custom0 = total latency ns, Custom1 =
// the largest latency ns.
#include "roles.h"

#include "dict_proxy.h"
#include "manager_client.h"
#include "pipe.h"
#include "queue.h"
#include "shared_memory_block.h"
#include "shared_value.h"
#include "start_gate.h"

#include <atomic>
#include <sched.h>

namespace ipc::roles {

namespace {

constexpr std::string_view kRole = "transfer";

// Spin briefly, then give the CPU away: on two cores the other side may
// need this one to make progress.
class Backoff {
public:
    void operator()() noexcept
    {
        if (++m_spins < 32) {
            __builtin_ia32_pause();
        } else {
            m_spins = 0;
            sched_yield();
        }
    }
    void reset() noexcept { m_spins = 0; }

private:
    std::uint32_t m_spins = 0;
};

// What the consumer records per item.
struct Tally {
    BoardSlot *slot;
    std::uint64_t count = 0;
    std::uint64_t totalNs = 0;
    std::uint64_t maxNs = 0;

    void item(std::int64_t stampNs) noexcept
    {
        const std::uint64_t now = monotonicNs();
        const std::uint64_t ns = now > std::uint64_t(stampNs) ? now - std::uint64_t(stampNs) : 0;
        ++count;
        totalNs += ns;
        maxNs = std::max(maxNs, ns);
        if (slot && (count & 63) == 0) publish();
    }
    void publish() const noexcept
    {
        if (!slot) return;
        slot->ops.store(count, std::memory_order_relaxed);
        slot->counters[std::size_t(Counter::Custom0)].store(totalNs, std::memory_order_relaxed);
        slot->counters[std::size_t(Counter::Custom1)].store(maxNs, std::memory_order_relaxed);
    }
};

void sent(BoardSlot *slot, std::uint64_t n) noexcept
{
    if (slot && (n & 63) == 0) slot->ops.store(n, std::memory_order_relaxed);
}

std::int64_t stamp() noexcept { return std::int64_t(monotonicNs()); }

// After a try under the lock: count an item moved (the put side tells the
// board) or back off. False when a stop request ends the transfer.
bool afterTry(const WorkerContext &ctx, bool put, bool moved, std::uint64_t &i, Backoff &backoff)
{
    if (moved) {
        ++i;
        if (put) sent(ctx.slot, i);
        backoff.reset();
        return true;
    }
    if (ctx.shouldStop()) return false;
    backoff();
    return true;
}

// Value+Lock: one slot; the producer waits for it to be empty.
Result<void> viaValue(WorkerContext &ctx, const std::string &object, bool put, std::uint64_t items, Tally &tally)
{
    auto value = ctx.arena.find<SharedValue<std::int64_t>>(object);
    if (!value) return std::unexpected(value.error());
    SharedValue<std::int64_t> &v = **value;
    AnyLock &lock = v.getLock();
    Backoff backoff;
    for (std::uint64_t i = 0; i < items;) {
        // Look before taking the lock: waiting for the other side must not
        // hammer the lock it needs (that measures contention, not transfer).
        if ((v.load() == 0) != put) {
            if (ctx.shouldStop()) return {};
            backoff();
            continue;
        }
        auto held = LockGuard::hold(lock);
        if (!held) return std::unexpected(held.error());
        bool moved = false;
        if (put && v.load() == 0) {
            v.store(stamp());
            moved = true;
        } else if (!put) {
            if (const std::int64_t x = v.load(); x != 0) {
                v.store(0);
                tally.item(x);
                moved = true;
            }
        }
        if (auto r = held->release(); !r) return r;
        if (!afterTry(ctx, put, moved, i, backoff)) return {};
    }
    return {};
}

// Array+Lock: a ring of slots in one Array, every access under its lock.
Result<void> viaArray(WorkerContext &ctx, const std::string &object, bool put, std::uint64_t items, Tally &tally)
{
    auto array = ctx.arena.find<SharedArray<std::int64_t>>(object);
    if (!array) return std::unexpected(array.error());
    SharedArray<std::int64_t> &a = **array;
    if (a.size() < 3) return fail(Errc::InvalidArgument, "transfer array needs head, tail and a slot");
    const auto capacity = std::int64_t(a.size() - 2);
    AnyLock &lock = a.getLock();
    Backoff backoff;
    for (std::uint64_t i = 0; i < items;) {
        // Look before taking the lock (see viaValue).
        const std::int64_t seen = a.load(1) - a.load(0);
        if (put ? seen >= capacity : seen <= 0) {
            if (ctx.shouldStop()) return {};
            backoff();
            continue;
        }
        auto held = LockGuard::hold(lock);
        if (!held) return std::unexpected(held.error());
        const std::int64_t head = a.load(0);
        const std::int64_t tail = a.load(1);
        bool moved = false;
        if (put && tail - head < capacity) {
            a.store(std::size_t(2 + tail % capacity), stamp());
            a.store(1, tail + 1);
            moved = true;
        } else if (!put && head < tail) {
            tally.item(a.load(std::size_t(2 + head % capacity)));
            a.store(0, head + 1);
            moved = true;
        }
        if (auto r = held->release(); !r) return r;
        if (!afterTry(ctx, put, moved, i, backoff)) return {};
    }
    return {};
}

// SharedMemory: a single-producer single-consumer ring without a lock.
// int64 words: [0] head (consumer's), [8] tail (producer's, own cache line),
// [16 ...] slots. The producer writes the slot, then publishes tail with
// release; the consumer reads tail with acquire, then the slot.
Result<void> viaBlock(SharedMemoryBlock &block, WorkerContext &ctx, bool put, std::uint64_t items, Tally &tally)
{
    auto view = block.view<std::int64_t>();
    if (!view) return std::unexpected(view.error());
    if (view->size() < 17) return fail(Errc::InvalidArgument, "transfer block too small for a ring");
    std::int64_t *w = view->data();
    const auto capacity = std::int64_t(view->size() - 16);
    std::atomic_ref<std::int64_t> head(w[0]);
    std::atomic_ref<std::int64_t> tail(w[8]);
    Backoff backoff;
    // Each side keeps its own index privately and publishes it every
    // kPublishEvery items, and always before it waits; it reads the other
    // side's index again only when the ring looks full (empty). The index
    // cache lines then move between the CPUs once per batch, not per item
    // -- what makes shared memory the fastest way, with no system call and
    // no lock. Publishing before waiting means neither side can wait for
    // something the other has done but not yet shown.
    constexpr std::int64_t kPublishEvery = 32;
    if (put) {
        std::int64_t t = tail.load(std::memory_order_relaxed);
        std::int64_t seenHead = head.load(std::memory_order_acquire);
        for (std::uint64_t i = 0; i < items; ++i) {
            while (t - seenHead >= capacity) {
                tail.store(t, std::memory_order_release);
                seenHead = head.load(std::memory_order_acquire);
                if (t - seenHead < capacity) break;
                if (ctx.shouldStop()) return {};
                backoff();
            }
            std::atomic_ref<std::int64_t>(w[16 + t % capacity]).store(stamp(), std::memory_order_relaxed);
            ++t;
            if (t % kPublishEvery == 0) tail.store(t, std::memory_order_release);
            sent(ctx.slot, i + 1);
            backoff.reset();
        }
        tail.store(t, std::memory_order_release);
    } else {
        std::int64_t h = head.load(std::memory_order_relaxed);
        std::int64_t seenTail = tail.load(std::memory_order_acquire);
        for (std::uint64_t i = 0; i < items; ++i) {
            while (seenTail == h) {
                head.store(h, std::memory_order_release);
                seenTail = tail.load(std::memory_order_acquire);
                if (seenTail != h) break;
                if (ctx.shouldStop()) return {};
                backoff();
            }
            tally.item(std::atomic_ref<std::int64_t>(w[16 + h % capacity]).load(std::memory_order_relaxed));
            ++h;
            if (h % kPublishEvery == 0) head.store(h, std::memory_order_release);
            backoff.reset();
        }
        head.store(h, std::memory_order_release);
    }
    return {};
}

std::span<const std::byte> bytesOf(const std::int64_t &x) noexcept
{
    return {reinterpret_cast<const std::byte *>(&x), sizeof x};
}

// Through a Queue or a Pipe: each item one timestamp of 8 bytes.
template <class Send, class Receive>
Result<void> viaChannel(WorkerContext &ctx, bool put, std::uint64_t n, Tally &tally, Send send, Receive receive)
{
    for (std::uint64_t i = 0; i < n; ++i) {
        if (put) {
            const std::int64_t t = stamp();
            if (auto ok = send(bytesOf(t)); !ok) return ok;
            sent(ctx.slot, i + 1);
        } else {
            std::int64_t t = 0;
            auto got = receive(std::span<std::byte>(reinterpret_cast<std::byte *>(&t), sizeof t));
            if (!got) return std::unexpected(got.error());
            tally.item(t);
        }
    }
    return {};
}

// Key i for item i: the dict holds only the items in flight. False when a
// stop request came first.
Result<bool> viaManager(manager::DictProxy &dict, WorkerContext &ctx, bool put, std::uint64_t n, Tally &tally)
{
    Backoff backoff;
    for (std::uint64_t i = 0; i < n; ++i) {
        const QCborValue key{qint64(i)};
        if (put) {
            // Bounded like the Queue: at most 1024 items in flight
            // (checked every 256 items, one extra request each time).
            while ((i & 255) == 0 && i > 0) {
                auto inFlight = dict.size();
                if (!inFlight) return std::unexpected(inFlight.error());
                if (*inFlight < 1024) break;
                if (ctx.shouldStop()) return false;
                sched_yield();
            }
            if (auto ok = dict.set(key, qint64(stamp())); !ok) return std::unexpected(ok.error());
            sent(ctx.slot, i + 1);
            continue;
        }
        for (;;) {
            auto x = dict.pop(key);
            if (x) {
                tally.item(x->toInteger());
                break;
            }
            if (x.error().code != Errc::NotFound) return std::unexpected(x.error());
            if (ctx.shouldStop()) return false;
            backoff();
        }
        backoff.reset();
    }
    return true;
}

} // namespace

int transfer(WorkerContext &ctx, const TransferOptions &options)
{
    const std::string &mechanism = options.mechanism;
    auto gate = ctx.arena.find<StartGate>(options.gate);
    if (!gate) return failed(kRole, gate.error());
    const bool put = options.side == "put";
    const auto n = std::uint64_t(options.items);
    Tally tally{put ? nullptr : ctx.slot};

    // Set up first; the gate opens the timed part.
    SharedMemoryBlock block;
    Queue *queue = nullptr;
    Connection pipe;
    std::optional<manager::DictProxy> dict;
    std::optional<manager::ManagerClient> client;
    if (mechanism == "shm") {
        auto b = SharedMemoryBlock::attach(options.block);
        if (!b) return failed(kRole, b.error());
        block = std::move(*b);
    } else if (mechanism == "queue") {
        auto q = Queue::attach(ctx.arena, options.object);
        if (!q) return failed(kRole, q.error());
        queue = *q;
    } else if (mechanism == "pipe") {
        if (options.pipeFd < 0) return badOption(kRole, Error{Errc::InvalidArgument, "--pipe-fd is required"});
        auto c = Connection::adopt(int(options.pipeFd), put ? Connection::Mode::WriteOnly : Connection::Mode::ReadOnly);
        if (!c) return failed(kRole, c.error());
        pipe = std::move(*c);
    } else if (mechanism == "manager") {
        auto info = ctx.arena.find<manager::ManagerInfo>(options.info);
        if (!info) return failed(kRole, info.error());
        auto c = manager::ManagerClient::connect(**info);
        if (!c) return failed(kRole, c.error());
        client = std::move(*c);
        auto d = client->dict("transfer");
        if (!d) return failed(kRole, d.error());
        dict = *d;
    }
    if (auto ok = (*gate)->arriveAndWait(std::chrono::seconds(30)); !ok) return failed(kRole, ok.error());

    Result<void> moved;
    if (mechanism == "value") {
        moved = viaValue(ctx, options.object, put, n, tally);
    } else if (mechanism == "array") {
        moved = viaArray(ctx, options.object, put, n, tally);
    } else if (mechanism == "shm") {
        moved = viaBlock(block, ctx, put, n, tally);
    } else if (mechanism == "queue") {
        moved = viaChannel(
            ctx, put, n, tally, [&](std::span<const std::byte> b) { return queue->put(b); },
            [&](std::span<std::byte> b) { return queue->get(b); });
    } else if (mechanism == "pipe") {
        moved = viaChannel(
            ctx, put, n, tally, [&](std::span<const std::byte> b) { return pipe.sendBytes(b); },
            [&](std::span<std::byte> b) { return pipe.recvBytesInto(b); });
    } else { // manager
        auto finished = viaManager(*dict, ctx, put, n, tally);
        if (finished && !*finished) return 0; // stopped
        if (!finished) moved = std::unexpected(finished.error());
    }
    if (!moved) return failed(kRole, moved.error());
    if (ctx.slot) ctx.slot->ops.store(put ? n : tally.count, std::memory_order_relaxed);
    tally.publish();
    (*gate)->finish(std::uint32_t(options.index));
    return 0;
}

} // namespace ipc::roles
