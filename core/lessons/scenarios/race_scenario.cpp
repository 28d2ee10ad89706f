// race: N counter processes each add 1 to one shared value M times (M = 0:
// until stopped). With the lock the total is exactly what they added;
// without it, read-then-write interleavings lose updates. The lock, the
// race window and the pace act live. The lesson also measures increments
// per second with the lock on and off, so the window shows what the lock
// costs beside what it saves.
//
// "Repeat N times" (repeats > 0): the same counters run 2N rounds in step
// (a Barrier), the lock off in one round and on in the next, and the
// lesson draws how many rounds lost how many updates -- a histogram with
// the lock off and one with it on (counter.cpp, --rounds).
#include "scenarios.h"

#include "role_options.h"

#include "barrier.h"
#include "shared_value.h"

#include <QJsonArray>

#include <algorithm>
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
            "race", {}, {},
            {wholeParam("processes", 1, 32, 4), wholeParam("increments", 0, 100'000'000, 50'000),
             switchParam("lock", false, kLive).drives(&ControlBlock::lockEnabled),
             wholeParam("race_window_us", 0, 100'000, 0, kLive).drives(&ControlBlock::raceWindowUs),
             switchParam("yield", false, kLive), wholeParam("repeats", 0, 50, 0), paceParam()},
            {"actual", "expected", "histogram", "increments_per_round", "increments_per_s", "locked_increments_per_s", "unlocked_increments_per_s", "lost", "lost_lock_off", "lost_lock_on", "lost_percent", "owner_deaths", "seconds", "rounds_each", "rounds_with_losses_lock_off", "rounds_with_losses_lock_on"}};
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
        applyRaceMode();
        const int n = groupCount("counter", "processes");
        roles::CounterOptions counter{.value = "counter", .increments = std::int64_t(param("increments"))};
        if (const std::size_t rounds = roundCount(); rounds > 0) {
            if (param("increments") == 0)
                return fail(Errc::InvalidArgument, "repeat mode needs a number of increments per round (increments > 0)");
            auto parties = Barrier::validate(n);
            if (!parties) return std::unexpected(parties.error());
            if (auto b = arena.make<Barrier>("rounds", *parties); !b) return std::unexpected(b.error());
            auto results = arena.make<SharedArray<std::int64_t>>("round-results", rounds);
            if (!results) return std::unexpected(results.error());
            m_results = *results;
            for (std::size_t r = 0; r < rounds; ++r) m_results->store(r, -1); // not booked yet
            counter.rounds = std::int64_t(rounds);
            counter.barrier = "rounds";
            counter.results = "round-results";
        }
        for (int i = 0; i < n; ++i) {
            auto spawned = (*run)->spawn(counter);
            if (!spawned) return std::unexpected(spawned.error());
        }
        m_perRound = std::int64_t(n) * std::int64_t(param("increments"));
        m_rates = {};
        m_rates.lockOn = param("lock") != 0;
        m_rates.sinceNs = monotonicNs();
        return {};
    }

    void advance() override
    {
        if (!m_run || m_results) return;
        const std::uint64_t now = monotonicNs();
        const auto [expected, actual] = totals();
        (void)actual;
        // Increments per second over the last ~half second.
        if (m_rates.sampleNs == 0) {
            m_rates.sampleNs = now;
            m_rates.sampleOps = expected;
        } else if (now - m_rates.sampleNs >= 500'000'000u) {
            m_rates.perSecond = double(expected - m_rates.sampleOps) * 1e9 / double(now - m_rates.sampleNs);
            m_rates.sampleNs = now;
            m_rates.sampleOps = expected;
        }
        // Book up to now while they run, and once more when the last has
        // exited (a short run may end between two polls).
        if (!m_rates.ended) bookRates(now, expected);
        if (m_run->allExited()) m_rates.ended = true;
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
                {"lost", double(expected - actual)},
                {"increments_per_s", m_rates.perSecond, false}};
    }

    QJsonObject lessonResult() const override
    {
        const auto [expected, actual] = totals();
        QJsonObject o;
        o.insert(QStringLiteral("expected"), double(expected));
        o.insert(QStringLiteral("actual"), double(actual));
        o.insert(QStringLiteral("lost"), double(expected - actual));
        o.insert(QStringLiteral("lost_percent"),
                 expected ? 100.0 * double(expected - actual) / double(expected) : 0.0);
        // Holders killed inside the critical section whose lock was handed
        // on with "owner died" (a lecturer's kill with the lock on).
        o.insert(QStringLiteral("owner_deaths"),
                 m_value ? double(m_value->getLock().ownerDeaths()) : 0.0);
        // What the lock costs: increments per second while it was on and
        // while it was off (0 for a phase that did not happen).
        const RateBook &r = m_rates;
        o.insert(QStringLiteral("seconds"), r.seconds[0] + r.seconds[1]);
        o.insert(QStringLiteral("increments_per_s"),
                 r.seconds[0] + r.seconds[1] > 0 ? double(r.ops[0] + r.ops[1]) / (r.seconds[0] + r.seconds[1]) : 0.0);
        o.insert(QStringLiteral("unlocked_increments_per_s"), r.seconds[0] > 0 ? double(r.ops[0]) / r.seconds[0] : 0.0);
        o.insert(QStringLiteral("locked_increments_per_s"), r.seconds[1] > 0 ? double(r.ops[1]) / r.seconds[1] : 0.0);
        if (m_results) {
            // One run was 2N rounds: the single-run totals above do not apply.
            for (const char *key : {"expected", "actual", "lost", "lost_percent", "seconds", "increments_per_s",
                                    "unlocked_increments_per_s", "locked_increments_per_s"})
                o.remove(QLatin1String(key));
            const auto [off, on] = losses();
            auto list = [](const std::vector<std::int64_t> &v) {
                QJsonArray a;
                for (std::int64_t x : v) a.append(double(x));
                return a;
            };
            o.insert(QStringLiteral("increments_per_round"), double(m_perRound));
            o.insert(QStringLiteral("lost_lock_off"), list(off));
            o.insert(QStringLiteral("lost_lock_on"), list(on));
            auto withLosses = [](const std::vector<std::int64_t> &v) {
                return double(std::count_if(v.begin(), v.end(), [](std::int64_t x) { return x > 0; }));
            };
            o.insert(QStringLiteral("rounds_each"), double(std::min(off.size(), on.size())));
            o.insert(QStringLiteral("rounds_with_losses_lock_off"), withLosses(off));
            o.insert(QStringLiteral("rounds_with_losses_lock_on"), withLosses(on));
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

protected:
    void applyLive(std::string_view key, double) override
    {
        if (key == "lock" && m_run && !m_results) {
            // Book the phase that ends here under the lock state it had.
            bookRates(monotonicNs(), totals().first);
            m_rates.lockOn = param("lock") != 0;
        }
        applyRaceMode();
    }

private:
    // How an unlocked increment races: two switches make one mode.
    void applyRaceMode()
    {
        ControlBlock &c = m_run->control();
        const auto window = std::uint32_t(param("race_window_us"));
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

    // Time and increments spent with the lock off [0] and on [1].
    struct RateBook {
        bool lockOn = false;
        bool ended = false;        // every counter has exited: nothing more to book
        std::uint64_t sinceNs = 0; // start of the phase not booked yet
        std::int64_t sinceOps = 0;
        double seconds[2]{0, 0};
        std::int64_t ops[2]{0, 0};
        std::uint64_t sampleNs = 0; // the live rate's last sample
        std::int64_t sampleOps = 0;
        double perSecond = 0;
    };
    void bookRates(std::uint64_t now, std::int64_t ops)
    {
        if (m_rates.sinceNs == 0 || now < m_rates.sinceNs) return;
        const int phase = m_rates.lockOn ? 1 : 0;
        m_rates.seconds[phase] += double(now - m_rates.sinceNs) / 1e9;
        m_rates.ops[phase] += ops - m_rates.sinceOps;
        m_rates.sinceNs = now;
        m_rates.sinceOps = ops;
    }

    RateBook m_rates;
    SharedValue<std::int64_t> *m_value = nullptr;
    SharedArray<std::int64_t> *m_results = nullptr; // repeat mode: counter after each round
    std::int64_t m_perRound = 0;                      // increments in one round
};

} // namespace

std::unique_ptr<Scenario> makeRace() { return std::make_unique<RaceScenario>(); }

} // namespace ipc::scenarios
