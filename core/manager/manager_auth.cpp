#include "manager_auth.h"

namespace ipc::manager {

namespace {

QByteArrayView keyBytes(const Key &key) { return QByteArrayView(key.data(), qsizetype(key.size())); }

// Each frame of the handshake waits at most `timeout`.
auth::Channel channelOver(FrameSocket &socket, Duration timeout)
{
    return {[&socket](QByteArrayView frame) { return socket.send(frame); },
            [&socket, timeout](std::size_t maxBytes) -> Result<QByteArray> {
                auto frame = socket.receive(maxBytes, timeout);
                if (!frame) return std::unexpected(frame.error());
                return frame->toByteArray();
            }};
}

} // namespace

Result<Key> randomKey()
{
    Key key{};
    if (auto ok = auth::randomBytes(key.data(), key.size()); !ok) return std::unexpected(ok.error());
    return key;
}

QByteArray randomChallenge() { return auth::challenge(kAuthVersion); }

QByteArray hmacSha256(const Key &key, QByteArrayView message) { return auth::hmacSha256(keyBytes(key), message); }

bool isChallenge(QByteArrayView frame) noexcept { return auth::isChallenge(frame, kAuthVersion); }

Result<void> deliverChallenge(FrameSocket &socket, const Key &key, Duration timeout, std::string_view peer)
{
    return auth::deliverChallenge(channelOver(socket, timeout), keyBytes(key), kAuthVersion, peer);
}

Result<void> answerChallenge(FrameSocket &socket, const Key &key, Duration timeout, std::string_view peer)
{
    return auth::answerChallenge(channelOver(socket, timeout), keyBytes(key), kAuthVersion, peer);
}

} // namespace ipc::manager
