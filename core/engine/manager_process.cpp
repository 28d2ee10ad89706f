#include "manager_process.h"

#include "unix_socket.h"

#include <cstdlib>
#include <unistd.h>

namespace ipc::manager {

namespace {
constexpr std::string_view kSocketName = "/manager.sock";
} // namespace

Result<std::string> makePrivateSocketDirectory()
{
    return ipc::makePrivateSocketDirectory("ipc-manager", kSocketName.size());
}

Result<ManagerProcess> ManagerProcess::start(Run &run, std::string_view name, Duration readyTimeout,
                                             const SpawnOptions &how)
{
    auto info = run.arena().make<ManagerInfo>(name);
    if (!info) return std::unexpected(info.error());
    auto dir = makePrivateSocketDirectory();
    if (!dir) return std::unexpected(dir.error());
    ManagerProcess p;
    p.m_info = *info;
    p.m_dir = *dir;
    p.m_socket = *dir + std::string(kSocketName);
    if (auto ok = p.m_info->setSocketPath(p.m_socket); !ok) return std::unexpected(ok.error());
    // The manager role's options (ManagerOptions in the lessons' roles).
    auto slot = run.spawn("manager", {"--info", std::string(name)}, how);
    if (!slot) return std::unexpected(slot.error());
    p.m_slot = *slot;
    const Deadline deadline(readyTimeout);
    while (p.m_info->ready.load(std::memory_order_acquire) == 0) {
        if (!run.process(*slot).isAlive())
            return fail(Errc::Closed, "the manager server exited during start-up with code " +
                                          std::to_string(run.process(*slot).exitCode().value_or(-1)));
        if (deadline.expired()) return fail(Errc::Timeout, "the manager server did not start listening in time");
        usleep(1000);
    }
    return p;
}

ManagerProcess::ManagerProcess(ManagerProcess &&other) noexcept
    : m_info(std::exchange(other.m_info, nullptr)), m_slot(other.m_slot), m_dir(std::move(other.m_dir)),
      m_socket(std::move(other.m_socket))
{
    other.m_dir.clear();
    other.m_socket.clear();
}

ManagerProcess &ManagerProcess::operator=(ManagerProcess &&other) noexcept
{
    if (this != &other) {
        cleanup();
        m_info = std::exchange(other.m_info, nullptr);
        m_slot = other.m_slot;
        m_dir = std::move(other.m_dir);
        m_socket = std::move(other.m_socket);
        other.m_dir.clear();
        other.m_socket.clear();
    }
    return *this;
}

ManagerProcess::~ManagerProcess() { cleanup(); }

void ManagerProcess::cleanup() noexcept
{
    if (!m_socket.empty()) ::unlink(m_socket.c_str());
    if (!m_dir.empty()) ::rmdir(m_dir.c_str());
    m_socket.clear();
    m_dir.clear();
}

} // namespace ipc::manager
