#include "manager/manager_protocol.h"

namespace ipc::manager {

std::string_view kindName(Kind kind) noexcept
{
    switch (kind) {
    case Kind::Dict: return "dict";
    case Kind::List: return "list";
    case Kind::Namespace: return "Namespace";
    case Kind::Queue: return "Queue";
    case Kind::Lock: return "Lock";
    case Kind::Value: return "Value";
    }
    return "unknown";
}

} // namespace ipc::manager
