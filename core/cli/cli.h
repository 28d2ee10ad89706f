// The command line of ipc-playground:
//
//   ipc-playground [--lesson NAME|FILE.json] [--start] [--presentation]
//   ipc-playground list [--params]
//   ipc-playground explain NAME|FILE.json [--PARAM VALUE ...] [--json]
//   ipc-playground run NAME|FILE.json [--PARAM VALUE ...] [--seconds S] [--json]
//                          [--export DIR --format png,svg,pdf,csv --presentation on|off]
//                          [--trace-json FILE] [--record FILE]
//   ipc-playground replay FILE [--json] [--export DIR --format ... --at SECONDS]
//   ipc-playground help [COMMAND [LESSON]]
//   ipc-playground completion bash
//   ipc-playground --version | --help
//
// One table of commands and options (cli.cpp) makes the usage text, `help
// COMMAND`, the QCommandLineParser of each command and the bash completion.
// Parameters are the lesson's (see `help run LESSON`), dashes or
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
struct Recording;

// What an executable adds to `run` without core depending on it: the
// chart export (--export DIR --format ...) needs QtGui and Qt Charts, which
// live in widgets/. The CLI still owns the arguments (the export options
// are in its table) and the run loop.
struct RunExtension {
    // Before the start, with every option parsed; an error is a usage error (exit 2).
    std::function<Result<void>(const Args &args, Scenario &scenario)> configure;
    std::function<void(Scenario &scenario)> started;
    std::function<void(Scenario &scenario)> tick; // every tickMs while it runs, once after stop
    // After the stop and the result; an error fails the run (exit 1).
    std::function<Result<void>(Scenario &scenario)> finished;
    int tickMs = 30;
    // `replay FILE --export DIR ...`: the recorded run's charts (an
    // InvalidArgument error is a usage error, exit 2).
    std::function<Result<void>(const Recording &recording, const Args &args)> replay;
};

// An option: its name, its value's name (empty for a flag) and one line
// of help.
struct CliOption {
    std::string name;
    std::string value;
    std::string help;
};

// The window's options (app/main.cpp parses them with the same table).
[[nodiscard]] const std::vector<CliOption> &windowOptions();

// The project's version (CMake's PROJECT_VERSION), as --version prints it.
[[nodiscard]] const char *programVersion();

// Removes what runs killed with SIGKILL left (leftovers.h) and says so on
// stderr, one line each. The window and `run` call it as they start.
void sweepLeftoversOfKilledRuns();

// True if argv names a CLI command (list, run, explain, help, completion,
// --help, --version) rather than the window.
[[nodiscard]] bool isCliCommand(int argc, char **argv);
int cliMain(int argc, char **argv, const RunExtension *extension = nullptr);

} // namespace ipc
