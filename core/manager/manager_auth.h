// Authentication of manager connections: the challenge and response of
// authentication.h on the manager's 32-byte key, over a FrameSocket (the
// client's side; the server runs the same steps in its own non-blocking
// loop with these helpers). See manager_protocol.h for the frames.
//
// Errors: AuthenticationFailed (Python: AuthenticationError), a message
// starting "authentication failed:"; Timeout / EndOfFile from the socket.
// Any process; the functions keep no state.
#pragma once

#include "authentication.h"
#include "frame_socket.h"
#include "manager_protocol.h"

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <cstdint>

namespace ipc::manager {

using Key = std::array<std::uint8_t, kKeyBytes>;
using auth::digestsEqual;

// 32 bytes from getrandom(2).
[[nodiscard]] Result<Key> randomKey();
[[nodiscard]] QByteArray randomChallenge();
[[nodiscard]] QByteArray hmacSha256(const Key &key, QByteArrayView message);
[[nodiscard]] bool isChallenge(QByteArrayView frame) noexcept;

// Sends a challenge and checks the peer's answer; tells the peer the verdict.
[[nodiscard]] Result<void> deliverChallenge(FrameSocket &socket, const Key &key, Duration timeout,
                                            std::string_view peer);
// Answers the peer's challenge and reads its verdict.
[[nodiscard]] Result<void> answerChallenge(FrameSocket &socket, const Key &key, Duration timeout,
                                           std::string_view peer);

} // namespace ipc::manager
