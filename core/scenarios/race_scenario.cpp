// race: N counter processes each add 1 to one shared value M times.
// With the lock the total is exactly N*M; without it, read-then-write
// interleavings lose updates. The lock and the race window act live.
#include "scenarios.h"

#include "shared_value.h"

namespace ipc::scenarios {

namespace {

class RaceScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "race",
            "Race on a shared counter",
            "Several processes add 1 to the same shared counter. Without a lock, two processes "
            "can read the same old value and both write old+1, so updates are lost. Turn the "
            "lock on and the total becomes exact.",
            {
                {"processes", "Processes", "How many counter processes run at once.", 1, 32, 4,
                 false, false},
                {"increments", "Increments each", "How many times each process adds 1.", 1,
                 100'000'000, 50'000, false, false},
                {"lock", "Lock on", "Take the lock around every increment.", 0, 1, 0, true, true},
                {"race_window_us", "Race window (us)",
                 "Pause between reading and writing the counter; widens the race.", 0, 1000, 0,
                 true, false},
                {"yield", "Yield in window",
                 "Give up the CPU between the read and the write (makes losses likely on any machine).",
                 0, 1, 1, true, true},
            }};
        return kInfo;
    }

    Result<void> start() override
    {
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        Arena &arena = (*run)->arena();
        auto value = arena.make<SharedValue<std::int64_t>>("counter", 0);
        if (!value) return std::unexpected(value.error());
        m_value = *value;
        applyControl();
        const int n = groupCount("counter", "processes");
        const std::string increments = std::to_string(std::int64_t(param("increments")));
        for (int i = 0; i < n; ++i) {
            auto spawned = (*run)->spawn("counter", {"--value", "counter", "--increments", increments});
            if (!spawned) return std::unexpected(spawned.error());
        }
        return {};
    }

    std::vector<Metric> metrics() const override
    {
        const auto [expected, actual] = totals();
        return {{"expected", double(expected)},
                {"actual", double(actual)},
                {"lost", double(expected - actual)}};
    }

    QJsonObject result() const override
    {
        const auto [expected, actual] = totals();
        QJsonObject o;
        o.insert(QStringLiteral("scenario"), QStringLiteral("race"));
        o.insert(QStringLiteral("processes"), int(param("processes")));
        o.insert(QStringLiteral("increments"), double(param("increments")));
        o.insert(QStringLiteral("lock"), param("lock") != 0);
        o.insert(QStringLiteral("expected"), double(expected));
        o.insert(QStringLiteral("actual"), double(actual));
        o.insert(QStringLiteral("lost"), double(expected - actual));
        o.insert(QStringLiteral("lost_percent"),
                 expected ? 100.0 * double(expected - actual) / double(expected) : 0.0);
        // Holders killed inside the critical section whose lock was handed
        // on with "owner died" (a lecturer's kill with the lock on).
        o.insert(QStringLiteral("owner_deaths"),
                 m_value ? double(m_value->getLock().ownerDeaths()) : 0.0);
        return o;
    }

    std::vector<Link> links() const override
    {
        std::vector<Link> out;
        for (std::uint32_t i = 0; m_run && i < m_run->processCount(); ++i)
            out.push_back({i, "counter", Link::Kind::Uses});
        return out;
    }

protected:
    void applyLive(std::string_view, double) override { applyControl(); }

private:
    void applyControl()
    {
        ControlBlock &c = m_run->control();
        c.lockEnabled.store(param("lock") != 0 ? 1u : 0u, std::memory_order_relaxed);
        const auto window = std::uint32_t(param("race_window_us"));
        c.raceWindowUs.store(window, std::memory_order_relaxed);
        c.raceMode.store(std::uint32_t(param("yield") != 0 ? RaceMode::Yield
                                       : window > 0        ? RaceMode::Pause
                                                           : RaceMode::None),
                         std::memory_order_relaxed);
        c.changed();
    }

    // Expected = increments the processes report done; actual = the counter.
    std::pair<std::int64_t, std::int64_t> totals() const
    {
        if (!m_run || !m_value) return {0, 0};
        std::int64_t done = 0;
        const Board &b = m_run->board();
        for (std::uint32_t i = 0; i < b.slotCount.load(std::memory_order_acquire); ++i)
            done += std::int64_t(b.slots[i].ops.load(std::memory_order_relaxed));
        return {done, m_value->load()};
    }

    SharedValue<std::int64_t> *m_value = nullptr;
};

} // namespace

std::unique_ptr<Scenario> makeRace() { return std::make_unique<RaceScenario>(); }

} // namespace ipc::scenarios
