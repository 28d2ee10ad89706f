// bench-manager: ipc-bench's manager_dict client, the peers' _mgr_client:
//
//   for i in range(n): d[i % 1000] = i      # timed: set
//   for i in range(n): d[i % 1000]          # timed: get
//
// Connects through the ManagerInfo --info, warms up (the connection, the
// dict, the server's first allocations), meets the others at the StartGate
// --gate, then times both loops itself.
// Board: Custom0 = ns of the set loop, Custom1 = ns of the get loop.
#include "bench_roles.h"

#include "dict_proxy.h"
#include "manager_client.h"
#include "start_gate.h"

namespace ipc::roles {

int benchManager(WorkerContext &ctx, const BenchManagerOptions &options)
{
    constexpr std::string_view kRole = BenchManagerOptions::kRole;
    const std::int64_t n = options.n;
    auto info = ctx.arena.find<manager::ManagerInfo>(options.info);
    if (!info) return failed(kRole, info.error());
    auto gate = ctx.arena.find<StartGate>(options.gate);
    if (!gate) return failed(kRole, gate.error());
    auto client = manager::ManagerClient::connect(**info);
    if (!client) return failed(kRole, client.error());
    auto d = client->dict("bench");
    if (!d) return failed(kRole, d.error());
    for (qint64 i = 0; i < 1000; ++i)
        if (auto ok = d->set(i, i); !ok) return failed(kRole, ok.error());
    if (auto ok = (*gate)->arriveAndWait(std::chrono::minutes(1)); !ok) return failed(kRole, ok.error());

    const std::uint64_t t0 = monotonicNs();
    for (qint64 i = 0; i < n; ++i)
        if (auto ok = d->set(i % 1000, i); !ok) return failed(kRole, ok.error());
    const std::uint64_t t1 = monotonicNs();
    for (qint64 i = 0; i < n; ++i)
        if (auto got = d->get(i % 1000); !got) return failed(kRole, got.error());
    const std::uint64_t t2 = monotonicNs();
    (*gate)->finish(std::uint32_t(options.index));
    if (ctx.slot) {
        ctx.slot->counters[std::size_t(Counter::Custom0)].store(t1 - t0, std::memory_order_relaxed);
        ctx.slot->counters[std::size_t(Counter::Custom1)].store(t2 - t1, std::memory_order_relaxed);
        ctx.slot->ops.store(std::uint64_t(2 * n), std::memory_order_relaxed);
    }
    return 0;
}

} // namespace ipc::roles
