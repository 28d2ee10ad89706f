// ObjectStore: what a manager server hosts -- dicts, lists, namespaces,
// queues, joinable queues, locks, rlocks, semaphores, events, conditions,
// barriers, values and arrays -- and what each request does to them,
// without sockets: ManagerServer (manager_server.h) carries requests and
// answers over the connections, this decides them. Tested in-process
// (tests/core/manager/tst_manager_store.cpp).
//
// A client is a number the transport gives each connection (never 0). A
// request ([op, objectId, args...], manager_protocol.h) is answered at once,
// or waits ("parked": Lock/RLock/Semaphore acquire, Queue get while empty,
// put while full, JoinableQueue join, Event/Condition/Barrier wait); a
// client has at most one request parked, and the transport holds its later
// requests back meanwhile. A parked request's answer comes out of
// takeAnswers() after what ends its wait: another client's request, its
// timeout (expire), or a disconnect.
//
// disconnect(client): its parked requests go; a Lock or RLock it held
// passes to the next waiter, who is told the owner died (answer 1,
// AcquireStatus::OwnerDied), as the robust Lock does; a Barrier it waited
// at breaks for the other waiters (BrokenBarrier).
//
// Single-threaded: the server's loop is its only caller.
#pragma once

#include "manager_protocol.h"
#include "result.h"

#include <QCborArray>
#include <QCborValue>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace ipc::manager {

class ObjectStore {
public:
    using ClientId = std::uint64_t;
    struct Answer {
        ClientId client;
        Result<QCborValue> value;
    };

    ObjectStore();
    ~ObjectStore();
    ObjectStore(const ObjectStore &) = delete;
    ObjectStore &operator=(const ObjectStore &) = delete;

    // Runs `client`'s request: its answer, or nullopt when it waits.
    [[nodiscard]] std::optional<Result<QCborValue>> execute(ClientId client, Op op, const Request &request);
    // The answers to parked requests since the last call, in order.
    [[nodiscard]] std::vector<Answer> takeAnswers();
    // Answers the parked requests whose deadline is past at nowNs
    // (monotonicNs()): Timeout, or False where Python returns False; the
    // nearest deadline still ahead (0: none).
    std::uint64_t expire(std::uint64_t nowNs);
    // The client is gone (see above).
    void disconnect(ClientId client);

    [[nodiscard]] std::uint32_t parkedCount() const noexcept;
    // A client asked the server to exit (Op::Shutdown).
    [[nodiscard]] bool shutdownRequested() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace ipc::manager
