#include "scenario.h"

#include "scenarios/scenarios.h"

#include <cmath>

namespace ipc {

Scenario::~Scenario() = default;

const ParamSpec *Scenario::spec(std::string_view key) const
{
    for (const ParamSpec &p : info().params)
        if (p.key == key) return &p;
    return nullptr;
}

Result<void> Scenario::setParam(std::string_view key, double value)
{
    const ParamSpec *p = spec(key);
    if (!p)
        return fail(Errc::InvalidArgument,
                    "scenario '" + info().name + "' has no parameter '" + std::string(key) + "'");
    if (!std::isfinite(value) || value < p->min || value > p->max)
        return fail(Errc::InvalidArgument, "parameter '" + p->key + "' = " + std::to_string(value) +
                                               " is out of range [" + std::to_string(p->min) +
                                               ", " + std::to_string(p->max) + "]");
    if (p->boolean && value != 0 && value != 1)
        return fail(Errc::InvalidArgument, "parameter '" + p->key + "' is a switch: 0 or 1");
    m_params.insert_or_assign(std::string(key), value);
    if (running() && p->live) applyLive(key, value);
    return {};
}

double Scenario::param(std::string_view key) const
{
    if (auto it = m_params.find(key); it != m_params.end()) return it->second;
    const ParamSpec *p = spec(key);
    return p ? p->defaultValue : 0.0;
}

void Scenario::stop()
{
    if (m_run) m_run->stop();
    m_stopped = true;
}

bool Scenario::finished()
{
    return m_run == nullptr || m_run->allExited();
}

void Scenario::applyLive(std::string_view, double) {}

Result<Run *> Scenario::newRun(std::size_t arenaSize)
{
    m_run.reset(); // stops and reaps the previous run first
    auto run = Run::create(arenaSize);
    if (!run) return std::unexpected(run.error());
    m_run = std::move(*run);
    m_stopped = false;
    return m_run.get();
}

std::vector<ScenarioInfo> scenarioCatalog()
{
    std::vector<ScenarioInfo> out;
    for (const auto &entry : scenarios::registry()) out.push_back(entry.make()->info());
    return out;
}

Result<std::unique_ptr<Scenario>> createScenario(std::string_view name)
{
    for (const auto &entry : scenarios::registry())
        if (entry.name == name) return entry.make();
    std::string names;
    for (const auto &entry : scenarios::registry())
        names += (names.empty() ? "" : ", ") + std::string(entry.name);
    return fail(Errc::NotFound, "no scenario named '" + std::string(name) + "' (available: " + names + ")");
}

} // namespace ipc
