#include "manager_store.h"

#include "manager_containers.h"
#include "spin_wait.h"

#include <algorithm>
#include <array>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

namespace ipc::manager {

using server::arg;
using server::intArg;
using server::OrderedMap;
using server::Target;
using server::wrongKind;

namespace {

constexpr std::size_t kMaxObjectName = 200;
constexpr std::int64_t kMaxSemaphoreValue = 0x7fffffff; // SEM_VALUE_MAX, as the arena Semaphore
constexpr std::int64_t kMaxBarrierParties = 0x7fff;     // as the arena Barrier

// A request that waits at the server. One per client at most: a client
// has one request outstanding at a time.
struct Parked {
    ObjectStore::ClientId conn; // the client whose request it is
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
    std::uint64_t owner = 0;      // Lock, RLock: the holder, a ClientId (0: free)
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

} // namespace

struct ObjectStore::Impl {
    std::vector<std::unique_ptr<Object>> objects; // id = index + 1
    std::unordered_map<std::string, std::int64_t> byName;
    std::vector<Answer> answers; // to parked requests, not yet taken
    std::uint32_t parkedCount = 0;
    bool parkedNow = false; // the request being executed waits
    bool shutdown = false;

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

    void park(ClientId client, std::deque<Parked> &q, Op op, QCborValue item, std::int64_t timeoutNs)
    {
        q.push_back(Parked{client, op, std::move(item), deadlineFrom(timeoutNs)});
        parkedNow = true;
        ++parkedCount;
    }

    // The answer to a parked request of `client`, which then goes on.
    void answer(ClientId client, Result<QCborValue> value)
    {
        --parkedCount;
        answers.push_back(Answer{client, std::move(value)});
    }

    // One function per family of kinds: each knows its own operations and
    // refuses the others (wrongKind).
    Result<QCborValue> execute(ClientId client, Op op, const Request &req)
    {
        switch (op) {
        case Op::Ping: return QCborValue(nullptr);
        case Op::Shutdown: shutdown = true; return QCborValue(nullptr);
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
        case Kind::JoinableQueue: return queueRequest(client, *o, op, req);
        case Kind::Lock:
        case Kind::RLock: return lockRequest(client, *o, op, req);
        case Kind::Semaphore:
        case Kind::BoundedSemaphore: return semaphoreRequest(client, *o, op, req);
        case Kind::Event: return eventRequest(client, *o, op, req);
        case Kind::Condition: return conditionRequest(client, *o, op, req);
        case Kind::Barrier: return barrierRequest(client, *o, op, req);
        }
        return wrongKind(o->target(), op);
    }

    // ---- Open -----------------------------------------------------------

    Result<QCborValue> open(const Request &req)
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

    static Result<QCborValue> valueRequest(Object &v, Op op, const Request &req)
    {
        if (op == Op::Load) return v.value;
        if (op == Op::Store) {
            v.value = arg(req, 2);
            return QCborValue(nullptr);
        }
        return wrongKind(v.target(), op);
    }

    // ---- Queue and JoinableQueue -----------------------------------------

    Result<QCborValue> queueRequest(ClientId client, Object &q, Op op, const Request &req)
    {
        const bool joinable = q.kind == Kind::JoinableQueue;
        switch (op) {
        case Op::Put: {
            auto timeout = intArg(req, 3, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            return put(client, q, arg(req, 2), *timeout);
        }
        case Op::Take: {
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            return take(client, q, *timeout);
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
            park(client, q.joiners, Op::Join, QCborValue(nullptr), *timeout);
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

    Result<QCborValue> put(ClientId client, Object &q, const QCborValue &item, std::int64_t timeoutNs)
    {
        // A waiting getter takes the item straight away.
        if (!q.waiters.empty()) {
            Parked p = std::move(q.waiters.front());
            q.waiters.pop_front();
            accepted(q);
            answer(p.conn, item);
            return QCborValue(nullptr);
        }
        if (q.maxsize == 0 || std::int64_t(q.queue.size()) < q.maxsize) {
            q.queue.push_back(item);
            accepted(q);
            return QCborValue(nullptr);
        }
        if (timeoutNs == 0) return fail(Errc::Full, q.what() + " is full");
        park(client, q.putters, Op::Put, item, timeoutNs);
        return QCborValue(nullptr);
    }

    Result<QCborValue> take(ClientId client, Object &q, std::int64_t timeoutNs)
    {
        if (!q.queue.empty()) {
            QCborValue v = std::move(q.queue.front());
            q.queue.pop_front();
            // Room now: the first waiting putter's item goes in.
            if (!q.putters.empty()) {
                Parked p = std::move(q.putters.front());
                q.putters.pop_front();
                q.queue.push_back(std::move(p.item));
                accepted(q);
                answer(p.conn, QCborValue(nullptr));
            }
            return v;
        }
        if (timeoutNs == 0) return fail(Errc::Empty, q.what() + " is empty");
        park(client, q.waiters, Op::Take, QCborValue(nullptr), timeoutNs);
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
    void wakeAll(std::deque<Parked> &q, const QCborValue &value)
    {
        while (!q.empty()) {
            Parked p = std::move(q.front());
            q.pop_front();
            answer(p.conn, value);
        }
    }

    // ---- Lock and RLock ---------------------------------------------------

    Result<QCborValue> lockRequest(ClientId client, Object &lock, Op op, const Request &req)
    {
        if (op == Op::Acquire) {
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            return acquireLock(client, lock, *timeout);
        }
        if (op == Op::Release) return releaseLock(client, lock);
        return wrongKind(lock.target(), op);
    }

    // Replies 0 (acquired) or 1 (acquired; the previous holder died).
    Result<QCborValue> acquireLock(ClientId client, Object &lock, std::int64_t timeoutNs)
    {
        if (lock.owner == client) {
            if (lock.kind == Kind::RLock) {
                ++lock.depth;
                return QCborValue(0);
            }
            // Python's Lock would hang for ever here (deliberate difference).
            return fail(Errc::WouldDeadlock, "this connection already holds " + lock.what());
        }
        if (lock.owner == 0 && lock.waiters.empty()) {
            lock.owner = client;
            lock.depth = 1;
            return QCborValue(std::exchange(lock.ownerDied, false) ? 1 : 0);
        }
        if (timeoutNs == 0) return fail(Errc::Timeout, lock.what() + " is held");
        park(client, lock.waiters, Op::Acquire, QCborValue(nullptr), timeoutNs);
        return QCborValue(nullptr);
    }

    // A Lock is Python's threading.Lock: any connection may release it
    // while it is held. An RLock only by its holder, once per acquire.
    Result<QCborValue> releaseLock(ClientId client, Object &lock)
    {
        if (lock.kind == Kind::RLock) {
            if (lock.owner != client)
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
            lock.owner = p.conn;
            lock.depth = p.depth;
            const bool died = std::exchange(lock.ownerDied, false);
            answer(p.conn, p.op == Op::Wait ? QCborValue(QCborArray{p.item, died}) : QCborValue(died ? 1 : 0));
        }
    }

    // ---- Semaphore and BoundedSemaphore -----------------------------------

    Result<QCborValue> semaphoreRequest(ClientId client, Object &s, Op op, const Request &req)
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
            park(client, s.waiters, Op::Acquire, QCborValue(nullptr), *timeout);
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
            --s.count;
            answer(p.conn, QCborValue(true));
        }
        return QCborValue(nullptr);
    }

    // ---- Event ------------------------------------------------------------

    Result<QCborValue> eventRequest(ClientId client, Object &e, Op op, const Request &req)
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
            park(client, e.waiters, Op::Wait, QCborValue(nullptr), *timeout);
            return QCborValue(nullptr);
        }
        default: return wrongKind(e.target(), op);
        }
    }

    // ---- Condition ----------------------------------------------------------

    Object &lockOf(const Object &cond) { return *objects[std::size_t(cond.lockId - 1)]; }

    Result<QCborValue> conditionRequest(ClientId client, Object &cond, Op op, const Request &req)
    {
        Object &lock = lockOf(cond);
        switch (op) {
        case Op::Acquire:
        case Op::Release: return lockRequest(client, lock, op, req);
        case Op::Wait: {
            auto timeout = intArg(req, 2, "timeout");
            if (!timeout) return std::unexpected(timeout.error());
            if (lock.owner != client)
                return fail(Errc::NotOwner, "cannot wait on " + cond.what() + ": this connection does not hold " +
                                                lock.what());
            // Release completely (an RLock however deep), sleep, and on
            // notify or timeout queue for the lock again (reacquire).
            park(client, cond.waiters, Op::Wait, QCborValue(nullptr), *timeout);
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
            if (lock.owner != client)
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

    Result<QCborValue> barrierRequest(ClientId client, Object &b, Op op, const Request &req)
    {
        switch (op) {
        case Op::Wait: {
            const QCborValue t = arg(req, 2);
            if (!t.isNull() && !t.isUndefined() && !t.isInteger())
                return fail(Errc::InvalidArgument, "wait on " + b.what() + ": timeout must be ns, or null");
            return arrive(client, b, t.isInteger() ? t.toInteger() : b.timeoutNs);
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

    Result<QCborValue> arrive(ClientId client, Object &b, std::int64_t timeoutNs)
    {
        if (b.broken) return fail(Errc::BrokenBarrier, b.what() + " is broken (reset() makes it usable again)");
        const auto index = qint64(b.waiters.size());
        if (index + 1 < b.parties) {
            park(client, b.waiters, Op::Wait, QCborValue(index), timeoutNs);
            return QCborValue(nullptr);
        }
        // The last to arrive releases this generation; the next starts empty.
        while (!b.waiters.empty()) {
            Parked p = std::move(b.waiters.front());
            b.waiters.pop_front();
            answer(p.conn, p.item);
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
            answer(p.conn, fail(Errc::BrokenBarrier,
                                p.conn == culprit ? b.what() + ": this wait timed out and broke the barrier for all"
                                                  : b.what() + " broke while waiting: " + why));
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
        switch (obj.kind) {
        case Kind::Semaphore:
        case Kind::BoundedSemaphore:
        case Kind::Event: answer(p.conn, QCborValue(false)); return; // Python returns False
        case Kind::Lock:
        case Kind::RLock: answer(p.conn, fail(Errc::Timeout, obj.what() + " not acquired within the timeout")); return;
        default: break;
        }
        const std::string what = p.op == Op::Put    ? obj.what() + " stayed full"
                                 : p.op == Op::Take ? obj.what() + " stayed empty"
                                                    : obj.what() + " still had " + std::to_string(obj.unfinished) +
                                                          " unfinished tasks";
        answer(p.conn, fail(Errc::Timeout, what + " within the timeout"));
    }

    // A parked request's deadline passed at now: answered; the nearest
    // deadline still ahead (0: none).
    std::uint64_t expire(std::uint64_t now)
    {
        std::uint64_t nearest = 0;
        // Collected first, handled after: handling one (a barrier breaking,
        // a condition waiter queueing for its lock) changes other queues.
        std::vector<std::pair<Object *, ClientId>> due;
        for (auto &obj : objects)
            for (auto *q : obj->parkedQueues())
                for (const Parked &p : *q) {
                    if (p.deadlineNs != 0 && p.deadlineNs <= now) due.emplace_back(obj.get(), p.conn);
                    else if (p.deadlineNs != 0 && (nearest == 0 || p.deadlineNs < nearest)) nearest = p.deadlineNs;
                }
        for (auto [obj, client] : due)
            for (auto *q : obj->parkedQueues()) {
                auto it = std::ranges::find_if(*q, [&](const Parked &p) { return p.conn == client; });
                if (it == q->end()) continue; // answered meanwhile (its barrier broke)
                Parked p = std::move(*it);
                q->erase(it);
                timedOut(*obj, std::move(p));
                break;
            }
        return nearest;
    }

    void disconnect(ClientId client)
    {
        // Its parked requests go; the locks it held pass on, flagged; a
        // barrier it waited at breaks (Python's would wait for ever).
        for (auto &o : objects) {
            Object &obj = *o;
            std::size_t dropped = 0;
            for (auto *q : obj.parkedQueues())
                dropped += std::erase_if(*q, [&](const Parked &p) { return p.conn == client; });
            parkedCount -= std::uint32_t(dropped);
            if ((obj.kind == Kind::Lock || obj.kind == Kind::RLock) && obj.owner == client) {
                obj.owner = 0;
                obj.depth = 0;
                obj.ownerDied = true;
                grantLock(obj);
            }
            if (obj.kind == Kind::Barrier && dropped > 0)
                breakBarrier(obj, 0, "a waiting process disconnected");
        }
    }
};

ObjectStore::ObjectStore() : m(std::make_unique<Impl>()) {}
ObjectStore::~ObjectStore() = default;

std::optional<Result<QCborValue>> ObjectStore::execute(ClientId client, Op op, const Request &request)
{
    m->parkedNow = false;
    auto result = m->execute(client, op, request);
    if (m->parkedNow) return std::nullopt; // answered later
    return result;
}

std::vector<ObjectStore::Answer> ObjectStore::takeAnswers() { return std::exchange(m->answers, {}); }

std::uint64_t ObjectStore::expire(std::uint64_t nowNs) { return m->expire(nowNs); }

void ObjectStore::disconnect(ClientId client) { m->disconnect(client); }

std::uint32_t ObjectStore::parkedCount() const noexcept { return m->parkedCount; }

bool ObjectStore::shutdownRequested() const noexcept { return m->shutdown; }

} // namespace ipc::manager
