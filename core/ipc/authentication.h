// Proving that both ends of a fresh connection hold the same secret key,
// as multiprocessing.connection does (deliver_challenge / answer_challenge),
// with HMAC-SHA256, in both directions:
//   A -> B  "#CHALLENGE#" version 32 random bytes
//   B -> A  HMAC(key, that whole challenge)
//   A -> B  "#WELCOME#" or "#FAILURE#"
// and then the same with B challenging A. The key never crosses the wire,
// and a peer that only pretends to hold it fails whichever check comes first.
//
// Used by the manager (manager/manager_auth.h) and by Listener / Client
// (listener.h). The frames travel over whatever the caller's Channel says.
//
// Errors: AuthenticationFailed (Python: AuthenticationError), its message
// starting "authentication failed:" and saying which side refused whom;
// what the channel reports (Timeout, EndOfFile, ...) otherwise.
// Any process; the functions keep no state.
#pragma once

#include "posix_call.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>
#include <functional>
#include <string_view>

namespace ipc::auth {

inline constexpr std::string_view kChallengePrefix = "#CHALLENGE#";
inline constexpr std::string_view kWelcome = "#WELCOME#";
inline constexpr std::string_view kFailure = "#FAILURE#";
inline constexpr std::size_t kChallengeRandomBytes = 32;
// Longest handshake frame either side accepts: a peer that has not proved
// itself cannot make us allocate.
inline constexpr std::size_t kMaxFrame = 1024;

// How the handshake sends and receives one whole frame on the connection.
struct Channel {
    std::function<Result<void>(QByteArrayView)> send;
    std::function<Result<QByteArray>(std::size_t maxBytes)> receive;
};

// `n` bytes from getrandom(2).
[[nodiscard]] Result<void> randomBytes(void *out, std::size_t n);
// prefix, version (the protocol's own, e.g. "ipc-manager-1#"), 32 random bytes.
[[nodiscard]] QByteArray challenge(std::string_view version);
[[nodiscard]] bool isChallenge(QByteArrayView frame, std::string_view version) noexcept;
[[nodiscard]] QByteArray hmacSha256(QByteArrayView key, QByteArrayView message);
// Equal in constant time (the time does not tell how many bytes matched).
[[nodiscard]] bool digestsEqual(QByteArrayView a, QByteArrayView b) noexcept;

// Sends a challenge and checks the peer's answer; tells the peer the verdict.
// `peer` names the other side in messages ("a client", "the manager server").
[[nodiscard]] Result<void> deliverChallenge(const Channel &channel, QByteArrayView key,
                                            std::string_view version, std::string_view peer);
// Answers the peer's challenge and reads its verdict.
[[nodiscard]] Result<void> answerChallenge(const Channel &channel, QByteArrayView key,
                                           std::string_view version, std::string_view peer);

} // namespace ipc::auth
