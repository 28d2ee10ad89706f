#include "namespace_proxy.h"

namespace ipc::manager {

namespace {
QCborValue attr(std::string_view a) { return QCborValue(QString::fromUtf8(a.data(), qsizetype(a.size()))); }
} // namespace

Result<QCborValue> NamespaceProxy::get(std::string_view attribute) const
{
    return call(Op::Get, {attr(attribute)});
}

Result<QCborValue> NamespaceProxy::get(std::string_view attribute, const QCborValue &fallback) const
{
    return call(Op::GetOr, {attr(attribute), fallback});
}

Result<void> NamespaceProxy::set(std::string_view attribute, const QCborValue &value) const
{
    return done(call(Op::Set, {attr(attribute), value}));
}

Result<void> NamespaceProxy::remove(std::string_view attribute) const
{
    return done(call(Op::Pop, {attr(attribute)}));
}

Result<QCborMap> NamespaceProxy::attributes() const
{
    auto r = call(Op::Items);
    if (!r) return std::unexpected(r.error());
    return r->toMap();
}

} // namespace ipc::manager
