// QueueProxy: a queue hosted by the manager server (Python:
// manager.Queue(maxsize)). put blocks while the queue is full, get while it
// is empty -- the server parks the request -- up to the timeout:
// kForever blocks, kNoWait fails at once with Full / Empty, anything else
// fails with Timeout when it runs out. If the server dies meanwhile, the
// blocked call returns Closed at once. See manager_client.h.
// Telemetry: the caller's board slot shows BlockedPut / BlockedGet.
#pragma once

#include "manager_client.h"

namespace ipc::manager {

class QueueProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<void> put(const QCborValue &item, Duration timeout = kForever) const;
    [[nodiscard]] Result<QCborValue> get(Duration timeout = kForever) const;
    [[nodiscard]] Result<std::size_t> qsize() const; // exact: the server owns the queue

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
