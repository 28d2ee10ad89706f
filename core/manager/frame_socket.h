// FrameSocket: a connected stream socket that sends and receives
// length-prefixed frames (see manager_protocol.h), with timeouts.
//
// The blocking side of the manager protocol: every client connection, and
// the client half of authentication. (The server multiplexes its
// connections with its own non-blocking buffers.)
//
// Errors: Timeout (the deadline passed; the stream may now be mid-frame,
// so the owner should stop using it), EndOfFile (the peer closed, or died:
// the kernel closes a killed process's sockets), Closed (used after close()),
// TooLarge (a frame over the limit given), System (errno's text).
// send() never raises SIGPIPE (MSG_NOSIGNAL): a dead peer is an error value.
//
// One process, one thread.
#pragma once

#include "posix_call.h"
#include "spin_wait.h"
#include "result.h"
#include "unix_socket.h"

#include <QByteArray>
#include <QByteArrayView>

#include <sys/uio.h>
#include <sys/un.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace ipc::manager {

using ipc::unixSocketAddress;

class FrameSocket {
public:
    // Connects to the AF_UNIX stream socket at path (close-on-exec).
    // NotFound: no socket there; Closed: nobody listens (ECONNREFUSED).
    [[nodiscard]] static Result<FrameSocket> connectUnix(std::string_view path);

    FrameSocket() = default;
    explicit FrameSocket(int fd) noexcept : m_fd(fd) {} // takes ownership
    FrameSocket(FrameSocket &&other) noexcept;
    FrameSocket &operator=(FrameSocket &&other) noexcept;
    FrameSocket(const FrameSocket &) = delete;
    FrameSocket &operator=(const FrameSocket &) = delete;
    ~FrameSocket();

    // The timeout every send and every receive(kDefault) obeys; set once
    // as SO_RCVTIMEO/SO_SNDTIMEO, so the common call costs one syscall.
    [[nodiscard]] Result<void> setDefaultTimeout(Duration timeout);

    // Writes one frame (header and payload in one sendmsg).
    [[nodiscard]] Result<void> send(QByteArrayView payload);
    // Writes bytes that are whole frames already (appendRequestFrame).
    [[nodiscard]] Result<void> sendFrames(QByteArrayView frames);
    // Reads one frame. The view stays valid until the next receive().
    // timeout: kDefaultTimeout uses the default; anything else polls first.
    static constexpr Duration kDefaultTimeout = Duration(-1);
    [[nodiscard]] Result<QByteArrayView> receive(std::size_t maxBytes,
                                                 Duration timeout = kDefaultTimeout);

    void close() noexcept;
    [[nodiscard]] bool isOpen() const noexcept { return m_fd >= 0; }
    [[nodiscard]] int fd() const noexcept { return m_fd; }

private:
    [[nodiscard]] Result<void> fill(const Deadline *deadline, SpinStart start);
    [[nodiscard]] Result<void> sendAll(iovec *iov, std::size_t count);

    int m_fd = -1;
    Duration m_default = kForever;
    QByteArray m_in;          // received bytes; [m_begin, m_end) not yet consumed
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    bool m_sentSinceReceive = false; // the next fill() skips the look that must fail
};

} // namespace ipc::manager
