// The transport of the manager server: the listening socket, each
// connection's authentication, frames and buffers, the poll loop, and
// holding a connection's requests back while one of them waits. What a
// request does is the ObjectStore's (manager_store.h).
#include "manager_server.h"

#include "board.h"
#include "frame_socket.h"
#include "manager_store.h"
#include "qt_message.h"
#include "spin_wait.h"

#include <QCborArray>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ipc::manager {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

enum class Stage { AwaitDigest, AwaitClientChallenge, AwaitVerdict, Ready };

struct Conn {
    int fd = -1;
    std::uint64_t id = 0;
    Stage stage = Stage::AwaitDigest;
    QByteArray challenge;
    std::uint64_t authDeadlineNs = 0;
    QByteArray in;
    std::size_t inBegin = 0;
    std::size_t inEnd = 0;
    QByteArray out;
    std::size_t outBegin = 0;
    bool parked = false;
    bool closing = false; // close once out is flushed
    bool dead = false;    // close now
};

std::uint32_t readLe32(const char *p) noexcept
{
    const auto *u = reinterpret_cast<const unsigned char *>(p);
    return std::uint32_t(u[0]) | std::uint32_t(u[1]) << 8 | std::uint32_t(u[2]) << 16 |
           std::uint32_t(u[3]) << 24;
}

QByteArrayView view(std::string_view s) { return QByteArrayView(s.data(), qsizetype(s.size())); }

} // namespace

struct ManagerServer::Impl {
    std::string path;
    Key key{};
    ServerOptions options;
    int listenFd = -1;
    std::uint64_t nextConnId = 1;
    std::unordered_map<std::uint64_t, Conn> conns;
    ObjectStore store; // the objects and what requests do to them
    std::vector<std::uint64_t> resume; // connections unparked: process their buffered frames
    bool answeredThisRound = false;    // a reply went out since the last poll
    Request request;                   // the one being handled, read into the same buffer each time
    std::uint32_t roundsWithoutPoll = 0; // readSoleClientAtOnce() rounds since the last poll
    std::uint64_t nextDeadline = 0;      // of a parked request or an authentication; 0: none
    std::vector<pollfd> fds;             // this round's poll set: the listener, then conns
    std::vector<std::uint64_t> ids;      // the connection of fds[i + 1]

    ~Impl()
    {
        for (auto &[id, c] : conns) ::close(c.fd);
        if (listenFd >= 0) {
            ::close(listenFd);
            ::unlink(path.c_str());
        }
        if (options.info) {
            options.info->ready.store(0, std::memory_order_relaxed);
            options.info->clients.store(0, std::memory_order_relaxed);
        }
    }

    // ---- output -------------------------------------------------------

    void queueFrame(Conn &c, QByteArrayView payload)
    {
        const auto n = std::uint32_t(payload.size());
        const char header[kFrameHeaderBytes] = {char(n & 0xff), char((n >> 8) & 0xff),
                                                char((n >> 16) & 0xff), char((n >> 24) & 0xff)};
        c.out.append(header, kFrameHeaderBytes);
        c.out.append(payload);
    }

    void reply(Conn &c, const QCborValue &value)
    {
        if (auto ok = appendReplyFrame(c.out, value); !ok) {
            // A stored value the encoder refuses cannot happen (everything
            // stored came through decodeCbor); say so rather than hang.
            replyError(c, ok.error().code, "server could not encode the reply: " + ok.error().message);
            return;
        }
        countAnswered();
    }

    void replyError(Conn &c, Errc code, const std::string &message)
    {
        appendErrorFrame(c.out, code, message);
        countAnswered();
    }

    void countAnswered()
    {
        if (BoardSlot *slot = telemetry::currentSlot()) [[unlikely]]
            slot->addOps(1);
        if (ManagerInfo *info = options.info)
            info->requests.store(info->requests.load(std::memory_order_relaxed) + 1,
                                 std::memory_order_relaxed);
    }

    void flush(Conn &c)
    {
        while (!c.dead && c.outBegin < std::size_t(c.out.size())) {
            const ssize_t sent = retryOnEintr([&] {
                return ::send(c.fd, c.out.constData() + c.outBegin, std::size_t(c.out.size()) - c.outBegin,
                              MSG_NOSIGNAL | MSG_DONTWAIT);
            });
            if (sent < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) return; // POLLOUT later
                c.dead = true;
                return;
            }
            c.outBegin += std::size_t(sent);
            answeredThisRound = true;
        }
        resetFrameBuffer(c.out);
        c.outBegin = 0;
        if (c.closing) c.dead = true;
    }

    // ---- telemetry ----------------------------------------------------

    void publishWaiting(std::uint32_t extra)
    {
        ManagerInfo *info = options.info;
        if (!info) return;
        const std::uint32_t w = store.parkedCount() + extra;
        info->waiting.store(w, std::memory_order_relaxed);
        if (w > info->maxWaiting.load(std::memory_order_relaxed))
            info->maxWaiting.store(w, std::memory_order_relaxed);
    }

    void publishClients()
    {
        if (!options.info) return;
        std::uint32_t n = 0;
        for (auto &[id, c] : conns)
            if (c.stage == Stage::Ready && !c.dead) ++n;
        options.info->clients.store(n, std::memory_order_relaxed);
    }

    // ---- connections --------------------------------------------------

    void acceptAll()
    {
        for (;;) {
            const int fd = accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return; // EAGAIN, or a transient error: poll tells us again
            if (conns.size() >= options.maxConnections) {
                ::close(fd);
                continue;
            }
            Conn c;
            c.fd = fd;
            c.id = nextConnId++;
            c.challenge = randomChallenge();
            c.authDeadlineNs = monotonicNs() + std::uint64_t(options.authTimeout.count());
            queueFrame(c, c.challenge);
            if (options.info)
                options.info->connections.store(options.info->connections.load(std::memory_order_relaxed) + 1,
                                                std::memory_order_relaxed);
            auto [it, inserted] = conns.emplace(c.id, std::move(c));
            flush(it->second);
        }
    }

    void closeConn(std::uint64_t id)
    {
        auto it = conns.find(id);
        if (it == conns.end()) return;
        ::close(it->second.fd);
        conns.erase(it);
        store.disconnect(id);
        deliverAnswers();
        publishClients();
    }


    void readFrom(Conn &c)
    {
        for (;;) {
            if (std::size_t(c.in.size()) - c.inEnd < kReadChunk / 2) {
                if (c.inBegin > 0) {
                    std::memmove(c.in.data(), c.in.constData() + c.inBegin, c.inEnd - c.inBegin);
                    c.inEnd -= c.inBegin;
                    c.inBegin = 0;
                }
                if (std::size_t(c.in.size()) - c.inEnd < kReadChunk / 2)
                    c.in.resize(qsizetype(c.inEnd + kReadChunk));
            }
            const ssize_t got = retryOnEintr([&] {
                return ::recv(c.fd, c.in.data() + c.inEnd, std::size_t(c.in.size()) - c.inEnd, MSG_DONTWAIT);
            });
            if (got > 0) {
                c.inEnd += std::size_t(got);
                // A full buffer means more may be waiting; otherwise the
                // next poll says so (one recv per request on the fast path).
                if (c.inEnd < std::size_t(c.in.size())) return;
                continue;
            }
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            c.dead = true; // EOF or error: the client is gone
            return;
        }
    }

    std::uint32_t bufferedFrames(const Conn &c) const
    {
        std::uint32_t n = 0;
        std::size_t at = c.inBegin;
        while (c.inEnd - at >= kFrameHeaderBytes) {
            const std::size_t len = kFrameHeaderBytes + readLe32(c.in.constData() + at);
            if (c.inEnd - at < len) break;
            at += len;
            ++n;
        }
        return n;
    }

    // Handles every complete frame of c, unless a request parks it.
    void pump(Conn &c)
    {
        while (!c.dead && !c.closing && !c.parked && c.inEnd - c.inBegin >= kFrameHeaderBytes) {
            const std::uint32_t n = readLe32(c.in.constData() + c.inBegin);
            const std::size_t limit = c.stage == Stage::Ready ? kMaxMessageBytes : kMaxAuthFrame;
            if (n > limit) {
                protocolError(c);
                return;
            }
            if (c.inEnd - c.inBegin < kFrameHeaderBytes + n) {
                // Make sure a large frame can arrive whole.
                if (std::size_t(c.in.size()) < kFrameHeaderBytes + n + c.inBegin)
                    c.in.resize(qsizetype(c.inBegin + kFrameHeaderBytes + n));
                return;
            }
            const QByteArrayView frame(c.in.constData() + c.inBegin + kFrameHeaderBytes, qsizetype(n));
            c.inBegin += kFrameHeaderBytes + n;
            if (c.stage == Stage::Ready) handleRequest(c, frame);
            else handleAuth(c, frame);
        }
        if (c.inBegin == c.inEnd) c.inBegin = c.inEnd = 0;
    }

    void protocolError(Conn &c)
    {
        c.dead = true;
        if (options.info)
            options.info->protocolErrors.store(options.info->protocolErrors.load(std::memory_order_relaxed) + 1,
                                               std::memory_order_relaxed);
    }

    void handleAuth(Conn &c, QByteArrayView frame)
    {
        switch (c.stage) {
        case Stage::AwaitDigest:
            if (digestsEqual(frame, hmacSha256(key, c.challenge))) {
                queueFrame(c, view(kWelcome));
                c.stage = Stage::AwaitClientChallenge;
            } else {
                queueFrame(c, view(kFailure));
                c.closing = true;
                if (options.info)
                    options.info->authFailures.store(options.info->authFailures.load(std::memory_order_relaxed) + 1,
                                                     std::memory_order_relaxed);
                std::fprintf(stderr, "ipc-worker manager: authentication failed: a client did not "
                                     "prove it holds the key (digest received was wrong)\n");
            }
            return;
        case Stage::AwaitClientChallenge:
            if (!isChallenge(frame)) {
                protocolError(c);
                return;
            }
            queueFrame(c, hmacSha256(key, frame));
            c.stage = Stage::AwaitVerdict;
            return;
        case Stage::AwaitVerdict:
            if (frame == view(kWelcome)) {
                c.stage = Stage::Ready;
                c.authDeadlineNs = 0;
                publishClients();
            } else {
                // The client says we do not know the key: nothing to serve.
                c.closing = true;
                if (options.info)
                    options.info->authFailures.store(options.info->authFailures.load(std::memory_order_relaxed) + 1,
                                                     std::memory_order_relaxed);
            }
            return;
        case Stage::Ready:
            return;
        }
    }

    // ---- requests -----------------------------------------------------

    void handleRequest(Conn &c, QByteArrayView frame)
    {
        if (auto ok = request.read(frame); !ok) {
            replyError(c, ok.error().code, "malformed request: " + ok.error().message);
            return;
        }
        auto result = store.execute(c.id, request.op(), request);
        deliverAnswers(); // the waits this request ended
        if (!result) {
            c.parked = true; // answered later
            return;
        }
        if (!*result) replyError(c, result->error().code, result->error().message);
        else reply(c, **result);
    }

    // Hands the answers to parked requests to their connections, which
    // then go on with their next requests (drainResume).
    void deliverAnswers()
    {
        for (ObjectStore::Answer &a : store.takeAnswers()) {
            auto it = conns.find(a.client);
            if (it == conns.end()) continue; // cannot happen: closeConn tells the store first
            Conn &c = it->second;
            c.parked = false;
            resume.push_back(c.id);
            if (a.value) reply(c, *a.value);
            else replyError(c, a.value.error().code, a.value.error().message);
        }
    }

    // Parked requests and unauthenticated connections past their deadline;
    // returns the nearest deadline still ahead (0: none).
    std::uint64_t expire(std::uint64_t now)
    {
        std::uint64_t nearest = store.expire(now);
        deliverAnswers();
        auto consider = [&](std::uint64_t d) {
            if (d != 0 && (nearest == 0 || d < nearest)) nearest = d;
        };
        for (auto &[id, c] : conns) {
            if (c.authDeadlineNs == 0) continue;
            if (c.authDeadlineNs <= now) {
                c.dead = true;
                continue;
            }
            consider(c.authDeadlineNs);
        }
        return nearest;
    }

    void drainResume()
    {
        while (!resume.empty()) {
            std::vector<std::uint64_t> now;
            now.swap(resume);
            for (std::uint64_t id : now) {
                auto it = conns.find(id);
                if (it != conns.end()) pump(it->second);
            }
        }
    }
    // After poll: read from and write to the ready connections (fds[0] is
    // the listening socket, fds[i] the connection ids[i - 1]), answer what
    // was read, accept newcomers.
    void serveReady()
    {
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            auto it = conns.find(ids[i - 1]);
            if (it == conns.end()) continue;
            Conn &c = it->second;
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) readFrom(c);
            if (fds[i].revents & POLLOUT) flush(c);
        }
        // Requests read but not yet answered: the server's own queue.
        std::uint32_t pending = 0;
        for (auto &[id, c] : conns) pending += bufferedFrames(c);
        publishWaiting(pending);
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            auto it = conns.find(ids[i - 1]);
            if (it != conns.end()) pump(it->second);
        }
        drainResume();
        if (fds[0].revents & POLLIN) acceptAll();
    }

    // End of a round: answer what was resumed, send what waits to be sent,
    // close the dead connections (whose locks go to their next waiters).
    void flushAndClose()
    {
        drainResume();
        flushAll();
        std::vector<std::uint64_t> deadIds;
        for (auto &[id, c] : conns)
            if (c.dead) deadIds.push_back(id);
        for (std::uint64_t id : deadIds) closeConn(id);
        if (!deadIds.empty()) {
            drainResume(); // a lock handed on may let a waiter's next request run
            flushAll();
        }
    }

    // After an answer to the only client, its next request is the likeliest
    // thing to come: on one CPU it is there once a yield has let the client
    // run. Reading it is then the look, one syscall where poll and recv
    // were two. Every kPollEvery-th round polls all the same, so that a
    // newcomer on the listening socket waits at most that many requests.
    bool readSoleClientAtOnce()
    {
        static constexpr std::uint32_t kPollEvery = 16;
        if (conns.size() != 1 || ++roundsWithoutPoll >= kPollEvery) return false;
        Conn &c = conns.begin()->second;
        if (c.stage != Stage::Ready || c.parked || c.closing || c.dead || c.outBegin < std::size_t(c.out.size()))
            return false;
        sched_yield();
        const std::size_t before = c.inEnd;
        readFrom(c);
        if (c.inEnd == before && !c.dead) return false;
        publishWaiting(bufferedFrames(c));
        pump(c);
        drainResume();
        return true;
    }

    // Waits in poll for any connection, the listening socket or the next
    // deadline, then serves what is ready. answered: a reply went out this
    // round (the asker cannot have asked again yet).
    Result<void> pollAndServe(bool answered)
    {
        roundsWithoutPoll = 0;
        fds.clear();
        ids.clear();
        fds.push_back({listenFd, POLLIN, 0});
        for (auto &[id, c] : conns) {
            short events = POLLIN;
            if (c.outBegin < std::size_t(c.out.size())) events |= POLLOUT;
            fds.push_back({c.fd, events, 0});
            ids.push_back(id);
        }
        int waitMs = int(std::chrono::duration_cast<std::chrono::milliseconds>(options.tick).count());
        if (nextDeadline != 0) {
            const std::uint64_t now = monotonicNs();
            const std::uint64_t ms = nextDeadline > now ? (nextDeadline - now + 999'999) / 1'000'000 : 0;
            waitMs = std::min<int>(waitMs, int(ms));
        }
        int ready = 0;
        int pollErr = 0;
        {
            // Idle: the diagram shows the server waiting for requests.
            StateScope idle(ProcState::BlockedRecv);
            // The next request is often microseconds away: look a little
            // before sleeping (spin_wait.h). Right after answering, yield
            // first, so on one CPU the client runs at once, without a poll
            // that finds nothing.
            (void)spinUntil([&] {
                ready = poll(fds.data(), nfds_t(fds.size()), 0);
                return ready != 0;
            }, kSpinBudgetNs, answered ? SpinStart::Yield : SpinStart::Look);
            if (ready == 0) ready = poll(fds.data(), nfds_t(fds.size()), waitMs);
            pollErr = errno;
        }
        if (ready < 0) {
            if (pollErr == EINTR) return {};
            return failErrno("manager poll", pollErr);
        }
        if (ready > 0) serveReady();
        return {};
    }

    void flushAll()
    {
        for (auto &[id, c] : conns)
            if (c.outBegin < std::size_t(c.out.size())) flush(c);
    }
};

ManagerServer::ManagerServer(std::unique_ptr<Impl> impl) noexcept : m(std::move(impl)) {}
ManagerServer::~ManagerServer() = default;

const std::string &ManagerServer::path() const noexcept { return m->path; }

Result<std::unique_ptr<ManagerServer>> ManagerServer::listen(std::string_view path, const Key &key,
                                                             ServerOptions options)
{
    auto address = unixSocketAddress(path);
    if (!address) return std::unexpected(address.error());
    sockaddr_un addr = *address;
    auto impl = std::make_unique<Impl>();
    impl->path = std::string(path);
    impl->key = key;
    impl->options = options;
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return failErrno("socket", errno);
    // The directory is private already; 0600 on the socket is belt and braces.
    const mode_t old = umask(0177);
    const int bound = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    const int bindErr = errno;
    umask(old);
    if (bound != 0) {
        ::close(fd);
        return failErrno("bind manager socket '" + std::string(path) + "'", bindErr);
    }
    impl->listenFd = fd;
    if (::listen(fd, 128) != 0) return failErrno("listen on '" + std::string(path) + "'", errno);
    return std::unique_ptr<ManagerServer>(new ManagerServer(std::move(impl)));
}

Result<void> ManagerServer::serve(const std::function<bool()> &shouldStop)
{
    Impl &s = *m;
    while (!s.store.shutdownRequested() && !(shouldStop && shouldStop())) {
        const bool answered = std::exchange(s.answeredThisRound, false);
        if (!answered || !s.readSoleClientAtOnce()) {
            if (auto polled = s.pollAndServe(answered); !polled) return polled;
        }
        const std::uint64_t now = monotonicNs();
        if (BoardSlot *slot = telemetry::currentSlot()) [[unlikely]]
            slot->heartbeatNs.store(now, std::memory_order_relaxed);
        s.nextDeadline = s.expire(now);
        s.flushAndClose();
        s.publishWaiting(0);
    }
    // Shutdown: the reply to it must reach its sender before we close.
    for (auto &[id, c] : s.conns) s.flush(c);
    return {};
}

} // namespace ipc::manager
