// Benchmark (reports, asserts no time): one sampling tick plus the chart
// update with 32 real worker processes and a full 60-second history, for
// idle workers and for counters hammering a lock; the same plus repainting
// every chart; and how much sampling at 33 Hz slows four independent
// CPU-bound workers on two cores.
//
// Prints the median of each as "BENCH name median_us=..." lines; QBENCHMARK
// adds Qt's own figure.
#include "catalog.h"
#include "charts_panel.h"
#include "sampler.h"
#include "scenario.h"
#include "shared_value.h"
#include "test_support.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <ctime>

using namespace ipc;

namespace {

// 32 real `ipc-worker --role idle` processes: a scenario defined here so
// the benchmark does not depend on any lesson's defaults.
class IdleFleet final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{"idle-fleet", {}, {}, {wholeParam("processes", 1, 64, 32)}, {}};
        return kInfo;
    }
    Result<void> start() override
    {
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        for (int i = 0; i < int(param("processes")); ++i)
            if (auto s = (*run)->spawn("idle"); !s) return std::unexpected(s.error());
        return {};
    }
    std::vector<Metric> metrics() const override
    {
        double alive = 0;
        if (m_run)
            for (std::uint32_t i = 0; i < m_run->board().slotCount.load(); ++i)
                alive += isTerminal(m_run->board().slots[i].currentState()) ? 0 : 1;
        return {{"alive", alive}};
    }
    QJsonObject lessonResult() const override { return {}; }
};

// Counters that share nothing: each adds to its own value (no lock, no
// race window), so their rate depends only on the CPU they get -- what
// sampling takes from them shows directly, not through lock hand-offs.
class BusyFleet final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{"busy-fleet", {}, {}, {wholeParam("processes", 1, 64, 4)}, {}};
        return kInfo;
    }
    Result<void> start() override
    {
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        for (int i = 0; i < int(param("processes")); ++i) {
            const std::string name = "c" + std::to_string(i);
            if (auto v = (*run)->arena().make<SharedValue<std::int64_t>>(name, 0); !v)
                return std::unexpected(v.error());
            if (auto s = (*run)->spawn("counter", {"--value", name, "--increments", "1000000000"}); !s)
                return std::unexpected(s.error());
        }
        return {};
    }
    std::vector<Metric> metrics() const override { return {}; }
    QJsonObject lessonResult() const override { return {}; }
};

struct Stats {
    double median = 0;
    double p90 = 0;
};

Stats summarize(std::vector<double> us)
{
    std::sort(us.begin(), us.end());
    return {us[us.size() / 2], us[us.size() * 9 / 10]};
}

std::unique_ptr<Scenario> make(const QString &which)
{
    if (which == QLatin1String("idle")) return std::make_unique<IdleFleet>();
    auto race = createScenario("race");
    if (!race) return nullptr;
    (void)(*race)->setParam("processes", 32);
    (void)(*race)->setParam("increments", 1e8);
    (void)(*race)->setParam("lock", 1);
    return std::move(*race);
}

double opsNow(Scenario &s)
{
    double ops = 0;
    const Board &b = s.run()->board();
    for (std::uint32_t i = 0; i < b.slotCount.load(); ++i) ops += double(b.slots[i].ops.load());
    return ops;
}

double threadCpuUs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

// 32 running workers, a sampler with a full minute of history, and the
// charts panel on screen (offscreen platform).
struct Fixture {
    std::unique_ptr<Scenario> scenario;
    Sampler sampler;
    ChartsPanel panel;
    bool ok = false;

    explicit Fixture(const QString &workers)
    {
        scenario = make(workers);
        if (!scenario || !scenario->start()) return;
        const bool up = waitFor([&] {
            scenario->run()->poll();
            const Board &b = scenario->run()->board();
            for (std::uint32_t i = 0; i < b.slotCount.load(); ++i)
                if (b.slots[i].currentState() == ProcState::Starting) return false;
            return b.slotCount.load() == 32;
        }, 30000);
        if (!up) return;
        sampler.setScenario(scenario.get());
        // A full minute of history from real snapshots (states as they were).
        sampler.beginRun(monotonicNs() - 60'000'000'000ull);
        Snapshot snap;
        for (int i = 0; i < 2000; ++i) {
            takeSnapshot(*scenario, snap);
            sampler.history().append(snap, i * 0.03);
        }
        panel.setContext({QStringLiteral("bench"), QStringLiteral("Benchmark"), QStringLiteral("Count")});
        panel.resize(1200, 520);
        panel.show();
        if (!QTest::qWaitForWindowExposed(&panel)) return;
        sampler.tick();
        panel.refresh(sampler.history());
        ok = panel.views().size() == 2 && sampler.history().size() > 1900;
    }
    ~Fixture()
    {
        sampler.setScenario(nullptr);
        if (scenario) scenario->stop();
    }
    void step()
    {
        sampler.tick();
        panel.refresh(sampler.history());
    }
    void report(const char *workers)
    {
        std::vector<double> cpu, wall, paintCpu;
        QElapsedTimer timer;
        for (int i = 0; i < 300; ++i) {
            const double c0 = threadCpuUs();
            timer.start();
            step();
            wall.push_back(double(timer.nsecsElapsed()) / 1000.0);
            cpu.push_back(threadCpuUs() - c0);
            if (i % 3 == 0) {
                const double p0 = threadCpuUs();
                for (ChartView *v : panel.views()) v->viewport()->repaint();
                paintCpu.push_back(threadCpuUs() - p0);
            }
        }
        const Stats c = summarize(cpu);
        const Stats w = summarize(wall);
        const Stats p = summarize(paintCpu);
        // CPU time is what sampling costs; wall time also holds the time the
        // GUI thread waited for a core (32 busy workers share 2 cores).
        qInfo("BENCH sampler_tick_plus_chart_update workers=%s processes=32 history_ticks=%d "
              "median_cpu_us=%.0f p90_cpu_us=%.0f median_wall_us=%.0f p90_wall_us=%.0f",
              workers, sampler.history().size(), c.median, c.p90, w.median, w.p90);
        qInfo("BENCH chart_repaint workers=%s charts=%lld median_cpu_us=%.0f p90_cpu_us=%.0f", workers,
              qlonglong(panel.views().size()), p.median, p.p90);
    }
};

} // namespace

class TestSamplerBench : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanupTestCase();
    void idleWorkers();
    void countingWorkers();
    void samplingCostToWorkers();

private:
    // Kept across QBENCHMARK's re-runs of a test function.
    std::unique_ptr<Fixture> m_idle;
    std::unique_ptr<Fixture> m_counters;
};

void TestSamplerBench::cleanupTestCase()
{
    m_idle.reset();
    m_counters.reset();
}

void TestSamplerBench::idleWorkers()
{
    if (!m_idle) {
        m_idle = std::make_unique<Fixture>(QStringLiteral("idle"));
        QVERIFY(m_idle->ok);
        m_idle->report("idle");
    }
    QBENCHMARK {
        m_idle->step();
    }
}

void TestSamplerBench::countingWorkers()
{
    m_idle.reset(); // its 32 processes stop before 32 others start
    if (!m_counters) {
        m_counters = std::make_unique<Fixture>(QStringLiteral("counters"));
        QVERIFY(m_counters->ok);
        m_counters->report("counters");
    }
    QBENCHMARK {
        m_counters->step();
    }
}

void TestSamplerBench::samplingCostToWorkers()
{
    // Four independent counters on two cores, counted in alternating
    // windows with and without the sampler (and the charts) at 33 Hz.
    BusyFleet s;
    QVERIFY(s.start());
    QVERIFY(waitFor([&] { return opsNow(s) > 0; }, 30000));
    Sampler sampler;
    sampler.setScenario(&s);
    sampler.beginRun();
    ChartsPanel panel;
    panel.resize(1200, 520);
    panel.show();
    connect(&sampler, &Sampler::sampled, &panel, [&] { panel.refresh(sampler.history()); });
    double with = 0, without = 0;
    constexpr int kRounds = 5;
    for (int round = 0; round < kRounds; ++round) {
        for (const bool sampling : {false, true}) {
            if (sampling) sampler.start();
            const double before = opsNow(s);
            QElapsedTimer t;
            t.start();
            QTest::qWait(1500);
            const double rate = (opsNow(s) - before) / (double(t.nsecsElapsed()) * 1e-9);
            sampler.stop();
            (sampling ? with : without) += rate;
        }
    }
    qInfo("BENCH worker_rate_with_sampling_ratio=%.3f (with %.0f/s, without %.0f/s; 4 independent counters, "
          "2 cores, %d alternating windows of 1.5 s each)",
          with / without, with / kRounds, without / kRounds, kRounds);
    sampler.setScenario(nullptr);
    s.stop();
}

QTEST_MAIN(TestSamplerBench)
#include "bench_sampler.moc"
