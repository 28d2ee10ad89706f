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
#include "scenario.h"
#include "text_template.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <string>
#include <vector>

namespace ipc {

struct ObjectDecl {
    std::string name;
    std::string type; // value, array, lock, rlock, semaphore, event, condition, barrier,
                      // queue, joinable-queue, shared-memory, manager
};

// How a group's processes reach an object, as the diagram draws it:
// "uses", "puts", "gets", "requests", "serves" in the file.
struct ObjectUse {
    Link::Kind kind = Link::Kind::Uses;
    std::string object; // a name declared in /objects: the arena object's
};

struct ProcessGroupDecl {
    std::string group;              // "producer"
    std::string role;               // an ipc-worker role: the run's processes of this role are the group
    std::string countParam;         // parameter giving the count, or empty
    int count = 1;                  // used when countParam is empty
    std::vector<ObjectUse> links;   // the objects it touches and how (the diagram's lines)
};

struct PipeDecl {
    std::string from;   // group name
    std::string to;     // group name, or the same group (both ends in it, or a ring)
    bool duplex = true;
    std::string object; // the arena object of its traffic ("pipe"); a ring's k-th link is "OBJECT-k"
    bool ring = false;  // each process of the group sends to the next and receives from the one before
};

// A goal for the class, checked live on every tick (Scenario::challenge()):
// "lose an update in at most 6 steps". In the file:
//   "challenge": {"text": "...", "goal": "lost > 0 and steps <= 6"}
// The goal is an expression (text_template.h) over the parameters, the
// fields of the run's result and `steps`, the steps taken in step mode.
struct ChallengeDecl {
    TextTemplate text; // what is asked, over the parameters
    TextTemplate goal; // renders "1" once reached
};

// Every text is a template over the parameters (text_template.h); the
// answer may also name the fields of the run's result.
struct ScenarioDefinition {
    ScenarioInfo info;        // name, params; title and summary rendered for the defaults
    TextTemplate title;       // one line
    TextTemplate explanation; // two or three sentences
    TextTemplate question;    // shown before the start
    TextTemplate answer;      // shown after the run, rendered from its result
    TextTemplate valuesAxis;  // the values chart's vertical axis ("Count" if not given)
    TextTemplate python;      // the equivalent Python code
    std::optional<ChallengeDecl> challenge;
    // Step mode: which line of the Python twin each step is. A step whose
    // text ("read counter", "take fork 3 (first)") contains the key is the
    // first line of the rendered twin that contains the value (a template
    // over the parameters): "steps": {"read counter": "counter.value += 1"}.
    std::vector<std::pair<std::string, TextTemplate>> twinLines;
    std::string engine;       // the built-in mechanism that runs it
    std::vector<ObjectDecl> objects;
    std::vector<ProcessGroupDecl> processes;
    std::vector<PipeDecl> pipes;
    std::string source;   // file it came from (for messages)
};

// `where` names the source in messages (a path, or ":/scenarios/race.json").
// pythonDir is where "python": "file.py" references are looked up.
[[nodiscard]] Result<ScenarioDefinition> parseScenario(const QByteArray &json,
                                                       const std::string &where,
                                                       const QString &pythonDir = {});
[[nodiscard]] Result<ScenarioDefinition> loadScenarioFile(const QString &path);

// The object types and engines a file may name.
[[nodiscard]] const std::vector<std::string> &scenarioObjectTypes();

} // namespace ipc
