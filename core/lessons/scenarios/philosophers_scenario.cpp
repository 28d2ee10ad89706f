// philosophers: N philosopher processes round a table with N fork Locks,
// each taking its left fork, then its right (roles/philosopher.cpp). With
// short thinking and eating times every philosopher soon holds its left
// fork and waits for its right: a cycle in the wait-for graph, confirmed
// by Scenario::deadlock(). The fixes are live switches: a global fork
// order, or a Semaphore(N-1) waiter.
#include "scenarios.h"

#include "role_options.h"

#include "lock.h"
#include "semaphore.h"
#include "wait_for.h"

#include <QJsonArray>

#include <algorithm>

namespace ipc::scenarios {

namespace {

class PhilosophersScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "philosophers", {}, {},
            {wholeParam("philosophers", 2, 16, 5), wholeParam("meals", 0, 1'000'000, 0),
             wholeParam("think_ms", 0, 1000, 2), wholeParam("eat_ms", 0, 1000, 1),
             switchParam("order", false, kLive).drives(&ControlBlock::forkOrder),
             switchParam("waiter", false, kLive).drives(&ControlBlock::askWaiter), paceParam()},
            {"cycle_length", "deadlocked", "every_philosopher_ate", "fewest_meals", "meals", "meals_each"}};
        return kInfo;
    }

    Result<void> start() override
    {
        const int seats = groupCount("philosopher", "philosophers");
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        Arena &arena = (*run)->arena();
        for (int f = 1; f <= seats; ++f)
            if (auto fork = arena.make<Lock>("fork " + std::to_string(f)); !fork) return std::unexpected(fork.error());
        if (auto waiter = makeSemaphore(arena, "waiter", seats - 1); !waiter) return std::unexpected(waiter.error());
        m_seats.clear();
        for (int s = 0; s < seats; ++s) {
            auto slot = (*run)->spawn(roles::PhilosopherOptions{.seat = s,
                                                                .seats = seats,
                                                                .meals = std::int64_t(param("meals")),
                                                                .thinkMs = std::int64_t(param("think_ms")),
                                                                .eatMs = std::int64_t(param("eat_ms"))});
            if (!slot) return std::unexpected(slot.error());
            m_seats.push_back(*slot);
        }
        return {};
    }

    // Each philosopher reaches its own two forks, and the waiter while the
    // waiter is in use.
    std::vector<Link> links() const override
    {
        std::vector<Link> out;
        if (!m_run) return out;
        const auto n = std::uint32_t(m_seats.size());
        for (std::uint32_t s = 0; s < n; ++s) {
            out.push_back({m_seats[s], "fork " + std::to_string(s + 1), Link::Kind::Uses});
            out.push_back({m_seats[s], "fork " + std::to_string((s + 1) % n + 1), Link::Kind::Uses});
            if (param("waiter") != 0) out.push_back({m_seats[s], "waiter", Link::Kind::Uses});
        }
        return out;
    }
    bool drawsOnlyLinkedObjects() const override { return true; }

    std::vector<Metric> metrics() const override
    {
        if (!m_run) return {};
        int hungry = 0;
        for (std::uint32_t s : m_seats)
            if (m_run->board().slots[s].currentState() == ProcState::WaitingLock) ++hungry;
        return {{"meals", double(totalMeals())}, {"waiting_for_a_fork", double(hungry)}};
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        QJsonArray each;
        std::uint64_t fewest = m_seats.empty() ? 0 : ~std::uint64_t(0);
        for (std::uint32_t s : m_seats) {
            const std::uint64_t m = meals(s);
            each.append(double(m));
            fewest = std::min(fewest, m);
        }
        o.insert(QStringLiteral("meals"), double(totalMeals()));
        o.insert(QStringLiteral("meals_each"), each);
        o.insert(QStringLiteral("fewest_meals"), double(fewest));
        o.insert(QStringLiteral("every_philosopher_ate"), !m_seats.empty() && fewest > 0);
        const Deadlock *d = firstDeadlock();
        o.insert(QStringLiteral("deadlocked"), d != nullptr);
        o.insert(QStringLiteral("cycle_length"), d ? double(d->cycle.size()) : 0.0);
        return o;
    }

private:
    std::uint64_t meals(std::uint32_t slot) const
    {
        return m_run ? m_run->board().slots[slot].ops.load(std::memory_order_relaxed) : 0;
    }
    std::uint64_t totalMeals() const
    {
        std::uint64_t total = 0;
        for (std::uint32_t s : m_seats) total += meals(s);
        return total;
    }

    std::vector<std::uint32_t> m_seats; // the board slot of each seat
};

} // namespace

std::unique_ptr<Scenario> makePhilosophers() { return std::make_unique<PhilosophersScenario>(); }

} // namespace ipc::scenarios
