#include "message.h"

#include "cbor.h"

#include <ranges>
#include <string>
#include <utility>
#include <vector>

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
    for (const auto &[k, value] : std::views::reverse(m_entries))
        if (k.m_type == Type::Text && k.m_text == key) return &value;
    return nullptr;
}

namespace {

Result<void> encodeInto(cbor::Writer<Bytes> &out, const Message &m, int depth)
{
    using Type = Message::Type;
    switch (m.type()) {
    case Type::Null: out.null(); return {};
    case Type::Bool: out.boolean(m.toBool()); return {};
    case Type::Integer: out.integer(m.toInteger()); return {};
    case Type::Double: out.real(m.toDouble()); return {};
    case Type::Text: out.text(m.toText()); return {};
    case Type::ByteString: out.bytes(m.toBytes()); return {};
    case Type::Sentinel:
        if (depth == 0) {
            out.sentinel();
            return {};
        }
        return cbor::sentinelInside();
    case Type::Array:
    case Type::Map:
        break;
    }
    if (depth + 1 > kMaxMessageDepth) return cbor::tooDeep();
    if (m.type() == Type::Array) {
        out.arrayHead(m.items().size());
        for (const Message &e : m.items())
            if (auto ok = encodeInto(out, e, depth + 1); !ok) return ok;
        return {};
    }
    out.mapHead(m.entries().size());
    for (const auto &[key, value] : m.entries()) {
        if (auto ok = encodeInto(out, key, depth + 1); !ok) return ok;
        if (auto ok = encodeInto(out, value, depth + 1); !ok) return ok;
    }
    return {};
}

// What the reader builds for decodeMessage.
struct MessageBuilder {
    using Value = Message;
    using Array = std::vector<Message>;
    using Map = std::vector<Message::Entry>;
    static Message null() { return {}; }
    static Message boolean(bool v) { return Message::boolean(v); }
    static Message integer(std::int64_t v) { return Message::integer(v); }
    static Message real(double v) { return Message::real(v); }
    static Message sentinel() { return Message::sentinel(); }
    static Message text(std::string_view utf8) { return Message::text(std::string(utf8)); }
    static Message bytes(std::span<const std::byte> v) { return Message::bytes(v); }
    static Array array() { return {}; }
    static void append(Array &a, Message &&v) { a.push_back(std::move(v)); }
    static Message finish(Array &&a) { return Message::array(std::move(a)); }
    static Map map() { return {}; }
    static void insert(Map &m, Message &&k, Message &&v) { m.emplace_back(std::move(k), std::move(v)); }
    static Message finish(Map &&m) { return Message::map(std::move(m)); }
};

} // namespace

Result<void> encodeMessageInto(Bytes &out, const Message &message, std::size_t maxBytes)
{
    const std::size_t start = out.size();
    cbor::Writer<Bytes> writer(out);
    if (auto ok = encodeInto(writer, message, 0); !ok) {
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
    return cbor::read<MessageBuilder>(bytes, limits);
}

bool isSentinelBytes(std::span<const std::byte> bytes) noexcept
{
    return bytes.size() == 1 && bytes[0] == std::byte{0xf7};
}

} // namespace ipc
