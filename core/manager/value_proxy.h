// ValueProxy: a value hosted by the manager server (Python:
// manager.Value(typecode, v)). Like Python's, it has no lock of its own:
// `v.set(v.get() + 1)` from several processes loses updates.
#pragma once

#include "manager_client.h"

namespace ipc::manager {

class ValueProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<QCborValue> get() const;
    [[nodiscard]] Result<void> set(const QCborValue &value) const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
