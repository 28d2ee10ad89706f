// DictProxy: a dict hosted by the manager server (Python: manager.dict()).
// Keys and values are any message value (message.h). Each call is one
// request; see manager_client.h for errors shared by every call.
#pragma once

#include "manager/manager_client.h"

#include <QCborArray>
#include <QCborMap>

namespace ipc::manager {

class DictProxy : public detail::ProxyBase {
public:
    // d[key]; NotFound if absent (KeyError).
    [[nodiscard]] Result<QCborValue> get(const QCborValue &key) const;
    // d.get(key, fallback)
    [[nodiscard]] Result<QCborValue> get(const QCborValue &key, const QCborValue &fallback) const;
    [[nodiscard]] Result<void> set(const QCborValue &key, const QCborValue &value) const;
    // d.pop(key); NotFound if absent.
    [[nodiscard]] Result<QCborValue> pop(const QCborValue &key) const;
    [[nodiscard]] Result<bool> contains(const QCborValue &key) const;
    [[nodiscard]] Result<std::size_t> size() const;
    [[nodiscard]] Result<QCborArray> keys() const;
    [[nodiscard]] Result<QCborMap> items() const; // a copy of the whole dict
    [[nodiscard]] Result<void> update(const QCborMap &entries) const;
    [[nodiscard]] Result<void> clear() const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
