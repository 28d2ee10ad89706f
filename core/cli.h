// The headless command line of ipc-playground:
//
//   ipc-playground list
//   ipc-playground --version | --help
//   ipc-playground run NAME [--PARAM VALUE ...] [--seconds S] [--json]
//                          [--export DIR --format png,svg,pdf,csv]
//
// Parameters are the scenario's (see `list --params`), dashes or
// underscores alike; switches take on/off. Exit status: 0 done, 1 the run
// failed, 2 bad arguments (with a usage message on stderr).
#pragma once

#include "result.h"

#include <functional>
#include <string>
#include <vector>

namespace ipc {

class Args;
class Scenario;

// What an executable adds to `run` without core depending on it: the
// chart export (--export DIR --format ...) needs QtGui and Qt Charts, which
// live in widgets/. The CLI still owns the arguments and the run loop.
struct RunExtension {
    std::vector<std::string> options; // extra "--key value" options `run` accepts
    // Before the start, with every option parsed; an error is a usage error (exit 2).
    std::function<Result<void>(const Args &args, Scenario &scenario)> configure;
    std::function<void(Scenario &scenario)> started;
    std::function<void(Scenario &scenario)> tick; // every tickMs while it runs, once after stop
    // After the stop and the result; an error fails the run (exit 1).
    std::function<Result<void>(Scenario &scenario)> finished;
    int tickMs = 30;
};

// The project's version (CMake's PROJECT_VERSION), as --version prints it.
[[nodiscard]] const char *programVersion();

// True if argv names a CLI command (list, run, help, --help, --version)
// rather than the GUI.
[[nodiscard]] bool isCliCommand(int argc, char **argv);
int cliMain(int argc, char **argv, const RunExtension *extension = nullptr);

} // namespace ipc
