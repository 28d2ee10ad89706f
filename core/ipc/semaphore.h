// Semaphore and BoundedSemaphore: multiprocessing.Semaphore and
// BoundedSemaphore in the arena, built on a futex (futex.h), never on a
// pthread condvar, so a SIGKILLed waiter leaves nothing behind.
//
// Semantics (as Python's):
//   acquire(kForever) blocks until the value is > 0, then decrements it;
//   acquire(kNoWait) tries once; any other timeout waits at most that long.
//   release(n) adds n and wakes up to n waiters. There is no owner: any
//   process may release, whether or not it acquired.
//   BoundedSemaphore: release() that would raise the value above the initial
//   value fails with Errc::ValueError and changes nothing (Python raises
//   ValueError). A plain Semaphore refuses to go above kMaxValue the same way.
//   Waiters are woken in no particular order (no FIFO promise, as in Python).
//
// Errors: acquire -> Errc::Timeout (nothing taken); release -> Errc::ValueError
// (over-release, nothing added), Errc::InvalidArgument (n == 0).
// validate() / makeSemaphore(): Errc::InvalidArgument for a value < 0 or
// > kMaxValue. A Semaphore can only be constructed from a validated
// InitialValue, so the arena never holds one with an illegal value.
//
// Which processes: any process attached to the arena may call any member,
// at any time; one thread per process.
//
// Telemetry: a blocking acquire shows WaitingSemaphore with this object's
// directory index on the caller's board slot. value() is a relaxed read for
// the sampler.
//
// Killed processes: the count is one word, changed only by single atomic
// operations, so a process killed anywhere cannot corrupt it; a killed
// waiter may leave the waiter hint too high, which costs later releases a
// wake syscall and nothing else. Residual window: a waiter killed after a
// release woke it but before it took the count leaves that count for the
// next acquirer rather than waking another sleeper; the next release (or
// any timeout) recovers. Python's semaphores share this window.
#pragma once

#include "arena.h"
#include "posix_call.h"
#include "result.h"

#include <atomic>
#include <cstdint>
#include <string_view>

namespace ipc {

class Semaphore {
public:
    static constexpr ObjectKind kKind = ObjectKind::Semaphore;
    static constexpr std::uint32_t kMaxValue = 0x7fffffffu; // SEM_VALUE_MAX on Linux
    std::uint32_t objectIndex = kNoObject;

    // A checked initial value; only validate() makes one.
    class InitialValue {
    public:
        [[nodiscard]] std::uint32_t get() const noexcept { return m_value; }

    private:
        friend class Semaphore;
        friend class BoundedSemaphore;
        explicit constexpr InitialValue(std::uint32_t v) noexcept : m_value(v) {}
        std::uint32_t m_value;
    };
    // InvalidArgument unless 0 <= value <= kMaxValue.
    [[nodiscard]] static Result<InitialValue> validate(std::int64_t value);

    Semaphore() noexcept : Semaphore(InitialValue(1), false) {} // Python's default value 1
    explicit Semaphore(InitialValue initial) noexcept : Semaphore(initial, false) {}
    Semaphore(const Semaphore &) = delete;
    Semaphore &operator=(const Semaphore &) = delete;

    [[nodiscard]] Result<void> acquire(Duration timeout = kForever) noexcept;
    [[nodiscard]] Result<void> release(std::uint32_t n = 1) noexcept;

    // Current value (relaxed; for telemetry and tests, stale by the time it returns).
    [[nodiscard]] std::uint32_t value() const noexcept
    {
        return m_value.load(std::memory_order_relaxed);
    }
    [[nodiscard]] bool bounded() const noexcept { return m_bounded != 0; }
    // The highest value release() may reach: the initial value if bounded.
    [[nodiscard]] std::uint32_t limit() const noexcept { return m_limit; }

protected:
    Semaphore(InitialValue initial, bool bounded) noexcept
        : m_limit(bounded ? initial.get() : kMaxValue), m_bounded(bounded ? 1u : 0u),
          m_value(initial.get())
    {}

private:
    [[nodiscard]] bool tryTake() noexcept;

    const std::uint32_t m_limit;
    const std::uint32_t m_bounded;
    std::atomic<std::uint32_t> m_value;   // the count; also the futex word
    std::atomic<std::uint32_t> m_waiters{0}; // hint: processes inside a blocking acquire
};

// A Semaphore whose release() never raises the value above its initial
// value. It is a Semaphore (find<Semaphore> accepts one); find<BoundedSemaphore>
// refuses a plain Semaphore.
class BoundedSemaphore : public Semaphore {
public:
    BoundedSemaphore() noexcept : Semaphore(InitialValue(1), true) {}
    explicit BoundedSemaphore(InitialValue initial) noexcept : Semaphore(initial, true) {}

    // For Arena::find: a plain Semaphore under this name is the wrong type.
    [[nodiscard]] Result<void> typeError(std::string_view name) const;
};

// Validate, then construct in the arena. Errors: InvalidArgument (value),
// and those of Arena::make (AlreadyExists, TooLarge, Full, name).
[[nodiscard]] Result<Semaphore *> makeSemaphore(Arena &arena, std::string_view name,
                                                std::int64_t value = 1);
[[nodiscard]] Result<BoundedSemaphore *> makeBoundedSemaphore(Arena &arena, std::string_view name,
                                                              std::int64_t value = 1);

} // namespace ipc
