// manager: a manager server process hosts a dict, a list and a Namespace;
// N client processes each do `ns.x += 1` through it, with or without a
// manager Lock (live toggle), report progress in the dict and sign the list
// when done. Without the lock, get and set are separate requests, so
// another client's get/set can run between them: updates are lost.
//
// Live metrics: expected (increments done) against actual (ns.x, read from
// the server at most every 100 ms by the engine's own connection, with a
// short timeout so a paused server cannot freeze the window), the server's
// requests per second, the clients' mean round-trip latency, requests
// waiting at the server, and each client's requests per second.
// When every client has exited, poll() reads the final state and asks the
// server to shut down, so the run ends by itself.
#include "scenarios.h"

#include "role_options.h"

#include "dict_proxy.h"
#include "list_proxy.h"
#include "lock_proxy.h"
#include "manager_client.h"
#include "manager_process.h"
#include "namespace_proxy.h"

#include <algorithm>
#include <optional>
#include <unistd.h>

namespace ipc::scenarios {

namespace {

using namespace std::chrono_literals;

class ManagerScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "manager", {}, {},
            {wholeParam("processes", 1, 16, 4), wholeParam("increments", 1, 1'000'000, 2000), switchParam("lock", false, kLive).drives(&ControlBlock::lockEnabled),
             paceParam()},
            {"actual", "expected", "finished_clients", "lost", "lost_percent", "max_waiting", "mean_latency_us", "requests", "requests_per_s", "server_reachable"}};
        return kInfo;
    }

    Result<void> start() override
    {
        m_client.reset();
        m_final.reset();
        m_clients.clear();
        m_actual = 0;
        m_lastActualNs = 0;
        m_rates.clear();
        m_serverUp = false;
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        auto server = manager::ManagerProcess::start(**run);
        if (!server) return std::unexpected(server.error());
        m_server = std::move(*server);
        m_serverUp = true;
        if (auto ok = connect(); !ok) return ok;
        // Make the objects before the clients run, so x starts at 0.
        auto ns = m_client->ns("ns");
        if (!ns) return std::unexpected(ns.error());
        if (auto ok = ns->set("x", 0); !ok) return ok;
        if (auto d = m_client->dict("progress"); !d) return std::unexpected(d.error());
        if (auto l = m_client->list("finished"); !l) return std::unexpected(l.error());
        if (auto k = m_client->lock("lock"); !k) return std::unexpected(k.error());
        m_startNs = monotonicNs();
        const int n = groupCount("manager-client", "processes");
        for (int i = 0; i < n; ++i) {
            auto slot = (*run)->spawn(roles::ManagerClientOptions{.increments = std::int64_t(param("increments")),
                                                                  .report = 50,
                                                                  .slotName = "p" + std::to_string(i)});
            if (!slot) return std::unexpected(slot.error());
            m_clients.push_back(*slot);
        }
        return {};
    }

    // The clients end first, then the result is read, then the server goes:
    // a client stopped mid-request would otherwise lose its server (exit 1,
    // "manager server is gone") or leave x one set behind its count.
    void stop() override
    {
        if (m_run && !m_final && m_serverUp) {
            // Every process sees the request; the server serves on while a
            // client is connected (roles/manager.cpp), so each client ends
            // after the increment it is in.
            m_run->control().stopRequested.store(1, std::memory_order_relaxed);
            m_run->control().changed();
            m_run->resumeAll();
            const Deadline grace(Run::kDefaultGrace);
            auto clientsDone = [&] {
                m_run->poll();
                return std::all_of(m_clients.begin(), m_clients.end(),
                                   [&](std::uint32_t s) { return isTerminal(m_run->slot(s).currentState()); });
            };
            while (!clientsDone() && !grace.expired()) usleep(2000);
            finalize(); // the last word from the server, if it still answers
        }
        m_client.reset(); // the server's last connection: it exits
        Scenario::stop();
        m_server.cleanup();
    }

    void advance() override
    {
        if (!m_serverUp || m_final || m_clients.empty()) return;
        for (std::uint32_t s : m_clients)
            if (!isTerminal(m_run->slot(s).currentState())) return;
        finalize();
        if (m_client) (void)m_client->shutdown(); // the server exits: the run is over
    }

    std::vector<Metric> metrics() const override
    {
        if (!m_run || !m_serverUp) return {};
        const auto [expected, actual] = totals();
        const manager::ManagerInfo &info = m_server.info();
        std::vector<Metric> out{{"expected", double(expected)},
                                {"actual", double(actual)},
                                // A client counts its increment after the set: a sample
                                // may see the value ahead of the count for a moment.
                                {"lost", std::max(0.0, double(expected) - double(actual))},
                                // Rates, a latency, small counts: in the CSV, not on
                                // the counts' axis.
                                {"requests_per_s", serverRate(), false},
                                {"mean_latency_us", meanLatencyUs(), false},
                                {"waiting", double(info.waiting.load(std::memory_order_relaxed)), false},
                                {"clients", double(info.clients.load(std::memory_order_relaxed)), false}};
        // Per client: requests per second over the last sampling interval.
        const std::uint64_t now = monotonicNs();
        const std::uint32_t rows = std::min(info.rowCount.load(std::memory_order_relaxed),
                                            manager::ManagerInfo::kMaxClients);
        for (std::uint32_t i = 0; i < m_clients.size(); ++i) {
            const std::int32_t pid = m_run->board().slots[m_clients[i]].pid.load(std::memory_order_relaxed);
            std::uint64_t requests = 0;
            for (std::uint32_t r = 0; r < rows; ++r)
                if (info.rows[r].pid.load(std::memory_order_relaxed) == pid)
                    requests = info.rows[r].requests.load(std::memory_order_relaxed);
            out.push_back({"client" + std::to_string(i) + "_requests_per_s", rate("client" + std::to_string(i), requests, now),
                           false});
        }
        return out;
    }

    QJsonObject lessonResult() const override
    {
        const auto [expected, actual] = totals();
        QJsonObject o;
        o.insert(QStringLiteral("processes"), int(m_clients.size()));
        o.insert(QStringLiteral("lock"), param("lock") != 0);
        o.insert(QStringLiteral("expected"), double(expected));
        o.insert(QStringLiteral("actual"), double(actual));
        o.insert(QStringLiteral("lost"), double(expected - actual));
        o.insert(QStringLiteral("lost_percent"), expected ? 100.0 * double(expected - actual) / double(expected) : 0.0);
        const Final f = m_final ? *m_final : Final{};
        const double seconds = f.endNs > m_startNs ? double(f.endNs - m_startNs) / 1e9 : 0.0;
        o.insert(QStringLiteral("requests"), double(f.requests));
        o.insert(QStringLiteral("requests_per_s"), seconds > 0 ? double(f.requests) / seconds : 0.0);
        o.insert(QStringLiteral("mean_latency_us"), f.meanLatencyUs);
        o.insert(QStringLiteral("max_waiting"), double(f.maxWaiting));
        o.insert(QStringLiteral("finished_clients"), double(f.finished));
        o.insert(QStringLiteral("server_reachable"), m_final.has_value() && f.reachable);
        return o;
    }

private:
    struct Final {
        std::int64_t actual = 0;
        std::uint64_t requests = 0;
        std::uint64_t endNs = 0;
        double meanLatencyUs = 0;
        std::uint64_t maxWaiting = 0;
        std::int64_t finished = 0;
        bool reachable = false;
    };

    Result<void> connect() const
    {
        manager::ClientOptions options;
        // The engine runs the window: a stopped server may cost it a
        // quarter second, never a hang.
        options.replyTimeout = 250ms;
        options.connectTimeout = 250ms;
        options.readyTimeout = 250ms;
        auto c = manager::ManagerClient::connect(m_server.info(), options);
        if (!c) return std::unexpected(c.error());
        m_client = std::move(*c);
        return {};
    }

    // ns.x from the server; the last known value if it cannot answer now.
    std::int64_t readActual() const
    {
        const std::uint64_t now = monotonicNs();
        if (now - m_lastActualNs < 100'000'000u) return m_actual;
        m_lastActualNs = now;
        if ((!m_client || !m_client->isOpen()) && !connect()) return m_actual;
        auto ns = m_client->ns("ns");
        if (!ns) return m_actual;
        if (auto x = ns->get("x", 0)) m_actual = x->toInteger();
        return m_actual;
    }

    void finalize()
    {
        Final f;
        f.endNs = monotonicNs();
        const manager::ManagerInfo &info = m_server.info();
        m_lastActualNs = 0;
        if ((m_client && m_client->isOpen()) || connect()) {
            auto ns = m_client->ns("ns");
            auto x = ns ? ns->get("x") : Result<QCborValue>(std::unexpected(ns.error()));
            auto done = m_client->list("finished");
            auto n = done ? done->size() : Result<std::size_t>(std::unexpected(done.error()));
            if (x && n) {
                f.actual = x->toInteger();
                f.finished = std::int64_t(*n);
                f.reachable = true;
                m_actual = f.actual;
            }
        }
        f.requests = info.requests.load(std::memory_order_relaxed);
        f.meanLatencyUs = meanLatencyUs();
        f.maxWaiting = info.maxWaiting.load(std::memory_order_relaxed);
        m_final = f;
    }

    std::pair<std::int64_t, std::int64_t> totals() const
    {
        if (!m_run) return {0, 0};
        std::int64_t done = 0;
        for (std::uint32_t s : m_clients) done += std::int64_t(m_run->board().slots[s].ops.load(std::memory_order_relaxed));
        const std::int64_t actual = m_final ? m_final->actual : m_serverUp ? readActual() : 0;
        return {done, actual};
    }

    // Clients' requests only (the engine's own are left out), mean round trip.
    double meanLatencyUs() const
    {
        const manager::ManagerInfo &info = m_server.info();
        const std::uint32_t rows = std::min(info.rowCount.load(std::memory_order_relaxed),
                                            manager::ManagerInfo::kMaxClients);
        std::uint64_t requests = 0;
        std::uint64_t ns = 0;
        for (std::uint32_t r = 0; r < rows; ++r) {
            const std::int32_t pid = info.rows[r].pid.load(std::memory_order_relaxed);
            if (pid == getpid()) continue;
            requests += info.rows[r].requests.load(std::memory_order_relaxed);
            ns += info.rows[r].latencyNsTotal.load(std::memory_order_relaxed);
        }
        return requests ? double(ns) / double(requests) / 1000.0 : 0.0;
    }

    double serverRate() const
    {
        return rate("server", m_server.info().requests.load(std::memory_order_relaxed), monotonicNs());
    }

    // Rate of a growing counter between two calls at least 200 ms apart.
    double rate(const std::string &key, std::uint64_t count, std::uint64_t now) const
    {
        RateState &s = m_rates[key];
        if (s.sinceNs == 0) {
            s = {count, now, 0.0};
            return 0.0;
        }
        if (now - s.sinceNs >= 200'000'000u) {
            s.perSecond = double(count - s.count) * 1e9 / double(now - s.sinceNs);
            s.count = count;
            s.sinceNs = now;
        }
        return s.perSecond;
    }

    struct RateState {
        std::uint64_t count = 0;
        std::uint64_t sinceNs = 0;
        double perSecond = 0;
    };

    manager::ManagerProcess m_server;
    mutable std::optional<manager::ManagerClient> m_client;
    bool m_serverUp = false;
    std::vector<std::uint32_t> m_clients;
    std::optional<Final> m_final;
    std::uint64_t m_startNs = 0;
    mutable std::int64_t m_actual = 0;
    mutable std::uint64_t m_lastActualNs = 0;
    mutable std::map<std::string, RateState, std::less<>> m_rates;
};

} // namespace

std::unique_ptr<Scenario> makeManager() { return std::make_unique<ManagerScenario>(); }

} // namespace ipc::scenarios
