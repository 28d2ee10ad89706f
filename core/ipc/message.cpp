#include "message.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace ipc {

// --- Message ---------------------------------------------------------------

Message Message::boolean(bool value)
{
    Message m;
    m.m_type = Type::Bool;
    m.m_integer = value ? 1 : 0;
    return m;
}

Message Message::integer(std::int64_t value)
{
    Message m;
    m.m_type = Type::Integer;
    m.m_integer = value;
    return m;
}

Message Message::real(double value)
{
    Message m;
    m.m_type = Type::Double;
    m.m_real = value;
    return m;
}

Message Message::text(std::string utf8)
{
    Message m;
    m.m_type = Type::Text;
    m.m_text = std::move(utf8);
    return m;
}

Message Message::bytes(std::span<const std::byte> value) { return bytes(Bytes(value.begin(), value.end())); }

Message Message::bytes(Bytes value)
{
    Message m;
    m.m_type = Type::ByteString;
    m.m_bytes = std::move(value);
    return m;
}

Message Message::array(std::vector<Message> items)
{
    Message m;
    m.m_type = Type::Array;
    m.m_items = std::move(items);
    return m;
}

Message Message::map(std::vector<Entry> entries)
{
    Message m;
    m.m_type = Type::Map;
    m.m_entries = std::move(entries);
    return m;
}

Message Message::sentinel()
{
    Message m;
    m.m_type = Type::Sentinel;
    return m;
}

bool Message::toBool(bool fallback) const noexcept { return m_type == Type::Bool ? m_integer != 0 : fallback; }

std::int64_t Message::toInteger(std::int64_t fallback) const noexcept
{
    return m_type == Type::Integer ? m_integer : fallback;
}

double Message::toDouble(double fallback) const noexcept
{
    if (m_type == Type::Double) return m_real;
    return m_type == Type::Integer ? double(m_integer) : fallback;
}

std::string_view Message::toText() const noexcept { return m_text; }
std::span<const std::byte> Message::toBytes() const noexcept { return m_bytes; }
std::span<const Message> Message::items() const noexcept { return m_items; }
std::span<const Message::Entry> Message::entries() const noexcept { return m_entries; }

const Message *Message::find(std::string_view key) const noexcept
{
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it)
        if (it->first.m_type == Type::Text && it->first.m_text == key) return &it->second;
    return nullptr;
}

namespace {

std::string at(std::size_t offset) { return " at byte " + std::to_string(offset); }

// --- encoding --------------------------------------------------------------

// An item's head: its major type and a length or value in the shortest form.
void appendHead(Bytes &out, unsigned major, std::uint64_t n)
{
    const auto type = std::byte(major << 5);
    if (n < 24) {
        out.push_back(type | std::byte(n));
        return;
    }
    int size = 8;
    unsigned info = 27;
    if (n <= 0xff) size = 1, info = 24;
    else if (n <= 0xffff) size = 2, info = 25;
    else if (n <= 0xffffffffu) size = 4, info = 26;
    out.push_back(type | std::byte(info));
    for (int i = size - 1; i >= 0; --i) out.push_back(std::byte((n >> (8 * i)) & 0xff));
}

void appendRaw(Bytes &out, const void *data, std::size_t size)
{
    const auto *p = static_cast<const std::byte *>(data);
    out.insert(out.end(), p, p + size);
}

Result<void> encodeInto(Bytes &out, const Message &m, int depth)
{
    using Type = Message::Type;
    switch (m.type()) {
    case Type::Null: out.push_back(std::byte{0xf6}); return {};
    case Type::Bool: out.push_back(m.toBool() ? std::byte{0xf5} : std::byte{0xf4}); return {};
    case Type::Integer: {
        const std::int64_t i = m.toInteger();
        if (i >= 0) appendHead(out, 0, std::uint64_t(i));
        else appendHead(out, 1, ~std::uint64_t(i)); // -1 - i
        return {};
    }
    case Type::Double: {
        const auto bits = std::bit_cast<std::uint64_t>(m.toDouble());
        out.push_back(std::byte{0xfb});
        for (int i = 7; i >= 0; --i) out.push_back(std::byte((bits >> (8 * i)) & 0xff));
        return {};
    }
    case Type::Text:
        appendHead(out, 3, m.toText().size());
        appendRaw(out, m.toText().data(), m.toText().size());
        return {};
    case Type::ByteString:
        appendHead(out, 2, m.toBytes().size());
        appendRaw(out, m.toBytes().data(), m.toBytes().size());
        return {};
    case Type::Sentinel:
        if (depth == 0) {
            out.push_back(std::byte{0xf7});
            return {};
        }
        return fail(Errc::InvalidArgument,
                    "the sentinel (undefined) may only be a whole message, not inside a container");
    case Type::Array:
    case Type::Map:
        break;
    }
    if (depth + 1 > kMaxMessageDepth)
        return fail(Errc::InvalidArgument,
                    "message nests deeper than " + std::to_string(kMaxMessageDepth) + " arrays/maps");
    if (m.type() == Type::Array) {
        appendHead(out, 4, m.items().size());
        for (const Message &e : m.items())
            if (auto ok = encodeInto(out, e, depth + 1); !ok) return ok;
        return {};
    }
    appendHead(out, 5, m.entries().size());
    for (const auto &[key, value] : m.entries()) {
        if (auto ok = encodeInto(out, key, depth + 1); !ok) return ok;
        if (auto ok = encodeInto(out, value, depth + 1); !ok) return ok;
    }
    return {};
}

// --- decoding --------------------------------------------------------------

// RFC 3629: no overlong forms, no surrogates, nothing beyond U+10FFFF.
bool validUtf8(std::string_view s) noexcept
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if ((c & 0xe0) == 0xc0) extra = 1, cp = c & 0x1fu, min = 0x80;
        else if ((c & 0xf0) == 0xe0) extra = 2, cp = c & 0x0fu, min = 0x800;
        else if ((c & 0xf8) == 0xf0) extra = 3, cp = c & 0x07u, min = 0x10000;
        else return false;
        if (s.size() - i <= std::size_t(extra)) return false;
        for (int k = 1; k <= extra; ++k) {
            const auto d = static_cast<unsigned char>(s[i + std::size_t(k)]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += std::size_t(extra) + 1;
    }
    return true;
}

double halfToDouble(std::uint16_t h) noexcept
{
    const int exponent = (h >> 10) & 0x1f;
    const double mantissa = h & 0x3ff;
    double v = 0;
    if (exponent == 0) v = std::ldexp(mantissa, -24);
    else if (exponent == 31) v = mantissa == 0 ? std::numeric_limits<double>::infinity()
                                               : std::numeric_limits<double>::quiet_NaN();
    else v = std::ldexp(mantissa + 1024, exponent - 25);
    return (h & 0x8000) ? -v : v;
}

// A single-pass decoder: each item's head is validated (type, declared
// length against the bytes that remain, depth) before anything is built,
// so a hostile length or nesting cannot make us allocate or recurse.
class Decoder {
public:
    Decoder(std::span<const std::byte> bytes, int maxDepth) : m_in(bytes), m_maxDepth(maxDepth) {}

    Result<Message> top()
    {
        auto m = item(0);
        if (!m) return m;
        if (m_pos != m_in.size())
            return fail(Errc::Corrupt, "malformed message: " + std::to_string(m_in.size() - m_pos) +
                                           " trailing byte(s) after the message" + at(m_pos));
        return m;
    }

private:
    static constexpr unsigned kIndefinite = 31;

    struct Head {
        std::size_t offset = 0;
        unsigned major = 0;
        unsigned info = 0;      // additional information (0..27, or kIndefinite)
        std::uint64_t value = 0; // the argument: a value, a length or a count
    };

    std::size_t remaining() const noexcept { return m_in.size() - m_pos; }

    static std::unexpected<Error> malformed(const std::string &what, std::size_t offset)
    {
        return fail(Errc::Corrupt, "malformed message: " + what + at(offset));
    }

    Result<Head> head()
    {
        Head h;
        h.offset = m_pos;
        if (remaining() == 0) return fail(Errc::Corrupt, "truncated message: item cut off" + at(m_pos));
        const auto first = std::to_integer<unsigned>(m_in[m_pos]);
        h.major = first >> 5;
        h.info = first & 31u;
        if (h.info >= 28 && h.info <= 30)
            return malformed("reserved additional information " + std::to_string(h.info), m_pos);
        const std::size_t size = h.info < 24 || h.info == kIndefinite ? 0 : std::size_t(1) << (h.info - 24);
        if (remaining() < 1 + size)
            return fail(Errc::Corrupt, "truncated message: item cut off" + at(m_pos));
        h.value = h.info < 24 ? h.info : 0;
        for (std::size_t k = 1; k <= size; ++k) h.value = (h.value << 8) | std::to_integer<unsigned>(m_in[m_pos + k]);
        m_pos += 1 + size;
        return h;
    }

    Result<Message> item(int depth)
    {
        auto h = head();
        if (!h) return std::unexpected(h.error());
        if (h->info == kIndefinite && (h->major <= 1 || h->major == 6))
            return malformed("indefinite length on major type " + std::to_string(h->major), h->offset);
        switch (h->major) {
        case 0:
            if (h->value > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
                return fail(Errc::TooLarge, "integer " + std::to_string(h->value) + at(h->offset) +
                                                " does not fit in a signed 64-bit integer");
            return Message::integer(std::int64_t(h->value));
        case 1:
            if (h->value > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
                return fail(Errc::TooLarge, "negative integer" + at(h->offset) +
                                                " does not fit in a signed 64-bit integer");
            return Message::integer(-std::int64_t(h->value) - 1);
        case 2:
        case 3:
            return string(*h);
        case 4:
        case 5:
            return container(*h, depth);
        case 6:
            return malformed("tag " + std::to_string(h->value) + " (tags are not supported)", h->offset);
        default:
            return simple(*h, depth);
        }
    }

    Result<Message> simple(const Head &h, int depth)
    {
        switch (h.info) {
        case 20: return Message::boolean(false);
        case 21: return Message::boolean(true);
        case 22: return Message();
        case 23:
            if (depth == 0) return Message::sentinel();
            return malformed("simple value 23 (the sentinel may only be a whole message)", h.offset);
        case 24:
            if (h.value < 32) return malformed("two-byte simple value " + std::to_string(h.value) + " below 32", h.offset);
            break;
        case 25: return Message::real(halfToDouble(std::uint16_t(h.value)));
        case 26: return Message::real(double(std::bit_cast<float>(std::uint32_t(h.value))));
        case 27: return Message::real(std::bit_cast<double>(h.value));
        case kIndefinite: return malformed("unexpected break", h.offset);
        default: break;
        }
        return malformed("simple value " + std::to_string(h.value) + " (only false, true and null are supported)",
                         h.offset);
    }

    // Declared lengths are checked before anything is copied: a header that
    // announces 2^60 bytes in a 20-byte message must not reserve 2^60 bytes.
    Result<std::span<const std::byte>> chunk(std::uint64_t length, std::size_t offset, const char *what)
    {
        if (length > remaining())
            return malformed(std::string(what) + " declares " + std::to_string(length) + " bytes but only " +
                                 std::to_string(remaining()) + " remain",
                             offset);
        const auto out = m_in.subspan(m_pos, std::size_t(length));
        m_pos += out.size();
        return out;
    }

    Result<Message> string(const Head &h)
    {
        const char *what = h.major == 2 ? "byte string" : "text string";
        Bytes out;
        if (h.info != kIndefinite) {
            auto c = chunk(h.value, h.offset, what);
            if (!c) return std::unexpected(c.error());
            out.assign(c->begin(), c->end());
        } else {
            // Definite-length chunks of the same major type, up to a break.
            for (;;) {
                if (remaining() > 0 && m_in[m_pos] == std::byte{0xff}) {
                    ++m_pos;
                    break;
                }
                auto part = head();
                if (!part) return std::unexpected(part.error());
                if (part->major != h.major || part->info == kIndefinite)
                    return malformed(std::string(what) + " has a chunk that is not a definite " + what, h.offset);
                auto c = chunk(part->value, h.offset, what);
                if (!c) return std::unexpected(c.error());
                out.insert(out.end(), c->begin(), c->end());
            }
        }
        if (h.major == 2) return Message::bytes(std::move(out));
        std::string text(reinterpret_cast<const char *>(out.data()), out.size());
        if (!validUtf8(text)) return malformed("text string is not valid UTF-8", h.offset);
        return Message::text(std::move(text));
    }

    Result<Message> container(const Head &h, int depth)
    {
        const bool isMap = h.major == 5;
        const char *what = isMap ? "map" : "array";
        if (depth + 1 > m_maxDepth)
            return fail(Errc::TooLarge, "message nests deeper than " + std::to_string(m_maxDepth) +
                                            " arrays/maps: " + what + at(h.offset) + " is at depth " +
                                            std::to_string(depth + 1));
        const bool definite = h.info != kIndefinite;
        if (definite) {
            // Every element takes at least one byte.
            const std::uint64_t need = isMap ? (h.value > (std::uint64_t(1) << 62) ? ~std::uint64_t(0) : 2 * h.value)
                                             : h.value;
            const std::size_t left = m_in.size() - h.offset; // from its head on
            if (need > left)
                return malformed(std::string(what) + " declares " + std::to_string(h.value) +
                                     (isMap ? " pairs" : " items") + " but only " + std::to_string(left) +
                                     " bytes remain",
                                 h.offset);
        }
        std::vector<Message> items;
        std::vector<Message::Entry> entries;
        for (std::uint64_t n = 0; !definite || n < h.value; ++n) {
            if (!definite && remaining() > 0 && m_in[m_pos] == std::byte{0xff}) {
                ++m_pos;
                break;
            }
            auto first = item(depth + 1);
            if (!first) return first;
            if (!isMap) {
                items.push_back(std::move(*first));
                continue;
            }
            if (!definite && remaining() > 0 && m_in[m_pos] == std::byte{0xff})
                return malformed("map" + at(h.offset) + " ends after a key without its value", m_pos);
            auto second = item(depth + 1);
            if (!second) return second;
            entries.emplace_back(std::move(*first), std::move(*second));
        }
        return isMap ? Message::map(std::move(entries)) : Message::array(std::move(items));
    }

    std::span<const std::byte> m_in;
    std::size_t m_pos = 0;
    int m_maxDepth;
};

} // namespace

Result<void> encodeMessageInto(Bytes &out, const Message &message, std::size_t maxBytes)
{
    const std::size_t start = out.size();
    if (auto ok = encodeInto(out, message, 0); !ok) {
        out.resize(start);
        return ok;
    }
    if (const std::size_t size = out.size() - start; size > maxBytes) {
        out.resize(start);
        return fail(Errc::TooLarge, "message of " + std::to_string(size) + " bytes exceeds the limit of " +
                                        std::to_string(maxBytes));
    }
    return {};
}

Result<Bytes> encodeMessage(const Message &message, std::size_t maxBytes)
{
    Bytes out;
    out.reserve(64);
    if (auto ok = encodeMessageInto(out, message, maxBytes); !ok) return std::unexpected(ok.error());
    return out;
}

Result<Message> decodeMessage(std::span<const std::byte> bytes, DecodeLimits limits)
{
    if (bytes.size() > limits.maxBytes)
        return fail(Errc::TooLarge, "message of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                                        std::to_string(limits.maxBytes));
    if (bytes.empty()) return fail(Errc::Corrupt, "truncated message: no bytes at byte 0");
    return Decoder(bytes, std::clamp(limits.maxDepth, 0, kMaxDepthCap)).top();
}

bool isSentinelBytes(std::span<const std::byte> bytes) noexcept
{
    return bytes.size() == 1 && bytes[0] == std::byte{0xf7};
}

} // namespace ipc
