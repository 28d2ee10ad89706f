// ConditionProxy: a Condition hosted by the manager server (Python:
// manager.Condition(lock=None), a threading.Condition), bound to an RLock of
// its own or to a manager Lock/RLock named when it was created
// (ManagerClient::condition).
//
// Contract (as Python's):
//   acquire(timeout) / release(): act on the bound lock, with that lock's
//     rules (LockProxy, RLockProxy): Timeout, WouldDeadlock, NotOwner,
//     AcquireStatus::OwnerDied.
//   wait(timeout): the caller must hold the lock (else NotOwner; Python:
//     RuntimeError "cannot wait on un-acquired lock"). The server releases
//     the lock completely (an RLock however deep), parks the request until
//     a notify or the timeout, then queues it for the lock again and
//     answers once it holds it, at its old depth -- so wait returns with
//     the lock held, whether notified or not, as Python's. The timeout
//     bounds only the wait for a notify; re-acquiring waits as long as it
//     takes (Python too). ConditionWait::notified is Python's return value
//     (false: the timeout ran out); ConditionWait::lock says OwnerDied when
//     the lock's holder died while this waiter queued for it.
//   notify(n) wakes up to n waiters (n >= 0, else InvalidArgument),
//     notifyAll() all, first come first served; both need the lock held
//     (else NotOwner). The woken re-acquire after the notifier releases.
// A waiter whose process dies is dropped, wherever it was; a holder that
// dies passes the lock on with OwnerDied, as the manager Lock does.
// See manager_client.h for errors of every call.
// Telemetry: WaitingLock while acquiring, WaitingCondition during wait.
#pragma once

#include "lock.h"
#include "manager_client.h"

namespace ipc::manager {

struct ConditionWait {
    bool notified = false;                        // false: the timeout ran out
    AcquireStatus lock = AcquireStatus::Acquired; // how the lock was taken back
};

class ConditionProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<AcquireStatus> acquire(Duration timeout = kForever) const;
    [[nodiscard]] Result<void> release() const;
    [[nodiscard]] Result<ConditionWait> wait(Duration timeout = kForever) const;
    [[nodiscard]] Result<void> notify(std::int64_t n = 1) const;
    [[nodiscard]] Result<void> notifyAll() const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
