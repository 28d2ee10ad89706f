// BarrierProxy: a Barrier hosted by the manager server (Python:
// manager.Barrier(parties, action=None, timeout=None), a threading.Barrier;
// no action: a function cannot travel to the server).
//
// Contract (as Python's):
//   wait(timeout): arrive and wait -- parked at the server -- until
//     `parties` connections have arrived in this generation; then all of
//     them return and the barrier is ready for the next generation. Returns
//     the caller's arrival index, 0 first .. parties-1 last (as CPython's
//     threading.Barrier). timeout: nullopt uses the barrier's own (set when
//     it was created; kForever: none).
//   A waiter whose timeout runs out breaks the barrier for everyone: it and
//     every other waiter get BrokenBarrier, as Python raises
//     BrokenBarrierError in all of them; so does every wait on a broken
//     barrier until reset().
//   abort(): breaks it (waiters and later arrivals: BrokenBarrier).
//   reset(): current waiters get BrokenBarrier; the barrier is usable again.
//   parties(), nWaiting() (arrived in this generation; 0 while broken),
//   broken().
// A waiter whose process dies breaks the barrier (deliberate difference:
// Python's would wait for ever for the missing party).
// See manager_client.h for errors of every call.
// Telemetry: the caller's board slot shows WaitingBarrier while it waits.
#pragma once

#include "manager_client.h"

#include <optional>

namespace ipc::manager {

class BarrierProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<std::size_t> wait(std::optional<Duration> timeout = std::nullopt) const;
    [[nodiscard]] Result<void> abort() const;
    [[nodiscard]] Result<void> reset() const;
    [[nodiscard]] Result<std::size_t> parties() const;
    [[nodiscard]] Result<std::size_t> nWaiting() const;
    [[nodiscard]] Result<bool> broken() const;

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
    [[nodiscard]] Result<QCborValue> state(qsizetype field) const;
};

} // namespace ipc::manager
