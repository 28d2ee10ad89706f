#include "event_proxy.h"

namespace ipc::manager {

Result<void> EventProxy::set() const
{
    return done(call(Op::SetFlag));
}

Result<void> EventProxy::clear() const
{
    return done(call(Op::ClearFlag));
}

Result<bool> EventProxy::isSet() const
{
    auto r = call(Op::IsSet);
    if (!r) return std::unexpected(r.error());
    return r->toBool();
}

Result<bool> EventProxy::wait(Duration timeout) const
{
    auto r = call(Op::Wait, {QCborValue(qint64(wireTimeout(timeout)))}, timeout,
                  ProcState::WaitingEvent);
    if (!r) return std::unexpected(r.error());
    return r->toBool();
}

} // namespace ipc::manager
