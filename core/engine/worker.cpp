#include "worker.h"

#include "step_gate.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>
#include <vector>

namespace ipc {

namespace {

int usage(std::span<const RoleInfo> roles, const std::string &message)
{
    std::fprintf(stderr, "ipc-worker: %s\n", message.c_str());
    std::fprintf(stderr, "usage: ipc-worker --role ROLE [--arena-fd N | --arena NAME] [--slot K] "
                         "[--cpu C] [role options]\nroles:\n");
    for (const RoleInfo &r : roles) {
        std::fprintf(stderr, "  %-16.*s %.*s\n", int(r.name.size()), r.name.data(),
                     int(r.summary.size()), r.summary.data());
        if (const std::string options = r.usage(); !options.empty())
            std::fprintf(stderr, "  %-16s %s\n", "", options.c_str());
    }
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

// --cpu C: run only on CPU C (benchmarks place their roles, see ipc-bench
// --pin). Before the role starts, so that all of its work runs there.
Result<void> pinToCpu(std::int64_t cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(std::size_t(cpu), &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return failErrno("pin to CPU " + std::to_string(cpu), errno);
    return {};
}

// A role whose code needs QtCore runs in ipc-worker-qt (roles.h): this
// process becomes it, keeping its pid, descriptors, options and environment
// (and PR_SET_PDEATHSIG, which survives execve). Returns only on failure.
int handOverToQtWorker(char **argv, const std::string &role)
{
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    std::string path = n > 0 ? std::string(self, std::size_t(n)) : std::string();
    path = path.substr(0, path.rfind('/') + 1) + "ipc-worker-qt";
    argv[0] = path.data();
    execv(path.c_str(), argv);
    std::fprintf(stderr, "ipc-worker: role '%s' runs in %s, which cannot be started: %s\n",
                 role.c_str(), path.c_str(), std::strerror(errno));
    return kExitRuntimeError;
}

// A worker keeps exactly the descriptors it is given: 0, 1, 2 and those its
// options name (--arena-fd, --pipe-fd, --left-fd, ...). Anything else its
// parent left inheritable (a socket, a file a GUI library opened without
// O_CLOEXEC) is closed before the role runs, as Python's spawn does.
void closeUnlistedDescriptors(const Args &args)
{
    std::vector<int> keep{0, 1, 2};
    for (const auto &[key, value] : args.all()) {
        if (key != "fd" && !key.ends_with("-fd")) continue;
        char *end = nullptr;
        const long fd = std::strtol(value.c_str(), &end, 10);
        if (end && *end == '\0' && fd >= 0 && fd < (1 << 20)) keep.push_back(int(fd));
    }
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    // Close the gaps between the kept ones, and everything above the last.
    for (std::size_t i = 0; i < keep.size(); ++i) {
        const unsigned first = unsigned(keep[i]) + 1;
        const unsigned last = i + 1 < keep.size() ? unsigned(keep[i + 1]) - 1 : ~0u;
        if (first <= last) (void)close_range(first, last, 0);
    }
}

// This process is the run's process `index`: its board slot, its trace
// ring, its step gate.
void attachToSlot(WorkerContext &ctx, std::uint32_t index)
{
    ctx.slot->pid.store(getpid(), std::memory_order_relaxed);
    ctx.slot->heartbeatNs.store(monotonicNs(), std::memory_order_relaxed);
    telemetry::attach(ctx.slot);
    // Trace only into this run's ring for this slot: a slot whose offset
    // points elsewhere (a scribbled arena) is not traced.
    auto trace = ctx.arena.find<Trace>("trace");
    if (ctx.slot->traceRing() != (trace ? &(*trace)->rings[index] : nullptr)) telemetry::g_currentTrace = nullptr;
    telemetry::trace(TraceKind::Start, kNoObject, getpid());
    telemetry::setState(ProcState::Running);
    // Step mode's gates (a run of an older layout has none).
    auto steps = ctx.arena.find<StepControl>("steps");
    telemetry::attachSteps(steps ? *steps : nullptr, index, ctx.control ? &ctx.control->stopRequested : nullptr);
}

} // namespace

int workerMain(int argc, char **argv, std::span<const RoleInfo> roles)
{
    dieWithParent();
    auto parsed = Args::parse(argc, argv, 1, {"help"});
    if (!parsed) return usage(roles, parsed.error().message);
    if (parsed->has("help")) {
        (void)usage(roles, "runs one role of a scenario");
        return 0;
    }
    const std::string roleName = parsed->text("role");
    if (roleName.empty()) return usage(roles, "--role is required");
    const RoleInfo *role = findRole(roles, roleName);
    if (!role) return usage(roles, "unknown role '" + roleName + "'");
    closeUnlistedDescriptors(*parsed);
    if (!role->main) return handOverToQtWorker(argv, roleName);

    WorkerContext ctx;
    auto fd = parsed->integer("arena-fd", -1, -1, 1 << 20);
    auto slotIndex = parsed->integer("slot", -1, -1, Board::kMaxSlots - 1);
    auto cpu = parsed->integer("cpu", -1, -1, CPU_SETSIZE - 1);
    if (!fd) return usage(roles, fd.error().message);
    if (!slotIndex) return usage(roles, slotIndex.error().message);
    if (!cpu) return usage(roles, cpu.error().message);
    if (*cpu >= 0) {
        if (auto pinned = pinToCpu(*cpu); !pinned) {
            std::fprintf(stderr, "ipc-worker: %s\n", pinned.error().toString().c_str());
            return kExitRuntimeError;
        }
    }
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
            if (!ctx.slot) return usage(roles, "--slot " + std::to_string(*slotIndex) + " was not claimed");
            attachToSlot(ctx, std::uint32_t(*slotIndex));
        }
    } else if (role->needsArena) {
        return usage(roles, "role '" + roleName + "' needs --arena-fd or --arena");
    }

    // The role sees only its own options.
    std::vector<std::string> rest;
    for (const auto &[k, v] : parsed->all()) {
        if (k == "role" || k == "arena-fd" || k == "arena" || k == "slot" || k == "cpu") continue;
        rest.push_back("--" + k);
        rest.push_back(v);
    }
    ctx.args = *Args::parse(rest);
    const int rc = role->main(ctx);
    // Until the parent joins us we are a zombie: say so on the board (the
    // parent's recordExit replaces it with how we ended).
    if (ctx.slot) {
        ctx.slot->exitStatus.store(rc, std::memory_order_relaxed);
        telemetry::setState(ProcState::Exited);
    }
    telemetry::attach(nullptr);
    return rc;
}

const RoleInfo *findRole(std::span<const RoleInfo> roles, std::string_view name) noexcept
{
    for (const RoleInfo &r : roles)
        if (r.name == name) return &r;
    return nullptr;
}

} // namespace ipc
