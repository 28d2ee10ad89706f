// ipc-playground: the window, or with a command (list, run) the headless CLI.
// `run ... --export DIR` also renders the run's charts, which needs the GUI
// libraries (offscreen when there is no display).
#include "cli.h"

#ifndef IPC_CLI_ONLY
#include "headless_export.h"
#include "main_window.h"
#include "scenario_file.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#endif

#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv)
{
#ifdef IPC_CLI_ONLY
    if (ipc::isCliCommand(argc, argv)) return ipc::cliMain(argc, argv);
    std::fprintf(stderr, "ipc-playground: built without the window (IPC_CORE_ONLY); try 'ipc-playground run race'\n");
    return 2;
#else
    if (ipc::isCliCommand(argc, argv)) {
        if (!ipc::wantsChartExport(argc, argv)) return ipc::cliMain(argc, argv);
        ipc::useOffscreenIfNoDisplay();
        QApplication app(argc, argv);
        const ipc::RunExtension exporter = ipc::chartExportExtension();
        return ipc::cliMain(argc, argv, &exporter);
    }
    const auto set = [](const char *name) {
        const char *v = std::getenv(name);
        return v && *v;
    };
    if (!set("DISPLAY") && !set("WAYLAND_DISPLAY") && !set("QT_QPA_PLATFORM")) {
        std::fprintf(stderr, "ipc-playground: no display for the window; run a scenario headless instead:\n"
                             "  ipc-playground run race --seconds 5 --export charts --format png,svg,pdf,csv\n");
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ipc-playground"));
    QApplication::setApplicationName(QStringLiteral("ipc-playground"));
    QApplication::setApplicationVersion(QString::fromLatin1(ipc::programVersion()));
    // One application id for the desktop entry, the AppStream metainfo and
    // the icon (data/, installed by data/CMakeLists.txt).
    const QString appId = QStringLiteral(IPC_APP_ID);
    QApplication::setDesktopFileName(appId);
    QApplication::setWindowIcon(
        QIcon::fromTheme(appId, QIcon(QStringLiteral(":/icons/%1.svg").arg(appId))));
    // A lecturer's launcher per lesson: the window opens on it, maybe
    // running, maybe in presentation mode. What is wrong is said before
    // any window opens.
    QCommandLineParser parser;
    for (const ipc::CliOption &o : ipc::windowOptions())
        parser.addOption(QCommandLineOption(QString::fromStdString(o.name), QString::fromStdString(o.help),
                                            QString::fromStdString(o.value)));
    const QString lesson = QStringLiteral("lesson");
    const QString start = QStringLiteral("start");
    const QString presentation = QStringLiteral("presentation");
    const QString step = QStringLiteral("step");
    const QString replay = QStringLiteral("replay");
    if (!parser.parse(QApplication::arguments()) || !parser.positionalArguments().isEmpty()) {
        const QString problem = parser.errorText().isEmpty()
                                    ? QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().value(0))
                                    : parser.errorText();
        std::fprintf(stderr, "ipc-playground: %s\n", qPrintable(problem));
        return 2;
    }
    ipc::sweepLeftoversOfKilledRuns();
    ipc::MainWindow window;
    if (parser.isSet(lesson)) {
        const QString name = parser.value(lesson);
        if (name.endsWith(QLatin1String(".json"))) {
            if (auto loaded = ipc::loadScenarioFile(name); !loaded) {
                std::fprintf(stderr, "ipc-playground: %s\n", loaded.error().message.c_str());
                return 2;
            }
            if (!window.openScenarioFile(name)) return 2;
        } else if (!window.chooseScenario(name)) {
            std::fprintf(stderr, "ipc-playground: no lesson '%s' (ipc-playground list shows them)\n", qPrintable(name));
            return 2;
        }
    }
    if (parser.isSet(presentation)) window.setPresentationMode(true);
    if (parser.isSet(step)) window.action(QStringLiteral("step-mode"))->trigger();
    if (parser.isSet(replay))
        if (auto opened = window.openRecording(parser.value(replay)); !opened) {
            std::fprintf(stderr, "ipc-playground: %s\n", opened.error().message.c_str());
            return 2;
        }
    window.show();
    if (parser.isSet(start)) window.action(QStringLiteral("start"))->trigger();
    return QApplication::exec();
#endif
}
