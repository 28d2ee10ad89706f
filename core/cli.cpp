#include "cli.h"

#include "args.h"
#include "scenario.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace ipc {

namespace {

constexpr const char *kUsage =
    "usage: ipc-playground                      open the window\n"
    "       ipc-playground list [--params]      list the scenarios\n"
    "       ipc-playground run NAME|FILE.json [--PARAM VALUE ...] [--seconds S] [--json]\n"
    "                                           run a scenario headless and print its result\n"
    "           [--export DIR --format png,svg,pdf,csv --presentation on|off]\n"
    "                                           ... and write its charts (and their data) to DIR\n";

int usageError(const std::string &message)
{
    std::fprintf(stderr, "ipc-playground: %s\n%s", message.c_str(), kUsage);
    return 2;
}

std::string dashed(std::string key)
{
    for (char &c : key)
        if (c == '_') c = '-';
    return key;
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
            std::printf("    --%-18s %s [%g..%g, default %g%s]\n", dashed(p.key).c_str(),
                        p.label.c_str(), p.min, p.max, p.defaultValue, p.live ? ", live" : "");
    }
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
    if (argc < 3 || argv[2][0] == '-') return usageError("run needs a scenario name");
    auto scenario = createScenario(argv[2]);
    if (!scenario) return usageError(scenario.error().message);
    auto args = Args::parse(argc, argv, 3, {"json"});
    if (!args) return usageError(args.error().message);

    std::vector<std::string_view> known = {"json", "seconds"};
    if (extension)
        for (const std::string &o : extension->options) known.push_back(o);
    for (const ParamSpec &p : (*scenario)->lesson().params) {
        const std::string option = dashed(p.key);
        // Keys live as long as the static ScenarioInfo.
        known.push_back(p.key);
        if (!args->has(option) && !args->has(p.key)) continue;
        const std::string key = args->has(option) ? option : p.key;
        Result<double> value = 0.0;
        if (p.boolean) {
            auto b = args->boolean(key, p.defaultValue != 0);
            value = b ? Result<double>(*b ? 1.0 : 0.0) : Result<double>(std::unexpected(b.error()));
        } else {
            value = args->real(key, p.defaultValue, p.min, p.max);
        }
        if (!value) return usageError(value.error().message);
        if (auto ok = (*scenario)->setParam(p.key, *value); !ok) return usageError(ok.error().message);
    }
    std::vector<std::string> dashedKeys;
    for (const ParamSpec &p : (*scenario)->lesson().params) dashedKeys.push_back(dashed(p.key));
    for (const auto &k : dashedKeys) known.push_back(k);
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
    while (!s.finished() && !deadline.expired()) {
        std::this_thread::sleep_for(pause);
        if (extension && extension->tick) extension->tick(s);
    }
    s.stop();
    if (extension && extension->tick) extension->tick(s);

    const QJsonObject result = s.result();
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
    // A process that failed (not one the lecturer killed) fails the run.
    Run *r = s.run();
    for (std::uint32_t i = 0; r && i < r->processCount(); ++i)
        if (r->slot(i).currentState() == ProcState::Failed) return 1;
    return 0;
}

} // namespace

bool isCliCommand(int argc, char **argv)
{
    if (argc < 2) return false;
    const char *c = argv[1];
    return !std::strcmp(c, "list") || !std::strcmp(c, "run") || !std::strcmp(c, "help") ||
           !std::strcmp(c, "--help") || !std::strcmp(c, "-h") || c[0] != '-';
}

int cliMain(int argc, char **argv, const RunExtension *extension)
{
    const std::string command = argv[1];
    if (command == "list") return list(argc, argv);
    if (command == "run") return run(argc, argv, extension);
    if (command == "help" || command == "--help" || command == "-h") {
        std::printf("%s", kUsage);
        return 0;
    }
    return usageError("unknown command '" + command + "'");
}

} // namespace ipc
