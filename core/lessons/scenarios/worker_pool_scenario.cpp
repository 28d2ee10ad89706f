// worker-pool: the parent (this engine's process) puts tasks on one queue,
// workers take them and put results on another, the parent collects them.
// A slow worker simply takes fewer tasks: the load spreads by itself.
#include "scenarios.h"

#include "role_options.h"

#include "qt_message.h"

#include <QCborMap>
#include <QJsonArray>

namespace ipc::scenarios {

namespace {

class WorkerPoolScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "worker-pool", {}, {},
            {wholeParam("workers", 1, 16, 4), wholeParam("tasks", 1, 100'000, 100),
             wholeParam("work_us", 0, 1'000'000, 20'000, kLive).drives(&ControlBlock::workUs), switchParam("slow_worker", true), paceParam()},
            {"distinct_tasks", "results", "tasks_per_worker", "wrong_results", "slow_worker_tasks"}};
        return kInfo;
    }

    Result<void> start() override
    {
        m_collected.clear();
        m_wrong = 0;
        auto run = newRun(Arena::kDefaultSize * 2);
        if (!run) return std::unexpected(run.error());
        const auto taskCount = std::uint32_t(param("tasks"));
        const int workers = groupCount("pool-worker", "workers");
        // Room for every task and sentinel, so the parent never blocks.
        auto tasks = Queue::create((*run)->arena(), "tasks", taskCount + std::uint32_t(workers), 64);
        auto results = Queue::create((*run)->arena(), "results", taskCount, 128);
        if (!tasks) return std::unexpected(tasks.error());
        if (!results) return std::unexpected(results.error());
        m_results = *results;
        for (std::uint32_t n = 0; n < taskCount; ++n)
            if (auto put = (*tasks)->putCbor(QCborValue(qint64(n)), kNoWait); !put)
                return std::unexpected(put.error());
        for (int w = 0; w < workers; ++w)
            if (auto put = (*tasks)->putCbor(sentinelMessage(), kNoWait); !put)
                return std::unexpected(put.error());
        m_perWorker.assign(std::size_t(workers), 0);
        for (int w = 0; w < workers; ++w) {
            const bool slow = w == 0 && param("slow_worker") != 0;
            auto spawned = (*run)->spawn(roles::PoolWorkerOptions{.rank = w, .slowdown = slow ? 4 : 1});
            if (!spawned) return std::unexpected(spawned.error());
        }
        return {};
    }

    // Collect results as they come, without blocking (the parent's loop).
    void advance() override
    {
        if (!m_results || !m_run) return;
        for (;;) {
            auto r = m_results->getCbor(kNoWait);
            if (!r) break;
            const QCborMap m = r->toMap();
            const qint64 n = m.value(QStringLiteral("n")).toInteger();
            const qint64 worker = m.value(QStringLiteral("worker")).toInteger();
            if (m.value(QStringLiteral("square")).toInteger() != n * n) ++m_wrong;
            if (worker >= 0 && std::size_t(worker) < m_perWorker.size()) ++m_perWorker[std::size_t(worker)];
            m_collected.push_back(n);
        }
    }

    void stop() override
    {
        poll();
        Scenario::stop();
    }

    std::vector<Metric> metrics() const override
    {
        std::vector<Metric> out{{"collected", double(m_collected.size())},
                                {"tasks_queued", m_run ? double(tasksQueued()) : 0.0, false}}; // drawn in the queue chart
        for (std::size_t w = 0; w < m_perWorker.size(); ++w)
            out.push_back({"worker_" + std::to_string(w), double(m_perWorker[w])});
        return out;
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("workers"), int(m_perWorker.size()));
        o.insert(QStringLiteral("results"), double(m_collected.size()));
        std::vector<bool> seen(std::size_t(param("tasks")), false);
        std::size_t distinct = 0;
        for (qint64 n : m_collected)
            if (n >= 0 && std::size_t(n) < seen.size() && !seen[std::size_t(n)]) {
                seen[std::size_t(n)] = true;
                ++distinct;
            }
        o.insert(QStringLiteral("distinct_tasks"), double(distinct));
        o.insert(QStringLiteral("wrong_results"), double(m_wrong));
        QJsonArray per;
        for (std::uint64_t c : m_perWorker) per.append(double(c));
        o.insert(QStringLiteral("tasks_per_worker"), per);
        o.insert(QStringLiteral("slow_worker_tasks"), m_perWorker.empty() ? 0.0 : double(m_perWorker.front()));
        return o;
    }

private:
    std::uint64_t tasksQueued() const
    {
        auto tasks = Queue::attach(m_run->arena(), "tasks");
        return tasks ? (*tasks)->stats().depth : 0;
    }

    Queue *m_results = nullptr;
    std::vector<qint64> m_collected;
    std::vector<std::uint64_t> m_perWorker;
    std::uint64_t m_wrong = 0;
};

} // namespace

std::unique_ptr<Scenario> makeWorkerPool() { return std::make_unique<WorkerPoolScenario>(); }

} // namespace ipc::scenarios
