#include "queue_proxy.h"

namespace ipc::manager {

Result<void> QueueProxy::put(const QCborValue &item, Duration timeout) const
{
    return done(call(Op::Put, {item, QCborValue(qint64(wireTimeout(timeout)))}, timeout, ProcState::BlockedPut));
}

Result<QCborValue> QueueProxy::get(Duration timeout) const
{
    return call(Op::Take, {QCborValue(qint64(wireTimeout(timeout)))}, timeout, ProcState::BlockedGet);
}

Result<std::size_t> QueueProxy::qsize() const
{
    auto r = call(Op::Len);
    if (!r) return std::unexpected(r.error());
    return std::size_t(r->toInteger());
}

} // namespace ipc::manager
