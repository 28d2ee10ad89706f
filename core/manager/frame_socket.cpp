#include "frame_socket.h"

#include "manager_protocol.h"

#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

namespace ipc::manager {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

std::uint32_t readLe32(const char *p) noexcept
{
    const auto *u = reinterpret_cast<const unsigned char *>(p);
    return std::uint32_t(u[0]) | std::uint32_t(u[1]) << 8 | std::uint32_t(u[2]) << 16 |
           std::uint32_t(u[3]) << 24;
}

bool peerGone(int err) { return err == EPIPE || err == ECONNRESET || err == ENOTCONN; }

} // namespace

Result<FrameSocket> FrameSocket::connectUnix(std::string_view path)
{
    auto fd = connectUnixSocket(path, "the manager server");
    if (!fd) return std::unexpected(fd.error());
    return FrameSocket(*fd);
}

FrameSocket::FrameSocket(FrameSocket &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_default(other.m_default), m_in(std::move(other.m_in)),
      m_begin(std::exchange(other.m_begin, 0)), m_end(std::exchange(other.m_end, 0)),
      m_sentSinceReceive(std::exchange(other.m_sentSinceReceive, false))
{}

FrameSocket &FrameSocket::operator=(FrameSocket &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_default = other.m_default;
        m_in = std::move(other.m_in);
        m_begin = std::exchange(other.m_begin, 0);
        m_end = std::exchange(other.m_end, 0);
        m_sentSinceReceive = std::exchange(other.m_sentSinceReceive, false);
    }
    return *this;
}

FrameSocket::~FrameSocket() { close(); }

void FrameSocket::close() noexcept
{
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    m_begin = m_end = 0;
}

Result<void> FrameSocket::setDefaultTimeout(Duration timeout)
{
    if (m_fd < 0) return fail(Errc::Closed, "socket is closed");
    timeval tv{};
    if (timeout != kForever) {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
        // Zero would mean "forever" to the kernel: use the smallest real timeout.
        const auto clamped = us <= 0 ? 1 : us;
        tv.tv_sec = time_t(clamped / 1'000'000);
        tv.tv_usec = suseconds_t(clamped % 1'000'000);
    }
    if (setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        return failErrno("setsockopt timeout", errno);
    m_default = timeout;
    return {};
}

Result<void> FrameSocket::send(QByteArrayView payload)
{
    if (m_fd < 0) return fail(Errc::Closed, "socket is closed");
    if (payload.size() > qsizetype(UINT32_MAX))
        return fail(Errc::TooLarge, "frame of " + std::to_string(payload.size()) + " bytes");
    const auto n = std::uint32_t(payload.size());
    unsigned char header[kFrameHeaderBytes] = {std::uint8_t(n), std::uint8_t(n >> 8),
                                               std::uint8_t(n >> 16), std::uint8_t(n >> 24)};
    iovec iov[2] = {{header, sizeof header},
                    {const_cast<char *>(payload.data()), std::size_t(payload.size())}};
    return sendAll(iov, 2);
}

Result<void> FrameSocket::sendFrames(QByteArrayView frames)
{
    if (m_fd < 0) return fail(Errc::Closed, "socket is closed");
    iovec iov[1] = {{const_cast<char *>(frames.data()), std::size_t(frames.size())}};
    return sendAll(iov, 1);
}

Result<void> FrameSocket::sendAll(iovec *iov, std::size_t count)
{
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    std::size_t left = 0;
    for (std::size_t i = 0; i < count; ++i) left += iov[i].iov_len;
    while (left > 0) {
        const ssize_t sent = retryOnEintr([&] { return sendmsg(m_fd, &msg, MSG_NOSIGNAL); });
        if (sent < 0) {
            const int err = errno;
            if (err == EAGAIN || err == EWOULDBLOCK)
                return fail(Errc::Timeout, "the peer did not take a frame within the timeout");
            if (peerGone(err)) return fail(Errc::EndOfFile, "the peer closed the connection");
            return failErrno("send frame", err);
        }
        left -= std::size_t(sent);
        m_sentSinceReceive = true;
        // Advance the iovecs past what went out.
        auto done = std::size_t(sent);
        while (done > 0 && msg.msg_iovlen > 0) {
            const std::size_t take = std::min(done, msg.msg_iov[0].iov_len);
            msg.msg_iov[0].iov_base = static_cast<char *>(msg.msg_iov[0].iov_base) + take;
            msg.msg_iov[0].iov_len -= take;
            done -= take;
            if (msg.msg_iov[0].iov_len == 0) {
                ++msg.msg_iov;
                --msg.msg_iovlen;
            }
        }
    }
    return {};
}

Result<void> FrameSocket::fill(const Deadline *deadline, SpinStart start)
{
    // A reply is usually microseconds away: look for it a little before
    // sleeping (spin_wait.h). Anything but "nothing yet" is left to the
    // blocking path below, which reports it.
    bool gotData = false;
    (void)spinUntil([&] {
        const ssize_t got = recv(m_fd, m_in.data() + m_end, std::size_t(m_in.size()) - m_end, MSG_DONTWAIT);
        if (got > 0) {
            m_end += std::size_t(got);
            gotData = true;
            return true;
        }
        return got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    }, kSpinBudgetNs, start);
    if (gotData) return {};
    if (deadline) {
        pollfd p{m_fd, POLLIN, 0};
        for (;;) {
            const int r = poll(&p, 1, deadline->pollMs());
            if (r > 0) break;
            if (r == 0) return fail(Errc::Timeout, "no frame arrived within the timeout");
            if (errno != EINTR) return failErrno("poll", errno);
        }
    }
    const ssize_t got = retryOnEintr(
        [&] { return recv(m_fd, m_in.data() + m_end, std::size_t(m_in.size()) - m_end, 0); });
    if (got > 0) {
        m_end += std::size_t(got);
        return {};
    }
    if (got == 0) return fail(Errc::EndOfFile, "the peer closed the connection");
    const int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK)
        return fail(Errc::Timeout, "no frame arrived within the timeout");
    if (peerGone(err)) return fail(Errc::EndOfFile, "the peer closed the connection");
    return failErrno("receive frame", err);
}

Result<QByteArrayView> FrameSocket::receive(std::size_t maxBytes, Duration timeout)
{
    if (m_fd < 0) return fail(Errc::Closed, "socket is closed");
    const bool custom = timeout != kDefaultTimeout && timeout != m_default;
    const Deadline deadline(custom ? timeout : kForever);
    // Every frame this socket receives answers one it sent (a request, a
    // challenge): right after a send the answer cannot be there yet, so
    // the first wait starts with the yield that lets the peer run. On one
    // CPU that is one syscall fewer per call.
    SpinStart start = std::exchange(m_sentSinceReceive, false) ? SpinStart::Yield : SpinStart::Look;
    for (;;) {
        const std::size_t have = m_end - m_begin;
        std::size_t need = kFrameHeaderBytes;
        if (have >= kFrameHeaderBytes) {
            const std::uint32_t n = readLe32(m_in.constData() + m_begin);
            if (n > maxBytes)
                return fail(Errc::TooLarge, "incoming frame of " + std::to_string(n) +
                                                " bytes exceeds the limit of " + std::to_string(maxBytes));
            need = kFrameHeaderBytes + n;
            if (have >= need) {
                const char *p = m_in.constData() + m_begin + kFrameHeaderBytes;
                m_begin += need;
                if (m_begin == m_end) m_begin = m_end = 0; // the view stays valid: nothing moves
                return QByteArrayView(p, qsizetype(n));
            }
        }
        // Make room: move the partial frame to the front, grow if it needs to.
        if (m_begin > 0) {
            std::memmove(m_in.data(), m_in.constData() + m_begin, have);
            m_begin = 0;
            m_end = have;
        }
        const std::size_t want = std::max(need, kReadChunk);
        if (std::size_t(m_in.size()) < want) m_in.resize(qsizetype(want));
        if (auto ok = fill(custom ? &deadline : nullptr, start); !ok) return std::unexpected(ok.error());
        start = SpinStart::Look; // the rest of a frame may well be there
    }
}

} // namespace ipc::manager
