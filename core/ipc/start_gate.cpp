#include "start_gate.h"

#include "futex.h"

#include <algorithm>

namespace ipc {

Result<void> StartGate::arriveAndWait(Duration timeout) noexcept
{
    m_arrived.fetch_add(1, std::memory_order_acq_rel);
    futexWakeAll(m_arrived);
    const Deadline deadline(timeout);
    while (m_open.load(std::memory_order_acquire) == 0) {
        if (futexWait(m_open, 0, deadline) == WaitOutcome::TimedOut &&
            m_open.load(std::memory_order_acquire) == 0)
            return fail(Errc::Timeout, "start gate was not opened in time");
    }
    return {};
}

void StartGate::finish(std::uint32_t index) noexcept
{
    if (index < kMaxWorkers) m_finishNs[index].store(monotonicNs(), std::memory_order_release);
}

Result<void> StartGate::waitArrived(std::uint32_t workers, Duration timeout) noexcept
{
    const Deadline deadline(timeout);
    for (;;) {
        const std::uint32_t seen = m_arrived.load(std::memory_order_acquire);
        if (seen >= workers) return {};
        if (futexWait(m_arrived, seen, deadline) == WaitOutcome::TimedOut &&
            m_arrived.load(std::memory_order_acquire) < workers)
            return fail(Errc::Timeout, std::to_string(m_arrived.load(std::memory_order_relaxed)) +
                                           " of " + std::to_string(workers) +
                                           " workers arrived at the start gate");
    }
}

std::uint64_t StartGate::open() noexcept
{
    const std::uint64_t t0 = monotonicNs();
    m_openedNs.store(t0, std::memory_order_release);
    m_open.store(1, std::memory_order_release);
    futexWakeAll(m_open);
    return t0;
}

void StartGate::reset() noexcept
{
    m_open.store(0, std::memory_order_relaxed);
    m_openedNs.store(0, std::memory_order_relaxed);
    for (auto &t : m_finishNs) t.store(0, std::memory_order_relaxed);
    m_arrived.store(0, std::memory_order_release);
}

std::uint64_t StartGate::lastFinishNs(std::uint32_t workers) const noexcept
{
    std::uint64_t last = 0;
    for (std::uint32_t i = 0; i < std::min(workers, kMaxWorkers); ++i) {
        const std::uint64_t t = m_finishNs[i].load(std::memory_order_acquire);
        if (t == 0) return 0;
        last = std::max(last, t);
    }
    return last;
}

} // namespace ipc
