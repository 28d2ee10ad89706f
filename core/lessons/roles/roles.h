// Each role is a function `int NAME(WorkerContext &, const XOptions &)` in
// namespace ipc::roles, in its own file under roles/, its options a struct
// in role_options.h, and one line of the registry in roles.cpp (lessonRoles:
// the roles a scenario file may name; the benchmarks' own are in
// app/bench/roles/). This header has what roles share.
#pragma once

#include "role_options.h"
#include "worker.h"

// ipc-worker links no Qt, so that a worker starts in a fraction of the time
// and memory a QtCore process needs (README, Benchmarks); ipc-worker-qt has
// every role. A registry (roles.cpp, app/bench/roles/bench_roles.cpp) is a
// list of X(function, Options, summary, needsArena, NoQt | Qt) lines:
// IPC_DECLARE_ROLE declares each function, IPC_ROLE_ENTRY makes its
// RoleInfo, named Options::kRole, whose code parses the options and runs
// the function (runRole). In ipc-worker (IPC_WORKER_WITHOUT_QT) a Qt
// role's entry has no code, and the worker hands the process over to
// ipc-worker-qt. A Qt role marked NoQt fails the link of ipc-worker
// (undefined Qt symbols), never a run.
#define IPC_DECLARE_ROLE(function, Options, summary, needsArena, qt) \
    int function(WorkerContext &ctx, const Options &options);
#define IPC_ROLE_ENTRY(function, Options, summary, needsArena, qt) \
    {roles::Options::kRole, summary, needsArena, IPC_ROLE_CODE_##qt(function, Options), &usage<roles::Options>},
#define IPC_ROLE_CODE_NoQt(function, Options) &runRole<roles::Options, &roles::function>
#ifdef IPC_WORKER_WITHOUT_QT
#define IPC_ROLE_CODE_Qt(function, Options) nullptr
#else
#define IPC_ROLE_CODE_Qt(function, Options) &runRole<roles::Options, &roles::function>
#endif

namespace ipc {

// Every role of the lessons, in the order `ipc-worker --help` lists them.
[[nodiscard]] std::span<const RoleInfo> lessonRoles() noexcept;

} // namespace ipc

namespace ipc::roles {

// Reports a role's runtime failure on stderr; returns kExitRuntimeError.
int failed(std::string_view role, const Error &error);
// Reports a bad option; returns kExitUsage.
int badOption(std::string_view role, const Error &error);

} // namespace ipc::roles
