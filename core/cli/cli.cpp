#include "cli.h"

#include "catalog.h"
#include "schedule.h"

#include "args.h"
#include "leftovers.h"
#include "scenario.h"
#include "text_template.h"
#include "recording.h"
#include "snapshot.h"
#include "trace_log.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace ipc {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

// A command: its operand, one line of what it does, its own options, and
// whether a lesson's parameters are options too.
struct CliCommand {
    std::string name;
    std::string operand;
    std::string summary;
    std::vector<CliOption> options;
    bool lessonParams = false;
};

const std::vector<CliCommand> &commands()
{
    static const std::vector<CliCommand> kCommands = {
        {"list", "", "list the lessons", {{"params", "", "also each lesson's parameters: range, default, live"}}},
        {"explain",
         "NAME|FILE.json",
         "print a lesson's texts for those parameters",
         {{"json", "", "the texts as one JSON object"}},
         true},
        {"run",
         "NAME|FILE.json",
         "run a lesson headless and print its result (until it ends, S seconds have passed, or Ctrl+C)",
         {{"seconds", "S", "stop after S seconds (0: when the lesson ends)"},
          {"json", "", "the result as one JSON object"},
          {"export", "DIR", "write the run's charts, and their data, to DIR"},
          {"format", "png,svg,pdf,csv", "with --export: which of these (default all four)"},
          {"presentation", "on|off", "with --export: charts styled for slides"},
          {"step", "", "step mode: each process stops before each operation on a shared object, and they take turns"},
          {"schedule", "P,P,...|FILE", "step mode, steps in this order (process numbers, or a file of them); then all run on"},
          {"seed", "N", "step mode, each step given to a process picked at random: the same N, the same steps"},
          {"trace-json", "FILE", "write the run's event trace to FILE in Chrome's trace-event JSON (Perfetto, chrome://tracing)"},
          {"record", "FILE", "keep the run in FILE (its samples and trace) for `replay`"}},
         true},
        {"replay",
         "FILE",
         "show a recorded run (run --record) without starting a process: its lesson and figures, or its charts",
         {{"json", "", "the recording's summary as one JSON object"},
          {"export", "DIR", "write the recorded run's charts, and their data, to DIR"},
          {"format", "png,svg,pdf,csv", "with --export: which of these (default all four)"},
          {"presentation", "on|off", "with --export: charts styled for slides"},
          {"at", "SECONDS", "with --export: the run as it was that many seconds after its start"}}},
        {"help", "[COMMAND [LESSON]]", "print this, a command's options, or a lesson's parameters", {}},
        {"completion", "bash", "print a bash completion script", {}},
    };
    return kCommands;
}

const CliCommand *findCommand(std::string_view name)
{
    for (const CliCommand &c : commands())
        if (c.name == name) return &c;
    return nullptr;
}

std::string optionSynopsis(const CliOption &o)
{
    return "[--" + o.name + (o.value.empty() ? "" : " " + o.value) + "]";
}

// "ipc-playground run NAME|FILE.json [--PARAM VALUE ...] [--seconds S] ...",
// wrapped before 80 columns under its operand, `indent` spaces in.
std::string commandSynopsis(const CliCommand &c, std::size_t indent = 7)
{
    std::string line = "ipc-playground " + c.name;
    if (!c.operand.empty()) line += " " + c.operand;
    std::vector<std::string> parts;
    if (c.lessonParams) parts.emplace_back("[--PARAM VALUE ...]");
    for (const CliOption &o : c.options) parts.push_back(optionSynopsis(o));
    const std::size_t hang = indent + ("ipc-playground " + c.name).size() + 1;
    std::size_t column = indent + line.size();
    for (const std::string &part : parts) {
        if (column + 1 + part.size() > 80) {
            line += "\n" + std::string(hang, ' ') + part;
            column = hang + part.size();
        } else {
            line += " " + part;
            column += 1 + part.size();
        }
    }
    return line;
}

std::string usageText()
{
    std::string window = "ipc-playground";
    for (const CliOption &o : windowOptions()) window += " " + optionSynopsis(o);
    std::string text = "usage: " + window + "\n";
    for (const CliCommand &c : commands()) text += "       " + commandSynopsis(c) + "\n";
    text += "       ipc-playground --version | --help\n\n";
    char line[240];
    std::snprintf(line, sizeof line, "  %-12s %s\n", "(none)", "open the window (on that lesson, running, in presentation mode, in step mode)");
    text += line;
    for (const CliCommand &c : commands()) {
        std::snprintf(line, sizeof line, "  %-12s %s\n", c.name.c_str(), c.summary.c_str());
        text += line;
    }
    text += "\n'ipc-playground help COMMAND' tells a command's options, 'help run LESSON' a lesson's parameters.\n";
    return text;
}

int usageError(const std::string &message, const CliCommand *command = nullptr)
{
    if (command)
        std::fprintf(stderr, "ipc-playground: %s\nusage: %s\n('ipc-playground help %s' tells more)\n",
                     message.c_str(), commandSynopsis(*command).c_str(), command->name.c_str());
    else
        std::fprintf(stderr, "ipc-playground: %s\n%s", message.c_str(), usageText().c_str());
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

std::string lessonList()
{
    std::string names;
    for (const ScenarioInfo &s : scenarioCatalog()) {
        char line[200];
        std::snprintf(line, sizeof line, "  %-20s %s\n", s.name.c_str(), s.title.c_str());
        names += line;
    }
    return names;
}

// What `run` and `explain` without a lesson say: the lessons there are.
int lessonMissing(const CliCommand &command)
{
    std::fprintf(stderr, "ipc-playground: %s needs a lesson (a name below, or a FILE.json):\n%s", command.name.c_str(),
                 lessonList().c_str());
    return 2;
}

std::string paramLines(const std::vector<ParamSpec> &params)
{
    std::string text;
    for (const ParamSpec &p : params) {
        char line[400];
        std::snprintf(line, sizeof line, "    --%-18s %s %s\n", p.option.c_str(), p.label.c_str(), describeRange(p).c_str());
        text += line;
    }
    return text;
}

// Parses the options of `command` (argv from `first` on) with
// QCommandLineParser: the command's own and, given a scenario, its
// parameters under both spellings. Values are kept under the name given,
// for Args' typed getters.
Result<Args> parseOptions(const CliCommand &command, const Scenario *scenario, int argc, char **argv, int first)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    std::map<QString, QString> canonical; // each spelling -> the option's first name
    auto add = [&](const QStringList &names, const std::string &value) {
        for (const QString &n : names) canonical[n] = names.front();
        parser.addOption(QCommandLineOption(names, QString(), QString::fromStdString(value)));
    };
    for (const CliOption &o : command.options) add({QString::fromStdString(o.name)}, o.value);
    if (scenario)
        for (const ParamSpec &p : scenario->lesson().params) {
            QStringList names{QString::fromStdString(p.option)};
            if (p.key != p.option) names << QString::fromStdString(p.key);
            add(names, "VALUE");
        }
    QStringList words{QStringLiteral("ipc-playground")};
    for (int i = first; i < argc; ++i) words << QString::fromLocal8Bit(argv[i]);
    if (!parser.parse(words)) {
        if (!parser.unknownOptionNames().isEmpty())
            return fail(Errc::InvalidArgument, "unknown option --" + parser.unknownOptionNames().front().toStdString());
        return fail(Errc::InvalidArgument, parser.errorText().toStdString());
    }
    if (!parser.positionalArguments().isEmpty())
        return fail(Errc::InvalidArgument, "unexpected argument '" + parser.positionalArguments().front().toStdString() +
                                               "' (options look like --name value)");
    std::map<std::string, std::string, std::less<>> values;
    std::set<QString> seen;
    for (const QString &name : parser.optionNames())
        if (!seen.insert(canonical[name]).second)
            return fail(Errc::InvalidArgument, "option --" + name.toStdString() + " given twice");
    for (const auto &[name, firstName] : canonical) {
        if (!parser.isSet(name)) continue;
        // A flag has no value; it reads as "1".
        const QStringList given = parser.values(name);
        values[name.toStdString()] = given.isEmpty() ? std::string("1") : given.front().toStdString();
    }
    return Args::of(std::move(values));
}

int list(int argc, char **argv)
{
    const CliCommand &command = *findCommand("list");
    auto args = parseOptions(command, nullptr, argc, argv, 2);
    if (!args) return usageError(args.error().message, &command);
    for (const ScenarioInfo &s : scenarioCatalog()) {
        std::printf("%-20s %s\n", s.name.c_str(), s.title.c_str());
        if (args->has("params")) std::printf("%s", paramLines(s.params).c_str());
    }
    return 0;
}

// `help`, `help COMMAND`, `help run LESSON`.
int help(int argc, char **argv)
{
    if (argc < 3) {
        std::printf("%s", usageText().c_str());
        return 0;
    }
    const CliCommand *command = findCommand(argv[2]);
    if (!command) return usageError("help: no command '" + std::string(argv[2]) + "'");
    if (argc > 4 || (argc == 4 && !command->lessonParams))
        return usageError("help " + command->name + ": unexpected argument '" + argv[argc - 1] + "'");
    std::string text = "usage: " + commandSynopsis(*command) + "\n\n" + command->summary + "\n";
    if (!command->options.empty()) text += "\noptions:\n";
    for (const CliOption &o : command->options) {
        char line[300];
        std::snprintf(line, sizeof line, "    %-24s %s\n", ("--" + o.name + (o.value.empty() ? "" : " " + o.value)).c_str(),
                      o.help.c_str());
        text += line;
    }
    if (command->name == "completion")
        text += "\nto use it: ipc-playground completion bash > ~/.local/share/bash-completion/completions/ipc-playground\n";
    if (command->lessonParams) {
        if (argc == 4) {
            auto scenario = createScenario(argv[3]);
            if (!scenario) return usageError(scenario.error().message, command);
            text += "\nparameters of " + (*scenario)->lesson().name + ":\n" + paramLines((*scenario)->lesson().params);
        } else {
            text += "\nlessons ('ipc-playground help " + command->name + " LESSON' tells its parameters):\n" + lessonList();
        }
    }
    std::printf("%s", text.c_str());
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

// --schedule's process numbers: "0,1,0,1" (commas or blanks) or a file of
// them.
Result<std::vector<std::uint32_t>> scheduleOption(const std::string &given)
{
    if (given.find_first_not_of("0123456789, \t\n") != std::string::npos) {
        auto steps = readScheduleFile(given);
        if (!steps) return fail(Errc::InvalidArgument, "--schedule: " + steps.error().message);
        return steps;
    }
    return parseSchedule(given, "--schedule");
}

// Step mode headless: the schedule's steps first, then --seed's random
// ones or, with --step alone, turns in process order; without either, the
// processes run on once the schedule is done.
struct Stepper {
    std::vector<std::uint32_t> schedule;
    std::optional<std::mt19937_64> random;
    bool turns = false;
    std::size_t next = 0;
    std::uint32_t lastTurn = 0;

    // One step, or the end of step mode; an error ends the run.
    Result<void> advance(Scenario &s)
    {
        if (next < schedule.size()) {
            const std::size_t n = next++;
            if (auto ok = s.step(schedule[n]); !ok)
                return fail(ok.error().code, "step " + std::to_string(n + 1) + " of the schedule: " + ok.error().message);
            return {};
        }
        if (!random && !turns) return s.setStepMode(false);
        auto waiting = s.settle();
        if (!waiting) return std::unexpected(waiting.error());
        if (waiting->empty()) return {}; // all have ended
        std::uint32_t pick = 0;
        if (random) {
            pick = (*waiting)[std::uniform_int_distribution<std::size_t>(0, waiting->size() - 1)(*random)];
        } else {
            auto after = std::upper_bound(waiting->begin(), waiting->end(), lastTurn);
            pick = after != waiting->end() && !s.schedule().empty() ? *after : waiting->front();
        }
        lastTurn = pick;
        return s.step(pick);
    }
};

// Sets every --PARAM the scenario has from args.
Result<void> applyParams(Scenario &scenario, const Args &args)
{
    for (const ParamSpec &p : scenario.lesson().params) {
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

// A command on a lesson (`explain LESSON ...`, `run LESSON ...`): the
// lesson argv[2] names, with the command's options parsed and its
// parameters set; or, on a mistake, the exit code of the usage message.
struct LessonCommand {
    std::unique_ptr<Scenario> scenario;
    Args args;
};

std::expected<LessonCommand, int> openLesson(const CliCommand &command, int argc, char **argv)
{
    if (argc < 3 || argv[2][0] == '-') return std::unexpected(lessonMissing(command));
    auto scenario = createScenario(argv[2]);
    if (!scenario) return std::unexpected(usageError(scenario.error().message, &command));
    auto args = parseOptions(command, scenario->get(), argc, argv, 3);
    if (!args) return std::unexpected(usageError(args.error().message, &command));
    if (auto ok = applyParams(**scenario, *args); !ok) return std::unexpected(usageError(ok.error().message, &command));
    return LessonCommand{std::move(*scenario), std::move(*args)};
}

int explain(int argc, char **argv)
{
    auto lesson = openLesson(*findCommand("explain"), argc, argv);
    if (!lesson) return lesson.error();
    printTexts(lesson->scenario->texts(), lesson->args.has("json"), "Answer (rendered from the run's result):");
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
        else if (v.isNull()) text = QStringLiteral("none");
        else text = QString::fromUtf8(QJsonDocument(v.isArray() ? QJsonDocument(v.toArray())
                                                                : QJsonDocument(v.toObject()))
                                          .toJson(QJsonDocument::Compact));
        std::printf("%-16s %s\n", it.key().toUtf8().constData(), text.toUtf8().constData());
    }
}

// --step, --schedule, --seed: how the processes take their steps, or
// nothing (they run freely). Puts the scenario in step mode.
Result<std::optional<Stepper>> stepperOf(const Args &args, Scenario &scenario)
{
    if (!args.has("step") && !args.has("schedule") && !args.has("seed")) return std::optional<Stepper>();
    Stepper stepper;
    if (args.has("schedule")) {
        auto steps = scheduleOption(args.text("schedule"));
        if (!steps) return std::unexpected(steps.error());
        stepper.schedule = std::move(*steps);
    }
    if (args.has("seed")) {
        auto seed = args.integer("seed", 0, 0, std::numeric_limits<std::int64_t>::max());
        if (!seed) return std::unexpected(seed.error());
        stepper.random.emplace(std::uint64_t(*seed));
    }
    stepper.turns = args.has("step") && !args.has("seed") && !args.has("schedule");
    if (auto ok = scenario.setStepMode(true); !ok) return std::unexpected(ok.error());
    return std::optional<Stepper>(std::move(stepper));
}

// --trace-json FILE and --record FILE: the run is traced (the scenario
// drains its trace on every tick), and what it did is written when it
// ends: the trace in Chrome's format with the lesson's metrics as counter
// tracks, or the recording with a sample every sampling interval. The
// files are opened before any process starts: a path that cannot be
// written costs no run.
class RunOutputs {
public:
    static constexpr std::uint64_t kSampleEveryNs = 30'000'000; // the window's sampling interval

    [[nodiscard]] static Result<std::unique_ptr<RunOutputs>> open(const Args &args, Scenario &s)
    {
        if (!args.has("trace-json") && !args.has("record")) return nullptr;
        auto out = std::make_unique<RunOutputs>();
        for (const char *option : {"trace-json", "record"}) {
            if (!args.has(option)) continue;
            QFile &file = std::string_view(option) == "record" ? out->m_recordFile : out->m_traceFile;
            const std::string path = args.text(option);
            file.setFileName(QString::fromStdString(path));
            if (path.empty() || !file.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return fail(Errc::InvalidArgument, std::string("--") + option + ": cannot write '" + path +
                                                       "': " + file.errorString().toStdString());
        }
        s.setTracing(true);
        return out;
    }
    void started() { m_startNs = monotonicNs(); }
    void tick(Scenario &s)
    {
        const std::uint64_t now = monotonicNs();
        if (m_traceFile.isOpen())
            for (const Metric &m : s.metrics()) {
                auto track = std::find_if(m_metrics.begin(), m_metrics.end(), [&](const auto &t) { return t.name == m.key; });
                if (track == m_metrics.end()) track = m_metrics.insert(m_metrics.end(), CounterTrack{m.key, {}});
                if (track->points.empty() || track->points.back().second != m.value) track->points.emplace_back(now, m.value);
            }
        if (m_recordFile.isOpen() && now - m_lastSampleNs >= kSampleEveryNs) sample(s, now);
    }
    [[nodiscard]] Result<void> write(Scenario &s)
    {
        if (m_recordFile.isOpen()) sample(s, monotonicNs()); // the run as it ended
        const TraceLog &log = s.trace();
        if (m_traceFile.isOpen())
            if (auto ok = writeAll(m_traceFile, chromeTraceJson(log, log.startNs(), m_metrics)); !ok) return ok;
        if (m_recordFile.isOpen()) {
            Recording r = recordingOf(s, m_startNs, m_samples.samples());
            r.program = programVersion();
            if (auto ok = writeAll(m_recordFile, encodeRecording(r)); !ok) return ok;
        }
        if (log.dropped())
            std::fprintf(stderr, "ipc-playground: the trace left out %llu events (a process's ring was full)\n",
                         static_cast<unsigned long long>(log.dropped()));
        return {};
    }

private:
    void sample(Scenario &s, std::uint64_t now)
    {
        m_lastSampleNs = now;
        RecordedSample r;
        takeSnapshot(s, r.snapshot);
        r.seconds = r.snapshot.timeNs > m_startNs ? double(r.snapshot.timeNs - m_startNs) * 1e-9 : 0.0;
        m_samples.add(std::move(r));
    }
    static Result<void> writeAll(QFile &file, const QByteArray &bytes)
    {
        if (file.write(bytes) != bytes.size() || !file.flush())
            return fail(Errc::System, "cannot write '" + file.fileName().toStdString() + "': " +
                                          file.errorString().toStdString());
        return {};
    }

    QFile m_traceFile;
    QFile m_recordFile;
    std::vector<CounterTrack> m_metrics;
    std::uint64_t m_startNs = 0;
    std::uint64_t m_lastSampleNs = 0;
    SampleLog m_samples;
};

// Runs the started scenario until every process is done, the deadline, or
// Ctrl+C; stops it. A failed step ends it early and is returned.
std::optional<Error> runUntilDone(Scenario &s, const Deadline &deadline, std::optional<Stepper> &stepper,
                                  const RunExtension *extension, RunOutputs *outputs)
{
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
    std::optional<Error> stepFailed;
    while (!s.finished() && !deadline.expired() && !g_interrupted) {
        if (outputs) outputs->tick(s);
        if (stepper && s.stepMode()) {
            if (auto ok = stepper->advance(s); !ok) {
                stepFailed = ok.error();
                break;
            }
            continue;
        }
        std::this_thread::sleep_for(pause);
        if (extension && extension->tick) extension->tick(s);
    }
    s.stop();
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
    return stepFailed;
}

// Names on stderr each process that ended as the lesson does not expect
// and that nobody asked to kill; true if the result says the run failed.
bool reportUnexpectedEnds(const QJsonObject &result)
{
    if (!result.value(QStringLiteral("failed")).toBool()) return false;
    for (const QJsonValue &v : result.value(QStringLiteral("abnormal_exits")).toArray()) {
        const QJsonObject p = v.toObject();
        if (p.value(QStringLiteral("killed_by")).toString() != QStringLiteral("nobody")) continue;
        const QString how = p.contains(QStringLiteral("signal"))
                                ? QStringLiteral("died of %1").arg(p.value(QStringLiteral("signal")).toString())
                                : QStringLiteral("exited with status %1").arg(p.value(QStringLiteral("exit_code")).toInt());
        std::fprintf(stderr, "ipc-playground: %s %d %s\n", qPrintable(p.value(QStringLiteral("role")).toString()),
                     p.value(QStringLiteral("pid")).toInt(), qPrintable(how));
    }
    return true;
}

int run(int argc, char **argv, const RunExtension *extension)
{
    const CliCommand &command = *findCommand("run");
    auto lesson = openLesson(command, argc, argv);
    if (!lesson) return lesson.error();
    auto &scenario = lesson->scenario;
    auto *args = &lesson->args;
    auto seconds = args->real("seconds", 0, 0, 3600);
    if (!seconds) return usageError(seconds.error().message, &command);

    auto stepper = stepperOf(*args, *scenario);
    if (!stepper) return usageError(stepper.error().message, &command);
    auto outputs = RunOutputs::open(*args, *scenario);
    if (!outputs) return usageError(outputs.error().message, &command);
    sweepLeftoversOfKilledRuns();
    Scenario &s = *scenario;
    if (extension && extension->configure) {
        if (auto ok = extension->configure(*args, s); !ok) return usageError(ok.error().message, &command);
    } else {
        for (const char *o : {"export", "format", "presentation"})
            if (args->has(o))
                return usageError("--" + std::string(o) + " needs the chart export, which this build has not (IPC_CORE_ONLY)",
                                  &command);
    }
    if (auto started = s.start(); !started) {
        std::fprintf(stderr, "ipc-playground: %s\n", started.error().toString().c_str());
        s.stop();
        return 1;
    }
    // Until every process is done, or for --seconds when given.
    const Deadline deadline(*seconds > 0 ? Duration(std::int64_t(*seconds * 1e9)) : kForever);
    if (*outputs) (*outputs)->started();
    if (extension && extension->started) extension->started(s);
    const std::optional<Error> stepFailed = runUntilDone(s, deadline, *stepper, extension, outputs->get());
    if (extension && extension->tick) extension->tick(s);
    if (*outputs)
        if (auto written = (*outputs)->write(s); !written) {
            std::fprintf(stderr, "ipc-playground: %s\n", written.error().toString().c_str());
            return 1;
        }

    QJsonObject result = s.result();
    if (stepFailed) std::fprintf(stderr, "ipc-playground: %s\n", stepFailed->toString().c_str());
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
    if (stepFailed) return 1;
    if (extension && extension->finished) {
        if (auto ok = extension->finished(s); !ok) {
            std::fprintf(stderr, "ipc-playground: %s\n", ok.error().toString().c_str());
            return 1;
        }
    }
    // A process that ended as the lesson does not expect, and that nobody
    // asked to kill (a crash, a signal from outside), fails the run.
    return reportUnexpectedEnds(result) ? 1 : 0;
}

// What a recording holds, for `replay` (and --json).
QJsonObject summaryOf(const Recording &r)
{
    QJsonObject params;
    for (const auto &[k, v] : r.params) params.insert(QString::fromStdString(k), v);
    QJsonObject last;
    if (!r.samples.empty())
        for (const Metric &m : r.samples.back().snapshot.metrics) last.insert(QString::fromStdString(m.key), m.value);
    // The first moment a deadlock stood, and who waited for whom then.
    QJsonValue deadlock;
    const auto first = std::find_if(r.samples.begin(), r.samples.end(),
                                    [](const RecordedSample &s) { return s.snapshot.deadlock.has_value(); });
    if (first != r.samples.end())
        deadlock = QJsonObject{{QStringLiteral("seconds"), first->seconds},
                               {QStringLiteral("text"), QString::fromStdString(first->snapshot.deadlock->text)}};
    return QJsonObject{{QStringLiteral("lesson"), QString::fromStdString(r.lesson)},
                       {QStringLiteral("title"), QString::fromStdString(r.title)},
                       {QStringLiteral("params"), params},
                       {QStringLiteral("recorded_by"), QString::fromStdString(r.program)},
                       {QStringLiteral("machine"), QString::fromStdString(r.machine)},
                       {QStringLiteral("seconds"), r.samples.empty() ? 0.0 : r.samples.back().seconds},
                       {QStringLiteral("samples"), qint64(r.samples.size())},
                       {QStringLiteral("processes"), qint64(r.processes.size())},
                       {QStringLiteral("events"), qint64(r.events.size())},
                       {QStringLiteral("events_dropped"), qint64(r.droppedEvents)},
                       {QStringLiteral("steps"), qint64(r.schedule.size())},
                       {QStringLiteral("last_values"), last},
                       {QStringLiteral("deadlock"), deadlock}};
}

// replay FILE: a recorded run, shown again; no process starts.
int replay(int argc, char **argv, const RunExtension *extension)
{
    const CliCommand &command = *findCommand("replay");
    if (argc < 3 || argv[2][0] == '-')
        return usageError("replay needs a recording (a FILE written by run --record)", &command);
    auto args = parseOptions(command, nullptr, argc, argv, 3);
    if (!args) return usageError(args.error().message, &command);
    const bool exporting = args->has("export");
    for (const char *o : {"format", "presentation", "at"})
        if (args->has(o) && !exporting) return usageError("--" + std::string(o) + " needs --export DIR", &command);
    if (exporting && !(extension && extension->replay))
        return usageError("--export needs the chart export, which this build has not (IPC_CORE_ONLY)", &command);
    auto recording = loadRecording(QString::fromLocal8Bit(argv[2]));
    if (!recording) {
        std::fprintf(stderr, "ipc-playground: %s\n", recording.error().toString().c_str());
        return 1;
    }
    const QJsonObject summary = summaryOf(*recording);
    if (args->has("json")) std::printf("%s\n", QJsonDocument(summary).toJson(QJsonDocument::Compact).constData());
    else printHuman(summary);
    if (!exporting) return 0;
    auto written = extension->replay(*recording, *args);
    if (!written) {
        std::fprintf(stderr, "ipc-playground: %s\n", written.error().toString().c_str());
        return written.error().code == Errc::InvalidArgument ? 2 : 1;
    }
    return 0;
}

// The words bash offers for a value named `value` (see CliOption): lessons
// and scenario files, folders, or the choices of "on|off", "png,svg,...".
std::string valueCompletion(const std::string &value, const std::string &lessons)
{
    if (value == "NAME|FILE.json")
        return "COMPREPLY=($(compgen -W \"" + lessons + "\" -- \"$cur\") $(compgen -f -X '!*.json' -- \"$cur\"))";
    if (value == "DIR") return "COMPREPLY=($(compgen -d -- \"$cur\"))";
    if (value == "FILE" || value.ends_with("|FILE")) return "COMPREPLY=($(compgen -f -- \"$cur\"))";
    const bool word = std::all_of(value.begin(), value.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!word && value.find_first_of("|,") == std::string::npos) return "COMPREPLY=()"; // a number: nothing to offer
    std::string words = value;
    std::replace(words.begin(), words.end(), '|', ' ');
    std::replace(words.begin(), words.end(), ',', ' ');
    return "COMPREPLY=($(compgen -W \"" + words + "\" -- \"$cur\"))";
}

// A bash completion script, made from the table of commands and from the
// lessons' parameters: what completes is what parses.
int completion(int argc, char **argv)
{
    const CliCommand &command = *findCommand("completion");
    if (argc != 3 || std::strcmp(argv[2], "bash") != 0) return usageError("completion: say 'completion bash'", &command);
    std::string lessons;
    for (const ScenarioInfo &s : scenarioCatalog()) lessons += (lessons.empty() ? "" : " ") + s.name;
    std::string out = "# bash completion for ipc-playground " + std::string(programVersion()) +
                      ", made by 'ipc-playground completion bash'.\n\n";
    // A lesson's parameter options, and the words each one takes.
    out += "_ipc_playground_params() {\n    case \"$1\" in\n";
    for (const ScenarioInfo &s : scenarioCatalog()) {
        std::string options;
        for (const ParamSpec &p : s.params) options += (options.empty() ? "--" : " --") + p.option;
        out += "        " + s.name + ") echo \"" + options + "\" ;;\n";
    }
    out += "    esac\n}\n\n_ipc_playground_param_values() {\n    case \"$1 $2\" in\n";
    for (const ScenarioInfo &s : scenarioCatalog())
        for (const ParamSpec &p : s.params) {
            std::string words = p.boolean ? "on off" : "";
            for (const std::string &c : p.choices) words += (words.empty() ? "" : " ") + c;
            out += "        \"" + s.name + " --" + p.option + "\") echo \"" + (words.empty() ? "NUMBER" : words) + "\" ;;\n";
        }
    out += "    esac\n}\n\n";
    out += "_ipc_playground() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    COMPREPLY=()\n"
           "    if ((COMP_CWORD == 1)); then\n"
           "        COMPREPLY=($(compgen -W \"";
    for (const CliCommand &c : commands()) out += c.name + " ";
    for (const CliOption &o : windowOptions()) out += "--" + o.name + " ";
    out += "--version --help\" -- \"$cur\"))\n"
           "        return\n"
           "    fi\n"
           "    case \"${COMP_WORDS[1]}\" in\n";
    for (const CliCommand &c : commands()) {
        out += "    " + c.name + ")\n";
        if (!c.operand.empty()) {
            out += "        if ((COMP_CWORD == 2)); then\n            ";
            if (c.name == "help") {
                std::string names;
                for (const CliCommand &d : commands()) names += (names.empty() ? "" : " ") + d.name;
                out += "COMPREPLY=($(compgen -W \"" + names + "\" -- \"$cur\"))\n";
            } else {
                out += valueCompletion(c.operand, lessons) + "\n";
            }
            out += "            return\n        fi\n";
        }
        if (c.name == "help")
            out += "        case \"${COMP_WORDS[2]}\" in run|explain) ((COMP_CWORD == 3)) && "
                   "COMPREPLY=($(compgen -W \"" + lessons + "\" -- \"$cur\")) ;; esac\n";
        std::string options;
        for (const CliOption &o : c.options) {
            options += (options.empty() ? "--" : " --") + o.name;
            if (!o.value.empty()) out += "        [[ $prev == --" + o.name + " ]] && { " + valueCompletion(o.value, lessons) + "; return; }\n";
        }
        if (c.lessonParams) {
            out += "        local values\n"
                   "        values=$(_ipc_playground_param_values \"${COMP_WORDS[2]}\" \"$prev\")\n"
                   "        [[ $values == NUMBER ]] && return\n"
                   "        [[ -n $values ]] && { COMPREPLY=($(compgen -W \"$values\" -- \"$cur\")); return; }\n"
                   "        COMPREPLY=($(compgen -W \"" + options + " $(_ipc_playground_params \"${COMP_WORDS[2]}\")\" -- \"$cur\"))\n";
        } else if (!options.empty()) {
            out += "        COMPREPLY=($(compgen -W \"" + options + "\" -- \"$cur\"))\n";
        }
        out += "        ;;\n";
    }
    // The window's options.
    out += "    *)\n";
    std::string windowWords;
    for (const CliOption &o : windowOptions()) {
        windowWords += (windowWords.empty() ? "--" : " --") + o.name;
        if (!o.value.empty()) out += "        [[ $prev == --" + o.name + " ]] && { " + valueCompletion(o.value, lessons) + "; return; }\n";
    }
    out += "        COMPREPLY=($(compgen -W \"" + windowWords + "\" -- \"$cur\"))\n        ;;\n    esac\n}\n\n"
           "complete -F _ipc_playground ipc-playground\n";
    std::printf("%s", out.c_str());
    return 0;
}

} // namespace

void sweepLeftoversOfKilledRuns()
{
    for (const Leftover &l : sweepLeftovers())
        std::fprintf(stderr, "ipc-playground: removed %s, left by process %d, which was killed\n", l.path.c_str(),
                     int(l.owner));
}

const std::vector<CliOption> &windowOptions()
{
    static const std::vector<CliOption> kOptions = {
        {"lesson", "NAME|FILE.json", "open the window on this lesson or scenario file"},
        {"start", "", "start it at once"},
        {"presentation", "", "in presentation mode"},
        {"step", "", "in step mode: each process waits for its steps (keys 1-9)"},
        {"replay", "FILE", "open a saved run (File > Save run, run --record) to replay it"},
    };
    return kOptions;
}

const char *programVersion()
{
    return IPC_VERSION;
}

bool isCliCommand(int argc, char **argv)
{
    if (argc < 2) return false;
    const char *c = argv[1];
    return findCommand(c) || !std::strcmp(c, "--help") || !std::strcmp(c, "-h") || !std::strcmp(c, "--version") ||
           c[0] != '-';
}

int cliMain(int argc, char **argv, const RunExtension *extension)
{
    const std::string command = argv[1];
    if (command == "list") return list(argc, argv);
    if (command == "run") return run(argc, argv, extension);
    if (command == "replay") return replay(argc, argv, extension);
    if (command == "explain") return explain(argc, argv);
    if (command == "help") return help(argc, argv);
    if (command == "completion") return completion(argc, argv);
    if (command == "--help" || command == "-h") {
        if (argc > 2) return usageError(command + " takes no arguments");
        std::printf("%s", usageText().c_str());
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
