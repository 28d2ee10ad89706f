#include "manager_info.h"

#include <cstring>

namespace ipc::manager {

ManagerInfo::ManagerInfo() noexcept
{
    // getrandom cannot fail for 32 bytes once the kernel's pool is up; if it
    // did, the all-zero key would still authenticate, only guessably.
    if (auto k = randomKey()) key = *k;
}

std::string ManagerInfo::socketPath() const
{
    return std::string(path, strnlen(path, kPathSize));
}

Result<void> ManagerInfo::setSocketPath(std::string_view p) noexcept
{
    if (p.empty() || p.size() >= kPathSize)
        return fail(Errc::InvalidArgument, "socket path '" + std::string(p) + "' must have 1 to " +
                                               std::to_string(kPathSize - 1) + " characters");
    std::memset(path, 0, kPathSize);
    std::memcpy(path, p.data(), p.size());
    return {};
}

ClientRow *ManagerInfo::claimRow(std::int32_t pid) noexcept
{
    const std::uint32_t i = rowCount.fetch_add(1, std::memory_order_relaxed);
    if (i >= kMaxClients) {
        rowCount.store(kMaxClients, std::memory_order_relaxed);
        return nullptr;
    }
    rows[i].pid.store(pid, std::memory_order_relaxed);
    return &rows[i];
}

Result<void> ManagerInfo::typeError(std::string_view name) const
{
    if (magic == kMagic) return {};
    return fail(Errc::InvalidArgument, "object '" + std::string(name) + "' is not a manager's info block");
}

} // namespace ipc::manager
