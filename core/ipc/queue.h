// Queue and JoinableQueue: multiprocessing.Queue / JoinableQueue in the
// arena. Bounded (maxsize items), any number of producer and consumer
// processes, messages of variable size up to a per-queue limit.
//
// Contract
//   put   blocks while full (kForever), waits at most `timeout`, or fails
//         at once (kNoWait): either way Errc::Full, Python's queue.Full.
//   get   blocks while empty likewise; Errc::Empty (queue.Empty) when it
//         gives up, at once or after its timeout.
//   A message larger than maxMessageBytes() -> Errc::TooLarge (nothing is
//   queued). get into a buffer smaller than the next message ->
//   Errc::TooLarge and the message stays at the head of the queue.
//   close() wakes every blocked caller: put then fails with Errc::Closed;
//   get still drains what is queued and then fails with Errc::Closed
//   instead of blocking.
//   qsize() is exact (tail - head, both monotonic counters) whenever no
//   put/get is in flight; during one it is off by at most the calls in flight.
//   JoinableQueue: taskDone() once per item got; one call more than items
//   put -> Errc::ValueError. join() returns once every item put has been
//   marked done.
// Any process attached to the arena may call any member (one thread per
// process). Telemetry (stats()) takes no lock and may be read at any time.
//
// Layout (in the arena, at the object's offset; see docs/architecture.md):
//   config line      magic, capacity, maxMessageBytes, stride, offsets
//   producer lines   putLock (OwnerLock), putIndex, cachedHead, put intent,
//                    the CPU the last put ran on;
//                    tail (items ever put) and bytesPut, on their own line
//   consumer lines   getLock, getIndex, get intent, CPU; head, bytesGot
//   wait lines       closed flag, joinable counters, and per side a waiter
//                    bitmask with a (pid, futex word) entry behind each bit
//   cells[capacity]  u64 per slot: the payload length (low half) and the
//                    stamp of the item i it holds, i + 1 mod 2^32 (high
//                    half); 64-byte aligned
//   slots[capacity]  payloads; stride = maxMessageBytes rounded up to 64,
//                    so every payload starts on a cache line.
// Item i (0-based, counting every put ever) lives in slot i % capacity.
// A consumer learns that item `head` exists from its cell alone, not from
// tail: with producer and consumer on two CPUs and the queue nearly empty,
// every shared line costs a transfer between them per item, and the cell
// (length and stamp in one word) replaces two (tail and a length).
//
// Kill safety (SIGKILL at any instruction). Producers serialise on putLock,
// consumers on getLock (OwnerLock, a lock that survives its owner), so
// producers and consumers never contend with each other. A put copies the
// payload into the free slot at `tail` and only then publishes it with one
// atomic store of its cell (length and stamp); tail+1 follows. A get copies
// the slot at `head` out and only then frees it with one store head+1. A
// process killed before its commit store leaves the queue exactly as it was
// (a half-copied slot is never visible, an item half-read stays queued);
// killed after it, the operation is complete. The next caller takes the
// lock over (AcquireStatus::OwnerDied), redoes the operation's remaining
// writes (tail after a stamped cell, the byte counter from an idempotent
// intent record, the wrapped index) and goes on.
// Waiters register in a bitmask with their pid, so puts and gets issue a
// futex wake only when someone waits; a waiter killed while registered is
// cleared by the next process that waits (its pid no longer exists), and a
// waiter re-checks at least every 100 ms, so a wake lost with a killed
// process delays, never hangs.
//
// Telemetry: a blocking call marks the caller's board slot BlockedPut /
// BlockedGet (object = this queue) while it waits; put/get count
// Counter::ItemsPut / ItemsGot and BytesSent / BytesReceived on the caller's
// slot when a board is attached.
#pragma once

#include "arena.h"
#include "message.h"
#include "owner_lock.h"
#include "posix_call.h"
#include "result.h"
#include "spin_wait.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

// The Qt adapters below are declared here and defined in qt_message.cpp,
// so that this class compiles and links without QtCore.
class QByteArray;
class QByteArrayView;
class QCborValue;

namespace ipc {

struct QueueStats {
    std::uint64_t capacity = 0;
    std::uint64_t depth = 0;      // items queued now
    std::uint64_t maxDepth = 0;   // largest depth observed (== capacity once ever full)
    std::uint64_t itemsPut = 0;   // ever
    std::uint64_t itemsGot = 0;   // ever
    std::uint64_t bytesPut = 0;   // payload bytes ever put
    std::uint64_t bytesGot = 0;   // payload bytes ever got
    std::uint32_t blockedPut = 0; // producers waiting for room now
    std::uint32_t blockedGet = 0; // consumers waiting for an item now
    std::uint64_t tasksDone = 0;  // JoinableQueue: taskDone() calls
    std::uint64_t ownerDeaths = 0; // operations a killed process left to repair
    bool closed = false;
    [[nodiscard]] std::uint64_t bytesQueued() const noexcept { return bytesPut - bytesGot; }
    [[nodiscard]] std::uint64_t unfinishedTasks() const noexcept { return itemsPut - tasksDone; }
};

namespace detail {

// Processes waiting on one side of a queue. Each waiter owns an entry
// (its pid and its own futex word) and a bit in `mask`, which is all the
// fast path of the other side reads. A waker clears the bit of the waiter
// it wakes, so a waiter that is woken but not yet running (same CPU) does
// not draw a futex syscall from every following put or get.
struct WaiterSet {
    static constexpr int kMax = 64;
    struct Entry {
        std::atomic<std::int32_t> pid{0};
        std::atomic<std::uint32_t> seq{0}; // futex word of this waiter
    };
    std::atomic<std::uint64_t> mask{0};
    Entry entries[kMax]{};

    // Claims a free entry (-1 when all 64 are taken).
    [[nodiscard]] int enter(std::int32_t pid) noexcept;
    // Publishes the waiter's bit; returns the futex value to wait on. The
    // caller then re-checks its condition before waiting.
    [[nodiscard]] std::uint32_t arm(int index) noexcept;
    void leave(int index) noexcept;
    // Wakes one armed waiter (false if none); wakeAll every one.
    bool wakeOne() noexcept;
    void wakeAll() noexcept;
    // Clears entries whose process no longer exists.
    void repair(std::int32_t self) noexcept;
    [[nodiscard]] std::uint32_t liveCount() const noexcept;
};

// The only non-atomic part of a put/get: what the byte counter must become
// once `pos` is published. Redone by whoever inherits a dead holder's lock.
struct Intent {
    std::uint64_t pos = 0; // tail/head value being published; 0 = none
    std::uint64_t bytesTarget = 0;
};

struct SpinPlan; // how a waiter spins before it sleeps (queue.cpp)

} // namespace detail

class Queue {
public:
    static constexpr ObjectKind kKind = ObjectKind::Queue;
    static constexpr std::uint32_t kMaxCapacity = 1u << 20;
    // maxsize for Python's Queue() without one: see create().
    static constexpr std::uint32_t kUnbounded = 0;
    static constexpr std::uint32_t kDefaultMaxMessageBytes = 64u << 10;
    static constexpr std::uint64_t kMagic = 0x5545555143504932ull; // "2IPCQUEU": stamped cells

    std::uint32_t objectIndex = kNoObject;

    // Bytes in the arena for a queue of maxsize slots of maxMessageBytes.
    [[nodiscard]] static std::size_t bytesFor(std::uint32_t maxsize, std::uint32_t maxMessageBytes) noexcept;
    // Validates the sizes (InvalidArgument), then makes the queue in the
    // arena (TooLarge when it does not fit). Engine only, before workers start.
    // maxsize kUnbounded (Python's Queue()): the ring is a fixed block of the
    // arena, so it takes as many slots as half the arena's free space holds
    // (at most kMaxCapacity): a put waits only once those are full.
    [[nodiscard]] static Result<Queue *> create(Arena &arena, std::string_view name,
                                                std::uint32_t maxsize,
                                                std::uint32_t maxMessageBytes = kDefaultMaxMessageBytes);
    // A Queue or a JoinableQueue by name (consumers use either the same way).
    [[nodiscard]] static Result<Queue *> attach(const Arena &arena, std::string_view name);

    // Use create(); public for Arena::make.
    Queue(std::uint32_t maxsize, std::uint32_t maxMessageBytes) noexcept;
    Queue(const Queue &) = delete;
    Queue &operator=(const Queue &) = delete;

    // Bytes: one item is one put's bytes.
    [[nodiscard]] Result<void> put(std::span<const std::byte> item, Duration timeout = kForever);
    // Copies the next item into buffer; returns its length.
    [[nodiscard]] Result<std::size_t> get(std::span<std::byte> buffer, Duration timeout = kForever);

    // Messages (message.h), Python's q.put(obj) / q.get(). A message that
    // does not decode is still consumed (so one bad producer cannot wedge
    // the queue) and reported as Corrupt / TooLarge.
    [[nodiscard]] Result<void> put(const Message &message, Duration timeout = kForever);
    [[nodiscard]] Result<Message> get(Duration timeout = kForever, DecodeLimits limits = {});

    // Qt adapters (qt_message.h): the same with QByteArray and QCborValue.
    [[nodiscard]] Result<void> putBytes(QByteArrayView item, Duration timeout = kForever);
    [[nodiscard]] Result<QByteArray> getBytes(Duration timeout = kForever);
    [[nodiscard]] Result<void> putCbor(const QCborValue &message, Duration timeout = kForever);
    [[nodiscard]] Result<QCborValue> getCbor(Duration timeout = kForever, DecodeLimits limits = {});

    void close() noexcept;
    [[nodiscard]] bool isClosed() const noexcept;

    [[nodiscard]] std::size_t qsize() const noexcept;
    [[nodiscard]] bool empty() const noexcept { return qsize() == 0; }
    [[nodiscard]] bool full() const noexcept { return qsize() >= m_capacity; }
    [[nodiscard]] std::uint32_t capacity() const noexcept { return m_capacity; }
    [[nodiscard]] std::uint32_t maxMessageBytes() const noexcept { return m_maxMessageBytes; }

    // Lock-free snapshot for the GUI (blocked counts skip dead waiters).
    [[nodiscard]] QueueStats stats() const noexcept;

    // Arena::find's check that the bytes at this name are a queue.
    [[nodiscard]] Result<void> typeError(std::string_view name) const;

protected:
    // JoinableQueue.
    [[nodiscard]] Result<void> taskDoneImpl() noexcept;
    [[nodiscard]] Result<void> joinImpl(Duration timeout) noexcept;

private:
    // tests/core/ipc/tst_queue.cpp: stops a put between commitPut and countPut.
    friend struct QueueProbe;
    enum class Side { Put, Get };
    [[nodiscard]] std::byte *slot(std::uint32_t index) noexcept
    {
        return reinterpret_cast<std::byte *>(this) + m_slotsOffset + std::size_t(index) * m_stride;
    }
    [[nodiscard]] std::atomic<std::uint64_t> &cell(std::uint32_t index) const noexcept
    {
        return reinterpret_cast<std::atomic<std::uint64_t> *>(
            reinterpret_cast<std::byte *>(const_cast<Queue *>(this)) + m_cellsOffset)[index];
    }
    [[nodiscard]] Result<void> lock(OwnerLock &lock, Side side, Duration timeout,
                                    std::optional<Deadline> &deadline) noexcept;
    void repair(Side side) noexcept;
    template <class Ready>
    [[nodiscard]] Result<void> waitOn(detail::WaiterSet &waiters, const detail::SpinPlan &plan,
                                      const CpuNote &otherSide, const Deadline &deadline,
                                      std::optional<StateScope> &marked, ProcState state,
                                      Ready &&ready) noexcept;
    void commitPut(std::uint64_t t, std::uint32_t index, std::span<const std::byte> item) noexcept;
    void countPut(std::uint64_t t, std::uint32_t index) noexcept;
    [[nodiscard]] Result<void> waitForRoom(const Deadline &deadline,
                                           std::optional<StateScope> &marked) noexcept;
    [[nodiscard]] Result<void> waitForItem(const Deadline &deadline,
                                           std::optional<StateScope> &marked) noexcept;
    // Items ever put: tail, plus the one whose producer stamped its cell
    // (the commit) but has not yet advanced tail, or was killed before.
    [[nodiscard]] std::uint64_t itemsPut() const noexcept;
    [[nodiscard]] bool itemAtHead() const noexcept;
    void noteDepth(std::uint64_t depth) noexcept;
    [[nodiscard]] std::string what() const;
    // An encoder's refusal of a message, as put() reports it.
    [[nodiscard]] Error refusedMessage(Error error) const;

    // Config, written once by the constructor.
    std::uint64_t m_magic;
    std::uint32_t m_capacity;
    std::uint32_t m_maxMessageBytes;
    std::uint32_t m_stride;
    std::uint32_t m_cellsOffset;
    std::uint32_t m_slotsOffset;

    // Producer side: guarded by m_putLock, touched only by producers.
    alignas(64) OwnerLock m_putLock;
    std::uint32_t m_putIndex = 0;   // tail % capacity
    std::uint64_t m_cachedHead = 0; // <= head; refreshed when the queue looks full or this put may fill it
    detail::Intent m_putIntent;
    CpuNote m_putCpu;
    // Published by producers, read by the GUI (consumers look once a lap).
    alignas(64) std::atomic<std::uint64_t> m_tail{0};
    std::atomic<std::uint64_t> m_bytesPut{0};

    // Consumer side, likewise.
    alignas(64) OwnerLock m_getLock;
    std::uint32_t m_getIndex = 0;   // head % capacity
    detail::Intent m_getIntent;
    CpuNote m_getCpu;
    alignas(64) std::atomic<std::uint64_t> m_head{0};
    std::atomic<std::uint64_t> m_bytesGot{0};

    alignas(64) std::atomic<std::uint32_t> m_closed{0};
    std::atomic<std::uint32_t> m_joinSeq{0}; // futex: bumped when all tasks are done
    std::atomic<std::uint32_t> m_joinWaiters{0};
    std::atomic<std::uint64_t> m_maxDepth{0};
    std::atomic<std::uint64_t> m_tasksDone{0};
    std::atomic<std::uint64_t> m_ownerDeaths{0};
    alignas(64) detail::WaiterSet m_getWaiters;
    alignas(64) detail::WaiterSet m_putWaiters;
};

class JoinableQueue : public Queue {
public:
    static constexpr ObjectKind kKind = ObjectKind::JoinableQueue;

    [[nodiscard]] static Result<JoinableQueue *> create(Arena &arena, std::string_view name,
                                                        std::uint32_t maxsize,
                                                        std::uint32_t maxMessageBytes = kDefaultMaxMessageBytes);

    using Queue::Queue;

    // Python's task_done(): ValueError when called more often than items were put.
    [[nodiscard]] Result<void> taskDone() noexcept { return taskDoneImpl(); }
    // Python's join(): waits until every item put has been marked done.
    // Board: WaitingJoin while it waits.
    [[nodiscard]] Result<void> join(Duration timeout = kForever) noexcept { return joinImpl(timeout); }
    [[nodiscard]] std::uint64_t unfinishedTasks() const noexcept { return stats().unfinishedTasks(); }
};

static_assert(sizeof(JoinableQueue) == sizeof(Queue), "JoinableQueue shares Queue's layout");

// multiprocessing.SimpleQueue: put, get, empty and close, nothing else --
// no maxsize, no timeouts, no qsize. Its ring is a Queue's, sized as
// Queue(kUnbounded) is; a put waits only once that is full (Python's
// waits once its pipe's buffer is). The GUI reads stats() as a Queue's.
class SimpleQueue : private Queue {
public:
    static constexpr ObjectKind kKind = ObjectKind::SimpleQueue;

    [[nodiscard]] static Result<SimpleQueue *> create(Arena &arena, std::string_view name,
                                                      std::uint32_t maxMessageBytes = kDefaultMaxMessageBytes);

    using Queue::Queue;
    using Queue::bytesFor;
    using Queue::objectIndex;
    using Queue::typeError;

    [[nodiscard]] Result<void> put(const Message &message) { return Queue::put(message); }
    [[nodiscard]] Result<Message> get(DecodeLimits limits = {}) { return Queue::get(kForever, limits); }
    // Qt adapters (qt_message.cpp).
    [[nodiscard]] Result<void> putCbor(const QCborValue &message);
    [[nodiscard]] Result<QCborValue> getCbor(DecodeLimits limits = {});
    [[nodiscard]] Result<void> putBytes(QByteArrayView item);
    [[nodiscard]] Result<QByteArray> getBytes();
    using Queue::close;
    using Queue::empty;
    using Queue::isClosed;
    using Queue::stats;
};

static_assert(sizeof(SimpleQueue) == sizeof(Queue), "SimpleQueue shares Queue's layout");

} // namespace ipc
