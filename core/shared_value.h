// SharedValue<T> and SharedArray<T>: multiprocessing.Value and Array in the
// arena, for T in {int32_t, int64_t, double}, each with its own Lock
// (getLock(), as Value(lock=True)). Any process attached to the arena may
// call any member.
//
// Plain load/store are single atomic accesses (relaxed). racyAdd() is the
// lesson: a deliberate read, then an optional race window, then a write --
// the `counter.value += 1` that loses updates when two processes interleave.
// It is "racy" only at the level of the lesson: each access is atomic, so
// the program has no undefined behaviour, only lost updates.
#pragma once

#include "arena.h"
#include "control_block.h"
#include "lock.h"

#include <atomic>
#include <cstdint>
#include <sched.h>
#include <span>
#include <type_traits>

namespace ipc {

enum class ElementType : std::uint32_t { Int32 = 1, Int64 = 2, Double = 3 };

template <class T>
concept SharedScalar =
    std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>;

template <SharedScalar T>
constexpr ElementType elementTypeOf()
{
    if constexpr (std::is_same_v<T, std::int32_t>) return ElementType::Int32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return ElementType::Int64;
    else return ElementType::Double;
}

[[nodiscard]] std::string_view elementTypeName(ElementType t) noexcept;

// Busy-waits about `us` microseconds without a syscall, so the race window
// keeps the process on the CPU (sleeping would make losses rarer, not likelier).
void pauseMicroseconds(std::uint32_t us) noexcept;

// Sleeps `us` microseconds (for windows long enough to see in slow motion).
void sleepMicroseconds(std::uint32_t us) noexcept;

// Between the read and the write of an unlocked increment. A window under
// a millisecond is spun (a sleep that short oversleeps), a longer one slept.
inline void raceWindow(RaceMode mode, std::uint32_t us) noexcept
{
    if (mode == RaceMode::Yield) sched_yield();
    else if (mode == RaceMode::Pause && us >= 1000) sleepMicroseconds(us);
    else if (mode == RaceMode::Pause && us > 0) pauseMicroseconds(us);
}

template <SharedScalar T>
class SharedValue {
public:
    static constexpr ObjectKind kKind = ObjectKind::Value;
    std::uint32_t objectIndex = kNoObject;

    explicit SharedValue(T initial = T{}) noexcept : m_value(initial) {}

    [[nodiscard]] T load() const noexcept
    {
        return std::atomic_ref<const T>(m_value).load(std::memory_order_relaxed);
    }
    void store(T v) noexcept { std::atomic_ref<T>(m_value).store(v, std::memory_order_relaxed); }

    // `value += delta` as Python does it without the lock: read, window, write.
    void racyAdd(T delta, RaceMode mode = RaceMode::None, std::uint32_t windowUs = 0) noexcept
    {
        const T seen = load();
        raceWindow(mode, windowUs);
        store(T(seen + delta));
    }
    // `with v.get_lock(): v.value += delta`. OwnerDied is not an error here:
    // a single store cannot be left half done, so there is nothing to repair.
    [[nodiscard]] Result<AcquireStatus> lockedAdd(T delta, Duration timeout = kForever) noexcept
    {
        auto acquired = m_lock.acquire(timeout);
        if (!acquired) return acquired;
        store(T(load() + delta));
        if (auto r = m_lock.release(); !r) return std::unexpected(r.error());
        return acquired;
    }

    [[nodiscard]] Lock &getLock() noexcept { return m_lock; }
    [[nodiscard]] ElementType type() const noexcept { return m_type; }
    [[nodiscard]] Result<void> typeError(std::string_view name) const
    {
        if (m_type == elementTypeOf<T>()) return {};
        return fail(Errc::InvalidArgument, "value '" + std::string(name) + "' holds " +
                                               std::string(elementTypeName(m_type)) + ", not " +
                                               std::string(elementTypeName(elementTypeOf<T>())));
    }

private:
    ElementType m_type = elementTypeOf<T>();
    Lock m_lock;
    alignas(64) T m_value; // own cache line: the lock word and the value do not false-share
};

template <SharedScalar T>
class SharedArray {
public:
    static constexpr ObjectKind kKind = ObjectKind::Array;
    static constexpr std::size_t kMaxLength = std::size_t(1) << 28;
    std::uint32_t objectIndex = kNoObject;

    // A length over kMaxLength is TooLarge, with the limit (before any
    // size is computed: SIZE_MAX elements would wrap bytesFor to a few bytes).
    [[nodiscard]] static Result<void> checkArguments(std::size_t length)
    {
        if (length <= kMaxLength) return {};
        return fail(Errc::TooLarge, "an Array of " + std::to_string(length) + " elements is over the limit of " +
                                        std::to_string(kMaxLength));
    }
    static std::size_t bytesFor(std::size_t length) noexcept
    {
        return sizeof(SharedArray) + length * sizeof(T);
    }
    explicit SharedArray(std::size_t length) noexcept : m_length(length)
    {
        for (T &x : elements()) x = T{};
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_length; }
    // Direct access for in-place computation; element accesses through
    // load/store/racyAdd are atomic, those through the span are plain.
    [[nodiscard]] std::span<T> elements() noexcept
    {
        return {reinterpret_cast<T *>(reinterpret_cast<std::byte *>(this) + sizeof(SharedArray)),
                m_length};
    }
    [[nodiscard]] T load(std::size_t i) const noexcept
    {
        return std::atomic_ref<T>(const_cast<SharedArray *>(this)->elements()[i])
            .load(std::memory_order_relaxed);
    }
    void store(std::size_t i, T v) noexcept
    {
        std::atomic_ref<T>(elements()[i]).store(v, std::memory_order_relaxed);
    }
    void racyAdd(std::size_t i, T delta, RaceMode mode = RaceMode::None,
                 std::uint32_t windowUs = 0) noexcept
    {
        const T seen = load(i);
        raceWindow(mode, windowUs);
        store(i, T(seen + delta));
    }
    [[nodiscard]] Lock &getLock() noexcept { return m_lock; }
    [[nodiscard]] Result<void> typeError(std::string_view name) const
    {
        if (m_type == elementTypeOf<T>()) return {};
        return fail(Errc::InvalidArgument, "array '" + std::string(name) + "' holds " +
                                               std::string(elementTypeName(m_type)) + ", not " +
                                               std::string(elementTypeName(elementTypeOf<T>())));
    }

private:
    ElementType m_type = elementTypeOf<T>();
    std::size_t m_length;
    Lock m_lock;
};

} // namespace ipc
