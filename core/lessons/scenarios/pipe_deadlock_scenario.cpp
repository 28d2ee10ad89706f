// pipe-deadlock: two processes at the ends of a duplex Pipe each send a
// message larger than the kernel's buffers before reading. Each send waits
// for the other to read, and neither reads: both are stuck in send for
// ever. The fix (one side receives first) acts live: switched on during
// the deadlock, that side starts reading and the exchange flows.
// Deadlocked = the wait-for graph's cycle (each waits for the other to
// read), confirmed by Scenario::deadlock().
#include "scenarios.h"

#include "pipe.h"
#include "messaging_util.h"

#include <QJsonArray>

namespace ipc::scenarios {

namespace {

class PipeDeadlockScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "pipe-deadlock", {}, {},
            {wholeParam("size_kb", 1, 16384, 1024), wholeParam("rounds", 0, 1'000'000, 20), switchParam("fix", false, kLive).drives(&ControlBlock::fixEnabled)},
            {"both_blocked_send_seen", "deadlock_seen", "deadlocked", "message_bytes", "rounds", "rounds_asked"}};
        return kInfo;
    }

    Result<void> start() override
    {
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        m_deadlockedAtStop = m_bothBlockedSeen = m_frozen = false;
        auto stats = (*run)->arena().make<PipeStats>("pipe");
        if (!stats) return std::unexpected(stats.error());
        auto pipe = Connection::pipe(true);
        if (!pipe) return std::unexpected(pipe.error());
        auto &[a, b] = *pipe;
        for (int side = 0; side < 2; ++side) {
            Connection &end = side == 0 ? a : b;
            const roles::PipeExchangeOptions exchange{.pipe = roles::connectionEnd(end, "pipe", side),
                                                      .side = side,
                                                      .size = std::int64_t(param("size_kb")) * 1024,
                                                      .rounds = std::int64_t(param("rounds"))};
            auto slot = (*run)->spawn(exchange, SpawnOptions{{end.fd()}});
            if (!slot) return std::unexpected(slot.error());
            m_sides[side] = *slot;
        }
        a.close();
        b.close();
        return {};
    }

    void advance() override
    {
        if (!m_run || m_frozen) return;
        m_bothBlockedSeen = m_bothBlockedSeen || blockedSenders() == 2;
    }

    void stop() override
    {
        // The verdict is the one before the stop request unblocks everyone.
        poll();
        if (!m_frozen) m_deadlockedAtStop = deadlocked();
        m_frozen = true;
        Scenario::stop();
    }

    std::vector<Metric> metrics() const override
    {
        if (!m_run) return {};
        return {{"deadlocked", deadlocked() ? 1.0 : 0.0},
                {"rounds", double(rounds())},
                {"blocked_send", double(blockedSenders())}};
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("deadlocked"), deadlocked());
        o.insert(QStringLiteral("deadlock_seen"), firstDeadlock() != nullptr);
        o.insert(QStringLiteral("both_blocked_send_seen"), m_bothBlockedSeen);
        o.insert(QStringLiteral("fix"), param("fix") != 0);
        o.insert(QStringLiteral("message_bytes"), double(param("size_kb") * 1024));
        o.insert(QStringLiteral("rounds"), double(rounds()));
        o.insert(QStringLiteral("rounds_asked"), double(param("rounds")));
        return o;
    }

private:
    bool deadlocked() const { return m_frozen ? m_deadlockedAtStop : deadlock() != nullptr; }
    // Rounds both sides completed.
    std::uint64_t rounds() const
    {
        if (!m_run) return 0;
        return std::min(m_run->board().slots[m_sides[0]].ops.load(std::memory_order_relaxed),
                        m_run->board().slots[m_sides[1]].ops.load(std::memory_order_relaxed));
    }
    int blockedSenders() const
    {
        int n = 0;
        for (std::uint32_t i : m_sides)
            if (m_run->board().slots[i].currentState() == ProcState::BlockedSend) ++n;
        return n;
    }

    std::uint32_t m_sides[2] = {0, 1};
    bool m_deadlockedAtStop = false;
    bool m_bothBlockedSeen = false;
    bool m_frozen = false;
};

} // namespace

std::unique_ptr<Scenario> makePipeDeadlock() { return std::make_unique<PipeDeadlockScenario>(); }

} // namespace ipc::scenarios
