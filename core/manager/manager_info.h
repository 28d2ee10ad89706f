// ManagerInfo: the arena object through which a run finds its manager
// server and watches it.
//
// The engine (or a test) makes it in the run's arena before starting the
// server: make<ManagerInfo>(name) draws a random key. ManagerProcess
// fills in the socket path. The server role reads path and key from it,
// listens, and sets `ready`. Any process attached to the arena can then
// connect (ManagerClient::connect(info)): the key travels only inside the
// run's anonymous arena, never on a command line or in the environment --
// the counterpart of Python's inherited authkey.
//
// Telemetry (relaxed atomics, read by the sampler without any lock):
//   server fields     written only by the server process
//     requests        requests answered so far
//     waiting         requests received and not yet answered (parked
//                     acquires, queue gets/puts/joins, event, condition
//                     and barrier waits, plus those read but not yet
//                     processed in the server's current pass)
//     maxWaiting      the largest `waiting` seen
//     clients         connections authenticated and open now
//     authFailures    connections refused for a wrong key
//   client rows       one per connection, claimed by the connecting
//                     process (CAS on pid) and written only by it:
//                     requests, total and largest round-trip latency.
//                     Requests per second per client = the sampler's
//                     difference of `requests` over its tick.
//
// Layout: one struct, 64-byte aligned rows; kind ObjectKind::Manager (the
// window draws it as the server's node, the clients' links point at it),
// checked by kMagic (typeError()).
#pragma once

#include "arena.h"
#include "manager_auth.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace ipc::manager {

struct alignas(64) ClientRow {
    std::atomic<std::int32_t> pid{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> latencyNsTotal{0};
    std::atomic<std::uint64_t> latencyNsMax{0};
    std::atomic<std::uint64_t> errors{0};
};

struct ManagerInfo {
    static constexpr ObjectKind kKind = ObjectKind::Manager;
    static constexpr std::uint32_t kMagic = 0x3152474d; // "MGR1"
    static constexpr std::size_t kPathSize = 108;       // sizeof(sockaddr_un::sun_path)
    static constexpr std::uint32_t kMaxClients = 64;

    std::uint32_t magic = kMagic;
    std::uint32_t objectIndex = kNoObject;
    char path[kPathSize]{};
    Key key{};
    std::atomic<std::uint32_t> ready{0};
    std::atomic<std::int32_t> serverPid{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint32_t> waiting{0};
    std::atomic<std::uint32_t> maxWaiting{0};
    std::atomic<std::uint32_t> clients{0};
    std::atomic<std::uint32_t> rowCount{0};
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> authFailures{0};
    std::atomic<std::uint64_t> protocolErrors{0};
    ClientRow rows[kMaxClients];

    // Draws the key (getrandom); the engine constructs it before any worker starts.
    ManagerInfo() noexcept;

    [[nodiscard]] std::string socketPath() const;
    // InvalidArgument when the path does not fit.
    [[nodiscard]] Result<void> setSocketPath(std::string_view p) noexcept;
    // A free row for this process's connection, or null when all are taken
    // (the connection then works without per-client telemetry).
    [[nodiscard]] ClientRow *claimRow(std::int32_t pid) noexcept;
    [[nodiscard]] Result<void> typeError(std::string_view name) const;
};

} // namespace ipc::manager
