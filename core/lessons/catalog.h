// The lessons there are: the built-in scenario files and the engines that
// run them (scenarios.h's registry), or a scenario file by path. The one
// place that turns a lesson's name into a Scenario ready to start.
#pragma once

#include "result.h"
#include "scenario.h"

#include <memory>
#include <string_view>
#include <vector>

namespace ipc {

// Every lesson, in catalog order: the built-in scenario files
// (:/scenarios/*.json, ordered by the engine registry) followed by engines
// that have no file yet.
[[nodiscard]] std::vector<ScenarioInfo> scenarioCatalog();
// A lesson by name (a built-in file or an engine), or a scenario file by
// path (anything ending in .json).
[[nodiscard]] Result<std::unique_ptr<Scenario>> createScenario(std::string_view nameOrPath);

} // namespace ipc
