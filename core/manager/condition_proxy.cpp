#include "condition_proxy.h"

#include <QCborArray>

namespace ipc::manager {

Result<AcquireStatus> ConditionProxy::acquire(Duration timeout) const
{
    auto r = call(Op::Acquire, {QCborValue(qint64(wireTimeout(timeout)))}, timeout,
                  ProcState::WaitingLock);
    if (!r) return std::unexpected(r.error());
    return r->toInteger() == 1 ? AcquireStatus::OwnerDied : AcquireStatus::Acquired;
}

Result<void> ConditionProxy::release() const
{
    return done(call(Op::Release));
}

Result<ConditionWait> ConditionProxy::wait(Duration timeout) const
{
    // No bound on the reply: after the timeout the server still re-acquires
    // the lock for us, however long that takes (a dead server: Closed).
    auto r = call(Op::Wait, {QCborValue(qint64(wireTimeout(timeout)))}, kForever,
                  ProcState::WaitingCondition);
    if (!r) return std::unexpected(r.error());
    const QCborArray a = r->toArray();
    return ConditionWait{a.at(0).toBool(),
                         a.at(1).toBool() ? AcquireStatus::OwnerDied : AcquireStatus::Acquired};
}

Result<void> ConditionProxy::notify(std::int64_t n) const
{
    return done(call(Op::Notify, {QCborValue(qint64(n))}));
}

Result<void> ConditionProxy::notifyAll() const
{
    return done(call(Op::NotifyAll));
}

} // namespace ipc::manager
