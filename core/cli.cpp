#include "cli.h"

#include "args.h"
#include "scenario.h"
#include "text_template.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace ipc {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

constexpr const char *kUsage =
    "usage: ipc-playground [--lesson NAME|FILE.json] [--start] [--presentation]\n"
    "                                           open the window (on that lesson, running,\n"
    "                                           in presentation mode)\n"
    "       ipc-playground list [--params]      list the scenarios\n"
    "       ipc-playground explain NAME|FILE.json [--PARAM VALUE ...] [--json]\n"
    "                                           print a lesson's texts for those parameters\n"
    "       ipc-playground run NAME|FILE.json [--PARAM VALUE ...] [--seconds S] [--json]\n"
    "                                           run a scenario headless and print its result\n"
    "                                           (until it ends, S seconds have passed, or Ctrl+C)\n"
    "           [--export DIR --format png,svg,pdf,csv --presentation on|off]\n"
    "                                           ... and write its charts (and their data) to DIR\n"
    "       ipc-playground --version            print the version\n"
    "       ipc-playground --help               print this\n";

int usageError(const std::string &message)
{
    std::fprintf(stderr, "ipc-playground: %s\n%s", message.c_str(), kUsage);
    return 2;
}

// "[1..32, default 4, live]" or "[square|cube|scale|add, default add]".
std::string describeRange(const ParamSpec &p)
{
    std::string range;
    if (p.boolean) range = "on|off, default " + std::string(p.defaultValue != 0 ? "on" : "off");
    else if (!p.choices.empty()) {
        for (const std::string &c : p.choices) range += (range.empty() ? "" : "|") + c;
        range += ", default " + p.choiceName(p.defaultValue);
    } else {
        range = formatTemplateNumber(p.min, p.integer ? 0 : -1) + ".." + formatTemplateNumber(p.max, p.integer ? 0 : -1) +
                ", default " + formatTemplateNumber(p.defaultValue);
        if (!p.minimumText.empty()) range += "; " + formatTemplateNumber(p.min) + ": " + p.minimumText;
    }
    return "[" + range + (p.live ? ", live" : "") + "]";
}

// What `run` and `explain` without a lesson say: the lessons there are.
int lessonMissing(const char *command)
{
    std::string names;
    for (const ScenarioInfo &s : scenarioCatalog()) {
        char line[200];
        std::snprintf(line, sizeof line, "  %-20s %s\n", s.name.c_str(), s.title.c_str());
        names += line;
    }
    std::fprintf(stderr, "ipc-playground: %s needs a lesson (a name below, or a FILE.json):\n%s", command,
                 names.c_str());
    return 2;
}

int list(int argc, char **argv)
{
    auto args = Args::parse(argc, argv, 2, {"params"});
    if (!args) return usageError(args.error().message);
    if (auto ok = args->allowOnly({"params"}); !ok) return usageError(ok.error().message);
    for (const ScenarioInfo &s : scenarioCatalog()) {
        std::printf("%-20s %s\n", s.name.c_str(), s.title.c_str());
        if (!args->has("params")) continue;
        for (const ParamSpec &p : s.params)
            std::printf("    --%-18s %s %s\n", p.option.c_str(), p.label.c_str(), describeRange(p).c_str());
    }
    return 0;
}

// The value of --KEY for parameter p: a number, on/off for a switch, a
// choice's name (or its number).
Result<double> paramValue(const Args &args, const std::string &key, const ParamSpec &p)
{
    if (p.boolean) {
        auto b = args.boolean(key, p.defaultValue != 0);
        if (!b) return std::unexpected(b.error());
        return *b ? 1.0 : 0.0;
    }
    if (!p.choices.empty()) {
        const std::string word = args.text(key);
        for (std::size_t i = 0; i < p.choices.size(); ++i)
            if (p.choices[i] == word) return p.min + double(i);
    }
    auto v = args.real(key, p.defaultValue, p.min, p.max);
    if (!v) {
        if (p.choices.empty()) return v;
        std::string names;
        for (const std::string &c : p.choices) names += (names.empty() ? "" : ", ") + c;
        return fail(Errc::InvalidArgument, "--" + key + " '" + args.text(key) + "' is not one of " + names);
    }
    if (p.integer && *v != std::floor(*v))
        return fail(Errc::InvalidArgument, "--" + key + " " + args.text(key) + ": a whole number is needed");
    return v;
}

// Sets every --PARAM the scenario has from args; `known` gets their names.
Result<void> applyParams(Scenario &scenario, const Args &args, std::vector<std::string_view> &known)
{
    for (const ParamSpec &p : scenario.lesson().params) {
        // Keys live as long as the scenario's definition.
        known.push_back(p.key);
        known.push_back(p.option);
        const std::string key = args.has(p.option) ? p.option : p.key;
        if (!args.has(key)) continue;
        auto value = paramValue(args, key, p);
        if (!value) return std::unexpected(value.error());
        if (auto ok = scenario.setParam(p.key, *value); !ok) return ok;
    }
    return {};
}

void printTexts(const LessonTexts &t, bool json, const char *answerLabel)
{
    if (json) {
        QJsonObject o;
        o.insert(QStringLiteral("title"), QString::fromStdString(t.title));
        o.insert(QStringLiteral("explanation"), QString::fromStdString(t.explanation));
        o.insert(QStringLiteral("question"), QString::fromStdString(t.question));
        o.insert(QStringLiteral("answer_template"), QString::fromStdString(t.answer));
        o.insert(QStringLiteral("python"), QString::fromStdString(t.python));
        std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
        return;
    }
    std::printf("%s\n\n%s\n\nWhat do you predict? %s\n\n%s %s\n\n--- the same in Python ---\n%s", t.title.c_str(),
                t.explanation.c_str(), t.question.c_str(), answerLabel, t.answer.c_str(), t.python.c_str());
}

int explain(int argc, char **argv)
{
    if (argc < 3 || argv[2][0] == '-') return lessonMissing("explain");
    auto scenario = createScenario(argv[2]);
    if (!scenario) return usageError(scenario.error().message);
    auto args = Args::parse(argc, argv, 3, {"json"});
    if (!args) return usageError(args.error().message);
    std::vector<std::string_view> known = {"json"};
    if (auto ok = applyParams(**scenario, *args, known); !ok) return usageError(ok.error().message);
    if (auto ok = args->allowOnly(known); !ok) return usageError(ok.error().message);
    printTexts((*scenario)->texts(), args->has("json"), "Answer (rendered from the run's result):");
    return 0;
}

void printHuman(const QJsonObject &result)
{
    for (auto it = result.begin(); it != result.end(); ++it) {
        const QJsonValue v = it.value();
        if (v.isArray() && !v.toArray().isEmpty() && v.toArray().first().isObject()) {
            // Rows (a histogram, per-process figures): one a line.
            std::printf("%s\n", it.key().toUtf8().constData());
            for (const QJsonValue &row : v.toArray())
                std::printf("  %s\n", QJsonDocument(row.toObject()).toJson(QJsonDocument::Compact).constData());
            continue;
        }
        QString text;
        if (v.isDouble()) text = QString::number(v.toDouble(), 'g', 12);
        else if (v.isBool()) text = v.toBool() ? QStringLiteral("on") : QStringLiteral("off");
        else if (v.isString()) text = v.toString();
        else text = QString::fromUtf8(QJsonDocument(v.isArray() ? QJsonDocument(v.toArray())
                                                                : QJsonDocument(v.toObject()))
                                          .toJson(QJsonDocument::Compact));
        std::printf("%-16s %s\n", it.key().toUtf8().constData(), text.toUtf8().constData());
    }
}

int run(int argc, char **argv, const RunExtension *extension)
{
    if (argc < 3 || argv[2][0] == '-') return lessonMissing("run");
    auto scenario = createScenario(argv[2]);
    if (!scenario) return usageError(scenario.error().message);
    auto args = Args::parse(argc, argv, 3, {"json"});
    if (!args) return usageError(args.error().message);

    std::vector<std::string_view> known = {"json", "seconds"};
    if (extension)
        for (const std::string &o : extension->options) known.push_back(o);
    if (auto ok = applyParams(**scenario, *args, known); !ok) return usageError(ok.error().message);
    if (auto ok = args->allowOnly(known); !ok) return usageError(ok.error().message);
    auto seconds = args->real("seconds", 0, 0, 3600);
    if (!seconds) return usageError(seconds.error().message);

    Scenario &s = **scenario;
    if (extension && extension->configure)
        if (auto ok = extension->configure(*args, s); !ok) return usageError(ok.error().message);
    if (auto started = s.start(); !started) {
        std::fprintf(stderr, "ipc-playground: %s\n", started.error().toString().c_str());
        s.stop();
        return 1;
    }
    // Until every process is done, or for --seconds when given.
    const Deadline deadline(*seconds > 0 ? Duration(std::int64_t(*seconds * 1e9)) : kForever);
    if (extension && extension->started) extension->started(s);
    const auto pause = std::chrono::milliseconds(extension && extension->tick ? extension->tickMs : 5);
    // Ctrl+C (or SIGTERM) ends a lesson that runs until stopped the way
    // --seconds does: the processes are stopped and the result printed.
    g_interrupted = 0;
    struct sigaction stop{};
    stop.sa_handler = [](int) { g_interrupted = 1; };
    sigemptyset(&stop.sa_mask);
    struct sigaction oldInt{}, oldTerm{};
    sigaction(SIGINT, &stop, &oldInt);
    sigaction(SIGTERM, &stop, &oldTerm);
    while (!s.finished() && !deadline.expired() && !g_interrupted) {
        std::this_thread::sleep_for(pause);
        if (extension && extension->tick) extension->tick(s);
    }
    s.stop();
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
    if (extension && extension->tick) extension->tick(s);

    QJsonObject result = s.result();
    // The lesson's answer, rendered from what this run measured.
    if (const std::string answer = s.texts(&result).answer; !answer.empty())
        result.insert(QStringLiteral("answer"), QString::fromStdString(answer));
    if (args->has("json"))
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    else {
        printHuman(result);
        if (const std::string out = s.consoleOutput(); !out.empty())
            std::printf("--- what the processes printed ---\n%s", out.c_str());
    }
    if (extension && extension->finished) {
        if (auto ok = extension->finished(s); !ok) {
            std::fprintf(stderr, "ipc-playground: %s\n", ok.error().toString().c_str());
            return 1;
        }
    }
    // A process that ended as the lesson does not expect, and that nobody
    // asked to kill (a crash, a signal from outside), fails the run.
    if (result.value(QStringLiteral("failed")).toBool()) {
        for (const QJsonValue &v : result.value(QStringLiteral("abnormal_exits")).toArray()) {
            const QJsonObject p = v.toObject();
            if (p.value(QStringLiteral("killed_by")).toString() != QStringLiteral("nobody")) continue;
            const QString how = p.contains(QStringLiteral("signal"))
                                    ? QStringLiteral("died of %1").arg(p.value(QStringLiteral("signal")).toString())
                                    : QStringLiteral("exited with status %1").arg(p.value(QStringLiteral("exit_code")).toInt());
            std::fprintf(stderr, "ipc-playground: %s %d %s\n", qPrintable(p.value(QStringLiteral("role")).toString()),
                         p.value(QStringLiteral("pid")).toInt(), qPrintable(how));
        }
        return 1;
    }
    return 0;
}

} // namespace

const char *programVersion()
{
    return IPC_VERSION;
}

bool isCliCommand(int argc, char **argv)
{
    if (argc < 2) return false;
    const char *c = argv[1];
    return !std::strcmp(c, "list") || !std::strcmp(c, "run") || !std::strcmp(c, "explain") ||
           !std::strcmp(c, "help") || !std::strcmp(c, "--help") || !std::strcmp(c, "-h") ||
           !std::strcmp(c, "--version") || c[0] != '-';
}

int cliMain(int argc, char **argv, const RunExtension *extension)
{
    const std::string command = argv[1];
    if (command == "list") return list(argc, argv);
    if (command == "run") return run(argc, argv, extension);
    if (command == "explain") return explain(argc, argv);
    if (command == "help" || command == "--help" || command == "-h") {
        std::printf("%s", kUsage);
        return 0;
    }
    if (command == "--version") {
        if (argc > 2) return usageError("--version takes no arguments");
        std::printf("ipc-playground %s\n", programVersion());
        return 0;
    }
    return usageError("unknown command '" + command + "'");
}

} // namespace ipc
