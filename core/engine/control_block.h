// The control block: the one narrow channel from the GUI (through the engine)
// to running workers. Workers read it on every iteration with relaxed loads,
// so a lecturer's toggle takes effect within one item of work.
//
// Writer: the engine (one process). Readers: every worker. Fields are
// independent knobs; no field's meaning depends on another's being read in
// the same instant, so no lock is needed.
#pragma once

#include "arena.h"
#include "shared_value.h" // RaceMode

#include <atomic>
#include <cstdint>

namespace ipc {

struct ControlBlock {
    static constexpr ObjectKind kKind = ObjectKind::Control;

    std::atomic<std::uint32_t> lockEnabled{1};   // counters: take the lock per increment
    std::atomic<std::uint32_t> raceMode{0};      // RaceMode, for unlocked increments
    std::atomic<std::uint32_t> raceWindowUs{0};  // with RaceMode::Pause
    std::atomic<std::uint32_t> stopRequested{0}; // workers finish cleanly at the next item
    std::atomic<std::uint32_t> ratePerSecond{0}; // producers/senders: 0 = unthrottled
    std::atomic<std::uint32_t> workUs{0};        // consumers: simulated work per item
    std::atomic<std::uint32_t> payloadBytes{64}; // producers/senders: message size
    std::atomic<std::uint32_t> fixEnabled{0};    // deadlock lessons: apply the fix
    std::atomic<std::uint32_t> forkOrder{0};     // philosophers: lower-numbered fork first
    std::atomic<std::uint32_t> askWaiter{0};     // philosophers: sit down only through the waiter
    // Slow motion: at most this many operations per second per worker
    // (increments, puts, gets, lines printed, ...); 0 = full speed. See Pacer.
    std::atomic<std::uint32_t> paceOpsPerSecond{0};
    std::atomic<std::uint32_t> generation{0};    // bumped by the engine after any change

    [[nodiscard]] bool lockOn() const noexcept
    {
        return lockEnabled.load(std::memory_order_relaxed) != 0;
    }
    [[nodiscard]] bool stopping() const noexcept
    {
        return stopRequested.load(std::memory_order_relaxed) != 0;
    }
    void changed() noexcept { generation.fetch_add(1, std::memory_order_release); }
};

} // namespace ipc
