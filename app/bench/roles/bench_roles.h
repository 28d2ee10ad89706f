// ipc-bench's own roles: the processes its benchmarks start (workers of
// ipc-worker, like the lessons' roles, but no scenario file may name them).
// Registered in bench_roles.cpp; bare_ring.h is the Queue's yardstick.
#pragma once

#include "roles.h"

namespace ipc {

// ipc-bench's roles, appended to the lessons' in every worker executable.
[[nodiscard]] std::span<const RoleInfo> benchRoles() noexcept;

} // namespace ipc
