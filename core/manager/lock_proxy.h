// LockProxy: a lock hosted by the manager server (Python: manager.Lock(),
// a threading.Lock).
//
// Contract:
//   acquire(timeout): the holder is the connection (one per process).
//     Another connection waits -- parked at the server -- up to the timeout:
//     kForever blocks, kNoWait and an expired timeout give Timeout (Python:
//     acquire() returns False). Acquiring it again on the connection that
//     holds it is WouldDeadlock at once (Python's Lock would hang for ever;
//     use an RLock to nest). AcquireStatus::OwnerDied when the previous
//     holder's process died holding it: the server released it and tells
//     the next acquirer to repair what it protects, as the robust arena
//     Lock does.
//   release(): as Python's Lock, any connection may release a held lock,
//     not only the one that acquired it (a lock is not an RLock); the
//     longest waiter gets it. Releasing a lock nobody holds is NotOwner
//     (Python: RuntimeError "release unlocked lock").
// See manager_client.h for errors of every call.
// Telemetry: the caller's board slot shows WaitingLock while it waits.
#pragma once

#include "lock.h"
#include "manager_client.h"

namespace ipc::manager {

namespace detail {
// What a Lock and an RLock proxy share: the calls are the same, the server
// knows which kind the object is.
class LockProxyBase : public ProxyBase {
public:
    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout = kForever) const;
    [[nodiscard]] Result<void> release() const;

protected:
    using ProxyBase::ProxyBase;
};
} // namespace detail

class LockProxy : public detail::LockProxyBase {
private:
    friend class ManagerClient;
    using LockProxyBase::LockProxyBase;
};

} // namespace ipc::manager
