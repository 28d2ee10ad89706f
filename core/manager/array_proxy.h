// ArrayProxy: an array of fixed length hosted by the manager server
// (Python: manager.Array(typecode, sequence)). No typecode: each element is
// any message value (message.h). The length is set when the array is
// created (ManagerClient::array) and never changes.
//
// Contract:
//   at(i) / set(i, v): negative i counts from the end; out of range is
//     InvalidArgument (Python: IndexError).
//   size(), toArray() (a copy of the whole array).
//   slice(start, stop): Python's arr[start:stop] (step 1; nullopt = that
//     end; negative counts from the end; out of range clamps).
//   setSlice(start, stop, values): arr[start:stop] = values; values must
//     have exactly as many elements as the slice (else InvalidArgument;
//     Python: ValueError "Can only assign sequence of same size").
// Like Python's, it has no lock: read-modify-write from several processes
// loses updates unless done under a manager Lock. See manager_client.h.
#pragma once

#include "manager_client.h"

#include <QCborArray>

#include <optional>

namespace ipc::manager {

class ArrayProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<QCborValue> at(std::int64_t index) const;
    [[nodiscard]] Result<void> set(std::int64_t index, const QCborValue &value) const;
    [[nodiscard]] Result<std::size_t> size() const;
    [[nodiscard]] Result<QCborArray> toArray() const;
    [[nodiscard]] Result<QCborArray> slice(std::optional<std::int64_t> start,
                                           std::optional<std::int64_t> stop) const;
    [[nodiscard]] Result<void> setSlice(std::optional<std::int64_t> start,
                                        std::optional<std::int64_t> stop,
                                        const QCborArray &values) const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
