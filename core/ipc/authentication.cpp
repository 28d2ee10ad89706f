#include "authentication.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

#include <sys/random.h>

namespace ipc::auth {

namespace {

QByteArrayView view(std::string_view s) { return QByteArrayView(s.data(), qsizetype(s.size())); }

std::unexpected<Error> refused(std::string_view peer, std::string_view what)
{
    return fail(Errc::AuthenticationFailed, "authentication failed: " + std::string(peer) + " " + std::string(what));
}

} // namespace

Result<void> randomBytes(void *out, std::size_t n)
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

QByteArray challenge(std::string_view version)
{
    QByteArray c;
    c.reserve(qsizetype(kChallengePrefix.size() + version.size() + kChallengeRandomBytes));
    c.append(view(kChallengePrefix));
    c.append(view(version));
    const qsizetype at = c.size();
    c.resize(at + qsizetype(kChallengeRandomBytes));
    // getrandom on a 32-byte request never fails once the pool is ready;
    // should it, the bytes stay zero and the challenge is merely weaker.
    (void)randomBytes(c.data() + at, kChallengeRandomBytes);
    return c;
}

bool isChallenge(QByteArrayView frame, std::string_view version) noexcept
{
    return frame.size() == qsizetype(kChallengePrefix.size() + version.size() + kChallengeRandomBytes) &&
           frame.startsWith(view(kChallengePrefix)) &&
           frame.sliced(qsizetype(kChallengePrefix.size())).startsWith(view(version));
}

QByteArray hmacSha256(QByteArrayView key, QByteArrayView message)
{
    return QMessageAuthenticationCode::hash(message.toByteArray(), key.toByteArray(), QCryptographicHash::Sha256);
}

bool digestsEqual(QByteArrayView a, QByteArrayView b) noexcept
{
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

Result<void> deliverChallenge(const Channel &channel, QByteArrayView key, std::string_view version,
                              std::string_view peer)
{
    const QByteArray sent = challenge(version);
    if (auto ok = channel.send(sent); !ok) return ok;
    auto answer = channel.receive(kMaxFrame);
    if (!answer) {
        if (answer.error().code == Errc::TooLarge) return refused(peer, "answered the challenge with too many bytes");
        return std::unexpected(answer.error());
    }
    if (!digestsEqual(*answer, hmacSha256(key, sent))) {
        (void)channel.send(view(kFailure));
        return refused(peer, "did not prove it holds the key (digest received was wrong)");
    }
    return channel.send(view(kWelcome));
}

Result<void> answerChallenge(const Channel &channel, QByteArrayView key, std::string_view version,
                             std::string_view peer)
{
    auto received = channel.receive(kMaxFrame);
    if (!received) {
        if (received.error().code == Errc::TooLarge) return refused(peer, "did not start with a challenge");
        return std::unexpected(received.error());
    }
    if (!received->startsWith(view(kChallengePrefix)))
        return refused(peer, "did not start with a challenge (not the program expected there?)");
    if (!isChallenge(*received, version)) return refused(peer, "speaks another protocol version");
    if (auto ok = channel.send(hmacSha256(key, *received)); !ok) return ok;
    auto verdict = channel.receive(kMaxFrame);
    if (!verdict) {
        if (verdict.error().code == Errc::EndOfFile)
            return refused(peer, "closed the connection instead of answering our digest");
        return std::unexpected(verdict.error());
    }
    if (*verdict == view(kWelcome)) return {};
    if (*verdict == view(kFailure)) return refused(peer, "rejected our key (digest sent was rejected)");
    return refused(peer, "sent an unexpected verdict");
}

} // namespace ipc::auth
