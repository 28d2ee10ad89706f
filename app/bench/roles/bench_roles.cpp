#include "bench_roles.h"

// ipc-bench's roles, as the lessons' are listed (roles.cpp): name, options
// and what it does, whether it needs the arena, its function, NoQt or Qt.
#define IPC_BENCH_ROLES(X) \
    X("bench-increments", "--index I --increments K: ipc-bench's locked increments", true, benchIncrements, NoQt) \
    X("bench-manager", "--n N --gate NAME: ipc-bench's manager dict client (n sets, n gets)", true, benchManager, Qt) \
    X("bench-queue", "--mode put|get --count N --size S --index I: ipc-bench's queue worker", true, benchQueue, Qt) \
    X("bench-ring", "--mode put|get --count N --size S --index I: ipc-bench's bound for the queue (bare_ring.h)", true, benchRing, Qt) \
    X("bench-pipe", "--mode write|read|echo --count N --size S --pipe-fd FD: ipc-bench's pipe worker", true, benchPipe, Qt)

namespace ipc {

namespace roles {
IPC_BENCH_ROLES(IPC_DECLARE_ROLE)
}

namespace {

constexpr RoleInfo kRoles[] = {IPC_BENCH_ROLES(IPC_ROLE_ENTRY)};

} // namespace

std::span<const RoleInfo> benchRoles() noexcept { return kRoles; }

} // namespace ipc
