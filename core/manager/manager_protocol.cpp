#include "manager_protocol.h"

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
    case Kind::RLock: return "RLock";
    case Kind::Semaphore: return "Semaphore";
    case Kind::BoundedSemaphore: return "BoundedSemaphore";
    case Kind::Event: return "Event";
    case Kind::Condition: return "Condition";
    case Kind::Barrier: return "Barrier";
    case Kind::JoinableQueue: return "JoinableQueue";
    case Kind::Array: return "Array";
    }
    return "unknown";
}

std::string_view opName(Op op) noexcept
{
    switch (op) {
    case Op::Ping: return "ping";
    case Op::Shutdown: return "shutdown";
    case Op::Open: return "open";
    // get(key) and get(key, default) are one name in Python.
    case Op::Get: return "get"; // NOLINT(bugprone-branch-clone)
    case Op::GetOr: return "get";
    case Op::Set: return "set";
    case Op::Pop: return "pop";
    case Op::Contains: return "contains";
    case Op::Keys: return "keys";
    case Op::Items: return "items";
    case Op::Update: return "update";
    case Op::Values: return "values";
    case Op::PopItem: return "popitem";
    case Op::SetDefault: return "setdefault";
    case Op::PopOr: return "pop";
    case Op::Append: return "append";
    case Op::At: return "getitem";
    case Op::SetAt: return "setitem";
    case Op::PopAt: return "pop";
    case Op::Extend: return "extend";
    case Op::All: return "copy";
    case Op::Count: return "count";
    case Op::Index: return "index";
    case Op::Remove: return "remove";
    case Op::Insert: return "insert";
    case Op::Reverse: return "reverse";
    case Op::Sort: return "sort";
    case Op::Slice: return "slice";
    case Op::SetSlice: return "set slice";
    case Op::DelSlice: return "del slice";
    case Op::Len: return "len";
    case Op::Clear: return "clear";
    case Op::Put: return "put";
    case Op::Take: return "get";
    case Op::TaskDone: return "task_done";
    case Op::Join: return "join";
    case Op::Acquire: return "acquire";
    case Op::Release: return "release";
    case Op::Load: return "get value";
    case Op::Store: return "set value";
    case Op::Wait: return "wait";
    case Op::Notify: return "notify";
    case Op::NotifyAll: return "notify_all";
    case Op::SetFlag: return "set";
    case Op::ClearFlag: return "clear";
    case Op::IsSet: return "is_set";
    case Op::Abort: return "abort";
    case Op::Reset: return "reset";
    case Op::BarrierState: return "state";
    }
    return {};
}

} // namespace ipc::manager
