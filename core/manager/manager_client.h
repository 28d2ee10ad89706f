// ManagerClient: one process's authenticated connection to a manager
// server, and the factory of its proxies (Python: the manager object in a
// child, `manager.dict()`, `manager.Lock()`, ...).
//
// Objects are found by name: client.dict("scores") returns a proxy for the
// server's dict "scores", creating it if no process has yet. Every process
// that asks for the same name shares the same object, so an update made in
// a child is seen by the parent and every other child at their next call.
// Asking for a name that exists as another kind is InvalidArgument.
//
// Each proxy call is one request and one reply (manager_protocol.h). A
// sequence of calls is not atomic: `ns.set("x", ns.get("x") + 1)` from
// several processes loses updates unless it runs under a manager Lock.
//
// Errors of every call:
//   Closed       the server is gone: it died (the kernel closed the socket,
//                so this comes at once, never a hang), shut down, or an
//                earlier call on this connection failed in transport; the
//                connection stays unusable (connect again)
//   Timeout      no reply within replyTimeout (server stopped or
//                overloaded) -- or, for a blocking call with a timeout,
//                the server's own "not within the timeout"
//   InvalidArgument  bad arguments, wrong kind, a value CBOR cannot carry;
//                also a connection used in another process than the one
//                that made it (after fork(): connect again in the child)
//   NotFound     missing dict key / namespace attribute
//   plus per call: Full/Empty (queue), NotOwner/WouldDeadlock (locks),
//   ValueError (list index/remove, bounded over-release, task_done),
//   BrokenBarrier (barrier); see each proxy's header.
// connect(): AuthenticationFailed "authentication failed: ..." when either side
// refuses the other's key; NotFound/Closed when no server listens.
//
// Telemetry: when connected through a ManagerInfo, each call adds to this
// connection's ClientRow (requests, round-trip latency) and a call marks the
// caller's board slot BlockedRecv (WaitingLock for a lock's acquire,
// BlockedGet / BlockedPut for a queue, WaitingSemaphore, WaitingEvent,
// WaitingCondition, WaitingBarrier, WaitingJoin) while it waits for the server.
//
// Threads: a client and its proxies belong to one thread of one process.
// Proxies share the connection (copies are cheap) and keep it open.
#pragma once

#include "manager_info.h"
#include "manager_protocol.h"
#include "board.h"
#include "posix_call.h"
#include "result.h"

#include <QCborArray>
#include <QCborValue>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ipc::manager {

class DictProxy;
class ListProxy;
class NamespaceProxy;
class QueueProxy;
class LockProxy;
class ValueProxy;
class RLockProxy;
class SemaphoreProxy;
class EventProxy;
class ConditionProxy;
class BarrierProxy;
class JoinableQueueProxy;
class ArrayProxy;

struct ClientOptions {
    // Longest wait for a reply that should come at once; beyond it the call
    // fails with Timeout and the connection is closed.
    Duration replyTimeout = std::chrono::seconds(10);
    Duration connectTimeout = std::chrono::seconds(5); // connect + authentication
    // Only with connect(ManagerInfo&): how long to wait for the server to be ready.
    Duration readyTimeout = std::chrono::seconds(10);
};

namespace detail {
class Connection;
}

class ManagerClient {
public:
    [[nodiscard]] static Result<ManagerClient> connect(std::string_view socketPath, const Key &key,
                                                       ClientOptions options = {});
    // Through the run's arena: address and key from info, with telemetry.
    [[nodiscard]] static Result<ManagerClient> connect(ManagerInfo &info, ClientOptions options = {});

    [[nodiscard]] Result<DictProxy> dict(std::string_view name);
    [[nodiscard]] Result<ListProxy> list(std::string_view name);
    [[nodiscard]] Result<NamespaceProxy> ns(std::string_view name);
    // maxsize 0: unbounded (used only by the call that creates the queue).
    [[nodiscard]] Result<QueueProxy> queue(std::string_view name, std::int64_t maxsize = 0);
    [[nodiscard]] Result<LockProxy> lock(std::string_view name);
    // initial: used only by the call that creates the value.
    [[nodiscard]] Result<ValueProxy> value(std::string_view name, const QCborValue &initial = nullptr);
    [[nodiscard]] Result<RLockProxy> rlock(std::string_view name);
    // value (>= 0): used only by the call that creates the semaphore. A
    // Semaphore and a BoundedSemaphore are different kinds: opening one name
    // as the other is InvalidArgument.
    [[nodiscard]] Result<SemaphoreProxy> semaphore(std::string_view name, std::int64_t value = 1);
    [[nodiscard]] Result<SemaphoreProxy> boundedSemaphore(std::string_view name, std::int64_t value = 1);
    [[nodiscard]] Result<EventProxy> event(std::string_view name);
    // lockName empty: the condition has an RLock of its own (Python's
    // Condition()); else the manager Lock or RLock of that name, opened
    // before (NotFound otherwise). Opening an existing condition with
    // another lock's name is InvalidArgument.
    [[nodiscard]] Result<ConditionProxy> condition(std::string_view name, std::string_view lockName = {});
    // parties (1..32767) and timeout (kForever: none; the default of
    // wait()) count only for the call that creates the barrier.
    [[nodiscard]] Result<BarrierProxy> barrier(std::string_view name, std::int64_t parties,
                                               Duration timeout = kForever);
    // maxsize 0: unbounded (used only by the call that creates the queue).
    [[nodiscard]] Result<JoinableQueueProxy> joinableQueue(std::string_view name, std::int64_t maxsize = 0);
    // initial: the values, and so the fixed length, of an array this call
    // creates (Python: manager.Array(typecode, sequence), any values here).
    [[nodiscard]] Result<ArrayProxy> array(std::string_view name, const QCborArray &initial = {});

    [[nodiscard]] Result<void> ping();
    // Asks the server to exit once it has answered (Python: manager.shutdown()).
    [[nodiscard]] Result<void> shutdown();
    void close() noexcept;
    [[nodiscard]] bool isOpen() const noexcept;

private:
    explicit ManagerClient(std::shared_ptr<detail::Connection> c) noexcept : m_conn(std::move(c)) {}
    [[nodiscard]] Result<std::int64_t> open(Kind kind, std::string_view name, const QCborValue &arg = nullptr,
                                            const QCborValue &arg2 = nullptr);

    std::shared_ptr<detail::Connection> m_conn;
};

namespace detail {

// The socket under a client and its proxies. Not for direct use.
class Connection {
public:
    Connection(FrameSocket socket, ClientOptions options, ClientRow *row, std::uint32_t objectIndex) noexcept;

    // One request, one reply. wait: kDefault for an immediate reply, else
    // the request's own blocking timeout (the reply may take that long,
    // plus replyTimeout for the server to answer).
    static constexpr Duration kImmediate = Duration(-1);
    [[nodiscard]] Result<QCborValue> call(Op op, std::int64_t objectId,
                                          std::initializer_list<QCborValue> args,
                                          Duration wait = kImmediate,
                                          ProcState state = ProcState::BlockedRecv);
    void close() noexcept;
    [[nodiscard]] bool isOpen() const noexcept { return m_socket.isOpen(); }

private:
    [[nodiscard]] std::unexpected<Error> broken(Error e);

    FrameSocket m_socket;
    ClientOptions m_options;
    ClientRow *m_row;
    std::uint32_t m_objectIndex;
    pid_t m_pid;
    std::string m_brokenBy; // why the connection stopped; empty while usable
    QByteArray m_request;   // the frame being sent, kept for its capacity (resetFrameBuffer)
};

// What every proxy holds: the connection, the object's id and name.
class ProxyBase {
public:
    [[nodiscard]] const std::string &name() const noexcept { return m_name; }
    [[nodiscard]] std::int64_t id() const noexcept { return m_id; }

protected:
    ProxyBase(std::shared_ptr<Connection> conn, std::int64_t id, std::string name) noexcept
        : m_conn(std::move(conn)), m_id(id), m_name(std::move(name))
    {}
    [[nodiscard]] Result<QCborValue> call(Op op, std::initializer_list<QCborValue> args = {},
                                          Duration wait = Connection::kImmediate,
                                          ProcState state = ProcState::BlockedRecv) const
    {
        return m_conn->call(op, m_id, args, wait, state);
    }
    [[nodiscard]] static Result<void> done(const Result<QCborValue> &r)
    {
        if (!r) return std::unexpected(r.error());
        return {};
    }
    // A slice bound to the wire: null stands for "that end".
    [[nodiscard]] static QCborValue sliceBound(std::optional<std::int64_t> i)
    {
        return i ? QCborValue(qint64(*i)) : QCborValue(nullptr);
    }
    // Python-style timeouts to the wire: -1 forever, else nanoseconds.
    [[nodiscard]] static std::int64_t wireTimeout(Duration t) noexcept
    {
        return t == kForever ? -1 : (t.count() < 0 ? 0 : std::int64_t(t.count()));
    }

    std::shared_ptr<Connection> m_conn;
    std::int64_t m_id;
    std::string m_name;
};

} // namespace detail
} // namespace ipc::manager
