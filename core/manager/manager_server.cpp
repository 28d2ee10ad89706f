#include "manager_server.h"

#include "board.h"
#include "frame_socket.h"
#include "manager_containers.h"
#include "message.h"
#include "spin_wait.h"

#include <QCborArray>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ipc::manager {

using server::arg;
using server::intArg;
using server::OrderedMap;
using server::Target;
using server::wrongKind;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxObjectName = 200;
constexpr std::int64_t kMaxSemaphoreValue = 0x7fffffff; // SEM_VALUE_MAX, as the arena Semaphore
constexpr std::int64_t kMaxBarrierParties = 0x7fff;     // as the arena Barrier

enum class Stage { AwaitDigest, AwaitClientChallenge, AwaitVerdict, Ready };

// A request that waits at the server. One per connection at most: a
// client has one request outstanding at a time.
struct Parked {
    std::uint64_t conn;
    Op op;                    // Wait in a lock's queue: a Condition waiter re-acquiring
    QCborValue item;          // Put: the item; Barrier: the arrival index;
                              // Condition re-acquire: whether it was notified
    std::uint64_t deadlineNs; // 0: forever
    std::int64_t depth = 1;   // lock depth to restore on grant (a Condition over an RLock)
};

struct Object {
    Kind kind;
    std::string name;
    OrderedMap map;               // Dict, Namespace
    std::vector<QCborValue> list; // List, Array
    std::deque<QCborValue> queue; // Queue, JoinableQueue
    std::int64_t maxsize = 0;     // Queue, JoinableQueue: 0 unbounded
    std::int64_t unfinished = 0;  // JoinableQueue: items put and not yet task_done()
    QCborValue value;             // Value
    std::uint64_t owner = 0;      // Lock, RLock: holder's connection id (0: free)
    std::int64_t depth = 0;       // RLock: acquisitions by the holder (a Lock: 1 while held)
    bool ownerDied = false;       // Lock, RLock: the holder disconnected holding it
    std::int64_t count = 0;       // Semaphore: its value
    std::int64_t initial = 0;     // BoundedSemaphore: the bound
    bool flag = false;            // Event
    std::int64_t lockId = 0;      // Condition: its Lock or RLock
    std::int64_t parties = 0;     // Barrier
    std::int64_t timeoutNs = -1;  // Barrier: default wait timeout (-1: none)
    bool broken = false;          // Barrier
    std::deque<Parked> waiters;   // acquirers, getters, Event/Condition/Barrier waiters
    std::deque<Parked> putters;   // Queue putters
    std::deque<Parked> joiners;   // JoinableQueue.join() callers

    [[nodiscard]] std::array<std::deque<Parked> *, 3> parkedQueues() { return {&waiters, &putters, &joiners}; }
    [[nodiscard]] Target target() const { return Target{kind, name}; }
    [[nodiscard]] std::string what() const { return std::string(kindName(kind)) + " '" + name + "'"; }
};

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
    std::vector<std::unique_ptr<Object>> objects; // id = index + 1
    std::unordered_map<std::string, std::int64_t> byName;
    std::vector<std::uint64_t> resume; // connections unparked: process their buffered frames
    std::uint32_t parkedCount = 0;
    bool shutdownRequested = false;

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

    void reply(Conn &c, QCborValue value)
    {
        QCborArray a;
        a.append(qint64(0));
        a.append(std::move(value));
        auto bytes = encodeMessage(QCborValue(std::move(a)));
        if (!bytes) {
            // A stored value the encoder refuses cannot happen (everything
            // stored came through decodeMessage); say so rather than hang.
            replyError(c, bytes.error().code, "server could not encode the reply: " + bytes.error().message);
            return;
        }
        queueFrame(c, *bytes);
        countAnswered();
    }

    void replyError(Conn &c, Errc code, const std::string &message)
    {
        QCborArray a;
        a.append(qint64(code) + 1);
        a.append(QString::fromStdString(message));
        queueFrame(c, QCborValue(std::move(a)).toCbor());
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
        }
        c.out.clear();
        c.outBegin = 0;
        if (c.closing) c.dead = true;
    }

    // ---- telemetry ----------------------------------------------------

    void publishWaiting(std::uint32_t extra)
    {
        ManagerInfo *info = options.info;
        if (!info) return;
        const std::uint32_t w = parkedCount + extra;
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
        // Its parked requests go; the locks it held pass on, flagged; a
        // barrier it waited at breaks (Python's would wait for ever).
        for (auto &o : objects) {
            Object &obj = *o;
            std::size_t dropped = 0;
            for (auto *q : obj.parkedQueues())
                dropped += std::erase_if(*q, [&](const Parked &p) { return p.conn == id; });
            parkedCount -= std::uint32_t(dropped);
            if ((obj.kind == Kind::Lock || obj.kind == Kind::RLock) && obj.owner == id) {
                obj.owner = 0;
                obj.depth = 0;
                obj.ownerDied = true;
                grantLock(obj);
            }
            if (obj.kind == Kind::Barrier && dropped > 0)
                breakBarrier(obj, 0, "a waiting process disconnected");
        }
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

    Object *objectFor(std::int64_t id)
    {
        if (id < 1 || std::size_t(id) > objects.size()) return nullptr;
        return objects[std::size_t(id - 1)].get();
    }

    static std::uint64_t deadlineFrom(std::int64_t timeoutNs)
    {
        if (timeoutNs < 0) return 0;
        return monotonicNs() + std::uint64_t(timeoutNs) + 1; // +1: never 0 (0 means forever)
    }

    void park(Conn &c, std::deque<Parked> &q, Op op, QCborValue item, std::int64_t timeoutNs)
    {
        q.push_back(Parked{c.id, op, std::move(item), deadlineFrom(timeoutNs)});
        c.parked = true;
        ++parkedCount;
    }

    // Answers a parked request of connection id and lets it go on.
    Conn *unpark(std::uint64_t id)
    {
        auto it = conns.find(id);
        if (it == conns.end()) return nullptr; // cannot happen: closeConn drops its parked requests
        it->second.parked = false;
        --parkedCount;
        resume.push_back(id);
        return &it->second;
    }

    void handleRequest(Conn &c, QByteArrayView frame)
    {
        auto decoded = decodeMessage(frame);
        if (!decoded) {
            replyError(c, decoded.error().code, "malformed request: " + decoded.error().message);
            return;
        }
        const QCborArray req = decoded->toArray();
        if (!decoded->isArray() || req.size() < 2 || !req.at(0).isInteger() || !req.at(1).isInteger()) {
            replyError(c, Errc::InvalidArgument, "malformed request: expected [op, objectId, args...]");
            return;
        }
        auto result = execute(c, Op(req.at(0).toInteger()), req);
        if (c.parked) return; // answered later
        if (!result) replyError(c, result.error().code, result.error().message);
        else reply(c, std::move(*result));
    }

    // One function per family of kinds: each knows its own operations and
    // refuses the others (wrongKind).
    Result<QCborValue> execute(Conn &c, Op op, const QCborArray &req)
    {
        switch (op) {
        case Op::Ping: return QCborValue(nullptr);
        case Op::Shutdown: shutdownRequested = true; return QCborValue(nullptr);
        case Op::Open: return open(req);
        default: break;
        }
        if (opName(op).empty())
            return fail(Errc::InvalidArgument, "unknown operation " + std::to_string(std::int64_t(op)));
        Object *o = objectFor(req.at(1).toInteger());
        if (!o) return fail(Errc::NotFound, "no manager object #" + std::to_string(req.at(1).toInteger()));
        switch (o->kind) {
        case Kind::Dict:
        case Kind::Namespace: return server::mapRequest(o->map, o->target(), op, req);
        case Kind::List:
        case Kind::Array: return server::listRequest(o->list, o->target(), op, req);
        case Kind::Value: return valueRequest(*o, op, req);
        case Kind::Queue:
        case Kind::JoinableQueue: return queueRequest(c, *o, op, req);
        case Kind::Lock:
        case Kind::RLock: return lockRequest(c, *o, op, req);
        case Kind::Semaphore:
        case Kind::BoundedSemaphore: return semaphoreRequest(c, *o, op, req);
        case Kind::Event: return eventRequest(c, *o, op, req);
        case Kind::Condition: return conditionRequest(c, *o, op, req);
        case Kind::Barrier: return barrierRequest(c, *o, op, req);
        }
        return wrongKind(o->target(), op);
    }

    // ---- Open -----------------------------------------------------------

    Result<QCborValue> open(const QCborArray &req)
    {
        auto kindNo = intArg(req, 2, "kind");
        if (!kindNo) return std::unexpected(kindNo.error());
        if (*kindNo < std::int64_t(Kind::Dict) || *kindNo > std::int64_t(kLastKind))
            return fail(Errc::InvalidArgument, "unknown object kind " + std::to_string(*kindNo));
        const Kind kind = Kind(*kindNo);
        if (!arg(req, 3).isString()) return fail(Errc::InvalidArgument, "Open needs a name");
        const std::string name = arg(req, 3).toString().toStdString();
        if (name.empty() || name.size() > kMaxObjectName)
            return fail(Errc::InvalidArgument, "object names have 1 to " + std::to_string(kMaxObjectName) +
                                                   " characters");
        if (auto it = byName.find(name); it != byName.end()) {
            const Object &o = *objects[std::size_t(it->second - 1)];
            if (o.kind != kind)
                return fail(Errc::InvalidArgument, "manager object '" + name + "' is a " +
                                                       std::string(kindName(o.kind)) + ", not a " +
                                                       std::string(kindName(kind)));
            if (kind == Kind::Condition)
                if (auto same = sameConditionLock(o, arg(req, 4)); !same) return std::unexpected(same.error());
            return QCborValue(qint64(it->second));
        }
        auto o = std::make_unique<Object>();
        o->kind = kind;
        o->name = name;
        if (auto ok = initObject(*o, arg(req, 4), arg(req, 5)); !ok) return std::unexpected(ok.error());
        objects.push_back(std::move(o));
        const auto id = std::int64_t(objects.size());
        byName.emplace(name, id);
        return QCborValue(qint64(id));
    }

    // The creation arguments of each kind (manager_protocol.h, Op::Open).
    Result<void> initObject(Object &o, const QCborValue &a, const QCborValue &b)
    {
        const bool none = a.isNull() || a.isUndefined();
        switch (o.kind) {
        case Kind::Queue:
        case Kind::JoinableQueue:
            if (!none && (!a.isInteger() || a.toInteger() < 0))
                return fail(Errc::InvalidArgument, o.what() + ": maxsize must be an integer >= 0");
            o.maxsize = none ? 0 : a.toInteger();
            return {};
        case Kind::Value: o.value = a; return {};
        case Kind::Semaphore:
        case Kind::BoundedSemaphore:
            if (!none && (!a.isInteger() || a.toInteger() < 0 || a.toInteger() > kMaxSemaphoreValue))
                return fail(Errc::InvalidArgument, o.what() + ": initial value must be an integer from 0 to " +
                                                       std::to_string(kMaxSemaphoreValue));
            o.count = o.initial = none ? 1 : a.toInteger();
            return {};
        case Kind::Condition: return bindCondition(o, a);
        case Kind::Barrier:
            if (!a.isInteger() || a.toInteger() < 1 || a.toInteger() > kMaxBarrierParties)
                return fail(Errc::InvalidArgument, o.what() + ": parties must be an integer from 1 to " +
                                                       std::to_string(kMaxBarrierParties));
            if (!b.isNull() && !b.isUndefined() && (!b.isInteger() || b.toInteger() < -1))
                return fail(Errc::InvalidArgument, o.what() + ": timeout must be ns >= 0, or -1/null for none");
            o.parties = a.toInteger();
            o.timeoutNs = b.isInteger() ? b.toInteger() : -1;
            return {};
        case Kind::Array:
            if (!none && !a.isArray())
                return fail(Errc::InvalidArgument, o.what() + ": initial values must be an array");
            for (const QCborValue &v : a.toArray()) o.list.push_back(v);
            return {};
        default: return {};
        }
    }

    // A Condition's lock: a Lock or RLock opened by name before, or (null)
    // an RLock of its own, as Python's Condition() makes one. Its own lock
    // has no name in byName: only the Condition reaches it.
    Result<void> bindCondition(Object &cond, const QCborValue &lockName)
    {
        if (lockName.isNull() || lockName.isUndefined()) {
            auto lock = std::make_unique<Object>();
            lock->kind = Kind::RLock;
            lock->name = cond.name + ".lock";
            objects.push_back(std::move(lock));
            cond.lockId = std::int64_t(objects.size());
            return {};
        }
        if (!lockName.isString()) return fail(Errc::InvalidArgument, cond.what() + ": the lock is named by a string");
        const std::string name = lockName.toString().toStdString();
        auto it = byName.find(name);
        if (it == byName.end())
            return fail(Errc::NotFound, cond.what() + ": no Lock or RLock named '" + name + "' (open it first)");
        const Object &lock = *objects[std::size_t(it->second - 1)];
        if (lock.kind != Kind::Lock && lock.kind != Kind::RLock)
            return fail(Errc::InvalidArgument, cond.what() + ": '" + name + "' is a " +
                                                   std::string(kindName(lock.kind)) + ", not a Lock or RLock");
        cond.lockId = it->second;
        return {};
    }

    // Opening an existing Condition naming a lock: it must be the one it has.
    Result<void> sameConditionLock(const Object &cond, const QCborValue &lockName)
    {
        if (lockName.isNull() || lockName.isUndefined()) return {};
        const std::string name = lockName.toString().toStdString();
        auto it = byName.find(name);
        if (it == byName.end() || it->second != cond.lockId)
            return fail(Errc::InvalidArgument, cond.what() + " is bound to " + objects[std::size_t(cond.lockId - 1)]->what() +
                                                   ", not to '" + name + "'");
        return {};
    }

    // ---- Value ----------------------------------------------------------

    static Result<QCborValue> valueRequest(Object &v, Op op, const QCborArray &req)
    {
        if (op == Op::Load) return v.value;
        if (op == Op::Store) {
            v.value = arg(req, 2);
            return QCborValue(nullptr);
        }
        return wrongKind(v.target(), op);
    }

    // ---- Queue and JoinableQueue -----------------------------------------

    Result<QCborValue> queueRequest(Conn &c, Object &q, Op op, const QCborArray &req)
    {
        const bool joinable = q.kind == Kind::JoinableQueue;
        switch (op) {
        case Op::Put: {
            auto timeout = intArg(req, 3, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            return put(c, q, arg(req, 2), *timeout);
        }
        case Op::Take: {
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            return take(c, q, *timeout);
        }
        case Op::Len: return QCborValue(qint64(q.queue.size()));
        case Op::TaskDone:
            if (!joinable) break;
            return taskDone(q);
        case Op::Join: {
            if (!joinable) break;
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            if (q.unfinished == 0) return QCborValue(nullptr);
            if (*timeout == 0)
                return fail(Errc::Timeout, q.what() + " has " + std::to_string(q.unfinished) + " unfinished tasks");
            park(c, q.joiners, Op::Join, QCborValue(nullptr), *timeout);
            return QCborValue(nullptr);
        }
        default: break;
        }
        return wrongKind(q.target(), op);
    }

    // An item entered the queue (or went straight to a getter): one more
    // task for a JoinableQueue, as Python's put counts it.
    static void accepted(Object &q)
    {
        if (q.kind == Kind::JoinableQueue) ++q.unfinished;
    }

    Result<QCborValue> put(Conn &c, Object &q, const QCborValue &item, std::int64_t timeoutNs)
    {
        // A waiting getter takes the item straight away.
        while (!q.waiters.empty()) {
            Parked p = std::move(q.waiters.front());
            q.waiters.pop_front();
            if (Conn *getter = unpark(p.conn)) {
                accepted(q);
                reply(*getter, item);
                return QCborValue(nullptr);
            }
        }
        if (q.maxsize == 0 || std::int64_t(q.queue.size()) < q.maxsize) {
            q.queue.push_back(item);
            accepted(q);
            return QCborValue(nullptr);
        }
        if (timeoutNs == 0) return fail(Errc::Full, q.what() + " is full");
        park(c, q.putters, Op::Put, item, timeoutNs);
        return QCborValue(nullptr);
    }

    Result<QCborValue> take(Conn &c, Object &q, std::int64_t timeoutNs)
    {
        if (!q.queue.empty()) {
            QCborValue v = std::move(q.queue.front());
            q.queue.pop_front();
            // Room now: the first waiting putter's item goes in.
            while (!q.putters.empty()) {
                Parked p = std::move(q.putters.front());
                q.putters.pop_front();
                if (Conn *putter = unpark(p.conn)) {
                    q.queue.push_back(std::move(p.item));
                    accepted(q);
                    reply(*putter, QCborValue(nullptr));
                    break;
                }
            }
            return v;
        }
        if (timeoutNs == 0) return fail(Errc::Empty, q.what() + " is empty");
        park(c, q.waiters, Op::Take, QCborValue(nullptr), timeoutNs);
        return QCborValue(nullptr);
    }

    Result<QCborValue> taskDone(Object &q)
    {
        if (q.unfinished == 0)
            return fail(Errc::ValueError, "task_done() called too many times on " + q.what() +
                                              ": every item put is done already");
        if (--q.unfinished == 0) wakeAll(q.joiners, QCborValue(nullptr));
        return QCborValue(nullptr);
    }

    // Every request parked in q gets the same answer.
    void wakeAll(std::deque<Parked> &q, const QCborValue &answer)
    {
        while (!q.empty()) {
            Parked p = std::move(q.front());
            q.pop_front();
            if (Conn *c = unpark(p.conn)) reply(*c, answer);
        }
    }

    // ---- Lock and RLock ---------------------------------------------------

    Result<QCborValue> lockRequest(Conn &c, Object &lock, Op op, const QCborArray &req)
    {
        if (op == Op::Acquire) {
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            return acquireLock(c, lock, *timeout);
        }
        if (op == Op::Release) return releaseLock(c, lock);
        return wrongKind(lock.target(), op);
    }

    // Replies 0 (acquired) or 1 (acquired; the previous holder died).
    Result<QCborValue> acquireLock(Conn &c, Object &lock, std::int64_t timeoutNs)
    {
        if (lock.owner == c.id) {
            if (lock.kind == Kind::RLock) {
                ++lock.depth;
                return QCborValue(0);
            }
            // Python's Lock would hang for ever here (deliberate difference).
            return fail(Errc::WouldDeadlock, "this connection already holds " + lock.what());
        }
        if (lock.owner == 0 && lock.waiters.empty()) {
            lock.owner = c.id;
            lock.depth = 1;
            return QCborValue(std::exchange(lock.ownerDied, false) ? 1 : 0);
        }
        if (timeoutNs == 0) return fail(Errc::Timeout, lock.what() + " is held");
        park(c, lock.waiters, Op::Acquire, QCborValue(nullptr), timeoutNs);
        return QCborValue(nullptr);
    }

    // A Lock is Python's threading.Lock: any connection may release it
    // while it is held. An RLock only by its holder, once per acquire.
    Result<QCborValue> releaseLock(Conn &c, Object &lock)
    {
        if (lock.kind == Kind::RLock) {
            if (lock.owner != c.id)
                return fail(Errc::NotOwner, "cannot release " + lock.what() + ": this connection does not hold it");
            if (--lock.depth > 0) return QCborValue(nullptr);
        } else if (lock.owner == 0) {
            return fail(Errc::NotOwner, "release of " + lock.what() + ", which nobody holds");
        }
        lock.owner = 0;
        lock.depth = 0;
        grantLock(lock);
        return QCborValue(nullptr);
    }

    // A free lock goes to the first waiter: an acquirer (reply 0/1), or a
    // Condition waiter re-acquiring (reply [notified, ownerDied], its RLock
    // depth restored).
    void grantLock(Object &lock)
    {
        while (lock.owner == 0 && !lock.waiters.empty()) {
            Parked p = std::move(lock.waiters.front());
            lock.waiters.pop_front();
            Conn *c = unpark(p.conn);
            if (!c) continue;
            lock.owner = p.conn;
            lock.depth = p.depth;
            const bool died = std::exchange(lock.ownerDied, false);
            if (p.op == Op::Wait) reply(*c, QCborValue(QCborArray{p.item, died}));
            else reply(*c, QCborValue(died ? 1 : 0));
        }
    }

    // ---- Semaphore and BoundedSemaphore -----------------------------------

    Result<QCborValue> semaphoreRequest(Conn &c, Object &s, Op op, const QCborArray &req)
    {
        switch (op) {
        case Op::Acquire: {
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            if (s.count > 0) {
                --s.count;
                return QCborValue(true);
            }
            if (*timeout == 0) return QCborValue(false); // Python: acquire(False) -> False
            park(c, s.waiters, Op::Acquire, QCborValue(nullptr), *timeout);
            return QCborValue(nullptr);
        }
        case Op::Release: return releaseSemaphore(s, arg(req, 2));
        case Op::Load: return QCborValue(qint64(s.count));
        default: return wrongKind(s.target(), op);
        }
    }

    Result<QCborValue> releaseSemaphore(Object &s, const QCborValue &nArg)
    {
        const bool none = nArg.isNull() || nArg.isUndefined();
        if (!none && (!nArg.isInteger() || nArg.toInteger() < 1))
            return fail(Errc::InvalidArgument, "release(n) of " + s.what() + ": n must be one or more");
        const std::int64_t n = none ? 1 : nArg.toInteger();
        const bool bounded = s.kind == Kind::BoundedSemaphore;
        const std::int64_t limit = bounded ? s.initial : kMaxSemaphoreValue;
        if (n > limit - s.count)
            return fail(Errc::ValueError, s.what() + " released too many times: value " + std::to_string(s.count) +
                                              " + " + std::to_string(n) + " would exceed " +
                                              (bounded ? "its initial value " : "the largest value ") +
                                              std::to_string(limit));
        s.count += n;
        while (s.count > 0 && !s.waiters.empty()) {
            Parked p = std::move(s.waiters.front());
            s.waiters.pop_front();
            if (Conn *c = unpark(p.conn)) {
                --s.count;
                reply(*c, QCborValue(true));
            }
        }
        return QCborValue(nullptr);
    }

    // ---- Event ------------------------------------------------------------

    Result<QCborValue> eventRequest(Conn &c, Object &e, Op op, const QCborArray &req)
    {
        switch (op) {
        case Op::SetFlag:
            e.flag = true;
            wakeAll(e.waiters, QCborValue(true));
            return QCborValue(nullptr);
        case Op::ClearFlag: e.flag = false; return QCborValue(nullptr);
        case Op::IsSet: return QCborValue(e.flag);
        case Op::Wait: {
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            if (e.flag || *timeout == 0) return QCborValue(e.flag);
            park(c, e.waiters, Op::Wait, QCborValue(nullptr), *timeout);
            return QCborValue(nullptr);
        }
        default: return wrongKind(e.target(), op);
        }
    }

    // ---- Condition ----------------------------------------------------------

    Object &lockOf(const Object &cond) { return *objects[std::size_t(cond.lockId - 1)]; }

    Result<QCborValue> conditionRequest(Conn &c, Object &cond, Op op, const QCborArray &req)
    {
        Object &lock = lockOf(cond);
        switch (op) {
        case Op::Acquire:
        case Op::Release: return lockRequest(c, lock, op, req);
        case Op::Wait: {
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            if (lock.owner != c.id)
                return fail(Errc::NotOwner, "cannot wait on " + cond.what() + ": this connection does not hold " +
                                                lock.what());
            // Release completely (an RLock however deep), sleep, and on
            // notify or timeout queue for the lock again (reacquire).
            park(c, cond.waiters, Op::Wait, QCborValue(nullptr), *timeout);
            cond.waiters.back().depth = lock.depth;
            lock.owner = 0;
            lock.depth = 0;
            grantLock(lock);
            return QCborValue(nullptr);
        }
        case Op::Notify:
        case Op::NotifyAll: {
            const QCborValue nArg = arg(req, 2);
            const bool one = op == Op::Notify && (nArg.isNull() || nArg.isUndefined());
            if (op == Op::Notify && !one && (!nArg.isInteger() || nArg.toInteger() < 0))
                return fail(Errc::InvalidArgument, "notify(n) of " + cond.what() + ": n must be an integer >= 0");
            if (lock.owner != c.id)
                return fail(Errc::NotOwner, "cannot notify on " + cond.what() + ": this connection does not hold " +
                                                lock.what());
            std::int64_t n = op == Op::NotifyAll ? std::numeric_limits<std::int64_t>::max()
                                                 : (one ? 1 : nArg.toInteger());
            for (; n > 0 && !cond.waiters.empty(); --n) {
                Parked p = std::move(cond.waiters.front());
                cond.waiters.pop_front();
                reacquire(lock, std::move(p), true);
            }
            return QCborValue(nullptr);
        }
        default: return wrongKind(cond.target(), op);
        }
    }

    // A Condition waiter, notified or timed out, queues for the lock with
    // no deadline (Python's wait re-acquires however long it takes); it is
    // still parked, so the parked count does not change.
    void reacquire(Object &lock, Parked p, bool notified)
    {
        p.item = QCborValue(notified);
        p.deadlineNs = 0;
        lock.waiters.push_back(std::move(p));
        grantLock(lock);
    }

    // ---- Barrier ------------------------------------------------------------

    Result<QCborValue> barrierRequest(Conn &c, Object &b, Op op, const QCborArray &req)
    {
        switch (op) {
        case Op::Wait: {
            const QCborValue t = arg(req, 2);
            if (!t.isNull() && !t.isUndefined() && !t.isInteger())
                return fail(Errc::InvalidArgument, "wait on " + b.what() + ": timeout must be ns, or null");
            return arrive(c, b, t.isInteger() ? t.toInteger() : b.timeoutNs);
        }
        case Op::Abort:
            breakBarrier(b, 0, "it was aborted");
            return QCborValue(nullptr);
        case Op::Reset:
            breakBarrier(b, 0, "it was reset");
            b.broken = false;
            return QCborValue(nullptr);
        case Op::BarrierState:
            return QCborValue(QCborArray{qint64(b.parties), qint64(b.waiters.size()), b.broken});
        default: return wrongKind(b.target(), op);
        }
    }

    Result<QCborValue> arrive(Conn &c, Object &b, std::int64_t timeoutNs)
    {
        if (b.broken) return fail(Errc::BrokenBarrier, b.what() + " is broken (reset() makes it usable again)");
        const auto index = qint64(b.waiters.size());
        if (index + 1 < b.parties) {
            park(c, b.waiters, Op::Wait, QCborValue(index), timeoutNs);
            return QCborValue(nullptr);
        }
        // The last to arrive releases this generation; the next starts empty.
        while (!b.waiters.empty()) {
            Parked p = std::move(b.waiters.front());
            b.waiters.pop_front();
            if (Conn *w = unpark(p.conn)) reply(*w, p.item);
        }
        return QCborValue(index);
    }

    // Every waiter gets BrokenBarrier; culprit (a connection whose timeout
    // did it, 0: none) is told so. The barrier stays broken until reset().
    void breakBarrier(Object &b, std::uint64_t culprit, const std::string &why)
    {
        b.broken = true;
        while (!b.waiters.empty()) {
            Parked p = std::move(b.waiters.front());
            b.waiters.pop_front();
            Conn *w = unpark(p.conn);
            if (!w) continue;
            replyError(*w, Errc::BrokenBarrier,
                       p.conn == culprit ? b.what() + ": this wait timed out and broke the barrier for all"
                                         : b.what() + " broke while waiting: " + why);
        }
    }

    // ---- timeouts -----------------------------------------------------------

    // A parked request whose deadline passed, already taken out of its queue.
    void timedOut(Object &obj, Parked p)
    {
        switch (obj.kind) {
        case Kind::Condition: reacquire(lockOf(obj), std::move(p), false); return;
        case Kind::Barrier: {
            // Python: the waiter whose timeout ran out breaks the barrier.
            obj.waiters.push_front(std::move(p));
            breakBarrier(obj, obj.waiters.front().conn, "another waiter's timeout ran out");
            return;
        }
        default: break;
        }
        Conn *c = unpark(p.conn);
        if (!c) return;
        switch (obj.kind) {
        case Kind::Semaphore:
        case Kind::BoundedSemaphore:
        case Kind::Event: reply(*c, QCborValue(false)); return; // Python returns False
        case Kind::Lock:
        case Kind::RLock: replyError(*c, Errc::Timeout, obj.what() + " not acquired within the timeout"); return;
        default: break;
        }
        const std::string what = p.op == Op::Put    ? obj.what() + " stayed full"
                                 : p.op == Op::Take ? obj.what() + " stayed empty"
                                                    : obj.what() + " still had " + std::to_string(obj.unfinished) +
                                                          " unfinished tasks";
        replyError(*c, Errc::Timeout, what + " within the timeout");
    }

    // Parked requests and unauthenticated connections past their deadline;
    // returns the nearest deadline still ahead (0: none).
    std::uint64_t expire(std::uint64_t now)
    {
        std::uint64_t nearest = 0;
        auto consider = [&](std::uint64_t d) {
            if (d != 0 && (nearest == 0 || d < nearest)) nearest = d;
        };
        // Collected first, handled after: handling one (a barrier breaking,
        // a condition waiter queueing for its lock) changes other queues.
        std::vector<std::pair<Object *, std::uint64_t>> due;
        for (auto &obj : objects)
            for (auto *q : obj->parkedQueues())
                for (const Parked &p : *q) {
                    if (p.deadlineNs != 0 && p.deadlineNs <= now) due.emplace_back(obj.get(), p.conn);
                    else consider(p.deadlineNs);
                }
        for (auto [obj, conn] : due)
            for (auto *q : obj->parkedQueues()) {
                auto it = std::ranges::find_if(*q, [&](const Parked &p) { return p.conn == conn; });
                if (it == q->end()) continue; // answered meanwhile (its barrier broke)
                Parked p = std::move(*it);
                q->erase(it);
                timedOut(*obj, std::move(p));
                break;
            }
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
    void serveReady(const std::vector<pollfd> &fds, const std::vector<std::uint64_t> &ids)
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
    std::vector<pollfd> fds;
    std::vector<std::uint64_t> ids;
    std::uint64_t nextDeadline = 0;
    while (!s.shutdownRequested && !(shouldStop && shouldStop())) {
        fds.clear();
        ids.clear();
        fds.push_back({s.listenFd, POLLIN, 0});
        for (auto &[id, c] : s.conns) {
            short events = POLLIN;
            if (c.outBegin < std::size_t(c.out.size())) events |= POLLOUT;
            fds.push_back({c.fd, events, 0});
            ids.push_back(id);
        }
        int waitMs = int(std::chrono::duration_cast<std::chrono::milliseconds>(s.options.tick).count());
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
            // before sleeping (spin_wait.h).
            (void)spinUntil([&] {
                ready = poll(fds.data(), nfds_t(fds.size()), 0);
                return ready != 0;
            });
            if (ready == 0) ready = poll(fds.data(), nfds_t(fds.size()), waitMs);
            pollErr = errno;
        }
        if (BoardSlot *slot = telemetry::currentSlot()) [[unlikely]]
            slot->heartbeatNs.store(monotonicNs(), std::memory_order_relaxed);
        if (ready < 0) {
            if (pollErr == EINTR) continue;
            return failErrno("manager poll", pollErr);
        }
        if (ready > 0) s.serveReady(fds, ids);
        nextDeadline = s.expire(monotonicNs());
        s.flushAndClose();
        s.publishWaiting(0);
    }
    // Shutdown: the reply to it must reach its sender before we close.
    for (auto &[id, c] : s.conns) s.flush(c);
    return {};
}

} // namespace ipc::manager
