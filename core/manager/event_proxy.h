// EventProxy: an Event hosted by the manager server (Python:
// manager.Event(), a threading.Event).
//
// Contract (as Python's):
//   set() sets the flag and wakes every waiter; clear() clears it;
//   isSet() reads it.
//   wait(timeout): the flag -- at once if it is set; otherwise the request
//     is parked at the server until a set() (true) or the timeout (false;
//     kNoWait: at once). A timeout is not an error, as in Python.
// See manager_client.h for errors of every call.
// Telemetry: the caller's board slot shows WaitingEvent while it waits.
#pragma once

#include "manager_client.h"

namespace ipc::manager {

class EventProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<void> set() const;
    [[nodiscard]] Result<void> clear() const;
    [[nodiscard]] Result<bool> isSet() const;
    [[nodiscard]] Result<bool> wait(Duration timeout = kForever) const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
