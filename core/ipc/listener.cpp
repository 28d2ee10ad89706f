#include "listener.h"

#include "authentication.h"
#include "unix_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

namespace ipc {

namespace {

// The handshake's protocol version (authentication.h): a Listener does not
// talk to a manager, nor a manager client to a Listener.
constexpr std::string_view kAuthVersion = "ipc-connection-1#";
constexpr std::string_view kSocketName = "/listener.sock";

auth::Channel channelOver(Connection &c, Duration timeout)
{
    return {[&c, timeout](QByteArrayView frame) { return c.sendBytes(frame.toByteArray(), timeout); },
            [&c, timeout](std::size_t maxBytes) { return c.recvBytes(maxBytes, timeout); }};
}

// Waits for the listening socket to have a client (true), or the timeout.
Result<bool> waitReadable(int fd, const Deadline &deadline)
{
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, deadline.pollMs());
        if (ready > 0) return true;
        if (ready == 0) {
            if (deadline.expired()) return false;
            continue;
        }
        if (errno != EINTR) return failErrno("poll", errno);
    }
}

} // namespace

Result<Listener> Listener::listen(std::string_view address, ListenerOptions options)
{
    if (options.backlog < 1) return fail(Errc::InvalidArgument, "a Listener's backlog is at least 1");
    Listener l;
    l.m_options = std::move(options);
    if (address.empty()) {
        auto dir = makePrivateSocketDirectory("ipc-listener", kSocketName.size());
        if (!dir) return std::unexpected(dir.error());
        l.m_privateDirectory = *dir;
        l.m_address = *dir + std::string(kSocketName);
    } else {
        l.m_address = std::string(address);
    }
    auto where = unixSocketAddress(l.m_address);
    if (!where) return std::unexpected(where.error());
    sockaddr_un addr = *where;
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return failErrno("socket", errno);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EADDRINUSE)
            return fail(Errc::AlreadyExists, "cannot listen at '" + l.m_address + "': something is there already");
        return failErrno("bind '" + l.m_address + "'", err);
    }
    l.m_fd = fd; // from here on, close() removes the socket file
    if (::listen(fd, l.m_options.backlog) != 0) return failErrno("listen at '" + l.m_address + "'", errno);
    return l;
}

Listener::Listener(Listener &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_address(std::move(other.m_address)),
      m_privateDirectory(std::exchange(other.m_privateDirectory, {})), m_options(std::move(other.m_options))
{}

Listener &Listener::operator=(Listener &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_address = std::move(other.m_address);
        m_privateDirectory = std::exchange(other.m_privateDirectory, {});
        m_options = std::move(other.m_options);
    }
    return *this;
}

Listener::~Listener() { close(); }

void Listener::close() noexcept
{
    if (m_fd < 0) return;
    ::close(std::exchange(m_fd, -1));
    ::unlink(m_address.c_str());
    if (!m_privateDirectory.empty()) ::rmdir(std::exchange(m_privateDirectory, {}).c_str());
}

Result<Connection> Listener::accept(Duration timeout)
{
    if (m_fd < 0) return fail(Errc::Closed, "the Listener at '" + m_address + "' is closed");
    const Deadline deadline(timeout);
    int fd = -1;
    for (;;) {
        fd = accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) break;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return failErrno("accept at '" + m_address + "'", errno);
        auto ready = waitReadable(m_fd, deadline);
        if (!ready) return std::unexpected(ready.error());
        if (!*ready) return fail(Errc::Timeout, "no client connected to '" + m_address + "' within the timeout");
    }
    auto c = Connection::adopt(fd, Connection::Mode::Duplex, m_options.maxMessageBytes);
    if (!c) {
        ::close(fd);
        return std::unexpected(c.error());
    }
    if (m_options.authkey.isEmpty()) return c;
    const auth::Channel channel = channelOver(*c, m_options.handshakeTimeout);
    if (auto ok = auth::deliverChallenge(channel, m_options.authkey, kAuthVersion, "a client"); !ok)
        return std::unexpected(ok.error());
    if (auto ok = auth::answerChallenge(channel, m_options.authkey, kAuthVersion, "a client"); !ok)
        return std::unexpected(ok.error());
    return c;
}

Result<Connection> Client::connect(std::string_view address, const ClientOptions &options)
{
    auto fd = connectUnixSocket(address, "the Listener");
    if (!fd) return std::unexpected(fd.error());
    auto c = Connection::adopt(*fd, Connection::Mode::Duplex, options.maxMessageBytes);
    if (!c) {
        ::close(*fd);
        return std::unexpected(c.error());
    }
    if (options.authkey.isEmpty()) return c;
    const auth::Channel channel = channelOver(*c, options.handshakeTimeout);
    if (auto ok = auth::answerChallenge(channel, options.authkey, kAuthVersion, "the Listener"); !ok)
        return std::unexpected(ok.error());
    if (auto ok = auth::deliverChallenge(channel, options.authkey, kAuthVersion, "the Listener"); !ok)
        return std::unexpected(ok.error());
    return c;
}

} // namespace ipc
