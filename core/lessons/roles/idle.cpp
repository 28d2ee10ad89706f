#include "roles.h"

#include <unistd.h>

namespace ipc::roles {

int idle(WorkerContext &ctx, const IdleOptions &options)
{
    // --exit-after-ms 0 exits at once: what process_spawn measures.
    if (options.exitAfterMs == 0) return 0;
    const Deadline deadline(options.exitAfterMs < 0 ? kForever : std::chrono::milliseconds(options.exitAfterMs));
    StateScope sleeping(ProcState::Sleeping);
    while (!ctx.shouldStop() && !deadline.expired()) usleep(20'000);
    return 0;
}

} // namespace ipc::roles
