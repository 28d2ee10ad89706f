// CBOR (RFC 8949) for messages: the one reader and the one writer, over
// any value type. message.cpp builds Messages with them, qt_message.cpp
// QCborValues (the manager's requests and replies, without a Message in
// between), so both decode with the same checks and errors and write the
// same bytes. Only those two files include this header.
#pragma once

#include "message.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace ipc::cbor {

inline std::string at(std::size_t offset) { return " at byte " + std::to_string(offset); }

// The writer: appends items to `out`, a Bytes or a QByteArray.
template <class Out>
class Writer {
public:
    explicit Writer(Out &out) : m_out(out) {}

    void null() { put(0xf6); }
    void boolean(bool value) { put(value ? 0xf5 : 0xf4); }
    void sentinel() { put(0xf7); }
    void integer(std::int64_t value)
    {
        if (value >= 0) head(0, std::uint64_t(value));
        else head(1, ~std::uint64_t(value)); // -1 - value
    }
    void real(double value)
    {
        const auto bits = std::bit_cast<std::uint64_t>(value);
        put(0xfb);
        for (int i = 7; i >= 0; --i) put(unsigned((bits >> (8 * i)) & 0xff));
    }
    void text(std::string_view utf8)
    {
        head(3, utf8.size());
        raw(utf8.data(), utf8.size());
    }
    void bytes(std::span<const std::byte> value)
    {
        head(2, value.size());
        raw(value.data(), value.size());
    }
    void arrayHead(std::size_t items) { head(4, items); }
    void mapHead(std::size_t pairs) { head(5, pairs); }

private:
    void put(unsigned byte) { m_out.push_back(typename Out::value_type(byte)); }
    void raw(const void *data, std::size_t size)
    {
        const auto *p = static_cast<const typename Out::value_type *>(data);
        if constexpr (requires { m_out.append(p, m_out.size()); }) // QByteArray
            m_out.append(p, decltype(m_out.size())(size));
        else
            m_out.insert(m_out.end(), p, p + size);
    }
    // An item's head: its major type and a length or value in the shortest form.
    void head(unsigned major, std::uint64_t n)
    {
        if (n < 24) {
            put((major << 5) | unsigned(n));
            return;
        }
        int size = 8;
        unsigned info = 27;
        if (n <= 0xff) size = 1, info = 24;
        else if (n <= 0xffff) size = 2, info = 25;
        else if (n <= 0xffffffffu) size = 4, info = 26;
        put((major << 5) | info);
        for (int i = size - 1; i >= 0; --i) put(unsigned((n >> (8 * i)) & 0xff));
    }

    Out &m_out;
};

// The refusal both encoders give a sentinel inside a container.
inline std::unexpected<Error> sentinelInside()
{
    return fail(Errc::InvalidArgument, "the sentinel (undefined) may only be a whole message, not inside a container");
}

// The refusal both encoders give a container deeper than the decoder takes.
inline std::unexpected<Error> tooDeep()
{
    return fail(Errc::InvalidArgument, "message nests deeper than " + std::to_string(kMaxMessageDepth) + " arrays/maps");
}

// RFC 3629: no overlong forms, no surrogates, nothing beyond U+10FFFF.
inline bool validUtf8(std::string_view s) noexcept
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

inline double halfToDouble(std::uint16_t h) noexcept
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

// The reader: one pass, each item's head validated (type, declared length
// against the bytes that remain, depth) before anything is built, so a
// hostile length or nesting cannot make us allocate or recurse. What it
// builds is the Builder's: a class of static functions
//   Value null(), boolean(bool), integer(std::int64_t), real(double), sentinel()
//   Value text(std::string_view utf8), bytes(std::span<const std::byte>)
//   Array array(); void append(Array &, Value &&); Value finish(Array &&)
//   Map map(); void insert(Map &, Value &&key, Value &&value); Value finish(Map &&)
template <class Builder>
class Reader {
public:
    using Value = typename Builder::Value;

    Reader(std::span<const std::byte> bytes, int maxDepth) : m_in(bytes), m_maxDepth(maxDepth) {}

    Result<Value> top()
    {
        auto m = item(0);
        if (!m) return m;
        if (auto ok = ended(); !ok) return std::unexpected(ok.error());
        return m;
    }

    // A message that is an array: its items built one by one and handed to
    // take(Value &&) in order, the array itself never built (a manager
    // request, whose items the server keeps in a buffer of its own). A
    // message that is well-formed but no array: false, nothing handed.
    template <class Take>
    Result<bool> topItems(Take &&take)
    {
        if (m_in.empty() || std::to_integer<unsigned>(m_in[0]) >> 5 != 4) {
            auto whole = top();
            if (!whole) return std::unexpected(whole.error());
            return false;
        }
        auto h = head();
        if (!h) return std::unexpected(h.error());
        if (auto ok = checkContainer(*h, 0); !ok) return std::unexpected(ok.error());
        if (auto ok = arrayItems(*h, 0, take); !ok) return std::unexpected(ok.error());
        if (auto ok = ended(); !ok) return std::unexpected(ok.error());
        return true;
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

    Result<void> ended() const
    {
        if (m_pos != m_in.size())
            return fail(Errc::Corrupt, "malformed message: " + std::to_string(m_in.size() - m_pos) +
                                           " trailing byte(s) after the message" + at(m_pos));
        return {};
    }

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

    Result<Value> item(int depth)
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
            return Builder::integer(std::int64_t(h->value));
        case 1:
            if (h->value > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
                return fail(Errc::TooLarge, "negative integer" + at(h->offset) +
                                                " does not fit in a signed 64-bit integer");
            return Builder::integer(-std::int64_t(h->value) - 1);
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

    Result<Value> simple(const Head &h, int depth)
    {
        switch (h.info) {
        case 20: return Builder::boolean(false);
        case 21: return Builder::boolean(true);
        case 22: return Builder::null();
        case 23:
            if (depth == 0) return Builder::sentinel();
            return malformed("simple value 23 (the sentinel may only be a whole message)", h.offset);
        case 24:
            if (h.value < 32) return malformed("two-byte simple value " + std::to_string(h.value) + " below 32", h.offset);
            break;
        case 25: return Builder::real(halfToDouble(std::uint16_t(h.value)));
        case 26: return Builder::real(double(std::bit_cast<float>(std::uint32_t(h.value))));
        case 27: return Builder::real(std::bit_cast<double>(h.value));
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

    Result<Value> string(const Head &h)
    {
        const char *what = h.major == 2 ? "byte string" : "text string";
        std::span<const std::byte> content;
        Bytes joined; // an indefinite string's chunks, end to end
        if (h.info != kIndefinite) {
            auto c = chunk(h.value, h.offset, what);
            if (!c) return std::unexpected(c.error());
            content = *c;
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
                joined.insert(joined.end(), c->begin(), c->end());
            }
            content = joined;
        }
        if (h.major == 2) return Builder::bytes(content);
        const std::string_view text(reinterpret_cast<const char *>(content.data()), content.size());
        if (!validUtf8(text)) return malformed("text string is not valid UTF-8", h.offset);
        return Builder::text(text);
    }

    // Before anything is built: the depth, and a definite length against
    // the bytes that remain.
    Result<void> checkContainer(const Head &h, int depth) const
    {
        const bool isMap = h.major == 5;
        const char *what = isMap ? "map" : "array";
        if (depth + 1 > m_maxDepth)
            return fail(Errc::TooLarge, "message nests deeper than " + std::to_string(m_maxDepth) +
                                            " arrays/maps: " + what + at(h.offset) + " is at depth " +
                                            std::to_string(depth + 1));
        if (h.info == kIndefinite) return {};
        // Every element takes at least one byte.
        const std::uint64_t need = isMap ? (h.value > (std::uint64_t(1) << 62) ? ~std::uint64_t(0) : 2 * h.value)
                                         : h.value;
        const std::size_t left = m_in.size() - h.offset; // from its head on
        if (need > left)
            return malformed(std::string(what) + " declares " + std::to_string(h.value) +
                                 (isMap ? " pairs" : " items") + " but only " + std::to_string(left) +
                                 " bytes remain",
                             h.offset);
        return {};
    }

    bool atBreak() const noexcept { return remaining() > 0 && m_in[m_pos] == std::byte{0xff}; }

    // The items of the array whose head is h, each built and handed to take(Value &&).
    template <class Take>
    Result<void> arrayItems(const Head &h, int depth, Take &&take)
    {
        const bool definite = h.info != kIndefinite;
        for (std::uint64_t n = 0; !definite || n < h.value; ++n) {
            if (!definite && atBreak()) {
                ++m_pos;
                break;
            }
            auto next = item(depth + 1);
            if (!next) return std::unexpected(next.error());
            take(std::move(*next));
        }
        return {};
    }

    Result<Value> container(const Head &h, int depth)
    {
        if (auto ok = checkContainer(h, depth); !ok) return std::unexpected(ok.error());
        if (h.major == 4) {
            auto items = Builder::array();
            auto ok = arrayItems(h, depth, [&](Value &&v) { Builder::append(items, std::move(v)); });
            if (!ok) return std::unexpected(ok.error());
            return Builder::finish(std::move(items));
        }
        const bool definite = h.info != kIndefinite;
        auto entries = Builder::map();
        for (std::uint64_t n = 0; !definite || n < h.value; ++n) {
            if (!definite && atBreak()) {
                ++m_pos;
                break;
            }
            auto key = item(depth + 1);
            if (!key) return key;
            if (!definite && atBreak())
                return malformed("map" + at(h.offset) + " ends after a key without its value", m_pos);
            auto value = item(depth + 1);
            if (!value) return value;
            Builder::insert(entries, std::move(*key), std::move(*value));
        }
        return Builder::finish(std::move(entries));
    }

    std::span<const std::byte> m_in;
    std::size_t m_pos = 0;
    int m_maxDepth;
};

// The limits' checks on a whole message (message.h), before it is read.
inline Result<void> readable(std::span<const std::byte> bytes, DecodeLimits limits)
{
    if (bytes.size() > limits.maxBytes)
        return fail(Errc::TooLarge, "message of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                                        std::to_string(limits.maxBytes));
    if (bytes.empty()) return fail(Errc::Corrupt, "truncated message: no bytes at byte 0");
    return {};
}

// Exactly one item, with the limits' checks.
template <class Builder>
Result<typename Builder::Value> read(std::span<const std::byte> bytes, DecodeLimits limits)
{
    if (auto ok = readable(bytes, limits); !ok) return std::unexpected(ok.error());
    return Reader<Builder>(bytes, std::clamp(limits.maxDepth, 0, kMaxDepthCap)).top();
}

// read(), for a message that is an array: Reader::topItems.
template <class Builder, class Take>
Result<bool> readItems(std::span<const std::byte> bytes, DecodeLimits limits, Take &&take)
{
    if (auto ok = readable(bytes, limits); !ok) return std::unexpected(ok.error());
    return Reader<Builder>(bytes, std::clamp(limits.maxDepth, 0, kMaxDepthCap)).topItems(take);
}

} // namespace ipc::cbor
