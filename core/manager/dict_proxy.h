// DictProxy: a dict hosted by the manager server (Python: manager.dict()).
// Keys and values are any message value (message.h). Each call is one
// request, atomic at the server; see manager_client.h for errors shared by
// every call.
//
// Contract (as Python's dict): insertion order is kept -- setting a key the
// dict holds keeps its place, removing it and setting it again moves it to
// the end -- and keys(), values(), items()/copy() list in that order;
// popitem() takes the last inserted. A missing key is NotFound (KeyError).
// Keys are equal when their CBOR values are (1 and 1.0 are two keys here,
// one in Python).
#pragma once

#include "manager_client.h"

#include <QCborArray>
#include <QCborMap>

#include <utility>

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
    // d.pop(key, fallback)
    [[nodiscard]] Result<QCborValue> pop(const QCborValue &key, const QCborValue &fallback) const;
    // d.popitem(): the last inserted (key, value), removed; NotFound if empty.
    [[nodiscard]] Result<std::pair<QCborValue, QCborValue>> popitem() const;
    // d.setdefault(key, fallback): the value, fallback inserted if absent.
    [[nodiscard]] Result<QCborValue> setdefault(const QCborValue &key, const QCborValue &fallback = nullptr) const;
    [[nodiscard]] Result<bool> contains(const QCborValue &key) const;
    [[nodiscard]] Result<std::size_t> size() const;
    [[nodiscard]] Result<QCborArray> keys() const;
    [[nodiscard]] Result<QCborArray> values() const;
    [[nodiscard]] Result<QCborMap> items() const; // a copy of the whole dict
    [[nodiscard]] Result<QCborMap> copy() const { return items(); }
    [[nodiscard]] Result<void> update(const QCborMap &entries) const;
    [[nodiscard]] Result<void> clear() const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
