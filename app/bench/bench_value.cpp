// value_locked_increments: 2 processes x k locked increments of one shared
// value -- `with v.get_lock(): v.value += 1` on SharedValue<int64> and its
// Lock -- the peers' PROCESS_SHARED pthread mutex and atomic counters and
// Python's Value + get_lock() at the same k and pins, and the bound: the
// same loop on glibc's robust mutex (roles/glibc_robust_counter.h), which
// gives the guarantee our Lock gives. Each worker is an ipc-worker (role
// bench-increments) released through a StartGate.
#include "bench.h"

#include "bench_roles.h"

#include "glibc_robust_counter.h"
#include "shared_value.h"

#include <functional>

namespace ipc::bench {

namespace {

constexpr std::string_view kLockedIncrements = "value_locked_increments";
constexpr std::string_view kBenches[] = {kLockedIncrements};
constexpr int kProcesses = 2;
constexpr std::int64_t kIncrementsEach = 2'000'000; // the peers' pthread mutex k
constexpr std::string_view kRobustBound = "bound/pthread_mutex PROCESS_SHARED ROBUST";

struct Variant {
    bool board = true;
    bool stepGate = false;
    bool traced = false;
    bool glibcRobust = false; // the bound: glibc's robust mutex instead of our Lock
};

Result<Sample> lockedIncrementsOnce(const Options &opts, std::int64_t k, Variant v)
{
    auto run = Run::create(1 << 20, v.traced ? Tracing::On : Tracing::Off);
    if (!run) return std::unexpected(run.error());
    Arena &arena = (*run)->arena();
    std::function<std::int64_t()> final;
    if (v.glibcRobust) {
        auto counter = arena.make<roles::GlibcRobustCounter>("counter");
        if (!counter) return std::unexpected(counter.error());
        final = [c = *counter] { return c->counter; };
    } else {
        auto value = arena.make<SharedValue<std::int64_t>>("counter", 0);
        if (!value) return std::unexpected(value.error());
        final = [c = *value] { return c->load(); };
    }
    auto gate = arena.make<StartGate>("gate");
    if (!gate) return std::unexpected(gate.error());
    for (int role = 0; role < kProcesses; ++role) {
        const roles::BenchIncrementsOptions worker{.index = role,
                                                   .increments = k,
                                                   .board = v.board,
                                                   .stepGate = v.stepGate,
                                                   .glibcRobust = v.glibcRobust};
        if (auto spawned = (*run)->spawn(worker, SpawnOptions{.cpu = opts.cpuForRole(role)}); !spawned)
            return std::unexpected(spawned.error());
    }
    auto t0 = openWhenArrived(**run, **gate, kProcesses);
    if (!t0) return std::unexpected(t0.error());
    if (auto joined = joinAll(**run); !joined) return std::unexpected(joined.error());
    const std::uint64_t t1 = (*gate)->lastFinishNs(kProcesses);
    Sample s;
    s.seconds = double(t1 - *t0) * 1e-9;
    s.final = final();
    s.expected = kProcesses * k;
    return s;
}

// One row of locked increments: the median of its runs, what the counter
// reached against what it should have.
void emitIncrements(std::string_view impl, const Repeated &r, const Options &opts, std::int64_t k)
{
    const Sample &m = r.median;
    Row(kLockedIncrements, impl, opts)
        .n(kProcesses * k)
        .seconds(m.seconds)
        .extra("procs", std::int64_t(kProcesses))
        .extra("final", m.final)
        .extra("expected", m.expected)
        .extra("correct", m.final == m.expected)
        .extra("lost_frac", double(m.expected - m.final) / double(m.expected), 4)
        .repeated(r)
        .emit();
}

// A variant against its base, by turns: the base's row, then the variant's.
Result<void> byTurns(const Options &opts, std::int64_t k, Variant base, bool Variant::*flag,
                     std::string_view baseImpl, std::string_view variantImpl)
{
    auto pair = repeatByTurns(opts, false, [&](bool on) {
        Variant v = base;
        v.*flag = on;
        return lockedIncrementsOnce(opts, k, v);
    });
    if (!pair) return std::unexpected(pair.error());
    emitIncrements(baseImpl, pair->first, opts, k);
    emitIncrements(variantImpl, pair->second, opts, k);
    return {};
}

Result<void> runValue(const Options &opts)
{
    if (!opts.wants(kLockedIncrements)) return {};
    const std::int64_t k = opts.scaled(kIncrementsEach);
    // As every lesson runs it (board attached: the lock marks "in critical
    // section" on the board), and bare, to show what the telemetry costs.
    if (auto ok = byTurns(opts, k, {.board = false}, &Variant::board, "proj/Value+Lock", "proj/Value+Lock +board");
        !ok)
        return ok;
    // A step gate before every increment, step mode off (what every
    // lesson's gated worker pays when nobody steps), against none.
    if (auto ok = byTurns(opts, k, {}, &Variant::stepGate, "proj/Value+Lock +board (by turns with the gate)",
                          "proj/Value+Lock +board +step gate");
        !ok)
        return ok;
    // The event trace on (the window's default), against off. Nobody
    // drains the rings here: after its first 512 events each ring is full
    // and every event after is counted as dropped, as at full speed
    // between two of the sampler's ticks.
    if (auto ok = byTurns(opts, k, {}, &Variant::traced, "proj/Value+Lock +board (by turns with the trace)",
                          "proj/Value+Lock +board +trace");
        !ok)
        return ok;
    // The bound: glibc's robust mutex (the guarantee our Lock gives),
    // against our Lock without the board.
    return byTurns(opts, k, {.board = false}, &Variant::glibcRobust,
                   "proj/Value+Lock (by turns with the robust mutex)", kRobustBound);
}

} // namespace

extern const Group valueGroup{"value", kBenches, &runValue};

} // namespace ipc::bench
