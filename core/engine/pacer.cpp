#include "pacer.h"

#include "board.h"

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace ipc {

namespace {
// Look at the rate and at a stop request this often while sleeping.
constexpr std::uint64_t kSliceNs = 50'000'000;
// Later than this behind its schedule, a worker starts a new one.
constexpr std::uint64_t kBehindNs = 100'000'000;
} // namespace

std::uint32_t Pacer::rate() const noexcept
{
    const std::uint32_t pace = m_control->paceOpsPerSecond.load(std::memory_order_relaxed);
    const std::uint32_t own = m_followsRate ? m_control->ratePerSecond.load(std::memory_order_relaxed) : 0;
    if (pace == 0 || own == 0) return std::max(pace, own);
    return std::min(pace, own);
}

bool Pacer::sleepForTurn() noexcept
{
    StateScope sleeping(ProcState::Sleeping);
    for (;;) {
        if (m_control->stopping()) return false;
        const std::uint32_t r = rate();
        if (r == 0) {
            m_rate = 0;
            return true;
        }
        const std::uint64_t now = monotonicNs();
        const std::uint64_t interval = 1'000'000'000u / r;
        if (r != m_rate || now > m_baseNs + (m_count + 1) * interval + kBehindNs) {
            // A new rate (also one set during this sleep), or far behind.
            m_rate = r;
            m_baseNs = now;
            m_count = 0;
        }
        const std::uint64_t turn = m_baseNs + m_count * interval;
        if (now >= turn) {
            ++m_count;
            return true;
        }
        const std::uint64_t until = std::min(turn, now + kSliceNs);
        const timespec ts{time_t(until / 1'000'000'000u), long(until % 1'000'000'000u)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
        }
    }
}

} // namespace ipc
