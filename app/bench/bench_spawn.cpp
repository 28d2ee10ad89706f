// process_spawn: start + join of an idle ipc-worker (`--role idle
// --exit-after-ms 0`) through ipc::Process, against the peers' posix_spawn /
// fork+exec of /bin/true and Python's Process start+join.
// idle_child_rss: RSS and PSS of an idle ipc-worker inside a Run (arena and
// board attached, as in a lesson), against an idle Python child.
#include "bench.h"

#include "process.h"
#include "role_options.h"
#include "worker.h"

#include <chrono>
#include <thread>
#include <utility>
#include <unistd.h>

namespace ipc::bench {

namespace {

constexpr std::string_view kProcessSpawn = "process_spawn";
constexpr std::string_view kIdleChildRss = "idle_child_rss";
constexpr std::string_view kBenches[] = {kProcessSpawn, kIdleChildRss};
constexpr std::int64_t kSpawns = 300; // the peers' posix_spawn n

double secondsSince(std::uint64_t t0Ns) { return double(monotonicNs() - t0Ns) * 1e-9; }

Result<Sample> spawnOnce(const ProcessOptions &worker, std::int64_t n)
{
    std::vector<double> each;
    each.reserve(std::size_t(n));
    const std::uint64_t t0 = monotonicNs();
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint64_t t = monotonicNs();
        auto p = Process::start(worker);
        if (!p) return std::unexpected(p.error());
        auto code = p->join(std::chrono::seconds(30));
        if (!code) return std::unexpected(code.error());
        if (*code != 0)
            return fail(Errc::System, "idle ipc-worker exited with " + std::to_string(*code));
        each.push_back(secondsSince(t));
    }
    Sample s;
    s.seconds = secondsSince(t0);
    summarizeLatencies(each, s);
    return s;
}

// ipc-worker-qt, beside ipc-worker: the worker of the roles that need QtCore.
std::string qtWorkerPath() { return Run::workerPath() + "-qt"; }

ProcessOptions idleWorker(std::string executable, std::string exitAfterMs)
{
    ProcessOptions worker;
    worker.executable = std::move(executable);
    worker.args = {"--role", "idle", "--exit-after-ms", std::move(exitAfterMs)};
    // As Run starts every worker: it checks that its parent is still there.
    worker.extraEnv = {std::string(kParentPidEnv) + "=" + std::to_string(getpid())};
    return worker;
}

Result<void> processSpawn(const Options &opts)
{
    // ipc-worker is what every lesson starts; ipc-worker-qt (QtCore loaded)
    // is shown for what the split saves.
    const std::pair<std::string, const char *> workers[] = {
        {Run::workerPath(), "proj/ipc-worker start+join"},
        {qtWorkerPath(), "proj/ipc-worker-qt start+join"},
    };
    for (const auto &[path, impl] : workers) {
        const ProcessOptions worker = idleWorker(path, "0");
        const std::int64_t n = opts.scaled(kSpawns);
        if (auto warm = spawnOnce(worker, 1); !warm) return std::unexpected(warm.error());
        auto r = repeat(opts, true, [&] { return spawnOnce(worker, n); });
        if (!r) return std::unexpected(r.error());
        Row(kProcessSpawn, impl, opts)
            .n(n)
            .seconds(r->median.seconds)
            .latencyUs(r->median.latencyUs)
            .repeated(*r)
            .emit();
    }
    return {};
}

// The idle Qt worker, alone (no arena): what a Qt role's process costs at rest.
Result<void> idleQtChildRss(const Options &opts, std::int64_t parentRssKb)
{
    auto p = Process::start(idleWorker(qtWorkerPath(), "60000"));
    if (!p) return std::unexpected(p.error());
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // started and asleep
    auto child = memoryOf(p->pid());
    (void)p->kill();
    (void)p->join(std::chrono::seconds(10));
    if (!child) return std::unexpected(child.error());
    Row(kIdleChildRss, "proj/idle ipc-worker-qt", opts)
        .n(1)
        .extra("rss_kb", child->rssKb)
        .extra("pss_kb", child->pssKb)
        .extra("parent_rss_kb", parentRssKb)
        .emit();
    return {};
}

Result<void> idleChildRss(const Options &opts)
{
    auto run = Run::create();
    if (!run) return std::unexpected(run.error());
    auto k = (*run)->spawn(roles::IdleOptions{}, SpawnOptions{.cpu = opts.cpuForRole(0)});
    if (!k) return std::unexpected(k.error());
    // Idle: attached, and asleep in its loop.
    const Deadline deadline(std::chrono::seconds(30));
    while ((*run)->slot(*k).currentState() != ProcState::Sleeping) {
        if (deadline.expired() || !(*run)->process(*k).isAlive())
            return fail(Errc::Timeout, "the idle ipc-worker did not settle");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // as the peers wait
    auto child = memoryOf((*run)->process(*k).pid());
    if (!child) return std::unexpected(child.error());
    auto parent = memoryOf(getpid());
    (*run)->stop();
    Row(kIdleChildRss, "proj/idle ipc-worker", opts)
        .n(1)
        .extra("rss_kb", child->rssKb)
        .extra("pss_kb", child->pssKb)
        .extra("parent_rss_kb", parent ? parent->rssKb : std::int64_t(-1))
        .emit();
    return idleQtChildRss(opts, parent ? parent->rssKb : std::int64_t(-1));
}

Result<void> runSpawn(const Options &opts)
{
    if (opts.wants(kProcessSpawn))
        if (auto r = processSpawn(opts); !r) return r;
    if (opts.wants(kIdleChildRss))
        if (auto r = idleChildRss(opts); !r) return r;
    return {};
}

} // namespace

extern const Group spawnGroup{"spawn", kBenches, &runSpawn};

} // namespace ipc::bench
