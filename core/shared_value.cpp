#include "shared_value.h"

#include "posix_call.h"

#include <cerrno>
#include <ctime>

namespace ipc {

std::string_view elementTypeName(ElementType t) noexcept
{
    switch (t) {
    case ElementType::Int32: return "int32";
    case ElementType::Int64: return "int64";
    case ElementType::Double: return "double";
    }
    return "unknown";
}

void sleepMicroseconds(std::uint32_t us) noexcept
{
    timespec ts{time_t(us / 1'000'000u), long(us % 1'000'000u) * 1000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

void pauseMicroseconds(std::uint32_t us) noexcept
{
    const std::uint64_t until = monotonicNs() + std::uint64_t(us) * 1000u;
    while (monotonicNs() < until) __builtin_ia32_pause();
}

} // namespace ipc
