// manager_dict: a child process does n sets then n gets on a manager dict,
// `d[i % 1000] = i` and `d[i % 1000]`, the peers' Python Manager().dict()
// bench, one row per operation (impl "proj/Manager dict set|get").
// latency_us is the mean time per operation: one request and one reply
// over the manager's Unix socket, comparable with the raw socketpair
// ping-pong's round trip. The server is role 0, the client role 1 (--pin).
#include "bench.h"

#include "bench_roles.h"
#include "manager_process.h"

#include <algorithm>

namespace ipc::bench {

namespace {

constexpr std::string_view kManagerDict = "manager_dict";
constexpr std::string_view kBenches[] = {kManagerDict};
constexpr std::int64_t kOps = 5000; // the peers' n

struct SetGet {
    double setSeconds;
    double getSeconds;
};

Result<SetGet> managerDictOnce(const Options &opts, std::int64_t n)
{
    auto run = Run::create(1 << 20);
    if (!run) return std::unexpected(run.error());
    auto gate = (*run)->arena().make<StartGate>("gate");
    if (!gate) return std::unexpected(gate.error());
    auto server = manager::ManagerProcess::start(**run, "manager", std::chrono::seconds(10),
                                                 SpawnOptions{.cpu = opts.cpuForRole(0)});
    if (!server) return std::unexpected(server.error());
    auto client = (*run)->spawn(roles::BenchManagerOptions{.n = n}, SpawnOptions{.cpu = opts.cpuForRole(1)});
    if (!client) return std::unexpected(client.error());
    if (auto t0 = openWhenArrived(**run, **gate, 1); !t0) return std::unexpected(t0.error());
    auto code = (*run)->process(*client).join(std::chrono::minutes(10));
    if (!code) return std::unexpected(code.error());
    if (*code != 0) return fail(Errc::System, "bench-manager exited with " + std::to_string(*code));
    const BoardSlot &slot = (*run)->slot(*client);
    return SetGet{double(slot.counter(Counter::Custom0)) * 1e-9, double(slot.counter(Counter::Custom1)) * 1e-9};
    // The Run stops the server on destruction; ManagerProcess removes its directory.
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

Result<void> runManager(const Options &opts)
{
    if (!opts.wants(kManagerDict)) return {};
    const std::int64_t n = opts.scaled(kOps);
    std::vector<double> sets;
    std::vector<double> gets;
    for (int i = 0; i < opts.reps; ++i) {
        auto r = managerDictOnce(opts, n);
        if (!r) return std::unexpected(r.error());
        sets.push_back(r->setSeconds);
        gets.push_back(r->getSeconds);
    }
    for (const auto &[op, reps] : {std::pair{"set", &sets}, std::pair{"get", &gets}}) {
        const double seconds = median(*reps);
        Row(kManagerDict, std::string("proj/Manager dict ") + op, opts)
            .n(n)
            .seconds(seconds)
            .latencyUs(seconds / double(n) * 1e6)
            .extra("op", std::string_view(op))
            .extra("seconds_reps", *reps)
            .emit();
    }
    return {};
}

} // namespace

extern const Group managerGroup{"manager", kBenches, &runManager};

} // namespace ipc::bench
