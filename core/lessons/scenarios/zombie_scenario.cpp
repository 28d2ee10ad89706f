// zombie: a parent process starts children and daemon children itself and
// does not join them. Each child that has finished stays a zombie (state
// Exited on the board, 'Z' in /proc) until its parent joins it; switching
// "join" on makes the parent end as a Python program does at exit: it
// terminates its daemons (exit code -SIGTERM) and joins every child,
// booking each exit code (roles/family.cpp). The engine starts only the
// parent; the children are the parent's, on board slots reserved here.
#include "scenarios.h"

#include "role_options.h"

#include <QJsonArray>

#include <algorithm>

namespace ipc::scenarios {

namespace {

class ZombieScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "zombie", {}, {},
            {wholeParam("children", 1, 8, 3), wholeParam("daemons", 0, 4, 1), wholeParam("work_ms", 100, 10'000, 1500),
             switchParam("join", false, kLive).drives(&ControlBlock::fixEnabled)},
            {"zombies_seen", "zombies", "joined", "exit_codes", "daemons_terminated", "parent_exit", "children_alive"}};
        return kInfo;
    }

    // Exit codes of the children: the second exits with 3 (sys.exit(3)).
    static int exitCodeOf(int child) { return child == 1 ? 3 : 0; }

    Result<void> start() override
    {
        m_zombiesSeen = 0;
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        const int children = int(param("children"));
        const int daemons = int(param("daemons"));
        // The parent is slot 0; its children take the next slots, in order.
        roles::ParentOptions family{.workMs = std::int64_t(param("work_ms"))};
        for (int i = 0; i < children; ++i) {
            family.children.push_back(1 + i);
            family.codes.push_back(exitCodeOf(i));
        }
        for (int i = 0; i < daemons; ++i) family.daemons.push_back(1 + children + i);
        auto parent = (*run)->spawn(family);
        if (!parent) return std::unexpected(parent.error());
        for (int i = 0; i < children + daemons; ++i)
            if (auto r = (*run)->reserveSlot(i < children ? roles::ChildOptions::kRole : roles::DaemonOptions::kRole); !r)
                return std::unexpected(r.error());
        return {};
    }

    void advance() override
    {
        if (!m_run) return;
        m_zombiesSeen = std::max(m_zombiesSeen, count(ProcState::Exited));
    }

    std::vector<Metric> metrics() const override
    {
        return {{"zombies", double(count(ProcState::Exited))},
                {"children_alive", double(alive())},
                {"joined", double(joined())}};
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("zombies_seen"), double(m_zombiesSeen));
        o.insert(QStringLiteral("zombies"), double(count(ProcState::Exited)));
        o.insert(QStringLiteral("children_alive"), double(alive()));
        o.insert(QStringLiteral("joined"), double(joined()));
        QJsonArray codes;
        double terminated = 0;
        for (std::uint32_t i = 1; m_run && i < slotCount(); ++i) {
            const BoardSlot &s = m_run->board().slots[i];
            QJsonObject c;
            c.insert(QStringLiteral("role"), QString::fromLatin1(s.role));
            c.insert(QStringLiteral("pid"), s.pid.load(std::memory_order_relaxed));
            const bool done = isTerminal(s.currentState());
            c.insert(QStringLiteral("exitcode"), done ? QJsonValue(s.exitStatus.load(std::memory_order_relaxed)) : QJsonValue());
            codes.append(c);
            if (done && std::string_view(s.role) == "daemon" && s.exitStatus.load(std::memory_order_relaxed) == -15)
                ++terminated;
        }
        o.insert(QStringLiteral("exit_codes"), codes);
        o.insert(QStringLiteral("daemons_terminated"), terminated);
        const bool parentDone = m_run && slotCount() > 0 && isTerminal(m_run->board().slots[0].currentState());
        o.insert(QStringLiteral("parent_exit"),
                 parentDone ? QJsonValue(m_run->board().slots[0].exitStatus.load(std::memory_order_relaxed)) : QJsonValue());
        return o;
    }

protected:
    // The children's ends are the lesson: sys.exit(3), a daemon's -SIGTERM,
    // -SIGKILL when their parent is stopped or killed.
    bool exitExpected(std::uint32_t slot, int exitCode) const override { return slot > 0 || exitCode == 0; }

private:
    [[nodiscard]] std::uint32_t slotCount() const
    {
        return m_run ? m_run->board().slotCount.load(std::memory_order_acquire) : 0;
    }
    // Children (slots after the parent's) in state s.
    [[nodiscard]] int count(ProcState s) const
    {
        int n = 0;
        for (std::uint32_t i = 1; i < slotCount(); ++i) n += m_run->board().slots[i].currentState() == s ? 1 : 0;
        return n;
    }
    [[nodiscard]] int alive() const
    {
        int n = 0;
        for (std::uint32_t i = 1; i < slotCount(); ++i) {
            const ProcState s = m_run->board().slots[i].currentState();
            n += !isTerminal(s) && s != ProcState::Exited && s != ProcState::Starting ? 1 : 0;
        }
        return n;
    }
    [[nodiscard]] int joined() const
    {
        int n = 0;
        for (std::uint32_t i = 1; i < slotCount(); ++i) n += isTerminal(m_run->board().slots[i].currentState()) ? 1 : 0;
        return n;
    }

    int m_zombiesSeen = 0;
};

} // namespace

std::unique_ptr<Scenario> makeZombie() { return std::make_unique<ZombieScenario>(); }

} // namespace ipc::scenarios
