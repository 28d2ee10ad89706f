// race: N counter processes each add 1 to one shared value M times.
// With the lock the total is exactly N*M; without it, read-then-write
// interleavings lose updates. The lock and the race window act live.
//
// "Repeat N times" (repeats > 0): the same counters run 2N rounds in step
// (a Barrier), the lock off in one round and on in the next, and the
// lesson draws how many rounds lost how many updates -- a histogram with
// the lock off and one with it on (counter.cpp, --rounds).
#include "scenarios.h"

#include "barrier.h"
#include "shared_value.h"

#include <QJsonArray>

#include <array>

namespace ipc::scenarios {

namespace {

// Histogram bins of lost updates, in percent of the increments of a round:
// [lower, upper) except the first (exactly 0) and the last (to 100).
struct LossBin {
    double upper;
    const char *label;
};
// Labels short enough for a half-width chart on a projector.
constexpr std::array<LossBin, 7> kLossBins{{{0, "0"},
                                            {1, "0-1"}, // not "<1": chart labels are rich text
                                            {10, "1-10"},
                                            {30, "10-30"},
                                            {50, "30-50"},
                                            {70, "50-70"},
                                            {100.000001, "70+"}}};

std::size_t lossBin(double percent)
{
    if (percent <= 0) return 0;
    for (std::size_t b = 1; b < kLossBins.size(); ++b)
        if (percent < kLossBins[b].upper) return b;
    return kLossBins.size() - 1;
}

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
                {"repeats", "Repeat N times",
                 "Run N rounds with the lock off and N with it on, alternately, and chart how many "
                 "updates each round lost. 0: one run, lock as switched.",
                 0, 50, 0, false, false},
            }};
        return kInfo;
    }

    Result<void> start() override
    {
        m_value = nullptr;
        m_results = nullptr;
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        Arena &arena = (*run)->arena();
        auto value = arena.make<SharedValue<std::int64_t>>("counter", 0);
        if (!value) return std::unexpected(value.error());
        m_value = *value;
        applyControl();
        const int n = groupCount("counter", "processes");
        const std::string increments = std::to_string(std::int64_t(param("increments")));
        std::vector<std::string> args{"--value", "counter", "--increments", increments};
        if (const std::size_t rounds = roundCount(); rounds > 0) {
            auto parties = Barrier::validate(n);
            if (!parties) return std::unexpected(parties.error());
            if (auto b = arena.make<Barrier>("rounds", *parties); !b) return std::unexpected(b.error());
            auto results = arena.make<SharedArray<std::int64_t>>("round-results", rounds);
            if (!results) return std::unexpected(results.error());
            m_results = *results;
            for (std::size_t r = 0; r < rounds; ++r) m_results->store(r, -1); // not booked yet
            args.insert(args.end(), {"--rounds", std::to_string(rounds), "--barrier", "rounds", "--results",
                                     "round-results"});
        }
        for (int i = 0; i < n; ++i) {
            auto spawned = (*run)->spawn("counter", args);
            if (!spawned) return std::unexpected(spawned.error());
        }
        m_perRound = std::int64_t(n) * std::int64_t(param("increments"));
        return {};
    }

    std::vector<Metric> metrics() const override
    {
        if (m_results) {
            const auto [off, on] = losses();
            return {{"rounds_done", double(off.size() + on.size()), false}, // in the bar chart's title
                    {"lost_last_round_lock_off", off.empty() ? 0.0 : double(off.back())},
                    {"lost_last_round_lock_on", on.empty() ? 0.0 : double(on.back())}};
        }
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
        if (m_results) {
            // One run was 2N rounds: the single-run totals above do not apply.
            for (const char *key : {"lock", "expected", "actual", "lost", "lost_percent"})
                o.remove(QLatin1String(key));
            const auto [off, on] = losses();
            auto list = [](const std::vector<std::int64_t> &v) {
                QJsonArray a;
                for (std::int64_t x : v) a.append(double(x));
                return a;
            };
            o.insert(QStringLiteral("repeats"), int(param("repeats")));
            o.insert(QStringLiteral("increments_per_round"), double(m_perRound));
            o.insert(QStringLiteral("lost_lock_off"), list(off));
            o.insert(QStringLiteral("lost_lock_on"), list(on));
            const Bars b = bars();
            QJsonArray histogram; // in bin order
            for (std::size_t c = 0; c < b.categories.size(); ++c) {
                QJsonObject bin;
                bin.insert(QStringLiteral("lost"), QString::fromStdString(b.categories[c]));
                bin.insert(QStringLiteral("lock_off"), b.sets[0].values[c]);
                bin.insert(QStringLiteral("lock_on"), b.sets[1].values[c]);
                histogram.append(bin);
            }
            o.insert(QStringLiteral("histogram"), histogram);
        }
        return o;
    }

    // Repeat mode: how many rounds lost how many updates, lock off and on.
    Bars bars() const override
    {
        Bars b;
        if (!m_results) return b;
        const auto [off, on] = losses();
        b.title = "Lost updates per round (" + std::to_string(off.size()) + " without lock, " +
                  std::to_string(on.size()) + " with)";
        b.categoryLabel = "updates lost in a round, % of its increments";
        b.valueLabel = "rounds";
        for (const LossBin &bin : kLossBins) b.categories.emplace_back(bin.label);
        Bars::Set offSet{"lock off", std::vector<double>(kLossBins.size(), 0.0)};
        Bars::Set onSet{"lock on", std::vector<double>(kLossBins.size(), 0.0)};
        const double whole = double(std::max<std::int64_t>(m_perRound, 1));
        for (std::int64_t lost : off) offSet.values[lossBin(100.0 * double(lost) / whole)] += 1;
        for (std::int64_t lost : on) onSet.values[lossBin(100.0 * double(lost) / whole)] += 1;
        b.sets = {std::move(offSet), std::move(onSet)};
        return b;
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

    std::size_t roundCount() const { return 2 * std::size_t(param("repeats")); }

    // Lost updates of the rounds booked so far: (lock off, lock on).
    std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> losses() const
    {
        std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> out;
        for (std::size_t r = 0; m_results && r < m_results->size(); ++r) {
            const std::int64_t counted = m_results->load(r);
            if (counted < 0) break; // rounds are booked in order
            (r % 2 == 0 ? out.first : out.second).push_back(m_perRound - counted);
        }
        return out;
    }

    SharedValue<std::int64_t> *m_value = nullptr;
    SharedArray<std::int64_t> *m_results = nullptr; // repeat mode: counter after each round
    std::int64_t m_perRound = 0;                      // increments in one round
};

} // namespace

std::unique_ptr<Scenario> makeRace() { return std::make_unique<RaceScenario>(); }

} // namespace ipc::scenarios
