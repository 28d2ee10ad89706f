#include "list_proxy.h"

namespace ipc::manager {

namespace {

Result<std::size_t> sizeOf(const Result<QCborValue> &r)
{
    if (!r) return std::unexpected(r.error());
    return std::size_t(r->toInteger());
}

Result<QCborArray> arrayOf(const Result<QCborValue> &r)
{
    if (!r) return std::unexpected(r.error());
    return r->toArray();
}

} // namespace

Result<void> ListProxy::append(const QCborValue &value) const { return done(call(Op::Append, {value})); }

Result<void> ListProxy::extend(const QCborArray &values) const
{
    return done(call(Op::Extend, {QCborValue(values)}));
}

Result<void> ListProxy::insert(std::int64_t index, const QCborValue &value) const
{
    return done(call(Op::Insert, {QCborValue(qint64(index)), value}));
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

Result<void> ListProxy::remove(const QCborValue &value) const { return done(call(Op::Remove, {value})); }

Result<std::size_t> ListProxy::count(const QCborValue &value) const { return sizeOf(call(Op::Count, {value})); }

Result<std::size_t> ListProxy::index(const QCborValue &value, Bound start, Bound stop) const
{
    return sizeOf(call(Op::Index, {value, sliceBound(start), sliceBound(stop)}));
}

Result<void> ListProxy::reverse() const { return done(call(Op::Reverse)); }

Result<void> ListProxy::sort(bool reverse) const { return done(call(Op::Sort, {QCborValue(reverse)})); }

Result<QCborArray> ListProxy::slice(Bound start, Bound stop) const
{
    return arrayOf(call(Op::Slice, {sliceBound(start), sliceBound(stop)}));
}

Result<void> ListProxy::setSlice(Bound start, Bound stop, const QCborArray &values) const
{
    return done(call(Op::SetSlice, {sliceBound(start), sliceBound(stop), QCborValue(values)}));
}

Result<void> ListProxy::delSlice(Bound start, Bound stop) const
{
    return done(call(Op::DelSlice, {sliceBound(start), sliceBound(stop)}));
}

Result<std::size_t> ListProxy::size() const { return sizeOf(call(Op::Len)); }

Result<QCborArray> ListProxy::toArray() const { return arrayOf(call(Op::All)); }

Result<void> ListProxy::clear() const { return done(call(Op::Clear)); }

} // namespace ipc::manager
