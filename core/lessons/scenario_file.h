// Scenario files: a lesson as data (JSON), not code.
//
// A file names the engine that runs it (a built-in mechanism such as
// "race"), and declares everything a lecturer may want to change: texts
// (title, explanation, a question to ask before the start and its answer,
// the Python twin), parameters with ranges and defaults, the shared objects,
// the process groups with their roles and counts, and the pipes between
// groups. See docs/scenario-files.md for the format and an example.
//
// loadScenarioFile / parseScenario validate the whole file before anything
// starts: bad JSON, an unknown key, engine, role or object type, a pipe to
// a group that does not exist, a count or default out of range, a missing
// text, a template naming a parameter the engine does not have, a
// parameter the engine does not understand or a range wider than its
// limits. The error names the file, the place in it (a JSON path such as
// /processes/1/role, or line:column for a syntax error) and the problem.
#pragma once

#include "result.h"
#include "scenario_definition.h"

#include <QByteArray>
#include <QString>

#include <string>
#include <vector>

namespace ipc {

// `where` names the source in messages (a path, or ":/scenarios/race.json").
// pythonDir is where "python": "file.py" references are looked up.
[[nodiscard]] Result<ScenarioDefinition> parseScenario(const QByteArray &json,
                                                       const std::string &where,
                                                       const QString &pythonDir = {});
[[nodiscard]] Result<ScenarioDefinition> loadScenarioFile(const QString &path);

// The object types and engines a file may name.
[[nodiscard]] const std::vector<std::string> &scenarioObjectTypes();

} // namespace ipc
