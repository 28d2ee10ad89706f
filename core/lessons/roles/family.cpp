// The zombie lesson's family: a parent process and the children it starts
// itself (real ipc-worker processes, so the parent -- not the engine -- is
// the one that must join them).
//
//   child   --work-ms W --exit-code C   works W ms, then exits with C
//   daemon                              works until it is ended
//   parent  --children S,S,.. --codes C,C,.. --daemons S,.. --work-ms W
//
// The parent starts a child on each board slot the engine reserved for it
// (the i-th works (i+1)*W ms and exits with the i-th code) and a daemon on
// each daemon slot, and then does not join them: each child that has
// finished stays a zombie (board state Exited, 'Z' in /proc) while the
// parent goes on. When the lesson's switch is on (control fixEnabled) the
// parent ends as Python's does at exit: it terminates its daemon children
// (SIGTERM: exit code -15), joins every child, books how each ended on its
// slot (recordExit), and exits. A stop request ends every child the same
// way. If the parent is killed, its children die with it
// (PR_SET_PDEATHSIG) and the engine's Run books them.
#include "roles.h"

#include "posix_call.h"
#include "process.h"
#include "run.h"

#include <string>
#include <unistd.h>
#include <vector>

namespace ipc::roles {

namespace {

// Sleeps in slices until `done` or a stop request; false when stopping.
bool work(const WorkerContext &ctx, Duration length)
{
    StateScope sleeping(ProcState::Sleeping);
    const Deadline done(length);
    while (!done.expired()) {
        if (ctx.shouldStop()) return false;
        const auto slice = done.forever() ? 50 : std::min<std::int64_t>(50, std::max<std::int64_t>(done.pollMs(), 1));
        usleep(std::uint32_t(slice) * 1000u);
    }
    return true;
}

struct Child {
    std::uint32_t slot;
    bool daemon;
    Process process;
    bool booked = false;
};

} // namespace

int child(WorkerContext &ctx, const ChildOptions &options)
{
    if (!work(ctx, std::chrono::milliseconds(options.workMs))) return 0;
    if (ctx.slot) ctx.slot->addOps(1);
    return int(options.exitCode);
}

int daemonChild(WorkerContext &ctx, const DaemonOptions &)
{
    (void)work(ctx, kForever); // until stopped, or ended by a signal
    return 0;
}

int parent(WorkerContext &ctx, const ParentOptions &options)
{
    constexpr std::string_view kRole = ParentOptions::kRole;
    auto board = ctx.arena.find<Board>("board");
    if (!board) return failed(kRole, board.error());

    // Start them as Run::spawn does (Run::workerProcess), on the slots
    // reserved for them, with this process as the parent they check for.
    std::vector<Child> kids;
    auto start = [&](std::uint32_t slot, std::string_view role, const std::vector<std::string> &args) -> Result<void> {
        // The engine reserves the slots just after starting us.
        BoardSlot *s = nullptr;
        const Deadline reserved(std::chrono::seconds(5));
        while (!(s = (*board)->slot(slot)) && !reserved.expired()) usleep(1000);
        if (!s) return fail(Errc::InvalidArgument, "slot " + std::to_string(slot) + " was not reserved");
        auto p = Process::start(Run::workerProcess(role, ctx.arena.fd(), slot, args));
        if (!p) {
            recordExit(*s, 1);
            return std::unexpected(p.error());
        }
        s->pid.store(p->pid(), std::memory_order_relaxed);
        kids.push_back(Child{slot, role == DaemonOptions::kRole, std::move(*p)});
        return {};
    };
    for (std::size_t i = 0; i < options.children.size(); ++i) {
        const ChildOptions child{.workMs = (std::int64_t(i) + 1) * options.workMs, .exitCode = options.codes[i]};
        if (auto ok = start(std::uint32_t(options.children[i]), ChildOptions::kRole, toArgs(child)); !ok)
            return failed(kRole, ok.error());
    }
    for (std::int64_t slot : options.daemons)
        if (auto ok = start(std::uint32_t(slot), DaemonOptions::kRole, {}); !ok) return failed(kRole, ok.error());

    // The parent's own work: it does not join, so finished children stay
    // zombies, until the switch tells it to end.
    {
        StateScope busy(ProcState::Sleeping);
        while (ctx.control->fixEnabled.load(std::memory_order_relaxed) == 0 && !ctx.shouldStop()) usleep(20'000);
    }
    // Python at exit: terminate the daemons, then join every child.
    for (Child &k : kids)
        if (k.daemon || ctx.shouldStop()) (void)k.process.terminate();
    for (Child &k : kids) {
        // join() waits for a child still at work, as Python's does; a stop
        // request ends it instead.
        StateScope joining(ProcState::WaitingJoin);
        Result<int> code = k.process.join(std::chrono::milliseconds(100));
        while (!code && code.error().code == Errc::Timeout) {
            if (ctx.shouldStop()) (void)k.process.kill();
            code = k.process.join(std::chrono::milliseconds(100));
        }
        if (BoardSlot *s = (*board)->slot(k.slot); s && code) recordExit(*s, *code);
        if (ctx.slot) ctx.slot->addOps(1);
    }
    return 0;
}

} // namespace ipc::roles
