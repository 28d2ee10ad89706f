#include "headless_export.h"

#include "args.h"
#include "chart_exporter.h"
#include "recording.h"
#include "replay_controller.h"
#include "sampler.h"
#include "scenario.h"
#include "sequence_chart.h"

#include <QDir>
#include <QGuiApplication>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace ipc {

bool wantsChartExport(int argc, char **argv)
{
    if (argc < 3 || (std::strcmp(argv[1], "run") != 0 && std::strcmp(argv[1], "replay") != 0)) return false;
    for (int i = 2; i < argc; ++i)
        if (!std::strcmp(argv[i], "--export")) return true;
    return false;
}

void useOffscreenIfNoDisplay()
{
    const auto set = [](const char *name) {
        const char *v = std::getenv(name);
        return v && *v;
    };
    if (!set("QT_QPA_PLATFORM") && !set("DISPLAY") && !set("WAYLAND_DISPLAY"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
}

namespace {

struct ExportState {
    Sampler sampler;
    QString directory;
    std::vector<ExportFormat> formats;
    ChartContext context;
    ChartStyle style = ChartStyle::normal();
};

// The message sequence chart as the window shows it following the run
// (the last stretch, as much as keeps its arrows apart) up to `nowNs`; its
// CSV holds every event.
Result<QStringList> exportSequenceChart(const TraceLog &trace, std::uint64_t startNs, std::uint64_t nowNs,
                                        const ExportState &state, const ExportOptions &options)
{
    if (trace.events().empty()) return QStringList();
    SequenceChart chart;
    chart.resize(options.logicalSize);
    chart.setChartStyle(options.style);
    chart.setTrace(&trace, startNs);
    chart.setNow(nowNs);
    chart.setTitle(QCoreApplication::translate("ipc", "Who sent what to whom: %1").arg(state.context.scenarioTitle));
    QStringList written;
    for (const ExportFormat f : state.formats) {
        const QString path = QDir(state.directory).filePath(state.context.scenarioName + QStringLiteral("-sequence.") +
                                                            formatExtension(f));
        if (auto ok = chart.exportTo(f, path, options); !ok) return std::unexpected(ok.error());
        written << path;
    }
    return written;
}

// --export DIR --format ... --presentation on|off, as `run` and `replay` take them.
Result<void> readExportOptions(const Args &args, ExportState &state)
{
    const std::string dir = args.text("export");
    if (dir.empty()) return fail(Errc::InvalidArgument, "--export needs a folder");
    auto formats = parseFormats(QString::fromStdString(args.text("format", "png,svg,pdf,csv")));
    if (!formats) return std::unexpected(formats.error());
    // The window's presentation mode, for slides: large fonts, thick
    // lines. (Not "--style": QApplication takes that one for itself.)
    auto presentation = args.boolean("presentation", false);
    if (!presentation) return std::unexpected(presentation.error());
    state.style = ChartStyle::forMode(*presentation);
    state.directory = QString::fromStdString(dir);
    state.formats = *formats;
    return {};
}

void printWritten(const QStringList &paths)
{
    for (const QString &path : paths)
        std::fprintf(stderr, "wrote %s\n", QDir::toNativeSeparators(path).toUtf8().constData());
}

// replay FILE --export DIR [--at S]: the charts of the recorded run as they
// were at S seconds (the whole run without --at), from its samples and its
// trace; no process starts.
Result<void> exportReplay(const Recording &recording, const Args &args)
{
    ExportState state;
    if (auto ok = readExportOptions(args, state); !ok) return ok;
    const double end = recording.samples.empty() ? 0.0 : recording.samples.back().seconds;
    auto at = args.real("at", end, 0, 1e7);
    if (!at) return std::unexpected(at.error());
    if (*at > end + 1e-9)
        return fail(Errc::InvalidArgument, "--at " + std::to_string(*at) + ": the recording ends at " +
                                               std::to_string(end) + " s");
    state.context = ChartContext{QString::fromStdString(recording.lesson), QString::fromStdString(recording.title),
                                 QString::fromStdString(recording.texts.valuesAxis)};
    // The run as it was then: what the window's replay shows at that moment.
    ReplayController replay;
    replay.open(recording, QString());
    replay.seek(*at);
    if (!QDir().mkpath(state.directory))
        return fail(Errc::System, "cannot create export folder '" + state.directory.toStdString() + "'");
    ExportOptions options;
    options.style = state.style;
    auto written = exportAllCharts(replay.history(), state.context, state.formats, state.directory, options);
    if (!written) return std::unexpected(written.error());
    auto sequence = exportSequenceChart(replay.trace(), replay.startNs(), replay.nowNs(), state, options);
    if (!sequence) return std::unexpected(sequence.error());
    printWritten(*written + *sequence);
    return {};
}

} // namespace

RunExtension chartExportExtension()
{
    auto state = std::make_shared<ExportState>();
    RunExtension ext;
    ext.tickMs = Sampler::kDefaultIntervalMs;
    ext.configure = [state](const Args &args, Scenario &scenario) -> Result<void> {
        if (!args.has("export")) {
            if (args.has("format")) return fail(Errc::InvalidArgument, "--format needs --export DIR");
            if (args.has("presentation")) return fail(Errc::InvalidArgument, "--presentation needs --export DIR");
            return {};
        }
        if (!QGuiApplication::instance())
            return fail(Errc::InvalidArgument, "--export needs the program's GUI libraries");
        if (auto ok = readExportOptions(args, *state); !ok) return ok;
        state->context = ChartContext{QString::fromStdString(scenario.lesson().name),
                                      QString::fromStdString(scenario.lesson().title),
                                      QString::fromStdString(scenario.texts().valuesAxis)};
        state->sampler.setScenario(&scenario);
        scenario.setTracing(true); // for the message sequence chart
        return {};
    };
    ext.started = [state](Scenario &) {
        if (state->directory.isEmpty()) return;
        state->sampler.beginRun();
        state->sampler.tick();
    };
    ext.tick = [state](Scenario &) {
        if (!state->directory.isEmpty()) state->sampler.tick();
    };
    ext.finished = [state](Scenario &) -> Result<void> {
        if (state->directory.isEmpty()) return {};
        ExportOptions options;
        options.style = state->style;
        auto written = exportAllCharts(state->sampler.history(), state->context, state->formats,
                                       state->directory, options);
        if (written) {
            auto sequence = exportSequenceChart(state->sampler.trace(), state->sampler.startNs(),
                                                state->sampler.snapshot().timeNs, *state, options);
            if (!sequence) written = std::unexpected(sequence.error());
            else written->append(*sequence);
        }
        state->sampler.setScenario(nullptr);
        if (!written) return std::unexpected(written.error());
        printWritten(*written);
        return {};
    };
    ext.replay = exportReplay;
    return ext;
}

} // namespace ipc
