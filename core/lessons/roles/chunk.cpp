// chunk: the SharedMemory / Array lesson's worker.
//
//   shm = SharedMemory(name)                      # --block NAME (attach by name)
//   a = np.ndarray((n,), np.float64, buffer=shm.buf)   (or --array NAME: an arena Array)
//   for r in range(rounds):
//       a[start:end] = op(a[start:end], k)        # in place, batch by batch
//
// Options (ChunkOptions): --block NAME | --array NAME, --start S --end E
// (default: all), --op square|cube|scale|add, --k K, --rounds R, --batch B
// elements, --pause-us U (after each batch, so a lecturer can watch the
// progress), --lock on (Array only: take the array's lock around each batch
// -- the "with and without a lock" contrast; disjoint chunks do not need it).
// A block is viewed with the element type its header records; an Array is
// double.
// Board: ops = elements transformed so far (all rounds), Custom0 = rounds
// done, both stored after every batch.
#include "roles.h"

#include "chunk_transform.h"
#include "shared_memory_block.h"

#include <optional>
#include <unistd.h>

namespace ipc::roles {

namespace {

constexpr std::string_view kRole = ChunkOptions::kRole;

struct ChunkPlan {
    ChunkOp op;
    double k;
    std::int64_t rounds;
    std::size_t batch;
    std::uint32_t pauseUs;
    AnyLock *lock; // null: no lock
};

template <SharedScalar T>
int transformRange(WorkerContext &ctx, std::span<T> all, const ChunkPlan &plan, const ChunkOptions &options)
{
    const auto size = std::int64_t(all.size());
    const std::int64_t end = options.end < 0 ? size : options.end;
    if (options.start > size || end > size)
        return badOption(kRole, Error{Errc::InvalidArgument,
                                      "--start " + std::to_string(options.start) + " --end " + std::to_string(end) +
                                          " reach past the " + std::to_string(size) + " elements"});
    const std::span<T> chunk = all.subspan(std::size_t(options.start), std::size_t(end - options.start));

    BoardSlot *slot = ctx.slot;
    std::uint64_t done = 0;
    for (std::int64_t r = 0; r < plan.rounds; ++r) {
        for (std::size_t at = 0; at < chunk.size(); at += plan.batch) {
            const std::span<T> part = chunk.subspan(at, std::min(plan.batch, chunk.size() - at));
            std::optional<LockGuard> held;
            if (plan.lock) {
                auto acquired = LockGuard::hold(*plan.lock);
                if (!acquired) return failed(kRole, acquired.error());
                held.emplace(std::move(*acquired));
            }
            transformChunk(plan.op, plan.k, part);
            if (held)
                if (auto released = held->release(); !released) return failed(kRole, released.error());
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

int chunk(WorkerContext &ctx, const ChunkOptions &options)
{
    auto op = parseChunkOp(options.op);
    if (!op) return badOption(kRole, op.error());
    ChunkPlan plan{*op, options.k, options.rounds, std::size_t(options.batch), std::uint32_t(options.pauseUs), nullptr};

    if (options.array) {
        if (!ctx.arena.isValid())
            return badOption(kRole, Error{Errc::InvalidArgument, "--array needs the run's arena"});
        auto array = ctx.arena.find<SharedArray<double>>(*options.array);
        if (!array) return failed(kRole, array.error());
        if (options.lock) plan.lock = &(*array)->getLock();
        return transformRange(ctx, (*array)->elements(), plan, options);
    }
    auto block = SharedMemoryBlock::attach(*options.block);
    if (!block) return failed(kRole, block.error());
    switch (block->elementType()) {
    case ElementType::Int32: return transformRange(ctx, *block->view<std::int32_t>(), plan, options);
    case ElementType::Int64: return transformRange(ctx, *block->view<std::int64_t>(), plan, options);
    case ElementType::Double: return transformRange(ctx, *block->view<double>(), plan, options);
    case ElementType::Int16:
    case ElementType::Char: break; // a block never holds these (attach refuses them)
    }
    return failed(kRole, Error{Errc::InvalidArgument,
                               "block '" + block->name() + "' holds untyped bytes; the creator must give it an element type"});
}

} // namespace ipc::roles
