// Structured messages: what Queue::put and Connection::send carry. The C++
// counterpart of pickling, but safe to decode from a process you do not
// trust: the wire format is CBOR (RFC 8949) and decoding is bounded.
//
// A Message is one value of: null, bool, a 64-bit integer, a double, a
// text string (UTF-8), a byte string, an array, a map (keys of any of
// these types, kept in the order they came), or the sentinel. Qt-free, so
// the worker without QtCore runs every messaging role; qt_message.h turns
// a Message into a QCborValue and back for code that holds Qt values.
//
// The sentinel ("no more items", Python's `q.put(None)` idiom) is the CBOR
// value `undefined`, allowed only as a whole message, so it can never collide
// with data (a null inside a list stays a null).
//
// decodeMessage guarantees, for any input bytes:
//   - no crash and no allocation beyond a small multiple of bytes.size():
//     every declared length (string, array, map) is checked against the
//     bytes that remain before anything is read or reserved;
//   - nesting deeper than limits.maxDepth (arrays/maps inside each other;
//     a top-level array is depth 1) -> Errc::TooLarge; the recursion is
//     bounded by min(maxDepth, kMaxDepthCap);
//   - more than limits.maxBytes of input -> Errc::TooLarge;
//   - an integer beyond 64 signed bits -> Errc::TooLarge;
//   - truncated input, bytes after the one top-level item, bad major type
//     or additional information, invalid UTF-8, tags, simple values other
//     than false/true/null, `undefined` inside a container -> Errc::Corrupt.
// Every error message says what was wrong and at which byte offset.
//
// Pure functions: any thread, any process.
#pragma once

#include "result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipc {

using Bytes = std::vector<std::byte>;

inline constexpr std::size_t kMaxMessageBytes = 64u << 20;
inline constexpr int kMaxMessageDepth = 32;
// Hard cap on the decoder's recursion whatever DecodeLimits says.
inline constexpr int kMaxDepthCap = 1024;

struct DecodeLimits {
    std::size_t maxBytes = kMaxMessageBytes;
    int maxDepth = kMaxMessageDepth;
};

class Message {
public:
    enum class Type : std::uint8_t { Null, Bool, Integer, Double, Text, ByteString, Array, Map, Sentinel };
    using Entry = std::pair<Message, Message>;

    Message() = default; // null
    [[nodiscard]] static Message boolean(bool value);
    [[nodiscard]] static Message integer(std::int64_t value);
    [[nodiscard]] static Message real(double value);
    [[nodiscard]] static Message text(std::string utf8);
    [[nodiscard]] static Message bytes(std::span<const std::byte> value);
    [[nodiscard]] static Message bytes(Bytes value);
    [[nodiscard]] static Message array(std::vector<Message> items);
    [[nodiscard]] static Message map(std::vector<Entry> entries);
    [[nodiscard]] static Message sentinel(); // "no more items"

    [[nodiscard]] Type type() const noexcept { return m_type; }
    [[nodiscard]] bool isNull() const noexcept { return m_type == Type::Null; }
    [[nodiscard]] bool isInteger() const noexcept { return m_type == Type::Integer; }
    [[nodiscard]] bool isSentinel() const noexcept { return m_type == Type::Sentinel; }

    // The value, or `fallback` when the message is of another type.
    [[nodiscard]] bool toBool(bool fallback = false) const noexcept;
    [[nodiscard]] std::int64_t toInteger(std::int64_t fallback = 0) const noexcept;
    // A double, or an integer converted.
    [[nodiscard]] double toDouble(double fallback = 0) const noexcept;
    // Empty when the message is of another type.
    [[nodiscard]] std::string_view toText() const noexcept;
    [[nodiscard]] std::span<const std::byte> toBytes() const noexcept;
    [[nodiscard]] std::span<const Message> items() const noexcept;   // an array's
    [[nodiscard]] std::span<const Entry> entries() const noexcept;   // a map's
    // A map's value under the text key `key` (the last, as a decoder of
    // duplicate keys keeps it); null when there is none.
    [[nodiscard]] const Message *find(std::string_view key) const noexcept;

    friend bool operator==(const Message &, const Message &) = default;

private:
    Type m_type = Type::Null;
    std::int64_t m_integer = 0; // Bool and Integer
    double m_real = 0;
    std::string m_text;
    Bytes m_bytes;
    std::vector<Message> m_items;
    std::vector<Entry> m_entries;
};

// CBOR bytes of message, appended to `out`. InvalidArgument for a
// sentinel inside a container or nesting deeper than kMaxMessageDepth
// (what the default decoder would refuse); TooLarge when the encoding
// exceeds maxBytes.
[[nodiscard]] Result<void> encodeMessageInto(Bytes &out, const Message &message,
                                             std::size_t maxBytes = kMaxMessageBytes);
[[nodiscard]] Result<Bytes> encodeMessage(const Message &message, std::size_t maxBytes = kMaxMessageBytes);
// Exactly one CBOR item, validated as described above.
[[nodiscard]] Result<Message> decodeMessage(std::span<const std::byte> bytes, DecodeLimits limits = {});

// The sentinel's encoding (one byte, 0xf7), for byte-level queues and pipes.
[[nodiscard]] bool isSentinelBytes(std::span<const std::byte> bytes) noexcept;

} // namespace ipc
