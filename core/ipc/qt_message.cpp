#include "qt_message.h"

#include "cbor.h"

#include <QCborArray>
#include <QCborMap>

namespace ipc {

namespace {

std::unexpected<Error> unsupported(const QCborValue &v)
{
    return fail(Errc::InvalidArgument, "unsupported value type " + std::to_string(int(v.type())) +
                                           " (messages carry null, bool, integers, doubles, strings, bytes, arrays, maps)");
}

QByteArray toQByteArray(std::span<const std::byte> bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

// QCborValue straight to bytes, refusing what fromCbor refuses, so a
// manager request needs no Message in between.
Result<void> encodeInto(cbor::Writer<QByteArray> &out, const QCborValue &v, int depth)
{
    switch (v.type()) {
    case QCborValue::Null: out.null(); return {};
    case QCborValue::False: out.boolean(false); return {};
    case QCborValue::True: out.boolean(true); return {};
    case QCborValue::Integer: out.integer(v.toInteger()); return {};
    case QCborValue::Double: out.real(v.toDouble()); return {};
    case QCborValue::String: {
        const QByteArray utf8 = v.toString().toUtf8();
        out.text(std::string_view(utf8.constData(), std::size_t(utf8.size())));
        return {};
    }
    case QCborValue::ByteArray: out.bytes(asBytes(v.toByteArray())); return {};
    case QCborValue::Undefined:
        if (depth == 0) {
            out.sentinel();
            return {};
        }
        return cbor::sentinelInside();
    case QCborValue::Array:
    case QCborValue::Map:
        break;
    default:
        return unsupported(v);
    }
    if (depth + 1 > kMaxMessageDepth) return cbor::tooDeep();
    if (v.isArray()) {
        const QCborArray a = v.toArray();
        out.arrayHead(std::size_t(a.size()));
        for (const QCborValue &e : a)
            if (auto ok = encodeInto(out, e, depth + 1); !ok) return ok;
        return {};
    }
    const QCborMap m = v.toMap();
    out.mapHead(std::size_t(m.size()));
    for (auto it = m.cbegin(); it != m.cend(); ++it) {
        if (auto ok = encodeInto(out, it.key(), depth + 1); !ok) return ok;
        if (auto ok = encodeInto(out, it.value(), depth + 1); !ok) return ok;
    }
    return {};
}

// What the reader builds for decodeCbor.
struct CborBuilder {
    using Value = QCborValue;
    using Array = QCborArray;
    using Map = QCborMap;
    static QCborValue null() { return QCborValue(nullptr); }
    static QCborValue boolean(bool v) { return QCborValue(v); }
    static QCborValue integer(std::int64_t v) { return QCborValue(qint64(v)); }
    static QCborValue real(double v) { return QCborValue(v); }
    static QCborValue sentinel() { return sentinelMessage(); }
    static QCborValue text(std::string_view utf8) { return QString::fromUtf8(utf8.data(), qsizetype(utf8.size())); }
    static QCborValue bytes(std::span<const std::byte> v) { return toQByteArray(v); }
    static Array array() { return {}; }
    static void append(Array &a, QCborValue &&v) { a.append(std::move(v)); }
    static QCborValue finish(Array &&a) { return QCborValue(std::move(a)); }
    static Map map() { return {}; }
    static void insert(Map &m, QCborValue &&k, QCborValue &&v) { m.insert(k, v); }
    static QCborValue finish(Map &&m) { return QCborValue(std::move(m)); }
};

} // namespace

// Through its bytes: the encoder is the one walk over a QCborValue, so
// what it refuses and what a Message can hold cannot drift apart.
Result<Message> fromCbor(const QCborValue &value)
{
    auto bytes = encodeCbor(value);
    if (!bytes) return std::unexpected(bytes.error());
    return decodeMessage(asBytes(*bytes));
}

QCborValue toCbor(const Message &message)
{
    using Type = Message::Type;
    switch (message.type()) {
    case Type::Null: return QCborValue(nullptr);
    case Type::Bool: return QCborValue(message.toBool());
    case Type::Integer: return QCborValue(qint64(message.toInteger()));
    case Type::Double: return QCborValue(message.toDouble());
    case Type::Text: {
        const std::string_view text = message.toText();
        return QCborValue(QString::fromUtf8(text.data(), qsizetype(text.size())));
    }
    case Type::ByteString: return QCborValue(toQByteArray(message.toBytes()));
    case Type::Array: {
        QCborArray array;
        for (const Message &item : message.items()) array.append(toCbor(item));
        return array;
    }
    case Type::Map: {
        QCborMap map;
        for (const auto &[key, value] : message.entries()) map.insert(toCbor(key), toCbor(value));
        return map;
    }
    case Type::Sentinel: return sentinelMessage();
    }
    return {};
}

Result<bool> decodeCborItems(QByteArrayView bytes, std::vector<QCborValue> &items, DecodeLimits limits)
{
    return cbor::readItems<CborBuilder>(asBytes(bytes), limits,
                                        [&](QCborValue &&item) { items.push_back(std::move(item)); });
}

Result<void> appendCbor(QByteArray &out, const QCborValue &value, int enclosing)
{
    const qsizetype before = out.size();
    cbor::Writer<QByteArray> writer(out);
    auto ok = encodeInto(writer, value, enclosing);
    if (!ok) out.truncate(before);
    return ok;
}

Result<QByteArray> encodeCbor(const QCborValue &value, std::size_t maxBytes)
{
    QByteArray out;
    out.reserve(64);
    if (auto ok = appendCbor(out, value, 0); !ok) return std::unexpected(ok.error());
    if (std::size_t(out.size()) > maxBytes)
        return fail(Errc::TooLarge, "message of " + std::to_string(out.size()) + " bytes exceeds the limit of " +
                                        std::to_string(maxBytes));
    return out;
}

Result<QCborValue> decodeCbor(QByteArrayView bytes, DecodeLimits limits)
{
    return cbor::read<CborBuilder>(asBytes(bytes), limits);
}

QCborValue sentinelMessage() { return QCborValue(QCborValue::Undefined); }

bool isSentinel(const QCborValue &value) { return value.isUndefined(); }

bool isSentinelBytes(QByteArrayView bytes) noexcept { return isSentinelBytes(asBytes(bytes)); }

// --- the Qt adapters of Queue, SimpleQueue and Connection -------------------

Result<void> Queue::putBytes(QByteArrayView item, Duration timeout) { return put(asBytes(item), timeout); }

Result<QByteArray> Queue::getBytes(Duration timeout)
{
    // The common case copies once: into a buffer of the queue's limit,
    // then shrunk (no reallocation) to the message's length.
    QByteArray out(qsizetype(m_maxMessageBytes), Qt::Uninitialized);
    auto n = get(std::as_writable_bytes(std::span<char>(out.data(), std::size_t(out.size()))), timeout);
    if (!n) return std::unexpected(n.error());
    out.truncate(qsizetype(*n));
    return out;
}

Result<void> Queue::putCbor(const QCborValue &message, Duration timeout)
{
    auto bytes = encodeCbor(message, m_maxMessageBytes);
    if (!bytes) return std::unexpected(refusedMessage(bytes.error()));
    return put(asBytes(*bytes), timeout);
}

Result<QCborValue> Queue::getCbor(Duration timeout, DecodeLimits limits)
{
    auto m = get(timeout, limits);
    if (!m) return std::unexpected(m.error());
    return toCbor(*m);
}

Result<void> SimpleQueue::putCbor(const QCborValue &message) { return Queue::putCbor(message); }
Result<QCborValue> SimpleQueue::getCbor(DecodeLimits limits) { return Queue::getCbor(kForever, limits); }
Result<void> SimpleQueue::putBytes(QByteArrayView item) { return Queue::putBytes(item); }
Result<QByteArray> SimpleQueue::getBytes() { return Queue::getBytes(); }

Result<void> Connection::sendCbor(const QCborValue &message, Duration timeout)
{
    if (auto ok = checkUsable(true); !ok) return ok;
    auto bytes = encodeCbor(message, m_maxMessageBytes);
    if (!bytes) return std::unexpected(bytes.error());
    return sendFrame(asBytes(*bytes), timeout);
}

Result<QCborValue> Connection::recvCbor(Duration timeout, DecodeLimits limits)
{
    auto m = recv(timeout, limits);
    if (!m) return std::unexpected(m.error());
    return toCbor(*m);
}

Result<void> Connection::sendBytes(const QByteArray &buffer, Duration timeout)
{
    return sendFrame(asBytes(buffer), timeout);
}

Result<QByteArray> Connection::recvBytes(std::optional<std::size_t> maxLength, Duration timeout)
{
    Bytes bytes;
    if (auto ok = recvBytes(bytes, maxLength, timeout); !ok) return std::unexpected(ok.error());
    return toQByteArray(bytes);
}

} // namespace ipc
