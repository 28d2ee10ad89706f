// ManagerServer: the process that hosts shared dicts, lists, namespaces,
// queues, joinable queues, locks, rlocks, semaphores, events, conditions,
// barriers, values and arrays for every other process of a run (Python's
// multiprocessing.Manager() server). Clients reach it through proxies
// (manager_client.h); the protocol is in manager_protocol.h.
//
// One thread, one poll loop over the listening socket and every
// connection, non-blocking I/O with per-connection buffers; the objects
// and what each request does to them are an ObjectStore (manager_store.h),
// which knows nothing of sockets. Requests are
// executed one at a time in arrival order, so each single request is
// atomic -- but `ns.x += 1` is two requests (get, then set), and another
// client's requests can run in between: that is the lost-update lesson.
// A request that must wait (Lock/RLock/Semaphore acquire, Queue get while
// empty, put while full, JoinableQueue join, Event/Condition/Barrier wait)
// is parked and answered when it can go on or its timeout runs out; the
// connection's later requests wait behind it. Nothing blocks the loop.
//
// Failure behaviour:
//   - a client that fails authentication is told "#FAILURE#" and closed;
//     authFailures counts it; the server goes on serving the others;
//   - a client that dies or disconnects loses its parked requests; a Lock
//     or RLock it held is released and the next acquirer is told the owner
//     died (reply 1, AcquireStatus::OwnerDied), as the robust Lock does; a
//     Barrier it waited at breaks for the other waiters (BrokenBarrier);
//   - a malformed request gets an error reply; a frame over the size limit
//     (1 KiB before authentication, kMaxMessageBytes after) closes that
//     connection;
//   - when the server itself dies, the kernel closes every connection, so
//     every client call returns EndOfFile at once (see ManagerClient).
//
// Threads: serve() runs on the thread that called listen().
#pragma once

#include "manager_auth.h"
#include "manager_info.h"
#include "posix_call.h"
#include "result.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ipc::manager {

struct ServerOptions {
    ManagerInfo *info = nullptr; // telemetry target; may be null
    Duration authTimeout = std::chrono::seconds(5);
    std::uint32_t maxConnections = 512;
    // How often serve() looks at shouldStop while idle.
    Duration tick = std::chrono::milliseconds(50);
};

class ManagerServer {
public:
    // Binds and listens on path (an AF_UNIX socket, mode 0600, in a
    // directory the caller made private). AlreadyExists if path is taken.
    [[nodiscard]] static Result<std::unique_ptr<ManagerServer>> listen(std::string_view path,
                                                                       const Key &key,
                                                                       ServerOptions options = {});
    ~ManagerServer(); // closes every connection and unlinks the socket
    ManagerServer(const ManagerServer &) = delete;
    ManagerServer &operator=(const ManagerServer &) = delete;

    // Serves until shouldStop() is true (checked at least every tick) or a
    // client sends Shutdown. System on a failed poll/accept of the listener.
    [[nodiscard]] Result<void> serve(const std::function<bool()> &shouldStop);

    [[nodiscard]] const std::string &path() const noexcept;

private:
    struct Impl;
    explicit ManagerServer(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> m;
};

} // namespace ipc::manager
