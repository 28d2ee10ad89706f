#include "joinable_queue_proxy.h"

namespace ipc::manager {

Result<void> JoinableQueueProxy::taskDone() const
{
    return done(call(Op::TaskDone));
}

Result<void> JoinableQueueProxy::join(Duration timeout) const
{
    return done(call(Op::Join, {QCborValue(qint64(wireTimeout(timeout)))}, timeout,
                     ProcState::WaitingJoin));
}

} // namespace ipc::manager
