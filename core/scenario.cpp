#include "scenario.h"

#include "scenario_file.h"
#include "scenarios/scenarios.h"

#include <QDir>

#include <algorithm>
#include <cmath>

namespace ipc {

Scenario::~Scenario() = default;

const ScenarioInfo &Scenario::lesson() const
{
    return m_definition ? m_definition->info : info();
}

Result<void> Scenario::setDefinition(const ScenarioDefinition &definition)
{
    for (const ParamSpec &p : definition.info.params) {
        const bool known = std::any_of(info().params.begin(), info().params.end(),
                                       [&](const ParamSpec &e) { return e.key == p.key; });
        if (!known)
            return fail(Errc::InvalidArgument, definition.source + ": parameter '" + p.key +
                                                   "' is not one engine '" + info().name + "' understands");
    }
    m_definition = std::make_shared<const ScenarioDefinition>(definition);
    m_params.clear();
    return {};
}

int Scenario::groupCount(std::string_view role, std::string_view fallbackParam) const
{
    if (m_definition) {
        for (const ProcessGroupDecl &g : m_definition->processes)
            if (g.role == role) return g.countParam.empty() ? g.count : int(param(g.countParam));
    }
    return int(param(fallbackParam));
}

const ParamSpec *Scenario::spec(std::string_view key) const
{
    for (const ParamSpec &p : lesson().params)
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
    poll();
    if (m_run == nullptr) return true;
    if (!m_run->allExited()) return false;
    // The last processes may have exited after poll() looked: let the
    // lesson book them (or start its next stage) before the run is over.
    poll();
    return m_run->allExited();
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

namespace {

const QString kBuiltInDir = QStringLiteral(":/scenarios/");

Result<std::unique_ptr<Scenario>> fromDefinition(const ScenarioDefinition &d)
{
    for (const auto &entry : scenarios::registry()) {
        if (entry.name != d.engine) continue;
        std::unique_ptr<Scenario> s = entry.make();
        if (auto ok = s->setDefinition(d); !ok) return std::unexpected(ok.error());
        return s;
    }
    return fail(Errc::NotFound, d.source + ": engine '" + d.engine + "' is not built in");
}

} // namespace

std::vector<ScenarioInfo> scenarioCatalog()
{
    std::vector<ScenarioInfo> out;
    for (const auto &entry : scenarios::registry()) {
        // Built-in files are named after their lesson; a lesson whose file
        // is broken is left out rather than shown half-described.
        auto made = createScenario(entry.name);
        if (made) out.push_back((*made)->lesson());
    }
    // Lessons whose file names another engine than their own name.
    const QStringList files = QDir(kBuiltInDir).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &f : files) {
        const std::string name = f.chopped(5).toStdString();
        const bool listed = std::any_of(out.begin(), out.end(), [&](const ScenarioInfo &i) { return i.name == name; });
        if (listed) continue;
        if (auto made = createScenario(name)) out.push_back((*made)->lesson());
    }
    return out;
}

Result<std::unique_ptr<Scenario>> createScenario(std::string_view nameOrPath)
{
    const QString arg = QString::fromUtf8(nameOrPath.data(), qsizetype(nameOrPath.size()));
    if (arg.endsWith(QStringLiteral(".json"))) {
        auto d = loadScenarioFile(arg);
        if (!d) return std::unexpected(d.error());
        return fromDefinition(*d);
    }
    const QString builtIn = kBuiltInDir + arg + QStringLiteral(".json");
    if (QFile::exists(builtIn)) {
        auto d = loadScenarioFile(builtIn);
        if (!d) return std::unexpected(d.error());
        return fromDefinition(*d);
    }
    for (const auto &entry : scenarios::registry())
        if (entry.name == nameOrPath) return entry.make();
    std::string names;
    for (const ScenarioInfo &i : scenarioCatalog()) names += (names.empty() ? "" : ", ") + i.name;
    return fail(Errc::NotFound, "no scenario named '" + std::string(nameOrPath) + "' (available: " + names + ")");
}

} // namespace ipc
