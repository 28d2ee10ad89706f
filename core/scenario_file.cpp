#include "scenario_file.h"

#include "scenarios/scenarios.h"
#include "worker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <set>

namespace ipc {

const std::vector<std::string> &scenarioObjectTypes()
{
    static const std::vector<std::string> kTypes = {
        "value", "array",   "lock",  "rlock",          "semaphore",     "event",
        "condition", "barrier", "queue", "joinable-queue", "shared-memory", "manager"};
    return kTypes;
}

namespace {

constexpr int kMaxCount = 32;                  // processes per group
constexpr qsizetype kMaxFileBytes = 1 << 20;   // a scenario file is text, not data
constexpr std::size_t kMaxTextLength = 4000;

// Collects the context of every message: "FILE: /path/in/file: problem".
class Checker {
public:
    explicit Checker(std::string where) : m_where(std::move(where)) {}

    std::unexpected<Error> error(const std::string &path, const std::string &problem) const
    {
        return fail(Errc::InvalidArgument, m_where + ": " + (path.empty() ? "/" : path) + ": " + problem);
    }

    Result<QJsonObject> object(const QJsonValue &v, const std::string &path) const
    {
        if (!v.isObject()) return error(path, "must be an object");
        return v.toObject();
    }

    Result<std::string> text(const QJsonObject &o, const char *key, const std::string &path,
                             bool required) const
    {
        const QJsonValue v = o.value(QLatin1StringView(key));
        if (v.isUndefined()) {
            if (required) return error(path + "/" + key, "is missing (a text is required here)");
            return std::string();
        }
        if (!v.isString()) return error(path + "/" + key, "must be a string");
        const std::string s = v.toString().trimmed().toStdString();
        if (required && s.empty()) return error(path + "/" + key, "must not be empty");
        if (s.size() > kMaxTextLength)
            return error(path + "/" + key, "is longer than " + std::to_string(kMaxTextLength) + " characters");
        return s;
    }

    Result<double> number(const QJsonObject &o, const char *key, const std::string &path,
                          std::optional<double> fallback) const
    {
        const QJsonValue v = o.value(QLatin1StringView(key));
        if (v.isUndefined()) {
            if (fallback) return *fallback;
            return error(path + "/" + key, "is missing (a number is required here)");
        }
        if (v.isBool()) return v.toBool() ? 1.0 : 0.0;
        if (!v.isDouble() || !std::isfinite(v.toDouble())) return error(path + "/" + key, "must be a number");
        return v.toDouble();
    }

    Result<bool> flag(const QJsonObject &o, const char *key, const std::string &path) const
    {
        const QJsonValue v = o.value(QLatin1StringView(key));
        if (v.isUndefined()) return false;
        if (!v.isBool()) return error(path + "/" + key, "must be true or false");
        return v.toBool();
    }

    Result<void> onlyKeys(const QJsonObject &o, const std::string &path,
                          std::initializer_list<const char *> known) const
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            const std::string k = it.key().toStdString();
            if (std::none_of(known.begin(), known.end(), [&](const char *x) { return k == x; })) {
                std::string list;
                for (const char *x : known) list += (list.empty() ? "" : ", ") + std::string(x);
                return error(path + "/" + k, "unknown key (known here: " + list + ")");
            }
        }
        return {};
    }

private:
    std::string m_where;
};

std::string lineColumn(const QByteArray &json, int offset)
{
    int line = 1, column = 1;
    for (int i = 0; i < offset && i < json.size(); ++i) {
        if (json[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

bool validName(const std::string &s)
{
    if (s.empty() || s.size() > 40) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

template <class Range>
std::string joined(const Range &names)
{
    std::string out;
    for (const auto &n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

} // namespace

Result<ScenarioDefinition> parseScenario(const QByteArray &json, const std::string &where,
                                         const QString &pythonDir)
{
    const Checker c(where);
    if (json.size() > kMaxFileBytes)
        return c.error("", "file is larger than " + std::to_string(kMaxFileBytes) + " bytes");
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError)
        return fail(Errc::InvalidArgument, where + ": " + lineColumn(json, perr.offset) +
                                               ": not valid JSON (" + perr.errorString().toStdString() + ")");
    auto root = c.object(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(), "");
    if (!root) return std::unexpected(root.error());
    if (auto ok = c.onlyKeys(*root, "", {"format", "name", "title", "explanation", "question",
                                         "answer", "python", "engine", "params", "objects",
                                         "processes", "pipes"});
        !ok)
        return std::unexpected(ok.error());

    ScenarioDefinition d;
    d.source = where;
    if (auto f = c.number(*root, "format", "", 1.0); !f) return std::unexpected(f.error());
    else if (*f != 1.0) return c.error("/format", "version " + std::to_string(int(*f)) + " is not supported (this program reads 1)");

    auto name = c.text(*root, "name", "", true);
    if (!name) return std::unexpected(name.error());
    if (!validName(*name)) return c.error("/name", "'" + *name + "' must be 1-40 characters of a-z, 0-9, '-', '_'");
    d.info.name = *name;
    for (auto [key, target] : {std::pair{"title", &d.info.title}, {"explanation", &d.info.summary},
                               {"question", &d.question}, {"answer", &d.answer}}) {
        auto t = c.text(*root, key, "", true);
        if (!t) return std::unexpected(t.error());
        *target = *t;
    }

    auto python = c.text(*root, "python", "", true);
    if (!python) return std::unexpected(python.error());
    if (python->size() > 3 && python->ends_with(".py") && python->find('\n') == std::string::npos) {
        // A file beside the scenarios (resources/python/NAME.py).
        QFile f(QDir(pythonDir).filePath(QString::fromStdString(*python)));
        if (pythonDir.isEmpty() || !f.open(QIODevice::ReadOnly))
            return c.error("/python", "file '" + *python + "' not found in " + pythonDir.toStdString());
        d.python = f.readAll().toStdString();
    } else {
        d.python = *python;
    }

    auto engine = c.text(*root, "engine", "", true);
    if (!engine) return std::unexpected(engine.error());
    std::vector<std::string_view> engines;
    for (const auto &e : scenarios::registry()) engines.push_back(e.name);
    if (std::find(engines.begin(), engines.end(), *engine) == engines.end())
        return c.error("/engine", "unknown engine '" + *engine + "' (known: " + joined(engines) + ")");
    d.engine = *engine;

    // Parameters.
    const QJsonValue params = root->value(QStringLiteral("params"));
    if (!params.isUndefined() && !params.isArray()) return c.error("/params", "must be a list");
    std::set<std::string> paramKeys;
    for (qsizetype i = 0; i < params.toArray().size(); ++i) {
        const std::string path = "/params/" + std::to_string(i);
        auto p = c.object(params.toArray().at(i), path);
        if (!p) return std::unexpected(p.error());
        if (auto ok = c.onlyKeys(*p, path, {"key", "label", "help", "min", "max", "default", "live", "switch"}); !ok)
            return std::unexpected(ok.error());
        ParamSpec spec;
        auto key = c.text(*p, "key", path, true);
        if (!key) return std::unexpected(key.error());
        if (!validName(*key)) return c.error(path + "/key", "'" + *key + "' must be 1-40 characters of a-z, 0-9, '-', '_'");
        if (!paramKeys.insert(*key).second) return c.error(path + "/key", "parameter '" + *key + "' is declared twice");
        spec.key = *key;
        auto label = c.text(*p, "label", path, true);
        auto help = c.text(*p, "help", path, true);
        if (!label) return std::unexpected(label.error());
        if (!help) return std::unexpected(help.error());
        spec.label = *label;
        spec.help = *help;
        auto isSwitch = c.flag(*p, "switch", path);
        auto live = c.flag(*p, "live", path);
        if (!isSwitch) return std::unexpected(isSwitch.error());
        if (!live) return std::unexpected(live.error());
        spec.boolean = *isSwitch;
        spec.live = *live;
        auto mn = c.number(*p, "min", path, spec.boolean ? std::optional(0.0) : std::nullopt);
        auto mx = c.number(*p, "max", path, spec.boolean ? std::optional(1.0) : std::nullopt);
        auto df = c.number(*p, "default", path, std::nullopt);
        if (!mn) return std::unexpected(mn.error());
        if (!mx) return std::unexpected(mx.error());
        if (!df) return std::unexpected(df.error());
        if (*mn > *mx) return c.error(path + "/min", "min " + std::to_string(*mn) + " is above max " + std::to_string(*mx));
        if (*df < *mn || *df > *mx)
            return c.error(path + "/default", "default " + std::to_string(*df) + " is out of range [" +
                                                  std::to_string(*mn) + ", " + std::to_string(*mx) + "]");
        spec.min = *mn;
        spec.max = *mx;
        spec.defaultValue = *df;
        d.info.params.push_back(std::move(spec));
    }

    // Shared objects.
    const QJsonValue objects = root->value(QStringLiteral("objects"));
    if (!objects.isUndefined() && !objects.isArray()) return c.error("/objects", "must be a list");
    std::set<std::string> objectNames;
    for (qsizetype i = 0; i < objects.toArray().size(); ++i) {
        const std::string path = "/objects/" + std::to_string(i);
        auto o = c.object(objects.toArray().at(i), path);
        if (!o) return std::unexpected(o.error());
        if (auto ok = c.onlyKeys(*o, path, {"name", "type"}); !ok) return std::unexpected(ok.error());
        auto oname = c.text(*o, "name", path, true);
        auto type = c.text(*o, "type", path, true);
        if (!oname) return std::unexpected(oname.error());
        if (!type) return std::unexpected(type.error());
        if (!objectNames.insert(*oname).second) return c.error(path + "/name", "object '" + *oname + "' is declared twice");
        const auto &types = scenarioObjectTypes();
        if (std::find(types.begin(), types.end(), *type) == types.end())
            return c.error(path + "/type", "unknown object type '" + *type + "' (known: " + joined(types) + ")");
        d.objects.push_back({*oname, *type});
    }

    // Process groups.
    const QJsonValue processes = root->value(QStringLiteral("processes"));
    if (!processes.isArray() || processes.toArray().isEmpty())
        return c.error("/processes", "must be a list of at least one process group");
    std::set<std::string> groups;
    for (qsizetype i = 0; i < processes.toArray().size(); ++i) {
        const std::string path = "/processes/" + std::to_string(i);
        auto o = c.object(processes.toArray().at(i), path);
        if (!o) return std::unexpected(o.error());
        if (auto ok = c.onlyKeys(*o, path, {"group", "role", "count", "uses"}); !ok) return std::unexpected(ok.error());
        ProcessGroupDecl g;
        auto group = c.text(*o, "group", path, true);
        auto role = c.text(*o, "role", path, true);
        if (!group) return std::unexpected(group.error());
        if (!role) return std::unexpected(role.error());
        if (!groups.insert(*group).second) return c.error(path + "/group", "group '" + *group + "' is declared twice");
        if (!findRole(*role)) {
            std::vector<std::string_view> names;
            for (const RoleInfo &r : roleCatalog()) names.push_back(r.name);
            return c.error(path + "/role", "unknown role '" + *role + "' (known: " + joined(names) + ")");
        }
        g.group = *group;
        g.role = *role;
        const QJsonValue count = o->value(QStringLiteral("count"));
        if (count.isString()) {
            g.countParam = count.toString().toStdString();
            auto spec = std::find_if(d.info.params.begin(), d.info.params.end(),
                                     [&](const ParamSpec &p) { return p.key == g.countParam; });
            if (spec == d.info.params.end())
                return c.error(path + "/count", "names parameter '" + g.countParam + "', which is not declared in /params");
            if (spec->min < 0 || spec->max > kMaxCount)
                return c.error(path + "/count", "parameter '" + g.countParam + "' allows " + std::to_string(spec->min) +
                                                    ".." + std::to_string(spec->max) + " processes; a group may have 0.." +
                                                    std::to_string(kMaxCount));
        } else if (count.isUndefined()) {
            g.count = 1;
        } else if (count.isDouble()) {
            const double n = count.toDouble();
            if (n != std::floor(n) || n < 1 || n > kMaxCount)
                return c.error(path + "/count", "count " + QString::number(n).toStdString() + " is out of range [1, " +
                                                    std::to_string(kMaxCount) + "]");
            g.count = int(n);
        } else {
            return c.error(path + "/count", "must be a whole number or the name of a parameter");
        }
        const QJsonValue uses = o->value(QStringLiteral("uses"));
        if (!uses.isUndefined() && !uses.isArray()) return c.error(path + "/uses", "must be a list of object names");
        for (qsizetype k = 0; k < uses.toArray().size(); ++k) {
            const std::string upath = path + "/uses/" + std::to_string(k);
            if (!uses.toArray().at(k).isString()) return c.error(upath, "must be an object name");
            const std::string used = uses.toArray().at(k).toString().toStdString();
            if (!objectNames.count(used))
                return c.error(upath, "uses object '" + used + "', which is not declared in /objects");
            g.uses.push_back(used);
        }
        d.processes.push_back(std::move(g));
    }

    // Pipes between groups.
    const QJsonValue pipes = root->value(QStringLiteral("pipes"));
    if (!pipes.isUndefined() && !pipes.isArray()) return c.error("/pipes", "must be a list");
    for (qsizetype i = 0; i < pipes.toArray().size(); ++i) {
        const std::string path = "/pipes/" + std::to_string(i);
        auto o = c.object(pipes.toArray().at(i), path);
        if (!o) return std::unexpected(o.error());
        if (auto ok = c.onlyKeys(*o, path, {"from", "to", "duplex"}); !ok) return std::unexpected(ok.error());
        PipeDecl p;
        auto from = c.text(*o, "from", path, true);
        auto to = c.text(*o, "to", path, true);
        if (!from) return std::unexpected(from.error());
        if (!to) return std::unexpected(to.error());
        for (auto [key, end] : {std::pair{"from", *from}, {"to", *to}})
            if (!groups.count(end))
                return c.error(path + "/" + key, "pipe end '" + end + "' is not a process group (groups: " + joined(groups) + ")");
        p.from = *from;
        p.to = *to;
        const QJsonValue duplex = o->value(QStringLiteral("duplex"));
        if (!duplex.isUndefined() && !duplex.isBool()) return c.error(path + "/duplex", "must be true or false");
        p.duplex = duplex.isUndefined() || duplex.toBool();
        d.pipes.push_back(std::move(p));
    }
    return d;
}

Result<ScenarioDefinition> loadScenarioFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Errc::NotFound, path.toStdString() + ": cannot open (" + f.errorString().toStdString() + ")");
    if (f.size() > kMaxFileBytes)
        return fail(Errc::TooLarge, path.toStdString() + ": file is larger than " + std::to_string(kMaxFileBytes) + " bytes");
    const QFileInfo info(path);
    // Python twins live in ../python relative to resources/scenarios, or beside the file.
    QString pythonDir = info.dir().filePath(QStringLiteral("../python"));
    if (!QDir(pythonDir).exists()) pythonDir = info.dir().path();
    return parseScenario(f.readAll(), path.toStdString(), pythonDir);
}

} // namespace ipc
