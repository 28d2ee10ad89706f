// ipc-bench's bound for the Queue: about the most a bounded queue of copied
// items can move between two processes on this machine. One producer, one
// consumer, the two copies (in and out) and two counters, and nothing else:
// no lock, no length, no waiting but yielding, no telemetry, no kill
// safety. Queue throughput divided by this ring's, measured in the same
// run, says how much of the cost is the Queue's own and how much is the
// copying and the caches (scripts/bench.sh prints both ratios).
//
// It lives in the run's arena, under a name of kind Scenario (an engine's
// own bytes); ipc-bench constructs it, the bench-ring workers find it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sched.h>
#include <span>

namespace ipc::roles {

struct BareRing {
    static constexpr std::size_t kSlotsOffset = 192;

    const std::uint32_t capacity;
    const std::uint32_t stride; // item bytes rounded up to a cache line
    alignas(64) std::atomic<std::uint64_t> tail{0}; // items put
    alignas(64) std::atomic<std::uint64_t> head{0}; // items got

    BareRing(std::uint32_t slots, std::uint32_t itemBytes) noexcept
        : capacity(slots), stride(strideFor(itemBytes))
    {
    }
    [[nodiscard]] static constexpr std::uint32_t strideFor(std::uint32_t itemBytes) noexcept
    {
        return (itemBytes + 63u) & ~63u;
    }
    [[nodiscard]] static constexpr std::size_t bytesFor(std::uint32_t slots, std::uint32_t itemBytes) noexcept
    {
        return kSlotsOffset + std::size_t(slots) * strideFor(itemBytes);
    }

    void put(std::span<const std::byte> item) noexcept
    {
        const std::uint64_t t = tail.load(std::memory_order_relaxed);
        while (t - head.load(std::memory_order_acquire) >= capacity) sched_yield();
        std::memcpy(slot(t), item.data(), item.size());
        tail.store(t + 1, std::memory_order_release);
    }
    void get(std::span<std::byte> item) noexcept
    {
        const std::uint64_t h = head.load(std::memory_order_relaxed);
        while (tail.load(std::memory_order_acquire) == h) sched_yield();
        std::memcpy(item.data(), slot(h), item.size());
        head.store(h + 1, std::memory_order_release);
    }

private:
    [[nodiscard]] std::byte *slot(std::uint64_t item) noexcept
    {
        return reinterpret_cast<std::byte *>(this) + kSlotsOffset + (item % capacity) * stride;
    }
};

static_assert(sizeof(BareRing) <= BareRing::kSlotsOffset);

} // namespace ipc::roles
