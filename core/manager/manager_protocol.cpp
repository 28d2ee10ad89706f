#include "manager_protocol.h"

#include "cbor.h"
#include "message.h"
#include "qt_message.h"

#include <QString>

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

namespace {

qsizetype beginFrame(QByteArray &out)
{
    const qsizetype at = out.size();
    out.append(qsizetype(kFrameHeaderBytes), '\0'); // the length, once known
    return at;
}

// Writes the length of the payload after `at`, or takes the frame back.
Result<void> endFrame(QByteArray &out, qsizetype at)
{
    const auto n = std::size_t(out.size() - at) - kFrameHeaderBytes;
    if (n > kMaxMessageBytes) {
        out.truncate(at);
        return fail(Errc::TooLarge, "message of " + std::to_string(n) + " bytes exceeds the limit of " +
                                        std::to_string(kMaxMessageBytes));
    }
    for (std::size_t i = 0; i < kFrameHeaderBytes; ++i) out[at + qsizetype(i)] = char((n >> (8 * i)) & 0xff);
    return {};
}

} // namespace

void resetFrameBuffer(QByteArray &frames)
{
    constexpr qsizetype kKeptBytes = 64 * 1024;
    if (frames.capacity() > kKeptBytes) frames = QByteArray();
    else frames.resize(0); // Qt keeps the capacity of an unshared array
}

Result<void> appendRequestFrame(QByteArray &out, Op op, std::int64_t objectId,
                                std::initializer_list<QCborValue> args)
{
    const qsizetype at = beginFrame(out);
    cbor::Writer<QByteArray> writer(out);
    writer.arrayHead(2 + args.size());
    writer.integer(std::int64_t(op));
    writer.integer(objectId);
    for (const QCborValue &arg : args) {
        if (auto ok = appendCbor(out, arg, 1); !ok) {
            out.truncate(at);
            return ok;
        }
    }
    return endFrame(out, at);
}

Result<void> appendReplyFrame(QByteArray &out, const QCborValue &value)
{
    const qsizetype at = beginFrame(out);
    cbor::Writer<QByteArray> writer(out);
    writer.arrayHead(2);
    writer.integer(0);
    if (auto ok = appendCbor(out, value, 1); !ok) {
        out.truncate(at);
        return ok;
    }
    return endFrame(out, at);
}

void appendErrorFrame(QByteArray &out, Errc code, std::string_view message)
{
    const qsizetype at = beginFrame(out);
    cbor::Writer<QByteArray> writer(out);
    writer.arrayHead(2);
    writer.integer(std::int64_t(code) + 1);
    // Through QString: a byte that is not UTF-8 (a name quoted in the
    // message) becomes U+FFFD rather than a reply the client refuses.
    const QByteArray utf8 = QString::fromUtf8(message.data(), qsizetype(message.size())).toUtf8();
    writer.text(std::string_view(utf8.constData(), std::size_t(utf8.size())));
    (void)endFrame(out, at);
}

Request::Request(const QCborArray &items)
{
    m_items.reserve(std::size_t(items.size()));
    for (const QCborValue &item : items) m_items.push_back(item);
}

Result<void> Request::read(QByteArrayView payload)
{
    m_items.clear(); // keeps the capacity
    auto isArray = decodeCborItems(payload, m_items);
    if (!isArray) return std::unexpected(isArray.error());
    if (!*isArray || m_items.size() < 2 || !m_items[0].isInteger() || !m_items[1].isInteger())
        return fail(Errc::InvalidArgument, "expected [op, objectId, args...]");
    return {};
}

const QCborValue &Request::at(qsizetype i) const noexcept
{
    static const QCborValue kPastTheEnd;
    return i >= 0 && i < size() ? m_items[std::size_t(i)] : kPastTheEnd;
}

Result<Reply> readReply(QByteArrayView payload)
{
    constexpr unsigned char kArrayOfTwo = 0x82;
    constexpr unsigned char kFirstLongInteger = 0x18;
    if (payload.size() < 3 || static_cast<unsigned char>(payload[0]) != kArrayOfTwo ||
        static_cast<unsigned char>(payload[1]) >= kFirstLongInteger)
        return fail(Errc::Corrupt, "expected [status, value]");
    auto value = decodeCbor(payload.sliced(2));
    if (!value) return std::unexpected(value.error());
    return Reply{.status = static_cast<unsigned char>(payload[1]), .value = std::move(*value)};
}

} // namespace ipc::manager
