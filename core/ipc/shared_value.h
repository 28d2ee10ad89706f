// SharedValue<T> and SharedArray<T>: multiprocessing.Value and Array in the
// arena, each with its own lock (getLock()): an RLock, as Python's
// Value(lock=True) has, or a plain Lock when made with LockKind::Lock.
// RawValue<T> and RawArray<T>: Python's RawValue / RawArray, no lock.
// T is one of Python's typecodes (typecodeElement): 'h' int16_t,
// 'i' int32_t, 'q'/'l' int64_t, 'd' double, 'c' char (one byte). Any
// process attached to the arena may call any member.
//
// Plain load/store are single atomic accesses (relaxed). racyAdd() is the
// lesson: a deliberate read, then an optional race window, then a write --
// the `counter.value += 1` that loses updates when two processes interleave.
// It is "racy" only at the level of the lesson: each access is atomic, so
// the program has no undefined behaviour, only lost updates.
#pragma once

#include "arena.h"
#include "lock.h"

#include <atomic>
#include <cstdint>
#include <sched.h>
#include <span>
#include <type_traits>

namespace ipc {

// How an unlocked increment leaves room for a race (the race lesson's
// switch, ControlBlock::raceMode).
enum class RaceMode : std::uint32_t {
    None = 0,  // read-then-write back to back (races rarely show on 2 cores)
    Yield = 1, // sched_yield() between the read and the write
    Pause = 2, // busy-pause raceWindowUs microseconds between read and write
};

enum class ElementType : std::uint32_t { Int32 = 1, Int64 = 2, Double = 3, Int16 = 4, Char = 5 };

// What a SharedMemory block (shared_memory_block.h) holds and computes with.
template <class T>
concept SharedScalar =
    std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>;

// What a Value or Array holds: the block's types and Python's 'h' and 'c'.
template <class T>
concept ValueElement = SharedScalar<T> || std::is_same_v<T, std::int16_t> || std::is_same_v<T, char>;

template <ValueElement T>
constexpr ElementType elementTypeOf()
{
    if constexpr (std::is_same_v<T, std::int32_t>) return ElementType::Int32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return ElementType::Int64;
    else if constexpr (std::is_same_v<T, std::int16_t>) return ElementType::Int16;
    else if constexpr (std::is_same_v<T, char>) return ElementType::Char;
    else return ElementType::Double;
}

[[nodiscard]] std::string_view elementTypeName(ElementType t) noexcept;
// Python's typecode for the element type: 'h', 'i', 'q', 'd', 'c'.
[[nodiscard]] char elementTypecode(ElementType t) noexcept;
// The element type of a Python typecode; InvalidArgument names the codes
// we have ('l' is 'q': a C long is 64 bits here).
[[nodiscard]] Result<ElementType> typecodeElement(char typecode);

// Which lock a Value or Array makes for itself (Python: Value(lock=True)
// gives an RLock; lock=Lock() a plain one).
enum class LockKind : std::uint8_t { RLock, Lock };

namespace detail {
template <ValueElement T>
[[nodiscard]] Result<void> elementTypeError(ElementType held, std::string_view what, std::string_view name)
{
    if (held == elementTypeOf<T>()) return {};
    return fail(Errc::InvalidArgument, std::string(what) + " '" + std::string(name) + "' holds " +
                                           std::string(elementTypeName(held)) + ", not " +
                                           std::string(elementTypeName(elementTypeOf<T>())));
}
} // namespace detail

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

namespace detail {

// A value's accesses, the same with a lock or without: each one atomic
// (relaxed); racyAdd is `value += delta` as Python does it without the
// lock -- read, window, write.
template <ValueElement T, class Value>
class ValueAccess {
public:
    [[nodiscard]] T load() const noexcept
    {
        return std::atomic_ref<const T>(static_cast<const Value &>(*this).m_value).load(std::memory_order_relaxed);
    }
    void store(T v) noexcept
    {
        std::atomic_ref<T>(static_cast<Value &>(*this).m_value).store(v, std::memory_order_relaxed);
    }
    void racyAdd(T delta, RaceMode mode = RaceMode::None, std::uint32_t windowUs = 0) noexcept
    {
        const T seen = load();
        raceWindow(mode, windowUs);
        store(T(seen + delta));
    }
};

} // namespace detail

template <ValueElement T>
class alignas(64) SharedValue : public detail::ValueAccess<T, SharedValue<T>> {
public:
    static constexpr ObjectKind kKind = ObjectKind::Value;
    std::uint32_t objectIndex = kNoObject;
    // The arena's directory index, for the value and its lock alike (a
    // process waiting for the lock says which object it waits on).
    void setObjectIndex(std::uint32_t index) noexcept
    {
        objectIndex = index;
        m_lock.objectIndex = index;
    }

    explicit SharedValue(T initial = T{}, LockKind lock = LockKind::RLock) noexcept
        : m_lock(lock == LockKind::RLock), m_value(initial)
    {}

    // `with v.get_lock(): v.value += delta`. OwnerDied is not an error here:
    // a single store cannot be left half done, so there is nothing to repair.
    [[nodiscard]] Result<AcquireStatus> lockedAdd(T delta, Duration timeout = kForever) noexcept
    {
        auto acquired = m_lock.acquire(timeout);
        if (!acquired) return acquired;
        this->store(T(this->load() + delta));
        if (auto r = m_lock.release(); !r) return std::unexpected(r.error());
        return acquired;
    }

    [[nodiscard]] AnyLock &getLock() noexcept { return m_lock; }
    [[nodiscard]] ElementType type() const noexcept { return m_type; }
    [[nodiscard]] Result<void> typeError(std::string_view name) const
    {
        return detail::elementTypeError<T>(m_type, "value", name);
    }

private:
    friend class detail::ValueAccess<T, SharedValue>;
    ElementType m_type = elementTypeOf<T>();
    AnyLock m_lock;
    // In the lock's cache line, as a C struct of mutex and counter has it:
    // the holder that takes the lock has the value too, and a hand-over
    // moves one line between CPUs, not two.
    T m_value;
};

// multiprocessing.RawValue: a value in shared memory without a lock.
template <ValueElement T>
class RawValue : public detail::ValueAccess<T, RawValue<T>> {
public:
    static constexpr ObjectKind kKind = ObjectKind::RawValue;

    explicit RawValue(T initial = T{}) noexcept : m_value(initial) {}

    [[nodiscard]] ElementType type() const noexcept { return m_type; }
    [[nodiscard]] Result<void> typeError(std::string_view name) const
    {
        return detail::elementTypeError<T>(m_type, "raw value", name);
    }

private:
    friend class detail::ValueAccess<T, RawValue>;
    ElementType m_type = elementTypeOf<T>();
    alignas(8) T m_value;
};

namespace detail {

inline constexpr std::size_t kMaxArrayLength = std::size_t(1) << 28;

// A length over the limit is TooLarge, with the limit (before any size is
// computed: SIZE_MAX elements would wrap bytesFor to a few bytes).
[[nodiscard]] inline Result<void> checkArrayLength(std::size_t length)
{
    if (length <= kMaxArrayLength) return {};
    return fail(Errc::TooLarge, "an Array of " + std::to_string(length) + " elements is over the limit of " +
                                    std::to_string(kMaxArrayLength));
}

// An array's elements: `length` Ts right after the object's own members.
template <ValueElement T, class Array>
class ArrayElements {
public:
    [[nodiscard]] std::size_t size() const noexcept { return self().m_length; }
    // Direct access for in-place computation; element accesses through
    // load/store/racyAdd are atomic, those through the span are plain.
    [[nodiscard]] std::span<T> elements() noexcept
    {
        return {reinterpret_cast<T *>(reinterpret_cast<std::byte *>(&self()) + sizeof(Array)), size()};
    }
    [[nodiscard]] T load(std::size_t i) const noexcept
    {
        return std::atomic_ref<T>(const_cast<ArrayElements *>(this)->elements()[i]).load(std::memory_order_relaxed);
    }
    void store(std::size_t i, T v) noexcept { std::atomic_ref<T>(elements()[i]).store(v, std::memory_order_relaxed); }
    void racyAdd(std::size_t i, T delta, RaceMode mode = RaceMode::None, std::uint32_t windowUs = 0) noexcept
    {
        const T seen = load(i);
        raceWindow(mode, windowUs);
        store(i, T(seen + delta));
    }

protected:
    void zero() noexcept
    {
        for (T &x : elements()) x = T{};
    }

private:
    [[nodiscard]] Array &self() noexcept { return static_cast<Array &>(*this); }
    [[nodiscard]] const Array &self() const noexcept { return static_cast<const Array &>(*this); }
};

} // namespace detail

template <ValueElement T>
class SharedArray : public detail::ArrayElements<T, SharedArray<T>> {
public:
    static constexpr ObjectKind kKind = ObjectKind::Array;
    static constexpr std::size_t kMaxLength = detail::kMaxArrayLength;
    std::uint32_t objectIndex = kNoObject;
    // The arena's directory index, for the value and its lock alike (a
    // process waiting for the lock says which object it waits on).
    void setObjectIndex(std::uint32_t index) noexcept
    {
        objectIndex = index;
        m_lock.objectIndex = index;
    }

    [[nodiscard]] static Result<void> checkArguments(std::size_t length, LockKind = LockKind::RLock)
    {
        return detail::checkArrayLength(length);
    }
    static std::size_t bytesFor(std::size_t length, LockKind = LockKind::RLock) noexcept
    {
        return sizeof(SharedArray) + length * sizeof(T);
    }
    explicit SharedArray(std::size_t length, LockKind lock = LockKind::RLock) noexcept
        : m_length(length), m_lock(lock == LockKind::RLock)
    {
        this->zero();
    }

    [[nodiscard]] AnyLock &getLock() noexcept { return m_lock; }
    [[nodiscard]] ElementType type() const noexcept { return m_type; }
    [[nodiscard]] Result<void> typeError(std::string_view name) const
    {
        return detail::elementTypeError<T>(m_type, "array", name);
    }

private:
    friend class detail::ArrayElements<T, SharedArray>;
    ElementType m_type = elementTypeOf<T>();
    std::size_t m_length;
    AnyLock m_lock;
};

// multiprocessing.RawArray: an array in shared memory without a lock.
template <ValueElement T>
class RawArray : public detail::ArrayElements<T, RawArray<T>> {
public:
    static constexpr ObjectKind kKind = ObjectKind::RawArray;
    static constexpr std::size_t kMaxLength = detail::kMaxArrayLength;

    [[nodiscard]] static Result<void> checkArguments(std::size_t length) { return detail::checkArrayLength(length); }
    static std::size_t bytesFor(std::size_t length) noexcept { return sizeof(RawArray) + length * sizeof(T); }
    explicit RawArray(std::size_t length) noexcept : m_length(length) { this->zero(); }

    [[nodiscard]] ElementType type() const noexcept { return m_type; }
    [[nodiscard]] Result<void> typeError(std::string_view name) const
    {
        return detail::elementTypeError<T>(m_type, "raw array", name);
    }

private:
    friend class detail::ArrayElements<T, RawArray>;
    ElementType m_type = elementTypeOf<T>();
    alignas(8) std::size_t m_length;
};

} // namespace ipc
