// Every syscall goes through retryOnEintr, so a signal (SIGCHLD, SIGCONT
// after a lecturer's pause) never turns into a spurious failure.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace ipc {

template <class F>
auto retryOnEintr(F &&call)
{
    for (;;) {
        auto r = call();
        if (!(r == -1 && errno == EINTR)) return r;
    }
}

// Timeouts follow Python: kForever blocks, zero polls, anything else waits
// at most that long. Internally a timeout becomes an absolute
// CLOCK_MONOTONIC deadline, so retries after EINTR do not extend it.
using Duration = std::chrono::nanoseconds;
inline constexpr Duration kForever = Duration::max();
inline constexpr Duration kNoWait = Duration::zero();

[[nodiscard]] inline std::uint64_t monotonicNs() noexcept
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::uint64_t(ts.tv_sec) * 1'000'000'000u + std::uint64_t(ts.tv_nsec);
}

class Deadline {
public:
    explicit Deadline(Duration t) noexcept
        : m_forever(t == kForever),
          m_atNs(m_forever ? 0 : monotonicNs() + std::uint64_t(t.count() < 0 ? 0 : t.count()))
    {}
    [[nodiscard]] bool forever() const noexcept { return m_forever; }
    [[nodiscard]] bool expired() const noexcept { return !m_forever && monotonicNs() >= m_atNs; }
    [[nodiscard]] timespec absolute() const noexcept
    {
        return timespec{time_t(m_atNs / 1'000'000'000u), long(m_atNs % 1'000'000'000u)};
    }
    // Remaining milliseconds for poll(): -1 forever, 0 expired, rounded up.
    [[nodiscard]] int pollMs() const noexcept
    {
        if (m_forever) return -1;
        const std::uint64_t now = monotonicNs();
        if (now >= m_atNs) return 0;
        const std::uint64_t ms = (m_atNs - now + 999'999u) / 1'000'000u;
        return ms > 1'000'000'000u ? 1'000'000'000 : int(ms);
    }

private:
    bool m_forever;
    std::uint64_t m_atNs;
};

} // namespace ipc
