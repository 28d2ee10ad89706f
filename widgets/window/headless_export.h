// Headless chart export: `ipc-playground run NAME --seconds S --export DIR
// --format png,svg,pdf,csv [--presentation on]` runs real processes
// without a window, samples them like the window does, and writes the same
// charts (and the CSV behind them) to DIR. The CLI (core/cli/cli.cpp) owns the arguments and the
// run loop; this supplies the RunExtension it calls.
//
// Needs a QGuiApplication (QApplication) to exist; useOffscreenIfNoDisplay()
// before creating it makes that work on a machine without a display.
#pragma once

#include "cli.h"

namespace ipc {

// True if argv asks `run` for an export (--export anywhere after "run").
[[nodiscard]] bool wantsChartExport(int argc, char **argv);
// Sets QT_QPA_PLATFORM=offscreen when there is no X11 or Wayland display
// and no platform was chosen.
void useOffscreenIfNoDisplay();
// The extension for cliMain; it keeps its state until destroyed.
[[nodiscard]] RunExtension chartExportExtension();

} // namespace ipc
