// SemaphoreProxy: a Semaphore or BoundedSemaphore hosted by the manager
// server (Python: manager.Semaphore(value), manager.BoundedSemaphore(value)).
//
// Contract (as Python's threading semaphores):
//   acquire(timeout): true once the value was > 0 and has been decremented;
//     false when it stayed 0 for the timeout (kNoWait: at once) -- as
//     Python's acquire returns False, not an error. kForever blocks; the
//     request is parked at the server, waiters served first come first.
//   release(n): adds n (>= 1, else InvalidArgument) and wakes up to n
//     waiters. No owner: any process may release. A BoundedSemaphore
//     refuses to rise above its initial value with ValueError (Python:
//     ValueError "Semaphore released too many times") and changes nothing;
//     a Semaphore the same above 2^31-1.
//   value(): the current value (Python's private _value; a snapshot).
// A waiter whose process dies is dropped; a process that dies after
// acquiring does not give the count back (no owner to know it by), as in
// Python. See manager_client.h for errors of every call.
// Telemetry: the caller's board slot shows WaitingSemaphore while it waits.
#pragma once

#include "manager_client.h"

namespace ipc::manager {

class SemaphoreProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<bool> acquire(Duration timeout = kForever) const;
    [[nodiscard]] Result<void> release(std::int64_t n = 1) const;
    [[nodiscard]] Result<std::int64_t> value() const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
