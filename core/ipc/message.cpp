#include "message.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamReader>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace ipc {

namespace {

std::string at(qint64 offset) { return " at byte " + std::to_string(offset); }

// CBOR (RFC 8949) written straight into a byte array: an item's head is
// its major type and a length or value in the shortest form. (QCborValue's
// own toCbor() goes through a QBuffer, a QObject per message -- a good part
// of a manager round trip.)
void appendHead(QByteArray &out, unsigned major, std::uint64_t n)
{
    const auto type = char(major << 5);
    if (n < 24) {
        out.append(char(type | char(n)));
        return;
    }
    int bytes = 8;
    char info = 27;
    if (n <= 0xff) bytes = 1, info = 24;
    else if (n <= 0xffff) bytes = 2, info = 25;
    else if (n <= 0xffffffffu) bytes = 4, info = 26;
    out.append(char(type | info));
    for (int i = bytes - 1; i >= 0; --i) out.append(char((n >> (8 * i)) & 0xff));
}

// Encodes v after `out`, checking that it uses only the supported types.
Result<void> encodeInto(QByteArray &out, const QCborValue &v, int depth)
{
    switch (v.type()) {
    case QCborValue::Null: out.append(char(0xf6)); return {};
    case QCborValue::False: out.append(char(0xf4)); return {};
    case QCborValue::True: out.append(char(0xf5)); return {};
    case QCborValue::Integer: {
        const qint64 i = v.toInteger();
        if (i >= 0) appendHead(out, 0, std::uint64_t(i));
        else appendHead(out, 1, ~std::uint64_t(i)); // -1 - i
        return {};
    }
    case QCborValue::Double: {
        const double d = v.toDouble();
        std::uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        out.append(char(0xfb));
        for (int i = 7; i >= 0; --i) out.append(char((bits >> (8 * i)) & 0xff));
        return {};
    }
    case QCborValue::String: {
        const QByteArray utf8 = v.toString().toUtf8();
        appendHead(out, 3, std::uint64_t(utf8.size()));
        out.append(utf8);
        return {};
    }
    case QCborValue::ByteArray: {
        const QByteArray bytes = v.toByteArray();
        appendHead(out, 2, std::uint64_t(bytes.size()));
        out.append(bytes);
        return {};
    }
    case QCborValue::Undefined:
        if (depth == 0) { // the sentinel, as a whole message
            out.append(char(0xf7));
            return {};
        }
        return fail(Errc::InvalidArgument,
                    "the sentinel (undefined) may only be a whole message, not inside a container");
    case QCborValue::Array:
    case QCborValue::Map:
        if (depth + 1 > kMaxMessageDepth)
            return fail(Errc::InvalidArgument, "message nests deeper than " +
                                                   std::to_string(kMaxMessageDepth) +
                                                   " arrays/maps");
        if (v.isArray()) {
            const QCborArray a = v.toArray();
            appendHead(out, 4, std::uint64_t(a.size()));
            for (const QCborValue &e : a)
                if (auto ok = encodeInto(out, e, depth + 1); !ok) return ok;
        } else {
            const QCborMap m = v.toMap();
            appendHead(out, 5, std::uint64_t(m.size()));
            for (auto it = m.cbegin(); it != m.cend(); ++it) {
                if (auto ok = encodeInto(out, it.key(), depth + 1); !ok) return ok;
                if (auto ok = encodeInto(out, it.value(), depth + 1); !ok) return ok;
            }
        }
        return {};
    default:
        break;
    }
    return fail(Errc::InvalidArgument,
                "unsupported value type " + std::to_string(int(v.type())) +
                    " (messages carry null, bool, integers, doubles, strings, bytes, arrays, maps)");
}

// A single-pass decoder: each item's header is validated (type, declared
// length against the bytes that remain, depth) before anything is built,
// so a hostile length or nesting cannot make us allocate or recurse.
class Decoder {
public:
    Decoder(QByteArrayView bytes, int maxDepth)
        : m_reader(bytes.data(), bytes.size()), m_size(bytes.size()), m_maxDepth(maxDepth)
    {}

    Result<QCborValue> top()
    {
        auto v = item(0);
        if (!v) return v;
        const qint64 end = m_reader.currentOffset();
        if (end != m_size)
            return fail(Errc::Corrupt, "malformed message: " + std::to_string(m_size - end) +
                                           " trailing byte(s) after the message" + at(end));
        return v;
    }

private:
    std::unexpected<Error> readerError(qint64 offset, const char *what)
    {
        const QCborError e = m_reader.lastError();
        std::string text = e.toString().toStdString();
        if (e.c == QCborError::EndOfFile)
            return fail(Errc::Corrupt, std::string("truncated message: ") + what + " cut off" +
                                           at(offset) + " (" + text + ")");
        if (e.c == QCborError::NoError) text = "unexpected end of data";
        return fail(Errc::Corrupt, std::string("malformed message: ") + what + at(offset) + ": " + text);
    }

    qint64 remaining(qint64 offset) const { return m_size - offset; }

    Result<QCborValue> item(int depth)
    {
        const qint64 off = m_reader.currentOffset();
        switch (m_reader.type()) {
        case QCborStreamReader::UnsignedInteger: {
            const quint64 u = m_reader.toUnsignedInteger();
            if (u > quint64(std::numeric_limits<qint64>::max()))
                return fail(Errc::TooLarge, "integer " + std::to_string(u) + at(off) +
                                                " does not fit in a signed 64-bit integer");
            return advance(QCborValue(qint64(u)), off);
        }
        case QCborStreamReader::NegativeInteger: {
            // CBOR stores -1 - n; Qt hands back n + 1 (0 meaning 2^64).
            const quint64 n = quint64(m_reader.toNegativeInteger());
            if (n == 0 || n > quint64(std::numeric_limits<qint64>::max()) + 1u)
                return fail(Errc::TooLarge,
                            "negative integer" + at(off) + " does not fit in a signed 64-bit integer");
            return advance(QCborValue(-qint64(n - 1) - 1), off);
        }
        case QCborStreamReader::ByteArray:
            return bytes(off);
        case QCborStreamReader::String:
            return text(off);
        case QCborStreamReader::Array:
        case QCborStreamReader::Map:
            return container(off, depth);
        case QCborStreamReader::Tag:
            return fail(Errc::Corrupt, "malformed message: tag " +
                                           std::to_string(quint64(m_reader.toTag())) + at(off) +
                                           " (tags are not supported)");
        case QCborStreamReader::SimpleType: {
            const QCborSimpleType st = m_reader.toSimpleType();
            if (st == QCborSimpleType::False) return advance(QCborValue(false), off);
            if (st == QCborSimpleType::True) return advance(QCborValue(true), off);
            if (st == QCborSimpleType::Null) return advance(QCborValue(nullptr), off);
            if (st == QCborSimpleType::Undefined && depth == 0)
                return advance(QCborValue(QCborValue::Undefined), off);
            return fail(Errc::Corrupt, "malformed message: simple value " +
                                           std::to_string(int(st)) + at(off) +
                                           (st == QCborSimpleType::Undefined
                                                ? " (the sentinel may only be a whole message)"
                                                : " (only false, true and null are supported)"));
        }
        case QCborStreamReader::Float16:
            return advance(QCborValue(double(float(m_reader.toFloat16()))), off);
        case QCborStreamReader::Float:
            return advance(QCborValue(double(m_reader.toFloat())), off);
        case QCborStreamReader::Double:
            return advance(QCborValue(m_reader.toDouble()), off);
        case QCborStreamReader::Invalid:
            break;
        }
        return readerError(off, "item");
    }

    Result<QCborValue> advance(QCborValue v, qint64 off)
    {
        if (!m_reader.next()) return readerError(off, "item");
        return v;
    }

    // Declared lengths are checked before any chunk is read: a header that
    // announces 2^60 bytes in a 20-byte message must not reserve 2^60 bytes.
    Result<void> checkChunk(qint64 off, const char *what)
    {
        const qsizetype chunk = m_reader.currentStringChunkSize();
        const qint64 now = m_reader.currentOffset();
        if (chunk < 0) return {}; // end of string or an error: read*() reports it
        if (chunk > remaining(now))
            return fail(Errc::Corrupt, std::string("malformed message: ") + what + at(off) +
                                           " declares " + std::to_string(chunk) +
                                           " bytes but only " + std::to_string(remaining(now)) +
                                           " remain");
        return {};
    }

    Result<QCborValue> bytes(qint64 off)
    {
        QByteArray out;
        for (;;) {
            if (auto ok = checkChunk(off, "byte string"); !ok) return std::unexpected(ok.error());
            auto r = m_reader.readByteArray();
            if (r.status == QCborStreamReader::Error) return readerError(off, "byte string");
            if (r.status == QCborStreamReader::EndOfString) break;
            out += r.data;
        }
        return QCborValue(out);
    }

    Result<QCborValue> text(qint64 off)
    {
        QString out;
        for (;;) {
            if (auto ok = checkChunk(off, "text string"); !ok) return std::unexpected(ok.error());
            auto r = m_reader.readString();
            if (r.status == QCborStreamReader::Error) {
                if (m_reader.lastError().c == QCborError::InvalidUtf8String)
                    return fail(Errc::Corrupt,
                                "malformed message: text string" + at(off) + " is not valid UTF-8");
                return readerError(off, "text string");
            }
            if (r.status == QCborStreamReader::EndOfString) break;
            out += r.data;
        }
        return QCborValue(out);
    }

    Result<QCborValue> container(qint64 off, int depth)
    {
        const bool isMap = m_reader.isMap();
        const char *what = isMap ? "map" : "array";
        if (depth + 1 > m_maxDepth)
            return fail(Errc::TooLarge, std::string("message nests deeper than ") +
                                            std::to_string(m_maxDepth) + " arrays/maps: " + what +
                                            at(off) + " is at depth " + std::to_string(depth + 1));
        if (m_reader.isLengthKnown()) {
            // Every element takes at least one byte.
            const quint64 n = m_reader.length();
            const quint64 need = isMap ? (n > (quint64(1) << 62) ? ~quint64(0) : 2 * n) : n;
            if (need > quint64(remaining(off)))
                return fail(Errc::Corrupt, std::string("malformed message: ") + what + at(off) +
                                               " declares " + std::to_string(n) +
                                               (isMap ? " pairs" : " items") + " but only " +
                                               std::to_string(remaining(off)) + " bytes remain");
        }
        if (!m_reader.enterContainer()) return readerError(off, what);
        QCborArray array;
        QCborMap map;
        while (m_reader.hasNext()) {
            auto first = item(depth + 1);
            if (!first) return first;
            if (!isMap) {
                array.append(std::move(*first));
                continue;
            }
            if (!m_reader.hasNext())
                return fail(Errc::Corrupt, "malformed message: map" + at(off) +
                                               " ends after a key without its value" +
                                               at(m_reader.currentOffset()));
            auto second = item(depth + 1);
            if (!second) return second;
            map.insert(*first, *second);
        }
        if (m_reader.lastError() != QCborError::NoError) return readerError(off, what);
        if (!m_reader.leaveContainer()) return readerError(off, what);
        return isMap ? QCborValue(std::move(map)) : QCborValue(std::move(array));
    }

    QCborStreamReader m_reader;
    qint64 m_size;
    int m_maxDepth;
};

} // namespace

Result<QByteArray> encodeMessage(const QCborValue &value, std::size_t maxBytes)
{
    QByteArray out;
    out.reserve(64);
    if (auto ok = encodeInto(out, value, 0); !ok) return std::unexpected(ok.error());
    if (std::size_t(out.size()) > maxBytes)
        return fail(Errc::TooLarge, "message of " + std::to_string(out.size()) +
                                        " bytes exceeds the limit of " + std::to_string(maxBytes));
    return out;
}

Result<QCborValue> decodeMessage(QByteArrayView bytes, DecodeLimits limits)
{
    if (std::size_t(bytes.size()) > limits.maxBytes)
        return fail(Errc::TooLarge, "message of " + std::to_string(bytes.size()) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(limits.maxBytes));
    if (bytes.isEmpty()) return fail(Errc::Corrupt, "truncated message: no bytes at byte 0");
    const int depth = std::clamp(limits.maxDepth, 0, kMaxDepthCap);
    return Decoder(bytes, depth).top();
}

QCborValue sentinelMessage() { return QCborValue(QCborValue::Undefined); }

bool isSentinel(const QCborValue &value) { return value.isUndefined(); }

bool isSentinelBytes(QByteArrayView bytes) noexcept
{
    return bytes.size() == 1 && static_cast<unsigned char>(bytes[0]) == 0xf7;
}

} // namespace ipc
