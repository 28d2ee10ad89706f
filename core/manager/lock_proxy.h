// LockProxy: a lock hosted by the manager server (Python: manager.Lock()).
// The holder is the connection (one per process). acquire blocks at the
// server up to the timeout (kNoWait and an expired timeout: Timeout);
// acquiring it again on the same connection is WouldDeadlock; release by a
// connection that does not hold it is NotOwner. When the holder's process
// dies, the server releases the lock and the next acquirer gets
// AcquireStatus::OwnerDied, as with the robust arena Lock.
// Telemetry: the caller's board slot shows WaitingLock while it waits.
#pragma once

#include "lock.h"
#include "manager/manager_client.h"

namespace ipc::manager {

class LockProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout = kForever) const;
    [[nodiscard]] Result<void> release() const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
