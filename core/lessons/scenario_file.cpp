#include "scenario_file.h"

#include "roles.h"
#include "scenarios.h"
#include "text_template.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <functional>
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
        std::string s = v.toString().trimmed().toStdString();
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

namespace {

// A text may hold line breaks and tabs, no other control characters (a
// NUL or an escape sequence in a title would reach the terminal and the window).
bool hasControlCharacter(const std::string &s)
{
    return std::any_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
    });
}

// The engine's declaration, for the checks below.
const ScenarioInfo *engineInfo(std::string_view engine)
{
    static std::vector<std::unique_ptr<Scenario>> engines; // built once, read-only after
    static const bool made = [] {
        for (const auto &e : scenarios::registry()) engines.push_back(e.make());
        return true;
    }();
    (void)made;
    for (const auto &e : engines)
        if (e->info().name == engine) return &e->info();
    return nullptr;
}

// A parameter's "choices": one name for each value of the engine's range.
Result<void> parseChoices(const Checker &c, const QJsonObject &p, const std::string &path, const ParamSpec &limit,
                          ParamSpec &spec)
{
    const QJsonValue choices = p.value(QStringLiteral("choices"));
    if (choices.isUndefined()) return {};
    const double count = limit.max - limit.min + 1;
    if (!choices.isArray() || double(choices.toArray().size()) != count || limit.boolean || !limit.integer)
        return c.error(path + "/choices", "must be a list of " + formatTemplateNumber(count) +
                                              " names, one for each value " + formatTemplateNumber(limit.min) + ".." +
                                              formatTemplateNumber(limit.max));
    for (qsizetype k = 0; k < choices.toArray().size(); ++k) {
        const std::string name = choices.toArray().at(k).toString().toStdString();
        if (!validName(name))
            return c.error(path + "/choices/" + std::to_string(k), "a choice is 1-40 characters of a-z, 0-9, '-', '_'");
        spec.choices.push_back(name);
    }
    return {};
}

Result<void> parseParams(const Checker &c, const QJsonObject &root, const ScenarioInfo &engine, ScenarioDefinition &d)
{
    const QJsonValue params = root.value(QStringLiteral("params"));
    if (!params.isUndefined() && !params.isArray()) return c.error("/params", "must be a list");
    std::set<std::string> paramKeys;
    for (qsizetype i = 0; i < params.toArray().size(); ++i) {
        const std::string path = "/params/" + std::to_string(i);
        auto p = c.object(params.toArray().at(i), path);
        if (!p) return std::unexpected(p.error());
        if (auto ok = c.onlyKeys(*p, path, {"key", "label", "help", "min", "max", "default", "live", "switch", "choices", "minimum_text"}); !ok)
            return std::unexpected(ok.error());
        auto key = c.text(*p, "key", path, true);
        if (!key) return std::unexpected(key.error());
        if (!validName(*key)) return c.error(path + "/key", "'" + *key + "' must be 1-40 characters of a-z, 0-9, '-', '_'");
        if (!paramKeys.insert(*key).second) return c.error(path + "/key", "parameter '" + *key + "' is declared twice");
        const auto limit = std::find_if(engine.params.begin(), engine.params.end(),
                                        [&](const ParamSpec &e) { return e.key == *key; });
        if (limit == engine.params.end()) {
            std::vector<std::string> known;
            known.reserve(engine.params.size());
            for (const ParamSpec &e : engine.params) known.push_back(e.key);
            return c.error(path + "/key", "engine '" + engine.name + "' has no parameter '" + *key + "' (known: " + joined(known) + ")");
        }
        ParamSpec spec = *limit; // the engine's kind and limits, narrowed below
        auto label = c.text(*p, "label", path, true);
        auto help = c.text(*p, "help", path, true);
        if (!label) return std::unexpected(label.error());
        if (!help) return std::unexpected(help.error());
        spec.label = *label;
        spec.help = *help;
        auto minimumText = c.text(*p, "minimum_text", path, false);
        if (!minimumText) return std::unexpected(minimumText.error());
        spec.minimumText = *minimumText;
        auto isSwitch = c.flag(*p, "switch", path);
        auto live = c.flag(*p, "live", path);
        if (!isSwitch) return std::unexpected(isSwitch.error());
        if (!live) return std::unexpected(live.error());
        if (*isSwitch != limit->boolean)
            return c.error(path + "/switch", limit->boolean ? "parameter '" + *key + "' is a switch: say \"switch\": true"
                                                            : "parameter '" + *key + "' is a number, not a switch");
        if (*live && !limit->live)
            return c.error(path + "/live", "engine '" + engine.name + "' cannot change '" + *key + "' while it runs");
        spec.live = *live;
        if (auto ok = parseChoices(c, *p, path, *limit, spec); !ok) return ok;
        auto mn = c.number(*p, "min", path, std::optional(limit->min));
        auto mx = c.number(*p, "max", path, std::optional(limit->max));
        auto df = c.number(*p, "default", path, std::nullopt);
        if (!mn) return std::unexpected(mn.error());
        if (!mx) return std::unexpected(mx.error());
        if (!df) return std::unexpected(df.error());
        auto range = [](double a, double b) { return formatTemplateNumber(a) + ".." + formatTemplateNumber(b); };
        if (*mn < limit->min || *mx > limit->max)
            return c.error(path + (*mn < limit->min ? "/min" : "/max"),
                           "range " + range(*mn, *mx) + " is wider than engine '" + engine.name + "' allows for '" +
                               *key + "': " + range(limit->min, limit->max));
        if (*mn > *mx) return c.error(path + "/min", "min " + formatTemplateNumber(*mn) + " is above max " + formatTemplateNumber(*mx));
        if (*df < *mn || *df > *mx)
            return c.error(path + "/default", "default " + formatTemplateNumber(*df) + " is out of range " + range(*mn, *mx));
        if (spec.integer && (*df != std::floor(*df) || *mn != std::floor(*mn) || *mx != std::floor(*mx)))
            return c.error(path + "/default", "parameter '" + *key + "' takes whole numbers");
        spec.min = *mn;
        spec.max = *mx;
        spec.defaultValue = *df;
        if (!spec.choices.empty() && (*mn != limit->min || *mx != limit->max))
            return c.error(path + "/min", "a parameter with choices keeps the engine's range " + range(limit->min, limit->max));
        d.info.params.push_back(std::move(spec));
    }
    return {};
}

Result<void> parseObjects(const Checker &c, const QJsonObject &root, ScenarioDefinition &d)
{
    const QJsonValue objects = root.value(QStringLiteral("objects"));
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
    return {};
}

Result<void> parseGroupCount(const Checker &c, const QJsonObject &o, const std::string &path,
                             const ScenarioDefinition &d, ProcessGroupDecl &g)
{
    const QJsonValue count = o.value(QStringLiteral("count"));
    if (count.isString()) {
        g.countParam = count.toString().toStdString();
        auto spec = std::find_if(d.info.params.begin(), d.info.params.end(),
                                 [&](const ParamSpec &p) { return p.key == g.countParam; });
        if (spec == d.info.params.end())
            return c.error(path + "/count", "names parameter '" + g.countParam + "', which is not declared in /params");
        if (spec->min < 0 || spec->max > kMaxCount)
            return c.error(path + "/count", "parameter '" + g.countParam + "' allows " + formatTemplateNumber(spec->min) +
                                                ".." + formatTemplateNumber(spec->max) + " processes; a group may have 0.." +
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
    return {};
}

Result<void> parseProcesses(const Checker &c, const QJsonObject &root, ScenarioDefinition &d)
{
    const QJsonValue processes = root.value(QStringLiteral("processes"));
    if (!processes.isArray() || processes.toArray().isEmpty())
        return c.error("/processes", "must be a list of at least one process group");
    std::set<std::string> groups;
    for (qsizetype i = 0; i < processes.toArray().size(); ++i) {
        const std::string path = "/processes/" + std::to_string(i);
        auto o = c.object(processes.toArray().at(i), path);
        if (!o) return std::unexpected(o.error());
        if (auto ok = c.onlyKeys(*o, path, {"group", "role", "count", "uses", "puts", "gets", "requests", "serves"}); !ok)
            return std::unexpected(ok.error());
        ProcessGroupDecl g;
        auto group = c.text(*o, "group", path, true);
        auto role = c.text(*o, "role", path, true);
        if (!group) return std::unexpected(group.error());
        if (!role) return std::unexpected(role.error());
        if (!groups.insert(*group).second) return c.error(path + "/group", "group '" + *group + "' is declared twice");
        if (!findRole(lessonRoles(), *role)) {
            std::vector<std::string_view> names;
            for (const RoleInfo &r : lessonRoles()) names.push_back(r.name);
            return c.error(path + "/role", "unknown role '" + *role + "' (known: " + joined(names) + ")");
        }
        g.group = *group;
        g.role = *role;
        if (auto ok = parseGroupCount(c, *o, path, d, g); !ok) return ok;
        // The objects the group reaches, and how: the diagram's lines.
        const std::pair<const char *, Link::Kind> ways[] = {{"uses", Link::Kind::Uses},
                                                            {"puts", Link::Kind::Puts},
                                                            {"gets", Link::Kind::Gets},
                                                            {"requests", Link::Kind::Requests},
                                                            {"serves", Link::Kind::Serves}};
        for (const auto &[way, kind] : ways) {
            const QJsonValue list = o->value(QLatin1StringView(way));
            const std::string lpath = path + "/" + way;
            if (!list.isUndefined() && !list.isArray()) return c.error(lpath, "must be a list of object names");
            for (qsizetype k = 0; k < list.toArray().size(); ++k) {
                const std::string upath = lpath + "/" + std::to_string(k);
                if (!list.toArray().at(k).isString()) return c.error(upath, "must be an object name");
                const std::string used = list.toArray().at(k).toString().toStdString();
                const bool declared = std::any_of(d.objects.begin(), d.objects.end(),
                                                  [&](const ObjectDecl &obj) { return obj.name == used; });
                if (!declared) return c.error(upath, std::string(way) + " object '" + used + "', which is not declared in /objects");
                g.links.push_back({kind, used});
            }
        }
        d.processes.push_back(std::move(g));
    }
    return {};
}

Result<void> parsePipes(const Checker &c, const QJsonObject &root, ScenarioDefinition &d)
{
    std::set<std::string> groups;
    for (const ProcessGroupDecl &g : d.processes) groups.insert(g.group);
    const QJsonValue pipes = root.value(QStringLiteral("pipes"));
    if (!pipes.isUndefined() && !pipes.isArray()) return c.error("/pipes", "must be a list");
    for (qsizetype i = 0; i < pipes.toArray().size(); ++i) {
        const std::string path = "/pipes/" + std::to_string(i);
        auto o = c.object(pipes.toArray().at(i), path);
        if (!o) return std::unexpected(o.error());
        if (auto ok = c.onlyKeys(*o, path, {"from", "to", "duplex", "object", "ring"}); !ok) return std::unexpected(ok.error());
        PipeDecl p;
        auto from = c.text(*o, "from", path, true);
        auto to = c.text(*o, "to", path, true);
        if (!from) return std::unexpected(from.error());
        if (!to) return std::unexpected(to.error());
        for (const auto &[key, end] : {std::pair{"from", *from}, {"to", *to}})
            if (!groups.count(end))
                return c.error(path + "/" + key, "pipe end '" + end + "' is not a process group (groups: " + joined(groups) + ")");
        p.from = *from;
        p.to = *to;
        const QJsonValue duplex = o->value(QStringLiteral("duplex"));
        if (!duplex.isUndefined() && !duplex.isBool()) return c.error(path + "/duplex", "must be true or false");
        p.duplex = duplex.isUndefined() || duplex.toBool();
        auto object = c.text(*o, "object", path, false);
        if (!object) return std::unexpected(object.error());
        p.object = object->empty() ? "pipe" : *object;
        auto ring = c.flag(*o, "ring", path);
        if (!ring) return std::unexpected(ring.error());
        p.ring = *ring;
        if (p.ring && p.from != p.to) return c.error(path + "/ring", "a ring connects the processes of one group: from and to must be the same");
        d.pipes.push_back(std::move(p));
    }
    return {};
}

// The texts, parsed as templates: every name must be a parameter of the
// engine, or (in the answer) a field of its result.
Result<void> parseTexts(const Checker &c, const QJsonObject &root, const ScenarioInfo &engine,
                        const QString &pythonDir, ScenarioDefinition &d)
{
    const std::function<bool(std::string_view)> isParam = [&](std::string_view n) {
        return std::any_of(engine.params.begin(), engine.params.end(), [&](const ParamSpec &p) { return p.key == n; });
    };
    const std::function<bool(std::string_view)> inResult = [&](std::string_view n) {
        return isParam(n) || n == "scenario" ||
               std::find(engine.resultKeys.begin(), engine.resultKeys.end(), n) != engine.resultKeys.end();
    };
    auto read = [&](const char *key, TextTemplate &target, const std::function<bool(std::string_view)> &known,
                    const std::string &text) -> Result<void> {
        if (hasControlCharacter(text)) return c.error(std::string("/") + key, "holds a control character");
        auto t = TextTemplate::parse(text, known);
        if (!t) return c.error(std::string("/") + key, t.error().message);
        target = std::move(*t);
        return {};
    };
    for (auto [key, target] : {std::pair{"title", &d.title}, {"explanation", &d.explanation},
                               {"question", &d.question}, {"answer", &d.answer}}) {
        auto t = c.text(root, key, "", true);
        if (!t) return std::unexpected(t.error());
        if (auto ok = read(key, *target, target == &d.answer ? inResult : isParam, *t); !ok) return ok;
    }
    // The values chart's vertical axis: what its lines count ("Lines printed").
    auto axis = c.text(root, "values_axis", "", false);
    if (!axis) return std::unexpected(axis.error());
    if (auto ok = read("values_axis", d.valuesAxis, isParam, axis->empty() ? std::string("count") : *axis); !ok) return ok;
    auto python = c.text(root, "python", "", true);
    if (!python) return std::unexpected(python.error());
    std::string code = *python;
    if (python->size() > 3 && python->ends_with(".py") && python->find('\n') == std::string::npos) {
        // A file beside the scenarios (resources/python/NAME.py).
        QFile f(QDir(pythonDir).filePath(QString::fromStdString(*python)));
        if (pythonDir.isEmpty() || !f.open(QIODevice::ReadOnly))
            return c.error("/python", "file '" + *python + "' not found in " + pythonDir.toStdString());
        if (f.size() > kMaxFileBytes) return c.error("/python", "file '" + *python + "' is larger than " + std::to_string(kMaxFileBytes) + " bytes");
        code = f.read(kMaxFileBytes).toStdString();
    }
    if (auto ok = read("python", d.python, isParam, code); !ok) return ok;
    if (root.contains(QStringLiteral("steps"))) {
        auto steps = c.object(root.value(QStringLiteral("steps")), "/steps");
        if (!steps) return std::unexpected(steps.error());
        for (auto it = steps->begin(); it != steps->end(); ++it) {
            const std::string key = it.key().toStdString();
            const std::string path = "/steps/" + key;
            if (key.empty()) return c.error(path, "a step's key is part of its text: it cannot be empty");
            if (!it.value().isString()) return c.error(path, "must be a text: the line of the twin");
            TextTemplate line;
            if (auto ok = read(("steps/" + key).c_str(), line, isParam, it.value().toString().toStdString()); !ok) return ok;
            d.twinLines.emplace_back(key, std::move(line));
        }
    }
    if (!root.contains(QStringLiteral("challenge"))) return {};
    auto challenge = c.object(root.value(QStringLiteral("challenge")), "/challenge");
    if (!challenge) return std::unexpected(challenge.error());
    if (auto ok = c.onlyKeys(*challenge, "/challenge", {"text", "goal"}); !ok) return std::unexpected(ok.error());
    ChallengeDecl decl;
    auto text = c.text(*challenge, "text", "/challenge", true);
    if (!text) return std::unexpected(text.error());
    if (auto ok = read("challenge/text", decl.text, isParam, *text); !ok) return ok;
    auto goal = c.text(*challenge, "goal", "/challenge", true);
    if (!goal) return std::unexpected(goal.error());
    if (goal->find_first_of("|}$") != std::string::npos)
        return c.error("/challenge/goal", "an expression holds no '|', '}' or '$'");
    const std::function<bool(std::string_view)> inRun = [&](std::string_view n) { return n == "steps" || inResult(n); };
    if (auto ok = read("challenge/goal", decl.goal, inRun, "${" + *goal + " ? 1 | 0}"); !ok) return ok;
    d.challenge = std::move(decl);
    return {};
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
                                         "answer", "values_axis", "python", "engine", "params", "objects",
                                         "processes", "pipes", "challenge", "steps"});
        !ok)
        return std::unexpected(ok.error());

    ScenarioDefinition d;
    d.source = where;
    if (auto f = c.number(*root, "format", "", 1.0); !f) return std::unexpected(f.error());
    else if (*f != 1.0) return c.error("/format", "version " + formatTemplateNumber(*f) + " is not supported (this program reads 1)");

    auto name = c.text(*root, "name", "", true);
    if (!name) return std::unexpected(name.error());
    if (!validName(*name)) return c.error("/name", "'" + *name + "' must be 1-40 characters of a-z, 0-9, '-', '_'");
    d.info.name = *name;

    auto engineName = c.text(*root, "engine", "", true);
    if (!engineName) return std::unexpected(engineName.error());
    const ScenarioInfo *engine = engineInfo(*engineName);
    if (!engine) {
        std::vector<std::string_view> engines;
        for (const auto &e : scenarios::registry()) engines.push_back(e.name);
        return c.error("/engine", "unknown engine '" + *engineName + "' (known: " + joined(engines) + ")");
    }
    d.engine = *engineName;
    d.info.resultKeys = engine->resultKeys;

    if (auto ok = parseTexts(c, *root, *engine, pythonDir, d); !ok) return std::unexpected(ok.error());
    if (auto ok = parseParams(c, *root, *engine, d); !ok) return std::unexpected(ok.error());
    if (auto ok = parseObjects(c, *root, d); !ok) return std::unexpected(ok.error());
    if (auto ok = parseProcesses(c, *root, d); !ok) return std::unexpected(ok.error());
    if (auto ok = parsePipes(c, *root, d); !ok) return std::unexpected(ok.error());

    // The list and the window's title bar show the texts for the defaults.
    const TemplateLookup defaults = [&](std::string_view key) -> std::optional<TemplateValue> {
        const std::vector<ParamSpec> *lists[] = {&d.info.params, &engine->params};
        for (const std::vector<ParamSpec> *params : lists)
            for (const ParamSpec &p : *params)
                if (p.key == key) {
                    if (std::string choice = p.choiceName(p.defaultValue); !choice.empty()) return choice;
                    return p.defaultValue;
                }
        return std::nullopt;
    };
    d.info.title = d.title.render(defaults);
    d.info.summary = d.explanation.render(defaults);
    return d;
}

Result<ScenarioDefinition> loadScenarioFile(const QString &path)
{
    const QFileInfo info(path);
    // Only a regular file: a FIFO would block the open, /dev/zero never end.
    if (info.exists() && !info.isFile())
        return fail(Errc::InvalidArgument, path.toStdString() + ": not a regular file");
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Errc::NotFound, path.toStdString() + ": cannot open (" + f.errorString().toStdString() + ")");
    if (f.size() > kMaxFileBytes)
        return fail(Errc::TooLarge, path.toStdString() + ": file is larger than " + std::to_string(kMaxFileBytes) + " bytes");
    // Python twins live in ../python relative to resources/scenarios, or beside the file.
    QString pythonDir = info.dir().filePath(QStringLiteral("../python"));
    if (!QDir(pythonDir).exists()) pythonDir = info.dir().path();
    return parseScenario(f.read(kMaxFileBytes + 1), path.toStdString(), pythonDir);
}

} // namespace ipc
