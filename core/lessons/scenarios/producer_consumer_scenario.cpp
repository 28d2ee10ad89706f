// producer-consumer: P producer processes put items on one bounded Queue,
// C consumer processes take them off. When the producers are faster the
// queue fills to maxsize and they block on put; when the consumers are
// faster it stays empty and they block on get. Each producer ends with one
// sentinel per consumer; each consumer stops after one sentinel per
// producer, so every item is consumed exactly once whatever the timing.
// Rate, work time and payload size act on the running processes.
#include "scenarios.h"

#include "role_options.h"

#include "queue.h"

#include <QJsonArray>

#include <algorithm>

namespace ipc::scenarios {

namespace {

constexpr std::uint32_t kMaxPayload = 64 * 1024;
constexpr std::uint32_t kMessageLimit = kMaxPayload + 64; // CBOR [id, seq, bytes] around it

class ProducerConsumerScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "producer-consumer", {}, {},
            {wholeParam("producers", 1, 16, 2), wholeParam("consumers", 1, 16, 2),
             wholeParam("items", 0, 100'000'000, 1000), wholeParam("maxsize", 1, 1000, 8),
             wholeParam("rate", 0, 100'000, 0, kLive).drives(&ControlBlock::ratePerSecond), wholeParam("work_us", 0, 1'000'000, 0, kLive).drives(&ControlBlock::workUs),
             wholeParam("payload", 0, kMaxPayload, 64, kLive).drives(&ControlBlock::payloadBytes), paceParam()},
            {"complete", "consumed", "consumers_blocked_ms", "damaged", "exactly_once", "left_in_queue", "max_depth", "processes", "produced", "producers_blocked_ms", "producers_blocked_now"}};
        return kInfo;
    }

    Result<void> start() override
    {
        const auto maxsize = std::uint32_t(param("maxsize"));
        const std::size_t arenaBytes =
            std::max(Arena::kDefaultSize, Queue::bytesFor(maxsize, kMessageLimit) + (std::size_t(1) << 20));
        auto run = newRun(arenaBytes);
        if (!run) return std::unexpected(run.error());
        auto queue = Queue::create((*run)->arena(), "queue", maxsize, kMessageLimit);
        if (!queue) return std::unexpected(queue.error());
        m_queue = *queue;
        m_producers.clear();
        m_consumers.clear();
        m_maxDepthSampled = 0;
        const int producers = groupCount("producer", "producers");
        const int consumers = groupCount("consumer", "consumers");
        m_items = std::int64_t(param("items"));
        m_producerCount = producers;
        for (int p = 0; p < producers; ++p) {
            auto slot = (*run)->spawn(roles::ProducerOptions{.items = m_items, .id = p, .sentinels = consumers});
            if (!slot) return std::unexpected(slot.error());
            m_producers.push_back(*slot);
        }
        for (int c = 0; c < consumers; ++c) {
            auto slot = (*run)->spawn(roles::ConsumerOptions{.stopAfter = producers});
            if (!slot) return std::unexpected(slot.error());
            m_consumers.push_back(*slot);
        }
        return {};
    }

    void advance() override
    {
        if (m_queue) m_maxDepthSampled = std::max<std::uint64_t>(m_maxDepthSampled, m_queue->qsize());
    }

    std::vector<Metric> metrics() const override
    {
        if (!m_queue || !m_run) return {};
        const QueueStats s = m_queue->stats();
        // The values chart draws produced and consumed; the depth has its
        // own chart, the waiters are in the diagram, and the rest (sentinels
        // included in items_put, bytes) is for the CSV.
        return {{"depth", double(s.depth), false},
                {"capacity", double(s.capacity), false},
                {"items_put", double(s.itemsPut), false},
                {"items_got", double(s.itemsGot), false},
                {"produced", double(sum(m_producers, [](const BoardSlot &b) { return b.ops.load(std::memory_order_relaxed); }))},
                {"consumed", double(sum(m_consumers, [](const BoardSlot &b) { return b.ops.load(std::memory_order_relaxed); }))},
                {"blocked_put", double(s.blockedPut), false},
                {"blocked_get", double(s.blockedGet), false},
                {"max_depth", double(std::max(s.maxDepth, m_maxDepthSampled)), false},
                {"bytes_queued", double(s.bytesQueued()), false}};
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        const auto ops = [](const BoardSlot &b) { return b.ops.load(std::memory_order_relaxed); };
        const std::uint64_t produced = sum(m_producers, ops);
        const std::uint64_t consumed = sum(m_consumers, ops);
        o.insert(QStringLiteral("producers"), int(m_producers.size()));
        o.insert(QStringLiteral("consumers"), int(m_consumers.size()));
        o.insert(QStringLiteral("produced"), double(produced));
        o.insert(QStringLiteral("consumed"), double(consumed));
        if (m_queue) {
            const QueueStats s = m_queue->stats();
            o.insert(QStringLiteral("maxsize"), double(s.capacity));
            o.insert(QStringLiteral("max_depth"), double(std::max(s.maxDepth, m_maxDepthSampled)));
            o.insert(QStringLiteral("left_in_queue"), double(s.depth));
        }
        // Every item exactly once: the count, and the sum of (seq + 1) over
        // the consumed items, match what the producers were asked to make
        // (until stopped: what they made).
        std::uint64_t expected = std::uint64_t(m_items) * m_producers.size();
        std::uint64_t expectedSum = std::uint64_t(m_items) * std::uint64_t(m_items + 1) / 2 * m_producers.size();
        if (m_items == 0) {
            expected = produced;
            expectedSum = sum(m_producers, [&](const BoardSlot &b) { return ops(b) * (ops(b) + 1) / 2; });
        }
        const std::uint64_t seqSum = sum(m_consumers, [](const BoardSlot &b) { return b.counter(Counter::Custom1); });
        o.insert(QStringLiteral("complete"), consumed == expected);
        o.insert(QStringLiteral("exactly_once"), consumed == expected && seqSum == expectedSum);
        o.insert(QStringLiteral("damaged"),
                 double(sum(m_consumers, [](const BoardSlot &b) { return b.counter(Counter::Custom0); })));
        // Summed in nanoseconds, then milliseconds with a fraction: many
        // short waits (a paced producer) are not rounded away to 0.
        const auto blockedNs = [](const BoardSlot &b) { return b.blockedNs.load(std::memory_order_relaxed); };
        const auto blockedMs = [&](const BoardSlot &b) { return double(blockedNs(b)) / 1e6; };
        o.insert(QStringLiteral("producers_blocked_ms"), double(sum(m_producers, blockedNs)) / 1e6);
        // Blocked on a full queue right now (a wait still going on is not in the ms yet).
        o.insert(QStringLiteral("producers_blocked_now"),
                 double(sum(m_producers, [](const BoardSlot &b) {
                     return std::uint64_t(b.currentState() == ProcState::BlockedPut ? 1 : 0);
                 })));
        o.insert(QStringLiteral("consumers_blocked_ms"), double(sum(m_consumers, blockedNs)) / 1e6);
        QJsonArray perProcess;
        for (const auto *group : {&m_producers, &m_consumers})
            for (std::uint32_t i : *group) {
                const BoardSlot &b = m_run->board().slots[i];
                QJsonObject p;
                p.insert(QStringLiteral("role"), QString::fromUtf8(b.role));
                p.insert(QStringLiteral("pid"), b.pid.load(std::memory_order_relaxed));
                p.insert(QStringLiteral("items"), double(ops(b)));
                p.insert(QStringLiteral("blocked_ms"), blockedMs(b));
                p.insert(QStringLiteral("state"), QString::fromUtf8(procStateName(b.currentState()).data(),
                                                                    qsizetype(procStateName(b.currentState()).size())));
                perProcess.append(p);
            }
        o.insert(QStringLiteral("processes"), perProcess);
        return o;
    }

private:
    template <class F>
    std::uint64_t sum(const std::vector<std::uint32_t> &slots, F &&f) const
    {
        std::uint64_t total = 0;
        if (!m_run) return 0;
        for (std::uint32_t i : slots) total += f(m_run->board().slots[i]);
        return total;
    }

    Queue *m_queue = nullptr;
    std::vector<std::uint32_t> m_producers;
    std::vector<std::uint32_t> m_consumers;
    std::int64_t m_items = 0;
    int m_producerCount = 0;
    std::uint64_t m_maxDepthSampled = 0;
};

} // namespace

std::unique_ptr<Scenario> makeProducerConsumer() { return std::make_unique<ProducerConsumerScenario>(); }

} // namespace ipc::scenarios
