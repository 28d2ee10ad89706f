// join-deadlock: a child puts more large items on a bounded queue than it
// holds, then exits; the parent joins it before draining the queue. The
// child waits for a reader, the parent waits for the child: both blocked
// for good. The fix (live): drain first, join after.
#include "scenarios.h"

#include "role_options.h"

#include "queue.h"

namespace ipc::scenarios {

namespace {


class JoinDeadlockScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "join-deadlock", {}, {},
            {wholeParam("items", 1, 1000, 16), wholeParam("maxsize", 1, 64, 4), wholeParam("item_kib", 1, 1024, 64),
             switchParam("fix", false, kLive).drives(&ControlBlock::fixEnabled)},
            {"completed", "deadlocked", "drained", "put"}};
        return kInfo;
    }

    Result<void> start() override
    {
        const auto items = std::uint32_t(param("items"));
        const auto maxsize = std::uint32_t(param("maxsize"));
        const auto itemBytes = std::uint32_t(param("item_kib")) * 1024u;
        const std::size_t bytes = Queue::bytesFor(maxsize, itemBytes) + (std::size_t(1) << 20);
        auto run = newRun(bytes);
        if (!run) return std::unexpected(run.error());
        auto q = Queue::create((*run)->arena(), "queue", maxsize, itemBytes);
        if (!q) return std::unexpected(q.error());
        auto child = (*run)->spawn(roles::BigPutterOptions{.items = items, .size = itemBytes});
        if (!child) return std::unexpected(child.error());
        auto parent = (*run)->spawn(roles::JoinerOptions{.items = items, .waitSlot = *child});
        if (!parent) return std::unexpected(parent.error());
        return {};
    }

    std::vector<Metric> metrics() const override
    {
        return {{"deadlocked", deadlockedNow() ? 1.0 : 0.0},
                {"queued", double(depth())},
                {"put", double(ops(0))},
                {"drained", double(ops(1))}};
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("fix"), param("fix") != 0);
        o.insert(QStringLiteral("deadlocked"), firstDeadlock() != nullptr);
        o.insert(QStringLiteral("put"), double(ops(0)));
        o.insert(QStringLiteral("drained"), double(ops(1)));
        // Completed: every item went through and both processes exited on their own.
        bool completed = m_run && m_run->processCount() == 2 &&
                         ops(0) == std::uint64_t(param("items")) && ops(1) == ops(0);
        for (std::uint32_t i = 0; completed && i < 2; ++i)
            completed = m_run->board().slots[i].currentState() == ProcState::Finished;
        o.insert(QStringLiteral("completed"), completed);
        return o;
    }

private:
    std::uint64_t ops(std::uint32_t i) const
    {
        return m_run && i < m_run->processCount() ? m_run->board().slots[i].ops.load(std::memory_order_relaxed) : 0;
    }
    std::uint64_t depth() const
    {
        if (!m_run) return 0;
        auto q = Queue::attach(m_run->arena(), "queue");
        return q ? (*q)->stats().depth : 0;
    }
    // The wait-for graph's cycle: the child's put waits for the parent to
    // get, the parent's join for the child to exit.
    bool deadlockedNow() const { return deadlock() != nullptr; }

};

} // namespace

std::unique_ptr<Scenario> makeJoinDeadlock() { return std::make_unique<JoinDeadlockScenario>(); }

} // namespace ipc::scenarios
