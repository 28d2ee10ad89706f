#include "bench.h"

#include "args.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <unistd.h>

namespace ipc::bench {

const char *const kUsage =
    "usage: ipc-bench [--reps N] [--scale F] [--only bench1,bench2] [--pin none|same|split] [--round N]\n"
    "  --reps N     runs of each timed bench; the median run is kept (default 3)\n"
    "  --scale F    multiplies iteration counts (default 1)\n"
    "  --only LIST  run only these benches\n"
    "  --pin P      none: the scheduler places processes; same: all on CPU 0;\n"
    "               split: role 0 on CPU 0, role 1 on CPU 1\n"
    "  --round N    which variant of a pair compared by turns runs first: off in\n"
    "               even rounds, on in odd ones (and so on for each further rep)\n"
    "Prints one JSON object per result (the schema of shared/peers/README.md).\n";

std::string_view pinName(Pin pin) noexcept
{
    switch (pin) {
    case Pin::None: return "none";
    case Pin::Same: return "same";
    case Pin::Split: return "split";
    }
    return "none";
}

bool Options::wants(std::string_view bench) const
{
    return only.empty() || std::find(only.begin(), only.end(), bench) != only.end();
}

std::int64_t Options::scaled(std::int64_t n) const
{
    return std::max<std::int64_t>(1, std::int64_t(double(n) * scale));
}

int Options::cpuForRole(int role) const
{
    if (pin == Pin::None) return -1;
    if (pin == Pin::Same) return 0;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? int(role % cpus) : 0;
}

Result<Options> parseOptions(int argc, char **argv, std::span<const std::string_view> knownBenches)
{
    auto args = Args::parse(argc, argv, 1);
    if (!args) return std::unexpected(args.error());
    if (auto ok = args->allowOnly({"reps", "scale", "only", "pin", "round"}); !ok)
        return std::unexpected(ok.error());
    Options o;
    auto reps = args->integer("reps", 3, 1, 1000);
    if (!reps) return std::unexpected(reps.error());
    o.reps = int(*reps);
    auto round = args->integer("round", 0, 0, 1'000'000);
    if (!round) return std::unexpected(round.error());
    o.round = int(*round);
    auto scale = args->real("scale", 1.0, 1e-6, 1e6);
    if (!scale) return std::unexpected(scale.error());
    o.scale = *scale;
    auto pin = args->choice("pin", "none", {"none", "same", "split"});
    if (!pin) return std::unexpected(pin.error());
    o.pin = *pin == "same" ? Pin::Same : *pin == "split" ? Pin::Split : Pin::None;
    const std::string only = args->text("only");
    for (std::size_t start = 0; start < only.size();) {
        std::size_t comma = only.find(',', start);
        if (comma == std::string::npos) comma = only.size();
        std::string name = only.substr(start, comma - start);
        if (!name.empty()) {
            if (std::find(knownBenches.begin(), knownBenches.end(), name) == knownBenches.end())
                return fail(Errc::InvalidArgument, "--only: no bench named '" + name + "'");
            o.only.push_back(std::move(name));
        }
        start = comma + 1;
    }
    return o;
}

void summarizeLatencies(std::vector<double> &secondsEach, Sample &out)
{
    if (secondsEach.empty()) return;
    std::sort(secondsEach.begin(), secondsEach.end());
    out.latencyUs = secondsEach[secondsEach.size() / 2] * 1e6;
    out.p99Us = secondsEach[std::min(secondsEach.size() - 1,
                                     std::size_t(double(secondsEach.size()) * 0.99))] *
                1e6;
}

Sample medianOf(std::vector<Sample> runs, bool byLatency)
{
    if (runs.empty()) return {};
    std::sort(runs.begin(), runs.end(), [byLatency](const Sample &a, const Sample &b) {
        return byLatency ? a.latencyUs < b.latencyUs : a.seconds < b.seconds;
    });
    return runs[runs.size() / 2];
}

Result<std::uint64_t> openWhenArrived(Run &run, StartGate &gate, std::uint32_t workers)
{
    const Deadline deadline(std::chrono::minutes(1));
    for (;;) {
        auto arrived = gate.waitArrived(workers, std::chrono::milliseconds(100));
        if (arrived) return gate.open();
        for (std::uint32_t i = 0; i < run.processCount(); ++i) {
            if (!run.process(i).isAlive())
                return fail(Errc::System, "worker " + std::to_string(i) + " exited with " +
                                              std::to_string(run.process(i).exitCode().value_or(-1)) +
                                              " before the start");
        }
        if (deadline.expired()) return std::unexpected(arrived.error());
    }
}

Result<void> joinAll(Run &run)
{
    if (auto joined = run.waitAll(std::chrono::minutes(10)); !joined) return joined;
    for (std::uint32_t i = 0; i < run.processCount(); ++i) {
        const int code = run.process(i).exitCode().value_or(-1);
        if (code != 0)
            return fail(Errc::System, "worker " + std::to_string(i) + " exited with " +
                                          std::to_string(code));
    }
    return {};
}

namespace {

// The number after "key:" in a /proc file of "key: value kB" lines.
std::int64_t procField(const std::string &path, std::string_view key)
{
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
            line[key.size()] == ':')
            return std::strtoll(line.c_str() + key.size() + 1, nullptr, 10);
    }
    return -1;
}

std::string number(double v, int decimals)
{
    if (!std::isfinite(v)) return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string quoted(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

} // namespace

Result<Memory> memoryOf(pid_t pid)
{
    const std::string dir = "/proc/" + std::to_string(pid) + "/";
    Memory m;
    // VmRSS as the peers read it; PSS shares each shared page among its users.
    m.rssKb = procField(dir + "status", "VmRSS");
    m.pssKb = procField(dir + "smaps_rollup", "Pss");
    if (m.rssKb < 0 || m.pssKb < 0)
        return fail(Errc::NotFound, "no memory figures for pid " + std::to_string(pid));
    return m;
}

Row::Row(std::string_view bench, std::string_view impl, const Options &opts)
{
    m_fields = {{"bench", quoted(bench)}, {"impl", quoted(impl)},  {"msg_bytes", "null"},
                {"n", "null"},            {"seconds", "null"},     {"ops_per_s", "null"},
                {"latency_us", "null"},   {"pin", quoted(pinName(opts.pin))}};
}

Row &Row::set(std::string_view key, std::string jsonValue)
{
    for (auto &[k, v] : m_fields) {
        if (k == key) {
            v = std::move(jsonValue);
            return *this;
        }
    }
    m_fields.emplace_back(std::string(key), std::move(jsonValue));
    return *this;
}

Row &Row::msgBytes(std::int64_t bytes) { return set("msg_bytes", std::to_string(bytes)); }

Row &Row::n(std::int64_t count)
{
    m_n = count;
    return set("n", std::to_string(count));
}

Row &Row::seconds(double s)
{
    set("seconds", number(s, 6));
    return set("ops_per_s", s > 0 ? number(double(m_n) / s, 1) : "null");
}

Row &Row::latencyUs(double us) { return set("latency_us", us < 0 ? "null" : number(us, 3)); }

Row &Row::extra(std::string_view key, std::int64_t v) { return set(key, std::to_string(v)); }
Row &Row::extra(std::string_view key, double v, int decimals) { return set(key, number(v, decimals)); }
Row &Row::extra(std::string_view key, bool v) { return set(key, v ? "true" : "false"); }
Row &Row::extra(std::string_view key, std::string_view v) { return set(key, quoted(v)); }

Row &Row::extra(std::string_view key, const std::vector<double> &v)
{
    std::string list = "[";
    for (std::size_t i = 0; i < v.size(); ++i) list += (i ? ", " : "") + number(v[i], 6);
    return set(key, list + "]");
}

Row &Row::repeated(const Repeated &r)
{
    if (r.median.p99Us >= 0) extra("p99_us", r.median.p99Us);
    return extra("seconds_reps", r.secondsReps);
}

std::string Row::json() const
{
    std::string out = "{";
    for (std::size_t i = 0; i < m_fields.size(); ++i)
        out += (i ? ", " : "") + quoted(m_fields[i].first) + ": " + m_fields[i].second;
    return out + "}";
}

void Row::emit() const
{
    std::printf("%s\n", json().c_str());
    std::fflush(stdout);
}

} // namespace ipc::bench
