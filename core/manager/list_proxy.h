// ListProxy: a list hosted by the manager server (Python: manager.list()).
// Each call is one request, atomic at the server; see manager_client.h for
// errors shared by every call.
//
// Contract (as Python's list):
//   Indices: negative counts from the end; at/set/pop out of range is
//     InvalidArgument (IndexError); insert clamps (as Python's insert).
//   Equality (count, index, remove) is Python's ==: numbers by value across
//     integer, double and bool (1 == 1.0 == true), other values only equal
//     values of their own type, arrays and maps element by element.
//   index(value, start, stop): the first position of value within
//     [start, stop) (clamped as a slice); absent: ValueError (Python:
//     ValueError "x is not in list"). remove(value): the first equal
//     element; absent: ValueError.
//   sort(reverse): stable, ascending by natural order -- numbers by value,
//     strings by code point, byte arrays bytewise, arrays lexicographically.
//     Values that cannot be ordered against each other (a string and a
//     number, null, maps): InvalidArgument (Python: TypeError) and the list
//     is unchanged (Python may leave it partly sorted). NaN sorts after
//     every number.
//   slice(start, stop) = l[start:stop], setSlice(start, stop, values) =
//     l[start:stop] = values (the length may change), delSlice = del
//     l[start:stop]: step 1; nullopt = that end; bounds clamp as Python's.
#pragma once

#include "manager_client.h"

#include <QCborArray>

#include <optional>

namespace ipc::manager {

class ListProxy : public detail::ProxyBase {
public:
    using Bound = std::optional<std::int64_t>;

    [[nodiscard]] Result<void> append(const QCborValue &value) const;
    [[nodiscard]] Result<void> extend(const QCborArray &values) const;
    [[nodiscard]] Result<void> insert(std::int64_t index, const QCborValue &value) const;
    [[nodiscard]] Result<QCborValue> at(std::int64_t index) const;
    [[nodiscard]] Result<void> set(std::int64_t index, const QCborValue &value) const;
    [[nodiscard]] Result<QCborValue> pop(std::int64_t index = -1) const;
    [[nodiscard]] Result<void> remove(const QCborValue &value) const;
    [[nodiscard]] Result<std::size_t> count(const QCborValue &value) const;
    [[nodiscard]] Result<std::size_t> index(const QCborValue &value, Bound start = {}, Bound stop = {}) const;
    [[nodiscard]] Result<void> reverse() const;
    [[nodiscard]] Result<void> sort(bool reverse = false) const;
    [[nodiscard]] Result<QCborArray> slice(Bound start, Bound stop) const;
    [[nodiscard]] Result<void> setSlice(Bound start, Bound stop, const QCborArray &values) const;
    [[nodiscard]] Result<void> delSlice(Bound start, Bound stop) const;
    [[nodiscard]] Result<std::size_t> size() const;
    [[nodiscard]] Result<QCborArray> toArray() const; // a copy of the whole list
    [[nodiscard]] Result<void> clear() const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
