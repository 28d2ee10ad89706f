#include "lock.h"

#include "futex.h"

#include <cstddef>
#include <linux/futex.h>
#include <optional>
#include <pthread.h>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>

namespace ipc::detail {

namespace {

// The calling thread's robust list head, laid out as the kernel's
// `struct robust_list_head`, plus the ids the lock word and the diagram use.
// Constant-initialised (no TLS guard on access); tid == 0 means "not yet
// registered with the kernel in this thread".
struct ThreadState {
    RobustLink list;      // circular: the last held lock's link points back here
    long futexOffset;     // link -> futex word, the same for every lock
    RobustLink *pending;  // the lock being taken or released right now
    std::uint32_t tid;
    std::int32_t pid;
};
static_assert(offsetof(ThreadState, futexOffset) == sizeof(void *));
static_assert(offsetof(ThreadState, pending) == 2 * sizeof(void *));
constexpr std::size_t kRobustHeadSize = 3 * sizeof(void *); // sizeof(struct robust_list_head)

thread_local ThreadState t_self{};

// What a death-by-signal at any instruction may observe: the list and the
// pending pointer must be updated in program order around the word's CAS.
inline void signalFence() noexcept { std::atomic_signal_fence(std::memory_order_seq_cst); }

void forgetAfterFork() noexcept
{
    // The child does not own its parent's locks, and the kernel gave it no
    // robust list (glibc re-registers its own); register ours again on use.
    t_self.tid = 0;
}

[[gnu::noinline]] void registerThread(ThreadState &s) noexcept
{
    static const bool once = [] {
        pthread_atfork(nullptr, nullptr, &forgetAfterFork);
        return true;
    }();
    (void)once;
    s.list.next = &s.list;
    s.futexOffset = RobustMutex::futexOffset();
    s.pending = nullptr;
    // Without a robust list (a kernel built without futexes) locks still
    // work; only the owner-died handover is lost.
    syscall(SYS_set_robust_list, &s, kRobustHeadSize);
    s.pid = getpid();
    s.tid = std::uint32_t(syscall(SYS_gettid));
}

inline ThreadState &self() noexcept
{
    ThreadState &s = t_self;
    if (s.tid == 0) [[unlikely]] registerThread(s);
    return s;
}

inline std::uint32_t ownerOf(std::uint32_t word) noexcept { return word & FUTEX_TID_MASK; }

} // namespace

long RobustMutex::futexOffset() noexcept
{
    return long(offsetof(RobustMutex, m_word)) - long(offsetof(RobustMutex, m_link));
}

// Held: the bookkeeping of every acquire, kept to plain stores in the
// lock's own line and this thread's (the locked instructions are what an
// uncontended acquire and release cost; every store before one must drain
// first), inlined into the uncontended acquire.
inline void RobustMutex::noteHeld(std::uint32_t objectIndex) noexcept
{
    ThreadState &me = t_self;
    // Put the lock on this thread's robust list, then end the pending op.
    m_link.next = me.list.next;
    me.list.next = &m_link;
    signalFence();
    me.pending = nullptr;
    m_depth = 1;
    m_holderPid.store(me.pid, std::memory_order_relaxed);
    m_acquisitions.store(m_acquisitions.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    telemetry::setState(ProcState::InCriticalSection, objectIndex);
}

AcquireStatus RobustMutex::finishAcquire(AcquireStatus status, std::uint32_t objectIndex) noexcept
{
    if (status == AcquireStatus::OwnerDied) {
        // The dead holder's pid is still here (only a release clears it).
        telemetry::trace(TraceKind::OwnerDied, objectIndex, m_holderPid.load(std::memory_order_relaxed));
        m_ownerDeaths.store(m_ownerDeaths.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    noteHeld(objectIndex);
    return status;
}

Result<AcquireStatus> RobustMutex::acquire(Duration timeout, std::uint32_t objectIndex) noexcept
{
    ThreadState &me = self();
    // A death from here on leaves the kernel a pointer to this lock: if the
    // word already names us, it is marked owner-died like a listed one.
    me.pending = &m_link;
    signalFence();
    std::uint32_t seen = 0;
    if (m_word.compare_exchange_strong(seen, me.tid, std::memory_order_acquire,
                                       std::memory_order_relaxed)) [[likely]] {
        noteHeld(objectIndex);
        return AcquireStatus::Acquired;
    }
    return acquireContended(seen, timeout, objectIndex);
}

Result<AcquireStatus> RobustMutex::acquireContended(std::uint32_t seen, Duration timeout,
                                                    std::uint32_t objectIndex) noexcept
{
    ThreadState &me = t_self;
    if (ownerOf(seen) == me.tid) {
        me.pending = nullptr;
        if (!m_recursive)
            return fail(Errc::WouldDeadlock,
                        "lock is already held by this process (use RLock to re-enter)");
        ++m_depth;
        m_acquisitions.store(m_acquisitions.load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
        return AcquireStatus::Acquired;
    }

    // No spinning before the sleep, as glibc's default mutex: a waiter that
    // sleeps lets the holder go on taking and releasing the lock in its own
    // cache, where one that spins pulls the lock's line to its CPU on every
    // look, and the two then hand it over and back for each increment
    // (locked increments across two CPUs: 0.57 -> 0.76 of glibc's mutex,
    // unpinned 0.45 -> 0.67, with 200 pauses of spinning before).
    const Deadline deadline(timeout);
    std::optional<StateScope> waiting; // shown only once this caller really waits
    bool slept = false;
    for (;;) {
        seen = m_word.load(std::memory_order_relaxed);
        if (ownerOf(seen) == 0) {
            // Free, or its holder died (the kernel left FUTEX_OWNER_DIED).
            // After a sleep we keep FUTEX_WAITERS: others may still sleep.
            const std::uint32_t want =
                me.tid | ((seen & FUTEX_WAITERS) != 0 || slept ? FUTEX_WAITERS : 0u);
            if (m_word.compare_exchange_weak(seen, want, std::memory_order_acquire,
                                             std::memory_order_relaxed)) {
                waiting.reset(); // end WaitingLock before the holder's state is set
                return finishAcquire((seen & FUTEX_OWNER_DIED) != 0 ? AcquireStatus::OwnerDied
                                                                    : AcquireStatus::Acquired,
                                     objectIndex);
            }
            continue;
        }
        if (timeout == kNoWait || deadline.expired()) {
            me.pending = nullptr;
            return fail(Errc::Timeout, "lock held by pid " + std::to_string(holderPid()));
        }
        if ((seen & FUTEX_WAITERS) == 0) {
            if (!m_word.compare_exchange_weak(seen, seen | FUTEX_WAITERS, std::memory_order_relaxed,
                                              std::memory_order_relaxed))
                continue;
            seen |= FUTEX_WAITERS;
        }
        if (!waiting) waiting.emplace(ProcState::WaitingLock, objectIndex);
        (void)futexWait(m_word, seen, deadline); // woken, changed, or timed out: re-check
        slept = true;
    }
}

Result<void> RobustMutex::release(std::uint32_t objectIndex) noexcept
{
    ThreadState &me = self();
    if (ownerOf(m_word.load(std::memory_order_relaxed)) != me.tid)
        return fail(Errc::NotOwner, "release of a lock this process does not hold");
    if (m_depth > 1) {
        --m_depth;
        return {};
    }
    m_depth = 0;
    m_holderPid.store(0, std::memory_order_relaxed);
    me.pending = &m_link;
    signalFence();
    // Unlink; locks are mostly released in reverse order, so this is
    // usually the first link.
    for (RobustLink *p = &me.list; p->next != &me.list; p = p->next) {
        if (p->next == &m_link) {
            p->next = m_link.next;
            break;
        }
    }
    signalFence();
    const std::uint32_t old = m_word.exchange(0, std::memory_order_release);
    if ((old & FUTEX_WAITERS) != 0) futexWake(m_word, 1);
    signalFence();
    me.pending = nullptr;
    telemetry::setState(ProcState::Running, kNoObject);
    (void)objectIndex;
    return {};
}

} // namespace ipc::detail

namespace ipc {

// --- AnyLock as a Lockable, LockGuard -------------------------------------

void AnyLock::lock()
{
    if (auto acquired = acquire(); !acquired) throw LockError(acquired.error());
}

bool AnyLock::try_lock()
{
    auto acquired = acquire(kNoWait);
    if (acquired) return true;
    if (acquired.error().code == Errc::Timeout) return false;
    throw LockError(acquired.error());
}

void AnyLock::unlock()
{
    if (auto released = release(); !released) throw LockError(released.error());
}

Result<LockGuard> LockGuard::hold(AnyLock &lock, Duration timeout) noexcept
{
    auto acquired = lock.acquire(timeout);
    if (!acquired) return std::unexpected(acquired.error());
    return LockGuard(lock, *acquired);
}

LockGuard &LockGuard::operator=(LockGuard &&other) noexcept
{
    if (this != &other) {
        (void)release();
        m_lock = std::exchange(other.m_lock, nullptr);
        m_status = other.m_status;
    }
    return *this;
}

Result<void> LockGuard::release() noexcept
{
    if (!m_lock) return {};
    return std::exchange(m_lock, nullptr)->release();
}

} // namespace ipc
