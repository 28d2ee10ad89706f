// ring-particles: the circular-pipeline lesson's worker (one stage).
//
// Each stage owns `particles` particles (x, y, vx, vy). Every time step,
// each stage's positions travel the whole ring: a stage computes the
// forces of the positions it holds, sends them to its right neighbour and
// receives its left neighbour's, stages-1 times, then moves its particles.
// After every step it writes its particles' positions into the shared
// array "positions" (for the drawing only; the physics goes through pipes).
//
// Forces: softened attraction, r / (|r|^2 + eps)^(3/2), and reflecting
// walls at +-1, so the state stays finite for any step count. No damping:
// the ring runs thousands of steps a second, and damped particles fell
// into one still clump within a second of the lesson's start.
// Board: ops = time steps done; MessagesSent/Received and BytesSent/
// Received from the Connections.
#include "roles.h"

#include "pacer.h"

#include "messaging_util.h"
#include "shared_value.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ipc::roles {

namespace {

struct Particle {
    double x, y, vx, vy;
};

constexpr double kDt = 0.002;
constexpr double kSoftening = 0.01;
constexpr double kStrength = 0.05;

void accumulate(const std::vector<Particle> &mine, std::span<const double> passing,
                std::vector<double> &fx, std::vector<double> &fy)
{
    for (std::size_t i = 0; i < mine.size(); ++i) {
        for (std::size_t j = 0; j + 1 < passing.size(); j += 2) {
            const double dx = passing[j] - mine[i].x;
            const double dy = passing[j + 1] - mine[i].y;
            const double r2 = dx * dx + dy * dy + kSoftening;
            const double inv = kStrength / (r2 * std::sqrt(r2));
            fx[i] += dx * inv;
            fy[i] += dy * inv;
        }
    }
}

} // namespace

int ringParticles(WorkerContext &ctx, const RingParticlesOptions &options)
{
    constexpr std::string_view kRole = RingParticlesOptions::kRole;
    auto left = connectionFrom(ctx, options.left, "left");
    if (!left) return badOption(kRole, left.error());
    auto right = connectionFrom(ctx, options.right, "right");
    if (!right) return badOption(kRole, right.error());
    auto positions = ctx.arena.find<SharedArray<double>>("positions");
    if (!positions) return failed(kRole, positions.error());
    const auto n = std::size_t(options.particles);
    const std::size_t base = std::size_t(options.rank) * n * 2;
    if ((*positions)->size() < base + n * 2)
        return failed(kRole, Error{Errc::InvalidArgument, "array 'positions' is too small for this stage"});

    // Start on a small circle per stage, each stage at its own angle.
    std::vector<Particle> mine(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double a = 2 * M_PI * (double(options.rank) + double(i) / double(n)) / double(options.stages);
        const double r = 0.3 + 0.4 * double(i) / double(n);
        mine[i] = {r * std::cos(a), r * std::sin(a), -0.3 * std::sin(a), 0.3 * std::cos(a)};
    }
    std::vector<double> passing(n * 2), fx(n), fy(n);

    Pacer pacer(ctx.control); // slow motion: time steps per second
    for (std::int64_t step = 0; (options.steps == 0 || step < options.steps) && pacer.wait(); ++step) {
        for (std::size_t i = 0; i < n; ++i) {
            passing[2 * i] = mine[i].x;
            passing[2 * i + 1] = mine[i].y;
        }
        std::fill(fx.begin(), fx.end(), 0.0);
        std::fill(fy.begin(), fy.end(), 0.0);
        for (std::int64_t hop = 0; hop < options.stages; ++hop) {
            accumulate(mine, passing, fx, fy);
            if (hop + 1 == options.stages) break;
            // Send right, then receive from the left: every stage sends
            // first, which the socket buffers absorb (a step is a few KiB).
            const auto bytes = std::as_bytes(std::span<const double>(passing));
            if (auto sent = right->sendBytes(bytes, 0, bytes.size()); !sent)
                return ctx.shouldStop() ? 0 : failed(kRole, sent.error());
            auto got = left->recvBytesInto(std::as_writable_bytes(std::span<double>(passing)));
            if (!got) return ctx.shouldStop() ? 0 : failed(kRole, got.error());
            if (*got != bytes.size())
                return failed(kRole, Error{Errc::Corrupt, "a neighbour sent " + std::to_string(*got) + " bytes, expected " + std::to_string(bytes.size())});
        }
        for (std::size_t i = 0; i < n; ++i) {
            Particle &p = mine[i];
            p.vx += kDt * fx[i];
            p.vy += kDt * fy[i];
            p.x += kDt * p.vx;
            p.y += kDt * p.vy;
            if (p.x < -1 || p.x > 1) { p.vx = -p.vx; p.x = std::clamp(p.x, -1.0, 1.0); }
            if (p.y < -1 || p.y > 1) { p.vy = -p.vy; p.y = std::clamp(p.y, -1.0, 1.0); }
            (*positions)->store(base + 2 * i, p.x);
            (*positions)->store(base + 2 * i + 1, p.y);
        }
        if (ctx.slot) ctx.slot->addOps(1);
    }
    return 0;
}

} // namespace ipc::roles
