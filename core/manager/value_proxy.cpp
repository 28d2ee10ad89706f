#include "value_proxy.h"

namespace ipc::manager {

Result<QCborValue> ValueProxy::get() const { return call(Op::Load); }

Result<void> ValueProxy::set(const QCborValue &value) const { return done(call(Op::Store, {value})); }

} // namespace ipc::manager
