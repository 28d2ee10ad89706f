#include "semaphore.h"

#include "board.h"
#include "futex.h"
#include "sync_detail.h"

namespace ipc {

Result<Semaphore::InitialValue> Semaphore::validate(std::int64_t value)
{
    if (value < 0)
        return fail(Errc::InvalidArgument,
                    "semaphore value " + std::to_string(value) + " is negative");
    if (value > std::int64_t(kMaxValue))
        return fail(Errc::InvalidArgument, "semaphore value " + std::to_string(value) +
                                               " exceeds the limit of " +
                                               std::to_string(kMaxValue));
    return InitialValue(std::uint32_t(value));
}

bool Semaphore::tryTake() noexcept
{
    // seq_cst load: pairs with release()'s increment and waiter-hint load,
    // so a waiter that registered in m_waiters either sees the new value
    // here or is woken by release().
    std::uint32_t v = m_value.load(std::memory_order_seq_cst);
    while (v > 0) {
        if (m_value.compare_exchange_weak(v, v - 1, std::memory_order_acquire,
                                          std::memory_order_relaxed))
            return true;
    }
    return false;
}

Result<void> Semaphore::acquire(Duration timeout) noexcept
{
    if (tryTake()) return {}; // uncontended: one CAS, no clock read, no board traffic
    if (timeout <= kNoWait)
        return fail(Errc::Timeout, detail::objectText("semaphore", objectIndex) +
                                       " has value 0 (non-blocking acquire)");

    const Deadline deadline(timeout);
    StateScope waiting(ProcState::WaitingSemaphore, objectIndex);
    m_waiters.fetch_add(1, std::memory_order_seq_cst);
    bool taken = false;
    for (;;) {
        if (tryTake()) {
            taken = true;
            break;
        }
        // Sleeps only while the value is still 0; a release in between
        // makes the kernel return at once.
        if (futexWait(m_value, 0, deadline) == WaitOutcome::TimedOut) {
            taken = tryTake(); // a release that raced the deadline still counts
            break;
        }
    }
    m_waiters.fetch_sub(1, std::memory_order_relaxed);
    if (taken) return {};
    return fail(Errc::Timeout, detail::objectText("semaphore", objectIndex) +
                                   " not acquired " + detail::withinText(timeout));
}

Result<void> Semaphore::release(std::uint32_t n) noexcept
{
    if (n == 0) return fail(Errc::InvalidArgument, "semaphore release(0): n must be at least 1");
    std::uint32_t v = m_value.load(std::memory_order_relaxed);
    bool traced = false;
    do {
        if (v > m_limit || n > m_limit - v) {
            if (bounded())
                return fail(Errc::ValueError,
                            "bounded " + detail::objectText("semaphore", objectIndex) +
                                " released too many times: value " + std::to_string(v) +
                                " + " + std::to_string(n) + " would exceed its initial value " +
                                std::to_string(m_limit));
            return fail(Errc::ValueError, detail::objectText("semaphore", objectIndex) +
                                              " value " + std::to_string(v) + " + " +
                                              std::to_string(n) + " would exceed the limit " +
                                              std::to_string(m_limit));
        }
        if (!traced) { // once, before the increment that lets a waiter take it
            telemetry::trace(TraceKind::Wake, objectIndex, n);
            traced = true;
        }
    } while (!m_value.compare_exchange_weak(v, v + n, std::memory_order_seq_cst,
                                            std::memory_order_relaxed));
    // Skip the syscall when nobody waits (the common case in a lesson's
    // producer/consumer pair running at full speed).
    if (m_waiters.load(std::memory_order_seq_cst) > 0) futexWake(m_value, int(n));
    return {};
}

Result<void> BoundedSemaphore::typeError(std::string_view name) const
{
    if (bounded()) return {};
    return fail(Errc::InvalidArgument,
                "semaphore '" + std::string(name) + "' is not a BoundedSemaphore");
}

Result<Semaphore *> makeSemaphore(Arena &arena, std::string_view name, std::int64_t value)
{
    auto initial = Semaphore::validate(value);
    if (!initial) return std::unexpected(initial.error());
    return arena.make<Semaphore>(name, *initial);
}

Result<BoundedSemaphore *> makeBoundedSemaphore(Arena &arena, std::string_view name,
                                                std::int64_t value)
{
    auto initial = Semaphore::validate(value);
    if (!initial) return std::unexpected(initial.error());
    return arena.make<BoundedSemaphore>(name, *initial);
}

} // namespace ipc
