// RLockProxy: a recursive lock hosted by the manager server (Python:
// manager.RLock(), a threading.RLock).
//
// Contract:
//   acquire(timeout): the holder is the connection (one per process). The
//     holder may acquire again; each acquire needs its own release. Another
//     connection waits -- parked at the server -- up to the timeout:
//     kForever blocks, kNoWait and an expired timeout give Timeout (Python:
//     acquire() returns False). AcquireStatus::OwnerDied when the previous
//     holder's process died holding it (the server released it, as for a
//     manager Lock): repair what it protects.
//   release(): NotOwner unless this connection holds it (Python:
//     RuntimeError "cannot release un-acquired lock"); the last release
//     hands it to the longest waiter.
// See manager_client.h for errors of every call.
// Telemetry: the caller's board slot shows WaitingLock while it waits.
#pragma once

#include "lock_proxy.h"

namespace ipc::manager {

class RLockProxy : public detail::LockProxyBase {
private:
    friend class ManagerClient;
    using LockProxyBase::LockProxyBase;
};

} // namespace ipc::manager
