// manager: the run's manager server (Python: the process that
// multiprocessing.Manager() starts). Reads the socket path and key from the
// ManagerInfo object named by --info in the arena (ManagerProcess made it),
// listens, sets info.ready, and serves until the run stops it or a client
// sends Shutdown.
// Board: ops = requests answered; state BlockedRecv while idle in poll.
#include "roles.h"

#include "manager_server.h"

#include <unistd.h>

namespace ipc::roles {

int manager(WorkerContext &ctx, const ManagerOptions &roleOptions)
{
    constexpr std::string_view kRole = ManagerOptions::kRole;
    auto info = ctx.arena.find<manager::ManagerInfo>(roleOptions.info);
    if (!info) return failed(kRole, info.error());
    manager::ServerOptions options;
    options.info = *info;
    auto server = manager::ManagerServer::listen((*info)->socketPath(), (*info)->key, options);
    if (!server) return failed(kRole, server.error());
    (*info)->serverPid.store(getpid(), std::memory_order_relaxed);
    (*info)->ready.store(1, std::memory_order_release);
    // Asked to stop, it serves on while a client is connected: a client
    // ends after the request it is in (the engine's stop ends clients
    // first), and the run's grace period still ends a client that hangs.
    manager::ManagerInfo *published = *info;
    auto served = (*server)->serve(
        [&ctx, published] { return ctx.shouldStop() && published->clients.load(std::memory_order_relaxed) == 0; });
    if (!served) return failed(kRole, served.error());
    return 0;
}

} // namespace ipc::roles
