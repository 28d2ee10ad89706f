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

namespace ipc {

[[nodiscard]] Result<Message> fromCbor(const QCborValue &value);
[[nodiscard]] QCborValue toCbor(const Message &message);

// encodeMessage / decodeMessage of message.h for Qt values: the same
// bytes, the same checks and the same errors.
[[nodiscard]] Result<QByteArray> encodeCbor(const QCborValue &value, std::size_t maxBytes = kMaxMessageBytes);
[[nodiscard]] Result<QCborValue> decodeCbor(QByteArrayView bytes, DecodeLimits limits = {});

[[nodiscard]] QCborValue sentinelMessage(); // "no more items"
[[nodiscard]] bool isSentinel(const QCborValue &value);
[[nodiscard]] bool isSentinelBytes(QByteArrayView bytes) noexcept;

// A QByteArray's bytes, without a copy.
[[nodiscard]] inline std::span<const std::byte> asBytes(QByteArrayView bytes) noexcept
{
    return std::as_bytes(std::span<const char>(bytes.data(), std::size_t(bytes.size())));
}

} // namespace ipc
