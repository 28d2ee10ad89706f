// ListProxy: a list hosted by the manager server (Python: manager.list()).
// Indices follow Python: negative counts from the end; out of range is
// InvalidArgument (IndexError). See manager_client.h for common errors.
#pragma once

#include "manager/manager_client.h"

#include <QCborArray>

namespace ipc::manager {

class ListProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<void> append(const QCborValue &value) const;
    [[nodiscard]] Result<void> extend(const QCborArray &values) const;
    [[nodiscard]] Result<QCborValue> at(std::int64_t index) const;
    [[nodiscard]] Result<void> set(std::int64_t index, const QCborValue &value) const;
    [[nodiscard]] Result<QCborValue> pop(std::int64_t index = -1) const;
    [[nodiscard]] Result<std::size_t> size() const;
    [[nodiscard]] Result<QCborArray> toArray() const; // a copy of the whole list
    [[nodiscard]] Result<void> clear() const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
