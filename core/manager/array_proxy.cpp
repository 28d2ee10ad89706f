#include "array_proxy.h"

namespace ipc::manager {

Result<QCborValue> ArrayProxy::at(std::int64_t index) const
{
    return call(Op::At, {QCborValue(qint64(index))});
}

Result<void> ArrayProxy::set(std::int64_t index, const QCborValue &value) const
{
    return done(call(Op::SetAt, {QCborValue(qint64(index)), value}));
}

Result<std::size_t> ArrayProxy::size() const
{
    auto r = call(Op::Len);
    if (!r) return std::unexpected(r.error());
    return std::size_t(r->toInteger());
}

Result<QCborArray> ArrayProxy::toArray() const
{
    auto r = call(Op::All);
    if (!r) return std::unexpected(r.error());
    return r->toArray();
}

Result<QCborArray> ArrayProxy::slice(std::optional<std::int64_t> start,
                                     std::optional<std::int64_t> stop) const
{
    auto r = call(Op::Slice, {sliceBound(start), sliceBound(stop)});
    if (!r) return std::unexpected(r.error());
    return r->toArray();
}

Result<void> ArrayProxy::setSlice(std::optional<std::int64_t> start,
                                  std::optional<std::int64_t> stop, const QCborArray &values) const
{
    return done(call(Op::SetSlice, {sliceBound(start), sliceBound(stop), QCborValue(values)}));
}

} // namespace ipc::manager
