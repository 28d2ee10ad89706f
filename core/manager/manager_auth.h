// Authentication of manager connections: HMAC-SHA256 challenge and response
// on a shared 32-byte key, in both directions, as multiprocessing.connection
// does (deliver_challenge / answer_challenge). See manager_protocol.h for
// the frames.
//
// Errors: AuthenticationFailed (Python: AuthenticationError), a message
// starting "authentication failed:"
// that says which side refused whom; Timeout / EndOfFile from the socket.
// Any process; the functions keep no state.
#pragma once

#include "manager/frame_socket.h"
#include "manager/manager_protocol.h"

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <cstdint>

namespace ipc::manager {

using Key = std::array<std::uint8_t, kKeyBytes>;

// 32 bytes from getrandom(2).
[[nodiscard]] Result<Key> randomKey();
[[nodiscard]] QByteArray randomChallenge();
[[nodiscard]] QByteArray hmacSha256(const Key &key, QByteArrayView message);
// Equal in constant time (the time does not tell how many bytes matched).
[[nodiscard]] bool digestsEqual(QByteArrayView a, QByteArrayView b) noexcept;
[[nodiscard]] bool isChallenge(QByteArrayView frame) noexcept;

// Sends a challenge and checks the peer's answer; tells the peer the verdict.
[[nodiscard]] Result<void> deliverChallenge(FrameSocket &socket, const Key &key, Duration timeout,
                                            std::string_view peer);
// Answers the peer's challenge and reads its verdict.
[[nodiscard]] Result<void> answerChallenge(FrameSocket &socket, const Key &key, Duration timeout,
                                           std::string_view peer);

} // namespace ipc::manager
