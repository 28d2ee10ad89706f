// isolation: each process increments its own global and a shared value.
// The children's globals each reach N, the engine's own global stays 0,
// and only the shared value sums every process's work.
#include "scenarios.h"

#include "role_options.h"

#include "shared_value.h"

#include <QJsonArray>

namespace ipc::scenarios {

namespace {

// The engine's own "global": no child can reach it.
std::int64_t g_parentCounter = 0;

class IsolationScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "isolation", {}, {},
            {wholeParam("processes", 1, 16, 4), wholeParam("increments", 1, 10'000'000, 10'000), paceParam()},
            {"child_globals", "expected_shared", "parent_global", "shared"}};
        return kInfo;
    }

    Result<void> start() override
    {
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        auto shared = (*run)->arena().make<SharedValue<std::int64_t>>("shared", 0);
        if (!shared) return std::unexpected(shared.error());
        m_shared = *shared;
        const int n = groupCount("isolated-counter", "processes");
        const roles::IsolatedCounterOptions counter{.value = "shared", .increments = std::int64_t(param("increments"))};
        for (int i = 0; i < n; ++i) {
            auto spawned = (*run)->spawn(counter);
            if (!spawned) return std::unexpected(spawned.error());
        }
        return {};
    }

    std::vector<Metric> metrics() const override
    {
        std::vector<Metric> out{{"parent_global", double(g_parentCounter)},
                                {"shared", m_shared ? double(m_shared->load()) : 0.0}};
        for (std::uint32_t i = 0; m_run && i < m_run->processCount(); ++i)
            out.push_back({"child_global_" + std::to_string(i),
                           double(m_run->board().slots[i].counter(Counter::Custom0))});
        return out;
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("parent_global"), double(g_parentCounter));
        QJsonArray children;
        std::int64_t expected = 0;
        for (std::uint32_t i = 0; m_run && i < m_run->processCount(); ++i) {
            const auto &slot = m_run->board().slots[i];
            children.append(double(slot.counter(Counter::Custom0)));
            expected += std::int64_t(slot.ops.load(std::memory_order_relaxed));
        }
        o.insert(QStringLiteral("child_globals"), children);
        o.insert(QStringLiteral("shared"), m_shared ? double(m_shared->load()) : 0.0);
        o.insert(QStringLiteral("expected_shared"), double(expected));
        return o;
    }

private:
    SharedValue<std::int64_t> *m_shared = nullptr;
};

} // namespace

std::unique_ptr<Scenario> makeIsolation() { return std::make_unique<IsolationScenario>(); }

} // namespace ipc::scenarios
