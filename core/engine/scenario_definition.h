// A lesson as the engine runs it: what a scenario file declares, parsed
// and checked (scenario_file.h in the lessons layer reads the file). The
// engine renders these texts, lays out these objects and groups, and binds
// these parameters; it never reads JSON itself.
#pragma once

#include "scenario.h"
#include "text_template.h"

#include <optional>
#include <string>
#include <utility>
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

} // namespace ipc
