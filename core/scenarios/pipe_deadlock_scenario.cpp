// pipe-deadlock: two processes at the ends of a duplex Pipe each send a
// message larger than the kernel's buffers before reading. Each send waits
// for the other to read, and neither reads: both are stuck in send for
// ever. The fix (one side receives first) acts live: switched on during
// the deadlock, that side starts reading and the exchange flows.
// Deadlocked = both processes blocked on send with no round completed for
// kDeadlockAfter.
#include "scenarios.h"

#include "pipe.h"
#include "roles/messaging_util.h"

#include <QJsonArray>

namespace ipc::scenarios {

namespace {

constexpr std::uint64_t kDeadlockAfterNs = 300'000'000;

class PipeDeadlockScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "pipe-deadlock", {}, {},
            {wholeParam("size_kb", 1, 16384, 1024), wholeParam("rounds", 0, 1'000'000, 20), switchParam("fix", false, kLive)},
            {"both_blocked_send_seen", "deadlock_seen", "deadlocked", "message_bytes", "rounds", "rounds_asked"}};
        return kInfo;
    }

    Result<void> start() override
    {
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        m_deadlocked = m_deadlockSeen = m_bothBlockedSeen = m_frozen = false;
        m_lastOps = 0;
        m_lastProgressNs = monotonicNs();
        auto stats = (*run)->arena().make<PipeStats>("pipe");
        if (!stats) return std::unexpected(stats.error());
        applyControl();
        auto pipe = Connection::pipe(true);
        if (!pipe) return std::unexpected(pipe.error());
        auto &[a, b] = *pipe;
        const std::string size = std::to_string(std::int64_t(param("size_kb")) * 1024);
        const std::string rounds = std::to_string(std::int64_t(param("rounds")));
        for (int side = 0; side < 2; ++side) {
            Connection &end = side == 0 ? a : b;
            std::vector<std::string> args{"--side", std::to_string(side), "--size", size, "--rounds", rounds};
            const auto pipeArgs = roles::connectionOptions("pipe", end, "pipe", side);
            args.insert(args.end(), pipeArgs.begin(), pipeArgs.end());
            auto slot = (*run)->spawn("pipe-exchange", args, SpawnOptions{{end.fd()}});
            if (!slot) return std::unexpected(slot.error());
            m_sides[side] = *slot;
        }
        a.close();
        b.close();
        return {};
    }

    void poll() override
    {
        if (!m_run || m_frozen) return;
        const std::uint64_t now = monotonicNs();
        const BoardSlot &a = m_run->board().slots[m_sides[0]];
        const BoardSlot &b = m_run->board().slots[m_sides[1]];
        const std::uint64_t ops = a.ops.load(std::memory_order_relaxed) + b.ops.load(std::memory_order_relaxed);
        if (ops != m_lastOps) {
            m_lastOps = ops;
            m_lastProgressNs = now;
        }
        const bool bothSending = a.currentState() == ProcState::BlockedSend &&
                                 b.currentState() == ProcState::BlockedSend;
        m_bothBlockedSeen = m_bothBlockedSeen || bothSending;
        m_deadlocked = bothSending && now - m_lastProgressNs >= kDeadlockAfterNs;
        m_deadlockSeen = m_deadlockSeen || m_deadlocked;
    }

    void stop() override
    {
        // The verdict is the one before the stop request unblocks everyone.
        poll();
        m_frozen = true;
        Scenario::stop();
    }

    std::vector<Metric> metrics() const override
    {
        if (!m_run) return {};
        return {{"deadlocked", m_deadlocked ? 1.0 : 0.0},
                {"rounds", double(rounds())},
                {"blocked_send", double(blockedSenders())}};
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("scenario"), QStringLiteral("pipe-deadlock"));
        o.insert(QStringLiteral("deadlocked"), m_deadlocked);
        o.insert(QStringLiteral("deadlock_seen"), m_deadlockSeen);
        o.insert(QStringLiteral("both_blocked_send_seen"), m_bothBlockedSeen);
        o.insert(QStringLiteral("fix"), param("fix") != 0);
        o.insert(QStringLiteral("message_bytes"), double(param("size_kb") * 1024));
        o.insert(QStringLiteral("rounds"), double(rounds()));
        o.insert(QStringLiteral("rounds_asked"), double(param("rounds")));
        return o;
    }

protected:
    void applyLive(std::string_view, double) override { applyControl(); }

private:
    void applyControl()
    {
        if (!m_run) return;
        m_run->control().fixEnabled.store(param("fix") != 0 ? 1u : 0u, std::memory_order_relaxed);
        m_run->control().changed();
    }
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
    std::uint64_t m_lastOps = 0;
    std::uint64_t m_lastProgressNs = 0;
    bool m_deadlocked = false;
    bool m_deadlockSeen = false;
    bool m_bothBlockedSeen = false;
    bool m_frozen = false;
};

} // namespace

std::unique_ptr<Scenario> makePipeDeadlock() { return std::make_unique<PipeDeadlockScenario>(); }

} // namespace ipc::scenarios
