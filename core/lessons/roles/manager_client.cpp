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

int managerClient(WorkerContext &ctx, const ManagerClientOptions &options)
{
    constexpr std::string_view kRole = ManagerClientOptions::kRole;
    auto info = ctx.arena.find<manager::ManagerInfo>(options.info);
    if (!info) return failed(kRole, info.error());
    auto client = manager::ManagerClient::connect(**info);
    if (!client) return failed(kRole, client.error());
    auto ns = client->ns(options.ns);
    auto lock = client->lock(options.lock);
    auto progress = client->dict(options.dict);
    auto finished = client->list(options.list);
    if (!ns) return failed(kRole, ns.error());
    if (!lock) return failed(kRole, lock.error());
    if (!progress) return failed(kRole, progress.error());
    if (!finished) return failed(kRole, finished.error());
    // The dict key says who reports: the board slot when there is one.
    const QCborValue me = options.slotName ? QCborValue(QString::fromStdString(*options.slotName))
                                           : QCborValue(qint64(getpid()));

    std::uint64_t locked = 0;
    Pacer pacer(ctx.control);
    for (std::int64_t i = 0; i < options.increments; ++i) {
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
        if (options.report > 0 && (i + 1) % options.report == 0)
            if (auto ok = progress->set(me, QCborValue(qint64(i + 1))); !ok) return failed(kRole, ok.error());
        if (ctx.shouldStop()) return 0;
    }
    if (auto ok = progress->set(me, QCborValue(qint64(options.increments))); !ok) return failed(kRole, ok.error());
    if (auto ok = finished->append(me); !ok) return failed(kRole, ok.error());
    return 0;
}

} // namespace ipc::roles
