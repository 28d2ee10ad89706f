// compare: the same N items move from one process to another through each
// mechanism in turn -- Value+Lock, Array+Lock, Queue, Pipe, Manager dict,
// SharedMemory -- and each is timed live: items per second (and its
// inverse, microseconds per item) and the mean per-item latency. Each item
// carries the time it was handed over, so latency is hand-over to arrival
// with the producer going flat out: for a buffered mechanism (Pipe, Queue,
// the dict) it includes the time an item waits behind the others. The
// textbook ranking is measured, not asserted.
//
// One pair of `transfer` processes per mechanism and repetition, one pair
// at a time (so they do not compete for the two cores); poll() opens each
// pair's StartGate once both sides are set up, and starts the next pair when
// one is done. Each mechanism keeps its best repetition (the usual
// benchmark practice: on a shared 2-core machine a run can lose its CPU for
// milliseconds). The manager server runs only during its own stage. Each
// SharedMemory block is unlinked as soon as both sides have attached.
#include "scenarios.h"

#include "manager/manager_client.h"
#include "manager/manager_process.h"
#include "pipe.h"
#include "queue.h"
#include "shared_memory_block.h"
#include "shared_value.h"
#include "start_gate.h"
#include "text_template.h"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <optional>
#include <unistd.h>

namespace ipc::scenarios {

namespace {

struct Mechanism {
    std::string_view key;   // the transfer role's --mechanism
    std::string_view label; // what the table and the chart say
};

constexpr std::array<Mechanism, 6> kMechanisms{{
    {"value", "Value+Lock"},
    {"array", "Array+Lock"},
    {"queue", "Queue"},
    {"pipe", "Pipe"},
    {"manager", "Manager dict"},
    {"shm", "SharedMemory"},
}};

constexpr std::uint32_t kArraySlots = 256;
constexpr std::uint32_t kQueueSlots = 1024;
constexpr std::size_t kRingSlots = 4096;

constexpr int kMaxRepeats = 5;

// One mechanism: the pair running now, and the best repetition so far.
struct Outcome {
    bool started = false;
    bool gateOpen = false;
    bool done = false; // every repetition ran (or one failed)
    bool ok = false;   // at least one repetition completed, none failed
    int repeats = 0;   // repetitions finished
    std::uint32_t putSlot = 0;
    std::uint32_t getSlot = 0;
    std::uint64_t items = 0;
    double seconds = 0;
    double itemsPerS = 0;
    double latencyUs = 0;
    double maxLatencyUs = 0;
    std::string error;
};

class CompareScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "compare", {}, {},
            {wholeParam("items", 100, 1'000'000, 10'000), wholeParam("repeats", 1, kMaxRepeats, 3)},
            {"completed", "fastest", "slowest", "ranking", "results", "table"}};
        return kInfo;
    }

    Result<void> start() override
    {
        m_outcomes = {};
        m_stage = 0;
        m_server.reset();
        m_block = SharedMemoryBlock();
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        Arena &arena = (*run)->arena();
        if (auto v = arena.make<SharedValue<std::int64_t>>("cmp-value", 0); !v) return std::unexpected(v.error());
        if (auto a = arena.make<SharedArray<std::int64_t>>("cmp-array", std::size_t(2 + kArraySlots)); !a)
            return std::unexpected(a.error());
        if (auto q = Queue::create(arena, "cmp-queue", kQueueSlots, 64); !q) return std::unexpected(q.error());
        m_repeats = std::size_t(param("repeats"));
        m_gates.assign(kMechanisms.size() * m_repeats, nullptr);
        for (std::size_t i = 0; i < m_gates.size(); ++i) {
            auto gate = arena.make<StartGate>("cmp-gate-" + std::to_string(i));
            if (!gate) return std::unexpected(gate.error());
            m_gates[i] = *gate;
        }
        return beginStage();
    }

    void stop() override
    {
        Scenario::stop();
        if (m_server) m_server->cleanup();
        if (m_block.isOpen() && m_block.ownsName()) (void)m_block.unlink();
    }

    void poll() override
    {
        // Stopped: the killed pair must not be taken for a finished stage
        // and the next pair started after the lecturer's Stop.
        if (!m_run || m_stopped || m_stage >= m_gates.size()) return;
        Outcome &o = m_outcomes[mechanism()];
        Run &run = *m_run;
        run.poll();
        if (!o.gateOpen && m_gates[m_stage]->waitArrived(2, kNoWait)) {
            // Both sides are set up (and attached to the block): the name
            // can go, and the clock starts.
            if (m_block.isOpen() && m_block.ownsName()) (void)m_block.unlink();
            m_gates[m_stage]->open();
            o.gateOpen = true;
        }
        const ProcState put = run.slot(o.putSlot).currentState();
        const ProcState get = run.slot(o.getSlot).currentState();
        const bool putFailed = isTerminal(put) && put != ProcState::Finished;
        const bool getFailed = isTerminal(get) && get != ProcState::Finished;
        if ((putFailed || getFailed) && !(isTerminal(put) && isTerminal(get))) {
            // One side died: the other would wait for ever.
            (void)run.kill(putFailed ? o.getSlot : o.putSlot);
            return;
        }
        if (!isTerminal(put) || !isTerminal(get)) return;
        finishStage(o, put == ProcState::Finished && get == ProcState::Finished);
        // A failed mechanism is not repeated.
        m_stage = o.done ? (mechanism() + 1) * m_repeats : m_stage + 1;
        while (m_stage < m_gates.size()) {
            auto ok = beginStage();
            if (ok) break;
            Outcome &failed = m_outcomes[mechanism()];
            failed.done = true;
            failed.ok = false;
            failed.error = ok.error().toString();
            m_stage = (mechanism() + 1) * m_repeats;
        }
    }

    std::vector<Metric> metrics() const override
    {
        std::vector<Metric> out;
        if (!m_run) return out;
        for (std::size_t i = 0; i < kMechanisms.size(); ++i) {
            const auto [perS, latencyUs] = live(i);
            const std::string key(kMechanisms[i].key);
            out.push_back({key + "_items_per_s", perS});
            out.push_back({key + "_latency_us", latencyUs, false}); // items/s is the lesson
        }
        out.push_back({"stage", double(std::min(m_stage / std::max<std::size_t>(m_repeats, 1), kMechanisms.size())),
                       false});
        return out;
    }

    // Items per second by mechanism, growing as each one is measured.
    Bars bars() const override
    {
        Bars b;
        if (!m_run) return b;
        // Short enough for a chart half the window wide.
        b.title = "Items per second on this machine";
        b.categoryLabel = "mechanism, " + std::to_string(std::int64_t(param("items"))) + " items each";
        b.valueLabel = "items/s";
        Bars::Set set{"items/s", {}};
        for (std::size_t i = 0; i < kMechanisms.size(); ++i) {
            b.categories.emplace_back(kMechanisms[i].label);
            set.values.push_back(std::round(live(i).first));
        }
        b.sets.push_back(std::move(set));
        return b;
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("scenario"), QStringLiteral("compare"));
        o.insert(QStringLiteral("items"), double(param("items")));
        o.insert(QStringLiteral("repeats"), double(param("repeats")));
        QJsonArray results;
        const Outcome *fastest = nullptr;
        const Outcome *slowest = nullptr;
        std::string table = "\nmechanism           items/s   us/item   latency_us   seconds\n";
        for (std::size_t i = 0; i < kMechanisms.size(); ++i) {
            const Outcome &r = m_outcomes[i];
            QJsonObject row;
            row.insert(QStringLiteral("mechanism"), QString::fromUtf8(kMechanisms[i].label.data(),
                                                                      qsizetype(kMechanisms[i].label.size())));
            row.insert(QStringLiteral("key"), QString::fromUtf8(kMechanisms[i].key.data(),
                                                                qsizetype(kMechanisms[i].key.size())));
            row.insert(QStringLiteral("completed"), r.ok);
            row.insert(QStringLiteral("items"), double(r.items));
            row.insert(QStringLiteral("items_per_s"), r.itemsPerS);
            row.insert(QStringLiteral("us_per_item"), r.itemsPerS > 0 ? 1e6 / r.itemsPerS : 0.0);
            row.insert(QStringLiteral("latency_us"), r.latencyUs);
            row.insert(QStringLiteral("max_latency_us"), r.maxLatencyUs);
            row.insert(QStringLiteral("seconds"), r.seconds);
            row.insert(QStringLiteral("repeats"), r.repeats);
            if (!r.error.empty()) row.insert(QStringLiteral("error"), QString::fromStdString(r.error));
            results.append(row);
            char line[160];
            if (r.ok) {
                std::snprintf(line, sizeof line, "%-16s %10.0f %9.3f %12.2f %9.4f\n",
                              std::string(kMechanisms[i].label).c_str(), r.itemsPerS, 1e6 / r.itemsPerS,
                              r.latencyUs, r.seconds);
                if (!fastest || r.itemsPerS > fastest->itemsPerS) fastest = &r;
                if (!slowest || r.itemsPerS < slowest->itemsPerS) slowest = &r;
            } else {
                std::snprintf(line, sizeof line, "%-16s %s\n", std::string(kMechanisms[i].label).c_str(),
                              r.done ? "failed" : "not run");
            }
            table += line;
        }
        o.insert(QStringLiteral("results"), results);
        auto label = [&](const Outcome *r) {
            if (!r) return QString();
            const auto i = std::size_t(r - m_outcomes.data());
            return QString::fromUtf8(kMechanisms[i].label.data(), qsizetype(kMechanisms[i].label.size()));
        };
        o.insert(QStringLiteral("fastest"), label(fastest));
        o.insert(QStringLiteral("slowest"), label(slowest));
        // The order this run measured, fastest first, for the answer to name.
        std::vector<const Outcome *> done;
        for (const Outcome &r : m_outcomes)
            if (r.ok) done.push_back(&r);
        std::stable_sort(done.begin(), done.end(),
                         [](const Outcome *a, const Outcome *b) { return a->itemsPerS > b->itemsPerS; });
        QString ranking;
        for (const Outcome *r : done) {
            if (!ranking.isEmpty()) ranking += QStringLiteral(" > ");
            ranking += label(r) + QStringLiteral(" (") +
                       QString::fromStdString(formatTemplateNumber(r->itemsPerS / 1e6)) + QStringLiteral(" M/s)");
        }
        o.insert(QStringLiteral("ranking"), ranking);
        o.insert(QStringLiteral("table"), QString::fromStdString(table));
        return o;
    }

    bool drawsOnlyLinkedObjects() const override { return true; }

    std::vector<Link> links() const override
    {
        std::vector<Link> out;
        if (!m_run) return out;
        // The mechanism measured now (the last one once all are done): the
        // picture shows its pair and its object.
        const std::size_t i = std::min(mechanism(), kMechanisms.size() - 1);
        const Outcome &r = m_outcomes[i];
        if (!r.started) return out;
        const std::string_view key = kMechanisms[i].key;
        if (key == "value" || key == "array") {
            const std::string object = "cmp-" + std::string(key);
            out.push_back({r.putSlot, object, Link::Kind::Uses});
            out.push_back({r.getSlot, object, Link::Kind::Uses});
        } else if (key == "queue") {
            out.push_back({r.putSlot, "cmp-queue", Link::Kind::Puts});
            out.push_back({r.getSlot, "cmp-queue", Link::Kind::Gets});
        } else if (key == "manager") {
            out.push_back({r.putSlot, "manager", Link::Kind::Uses});
            out.push_back({r.getSlot, "manager", Link::Kind::Uses});
        }
        return out;
    }

private:
    [[nodiscard]] std::size_t mechanism() const noexcept { return m_repeats ? m_stage / m_repeats : 0; }
    [[nodiscard]] bool firstRepeat() const noexcept { return m_stage % m_repeats == 0; }
    [[nodiscard]] bool lastRepeat() const noexcept { return m_stage % m_repeats == m_repeats - 1; }

    Result<void> beginStage()
    {
        Run &run = *m_run;
        const std::size_t i = mechanism();
        const std::string key(kMechanisms[i].key);
        const std::string items = std::to_string(std::int64_t(param("items")));
        std::vector<std::string> common{"--mechanism", key, "--items", items, "--gate",
                                        "cmp-gate-" + std::to_string(m_stage)};
        std::vector<std::string> putArgs = common;
        std::vector<std::string> getArgs = common;
        putArgs.insert(putArgs.end(), {"--side", "put", "--index", "0"});
        getArgs.insert(getArgs.end(), {"--side", "get", "--index", "1"});
        SpawnOptions putOptions;
        SpawnOptions getOptions;
        std::optional<std::pair<Connection, Connection>> pipe;
        if (key == "value" || key == "array" || key == "queue") {
            for (auto *a : {&putArgs, &getArgs}) a->insert(a->end(), {"--object", "cmp-" + key});
        } else if (key == "pipe") {
            auto p = Connection::pipe(false);
            if (!p) return std::unexpected(p.error());
            pipe = std::move(*p);
            getArgs.insert(getArgs.end(), {"--pipe-fd", std::to_string(pipe->first.fd())});
            putArgs.insert(putArgs.end(), {"--pipe-fd", std::to_string(pipe->second.fd())});
            getOptions.inheritFds = {pipe->first.fd()};
            putOptions.inheritFds = {pipe->second.fd()};
        } else if (key == "manager") {
            if (firstRepeat()) {
                auto server = manager::ManagerProcess::start(run);
                if (!server) return std::unexpected(server.error());
                m_server = std::move(*server);
            }
        } else if (key == "shm") {
            static std::atomic<int> counter{0};
            const std::string name = "ipc-cmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
            auto block = SharedMemoryBlock::createArray<std::int64_t>(name, 16 + kRingSlots);
            if (!block) return std::unexpected(block.error());
            m_block = std::move(*block);
            for (auto *a : {&putArgs, &getArgs}) a->insert(a->end(), {"--block", name});
        }
        Outcome &o = m_outcomes[i];
        o.gateOpen = false;
        auto g = run.spawn("transfer", getArgs, getOptions);
        if (!g) return std::unexpected(g.error());
        o.getSlot = *g;
        auto p = run.spawn("transfer", putArgs, putOptions);
        if (!p) {
            (void)run.kill(o.getSlot);
            return std::unexpected(p.error());
        }
        o.putSlot = *p;
        o.started = true;
        // The pipe's ends now live in the two workers only.
        pipe.reset();
        return {};
    }

    void finishStage(Outcome &o, bool bothFinished)
    {
        const std::size_t i = mechanism();
        const StartGate &gate = *m_gates[m_stage];
        const BoardSlot &consumer = m_run->slot(o.getSlot);
        const std::uint64_t items = consumer.ops.load(std::memory_order_relaxed);
        const std::uint64_t opened = gate.openedNs();
        const std::uint64_t finished = gate.lastFinishNs(2);
        const bool ok = bothFinished && opened != 0 && finished > opened && items == std::uint64_t(param("items"));
        ++o.repeats;
        if (ok) {
            const double seconds = double(finished - opened) / 1e9;
            const double perS = double(items) / seconds;
            if (perS > o.itemsPerS) {
                o.items = items;
                o.seconds = seconds;
                o.itemsPerS = perS;
                o.latencyUs = double(consumer.counter(Counter::Custom0)) / double(items) / 1000.0;
                o.maxLatencyUs = double(consumer.counter(Counter::Custom1)) / 1000.0;
            }
            o.ok = true;
        } else {
            o.ok = false;
            o.error = "a transfer process failed (see its stderr)";
        }
        o.done = !ok || lastRepeat();
        if (kMechanisms[i].key == "manager" && m_server && o.done) {
            // Its stage is over: the server goes, so the run can end.
            manager::ClientOptions quick;
            quick.replyTimeout = std::chrono::milliseconds(500);
            quick.connectTimeout = std::chrono::milliseconds(500);
            quick.readyTimeout = std::chrono::milliseconds(0);
            auto c = manager::ManagerClient::connect(m_server->info(), quick);
            if (!c || !c->shutdown()) (void)m_run->kill(m_server->slot(), KillOrigin::Engine);
            (void)m_run->process(m_server->slot()).join(std::chrono::seconds(2));
            m_server->cleanup();
        }
        if (kMechanisms[i].key == "shm") m_block.close();
    }

    // Items per second and mean latency: final, or so far while running.
    std::pair<double, double> live(std::size_t i) const
    {
        const Outcome &o = m_outcomes[i];
        if (o.done || o.repeats > 0) return {o.itemsPerS, o.latencyUs};
        if (!o.started || !o.gateOpen) return {0.0, 0.0};
        const BoardSlot &consumer = m_run->board().slots[o.getSlot];
        const std::uint64_t items = consumer.ops.load(std::memory_order_relaxed);
        const std::uint64_t opened = m_gates[m_stage]->openedNs();
        const std::uint64_t now = monotonicNs();
        if (items == 0 || opened == 0 || now <= opened) return {0.0, 0.0};
        return {double(items) * 1e9 / double(now - opened),
                double(consumer.counter(Counter::Custom0)) / double(items) / 1000.0};
    }

    std::array<Outcome, kMechanisms.size()> m_outcomes{};
    std::vector<StartGate *> m_gates; // one per mechanism and repetition, in run order
    std::size_t m_repeats = 1;
    std::size_t m_stage = 0;          // index into m_gates
    std::optional<manager::ManagerProcess> m_server;
    SharedMemoryBlock m_block;
};

} // namespace

std::unique_ptr<Scenario> makeCompare() { return std::make_unique<CompareScenario>(); }

} // namespace ipc::scenarios
