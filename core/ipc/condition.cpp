#include "condition.h"

#include "board.h"
#include "futex.h"
#include "sync_detail.h"

#include <climits>
#include <unistd.h>

namespace ipc {

Condition::Binding::Binding(void *lock, bool recursive, const Arena &arena) noexcept
    : m_lock(lock), m_recursive(recursive),
      m_arenaBegin(static_cast<const std::byte *>(arena.segment().data())),
      m_arenaEnd(m_arenaBegin + arena.size())
{}

namespace {

Result<void> checkInArena(const Arena &arena, const void *lock, ObjectKind kind)
{
    const std::uint32_t index = arena.indexOf(lock);
    if (index == kNoObject)
        return fail(Errc::InvalidArgument,
                    "a condition's lock must be an object of the same arena");
    if (arena.objects()[index].kind != kind)
        return fail(Errc::InvalidArgument,
                    "arena object '" + std::string(arena.objects()[index].name) + "' is a " +
                        std::string(objectKindName(arena.objects()[index].kind)) + ", not a " +
                        std::string(objectKindName(kind)));
    return {};
}

} // namespace

Result<Condition::Binding> Condition::bind(const Arena &arena, Lock &lock)
{
    if (auto ok = checkInArena(arena, &lock, ObjectKind::Lock); !ok)
        return std::unexpected(ok.error());
    return Binding(&lock, false, arena);
}

Result<Condition::Binding> Condition::bind(const Arena &arena, RLock &lock)
{
    if (auto ok = checkInArena(arena, &lock, ObjectKind::RLock); !ok)
        return std::unexpected(ok.error());
    return Binding(&lock, true, arena);
}

Condition::Condition(const Binding &binding) noexcept : m_recursive(binding.m_recursive ? 1u : 0u)
{
    // Offsets only mean something inside one mapping: a condition built
    // outside the lock's arena stays unbound and refuses every call.
    const auto *self = reinterpret_cast<const std::byte *>(this);
    if (self >= binding.m_arenaBegin && self + sizeof(Condition) <= binding.m_arenaEnd)
        m_lockOffset = static_cast<const std::byte *>(binding.m_lock) - self;
}

Lock *Condition::plainLock() const noexcept
{
    return reinterpret_cast<Lock *>(
        const_cast<std::byte *>(reinterpret_cast<const std::byte *>(this) + m_lockOffset));
}

RLock *Condition::recursiveLock() const noexcept
{
    return reinterpret_cast<RLock *>(
        const_cast<std::byte *>(reinterpret_cast<const std::byte *>(this) + m_lockOffset));
}

Result<void> Condition::checkBound() const
{
    if (m_lockOffset != 0) return {};
    return fail(Errc::InvalidArgument, detail::objectText("condition", objectIndex) +
                                           " was not constructed in its lock's arena");
}

bool Condition::lockHeld() const noexcept
{
    if (m_lockOffset == 0) return false;
    const std::int32_t holder = m_recursive ? recursiveLock()->holderPid() : plainLock()->holderPid();
    return holder == getpid();
}

Result<void> Condition::checkHeld(const char *call) const
{
    if (auto ok = checkBound(); !ok) return ok;
    if (lockHeld()) return {};
    return fail(Errc::NotOwner, std::string(call) + " on " +
                                    detail::objectText("condition", objectIndex) +
                                    " without holding its lock");
}

Result<AcquireStatus> Condition::acquire(Duration timeout) noexcept
{
    if (auto ok = checkBound(); !ok) return std::unexpected(ok.error());
    return m_recursive ? recursiveLock()->acquire(timeout) : plainLock()->acquire(timeout);
}

Result<void> Condition::release() noexcept
{
    if (auto ok = checkBound(); !ok) return ok;
    return m_recursive ? recursiveLock()->release() : plainLock()->release();
}

Result<AcquireStatus> Condition::waitUntil(const Deadline &deadline, Duration timeout) noexcept
{
    if (auto held = checkHeld("wait"); !held) return std::unexpected(held.error());

    // Read under the lock: a notify can only come after we let go of it, so
    // it always changes the value we sleep on -- no lost wakeup.
    const std::uint32_t seen = m_sequence.load(std::memory_order_acquire);
    m_waiters.fetch_add(1, std::memory_order_seq_cst);

    // Let go completely (an RLock as deep as the caller holds it).
    std::uint32_t depth = 0;
    while (lockHeld()) {
        if (auto r = release(); !r) {
            m_waiters.fetch_sub(1, std::memory_order_relaxed);
            return std::unexpected(r.error());
        }
        ++depth;
    }

    bool notified = false;
    {
        StateScope waiting(ProcState::WaitingCondition, objectIndex);
        for (;;) {
            const WaitOutcome outcome = futexWait(m_sequence, seen, deadline);
            if (m_sequence.load(std::memory_order_acquire) != seen) {
                notified = true;
                break;
            }
            if (outcome == WaitOutcome::TimedOut) break;
            // EINTR or a spurious return with nothing notified: sleep on.
        }
    }
    m_waiters.fetch_sub(1, std::memory_order_relaxed);

    // Take the lock back, blocking as Python does, and restore the depth.
    auto first = acquire(kForever);
    if (!first) return first;
    for (std::uint32_t i = 1; i < depth; ++i) {
        auto again = acquire(kForever);
        if (!again) return again;
    }
    if (*first == AcquireStatus::OwnerDied) return first;
    if (!notified)
        return fail(Errc::Timeout, detail::objectText("condition", objectIndex) +
                                       " not notified " + detail::withinText(timeout));
    return AcquireStatus::Acquired;
}

Result<void> Condition::notify(std::uint32_t n) noexcept
{
    if (auto held = checkHeld("notify"); !held) return held;
    if (n == 0) return {};
    telemetry::trace(TraceKind::Wake, objectIndex, n);
    m_sequence.fetch_add(1, std::memory_order_seq_cst);
    if (m_waiters.load(std::memory_order_seq_cst) > 0)
        futexWake(m_sequence, n > INT_MAX ? INT_MAX : int(n));
    return {};
}

Result<void> Condition::notifyAll() noexcept
{
    if (auto held = checkHeld("notifyAll"); !held) return held;
    telemetry::trace(TraceKind::Wake, objectIndex, 0);
    m_sequence.fetch_add(1, std::memory_order_seq_cst);
    if (m_waiters.load(std::memory_order_seq_cst) > 0) futexWakeAll(m_sequence);
    return {};
}

Result<Condition *> makeCondition(Arena &arena, std::string_view name, Lock &lock)
{
    auto binding = Condition::bind(arena, lock);
    if (!binding) return std::unexpected(binding.error());
    return arena.make<Condition>(name, *binding);
}

Result<Condition *> makeCondition(Arena &arena, std::string_view name, RLock &lock)
{
    auto binding = Condition::bind(arena, lock);
    if (!binding) return std::unexpected(binding.error());
    return arena.make<Condition>(name, *binding);
}

} // namespace ipc
