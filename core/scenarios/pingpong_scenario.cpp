// pingpong: two processes at the ends of one duplex Pipe. The client sends
// a message and waits for the echo before sending the next; each round
// trip is two process wake-ups, which is what the lesson makes visible
// (and what a CPU placement changes by 10x).
#include "scenarios.h"

#include "pipe.h"
#include "roles/messaging_util.h"

namespace ipc::scenarios {

namespace {

class PingpongScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "pingpong",
            "Ping-pong over a duplex Pipe",
            "One process sends a message through a pipe and waits for the other to send it back, "
            "again and again. Each round trip wakes both processes once: its cost is the price of "
            "a message between processes, much more than the copying of the bytes.",
            {
                {"messages", "Round trips", "How many messages the client sends and gets back.", 1,
                 10'000'000, 10000, false, false},
                {"payload", "Payload bytes", "Size of each message's data.", 0, 65536, 64, true, false},
                {"rate", "Rate (messages/s)", "Round trips per second; 0 = as fast as possible.", 0,
                 100000, 0, true, false},
            }};
        return kInfo;
    }

    Result<void> start() override
    {
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        auto stats = (*run)->arena().make<PipeStats>("pipe", true);
        if (!stats) return std::unexpected(stats.error());
        m_stats = *stats;
        applyControl();
        auto pipe = Connection::pipe(true);
        if (!pipe) return std::unexpected(pipe.error());
        auto &[client, server] = *pipe;
        std::vector<std::string> clientArgs{"--messages", std::to_string(std::int64_t(param("messages"))),
                                            "--expect", "echo"};
        const auto clientPipe = roles::connectionOptions("pipe", client, "pipe", 0);
        clientArgs.insert(clientArgs.end(), clientPipe.begin(), clientPipe.end());
        auto c = (*run)->spawn("pipe-sender", clientArgs, SpawnOptions{{client.fd()}});
        if (!c) return std::unexpected(c.error());
        auto s = (*run)->spawn("echo", roles::connectionOptions("pipe", server, "pipe", 1),
                               SpawnOptions{{server.fd()}});
        if (!s) return std::unexpected(s.error());
        m_client = *c;
        m_server = *s;
        // Only the workers hold the ends now: each sees the other's exit as
        // the end of its stream.
        client.close();
        server.close();
        return {};
    }

    std::vector<Metric> metrics() const override
    {
        if (!m_run || !m_stats) return {};
        const PipeStats::End &a = m_stats->ends[0];
        const PipeStats::End &b = m_stats->ends[1];
        return {{"round_trips", double(roundTrips())},
                {"mean_round_trip_us", meanRoundTripUs()},
                {"messages_a_to_b", double(a.messagesSent.load(std::memory_order_relaxed))},
                {"messages_b_to_a", double(b.messagesSent.load(std::memory_order_relaxed))},
                {"bytes_a_to_b", double(a.bytesSent.load(std::memory_order_relaxed))},
                {"bytes_b_to_a", double(b.bytesSent.load(std::memory_order_relaxed))}};
    }

    QJsonObject result() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("scenario"), QStringLiteral("pingpong"));
        o.insert(QStringLiteral("messages"), double(param("messages")));
        o.insert(QStringLiteral("round_trips"), double(roundTrips()));
        o.insert(QStringLiteral("mean_round_trip_us"), meanRoundTripUs());
        o.insert(QStringLiteral("payload_bytes"), double(param("payload")));
        if (m_run)
            o.insert(QStringLiteral("wrong_replies"),
                     double(m_run->board().slots[m_client].counter(Counter::Custom1)));
        return o;
    }

    std::vector<Link> links() const override
    {
        if (!m_run) return {};
        return {{m_client, "pipe", Link::Kind::Sends},
                {m_client, "pipe", Link::Kind::Receives},
                {m_server, "pipe", Link::Kind::Receives},
                {m_server, "pipe", Link::Kind::Sends}};
    }

protected:
    void applyLive(std::string_view, double) override { applyControl(); }

private:
    void applyControl()
    {
        if (!m_run) return;
        ControlBlock &c = m_run->control();
        c.payloadBytes.store(std::uint32_t(param("payload")), std::memory_order_relaxed);
        c.ratePerSecond.store(std::uint32_t(param("rate")), std::memory_order_relaxed);
        c.changed();
    }
    std::uint64_t roundTrips() const
    {
        return m_run ? m_run->board().slots[m_client].ops.load(std::memory_order_relaxed) : 0;
    }
    double meanRoundTripUs() const
    {
        const std::uint64_t n = roundTrips();
        if (!n) return 0.0;
        return double(m_run->board().slots[m_client].counter(Counter::Custom0)) / double(n) / 1000.0;
    }

    PipeStats *m_stats = nullptr;
    std::uint32_t m_client = 0;
    std::uint32_t m_server = 0;
};

} // namespace

std::unique_ptr<Scenario> makePingpong() { return std::make_unique<PingpongScenario>(); }

} // namespace ipc::scenarios
