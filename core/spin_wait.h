// spinUntil: wait a little for a peer that usually answers within
// microseconds before sleeping in the kernel.
//
// On this kind of machine (a 2-CPU VM) a sleep and the cross-CPU wake-up
// that ends it cost tens of microseconds -- more than a manager round trip
// needs -- while a short spin costs only this process's own CPU time. The
// spin yields between tries, so a peer waiting for the same CPU runs at
// once; with a single CPU online there is nobody to wait for, and no spin.
// (A process pinned to one CPU still spins: its peer may be on another.)
#pragma once

#include "posix_call.h"

#include <sched.h>
#include <unistd.h>

#include <cstdint>

namespace ipc {

inline constexpr std::uint64_t kSpinBudgetNs = 30'000;

// True as soon as ready() is; false when the budget ran out first.
template <class Ready>
[[nodiscard]] bool spinUntil(Ready &&ready, std::uint64_t budgetNs = kSpinBudgetNs) noexcept
{
    static const bool multiCpu = sysconf(_SC_NPROCESSORS_ONLN) > 1;
    if (!multiCpu) return false;
    const std::uint64_t until = monotonicNs() + budgetNs;
    do {
        if (ready()) return true;
        sched_yield();
    } while (monotonicNs() < until);
    return false;
}

} // namespace ipc
