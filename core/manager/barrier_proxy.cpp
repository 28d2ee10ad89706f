#include "barrier_proxy.h"

#include <QCborArray>

namespace ipc::manager {

Result<std::size_t> BarrierProxy::wait(std::optional<Duration> timeout) const
{
    // The barrier's own timeout is known only to the server: no client bound then.
    const QCborValue wire =
        timeout ? QCborValue(qint64(wireTimeout(*timeout))) : QCborValue(nullptr);
    auto r = call(Op::Wait, {wire}, timeout.value_or(kForever), ProcState::WaitingBarrier);
    if (!r) return std::unexpected(r.error());
    return std::size_t(r->toInteger());
}

Result<void> BarrierProxy::abort() const
{
    return done(call(Op::Abort));
}

Result<void> BarrierProxy::reset() const
{
    return done(call(Op::Reset));
}

Result<QCborValue> BarrierProxy::state(qsizetype field) const
{
    auto r = call(Op::BarrierState);
    if (!r) return std::unexpected(r.error());
    return r->toArray().at(field);
}

Result<std::size_t> BarrierProxy::parties() const
{
    auto r = state(0);
    if (!r) return std::unexpected(r.error());
    return std::size_t(r->toInteger());
}

Result<std::size_t> BarrierProxy::nWaiting() const
{
    auto r = state(1);
    if (!r) return std::unexpected(r.error());
    return std::size_t(r->toInteger());
}

Result<bool> BarrierProxy::broken() const
{
    auto r = state(2);
    if (!r) return std::unexpected(r.error());
    return r->toBool();
}

} // namespace ipc::manager
