#include "roles.h"

#include <unistd.h>

namespace ipc::roles {

int idle(WorkerContext &ctx)
{
    if (auto ok = ctx.args.allowOnly({"exit-after-ms"}); !ok) return badOption("idle", ok.error());
    auto exitAfterMs = ctx.args.integer("exit-after-ms", -1, -1, 86'400'000);
    if (!exitAfterMs) return badOption("idle", exitAfterMs.error());
    // --exit-after-ms 0 exits at once: what process_spawn measures.
    if (*exitAfterMs == 0) return 0;
    const Deadline deadline(*exitAfterMs < 0 ? kForever : std::chrono::milliseconds(*exitAfterMs));
    StateScope sleeping(ProcState::Sleeping);
    while (!ctx.shouldStop() && !deadline.expired()) usleep(20'000);
    return 0;
}

} // namespace ipc::roles
