#include "pipe.h"

#include "board.h"
#include "owner_lock.h" // currentPid
#include "spin_wait.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace ipc {

namespace {

constexpr std::size_t kHeader = 4;
// Frames up to this size are assembled in the read-ahead buffer; larger
// bodies are read straight into their destination.
constexpr std::size_t kSmallFrame = 32 * 1024;
constexpr std::uint64_t kSampleEvery = 128;
// Frames up to this size (header included) are sent with one write of a copy.
constexpr std::size_t kContiguousFrame = 4096 + kHeader;
// The kernel buffer of a one-way pipe (Linux's default is 64 KiB). The
// in-band header makes a 4 KiB message 4100 bytes, which the kernel lays
// out on 1.5 pages on average, so the default pipe holds ~10 such messages
// instead of 16; with both ends on one CPU that is a context switch every
// few messages. At 512 KiB the writer runs ahead by ~85 of them (one-way
// 4 KiB on this VM, pinned to one CPU: ~0.7 -> ~1.0x a raw C pipe of
// 4096-byte writes). Larger buys little and holds more of the user's pipe
// quota (fs.pipe-user-pages-soft, 64 MiB by default).
constexpr int kPipeBufferBytes = 512 * 1024;

// Checked on every new Connection (not once per process): a fork()ed
// child may have reset the disposition since.
void ignoreSigpipe() noexcept
{
    struct sigaction old{};
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
}

// Whether this kernel takes RWF_NOWAIT on pipes (preadv2/pwritev2; older
// kernels answer EOPNOTSUPP). Probed once, on an empty pipe of our own.
bool pipesTakeNoWait() noexcept
{
    static const bool yes = [] {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return false;
        char c;
        iovec v{&c, 1};
        const bool ok = ::preadv2(p[0], &v, 1, -1, RWF_NOWAIT) < 0 && errno == EAGAIN;
        ::close(p[0]);
        ::close(p[1]);
        return ok;
    }();
    return yes;
}

const Deadline &deadlineOf(Duration timeout, std::optional<Deadline> &dl) noexcept
{
    if (!dl) dl.emplace(timeout);
    return *dl;
}

std::string within(Duration timeout)
{
    if (timeout <= kNoWait) return "without waiting";
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    if (us < 1000) return "within " + std::to_string(us) + " us";
    return "within " + std::to_string(us / 1000) + " ms";
}

// poll() until an event, the deadline, or an error; EINTR resumes with
// the time that is left. Returns the revents (0 = timed out).
Result<short> pollOne(int fd, short events, Duration timeout, std::optional<Deadline> &dl)
{
    for (;;) {
        pollfd p{fd, events, 0};
        const int ms = timeout == kNoWait ? 0 : timeout == kForever ? -1 : deadlineOf(timeout, dl).pollMs();
        const int r = ::poll(&p, 1, ms);
        if (r > 0) return p.revents;
        if (r == 0) return short(0);
        if (errno != EINTR) return failErrno("poll", errno);
    }
}

// This thread sent a message since its last receive (see readSome).
thread_local bool t_sentSinceReceive = false;

void bump(std::atomic<std::uint64_t> &a, std::uint64_t n) noexcept
{
    a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

} // namespace

// --- construction ---------------------------------------------------------

Connection::Connection(int fd, Mode mode, bool isSocket, std::size_t maxMessageBytes) noexcept
    : m_fd(fd), m_mode(mode), m_isSocket(isSocket), m_blocking(isSocket || pipesTakeNoWait()),
      m_maxMessageBytes(maxMessageBytes)
{
    ignoreSigpipe();
    // Descriptors stay blocking, so the common blocking recv/send is a
    // single syscall that sleeps in the kernel, as a plain C program's does;
    // a call that must not wait says so per call (MSG_DONTWAIT for sockets,
    // RWF_NOWAIT for pipes). Where the kernel has no RWF_NOWAIT for pipes,
    // pipe ends are non-blocking and a blocking call waits in poll().
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && bool(flags & O_NONBLOCK) == m_blocking)
        fcntl(fd, F_SETFL, m_blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK);
}

Result<std::pair<Connection, Connection>> Connection::pipe(bool duplex, std::size_t maxMessageBytes)
{
    if (maxMessageBytes > kMaxMessageBytes)
        return fail(Errc::InvalidArgument, "pipe message limit " + std::to_string(maxMessageBytes) +
                                               " is over " + std::to_string(kMaxMessageBytes));
    if (duplex) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return failErrno("socketpair", errno);
        return std::pair<Connection, Connection>(Connection(sv[0], Mode::Duplex, true, maxMessageBytes),
                                                 Connection(sv[1], Mode::Duplex, true, maxMessageBytes));
    }
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return failErrno("pipe", errno);
    // Best effort: over fs.pipe-max-size or the user's quota the pipe keeps
    // its default size and works the same, only slower.
    (void)fcntl(p[1], F_SETPIPE_SZ, kPipeBufferBytes);
    return std::pair<Connection, Connection>(Connection(p[0], Mode::ReadOnly, false, maxMessageBytes),
                                             Connection(p[1], Mode::WriteOnly, false, maxMessageBytes));
}

Result<Connection> Connection::adopt(int fd, Mode mode, std::size_t maxMessageBytes)
{
    const std::string what = "descriptor " + std::to_string(fd);
    struct stat st{};
    if (fd < 0 || ::fstat(fd, &st) != 0) return fail(Errc::InvalidArgument, what + " is not open");
    if (maxMessageBytes > kMaxMessageBytes)
        return fail(Errc::InvalidArgument, "pipe message limit " + std::to_string(maxMessageBytes) +
                                               " is over " + std::to_string(kMaxMessageBytes));
    const bool isSocket = S_ISSOCK(st.st_mode);
    if (!isSocket && !S_ISFIFO(st.st_mode))
        return fail(Errc::InvalidArgument, what + " is neither a pipe nor a socket");
    if (!isSocket) {
        const int access = fcntl(fd, F_GETFL) & O_ACCMODE;
        if (mode == Mode::Duplex)
            return fail(Errc::InvalidArgument, what + " is a one-way pipe, not a duplex connection");
        if ((mode == Mode::ReadOnly && access != O_RDONLY) ||
            (mode == Mode::WriteOnly && access != O_WRONLY))
            return fail(Errc::InvalidArgument, what + " is the other end of the pipe (" +
                                                   (access == O_RDONLY ? "read" : "write") + " end)");
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC); // not into this worker's own children
    return Connection(fd, mode, isSocket, maxMessageBytes);
}

Connection::Connection(Connection &&other) noexcept { *this = std::move(other); }

Connection &Connection::operator=(Connection &&other) noexcept
{
    if (this == &other) return *this;
    close();
    m_fd = std::exchange(other.m_fd, -1);
    m_mode = other.m_mode;
    m_isSocket = other.m_isSocket;
    m_blocking = other.m_blocking;
    m_receiveWaited = other.m_receiveWaited;
    m_maxMessageBytes = other.m_maxMessageBytes;
    m_in = std::move(other.m_in);
    m_inBegin = std::exchange(other.m_inBegin, 0);
    m_inEnd = std::exchange(other.m_inEnd, 0);
    m_frameLength = std::exchange(other.m_frameLength, std::nullopt);
    m_lastFrameBytes = std::exchange(other.m_lastFrameBytes, 0);
    m_lastReadNs = std::exchange(other.m_lastReadNs, 0);
    m_body = std::move(other.m_body);
    m_bodyFilled = std::exchange(other.m_bodyFilled, 0);
    m_eof = std::exchange(other.m_eof, false);
    m_broken = std::exchange(other.m_broken, std::nullopt);
    m_pendingOut = std::move(other.m_pendingOut);
    m_pendingPos = std::exchange(other.m_pendingPos, 0);
    m_counters = std::exchange(other.m_counters, {});
    m_stats = std::exchange(other.m_stats, nullptr);
    m_statsEnd = std::exchange(other.m_statsEnd, nullptr);
    return *this;
}

Connection::~Connection() { close(); }

void Connection::close() noexcept
{
    if (m_fd < 0) return;
    if (m_statsEnd) m_statsEnd->open.store(0, std::memory_order_relaxed);
    ::close(m_fd);
    m_fd = -1;
}

void Connection::attachStats(PipeStats *stats, int end) noexcept
{
    if (!stats || end < 0 || end > 1) {
        m_stats = nullptr;
        m_statsEnd = nullptr;
        return;
    }
    m_stats = stats;
    m_statsEnd = &stats->ends[end];
    m_stats->socketPair.store(m_isSocket ? 1u : 0u, std::memory_order_relaxed);
    m_statsEnd->pid.store(currentPid(), std::memory_order_relaxed);
    m_statsEnd->open.store(m_fd >= 0 ? 1u : 0u, std::memory_order_relaxed);
}

Result<void> Connection::checkUsable(bool forSend) const
{
    if (m_fd < 0) return fail(Errc::Closed, "connection is closed");
    if (forSend && !writable())
        return fail(Errc::InvalidArgument, "connection is read-only (the receiving end of a one-way pipe)");
    if (!forSend && !readable())
        return fail(Errc::InvalidArgument, "connection is write-only (the sending end of a one-way pipe)");
    return {};
}

std::uint64_t Connection::kernelQueued() const noexcept
{
    int n = 0;
    if (m_fd < 0 || ::ioctl(m_fd, FIONREAD, &n) != 0 || n < 0) return 0;
    return std::uint64_t(n);
}

void Connection::sampleKernel() noexcept
{
    if (!m_statsEnd) return;
    m_statsEnd->kernelQueued.store(kernelQueued(), std::memory_order_relaxed);
    m_statsEnd->kernelSampledNs.store(monotonicNs(), std::memory_order_relaxed);
}

// --- receiving ------------------------------------------------------------

bool Connection::hasBufferedMessage() const noexcept
{
    if (m_eof || m_broken) return true;
    if (m_frameLength) {
        const std::size_t len = *m_frameLength;
        return len <= kSmallFrame ? buffered() >= len : (m_bodyFilled == len && !m_body.empty());
    }
    if (buffered() < kHeader) return false;
    std::uint32_t len;
    std::memcpy(&len, m_in.data() + m_inBegin, kHeader);
    return len > m_maxMessageBytes || buffered() - kHeader >= len;
}

// Some bytes (n > 0), or 0 at the end of the stream.
Result<std::size_t> Connection::readSome(std::byte *dst, std::size_t cap, Duration timeout,
                                         std::optional<Deadline> &dl)
{
    const auto attempt = [&](bool block) {
        return retryOnEintr([&] { return readFd(dst, cap, block); });
    };
    const auto done = [&](ssize_t n) -> Result<std::size_t> {
        if (n >= 0) return std::size_t(n);
        if (errno == ECONNRESET) return std::size_t(0); // a killed peer's socket: the end
        return failErrno("connection recv", errno);
    };
    // A request's answer is not back a few hundred nanoseconds after the
    // request went out: when this thread has sent since its last receive
    // and the last receive here had to wait (request/response, not a
    // pipeline stage whose input is already waiting), the look that would
    // fail is skipped and the wait starts with the yield. On one CPU that
    // is one syscall fewer on each side of a round trip (ping-pong over
    // two pipes, both ends on CPU 0: 1.29 -> 1.03x the raw C round trip,
    // medians of 6 runs; across two CPUs unchanged).
    const bool answerNotYet = std::exchange(t_sentSinceReceive, false) && m_receiveWaited;
    ssize_t n = -1;
    if (!answerNotYet || timeout == kNoWait) {
        n = attempt(false);
        if (n >= 0 || errno != EAGAIN) {
            m_receiveWaited = false;
            return done(n);
        }
    }
    if (timeout == kNoWait) return fail(Errc::Timeout, "connection: no message " + within(timeout));
    m_receiveWaited = true;
    // The writer is usually microseconds away: look a little before
    // sleeping (spin_wait.h). On one CPU the yields hand it the CPU, so it
    // writes a batch instead of being preempted after every message.
    // It has just been tried, or skipped: yield before the next look.
    if (spinUntil([&] { return (n = attempt(false)) >= 0 || errno != EAGAIN; }, kSpinBudgetNs,
                  SpinStart::Yield))
        return done(n);
    if (m_blocking && timeout == kForever && !telemetry::currentSlot()) {
        // No board to keep honest: one blocking read is the rest of the call.
        return done(attempt(true));
    }
    StateScope blocked(ProcState::BlockedRecv, objectIndex());
    sampleKernel();
    for (;;) {
        if (m_blocking && timeout == kForever) return done(attempt(true));
        auto ready = pollOne(m_fd, POLLIN, timeout, dl);
        if (!ready) return std::unexpected(ready.error());
        if (*ready == 0) return fail(Errc::Timeout, "connection: no message " + within(timeout));
        n = attempt(false);
        if (n >= 0 || errno != EAGAIN) return done(n);
    }
}

ssize_t Connection::readFd(std::byte *dst, std::size_t cap, bool block) noexcept
{
    if (m_isSocket) return ::recv(m_fd, dst, cap, block ? 0 : MSG_DONTWAIT);
    if (block || !m_blocking) return ::read(m_fd, dst, cap);
    iovec v{dst, cap};
    return ::preadv2(m_fd, &v, 1, -1, RWF_NOWAIT);
}

ssize_t Connection::writeFd(const iovec *iov, int count, bool block) noexcept
{
    if (m_isSocket) {
        const int flags = MSG_NOSIGNAL | (block ? 0 : MSG_DONTWAIT);
        if (count == 1) return ::send(m_fd, iov[0].iov_base, iov[0].iov_len, flags);
        msghdr msg{};
        msg.msg_iov = const_cast<iovec *>(iov);
        msg.msg_iovlen = std::size_t(count);
        return ::sendmsg(m_fd, &msg, flags);
    }
    if (block || !m_blocking) {
        if (count == 1) return ::write(m_fd, iov[0].iov_base, iov[0].iov_len);
        return ::writev(m_fd, iov, count);
    }
    return ::pwritev2(m_fd, iov, count, -1, RWF_NOWAIT);
}

Result<std::uint32_t> Connection::frameHeader(Duration timeout, std::optional<Deadline> &dl)
{
    if (m_broken) return std::unexpected(*m_broken);
    if (m_frameLength) return *m_frameLength;
    if (m_in.empty()) m_in.resize(kReadAhead);
    for (;;) {
        if (buffered() >= kHeader) {
            std::uint32_t len;
            std::memcpy(&len, m_in.data() + m_inBegin, kHeader);
            if (len > m_maxMessageBytes) {
                // Never allocated, never skipped: the stream cannot be trusted past here.
                m_broken = Error{Errc::TooLarge, "connection: incoming frame announces " +
                                                     std::to_string(len) + " bytes, over the limit of " +
                                                     std::to_string(m_maxMessageBytes) +
                                                     "; the connection is unusable"};
                return std::unexpected(*m_broken);
            }
            m_inBegin += kHeader;
            m_frameLength = len;
            return len;
        }
        if (m_eof) {
            if (buffered() > 0) {
                m_broken = Error{Errc::Corrupt, "connection: the other end closed in the middle of a frame header"};
                return std::unexpected(*m_broken);
            }
            return fail(Errc::EndOfFile, "connection: the other end has closed and nothing is left to read");
        }
        if (m_inBegin == m_inEnd) {
            m_inBegin = m_inEnd = 0;
        } else if (m_in.size() - m_inEnd < kHeader) {
            std::memmove(m_in.data(), m_in.data() + m_inBegin, buffered());
            m_inEnd -= m_inBegin;
            m_inBegin = 0;
        }
        auto n = readSome(m_in.data() + m_inEnd, readSize(m_in.size() - m_inEnd, kHeader - buffered()),
                          timeout, dl);
        if (!n) return std::unexpected(n.error());
        if (*n == 0) m_eof = true;
        m_inEnd += *n;
    }
}

// Delivers the body of the current frame (length known) into dst.
Result<void> Connection::frameBody(std::byte *dst, Duration timeout, std::optional<Deadline> &dl)
{
    const std::size_t len = *m_frameLength;
    const auto truncated = [this] {
        m_broken = Error{Errc::Corrupt, "connection: the other end closed in the middle of a message"};
        return std::unexpected(*m_broken);
    };
    if (len <= kSmallFrame) {
        while (buffered() < len) {
            if (m_eof) return truncated();
            if (m_in.size() - m_inBegin < len) {
                std::memmove(m_in.data(), m_in.data() + m_inBegin, buffered());
                m_inEnd -= m_inBegin;
                m_inBegin = 0;
            }
            auto n = readSome(m_in.data() + m_inEnd, readSize(m_in.size() - m_inEnd, len - buffered()),
                              timeout, dl);
            if (!n) return std::unexpected(n.error());
            if (*n == 0) m_eof = true;
            m_inEnd += *n;
        }
        if (len) std::memcpy(dst, m_in.data() + m_inBegin, len);
        m_inBegin += len;
        return {};
    }
    if (!m_body.empty()) {
        // Resume a large body that an earlier call began.
        while (m_bodyFilled < len) {
            if (m_eof) return truncated();
            auto n = readSome(m_body.data() + m_bodyFilled, len - m_bodyFilled, timeout, dl);
            if (!n) return std::unexpected(n.error());
            if (*n == 0) m_eof = true;
            m_bodyFilled += *n;
        }
        std::memcpy(dst, m_body.data(), len);
        m_body = Bytes();
        m_bodyFilled = 0;
        return {};
    }
    // Large body: what is buffered, then straight from the kernel into dst.
    std::size_t filled = std::min(buffered(), len);
    std::memcpy(dst, m_in.data() + m_inBegin, filled);
    m_inBegin += filled;
    while (filled < len) {
        if (m_eof) return truncated();
        auto n = readSome(dst + filled, len - filled, timeout, dl);
        if (!n) {
            // Keep what arrived; the next call resumes from m_body.
            m_body.resize(len);
            std::memcpy(m_body.data(), dst, filled);
            m_bodyFilled = filled;
            return std::unexpected(n.error());
        }
        if (*n == 0) m_eof = true;
        filled += *n;
    }
    return {};
}

// How much one read into the read-ahead buffer asks for. A socket: all
// there is room for (one recv drains a burst). A pipe reader that keeps
// up -- back for more within 30 us -- asks for what the current step still
// needs, or one frame of the last frame's size if that is more, as a plain
// reader of fixed-size records does; one that was away longer (the writer
// ran meanwhile, on this CPU or another) takes all there is room for.
// Why: a reader that drains the pipe at every read keeps it empty, and
// every write into an empty pipe allocates a fresh page and wakes the
// reader, where a write behind unread data is appended to the page
// already there (one-way 64 B messages on this VM: ~1.3 -> ~1.8 M/s
// unpinned or on separate CPUs). But when both ends share one CPU the
// writer fills the pipe while the reader is away, and one read of the
// whole backlog saves a syscall per message (~2.0 -> ~3.5 M/s there).
std::size_t Connection::readSize(std::size_t room, std::size_t needed) noexcept
{
    constexpr std::uint64_t kAwayNs = 30'000;
    // After a large frame, read only what this step needs: the next body,
    // if large too, then goes from the kernel straight into its destination
    // (frameBody) rather than through this buffer. A 4-byte read costs less
    // than copying 64 KiB a second time (one-way 64 KiB messages with both
    // ends on one CPU: ~0.7 -> ~1.0-1.3x a raw C pipe of 64 KiB writes).
    if (m_lastFrameBytes > kHeader + kSmallFrame) return std::min(room, needed);
    if (m_isSocket) return room;
    const std::uint64_t now = monotonicNs();
    const bool away = now - m_lastReadNs > kAwayNs;
    m_lastReadNs = now;
    if (away) return room;
    return std::min(room, std::max(needed, m_lastFrameBytes));
}

void Connection::finishReceive(std::size_t n) noexcept
{
    m_frameLength.reset();
    m_lastFrameBytes = kHeader + n;
    ++m_counters.messagesReceived;
    m_counters.bytesReceived += n;
    if (BoardSlot *b = telemetry::currentSlot()) [[unlikely]] {
        b->add(Counter::MessagesReceived, 1);
        b->add(Counter::BytesReceived, n);
    }
    if (m_statsEnd) {
        traceMessage(TraceKind::Recv);
        bump(m_statsEnd->messagesReceived, 1);
        bump(m_statsEnd->bytesReceived, n);
        if (m_counters.messagesReceived % kSampleEvery == 0) sampleKernel();
    }
}

Result<void> Connection::recvBytes(Bytes &out, std::optional<std::size_t> maxLength, Duration timeout)
{
    if (auto ok = checkUsable(false); !ok) return ok;
    std::optional<Deadline> dl;
    auto len = frameHeader(timeout, dl);
    if (!len) return std::unexpected(len.error());
    if (maxLength && *len > *maxLength)
        return fail(Errc::TooLarge, "connection: message of " + std::to_string(*len) +
                                        " bytes is longer than maxLength " + std::to_string(*maxLength) +
                                        "; it stays for the next recv");
    if (*len > kSmallFrame && m_bodyFilled == *len && m_body.size() == *len) {
        out = std::exchange(m_body, Bytes());
        m_bodyFilled = 0;
        finishReceive(*len);
        return {};
    }
    out.resize(*len);
    if (auto ok = frameBody(out.data(), timeout, dl); !ok) return ok;
    finishReceive(*len);
    return {};
}

Result<std::size_t> Connection::recvBytesInto(std::span<std::byte> buffer, std::size_t offset,
                                              Duration timeout)
{
    if (auto ok = checkUsable(false); !ok) return std::unexpected(ok.error());
    if (offset > buffer.size())
        return fail(Errc::InvalidArgument, "recvBytesInto: offset " + std::to_string(offset) +
                                               " is beyond the buffer of " +
                                               std::to_string(buffer.size()) + " bytes");
    std::optional<Deadline> dl;
    auto len = frameHeader(timeout, dl);
    if (!len) return std::unexpected(len.error());
    const std::size_t room = buffer.size() - offset;
    if (*len > room)
        return fail(Errc::TooLarge, "recvBytesInto: the message has " + std::to_string(*len) +
                                        " bytes, the buffer has room for " + std::to_string(room) +
                                        "; it stays for the next recv");
    if (auto ok = frameBody(buffer.data() + offset, timeout, dl); !ok) return std::unexpected(ok.error());
    finishReceive(*len);
    return std::size_t(*len);
}

Result<Message> Connection::recv(Duration timeout, DecodeLimits limits)
{
    limits.maxBytes = std::min(limits.maxBytes, m_maxMessageBytes);
    // Received into a buffer kept for the next message, decoded from there.
    thread_local Bytes scratch;
    if (auto ok = recvBytes(scratch, std::nullopt, timeout); !ok) return std::unexpected(ok.error());
    auto value = decodeMessage(scratch, limits);
    if (!value) return fail(value.error().code, "connection: " + value.error().message);
    return value;
}

Result<bool> Connection::poll(Duration timeout)
{
    if (auto ok = checkUsable(false); !ok) return std::unexpected(ok.error());
    if (hasBufferedMessage()) return true;
    // A large body in flight: data is moving, recv will not wait long.
    if (m_frameLength && *m_frameLength > kSmallFrame) return true;
    // Look, never read: a reader shared with another process (a child that
    // inherited it) must not take messages into a buffer of its own that
    // the other would then never see. As in Python, true means data (or
    // the end of the stream) is there, not necessarily a whole message.
    std::optional<Deadline> dl;
    auto ready = pollOne(m_fd, POLLIN, timeout, dl);
    if (!ready) return std::unexpected(ready.error());
    return *ready != 0;
}

// --- sending --------------------------------------------------------------

Result<bool> Connection::waitWritable(Duration timeout, std::optional<Deadline> &dl)
{
    auto ready = pollOne(m_fd, POLLOUT, timeout, dl);
    if (!ready) return std::unexpected(ready.error());
    return *ready != 0; // POLLERR/POLLHUP count: the write then says why
}

Result<std::size_t> Connection::writeAll(std::span<const std::span<const std::byte>> parts, bool blockDirect,
                                         Duration timeout, std::optional<Deadline> &dl, bool &blocked)
{
    std::size_t total = 0;
    for (const auto &part : parts) total += part.size();
    std::optional<StateScope> waiting;
    std::size_t done = 0;
    while (done < total) {
        iovec iov[2];
        int count = 0;
        std::size_t skip = done; // what went out already, part by part
        for (const auto &part : parts) {
            if (skip >= part.size()) {
                skip -= part.size();
                continue;
            }
            if (count == 2) break;
            iov[count++] = {const_cast<std::byte *>(part.data()) + skip, part.size() - skip};
            skip = 0;
        }
        const ssize_t r = retryOnEintr([&] { return writeFd(iov, count, blockDirect); });
        if (r > 0) {
            done += std::size_t(r);
            continue;
        }
        if (r < 0 && (errno == EPIPE || errno == ECONNRESET))
            return fail(Errc::Closed, "broken pipe: the other end has closed");
        if (r < 0 && errno != EAGAIN) return failErrno("connection send", errno);
        if (!waiting) {
            waiting.emplace(ProcState::BlockedSend, objectIndex());
            blocked = true;
            sampleKernel();
        }
        auto w = waitWritable(timeout, dl);
        if (!w) return std::unexpected(w.error());
        if (!*w) break;
    }
    return done;
}

Result<void> Connection::flushPending(Duration timeout, std::optional<Deadline> &dl)
{
    const auto rest = std::span<const std::byte>(m_pendingOut).subspan(m_pendingPos);
    bool blocked = false;
    auto wrote = writeAll(std::span(&rest, 1), false, timeout, dl, blocked);
    if (!wrote) return std::unexpected(wrote.error());
    m_pendingPos += *wrote;
    if (pendingSendBytes() > 0)
        return fail(Errc::Timeout, "connection: " + std::to_string(pendingSendBytes()) +
                                       " bytes of a message still to send " + within(timeout));
    m_pendingOut = Bytes();
    m_pendingPos = 0;
    return {};
}

Result<void> Connection::flush(Duration timeout)
{
    if (auto ok = checkUsable(true); !ok) return ok;
    std::optional<Deadline> dl;
    return flushPending(timeout, dl);
}

Result<void> Connection::sendFrame(std::span<const std::byte> payload, Duration timeout)
{
    if (auto ok = checkUsable(true); !ok) return ok;
    const std::size_t n = payload.size();
    if (n > m_maxMessageBytes)
        return fail(Errc::TooLarge, "connection: message of " + std::to_string(n) +
                                        " bytes exceeds the limit of " + std::to_string(m_maxMessageBytes));
    std::optional<Deadline> dl;
    if (pendingSendBytes() > 0) {
        if (auto f = flushPending(timeout, dl); !f) {
            if (f.error().code == Errc::Timeout)
                return fail(Errc::Timeout, f.error().message + "; nothing of the new message was sent");
            return f;
        }
    }
    const auto header = std::uint32_t(n);
    const std::size_t total = kHeader + n;
    const bool blockDirect = m_blocking && timeout == kForever && !telemetry::currentSlot();
    // A small frame goes out as one contiguous write: copying it costs
    // less than the kernel's walk over two iovecs (on this VM, a pipe
    // written with writev(4 + 64 bytes) moved about a third fewer messages
    // per second than one written with write(64)).
    std::span<const std::byte> parts[2];
    std::size_t count = 0;
    if (total <= kContiguousFrame) {
        if (m_frameOut.size() < kContiguousFrame) m_frameOut.resize(kContiguousFrame); // once
        std::memcpy(m_frameOut.data(), &header, kHeader);
        if (n) std::memcpy(m_frameOut.data() + kHeader, payload.data(), n);
        parts[count++] = std::span<const std::byte>(m_frameOut.data(), total);
    } else {
        parts[count++] = std::as_bytes(std::span(&header, 1));
        parts[count++] = payload;
    }
    // Stamped before the write: once it is in the kernel, the reader may
    // take it before this process runs again. A send that moves nothing
    // leaves its number to the next one (the trace pairs the last).
    traceMessage(TraceKind::Send);
    bool blocked = false;
    auto wrote = writeAll(std::span(parts, count), blockDirect, timeout, dl, blocked);
    if (!wrote) return std::unexpected(wrote.error());
    const std::size_t done = *wrote;
    if (done == 0 && total > 0)
        return fail(Errc::Timeout, "connection: the other end is not reading; nothing sent " + within(timeout));
    if (done < total) {
        // Part of the frame is out: keep the rest so the stream stays whole.
        m_pendingOut.resize(total - done);
        std::size_t skip = done;
        std::byte *to = m_pendingOut.data();
        for (std::size_t k = 0; k < count; ++k) {
            const std::size_t from = std::min(skip, parts[k].size());
            std::memcpy(to, parts[k].data() + from, parts[k].size() - from);
            to += parts[k].size() - from;
            skip -= from;
        }
        m_pendingPos = 0;
        // The message is committed to the stream: count it now.
        countSent(n, true);
        return fail(Errc::Timeout, "connection: sent " + std::to_string(done) + " of " + std::to_string(total) +
                                       " bytes " + within(timeout) + "; the rest goes out with the next send or flush()");
    }
    countSent(n, blocked);
    return {};
}

void Connection::traceMessage(TraceKind kind) const noexcept
{
    if (!telemetry::g_currentTrace || !m_statsEnd) [[likely]]
        return;
    // A message's number in its direction: the sending end's count of
    // sends, the receiving end's count of receives. Direction 0 is end A
    // to end B.
    const auto end = std::uint16_t(m_statsEnd - m_stats->ends);
    const bool send = kind == TraceKind::Send;
    const auto &count = send ? m_statsEnd->messagesSent : m_statsEnd->messagesReceived;
    telemetry::trace(kind, m_stats->objectIndex, std::int64_t(count.load(std::memory_order_relaxed)),
                     send ? end : std::uint16_t(1 - end));
}

void Connection::countSent(std::size_t n, bool sample) noexcept
{
    t_sentSinceReceive = true;
    ++m_counters.messagesSent;
    m_counters.bytesSent += n;
    if (BoardSlot *b = telemetry::currentSlot()) [[unlikely]] {
        b->add(Counter::MessagesSent, 1);
        b->add(Counter::BytesSent, n);
    }
    if (m_statsEnd) {
        bump(m_statsEnd->messagesSent, 1);
        bump(m_statsEnd->bytesSent, n);
        if (sample || m_counters.messagesSent % kSampleEvery == 0) sampleKernel();
    }
}

Result<void> Connection::sendBytes(std::span<const std::byte> buffer, std::size_t offset,
                                   std::optional<std::size_t> size, Duration timeout)
{
    if (offset > buffer.size())
        return fail(Errc::InvalidArgument, "sendBytes: offset " + std::to_string(offset) +
                                               " is beyond the buffer of " +
                                               std::to_string(buffer.size()) + " bytes");
    const std::size_t count = size.value_or(buffer.size() - offset);
    if (count > buffer.size() - offset)
        return fail(Errc::InvalidArgument, "sendBytes: offset " + std::to_string(offset) + " + size " +
                                               std::to_string(count) + " is beyond the buffer of " +
                                               std::to_string(buffer.size()) + " bytes");
    return sendFrame(buffer.subspan(offset, count), timeout);
}

Result<void> Connection::send(const Message &message, Duration timeout)
{
    if (auto ok = checkUsable(true); !ok) return ok;
    auto bytes = encodeMessage(message, m_maxMessageBytes);
    if (!bytes) return std::unexpected(bytes.error());
    return sendFrame(*bytes, timeout);
}

// --- wait -----------------------------------------------------------------

Result<WaitReady> wait(std::span<Connection *const> connections, std::span<const int> processFds,
                       Duration timeout)
{
    std::vector<pollfd> fds;
    fds.reserve(connections.size() + processFds.size());
    WaitReady out;
    for (std::size_t i = 0; i < connections.size(); ++i) {
        const Connection *c = connections[i];
        if (!c || c->isClosed())
            return fail(Errc::Closed, "wait: connection #" + std::to_string(i) + " is closed");
        if (!c->readable())
            return fail(Errc::InvalidArgument, "wait: connection #" + std::to_string(i) + " is write-only");
        if (c->hasBufferedMessage()) out.connections.push_back(i);
        fds.push_back({c->fd(), POLLIN, 0});
    }
    for (int fd : processFds) {
        if (fd < 0) return fail(Errc::InvalidArgument, "wait: process descriptor " + std::to_string(fd));
        fds.push_back({fd, POLLIN, 0});
    }
    std::optional<Deadline> dl;
    std::optional<StateScope> blocked;
    // Already-buffered messages make it a zero-timeout look at the rest.
    Duration left = out.connections.empty() ? timeout : kNoWait;
    for (;;) {
        const int ms = left == kNoWait ? 0 : left == kForever ? -1 : deadlineOf(left, dl).pollMs();
        if (ms != 0 && !blocked) blocked.emplace(ProcState::BlockedRecv, kNoObject);
        const int r = ::poll(fds.data(), fds.size(), ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            return failErrno("wait: poll", errno);
        }
        break;
    }
    for (std::size_t i = 0; i < connections.size(); ++i)
        if (fds[i].revents && std::find(out.connections.begin(), out.connections.end(), i) == out.connections.end())
            out.connections.push_back(i);
    std::sort(out.connections.begin(), out.connections.end());
    for (std::size_t j = 0; j < processFds.size(); ++j)
        if (fds[connections.size() + j].revents) out.processes.push_back(j);
    return out;
}

} // namespace ipc
