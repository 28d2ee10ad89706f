#include "bench_roles.h"

// ipc-bench's roles, as the lessons' are listed (roles.cpp): its function,
// its options (bench_roles.h), what it does, whether it needs the arena,
// NoQt or Qt.
#define IPC_BENCH_ROLES(X) \
    X(benchIncrements, BenchIncrementsOptions, "ipc-bench's locked increments", true, NoQt) \
    X(benchManager, BenchManagerOptions, "ipc-bench's manager dict client (n sets, n gets)", true, Qt) \
    X(benchQueue, BenchQueueOptions, "ipc-bench's queue worker", true, NoQt) \
    X(benchRing, BenchRingOptions, "ipc-bench's bound for the queue (bare_ring.h)", true, NoQt) \
    X(benchPipe, BenchPipeOptions, "ipc-bench's pipe worker", true, NoQt)

namespace ipc {

namespace roles {
IPC_BENCH_ROLES(IPC_DECLARE_ROLE)
}

namespace {

constexpr RoleInfo kRoles[] = {IPC_BENCH_ROLES(IPC_ROLE_ENTRY)};

} // namespace

std::span<const RoleInfo> benchRoles() noexcept { return kRoles; }

} // namespace ipc
