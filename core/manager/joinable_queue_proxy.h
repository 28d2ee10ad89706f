// JoinableQueueProxy: a JoinableQueue hosted by the manager server (Python:
// manager.JoinableQueue(maxsize), a queue.Queue with its task counting).
//
// Contract: put/get/qsize as QueueProxy, and (as Python's):
//   every item put counts as an unfinished task -- when it enters the queue
//     or goes straight to a waiting getter, also for a put that had to wait;
//   taskDone() marks one done; called more often than items were put:
//     ValueError (Python: ValueError "task_done() called too many times"),
//     and nothing changes;
//   join(timeout): returns once every task is done -- at once if none is
//     unfinished; otherwise the request is parked at the server. Python's
//     join() has no timeout; here one can be given: kNoWait and an expired
//     timeout give Timeout, the tasks stay unfinished.
// See queue_proxy.h and manager_client.h for the other errors.
// Telemetry: the caller's board slot shows WaitingJoin while it joins.
#pragma once

#include "queue_proxy.h"

namespace ipc::manager {

class JoinableQueueProxy : public QueueProxy {
public:
    [[nodiscard]] Result<void> taskDone() const;
    [[nodiscard]] Result<void> join(Duration timeout = kForever) const;

private:
    friend class ManagerClient;
    using QueueProxy::QueueProxy;
};

} // namespace ipc::manager
