#include "catalog.h"

#include "scenario_file.h"
#include "scenarios.h"

#include <QDir>
#include <QFile>

#include <algorithm>

namespace ipc {

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
        auto made = fromDefinition(*d);
        // Kept with the scenario, so that a recording of its run holds the
        // lesson it ran (the file may change or be gone when it is replayed).
        if (QFile f(arg); made && f.open(QIODevice::ReadOnly)) (*made)->setLessonFile(f.readAll().toStdString());
        return made;
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
