// manager-client: the Manager lesson's worker.
//
//   for i in range(increments):
//       if lock_on:
//           with lock: ns.x += 1          # get, then set: two requests
//       else:
//           ns.x += 1                     # another process may run between them
//       if i % report == 0: progress[slot] = i + 1
//   finished.append(slot)
//
// Options: --info NAME (the ManagerInfo in the arena, default "manager"),
// --increments N, --report K (dict update every K increments, 0: never),
// --namespace NAME --lock NAME --dict NAME --list NAME (object names).
// The lock toggle is read from the control block before every increment,
// so the lecturer's switch acts on running processes.
// Board: ops = increments done; Custom0 = increments done under the lock.
#include "roles.h"

#include "dict_proxy.h"
#include "list_proxy.h"
#include "lock_proxy.h"
#include "manager_client.h"
#include "namespace_proxy.h"
#include "pacer.h"

namespace ipc::roles {

int managerClient(WorkerContext &ctx)
{
    constexpr std::string_view kRole = "manager-client";
    if (auto ok = ctx.args.allowOnly({"info", "increments", "report", "namespace", "lock", "dict", "list", "slot-name"});
        !ok)
        return badOption(kRole, ok.error());
    auto increments = ctx.args.integer("increments", 1000, 0, 100'000'000);
    if (!increments) return badOption(kRole, increments.error());
    auto report = ctx.args.integer("report", 100, 0, 100'000'000);
    if (!report) return badOption(kRole, report.error());
    auto info = ctx.arena.find<manager::ManagerInfo>(ctx.args.text("info", "manager"));
    if (!info) return failed(kRole, info.error());
    auto client = manager::ManagerClient::connect(**info);
    if (!client) return failed(kRole, client.error());
    auto ns = client->ns(ctx.args.text("namespace", "ns"));
    auto lock = client->lock(ctx.args.text("lock", "lock"));
    auto progress = client->dict(ctx.args.text("dict", "progress"));
    auto finished = client->list(ctx.args.text("list", "finished"));
    if (!ns) return failed(kRole, ns.error());
    if (!lock) return failed(kRole, lock.error());
    if (!progress) return failed(kRole, progress.error());
    if (!finished) return failed(kRole, finished.error());
    // The dict key says who reports: the board slot when there is one.
    const QCborValue me = ctx.args.has("slot-name") ? QCborValue(QString::fromStdString(ctx.args.text("slot-name")))
                                                    : QCborValue(qint64(getpid()));

    std::uint64_t locked = 0;
    Pacer pacer(ctx.control);
    for (std::int64_t i = 0; i < *increments; ++i) {
        if (!pacer.wait()) return 0;
        const bool useLock = ctx.control == nullptr || ctx.control->lockOn();
        if (useLock) {
            auto acquired = lock->acquire();
            if (!acquired) return failed(kRole, acquired.error());
        }
        auto x = ns->get("x", QCborValue(qint64(0)));
        if (!x) return failed(kRole, x.error());
        if (auto ok = ns->set("x", QCborValue(x->toInteger() + 1)); !ok) return failed(kRole, ok.error());
        if (useLock) {
            if (auto ok = lock->release(); !ok) return failed(kRole, ok.error());
            ++locked;
        }
        if (ctx.slot) {
            ctx.slot->ops.store(std::uint64_t(i + 1), std::memory_order_relaxed);
            ctx.slot->counters[std::size_t(Counter::Custom0)].store(locked, std::memory_order_relaxed);
            ctx.slot->heartbeatNs.store(monotonicNs(), std::memory_order_relaxed);
        }
        if (*report > 0 && (i + 1) % *report == 0)
            if (auto ok = progress->set(me, QCborValue(qint64(i + 1))); !ok) return failed(kRole, ok.error());
        if (ctx.shouldStop()) return 0;
    }
    if (auto ok = progress->set(me, QCborValue(qint64(*increments))); !ok) return failed(kRole, ok.error());
    if (auto ok = finished->append(me); !ok) return failed(kRole, ok.error());
    return 0;
}

} // namespace ipc::roles
