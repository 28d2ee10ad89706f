// ipc-bench's own roles: the processes its benchmarks start (workers of
// ipc-worker, like the lessons' roles, but no scenario file may name them).
// Registered in bench_roles.cpp; bare_ring.h is the Queue's yardstick.
#pragma once

#include "roles.h"

namespace ipc {

// ipc-bench's roles, appended to the lessons' in every worker executable.
[[nodiscard]] std::span<const RoleInfo> benchRoles() noexcept;

} // namespace ipc

namespace ipc::roles {

int benchIncrements(WorkerContext &ctx); // K locked increments behind a start gate
int benchManager(WorkerContext &ctx);    // n timed dict sets and gets through the manager
int benchQueue(WorkerContext &ctx);      // raw puts or gets behind a start gate
int benchRing(WorkerContext &ctx);       // the same on a bare ring (bare_ring.h)
int benchPipe(WorkerContext &ctx);       // frames written, read or echoed behind a start gate

} // namespace ipc::roles
