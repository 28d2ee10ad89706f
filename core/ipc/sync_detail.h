// Shared wording for the errors of the futex-based primitives (semaphore,
// event, condition, barrier), so every timeout reads the same way.
// Internal to core; not part of the public API.
#pragma once

#include "arena.h"
#include "posix_call.h"

#include <string>
#include <string_view>

namespace ipc::detail {

// "within 250 ms", "without waiting" (kNoWait)
[[nodiscard]] inline std::string withinText(Duration timeout)
{
    if (timeout <= kNoWait) return "without waiting";
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    if (us < 1000) return "within " + std::to_string(us) + " us";
    return "within " + std::to_string(us / 1000) + " ms";
}

// "semaphore #3", or "semaphore" for one outside an arena directory
[[nodiscard]] inline std::string objectText(std::string_view what, std::uint32_t objectIndex)
{
    std::string s(what);
    if (objectIndex != kNoObject) s += " #" + std::to_string(objectIndex);
    return s;
}

} // namespace ipc::detail
