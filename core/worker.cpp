#include "worker.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>

namespace ipc {

namespace {

int usage(const std::string &message)
{
    std::fprintf(stderr, "ipc-worker: %s\n", message.c_str());
    std::fprintf(stderr, "usage: ipc-worker --role ROLE [--arena-fd N | --arena NAME] [--slot K] "
                         "[role options]\nroles:\n");
    for (const RoleInfo &r : roleCatalog())
        std::fprintf(stderr, "  %-14.*s %.*s\n", int(r.name.size()), r.name.data(),
                     int(r.summary.size()), r.summary.data());
    return kExitUsage;
}

// PR_SET_PDEATHSIG fires when the parent dies -- unless it already died
// between our spawn and this call; the pid check closes that window.
void dieWithParent()
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (const char *expected = std::getenv(std::string(kParentPidEnv).c_str())) {
        if (std::atoi(expected) != getppid()) _exit(kExitRuntimeError);
    }
}

} // namespace

int workerMain(int argc, char **argv)
{
    dieWithParent();
    auto parsed = Args::parse(argc, argv, 1, {"help"});
    if (!parsed) return usage(parsed.error().message);
    if (parsed->has("help")) {
        (void)usage("runs one role of a scenario");
        return 0;
    }
    const std::string roleName = parsed->text("role");
    if (roleName.empty()) return usage("--role is required");
    const RoleInfo *role = findRole(roleName);
    if (!role) return usage("unknown role '" + roleName + "'");

    WorkerContext ctx;
    auto fd = parsed->integer("arena-fd", -1, -1, 1 << 20);
    auto slotIndex = parsed->integer("slot", -1, -1, Board::kMaxSlots - 1);
    if (!fd) return usage(fd.error().message);
    if (!slotIndex) return usage(slotIndex.error().message);
    const std::string arenaName = parsed->text("arena");

    if (*fd >= 0 || !arenaName.empty()) {
        auto arena = *fd >= 0 ? Arena::attachFd(int(*fd)) : Arena::attachNamed(arenaName);
        if (!arena) {
            std::fprintf(stderr, "ipc-worker: %s\n", arena.error().toString().c_str());
            return kExitRuntimeError;
        }
        ctx.arena = std::move(*arena);
        auto control = ctx.arena.find<ControlBlock>("control");
        auto board = ctx.arena.find<Board>("board");
        if (!control || !board) {
            std::fprintf(stderr, "ipc-worker: arena has no control block or board\n");
            return kExitRuntimeError;
        }
        ctx.control = *control;
        if (*slotIndex >= 0) {
            ctx.slot = (*board)->slot(std::uint32_t(*slotIndex));
            if (!ctx.slot) return usage("--slot " + std::to_string(*slotIndex) + " was not claimed");
            ctx.slot->pid.store(getpid(), std::memory_order_relaxed);
            ctx.slot->heartbeatNs.store(monotonicNs(), std::memory_order_relaxed);
            telemetry::attach(ctx.slot);
            telemetry::setState(ProcState::Running);
        }
    } else if (role->needsArena) {
        return usage("role '" + roleName + "' needs --arena-fd or --arena");
    }

    // The role sees only its own options.
    std::vector<std::string> rest;
    for (const auto &[k, v] : parsed->all()) {
        if (k == "role" || k == "arena-fd" || k == "arena" || k == "slot") continue;
        rest.push_back("--" + k);
        rest.push_back(v);
    }
    ctx.args = *Args::parse(rest);
    const int rc = role->main(ctx);
    telemetry::attach(nullptr);
    return rc;
}

const RoleInfo *findRole(std::string_view name) noexcept
{
    for (const RoleInfo &r : roleCatalog())
        if (r.name == name) return &r;
    return nullptr;
}

} // namespace ipc
