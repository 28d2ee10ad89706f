#include "manager/manager_server.h"

#include "board.h"
#include "manager/frame_socket.h"
#include "message.h"
#include "spin_wait.h"

#include <QCborArray>
#include <QCborMap>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <list>
#include <optional>
#include <map>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace ipc::manager {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxObjectName = 200;

struct CborLess {
    bool operator()(const QCborValue &a, const QCborValue &b) const { return a.compare(b) < 0; }
};

// A dict as Python's since 3.7: it keeps insertion order (setting a key
// it holds keeps the key's place; removing and setting it again moves it to
// the end), found by key in O(log n).
class OrderedMap {
public:
    using Entry = std::pair<QCborValue, QCborValue>;

    [[nodiscard]] const QCborValue *find(const QCborValue &key) const
    {
        auto it = m_index.find(key);
        return it == m_index.end() ? nullptr : &it->second->second;
    }
    void set(const QCborValue &key, QCborValue value)
    {
        if (auto it = m_index.find(key); it != m_index.end()) {
            it->second->second = std::move(value);
            return;
        }
        m_entries.emplace_back(key, std::move(value));
        m_index.emplace(key, std::prev(m_entries.end()));
    }
    [[nodiscard]] std::optional<QCborValue> take(const QCborValue &key)
    {
        auto it = m_index.find(key);
        if (it == m_index.end()) return std::nullopt;
        QCborValue value = std::move(it->second->second);
        m_entries.erase(it->second);
        m_index.erase(it);
        return value;
    }
    [[nodiscard]] bool contains(const QCborValue &key) const { return m_index.count(key) > 0; }
    [[nodiscard]] std::size_t size() const noexcept { return m_entries.size(); }
    void clear()
    {
        m_index.clear();
        m_entries.clear();
    }
    [[nodiscard]] auto begin() const { return m_entries.begin(); }
    [[nodiscard]] auto end() const { return m_entries.end(); }

private:
    std::list<Entry> m_entries;
    std::map<QCborValue, std::list<Entry>::iterator, CborLess> m_index;
};

enum class Stage { AwaitDigest, AwaitClientChallenge, AwaitVerdict, Ready };

struct Parked {
    std::uint64_t conn;
    Op op;
    QCborValue item;          // Put: the item waiting for room
    std::uint64_t deadlineNs; // 0: forever
};

struct Object {
    Kind kind;
    std::string name;
    OrderedMap map;                                  // Dict, Namespace
    std::vector<QCborValue> list;                    // List
    std::deque<QCborValue> queue;                    // Queue
    std::int64_t maxsize = 0;                        // Queue: 0 unbounded
    QCborValue value;                                // Value
    std::uint64_t owner = 0;                         // Lock: holder's connection id
    bool ownerDied = false;                          // Lock: the holder disconnected holding it
    std::deque<Parked> waiters;                      // Lock acquirers, Queue getters
    std::deque<Parked> putters;                      // Queue putters
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

std::string shortText(const QCborValue &v)
{
    std::string s = v.toDiagnosticNotation().toStdString();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

struct Failure {
    Errc code;
    std::string message;
};

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
        // Its parked requests go; the locks it held pass on, flagged.
        for (auto &obj : objects) {
            auto drop = [&](std::deque<Parked> &q) {
                const auto before = q.size();
                std::erase_if(q, [&](const Parked &p) { return p.conn == id; });
                parkedCount -= std::uint32_t(before - q.size());
            };
            drop(obj->waiters);
            drop(obj->putters);
            if (obj->kind == Kind::Lock && obj->owner == id) {
                obj->owner = 0;
                obj->ownerDied = true;
                grantLock(*obj);
            }
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

    void grantLock(Object &lock)
    {
        while (lock.owner == 0 && !lock.waiters.empty()) {
            Parked p = std::move(lock.waiters.front());
            lock.waiters.pop_front();
            Conn *c = unpark(p.conn);
            if (!c) continue;
            lock.owner = p.conn;
            reply(*c, QCborValue(lock.ownerDied ? 1 : 0));
            lock.ownerDied = false;
        }
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

    static Result<std::int64_t> intArg(const QCborArray &req, qsizetype i, const char *what)
    {
        if (req.size() <= i || !req.at(i).isInteger())
            return fail(Errc::InvalidArgument, std::string("request needs an integer ") + what);
        return req.at(i).toInteger();
    }

    static QCborValue arg(const QCborArray &req, qsizetype i)
    {
        return req.size() > i ? req.at(i) : QCborValue(nullptr);
    }

    Result<QCborValue> open(const QCborArray &req)
    {
        auto kindNo = intArg(req, 2, "kind");
        if (!kindNo) return std::unexpected(kindNo.error());
        if (*kindNo < std::int64_t(Kind::Dict) || *kindNo > std::int64_t(Kind::Value))
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
            return QCborValue(qint64(it->second));
        }
        auto o = std::make_unique<Object>();
        o->kind = kind;
        o->name = name;
        if (kind == Kind::Queue) {
            const QCborValue m = arg(req, 4);
            if (!m.isNull() && !m.isUndefined() && (!m.isInteger() || m.toInteger() < 0))
                return fail(Errc::InvalidArgument, "Queue maxsize must be an integer >= 0");
            o->maxsize = m.isInteger() ? m.toInteger() : 0;
        } else if (kind == Kind::Value) {
            o->value = arg(req, 4);
        }
        objects.push_back(std::move(o));
        const auto id = std::int64_t(objects.size());
        byName.emplace(name, id);
        return QCborValue(qint64(id));
    }

    static std::unexpected<Error> wrongKind(const Object &o, Op op)
    {
        return fail(Errc::InvalidArgument, "operation " + std::to_string(std::int64_t(op)) + " does not apply to " +
                                               std::string(kindName(o.kind)) + " '" + o.name + "'");
    }

    static Result<std::size_t> index(const Object &o, const QCborArray &req, qsizetype at, bool forInsert)
    {
        (void)forInsert;
        auto i = intArg(req, at, "index");
        if (!i) return std::unexpected(i.error());
        const auto n = std::int64_t(o.list.size());
        const std::int64_t k = *i < 0 ? *i + n : *i;
        if (k < 0 || k >= n)
            return fail(Errc::InvalidArgument, "list index " + std::to_string(*i) + " out of range for list '" +
                                                   o.name + "' of " + std::to_string(n) + " items");
        return std::size_t(k);
    }

    static bool knownOp(Op op)
    {
        switch (op) {
        case Op::Ping: case Op::Shutdown: case Op::Open:
        case Op::Get: case Op::GetOr: case Op::Set: case Op::Pop: case Op::Contains: case Op::Keys:
        case Op::Items: case Op::Update:
        case Op::Append: case Op::At: case Op::SetAt: case Op::PopAt: case Op::Extend: case Op::All:
        case Op::Len: case Op::Clear: case Op::Put: case Op::Take: case Op::Acquire: case Op::Release:
        case Op::Load: case Op::Store:
            return true;
        }
        return false;
    }

    Result<QCborValue> execute(Conn &c, Op op, const QCborArray &req)
    {
        switch (op) {
        case Op::Ping: return QCborValue(nullptr);
        case Op::Shutdown: shutdownRequested = true; return QCborValue(nullptr);
        case Op::Open: return open(req);
        default: break;
        }
        if (!knownOp(op)) return fail(Errc::InvalidArgument, "unknown operation " + std::to_string(std::int64_t(op)));
        Object *o = objectFor(req.at(1).toInteger());
        if (!o) return fail(Errc::NotFound, "no manager object #" + std::to_string(req.at(1).toInteger()));
        const bool mapLike = o->kind == Kind::Dict || o->kind == Kind::Namespace;
        const QCborValue a2 = arg(req, 2);
        if (o->kind == Kind::Namespace && (op == Op::Get || op == Op::GetOr || op == Op::Set || op == Op::Pop) &&
            !a2.isString())
            return fail(Errc::InvalidArgument, "Namespace '" + o->name + "' attribute names are strings");
        switch (op) {
        case Op::Get: {
            if (!mapLike) return wrongKind(*o, op);
            const QCborValue *v = o->map.find(a2);
            if (!v) return missing(*o, a2);
            return *v;
        }
        case Op::GetOr: {
            if (!mapLike) return wrongKind(*o, op);
            const QCborValue *v = o->map.find(a2);
            return v ? *v : arg(req, 3);
        }
        case Op::Set:
            if (!mapLike) return wrongKind(*o, op);
            o->map.set(a2, arg(req, 3));
            return QCborValue(nullptr);
        case Op::Pop: {
            if (!mapLike) return wrongKind(*o, op);
            std::optional<QCborValue> v = o->map.take(a2);
            if (!v) return missing(*o, a2);
            return std::move(*v);
        }
        case Op::Contains:
            if (!mapLike) return wrongKind(*o, op);
            return QCborValue(o->map.contains(a2));
        case Op::Keys: {
            if (!mapLike) return wrongKind(*o, op);
            QCborArray keys;
            for (const auto &[k, v] : o->map) keys.append(k);
            return QCborValue(std::move(keys));
        }
        case Op::Items: {
            if (!mapLike) return wrongKind(*o, op);
            QCborMap m;
            for (const auto &[k, v] : o->map) m.insert(k, v);
            return QCborValue(std::move(m));
        }
        case Op::Update: {
            if (!mapLike) return wrongKind(*o, op);
            if (!a2.isMap()) return fail(Errc::InvalidArgument, "update needs a map");
            const QCborMap m = a2.toMap();
            if (o->kind == Kind::Namespace)
                for (auto it = m.cbegin(); it != m.cend(); ++it)
                    if (!it.key().isString())
                        return fail(Errc::InvalidArgument, "Namespace '" + o->name + "' attribute names are strings");
            for (auto it = m.cbegin(); it != m.cend(); ++it) o->map.set(it.key(), it.value());
            return QCborValue(nullptr);
        }
        case Op::Append:
            if (o->kind != Kind::List) return wrongKind(*o, op);
            o->list.push_back(a2);
            return QCborValue(nullptr);
        case Op::At: {
            if (o->kind != Kind::List) return wrongKind(*o, op);
            auto i = index(*o, req, 2, false);
            if (!i) return std::unexpected(i.error());
            return o->list[*i];
        }
        case Op::SetAt: {
            if (o->kind != Kind::List) return wrongKind(*o, op);
            auto i = index(*o, req, 2, false);
            if (!i) return std::unexpected(i.error());
            o->list[*i] = arg(req, 3);
            return QCborValue(nullptr);
        }
        case Op::PopAt: {
            if (o->kind != Kind::List) return wrongKind(*o, op);
            if (o->list.empty()) return fail(Errc::InvalidArgument, "pop from empty list '" + o->name + "'");
            auto i = index(*o, req, 2, false);
            if (!i) return std::unexpected(i.error());
            QCborValue v = std::move(o->list[*i]);
            o->list.erase(o->list.begin() + std::ptrdiff_t(*i));
            return v;
        }
        case Op::Extend: {
            if (o->kind != Kind::List) return wrongKind(*o, op);
            if (!a2.isArray()) return fail(Errc::InvalidArgument, "extend needs an array");
            for (const QCborValue &v : a2.toArray()) o->list.push_back(v);
            return QCborValue(nullptr);
        }
        case Op::All: {
            if (o->kind != Kind::List) return wrongKind(*o, op);
            QCborArray all;
            for (const QCborValue &v : o->list) all.append(v);
            return QCborValue(std::move(all));
        }
        case Op::Len:
            if (mapLike) return QCborValue(qint64(o->map.size()));
            if (o->kind == Kind::List) return QCborValue(qint64(o->list.size()));
            if (o->kind == Kind::Queue) return QCborValue(qint64(o->queue.size()));
            return wrongKind(*o, op);
        case Op::Clear:
            if (mapLike) o->map.clear();
            else if (o->kind == Kind::List) o->list.clear();
            else return wrongKind(*o, op);
            return QCborValue(nullptr);
        case Op::Put: {
            if (o->kind != Kind::Queue) return wrongKind(*o, op);
            auto timeout = intArg(req, 3, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            return put(c, *o, a2, *timeout);
        }
        case Op::Take: {
            if (o->kind != Kind::Queue) return wrongKind(*o, op);
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            return take(c, *o, *timeout);
        }
        case Op::Acquire: {
            if (o->kind != Kind::Lock) return wrongKind(*o, op);
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            if (o->owner == c.id)
                return fail(Errc::WouldDeadlock, "this connection already holds Lock '" + o->name + "'");
            if (o->owner == 0) {
                o->owner = c.id;
                const bool died = o->ownerDied;
                o->ownerDied = false;
                return QCborValue(died ? 1 : 0);
            }
            if (*timeout == 0) return fail(Errc::Timeout, "Lock '" + o->name + "' is held");
            park(c, o->waiters, op, QCborValue(nullptr), *timeout);
            return QCborValue(nullptr);
        }
        case Op::Release:
            if (o->kind != Kind::Lock) return wrongKind(*o, op);
            if (o->owner != c.id)
                return fail(Errc::NotOwner, "Lock '" + o->name + "' is not held by this connection");
            o->owner = 0;
            grantLock(*o);
            return QCborValue(nullptr);
        case Op::Load:
            if (o->kind != Kind::Value) return wrongKind(*o, op);
            return o->value;
        case Op::Store:
            if (o->kind != Kind::Value) return wrongKind(*o, op);
            o->value = a2;
            return QCborValue(nullptr);
        default:
            return fail(Errc::InvalidArgument, "unknown operation " + std::to_string(std::int64_t(op)));
        }
    }

    static std::unexpected<Error> missing(const Object &o, const QCborValue &key)
    {
        if (o.kind == Kind::Namespace)
            return fail(Errc::NotFound, "Namespace '" + o.name + "' has no attribute '" +
                                            key.toString().toStdString() + "'");
        return fail(Errc::NotFound, "key " + shortText(key) + " is not in dict '" + o.name + "'");
    }

    Result<QCborValue> put(Conn &c, Object &q, const QCborValue &item, std::int64_t timeoutNs)
    {
        // A waiting getter takes the item straight away.
        while (!q.waiters.empty()) {
            Parked p = std::move(q.waiters.front());
            q.waiters.pop_front();
            if (Conn *getter = unpark(p.conn)) {
                reply(*getter, item);
                return QCborValue(nullptr);
            }
        }
        if (q.maxsize == 0 || std::int64_t(q.queue.size()) < q.maxsize) {
            q.queue.push_back(item);
            return QCborValue(nullptr);
        }
        if (timeoutNs == 0) return fail(Errc::Full, "Queue '" + q.name + "' is full");
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
                    reply(*putter, QCborValue(nullptr));
                    break;
                }
            }
            return v;
        }
        if (timeoutNs == 0) return fail(Errc::Empty, "Queue '" + q.name + "' is empty");
        park(c, q.waiters, Op::Take, QCborValue(nullptr), timeoutNs);
        return QCborValue(nullptr);
    }

    // Parked requests and unauthenticated connections past their deadline;
    // returns the nearest deadline still ahead (0: none).
    std::uint64_t expire(std::uint64_t now)
    {
        std::uint64_t nearest = 0;
        auto consider = [&](std::uint64_t d) {
            if (d != 0 && (nearest == 0 || d < nearest)) nearest = d;
        };
        for (auto &obj : objects) {
            for (auto *q : {&obj->waiters, &obj->putters}) {
                for (auto it = q->begin(); it != q->end();) {
                    if (it->deadlineNs == 0 || it->deadlineNs > now) {
                        consider(it->deadlineNs);
                        ++it;
                        continue;
                    }
                    const std::uint64_t id = it->conn;
                    const Op op = it->op;
                    it = q->erase(it);
                    if (Conn *c = unpark(id)) {
                        const std::string what = op == Op::Acquire ? "Lock '" + obj->name + "' not acquired"
                                                 : op == Op::Put   ? "Queue '" + obj->name + "' stayed full"
                                                                   : "Queue '" + obj->name + "' stayed empty";
                        replyError(*c, Errc::Timeout, what + " within the timeout");
                    }
                }
            }
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
        if (ready > 0) {
            for (std::size_t i = 1; i < fds.size(); ++i) {
                if (fds[i].revents == 0) continue;
                auto it = s.conns.find(ids[i - 1]);
                if (it == s.conns.end()) continue;
                Conn &c = it->second;
                if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) s.readFrom(c);
                if (fds[i].revents & POLLOUT) s.flush(c);
            }
            // Requests read but not yet answered: the server's own queue.
            std::uint32_t pending = 0;
            for (auto &[id, c] : s.conns) pending += s.bufferedFrames(c);
            s.publishWaiting(pending);
            for (std::size_t i = 1; i < fds.size(); ++i) {
                if (fds[i].revents == 0) continue;
                auto it = s.conns.find(ids[i - 1]);
                if (it != s.conns.end()) s.pump(it->second);
            }
            s.drainResume();
            if (fds[0].revents & POLLIN) s.acceptAll();
        }
        nextDeadline = s.expire(monotonicNs());
        s.drainResume();
        for (auto &[id, c] : s.conns)
            if (c.outBegin < std::size_t(c.out.size())) s.flush(c);
        std::vector<std::uint64_t> deadIds;
        for (auto &[id, c] : s.conns)
            if (c.dead) deadIds.push_back(id);
        for (std::uint64_t id : deadIds) s.closeConn(id);
        if (!deadIds.empty()) {
            s.drainResume(); // a lock handed on may let a waiter's next request run
            for (auto &[id, c] : s.conns)
                if (c.outBegin < std::size_t(c.out.size())) s.flush(c);
        }
        s.publishWaiting(0);
    }
    // Shutdown: the reply to it must reach its sender before we close.
    for (auto &[id, c] : s.conns) s.flush(c);
    return {};
}

} // namespace ipc::manager
