#include "queue.h"

#include "board.h"
#include "futex.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sched.h>
#include <string>
#include <unistd.h>

namespace ipc {

namespace {

// A waiter re-checks its condition at least this often, so a wake lost to
// a process SIGKILLed between being woken and acting on it costs at most
// this much delay, never a hang.
constexpr Duration kWaitSlice = std::chrono::milliseconds(100);

constexpr std::size_t roundUp64(std::size_t n) noexcept { return (n + 63u) & ~std::size_t(63); }

std::size_t strideFor(std::uint32_t maxMessageBytes) noexcept { return roundUp64(maxMessageBytes); }
std::size_t cellsBytes(std::uint32_t capacity) noexcept
{
    return roundUp64(std::size_t(capacity) * sizeof(std::uint64_t));
}

// A cell holds the payload length (low half) and the stamp of its item
// (high half): item i is stamped i + 1, so a cell never written (0) or
// written for the item one lap earlier (i + 1 - capacity) does not match.
constexpr std::uint64_t cellFor(std::uint64_t item, std::size_t length) noexcept
{
    return (std::uint64_t(std::uint32_t(item + 1)) << 32) | std::uint32_t(length);
}
constexpr bool holds(std::uint64_t cell, std::uint64_t item) noexcept
{
    return std::uint32_t(cell >> 32) == std::uint32_t(item + 1);
}
constexpr std::uint32_t lengthIn(std::uint64_t cell) noexcept { return std::uint32_t(cell); }

// min(deadline, now + kWaitSlice)
Deadline slice(const Deadline &deadline) noexcept
{
    if (deadline.forever()) return Deadline(kWaitSlice);
    const int ms = deadline.pollMs();
    return Deadline(std::min<Duration>(std::chrono::milliseconds(ms), kWaitSlice));
}

std::string within(Duration timeout)
{
    if (timeout <= kNoWait) return "without waiting";
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    if (us < 1000) return "within " + std::to_string(us) + " us";
    return "within " + std::to_string(us / 1000) + " ms";
}

// Keeps the compiler from moving the steps of a commit past each other: a
// SIGKILL stops a process between two instructions, and on this target
// (x86-64, TSO) stores reach memory in program order.
inline void step() noexcept { std::atomic_signal_fence(std::memory_order_seq_cst); }

} // namespace

// --- spinning, and the sets of waiters -------------------------------------

namespace detail {

// How a waiter spins before it sleeps, in pauses (about 20 ns each here).
// A futex sleep costs the other side a wake syscall and us a cross-CPU
// wake-up (tens of microseconds on a VM), so a short spin pays.
struct SpinPlan {
    int pauses;  // spent before yielding
    int pollGap; // pauses between two looks at the queue
};
// A producer waiting for room looks after every pause, for ~4 us.
constexpr SpinPlan kRoomSpin{200, 1};
// A consumer waiting for an item looks only every ~2.5 us, for ~40 us. Each
// look pulls the line of the next cell to the consumer's CPU, and the
// producer writing that cell then waits for it back: at split, 73% of a
// put's time went into the lock release waiting for its stores. Looking
// seldom lets the producer fill several cells undisturbed and the consumer
// take them in one go. With the cells, against looking after every pause
// and a separate length array (ipc-bench at split, 64-byte items, medians
// of 6 runs): 1p1c 2.0 -> 4.0 M items/s, 2p2c 3.9 -> 9.9 M; 4 KiB about
// the same. Producers waiting for room gained nothing from the same.
constexpr SpinPlan kItemSpin{2000, 128};
constexpr int kSpinYields = 20;
// A wait is marked on the board (BlockedPut/BlockedGet, two clock reads and
// a line of stores) once it has lasted this many pauses, ~2.5 us; a shorter
// one only adds its length, counted in pauses, to blockedNs. Such waits
// come by the million at split, far too short for the window to show, and
// marking each cost 2p2c 64-byte items 12-26% of their rate (ipc-bench,
// board on / off, medians of 10 runs: 0.74-0.88 -> 0.96-1.00).
constexpr int kMarkAfterPauses = 128;
// With a consumer last seen on the producer's CPU, the producer yields to
// it each time 2^19 bytes (512 KiB) have been put, not only once the queue
// is full: the consumer then copies the items out while they are still in
// this CPU's L2 cache. A full queue of 1024 x 4 KiB is 4 MiB, and the two
// copies of a 4 KiB item cost ~450 ns when the ring is beyond L2 against
// ~270 ns within it (memcpy here). ipc-bench, both on CPU 0, 4 KiB items:
// 1p1c 1.05-1.32 -> 1.48-1.64x Boost, 2p2c 1.17-1.28 -> 1.27-1.36x
// (4-round medians, two A/B pairs); other placements unchanged.
constexpr int kHandOverShift = 19;

namespace {
constexpr std::int32_t kRepairing = -1;
}

int WaiterSet::enter(std::int32_t pid) noexcept
{
    for (int i = 0; i < kMax; ++i) {
        std::int32_t expected = 0;
        if (entries[i].pid.load(std::memory_order_relaxed) == 0 &&
            entries[i].pid.compare_exchange_strong(expected, pid, std::memory_order_acq_rel))
            return i;
    }
    return -1;
}

std::uint32_t WaiterSet::arm(int index) noexcept
{
    // The futex value is read before the bit is set: a waker that sees the
    // bit bumps seq afterwards, so the wait cannot miss it.
    const std::uint32_t seq = entries[index].seq.load(std::memory_order_seq_cst);
    // seq_cst: the waker's "store index, then load mask" and our "set bit,
    // then load index" cannot both miss each other.
    mask.fetch_or(std::uint64_t(1) << index, std::memory_order_seq_cst);
    return seq;
}

void WaiterSet::leave(int index) noexcept
{
    mask.fetch_and(~(std::uint64_t(1) << index), std::memory_order_seq_cst);
    entries[index].pid.store(0, std::memory_order_release);
}

bool WaiterSet::wakeOne() noexcept
{
    std::uint64_t m = mask.load(std::memory_order_seq_cst);
    while (m) {
        const int i = std::countr_zero(m);
        const std::uint64_t bit = std::uint64_t(1) << i;
        const std::uint64_t before = mask.fetch_and(~bit, std::memory_order_seq_cst);
        if (before & bit) {
            entries[i].seq.fetch_add(1, std::memory_order_seq_cst);
            futexWake(entries[i].seq, 1);
            return true;
        }
        m = before & ~bit; // another waker took that one
    }
    return false;
}

void WaiterSet::wakeAll() noexcept
{
    std::uint64_t m = mask.exchange(0, std::memory_order_seq_cst);
    while (m) {
        const int i = std::countr_zero(m);
        m &= m - 1;
        entries[i].seq.fetch_add(1, std::memory_order_seq_cst);
        futexWake(entries[i].seq, 1);
    }
}

void WaiterSet::repair(std::int32_t self) noexcept
{
    for (int i = 0; i < kMax; ++i) {
        std::int32_t pid = entries[i].pid.load(std::memory_order_relaxed);
        if (pid <= 0 || pid == self || processAlive(pid)) continue;
        // Own the entry while clearing its bit, so nobody can claim it
        // (and have their new bit cleared by us) in between.
        if (!entries[i].pid.compare_exchange_strong(pid, kRepairing, std::memory_order_acq_rel))
            continue;
        mask.fetch_and(~(std::uint64_t(1) << i), std::memory_order_seq_cst);
        entries[i].pid.store(0, std::memory_order_release);
    }
}

std::uint32_t WaiterSet::liveCount() const noexcept
{
    std::uint32_t n = 0;
    for (const Entry &e : entries) {
        const std::int32_t pid = e.pid.load(std::memory_order_relaxed);
        if (pid > 0 && processAlive(pid)) ++n;
    }
    return n;
}

} // namespace detail

// --- construction ---------------------------------------------------------

std::size_t Queue::bytesFor(std::uint32_t maxsize, std::uint32_t maxMessageBytes) noexcept
{
    return sizeof(Queue) + cellsBytes(maxsize) + std::size_t(maxsize) * strideFor(maxMessageBytes);
}

Queue::Queue(std::uint32_t maxsize, std::uint32_t maxMessageBytes) noexcept
    : m_magic(kMagic),
      m_capacity(maxsize),
      m_maxMessageBytes(maxMessageBytes),
      m_stride(std::uint32_t(strideFor(maxMessageBytes))),
      m_cellsOffset(std::uint32_t(sizeof(Queue))),
      m_slotsOffset(std::uint32_t(sizeof(Queue) + cellsBytes(maxsize)))
{
    static_assert(sizeof(Queue) % 64 == 0);
}

namespace {

Result<void> checkSizes(std::string_view name, std::uint32_t maxsize, std::uint32_t maxMessageBytes)
{
    if (maxsize < 1 || maxsize > Queue::kMaxCapacity)
        return fail(Errc::InvalidArgument, "queue '" + std::string(name) + "': maxsize " +
                                               std::to_string(maxsize) + " is not in [1, " +
                                               std::to_string(Queue::kMaxCapacity) + "]");
    if (maxMessageBytes < 1 || maxMessageBytes > kMaxMessageBytes)
        return fail(Errc::InvalidArgument, "queue '" + std::string(name) + "': message limit " +
                                               std::to_string(maxMessageBytes) +
                                               " bytes is not in [1, " +
                                               std::to_string(kMaxMessageBytes) + "]");
    return {};
}

} // namespace

namespace {

// Queue(): a ring as large as half the arena's free space holds (at most
// kMaxCapacity slots), so the rest stays for the lesson's other objects.
Result<std::uint32_t> unboundedCapacity(const Arena &arena, std::string_view name, std::uint32_t maxMessageBytes)
{
    const std::size_t room = (arena.size() - arena.used()) / 2;
    // Cells come in lines of 8: measure 64 slots to count them whole.
    const std::size_t perSlot = (Queue::bytesFor(64, maxMessageBytes) - Queue::bytesFor(0, maxMessageBytes)) / 64;
    // Less the fixed part, a partial line of cells and the arena's alignment.
    const std::size_t fixed = Queue::bytesFor(0, maxMessageBytes) + 2 * Arena::kObjectAlign;
    const std::size_t fits = room > fixed ? (room - fixed) / perSlot : 0;
    if (fits < 1)
        return fail(Errc::TooLarge, "queue '" + std::string(name) + "': no room in the arena for a queue "
                                    "without a maxsize (" + std::to_string(room) + " bytes left for it)");
    return std::uint32_t(std::min<std::size_t>(fits, Queue::kMaxCapacity));
}

template <class Q>
Result<Q *> makeQueue(Arena &arena, std::string_view name, std::uint32_t maxsize, std::uint32_t maxMessageBytes)
{
    if (maxsize == Queue::kUnbounded && maxMessageBytes >= 1 && maxMessageBytes <= kMaxMessageBytes) {
        auto capacity = unboundedCapacity(arena, name, maxMessageBytes);
        if (!capacity) return std::unexpected(capacity.error());
        maxsize = *capacity;
    }
    if (auto ok = checkSizes(name, maxsize, maxMessageBytes); !ok) return std::unexpected(ok.error());
    return arena.make<Q>(name, maxsize, maxMessageBytes);
}

} // namespace

Result<Queue *> Queue::create(Arena &arena, std::string_view name, std::uint32_t maxsize,
                              std::uint32_t maxMessageBytes)
{
    return makeQueue<Queue>(arena, name, maxsize, maxMessageBytes);
}

Result<JoinableQueue *> JoinableQueue::create(Arena &arena, std::string_view name,
                                              std::uint32_t maxsize, std::uint32_t maxMessageBytes)
{
    return makeQueue<JoinableQueue>(arena, name, maxsize, maxMessageBytes);
}

Result<SimpleQueue *> SimpleQueue::create(Arena &arena, std::string_view name, std::uint32_t maxMessageBytes)
{
    return makeQueue<SimpleQueue>(arena, name, kUnbounded, maxMessageBytes);
}

Result<Queue *> Queue::attach(const Arena &arena, std::string_view name)
{
    auto entry = arena.lookup(name);
    if (!entry) return std::unexpected(entry.error());
    if ((*entry)->kind == ObjectKind::JoinableQueue) {
        auto q = arena.find<JoinableQueue>(name);
        if (!q) return std::unexpected(q.error());
        return static_cast<Queue *>(*q);
    }
    return arena.find<Queue>(name);
}

Result<void> Queue::typeError(std::string_view name) const
{
    if (m_magic != kMagic)
        return fail(Errc::Corrupt, "queue '" + std::string(name) + "' has a bad magic number");
    if (m_capacity < 1 || m_capacity > kMaxCapacity || m_maxMessageBytes < 1 ||
        m_maxMessageBytes > kMaxMessageBytes || m_stride != strideFor(m_maxMessageBytes) ||
        m_cellsOffset != sizeof(Queue) || m_slotsOffset != sizeof(Queue) + cellsBytes(m_capacity))
        return fail(Errc::Corrupt, "queue '" + std::string(name) + "' has an inconsistent header");
    return {};
}

std::string Queue::what() const
{
    return objectIndex == kNoObject ? std::string("queue") : "queue #" + std::to_string(objectIndex);
}

// --- locking and repair ---------------------------------------------------

Result<void> Queue::lock(OwnerLock &lock, Side side, Duration timeout,
                         std::optional<Deadline> &deadline) noexcept
{
    // kNoWait means "do not wait for room or items"; the lock itself is
    // held only for a copy, so it is always waited for.
    static const Deadline forever(kForever);
    const Deadline *d = &forever;
    if (timeout != kForever && timeout != kNoWait) {
        if (!deadline) deadline.emplace(timeout);
        d = &*deadline;
    }
    auto acquired = lock.acquire(*d, objectIndex);
    if (acquired) [[likely]] {
        if (*acquired == AcquireStatus::OwnerDied) [[unlikely]]
            repair(side);
        return {};
    }
    if (acquired.error().code == Errc::Timeout) // Python: Full or Empty, whatever kept it
        return fail(side == Side::Put ? Errc::Full : Errc::Empty, what() + ": another " +
                                       (side == Side::Put ? "producer" : "consumer") +
                                       " held the queue past the deadline");
    return std::unexpected(acquired.error());
}

// Called with the side's lock just inherited from a process that died
// holding it. The dead process either committed (stamped its cell, or
// stored head+1) or did not; the intent record says what the byte counter
// must be if it did.
void Queue::repair(Side side) noexcept
{
    m_ownerDeaths.fetch_add(1, std::memory_order_relaxed);
    if (side == Side::Put) {
        const std::uint64_t pos = m_putIntent.pos;
        const std::uint64_t tail = itemsPut();
        // Killed between its commit and counting it in tail: count it now.
        if (tail != m_tail.load(std::memory_order_relaxed)) m_tail.store(tail, std::memory_order_release);
        if (pos != 0 && tail == pos) m_bytesPut.store(m_putIntent.bytesTarget, std::memory_order_relaxed);
        m_putIntent.pos = 0;
        m_putIndex = std::uint32_t(tail % m_capacity);
        m_cachedHead = m_head.load(std::memory_order_acquire);
        // It may have died between publishing and waking a consumer.
        m_getWaiters.wakeAll();
    } else {
        const std::uint64_t pos = m_getIntent.pos;
        const std::uint64_t head = m_head.load(std::memory_order_relaxed);
        if (pos != 0 && head == pos) m_bytesGot.store(m_getIntent.bytesTarget, std::memory_order_relaxed);
        m_getIntent.pos = 0;
        m_getIndex = std::uint32_t(head % m_capacity);
        m_putWaiters.wakeAll();
    }
}

std::uint64_t Queue::itemsPut() const noexcept
{
    const std::uint64_t t = m_tail.load(std::memory_order_seq_cst);
    return holds(cell(std::uint32_t(t % m_capacity)).load(std::memory_order_seq_cst), t) ? t + 1 : t;
}

bool Queue::itemAtHead() const noexcept
{
    const std::uint64_t h = m_head.load(std::memory_order_seq_cst);
    return holds(cell(std::uint32_t(h % m_capacity)).load(std::memory_order_seq_cst), h);
}

void Queue::noteDepth(std::uint64_t depth) noexcept
{
    std::uint64_t seen = m_maxDepth.load(std::memory_order_relaxed);
    while (depth > seen &&
           !m_maxDepth.compare_exchange_weak(seen, depth, std::memory_order_relaxed)) {
    }
}

// --- waiting --------------------------------------------------------------

// One wait of a blocked put/get: register, re-check, sleep until woken,
// the slice ends or the deadline passes. Ok means "try again".
template <class Ready>
Result<void> Queue::waitOn(detail::WaiterSet &waiters, const detail::SpinPlan &plan,
                           const CpuNote &otherSide, const Deadline &deadline,
                           std::optional<StateScope> &marked, ProcState state, Ready &&ready) noexcept
{
    const auto done = [&] { return ready() || m_closed.load(std::memory_order_relaxed); };
    const bool board = telemetry::currentSlot() != nullptr;
    const auto mark = [&](int pausesSpent) {
        if (board && !marked)
            marked.emplace(state, objectIndex, std::uint64_t(pausesSpent * pauseNs()));
    };
    // Pausing helps only while the other side runs on another CPU. When it
    // last worked on ours, it waits for this CPU: yielding at once hands it
    // over.
    static const bool multiCpu = sysconf(_SC_NPROCESSORS_ONLN) > 1;
    int spent = 0;
    if (multiCpu && !otherSide.here()) {
        for (; spent < plan.pauses; spent += plan.pollGap) {
            if (done()) {
                if (board && !marked && spent > 0)
                    telemetry::addBlockedNs(std::uint64_t(spent * pauseNs()));
                return {};
            }
            if (spent >= detail::kMarkAfterPauses) mark(spent);
            for (int i = 0; i < plan.pollGap; ++i) __builtin_ia32_pause();
        }
    }
    // The yields and the sleep below last long enough to be seen.
    mark(spent);
    for (int i = 0; i < detail::kSpinYields; ++i) {
        if (done()) return {};
        sched_yield();
    }
    const std::int32_t self = currentPid();
    waiters.repair(self);
    const int index = waiters.enter(self);
    const std::uint32_t seq = index >= 0 ? waiters.arm(index) : 0;
    Result<void> out;
    if (ready()) {
        // The condition changed meanwhile: retry.
    } else if (m_closed.load(std::memory_order_seq_cst)) {
        out = fail(Errc::Closed, what() + " was closed");
    } else if (deadline.expired()) {
        out = fail(Errc::Timeout, "");
    } else if (index < 0) {
        usleep(1000); // more than 64 waiters: poll
    } else {
        (void)futexWait(waiters.entries[index].seq, seq, slice(deadline));
    }
    if (index >= 0) waiters.leave(index);
    return out;
}

Result<void> Queue::waitForRoom(const Deadline &deadline, std::optional<StateScope> &marked) noexcept
{
    return waitOn(m_putWaiters, detail::kRoomSpin, m_getCpu, deadline, marked, ProcState::BlockedPut,
                  [this] {
                      // Signed: head may pass a tail its producer has not advanced yet.
                      const std::uint64_t h = m_head.load(std::memory_order_seq_cst);
                      return std::int64_t(itemsPut() - h) < std::int64_t(m_capacity);
                  });
}

Result<void> Queue::waitForItem(const Deadline &deadline, std::optional<StateScope> &marked) noexcept
{
    return waitOn(m_getWaiters, detail::kItemSpin, m_putCpu, deadline, marked, ProcState::BlockedGet,
                  [this] { return itemAtHead(); });
}

// --- put ------------------------------------------------------------------

// The first half of a put, with putLock held and room for item t in slot
// index: the copy, the intent, and the commit store.
void Queue::commitPut(std::uint64_t t, std::uint32_t index, std::span<const std::byte> item) noexcept
{
    const std::size_t n = item.size();
    // The cell's line is fetched while the payload is copied, not after
    // (with the consumer's prefetch of the slot, 2p2c 64-byte items at
    // split went from 10.3 to 13.7 M/s; 1p1c unchanged).
    __builtin_prefetch(&cell(index), 1);
    if (n) std::memcpy(slot(index), item.data(), n);
    m_putIntent.bytesTarget = m_bytesPut.load(std::memory_order_relaxed) + n;
    m_putIntent.pos = t + 1;
    step();
    // The commit: from this store on, the item exists.
    cell(index).store(cellFor(t, n), std::memory_order_release);
    step();
}

// The second half: counting the item. repair() redoes it for a producer
// killed in between.
void Queue::countPut(std::uint64_t t, std::uint32_t index) noexcept
{
    m_tail.store(t + 1, std::memory_order_release);
    step();
    m_bytesPut.store(m_putIntent.bytesTarget, std::memory_order_relaxed);
    m_putIndex = index + 1 == m_capacity ? 0 : index + 1;
    step();
    m_putIntent.pos = 0;
}

Result<void> Queue::put(std::span<const std::byte> item, Duration timeout)
{
    const std::size_t n = item.size();
    if (n > m_maxMessageBytes)
        return fail(Errc::TooLarge, what() + ": message of " + std::to_string(n) +
                                        " bytes exceeds the queue's limit of " +
                                        std::to_string(m_maxMessageBytes) + " bytes");
    std::optional<Deadline> deadline; // computed on first need: the fast path reads no clock
    std::optional<StateScope> blocked;
    for (;;) {
        if (m_closed.load(std::memory_order_relaxed)) [[unlikely]]
            return fail(Errc::Closed, what() + " is closed: put refused");
        if (auto locked = lock(m_putLock, Side::Put, timeout, deadline); !locked) return locked;
        const std::uint64_t t = m_tail.load(std::memory_order_relaxed);
        const std::uint32_t index = m_putIndex;
        // Head is read only when the queue looks full or this put may fill
        // it (about once a lap while consumers keep up); so is the depth
        // noted. Under the lock head <= tail; the difference is taken signed
        // all the same, so that a queue scribbled on cannot look full forever
        // to a put whose wait for room sees room.
        const auto queued = [&] { return std::int64_t(t - m_cachedHead); };
        if (queued() + 1 >= std::int64_t(m_capacity)) {
            m_cachedHead = m_head.load(std::memory_order_acquire);
            noteDepth(std::uint64_t(std::clamp<std::int64_t>(queued() + 1, 0, m_capacity)));
        }
        if (queued() < std::int64_t(m_capacity)) [[likely]] {
            // Stamped before the commit, so that no get of it is stamped
            // earlier (a put killed right here leaves its number to the next).
            telemetry::trace(TraceKind::Put, objectIndex, std::int64_t(t));
            commitPut(t, index, item);
            countPut(t, index);
            const std::uint64_t bytesAfter = m_putIntent.bytesTarget;
            m_putCpu.noteHere();
            // The release is a locked exchange: it also orders the cell
            // store before the waiter-mask load below (store-load), which
            // a waiter's "set bit, then look at the cell" relies on.
            m_putLock.release();
            if (m_getWaiters.mask.load(std::memory_order_seq_cst)) [[unlikely]]
                m_getWaiters.wakeOne();
            if (BoardSlot *b = telemetry::currentSlot()) [[unlikely]] {
                b->add(Counter::ItemsPut, 1);
                b->add(Counter::BytesSent, n);
            }
            if (((bytesAfter ^ (bytesAfter - n)) >> detail::kHandOverShift) != 0 && m_getCpu.here())
                [[unlikely]]
                sched_yield();
            return {};
        }
        m_putLock.release();
        noteDepth(m_capacity);
        if (timeout == kNoWait)
            return fail(Errc::Full, what() + " is full (" + std::to_string(m_capacity) + " items)");
        if (!deadline) deadline.emplace(timeout);
        if (auto waited = waitForRoom(*deadline, blocked); !waited) {
            if (waited.error().code == Errc::Timeout) // Python: queue.Full
                return fail(Errc::Full, what() + " stayed full (" + std::to_string(m_capacity) +
                                            " items) " + within(timeout));
            return waited;
        }
    }
}

Result<void> Queue::put(const Message &message, Duration timeout)
{
    auto bytes = encodeMessage(message, m_maxMessageBytes);
    if (!bytes) return std::unexpected(refusedMessage(bytes.error()));
    return put(std::span<const std::byte>(*bytes), timeout);
}

Error Queue::refusedMessage(Error error) const
{
    if (error.code == Errc::TooLarge) error.message = what() + ": " + error.message;
    return error;
}

// --- get ------------------------------------------------------------------

Result<std::size_t> Queue::get(std::span<std::byte> buffer, Duration timeout)
{
    std::optional<Deadline> deadline;
    std::optional<StateScope> blocked;
    for (;;) {
        if (auto locked = lock(m_getLock, Side::Get, timeout, deadline); !locked)
            return std::unexpected(locked.error());
        const std::uint64_t h = m_head.load(std::memory_order_relaxed);
        const std::uint32_t index = m_getIndex;
        __builtin_prefetch(slot(index)); // beside the cell, not after it
        const std::uint64_t c = cell(index).load(std::memory_order_acquire);
        if (holds(c, h)) [[likely]] {
            if (index == 0) noteDepth(itemsPut() - h); // once a lap
            std::uint32_t len = lengthIn(c);
            Result<std::size_t> out = std::size_t(len);
            if (len > m_maxMessageBytes) [[unlikely]] {
                // Only a process scribbling on the arena can do this; drop
                // the item rather than wedge every consumer behind it.
                out = fail(Errc::Corrupt, what() + ": item " + std::to_string(h) + " claims " +
                                              std::to_string(len) + " bytes, over the limit; dropped");
                len = 0;
            } else if (len > buffer.size()) [[unlikely]] {
                m_getLock.release();
                return fail(Errc::TooLarge, what() + ": next message has " + std::to_string(len) +
                                                " bytes, buffer holds " +
                                                std::to_string(buffer.size()) + "; it stays queued");
            } else if (len) {
                std::memcpy(buffer.data(), slot(index), len);
            }
            const std::uint64_t bytesAfter = m_bytesGot.load(std::memory_order_relaxed) + len;
            m_getIntent.bytesTarget = bytesAfter;
            m_getIntent.pos = h + 1;
            step();
            // The commit: from this store on, the item is gone and its slot free.
            m_head.store(h + 1, std::memory_order_release);
            step();
            m_bytesGot.store(bytesAfter, std::memory_order_relaxed);
            m_getIndex = index + 1 == m_capacity ? 0 : index + 1;
            step();
            m_getIntent.pos = 0;
            m_getCpu.noteHere();
            m_getLock.release(); // locked exchange: orders head store before the mask load
            if (m_putWaiters.mask.load(std::memory_order_seq_cst)) [[unlikely]]
                m_putWaiters.wakeOne();
            telemetry::trace(TraceKind::Get, objectIndex, std::int64_t(h));
            if (BoardSlot *b = telemetry::currentSlot()) [[unlikely]] {
                b->add(Counter::ItemsGot, 1);
                b->add(Counter::BytesReceived, len);
            }
            return out;
        }
        m_getLock.release();
        if (m_closed.load(std::memory_order_acquire) &&
            !holds(cell(index).load(std::memory_order_seq_cst), h))
            return fail(Errc::Closed, what() + " is closed and empty");
        if (timeout == kNoWait) return fail(Errc::Empty, what() + " is empty");
        if (!deadline) deadline.emplace(timeout);
        if (auto waited = waitForItem(*deadline, blocked); !waited) {
            if (waited.error().code == Errc::Timeout) // Python: queue.Empty
                return fail(Errc::Empty, what() + " stayed empty " + within(timeout));
            return std::unexpected(waited.error());
        }
    }
}

Result<Message> Queue::get(Duration timeout, DecodeLimits limits)
{
    // Into a buffer of the largest queue's limit this process has read,
    // kept for the next get, then decoded from there.
    thread_local Bytes scratch;
    if (scratch.size() < m_maxMessageBytes) scratch.resize(m_maxMessageBytes);
    auto n = get(std::span(scratch), timeout);
    if (!n) return std::unexpected(n.error());
    auto value = decodeMessage(std::span(scratch).first(*n), limits);
    if (!value) return fail(value.error().code, what() + ": " + value.error().message);
    return value;
}

// --- close, size, telemetry ----------------------------------------------

void Queue::close() noexcept
{
    m_closed.store(1, std::memory_order_seq_cst);
    m_getWaiters.wakeAll();
    m_putWaiters.wakeAll();
}

bool Queue::isClosed() const noexcept { return m_closed.load(std::memory_order_acquire) != 0; }

std::size_t Queue::qsize() const noexcept
{
    // Head first, so the count of items put, read later, is almost always
    // >= head; the min covers a reader delayed across a whole lap.
    const std::uint64_t h = m_head.load(std::memory_order_acquire);
    const std::uint64_t t = itemsPut();
    return std::size_t(std::min<std::uint64_t>(t - std::min(h, t), m_capacity));
}

QueueStats Queue::stats() const noexcept
{
    QueueStats s;
    s.capacity = m_capacity;
    s.itemsGot = m_head.load(std::memory_order_relaxed);
    s.bytesGot = m_bytesGot.load(std::memory_order_relaxed);
    s.tasksDone = m_tasksDone.load(std::memory_order_relaxed);
    s.itemsPut = itemsPut();
    s.bytesPut = std::max(m_bytesPut.load(std::memory_order_relaxed), s.bytesGot);
    s.depth = std::min<std::uint64_t>(s.itemsPut - std::min(s.itemsGot, s.itemsPut), m_capacity);
    s.maxDepth = std::max(m_maxDepth.load(std::memory_order_relaxed), s.depth);
    s.blockedPut = m_putWaiters.liveCount();
    s.blockedGet = m_getWaiters.liveCount();
    s.ownerDeaths = m_ownerDeaths.load(std::memory_order_relaxed);
    s.closed = isClosed();
    return s;
}

// --- JoinableQueue --------------------------------------------------------
//
// Unfinished tasks = items ever put - taskDone() calls. Both are monotonic
// counters that one atomic step each advances, so a process killed in put,
// get or taskDone never leaves the count wrong (Python keeps a separate
// counter that a killed producer can leave incremented forever).

Result<void> Queue::taskDoneImpl() noexcept
{
    std::uint64_t done = m_tasksDone.load(std::memory_order_seq_cst);
    for (;;) {
        const std::uint64_t put = itemsPut();
        if (done >= put)
            return fail(Errc::ValueError, what() + ": task_done() called more times than items were put (" +
                                              std::to_string(put) + ")");
        if (m_tasksDone.compare_exchange_weak(done, done + 1, std::memory_order_seq_cst)) break;
    }
    if (done + 1 >= itemsPut() &&
        m_joinWaiters.load(std::memory_order_seq_cst)) {
        m_joinSeq.fetch_add(1, std::memory_order_seq_cst);
        futexWakeAll(m_joinSeq);
    }
    return {};
}

Result<void> Queue::joinImpl(Duration timeout) noexcept
{
    const auto allDone = [this] {
        return m_tasksDone.load(std::memory_order_seq_cst) >= itemsPut();
    };
    if (allDone()) return {};
    if (timeout == kNoWait)
        return fail(Errc::Timeout, what() + ": " + std::to_string(stats().unfinishedTasks()) +
                                       " task(s) unfinished");
    StateScope waiting(ProcState::WaitingJoin, objectIndex);
    const Deadline deadline(timeout);
    m_joinWaiters.fetch_add(1, std::memory_order_seq_cst);
    Result<void> out;
    for (;;) {
        const std::uint32_t seq = m_joinSeq.load(std::memory_order_seq_cst);
        if (allDone()) break;
        if (deadline.expired()) {
            out = fail(Errc::Timeout, what() + ": join timed out with " +
                                          std::to_string(stats().unfinishedTasks()) +
                                          " task(s) unfinished " + within(timeout));
            break;
        }
        (void)futexWait(m_joinSeq, seq, slice(deadline));
    }
    m_joinWaiters.fetch_sub(1, std::memory_order_seq_cst);
    return out;
}

} // namespace ipc
