#include "manager/list_proxy.h"

namespace ipc::manager {

Result<void> ListProxy::append(const QCborValue &value) const { return done(call(Op::Append, {value})); }

Result<void> ListProxy::extend(const QCborArray &values) const
{
    return done(call(Op::Extend, {QCborValue(values)}));
}

Result<QCborValue> ListProxy::at(std::int64_t index) const { return call(Op::At, {QCborValue(qint64(index))}); }

Result<void> ListProxy::set(std::int64_t index, const QCborValue &value) const
{
    return done(call(Op::SetAt, {QCborValue(qint64(index)), value}));
}

Result<QCborValue> ListProxy::pop(std::int64_t index) const
{
    return call(Op::PopAt, {QCborValue(qint64(index))});
}

Result<std::size_t> ListProxy::size() const
{
    auto r = call(Op::Len);
    if (!r) return std::unexpected(r.error());
    return std::size_t(r->toInteger());
}

Result<QCborArray> ListProxy::toArray() const
{
    auto r = call(Op::All);
    if (!r) return std::unexpected(r.error());
    return r->toArray();
}

Result<void> ListProxy::clear() const { return done(call(Op::Clear)); }

} // namespace ipc::manager
