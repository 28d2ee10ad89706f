// ipc-playground: the window, or with a command (list, run) the headless CLI.
// `run ... --export DIR` also renders the run's charts, which needs the GUI
// libraries (offscreen when there is no display).
#include "cli.h"

#ifndef IPC_CLI_ONLY
#include "headless_export.h"
#include "main_window.h"

#include <QApplication>
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
    ipc::MainWindow window;
    window.show();
    return QApplication::exec();
#endif
}
