// ipc-bench's shared machinery: options, CPU placement, repetitions, and
// one JSON line per result in the schema of ../shared/peers (README there),
// so that `summarize.py peers.jsonl project.jsonl` puts our rows beside the
// peers' rows of the same bench and pin.
//
//   ipc-bench [--reps N] [--scale F] [--only b1,b2] [--pin none|same|split]
//
// Every worker of a bench is a real process: an ipc-worker role spawned
// through ipc::Run (placed with its --cpu option) or an ipc::Process.
// A bench group is one bench_<group>.cpp defining `const Group <group>Group`
// and one line in bench_main.cpp's table.
#pragma once

#include "result.h"
#include "run.h"
#include "start_gate.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipc::bench {

// Where the processes of a bench run (the peers' --pin):
//   None  -- wherever the scheduler puts them (results can be bimodal);
//   Same  -- every role on CPU 0 (hand-offs are same-core switches);
//   Split -- role r on CPU r % CPUs (every hand-off crosses cores).
enum class Pin { None, Same, Split };
[[nodiscard]] std::string_view pinName(Pin pin) noexcept;

struct Options {
    int reps = 3;
    double scale = 1.0;
    std::vector<std::string> only; // bench names; empty = all
    Pin pin = Pin::None;
    int round = 0; // a bench.sh round: which variant of a pair goes first (repeatByTurns)

    [[nodiscard]] bool wants(std::string_view bench) const;
    // n * scale, at least 1 (the peers' scaled()).
    [[nodiscard]] std::int64_t scaled(std::int64_t n) const;
    // The CPU of role `role` under --pin; -1 = not pinned.
    [[nodiscard]] int cpuForRole(int role) const;
    // ipc-worker options that place role `role`: {"--cpu", "N"} or nothing.
};

// InvalidArgument with the reason; the caller prints it with kUsage.
[[nodiscard]] Result<Options> parseOptions(int argc, char **argv,
                                           std::span<const std::string_view> knownBenches);
extern const char *const kUsage;

// One timed run of a bench. Fields a bench has no use for stay negative.
struct Sample {
    double seconds = -1;   // wall time of the timed part
    double latencyUs = -1; // median latency of one operation
    double p99Us = -1;
    std::int64_t final = -1;    // counter benches: what the counter reached
    std::int64_t expected = -1; // and what it should have reached
};

// Sorts per-operation times (seconds) and stores their median and p99 in us.
void summarizeLatencies(std::vector<double> &secondsEach, Sample &out);

// The median of runs, by seconds or by latency.
[[nodiscard]] Sample medianOf(std::vector<Sample> runs, bool byLatency);

struct Repeated {
    Sample median;                   // the median run, by seconds or by latency
    std::vector<double> secondsReps; // every run's seconds, in run order
};

// Runs `once` (returning Result<Sample>) opts.reps times; the first failure
// ends the repetition and is returned.
template <class Once>
[[nodiscard]] Result<Repeated> repeat(const Options &opts, bool byLatency, Once &&once)
{
    std::vector<Sample> runs;
    Repeated out;
    for (int i = 0; i < opts.reps; ++i) {
        Result<Sample> s = once();
        if (!s) return std::unexpected(s.error());
        runs.push_back(*s);
        out.secondsReps.push_back(s->seconds);
    }
    out.median = medianOf(runs, byLatency);
    return out;
}

// Runs `once(false)` and `once(true)` (a variant off and on: the board
// detached and attached) by turns, opts.reps times each, the first of each
// turn alternating with the rep and opts.round. Taking turns
// keeps a drift of the machine's speed (on this kind of VM, tens of
// percent over a minute) out of their ratio: run one after the other, the
// second came out a quarter slower whichever it was.
template <class Once>
[[nodiscard]] Result<std::pair<Repeated, Repeated>> repeatByTurns(const Options &opts, bool byLatency, Once &&once)
{
    std::vector<Sample> runs[2];
    Repeated out[2];
    for (int i = 0; i < opts.reps; ++i) {
        // Who goes first alternates: of two runs back to back the later
        // tends to differ (see above), whichever it is.
        const bool onFirst = (i + opts.round) % 2 == 1;
        for (const bool on : {onFirst, !onFirst}) {
            Result<Sample> s = once(on);
            if (!s) return std::unexpected(s.error());
            runs[on].push_back(*s);
            out[on].secondsReps.push_back(s->seconds);
        }
    }
    for (int on = 0; on < 2; ++on) out[on].median = medianOf(runs[on], byLatency);
    return std::pair{out[0], out[1]};
}

// Waits (at most a minute) until `workers` processes of `run` have arrived
// at `gate`, then opens it; returns the start stamp (ns). Fails at once
// with the exit code if a worker exits before it arrives.
[[nodiscard]] Result<std::uint64_t> openWhenArrived(Run &run, StartGate &gate,
                                                    std::uint32_t workers);
// Waits (at most ten minutes) for every process of `run`; fails unless all exit 0.
[[nodiscard]] Result<void> joinAll(Run &run);

// Resident and proportional set size of a process, in KiB.
struct Memory {
    std::int64_t rssKb = -1;
    std::int64_t pssKb = -1;
};
[[nodiscard]] Result<Memory> memoryOf(pid_t pid);

// One result line. The peers' fields come first, in their order, null
// until set; extras follow in the order they are added.
class Row {
public:
    Row(std::string_view bench, std::string_view impl, const Options &opts);

    Row &msgBytes(std::int64_t bytes);
    Row &n(std::int64_t count);
    // Sets seconds and ops_per_s = n / seconds (call n() first).
    Row &seconds(double s);
    Row &latencyUs(double us);
    Row &extra(std::string_view key, std::int64_t v);
    Row &extra(std::string_view key, double v, int decimals = 3);
    Row &extra(std::string_view key, bool v);
    Row &extra(std::string_view key, std::string_view v);
    Row &extra(std::string_view key, const std::vector<double> &v);
    // The common tail of a repeated timed bench: p99_us (if any) and seconds_reps.
    Row &repeated(const Repeated &r);

    [[nodiscard]] std::string json() const;
    void emit() const; // one line on stdout, flushed

private:
    Row &set(std::string_view key, std::string jsonValue);

    std::vector<std::pair<std::string, std::string>> m_fields;
    std::int64_t m_n = 0;
};

// A group of benches (one bench_<group>.cpp).
struct Group {
    std::string_view name;
    std::span<const std::string_view> benches; // what --only may name
    Result<void> (*run)(const Options &opts);  // runs the selected benches, emits their rows
};

} // namespace ipc::bench
