// pingpong (Pipe basics): two processes at the ends of one Pipe, in one of
// three modes.
//   0 ping-pong: duplex; the client sends a message and waits for the echo
//     before sending the next. Each round trip is two process wake-ups,
//     which is what the lesson makes visible.
//   1 request/response: duplex; the client sends n, the server answers n*n.
//   2 one-way: Pipe(duplex=False); the writer sends its messages and closes
//     its end, the reader reads until EndOfFile (Python's EOFError).
#include "scenarios.h"

#include "pipe.h"
#include "messaging_util.h"

namespace ipc::scenarios {

namespace {

class PingpongScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "pingpong", {}, {},
            {wholeParam("messages", 1, 10'000'000, 10'000), wholeParam("payload", 0, 65536, 64, kLive).drives(&ControlBlock::payloadBytes),
             wholeParam("rate", 0, 100'000, 0, kLive).drives(&ControlBlock::ratePerSecond), choiceParam("mode", 3, 0)},
            {"ended_by_eof", "mean_round_trip_us", "payload_bytes", "received", "round_trips", "sent", "wrong_replies"}};
        return kInfo;
    }

    Result<void> start() override
    {
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        auto stats = (*run)->arena().make<PipeStats>("pipe");
        if (!stats) return std::unexpected(stats.error());
        m_stats = *stats;
        m_mode = Mode(int(param("mode")));
        // Connection::pipe gives (reader, writer) one-way, two peers duplex.
        auto pipe = Connection::pipe(m_mode != Mode::OneWay);
        if (!pipe) return std::unexpected(pipe.error());
        auto &client = m_mode == Mode::OneWay ? pipe->second : pipe->first;
        auto &server = m_mode == Mode::OneWay ? pipe->first : pipe->second;
        roles::PipeSenderOptions sender{.pipe = roles::connectionEnd(client, "pipe", 0),
                                        .messages = std::int64_t(param("messages"))};
        switch (m_mode) {
        case Mode::PingPong: sender.expect = "echo"; break;
        case Mode::Square:
            sender.request = "int";
            sender.expect = "square";
            break;
        case Mode::OneWay: sender.sentinel = false; break;
        }
        auto c = (*run)->spawn(sender, SpawnOptions{{client.fd()}});
        if (!c) return std::unexpected(c.error());
        const SpawnOptions serverFd{{server.fd()}};
        const roles::ConnectionOptions serverEnd = roles::connectionEnd(server, "pipe", 1);
        auto s = m_mode == Mode::PingPong ? (*run)->spawn(roles::EchoOptions{serverEnd}, serverFd)
                 : m_mode == Mode::Square ? (*run)->spawn(roles::SquarerOptions{serverEnd}, serverFd)
                                          : (*run)->spawn(roles::PipeReceiverOptions{serverEnd}, serverFd);
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
        // One line on the counts' axis: the round trips, or in one-way mode
        // the messages sent. The rest is in the CSV; per direction traffic
        // has its own chart, and bytes and a latency would squash the count.
        const bool oneWay = m_mode == Mode::OneWay;
        return {{"round_trips", double(roundTrips()), !oneWay},
                {"mean_round_trip_us", meanRoundTripUs(), false},
                {"messages_a_to_b", double(a.messagesSent.load(std::memory_order_relaxed)), oneWay},
                {"messages_b_to_a", double(b.messagesSent.load(std::memory_order_relaxed)), false},
                {"bytes_a_to_b", double(a.bytesSent.load(std::memory_order_relaxed)), false},
                {"bytes_b_to_a", double(b.bytesSent.load(std::memory_order_relaxed)), false}};
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("round_trips"), double(roundTrips()));
        o.insert(QStringLiteral("mean_round_trip_us"), meanRoundTripUs());
        o.insert(QStringLiteral("payload_bytes"), double(param("payload")));
        static const char *const kModeNames[] = {"ping-pong", "request-response", "one-way"};
        o.insert(QStringLiteral("mode"), QString::fromLatin1(kModeNames[int(m_mode)]));
        if (m_run) {
            const BoardSlot &server = m_run->board().slots[m_server];
            if (m_mode == Mode::OneWay) {
                // The writer's count is messages sent, not round trips.
                o.insert(QStringLiteral("round_trips"), 0.0);
                o.insert(QStringLiteral("sent"), double(roundTrips()));
                o.insert(QStringLiteral("received"), double(server.ops.load(std::memory_order_relaxed)));
                o.insert(QStringLiteral("ended_by_eof"), server.counter(Counter::Custom1) > 0);
            } else {
                o.insert(QStringLiteral("wrong_replies"),
                         double(m_run->board().slots[m_client].counter(Counter::Custom1)));
            }
        }
        return o;
    }

    std::vector<Link> links() const override
    {
        if (!m_run) return {};
        if (m_mode == Mode::OneWay)
            return {{m_client, "pipe", Link::Kind::Sends}, {m_server, "pipe", Link::Kind::Receives}};
        return {{m_client, "pipe", Link::Kind::Sends},
                {m_client, "pipe", Link::Kind::Receives},
                {m_server, "pipe", Link::Kind::Receives},
                {m_server, "pipe", Link::Kind::Sends}};
    }

private:
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

    enum class Mode { PingPong, Square, OneWay };
    Mode m_mode = Mode::PingPong;
    PipeStats *m_stats = nullptr;
    std::uint32_t m_client = 0;
    std::uint32_t m_server = 0;
};

} // namespace

std::unique_ptr<Scenario> makePingpong() { return std::make_unique<PingpongScenario>(); }

} // namespace ipc::scenarios
