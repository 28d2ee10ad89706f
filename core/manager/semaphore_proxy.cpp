#include "semaphore_proxy.h"

namespace ipc::manager {

Result<bool> SemaphoreProxy::acquire(Duration timeout) const
{
    auto r = call(Op::Acquire, {QCborValue(qint64(wireTimeout(timeout)))}, timeout,
                  ProcState::WaitingSemaphore);
    if (!r) return std::unexpected(r.error());
    return r->toBool();
}

Result<void> SemaphoreProxy::release(std::int64_t n) const
{
    return done(call(Op::Release, {QCborValue(qint64(n))}));
}

Result<std::int64_t> SemaphoreProxy::value() const
{
    auto r = call(Op::Load);
    if (!r) return std::unexpected(r.error());
    return r->toInteger();
}

} // namespace ipc::manager
