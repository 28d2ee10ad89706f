// Structured messages: what Queue::putMessage and Connection::send carry.
// The C++ counterpart of pickling, but safe to decode from a process you do
// not trust: the wire format is CBOR (RFC 8949) and decoding is bounded.
//
// Supported values: null, bool, integers, doubles, text strings (valid
// UTF-8), byte strings, arrays and maps (keys of any supported type).
// Anything else (tags, undefined inside a container, other simple values,
// QCborValue's extended types like DateTime or Url) is refused on both sides:
// encodeMessage says InvalidArgument, decodeMessage says Corrupt.
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
//   - truncated input, bytes after the one top-level item, bad major type
//     or additional information, invalid UTF-8, unsupported types ->
//     Errc::Corrupt.
// Every error message says what was wrong and at which byte offset.
//
// Pure functions: any thread, any process.
#pragma once

#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QCborValue>

#include <cstddef>

namespace ipc {

inline constexpr std::size_t kMaxMessageBytes = 64u << 20;
inline constexpr int kMaxMessageDepth = 32;
// Hard cap on the decoder's recursion whatever DecodeLimits says.
inline constexpr int kMaxDepthCap = 1024;

struct DecodeLimits {
    std::size_t maxBytes = kMaxMessageBytes;
    int maxDepth = kMaxMessageDepth;
};

// CBOR bytes of value. InvalidArgument for an unsupported type or nesting
// deeper than kMaxMessageDepth (what the default decoder would refuse);
// TooLarge when the encoding exceeds maxBytes.
[[nodiscard]] Result<QByteArray> encodeMessage(const QCborValue &value,
                                               std::size_t maxBytes = kMaxMessageBytes);
// Exactly one CBOR item, validated as described above.
[[nodiscard]] Result<QCborValue> decodeMessage(QByteArrayView bytes, DecodeLimits limits = {});

[[nodiscard]] QCborValue sentinelMessage(); // "no more items"
[[nodiscard]] bool isSentinel(const QCborValue &value);

// The sentinel's encoding (one byte, 0xf7), for byte-level queues and pipes.
[[nodiscard]] bool isSentinelBytes(QByteArrayView bytes) noexcept;

} // namespace ipc
