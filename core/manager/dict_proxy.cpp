#include "dict_proxy.h"

namespace ipc::manager {

Result<QCborValue> DictProxy::get(const QCborValue &key) const { return call(Op::Get, {key}); }

Result<QCborValue> DictProxy::get(const QCborValue &key, const QCborValue &fallback) const
{
    return call(Op::GetOr, {key, fallback});
}

Result<void> DictProxy::set(const QCborValue &key, const QCborValue &value) const
{
    return done(call(Op::Set, {key, value}));
}

Result<QCborValue> DictProxy::pop(const QCborValue &key) const { return call(Op::Pop, {key}); }

Result<QCborValue> DictProxy::pop(const QCborValue &key, const QCborValue &fallback) const
{
    return call(Op::PopOr, {key, fallback});
}

Result<std::pair<QCborValue, QCborValue>> DictProxy::popitem() const
{
    auto r = call(Op::PopItem);
    if (!r) return std::unexpected(r.error());
    const QCborArray a = r->toArray();
    return std::pair{a.at(0), a.at(1)};
}

Result<QCborValue> DictProxy::setdefault(const QCborValue &key, const QCborValue &fallback) const
{
    return call(Op::SetDefault, {key, fallback});
}

Result<bool> DictProxy::contains(const QCborValue &key) const
{
    auto r = call(Op::Contains, {key});
    if (!r) return std::unexpected(r.error());
    return r->toBool();
}

Result<std::size_t> DictProxy::size() const
{
    auto r = call(Op::Len);
    if (!r) return std::unexpected(r.error());
    return std::size_t(r->toInteger());
}

Result<QCborArray> DictProxy::keys() const
{
    auto r = call(Op::Keys);
    if (!r) return std::unexpected(r.error());
    return r->toArray();
}

Result<QCborArray> DictProxy::values() const
{
    auto r = call(Op::Values);
    if (!r) return std::unexpected(r.error());
    return r->toArray();
}

Result<QCborMap> DictProxy::items() const
{
    auto r = call(Op::Items);
    if (!r) return std::unexpected(r.error());
    return r->toMap();
}

Result<void> DictProxy::update(const QCborMap &entries) const
{
    return done(call(Op::Update, {QCborValue(entries)}));
}

Result<void> DictProxy::clear() const { return done(call(Op::Clear)); }

} // namespace ipc::manager
