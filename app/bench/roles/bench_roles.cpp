#include "bench_roles.h"

namespace ipc {

namespace {

// IPC_QT_ROLE (roles.h): in ipc-worker a Qt role has no code here and the
// process is handed over to ipc-worker-qt.
constexpr RoleInfo kRoles[] = {
    {"bench-increments", "--index I --increments K: ipc-bench's locked increments", true,
     &roles::benchIncrements},
    IPC_QT_ROLE("bench-manager", "--n N --gate NAME: ipc-bench's manager dict client (n sets, n gets)",
                true, &roles::benchManager),
    IPC_QT_ROLE("bench-queue", "--mode put|get --count N --size S --index I: ipc-bench's queue worker",
                true, &roles::benchQueue),
    IPC_QT_ROLE("bench-ring", "--mode put|get --count N --size S --index I: ipc-bench's bound for the queue",
                true, &roles::benchRing),
    IPC_QT_ROLE("bench-pipe", "--mode write|read|echo --count N --size S --pipe-fd FD: ipc-bench's pipe worker",
                true, &roles::benchPipe),
};

} // namespace

std::span<const RoleInfo> benchRoles() noexcept { return kRoles; }

} // namespace ipc
