// chunk: the SharedMemory / Array lesson's worker.
//
//   shm = SharedMemory(name)                      # --block NAME (attach by name)
//   a = np.ndarray((n,), np.float64, buffer=shm.buf)   (or --array NAME: an arena Array)
//   for r in range(rounds):
//       a[start:end] = op(a[start:end], k)        # in place, batch by batch
//
// Options: --block NAME | --array NAME, --start S --end E (default: all),
// --op square|cube|scale|add, --k K, --rounds R, --batch B elements,
// --pause-us U (after each batch, so a lecturer can watch the progress),
// --lock on (Array only: take the array's lock around each batch -- the
// "with and without a lock" contrast; disjoint chunks do not need it).
// A block is viewed with the element type its header records; an Array is
// double.
// Board: ops = elements transformed so far (all rounds), Custom0 = rounds
// done, both stored after every batch.
#include "roles.h"

#include "chunk_transform.h"
#include "shared_memory_block.h"

#include <unistd.h>

namespace ipc::roles {

namespace {

constexpr std::string_view kRole = "chunk";

struct ChunkPlan {
    ChunkOp op;
    double k;
    std::int64_t rounds;
    std::size_t batch;
    std::uint32_t pauseUs;
    AnyLock *lock; // null: no lock
};

template <SharedScalar T>
int transformRange(WorkerContext &ctx, std::span<T> all, const ChunkPlan &plan)
{
    auto start = ctx.args.integer("start", 0, 0, std::int64_t(all.size()));
    if (!start) return badOption(kRole, start.error());
    auto end = ctx.args.integer("end", std::int64_t(all.size()), *start, std::int64_t(all.size()));
    if (!end) return badOption(kRole, end.error());
    const std::span<T> chunk = all.subspan(std::size_t(*start), std::size_t(*end - *start));

    BoardSlot *slot = ctx.slot;
    std::uint64_t done = 0;
    for (std::int64_t r = 0; r < plan.rounds; ++r) {
        for (std::size_t at = 0; at < chunk.size(); at += plan.batch) {
            const std::span<T> part = chunk.subspan(at, std::min(plan.batch, chunk.size() - at));
            if (plan.lock) {
                auto acquired = plan.lock->acquire();
                if (!acquired) return failed(kRole, acquired.error());
            }
            transformChunk(plan.op, plan.k, part);
            if (plan.lock) {
                if (auto released = plan.lock->release(); !released)
                    return failed(kRole, released.error());
            }
            done += part.size();
            if (slot) {
                slot->ops.store(done, std::memory_order_relaxed);
                slot->heartbeatNs.store(monotonicNs(), std::memory_order_relaxed);
            }
            if (ctx.shouldStop()) return 0;
            if (plan.pauseUs > 0) {
                StateScope sleeping(ProcState::Sleeping);
                usleep(plan.pauseUs);
            }
        }
        if (slot)
            slot->counters[std::size_t(Counter::Custom0)].store(std::uint64_t(r + 1),
                                                                std::memory_order_relaxed);
    }
    return 0;
}

} // namespace

int chunk(WorkerContext &ctx)
{
    if (auto ok = ctx.args.allowOnly(
            {"block", "array", "start", "end", "op", "k", "rounds", "batch", "pause-us", "lock"});
        !ok)
        return badOption(kRole, ok.error());
    const bool byBlock = ctx.args.has("block");
    if (byBlock == ctx.args.has("array"))
        return badOption(kRole, Error{Errc::InvalidArgument, "give exactly one of --block NAME and --array NAME"});
    auto op = parseChunkOp(ctx.args.text("op", "square"));
    if (!op) return badOption(kRole, op.error());
    auto k = ctx.args.real("k", 2.0, -1e9, 1e9);
    if (!k) return badOption(kRole, k.error());
    auto rounds = ctx.args.integer("rounds", 1, 1, 1'000'000);
    if (!rounds) return badOption(kRole, rounds.error());
    auto batch = ctx.args.integer("batch", 4096, 1, 1 << 24);
    if (!batch) return badOption(kRole, batch.error());
    auto pauseUs = ctx.args.integer("pause-us", 0, 0, 1'000'000);
    if (!pauseUs) return badOption(kRole, pauseUs.error());
    auto useLock = ctx.args.boolean("lock", false);
    if (!useLock) return badOption(kRole, useLock.error());
    ChunkPlan plan{*op, *k, *rounds, std::size_t(*batch), std::uint32_t(*pauseUs), nullptr};

    if (!byBlock) {
        if (!ctx.arena.isValid())
            return badOption(kRole, Error{Errc::InvalidArgument, "--array needs the run's arena"});
        auto array = ctx.arena.find<SharedArray<double>>(ctx.args.text("array"));
        if (!array) return failed(kRole, array.error());
        if (*useLock) plan.lock = &(*array)->getLock();
        return transformRange(ctx, (*array)->elements(), plan);
    }
    if (*useLock)
        return badOption(kRole, Error{Errc::InvalidArgument, "--lock applies to --array only (a block has no lock)"});
    auto block = SharedMemoryBlock::attach(ctx.args.text("block"));
    if (!block) return failed(kRole, block.error());
    switch (block->elementType()) {
    case ElementType::Int32: return transformRange(ctx, *block->view<std::int32_t>(), plan);
    case ElementType::Int64: return transformRange(ctx, *block->view<std::int64_t>(), plan);
    case ElementType::Double: return transformRange(ctx, *block->view<double>(), plan);
    case ElementType::Int16:
    case ElementType::Char: break; // a block never holds these (attach refuses them)
    }
    return failed(kRole, Error{Errc::InvalidArgument,
                               "block '" + block->name() + "' holds untyped bytes; the creator must give it an element type"});
}

} // namespace ipc::roles
