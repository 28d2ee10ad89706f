// ring-stage: one process of the circular pipeline. Each stage owns some
// particles; every time step each block of positions travels the whole
// ring, and each stage applies to its own particles the forces of every
// block that passes through it.
//
//   for step in range(steps):
//       right.send(my_block)                   # [rank, step, x0 y0 x1 y1 ...]
//       forces = self_forces(my_block)
//       for hop in range(1, stages):
//           block = left.recv()
//           forces += forces_from(block)
//           if hop < stages - 1: right.send(block)   # pass it on
//       integrate(forces)
//
// Every stage sends before it receives; a block is at most 16 KiB, so the
// ring never fills a pipe and cannot deadlock.
// Board: ops = blocks received; Custom0 = time steps done; Custom1 = 1 if a
// position ever became non-finite. With --positions NAME, the stage writes
// its particles' (x, y) to SharedArray<double> NAME at [2*rank*particles ..),
// for the window to draw.
#include "roles.h"

#include "messaging_util.h"
#include "shared_value.h"

#include <QCborArray>

#include <cmath>
#include <cstring>
#include <vector>

namespace ipc::roles {

namespace {

constexpr double kDt = 0.01;
constexpr double kSoftening2 = 0.05;
constexpr double kStrength = 0.02;  // pull between particles
constexpr double kCentre = 0.05;    // pull towards the origin keeps the cloud bounded
constexpr double kDamping = 0.999;

QByteArray packPositions(const std::vector<double> &xy)
{
    return QByteArray(reinterpret_cast<const char *>(xy.data()), qsizetype(xy.size() * sizeof(double)));
}

// Adds to `force` the pull of every particle in `block` on every one of ours.
void accumulate(const std::vector<double> &mine, const double *block, std::size_t count,
                std::vector<double> &force)
{
    for (std::size_t i = 0; i < mine.size() / 2; ++i) {
        const double xi = mine[2 * i], yi = mine[2 * i + 1];
        double fx = 0, fy = 0;
        for (std::size_t j = 0; j < count; ++j) {
            const double dx = block[2 * j] - xi, dy = block[2 * j + 1] - yi;
            const double r2 = dx * dx + dy * dy + kSoftening2;
            const double inv = kStrength / (r2 * std::sqrt(r2));
            fx += dx * inv;
            fy += dy * inv;
        }
        force[2 * i] += fx;
        force[2 * i + 1] += fy;
    }
}

} // namespace

int ringStage(WorkerContext &ctx)
{
    constexpr std::string_view kRole = "ring-stage";
    std::vector<std::string_view> known{"rank", "stages", "particles", "steps", "positions"};
    addConnectionKeys(known, "left");
    addConnectionKeys(known, "right");
    if (auto ok = ctx.args.allowOnly(known); !ok) return badOption(kRole, ok.error());
    auto rank = ctx.args.integer("rank", 0, 0, 63);
    auto stages = ctx.args.integer("stages", 2, 1, 64);
    auto particles = ctx.args.integer("particles", 16, 1, 1000);
    auto steps = ctx.args.integer("steps", 0, 0, 1'000'000'000);
    if (!rank) return badOption(kRole, rank.error());
    if (!stages) return badOption(kRole, stages.error());
    if (!particles) return badOption(kRole, particles.error());
    if (!steps) return badOption(kRole, steps.error());
    if (*rank >= *stages) return badOption(kRole, Error{Errc::InvalidArgument, "--rank must be < --stages"});
    auto left = connectionFrom(ctx, "left");
    auto right = connectionFrom(ctx, "right");
    if (!left) return badOption(kRole, left.error());
    if (!right) return badOption(kRole, right.error());
    SharedArray<double> *shown = nullptr;
    const std::size_t n = std::size_t(*particles);
    if (const std::string name = ctx.args.text("positions"); !name.empty()) {
        auto array = ctx.arena.find<SharedArray<double>>(name);
        if (!array) return failed(kRole, array.error());
        if ((*array)->size() < 2 * n * std::size_t(*stages))
            return failed(kRole, Error{Errc::InvalidArgument, "array '" + name + "' is too small"});
        shown = *array;
    }

    // Each stage starts on its own arc of a ring of radius 1.
    std::vector<double> xy(2 * n), v(2 * n, 0.0), force(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        const double a = 2 * M_PI * (double(*rank) + double(i) / double(n)) / double(*stages);
        xy[2 * i] = std::cos(a);
        xy[2 * i + 1] = std::sin(a);
        v[2 * i] = -0.3 * std::sin(a);
        v[2 * i + 1] = 0.3 * std::cos(a);
    }
    bool stopped = false;
    const auto stop = [&](const Error &e, bool wasStopped) {
        if (wasStopped || e.code == Errc::EndOfFile || e.code == Errc::Closed) return 0;
        return failed(kRole, e);
    };
    for (std::int64_t step = 0; *steps == 0 || step < *steps; ++step) {
        if (ctx.shouldStop()) return 0;
        const QCborValue own(QCborArray{qint64(*rank), qint64(step), packPositions(xy)});
        if (*stages > 1) {
            if (auto sent = sendUntilStopped(ctx, *right, own, stopped); !sent) return stop(sent.error(), stopped);
        }
        std::fill(force.begin(), force.end(), 0.0);
        accumulate(xy, xy.data(), n, force);
        for (std::int64_t hop = 1; hop < *stages; ++hop) {
            auto block = recvUntilStopped(ctx, *left, stopped);
            if (!block) return stop(block.error(), stopped);
            const QCborArray a = block->toArray();
            const QByteArray raw = a.size() == 3 ? a[2].toByteArray() : QByteArray();
            if (raw.size() % qsizetype(2 * sizeof(double)) != 0 || a[1].toInteger() != step)
                return failed(kRole, Error{Errc::Corrupt, "ring block out of step or damaged at step " +
                                                              std::to_string(step)});
            std::vector<double> other(std::size_t(raw.size()) / sizeof(double));
            std::memcpy(other.data(), raw.constData(), std::size_t(raw.size()));
            accumulate(xy, other.data(), other.size() / 2, force);
            if (hop < *stages - 1) {
                if (auto sent = sendUntilStopped(ctx, *right, *block, stopped); !sent)
                    return stop(sent.error(), stopped);
            }
            if (ctx.slot) ctx.slot->addOps(1);
        }
        bool finite = true;
        for (std::size_t i = 0; i < 2 * n; ++i) {
            v[i] = (v[i] + kDt * (force[i] - kCentre * xy[i])) * kDamping;
            xy[i] += kDt * v[i];
            finite = finite && std::isfinite(xy[i]);
        }
        if (shown)
            for (std::size_t i = 0; i < 2 * n; ++i) shown->store(2 * n * std::size_t(*rank) + i, xy[i]);
        if (ctx.slot) {
            ctx.slot->add(Counter::Custom0, 1);
            if (!finite) ctx.slot->counters[std::size_t(Counter::Custom1)].store(1, std::memory_order_relaxed);
            ctx.slot->heartbeatNs.store(monotonicNs(), std::memory_order_relaxed);
        }
    }
    return 0;
}

} // namespace ipc::roles
