#include "lock_proxy.h"

namespace ipc::manager {

Result<AcquireStatus> detail::LockProxyBase::acquire(Duration timeout) const
{
    auto r = call(Op::Acquire, {QCborValue(qint64(wireTimeout(timeout)))}, timeout, ProcState::WaitingLock);
    if (!r) return std::unexpected(r.error());
    return r->toInteger() == 1 ? AcquireStatus::OwnerDied : AcquireStatus::Acquired;
}

Result<void> detail::LockProxyBase::release() const { return done(call(Op::Release)); }

} // namespace ipc::manager
