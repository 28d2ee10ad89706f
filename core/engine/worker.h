// What every worker role gets: the run's arena (attached from an inherited
// descriptor or by name), the control block, its own board slot, and its
// options. A role is a function (WorkerContext&, const XOptions&) -> exit
// code, where XOptions (options.h) is the one place its options are
// written: the engine spawns it with them, the worker parses them (runRole),
// and --help prints them. A registry (a span of RoleInfo) maps names to roles.
//
// Exit codes: 0 done, 1 failed at run time (message on stderr), 2 bad
// options (message on stderr).
#pragma once

#include "args.h"
#include "arena.h"
#include "board.h"
#include "control_block.h"
#include "options.h"

#include <cstdio>
#include <span>
#include <string_view>

namespace ipc {

// The engine passes these to every worker.
inline constexpr std::string_view kParentPidEnv = "IPC_PARENT_PID";
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsage = 2;

struct WorkerContext {
    Arena arena;                     // may be invalid for roles that need none (idle)
    ControlBlock *control = nullptr; // null without an arena
    BoardSlot *slot = nullptr;       // null without an arena
    Args args;                       // role options (common ones removed), as runRole parses them

    // Heartbeat + stop check for a role's loop; cheap enough for every item.
    [[nodiscard]] bool shouldStop() const noexcept { return control && control->stopping(); }
};

using RoleMain = int (*)(WorkerContext &);

struct RoleInfo {
    std::string_view name;
    std::string_view summary; // what it does, for `ipc-worker --help`
    bool needsArena;
    RoleMain main;            // null in ipc-worker for a role that runs in ipc-worker-qt (roles.h)
    std::string (*usage)();   // its options, for `ipc-worker --help`
};

// A role's entry point: parses its options (a bad one: kExitUsage, with a
// line on stderr naming it), then runs the role with them.
template <class Options, int (*Role)(WorkerContext &, const Options &)>
int runRole(WorkerContext &ctx)
{
    auto options = parseOptions<Options>(ctx.args);
    if (!options) {
        std::fprintf(stderr, "ipc-worker %.*s: %s\n", int(Options::kRole.size()), Options::kRole.data(),
                     options.error().message.c_str());
        return kExitUsage;
    }
    return Role(ctx, *options);
}

// The role of that name in `roles`, or null.
[[nodiscard]] const RoleInfo *findRole(std::span<const RoleInfo> roles, std::string_view name) noexcept;

// The whole of ipc-worker's main(): die with the parent, parse the common
// options (--role, --arena-fd | --arena, --slot, --cpu), pin, attach, run
// the role of that name in `roles` (the executable's registry: the
// lessons' roles and the benchmarks', app/worker_main.cpp).
// A role without code here is handed over to ipc-worker-qt beside this
// executable (execv: same pid, descriptors, options and environment).
int workerMain(int argc, char **argv, std::span<const RoleInfo> roles);

} // namespace ipc
