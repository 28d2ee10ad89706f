#include "manager_client.h"

#include "dict_proxy.h"
#include "list_proxy.h"
#include "lock_proxy.h"
#include "namespace_proxy.h"
#include "queue_proxy.h"
#include "value_proxy.h"
#include "rlock_proxy.h"
#include "semaphore_proxy.h"
#include "event_proxy.h"
#include "condition_proxy.h"
#include "barrier_proxy.h"
#include "joinable_queue_proxy.h"
#include "array_proxy.h"
#include "qt_message.h"
#include "owner_lock.h" // currentPid()

#include <QCborArray>

#include <unistd.h>

namespace ipc::manager {

namespace {

std::string ms(Duration d)
{
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

} // namespace

// ---- Connection --------------------------------------------------------

namespace detail {

Connection::Connection(FrameSocket socket, ClientOptions options, ClientRow *row,
                       std::uint32_t objectIndex) noexcept
    : m_socket(std::move(socket)), m_options(options), m_row(row), m_objectIndex(objectIndex),
      m_pid(currentPid())
{}

void Connection::close() noexcept
{
    m_socket.close();
    if (m_brokenBy.empty()) m_brokenBy = "the connection was closed";
}

std::unexpected<Error> Connection::broken(Error e)
{
    // A transport failure leaves the stream mid-frame or the peer gone:
    // nothing further on this socket could be trusted.
    m_socket.close();
    m_brokenBy = e.message;
    if (m_row) m_row->errors.store(m_row->errors.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return std::unexpected(std::move(e));
}

Result<QCborValue> Connection::call(Op op, std::int64_t objectId, std::initializer_list<QCborValue> args,
                                    Duration wait, ProcState state)
{
    if (currentPid() != m_pid) // cached: a getpid() per call was a syscall per request
        return fail(Errc::InvalidArgument, "this manager connection was made by process " + std::to_string(m_pid) +
                                               "; after fork() connect again in the child");
    if (!m_socket.isOpen())
        return fail(Errc::Closed, "manager connection is unusable: " + m_brokenBy);

    resetFrameBuffer(m_request);
    if (auto ok = appendRequestFrame(m_request, op, objectId, args); !ok)
        return std::unexpected(ok.error()); // the value, not the connection, is at fault

    const std::uint64_t startNs = monotonicNs();
    StateScope scope(state, m_objectIndex);
    if (auto sent = m_socket.sendFrames(m_request); !sent) {
        if (sent.error().code == Errc::Timeout)
            return broken({Errc::Timeout, "manager server did not take the request within " +
                                              ms(m_options.replyTimeout) + " (stopped or overloaded?)"});
        return broken({Errc::Closed, "manager server is gone: " + sent.error().message +
                                         " (it died or shut down)"});
    }
    // An immediate answer is due within replyTimeout; a blocking request
    // within its own timeout plus that.
    Duration timeout = FrameSocket::kDefaultTimeout;
    if (wait != kImmediate)
        timeout = wait == kForever ? kForever : wait + m_options.replyTimeout;
    auto frame = m_socket.receive(kMaxMessageBytes, timeout);
    if (!frame) {
        if (frame.error().code == Errc::Timeout)
            return broken({Errc::Timeout, "manager server did not answer within " +
                                              ms(timeout == FrameSocket::kDefaultTimeout ? m_options.replyTimeout
                                                                                         : timeout) +
                                              " (stopped or overloaded?)"});
        if (frame.error().code == Errc::EndOfFile)
            return broken({Errc::Closed, "manager server closed the connection (it died or shut down)"});
        return broken({frame.error().code, "manager reply: " + frame.error().message});
    }
    auto reply = readReply(*frame);
    if (m_row) {
        const std::uint64_t ns = monotonicNs() - startNs;
        m_row->requests.store(m_row->requests.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        m_row->latencyNsTotal.store(m_row->latencyNsTotal.load(std::memory_order_relaxed) + ns,
                                    std::memory_order_relaxed);
        if (ns > m_row->latencyNsMax.load(std::memory_order_relaxed))
            m_row->latencyNsMax.store(ns, std::memory_order_relaxed);
    }
    if (!reply) return broken({Errc::Corrupt, "malformed reply from the manager: " + reply.error().message});
    if (reply->status == 0) return std::move(reply->value);
    if (reply->status > std::int64_t(Errc::System) + 1)
        return broken({Errc::Corrupt, "manager reply has unknown status " + std::to_string(reply->status)});
    return fail(Errc(reply->status - 1), reply->value.toString().toStdString());
}

} // namespace detail

// ---- ManagerClient -----------------------------------------------------

namespace {

Result<FrameSocket> connectAndAuthenticate(std::string_view path, const Key &key, const ClientOptions &options)
{
    auto socket = FrameSocket::connectUnix(path);
    if (!socket) return socket;
    // Python's client answers first, then challenges the server.
    auto handshake = [&]() -> Result<void> {
        if (auto ok = answerChallenge(*socket, key, options.connectTimeout, "the manager server"); !ok) return ok;
        return deliverChallenge(*socket, key, options.connectTimeout, "the manager server");
    }();
    if (!handshake) {
        if (handshake.error().code == Errc::EndOfFile)
            return fail(Errc::Closed, "the manager server closed the connection during authentication "
                                      "(it died or shut down)");
        if (handshake.error().code == Errc::Timeout)
            return fail(Errc::Timeout, "the manager server did not complete authentication within " +
                                           ms(options.connectTimeout));
        return std::unexpected(handshake.error());
    }
    if (auto ok = socket->setDefaultTimeout(options.replyTimeout); !ok) return std::unexpected(ok.error());
    return socket;
}

} // namespace

Result<ManagerClient> ManagerClient::connect(std::string_view socketPath, const Key &key, ClientOptions options)
{
    auto socket = connectAndAuthenticate(socketPath, key, options);
    if (!socket) return std::unexpected(socket.error());
    return ManagerClient(std::make_shared<detail::Connection>(std::move(*socket), options, nullptr, kNoObject));
}

Result<ManagerClient> ManagerClient::connect(ManagerInfo &info, ClientOptions options)
{
    const Deadline deadline(options.readyTimeout);
    while (info.ready.load(std::memory_order_acquire) == 0) {
        if (deadline.expired())
            return fail(Errc::Timeout, "the manager server was not ready within " + ms(options.readyTimeout));
        usleep(1000);
    }
    auto socket = connectAndAuthenticate(info.socketPath(), info.key, options);
    if (!socket) return std::unexpected(socket.error());
    ClientRow *row = info.claimRow(getpid());
    return ManagerClient(
        std::make_shared<detail::Connection>(std::move(*socket), options, row, info.objectIndex));
}

Result<std::int64_t> ManagerClient::open(Kind kind, std::string_view name, const QCborValue &arg,
                                         const QCborValue &arg2)
{
    if (!m_conn) return fail(Errc::Closed, "manager client is not connected");
    auto r = m_conn->call(Op::Open, 0,
                          {QCborValue(qint64(kind)), QCborValue(QString::fromUtf8(name.data(), qsizetype(name.size()))),
                           arg, arg2});
    if (!r) return std::unexpected(r.error());
    return r->toInteger();
}

#define IPC_MANAGER_FACTORY(Proxy, method, kind)                                                            \
    Result<Proxy> ManagerClient::method(std::string_view name)                                              \
    {                                                                                                       \
        auto id = open(kind, name, nullptr);                                                                \
        if (!id) return std::unexpected(id.error());                                                        \
        return Proxy(m_conn, *id, std::string(name));                                                       \
    }
IPC_MANAGER_FACTORY(DictProxy, dict, Kind::Dict)
IPC_MANAGER_FACTORY(ListProxy, list, Kind::List)
IPC_MANAGER_FACTORY(NamespaceProxy, ns, Kind::Namespace)
IPC_MANAGER_FACTORY(LockProxy, lock, Kind::Lock)
IPC_MANAGER_FACTORY(RLockProxy, rlock, Kind::RLock)
IPC_MANAGER_FACTORY(EventProxy, event, Kind::Event)
#undef IPC_MANAGER_FACTORY

Result<QueueProxy> ManagerClient::queue(std::string_view name, std::int64_t maxsize)
{
    if (maxsize < 0) return fail(Errc::InvalidArgument, "Queue maxsize must be >= 0");
    auto id = open(Kind::Queue, name, QCborValue(qint64(maxsize)));
    if (!id) return std::unexpected(id.error());
    return QueueProxy(m_conn, *id, std::string(name));
}

Result<ValueProxy> ManagerClient::value(std::string_view name, const QCborValue &initial)
{
    auto id = open(Kind::Value, name, initial);
    if (!id) return std::unexpected(id.error());
    return ValueProxy(m_conn, *id, std::string(name));
}

Result<SemaphoreProxy> ManagerClient::semaphore(std::string_view name, std::int64_t value)
{
    auto id = open(Kind::Semaphore, name, QCborValue(qint64(value)));
    if (!id) return std::unexpected(id.error());
    return SemaphoreProxy(m_conn, *id, std::string(name));
}

Result<SemaphoreProxy> ManagerClient::boundedSemaphore(std::string_view name, std::int64_t value)
{
    auto id = open(Kind::BoundedSemaphore, name, QCborValue(qint64(value)));
    if (!id) return std::unexpected(id.error());
    return SemaphoreProxy(m_conn, *id, std::string(name));
}

Result<ConditionProxy> ManagerClient::condition(std::string_view name, std::string_view lockName)
{
    const QCborValue lock =
        lockName.empty() ? QCborValue(nullptr) : QCborValue(QString::fromUtf8(lockName.data(), qsizetype(lockName.size())));
    auto id = open(Kind::Condition, name, lock);
    if (!id) return std::unexpected(id.error());
    return ConditionProxy(m_conn, *id, std::string(name));
}

Result<BarrierProxy> ManagerClient::barrier(std::string_view name, std::int64_t parties, Duration timeout)
{
    const qint64 ns = timeout == kForever ? -1 : std::max<qint64>(0, qint64(timeout.count()));
    auto id = open(Kind::Barrier, name, QCborValue(qint64(parties)), QCborValue(ns));
    if (!id) return std::unexpected(id.error());
    return BarrierProxy(m_conn, *id, std::string(name));
}

Result<JoinableQueueProxy> ManagerClient::joinableQueue(std::string_view name, std::int64_t maxsize)
{
    if (maxsize < 0) return fail(Errc::InvalidArgument, "JoinableQueue maxsize must be >= 0");
    auto id = open(Kind::JoinableQueue, name, QCborValue(qint64(maxsize)));
    if (!id) return std::unexpected(id.error());
    return JoinableQueueProxy(m_conn, *id, std::string(name));
}

Result<ArrayProxy> ManagerClient::array(std::string_view name, const QCborArray &initial)
{
    auto id = open(Kind::Array, name, QCborValue(initial));
    if (!id) return std::unexpected(id.error());
    return ArrayProxy(m_conn, *id, std::string(name));
}

Result<void> ManagerClient::ping()
{
    if (!m_conn) return fail(Errc::Closed, "manager client is not connected");
    auto r = m_conn->call(Op::Ping, 0, {});
    if (!r) return std::unexpected(r.error());
    return {};
}

Result<void> ManagerClient::shutdown()
{
    if (!m_conn) return fail(Errc::Closed, "manager client is not connected");
    auto r = m_conn->call(Op::Shutdown, 0, {});
    if (!r) return std::unexpected(r.error());
    return {};
}

void ManagerClient::close() noexcept
{
    if (m_conn) m_conn->close();
}

bool ManagerClient::isOpen() const noexcept { return m_conn && m_conn->isOpen(); }

} // namespace ipc::manager
