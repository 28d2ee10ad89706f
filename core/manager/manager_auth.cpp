#include "manager/manager_auth.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

#include <sys/random.h>

namespace ipc::manager {

namespace {

QByteArrayView view(std::string_view s) { return QByteArrayView(s.data(), qsizetype(s.size())); }

Result<void> fillRandom(void *out, std::size_t n)
{
    auto *p = static_cast<std::uint8_t *>(out);
    while (n > 0) {
        const ssize_t got = retryOnEintr([&] { return getrandom(p, n, 0); });
        if (got < 0) return failErrno("getrandom", errno);
        p += got;
        n -= std::size_t(got);
    }
    return {};
}

std::unexpected<Error> authFailed(std::string what)
{
    return fail(Errc::AuthenticationFailed, "authentication failed: " + std::move(what));
}

} // namespace

Result<Key> randomKey()
{
    Key key{};
    if (auto ok = fillRandom(key.data(), key.size()); !ok) return std::unexpected(ok.error());
    return key;
}

QByteArray randomChallenge()
{
    QByteArray c;
    c.reserve(qsizetype(kChallengePrefix.size() + kAuthVersion.size() + kChallengeRandomBytes));
    c.append(view(kChallengePrefix));
    c.append(view(kAuthVersion));
    const qsizetype at = c.size();
    c.resize(at + qsizetype(kChallengeRandomBytes));
    // getrandom on a 32-byte request never fails once the pool is ready;
    // should it, the bytes stay zero and the challenge is merely weaker.
    (void)fillRandom(c.data() + at, kChallengeRandomBytes);
    return c;
}

QByteArray hmacSha256(const Key &key, QByteArrayView message)
{
    const QByteArray k(reinterpret_cast<const char *>(key.data()), qsizetype(key.size()));
    return QMessageAuthenticationCode::hash(message.toByteArray(), k, QCryptographicHash::Sha256);
}

bool digestsEqual(QByteArrayView a, QByteArrayView b) noexcept
{
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool isChallenge(QByteArrayView frame) noexcept
{
    return frame.size() == qsizetype(kChallengePrefix.size() + kAuthVersion.size() + kChallengeRandomBytes) &&
           frame.startsWith(view(kChallengePrefix));
}

Result<void> deliverChallenge(FrameSocket &socket, const Key &key, Duration timeout,
                              std::string_view peer)
{
    const QByteArray challenge = randomChallenge();
    if (auto ok = socket.send(challenge); !ok) return ok;
    auto answer = socket.receive(kMaxAuthFrame, timeout);
    if (!answer) return std::unexpected(answer.error());
    if (!digestsEqual(*answer, hmacSha256(key, challenge))) {
        (void)socket.send(view(kFailure));
        return authFailed(std::string(peer) + " did not prove it holds the key (digest received was wrong)");
    }
    return socket.send(view(kWelcome));
}

Result<void> answerChallenge(FrameSocket &socket, const Key &key, Duration timeout,
                             std::string_view peer)
{
    auto challenge = socket.receive(kMaxAuthFrame, timeout);
    if (!challenge) return std::unexpected(challenge.error());
    if (!challenge->startsWith(view(kChallengePrefix)))
        return authFailed(std::string(peer) + " did not start with a challenge (not a manager?)");
    if (!isChallenge(*challenge))
        return authFailed(std::string(peer) + " speaks another protocol version");
    if (auto ok = socket.send(hmacSha256(key, *challenge)); !ok) return ok;
    auto verdict = socket.receive(kMaxAuthFrame, timeout);
    if (!verdict) {
        if (verdict.error().code == Errc::EndOfFile)
            return authFailed(std::string(peer) + " closed the connection instead of answering our digest");
        return std::unexpected(verdict.error());
    }
    if (*verdict == view(kWelcome)) return {};
    if (*verdict == view(kFailure))
        return authFailed(std::string(peer) + " rejected our key (digest sent was rejected)");
    return authFailed(std::string(peer) + " sent an unexpected verdict");
}

} // namespace ipc::manager
