// spinUntil: wait a little for a peer that usually answers within
// microseconds before sleeping in the kernel.
//
// On this kind of machine (a 2-CPU VM) a sleep and the cross-CPU wake-up
// that ends it cost tens of microseconds -- more than a manager round trip
// needs -- while a short spin costs only this process's own CPU time. The
// spin yields between tries, so a peer waiting for the same CPU runs at
// once; with a single CPU online there is nobody to wait for, and no spin.
// (A process pinned to one CPU still spins: its peer may be on another.)
//
// CpuNote: where one side of a shared object last worked, so that the other
// side, about to wait for it, can tell whether pausing can pay off. A peer
// that last worked on the CPU we are on now is not running (we are): pausing
// only delays the yield that lets it run.
#pragma once

#include "posix_call.h"

#include <sched.h>
#include <sys/rseq.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace ipc {

inline constexpr std::uint64_t kSpinBudgetNs = 30'000;

// The CPU this thread runs on now. The kernel keeps it current in the
// thread's rseq area, which glibc registers: a plain load (sched_getcpu()
// costs 4 ns here, about a tenth of a 64-byte queue put).
[[nodiscard]] inline int currentCpu() noexcept
{
    if (__rseq_size == 0) [[unlikely]] // rseq disabled (a glibc tunable): ask the kernel
        return sched_getcpu();
    const auto *area = reinterpret_cast<const volatile struct rseq *>(
        static_cast<const char *>(__builtin_thread_pointer()) + __rseq_offset);
    return int(area->cpu_id);
}

// Lives in shared memory: one per side of an object, written by that side's
// fast path (a store only when the CPU changed), read by the other side
// before it spins.
class CpuNote {
public:
    void noteHere() noexcept
    {
        const std::int32_t cpu = currentCpu();
        if (m_cpu.load(std::memory_order_relaxed) != cpu) m_cpu.store(cpu, std::memory_order_relaxed);
    }
    [[nodiscard]] bool here() const noexcept { return m_cpu.load(std::memory_order_relaxed) == currentCpu(); }

private:
    std::atomic<std::int32_t> m_cpu{-1};
};

// How long one pause instruction takes on this machine (~20 ns on this VM;
// Intel cores differ by 10x), measured once, so that a spin can turn the
// pauses it spent into time without reading the clock.
[[nodiscard]] inline double pauseNs() noexcept
{
    static const double ns = [] {
        constexpr int kPauses = 256;
        const std::uint64_t t0 = monotonicNs();
        for (int i = 0; i < kPauses; ++i) __builtin_ia32_pause();
        return double(monotonicNs() - t0) / kPauses;
    }();
    return ns;
}

enum class SpinStart : std::uint8_t {
    Look,  // ready() first
    Yield, // the caller has just looked: yield first (on one CPU the peer
           // runs at once, and a look that must fail costs a syscall)
};

// True as soon as ready() is; false when the budget ran out first.
template <class Ready>
[[nodiscard]] bool spinUntil(Ready &&ready, std::uint64_t budgetNs = kSpinBudgetNs,
                             SpinStart start = SpinStart::Look) noexcept
{
    static const bool multiCpu = sysconf(_SC_NPROCESSORS_ONLN) > 1;
    if (!multiCpu) return false;
    if (start == SpinStart::Look && ready()) return true;
    // The budget starts after the first yield: on one CPU that yield usually
    // ran the peer, and the look after it succeeds without a clock read.
    sched_yield();
    if (ready()) return true;
    const std::uint64_t until = monotonicNs() + budgetNs;
    while (monotonicNs() < until) {
        sched_yield();
        if (ready()) return true;
    }
    return false;
}

} // namespace ipc
