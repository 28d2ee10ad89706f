// ring: N processes in a ring of pipes, each owning some particles. Every
// time step all positions travel the whole ring, each stage applying the
// forces of what passes through it. Time steps per second and ring traffic
// are charted; the particles are drawn from a shared array the stages
// write after each step.
#include "scenarios.h"

#include "messaging_util.h"

#include "pipe.h"
#include "shared_value.h"

#include <cmath>

namespace ipc::scenarios {

namespace {

class RingScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "ring", {}, {},
            {wholeParam("stages", 2, 16, 4), wholeParam("particles", 1, 512, 16), wholeParam("steps", 0, 10'000'000, 0),
             paceParam()},
            {"finite", "particles_each", "ring_bytes", "steps"}};
        return kInfo;
    }

    Result<void> start() override
    {
        const int stages = groupCount("ring-particles", "stages");
        const auto particles = std::size_t(param("particles"));
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        auto positions = (*run)->arena().make<SharedArray<double>>("positions", std::size_t(stages) * particles * 2);
        if (!positions) return std::unexpected(positions.error());
        m_positions = *positions;
        m_particles = particles;
        // Link i carries positions from stage i to stage i+1.
        std::vector<std::pair<Connection, Connection>> links;
        for (int i = 0; i < stages; ++i) {
            auto pipe = Connection::pipe(true);
            if (!pipe) return std::unexpected(pipe.error());
            if (auto s = (*run)->arena().make<PipeStats>("link-" + std::to_string(i)); !s)
                return std::unexpected(s.error());
            links.push_back(std::move(*pipe));
        }
        for (int r = 0; r < stages; ++r) {
            const int l = (r + stages - 1) % stages;
            const int rightFd = links[std::size_t(r)].first.fd();
            const int leftFd = links[std::size_t(l)].second.fd();
            SpawnOptions options;
            options.inheritFds = {leftFd, rightFd};
            // Each link counts its traffic: this stage is end 1 of the link
            // on its left and end 0 of the one on its right.
            const roles::RingParticlesOptions stage{
                .rank = r,
                .stages = stages,
                .particles = std::int64_t(particles),
                .steps = std::int64_t(param("steps")),
                .left = roles::connectionEnd(links[std::size_t(l)].second, "link-" + std::to_string(l), 1),
                .right = roles::connectionEnd(links[std::size_t(r)].first, "link-" + std::to_string(r), 0)};
            auto spawned = (*run)->spawn(stage, options);
            if (!spawned) return std::unexpected(spawned.error());
        }
        // links go out of scope here: the engine keeps no pipe end, so a
        // stage that dies gives its neighbours EndOfFile instead of a hang.
        return {};
    }

    std::vector<Metric> metrics() const override
    {
        // Bytes would squash the steps; the pipe-traffic chart shows them.
        return {{"steps", double(minSteps())}, {"ring_bytes", double(ringBytes()), false}};
    }

    std::vector<Point> points() const override
    {
        std::vector<Point> out;
        if (!m_positions) return out;
        for (std::size_t i = 0; i + 1 < m_positions->size(); i += 2)
            out.push_back({m_positions->load(i), m_positions->load(i + 1),
                           std::uint32_t(i / 2 / std::max<std::size_t>(m_particles, 1))});
        return out;
    }

    QJsonObject lessonResult() const override
    {
        bool finite = true;
        for (const Point &p : points()) finite = finite && std::isfinite(p.x) && std::isfinite(p.y);
        QJsonObject o;
        o.insert(QStringLiteral("stages"), int(m_run ? m_run->processCount() : 0));
        o.insert(QStringLiteral("particles_each"), double(m_particles));
        o.insert(QStringLiteral("steps"), double(minSteps()));
        o.insert(QStringLiteral("ring_bytes"), double(ringBytes()));
        o.insert(QStringLiteral("finite"), finite);
        return o;
    }

private:
    // Steps every stage has completed (the ring moves in lock step).
    std::uint64_t minSteps() const
    {
        if (!m_run || m_run->processCount() == 0) return 0;
        std::uint64_t least = ~std::uint64_t(0);
        for (std::uint32_t i = 0; i < m_run->processCount(); ++i)
            least = std::min<std::uint64_t>(least, m_run->board().slots[i].ops.load(std::memory_order_relaxed));
        return least;
    }
    std::uint64_t ringBytes() const
    {
        std::uint64_t total = 0;
        for (std::uint32_t i = 0; m_run && i < m_run->processCount(); ++i)
            total += m_run->board().slots[i].counter(Counter::BytesSent);
        return total;
    }

    SharedArray<double> *m_positions = nullptr;
    std::size_t m_particles = 0;
};

} // namespace

std::unique_ptr<Scenario> makeRing() { return std::make_unique<RingScenario>(); }

} // namespace ipc::scenarios
