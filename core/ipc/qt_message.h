// Messages as Qt values: a QCborValue becomes a Message (message.h) and
// back, and the byte encoding of a QCborValue is that of its Message. The
// Qt side's names end in Cbor (encodeCbor, Queue::getCbor, ...). Code
// that holds Qt values -- the manager, the tests -- uses these; the
// primitives and the messaging roles do not, so the worker without QtCore
// runs them.
//
// This header also brings in what the Qt adapters of Queue, SimpleQueue
// and Connection (putCbor, getCbor, putBytes, getBytes, sendCbor,
// recvCbor, sendBytes, recvBytes) need to be called; their definitions
// are in qt_message.cpp.
//
// A QCborValue maps to a Message as: null, bool, integer, double, string
// (UTF-8), byte array, array, map (keys in order; QCborMap keeps the last
// of duplicate keys), and `undefined` -> the sentinel. Anything else
// (tags, other simple values, QCborValue's extended types like DateTime or
// Url) is refused: InvalidArgument.
#pragma once

#include "message.h"
#include "pipe.h"
#include "queue.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QCborValue>

#include <vector>

namespace ipc {

[[nodiscard]] Result<Message> fromCbor(const QCborValue &value);
[[nodiscard]] QCborValue toCbor(const Message &message);

// encodeMessage / decodeMessage of message.h for Qt values: the same
// bytes, the same checks and the same errors.
[[nodiscard]] Result<QByteArray> encodeCbor(const QCborValue &value, std::size_t maxBytes = kMaxMessageBytes);
[[nodiscard]] Result<QCborValue> decodeCbor(QByteArrayView bytes, DecodeLimits limits = {});
// decodeCbor for a message that is an array, its items appended to items
// one by one; the array itself is never built. False, with nothing
// appended, for a well-formed message that is no array. On an error items
// may hold some of the items.
[[nodiscard]] Result<bool> decodeCborItems(QByteArrayView bytes, std::vector<QCborValue> &items,
                                           DecodeLimits limits = {});
// encodeCbor's bytes for a value that goes inside a message being built
// around it (a manager request or reply), appended to out; `enclosing` is
// the number of arrays and maps around it, so that the depth limit counts
// from the whole message's top. The caller checks the whole message's
// size. On failure out is as it was.
[[nodiscard]] Result<void> appendCbor(QByteArray &out, const QCborValue &value, int enclosing);

[[nodiscard]] QCborValue sentinelMessage(); // "no more items"
[[nodiscard]] bool isSentinel(const QCborValue &value);
[[nodiscard]] bool isSentinelBytes(QByteArrayView bytes) noexcept;

// A QByteArray's bytes, without a copy.
[[nodiscard]] inline std::span<const std::byte> asBytes(QByteArrayView bytes) noexcept
{
    return std::as_bytes(std::span<const char>(bytes.data(), std::size_t(bytes.size())));
}

} // namespace ipc
