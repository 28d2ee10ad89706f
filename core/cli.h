// The headless command line of ipc-playground:
//
//   ipc-playground list
//   ipc-playground run NAME [--PARAM VALUE ...] [--seconds S] [--json]
//
// Parameters are the scenario's (see `list --params`), dashes or
// underscores alike; switches take on/off. Exit status: 0 done, 1 the run
// failed, 2 bad arguments (with a usage message on stderr).
#pragma once

namespace ipc {

// True if argv names a CLI command (list, run, help) rather than the GUI.
[[nodiscard]] bool isCliCommand(int argc, char **argv);
int cliMain(int argc, char **argv);

} // namespace ipc
