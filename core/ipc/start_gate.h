// StartGate: releases the worker processes of a timed run together, so that
// a benchmark times the work and not process start-up, and collects each
// worker's end time. Lives in the arena (ObjectKind::Raw).
//
//   engine:  waitArrived(n) -> open() (stamps t0) -> join -> lastFinishNs(n) - t0
//   worker:  arriveAndWait() -> work -> finish(index)
//
// CLOCK_MONOTONIC is one clock for every process, so the engine's start
// stamp and the workers' end stamps compare directly. Waiting is a futex
// sleep on both sides: nobody spins, which matters on a 2-core machine.
// Any process attached to the arena may call any member; `index` < kMaxWorkers.
#pragma once

#include "arena.h"
#include "posix_call.h"
#include "result.h"

#include <atomic>
#include <cstdint>

namespace ipc {

class StartGate {
public:
    static constexpr ObjectKind kKind = ObjectKind::Raw;
    static constexpr std::uint32_t kMaxWorkers = 64;

    // Worker: count itself in, then sleep until the engine opens the gate.
    // Timeout if it is not opened in time.
    [[nodiscard]] Result<void> arriveAndWait(Duration timeout) noexcept;
    // Worker: stamp its end time.
    void finish(std::uint32_t index) noexcept;

    // Engine: wait until `workers` have arrived; Timeout leaves them waiting.
    [[nodiscard]] Result<void> waitArrived(std::uint32_t workers, Duration timeout) noexcept;
    // Engine: release every worker; returns the start stamp (ns).
    std::uint64_t open() noexcept;
    [[nodiscard]] std::uint64_t openedNs() const noexcept
    {
        return m_openedNs.load(std::memory_order_acquire);
    }
    // Engine, once every worker of the last round has ended: ready for the
    // next round (closed, nobody arrived or finished).
    void reset() noexcept;
    // The latest end stamp of workers 0..workers-1; 0 if one has not finished.
    [[nodiscard]] std::uint64_t lastFinishNs(std::uint32_t workers) const noexcept;

private:
    std::atomic<std::uint32_t> m_arrived{0};
    std::atomic<std::uint32_t> m_open{0};
    std::atomic<std::uint64_t> m_openedNs{0};
    std::atomic<std::uint64_t> m_finishNs[kMaxWorkers]{};
};

} // namespace ipc
