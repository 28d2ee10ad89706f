// Scenario: one lesson that can be started, watched, steered and stopped.
//
// A scenario owns a Run while it runs. The GUI and the CLI see every
// scenario through this interface only: its info (title, texts,
// parameters), live metrics for the charts, and a result summary.
//
// Parameters are numbers (booleans are 0/1) with ranges. setParam() checks
// the range; on a running scenario a parameter marked live takes effect at
// once (through the control block or signals), others at the next start.
//
// Threads: one thread, like Run.
#pragma once

#include "result.h"
#include "run.h"
#include "trace_log.h"

#include <QJsonArray>
#include <QJsonObject>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ipc {

// A parameter. An engine declares the keys it understands, their hard
// limits (min, max: what its workers can do), the default, which act live
// and whether a value is whole; a lesson file narrows the range and gives
// every text a person reads (label, help, the names of choices).
struct ParamSpec {
    std::string key;    // "processes", "lock", "race_window_us", ...
    std::string option; // its command-line option: "race-window-us"
    std::string label; // "Processes", "Lock on" (from the lesson file)
    std::string help;  // one sentence, shown as a tooltip (from the lesson file)
    double min = 0;
    double max = 1;
    double defaultValue = 0;
    bool live = false;    // may change while running
    bool boolean = false; // a switch: 0 or 1
    bool integer = true;  // whole numbers only (switches and choices are)
    std::vector<std::string> choices; // names of the values min..max (from the lesson file)
    std::string minimumText;          // what the minimum means, "until stopped" (from the lesson file)

    // The control-block field the engine keeps equal to it (a switch 0 or
    // 1, a number its value), or none: the base writes it at every start
    // and at once on a live change, so an engine declares the binding here
    // and writes no code for it.
    std::atomic<std::uint32_t> ControlBlock::*control = nullptr;

    // The name of a value of a parameter with choices, else empty.
    [[nodiscard]] std::string choiceName(double value) const;
    // This parameter, bound to a control-block field: switchParam("fix",
    // false, kLive).drives(&ControlBlock::fixEnabled).
    [[nodiscard]] ParamSpec drives(std::atomic<std::uint32_t> ControlBlock::*field) const;
};

// Engines declare their parameters with these (no texts: those are the
// lesson file's).
constexpr bool kLive = true;
[[nodiscard]] ParamSpec wholeParam(std::string key, double min, double max, double defaultValue, bool live = false);
[[nodiscard]] ParamSpec realParam(std::string key, double min, double max, double defaultValue, bool live = false);
[[nodiscard]] ParamSpec switchParam(std::string key, bool defaultOn, bool live = false);
// Values 0..count-1, named by the lesson file.
[[nodiscard]] ParamSpec choiceParam(std::string key, int count, int defaultValue, bool live = false);
// The slow-motion control every lesson whose workers loop understands:
// at most this many operations per second per worker, 0 = full speed.
[[nodiscard]] ParamSpec paceParam();
inline constexpr std::string_view kPaceKey = "pace";

struct ScenarioInfo {
    std::string name;    // "race": what `ipc-playground run NAME` takes
    std::string title;   // "Race on a shared counter" (the lesson file's, rendered)
    std::string summary; // two or three sentences (the lesson file's, rendered)
    std::vector<ParamSpec> params;
    // The fields of result() an answer may name (besides the parameters).
    std::vector<std::string> resultKeys;
};

// A lesson's texts as a person reads them, rendered for the parameters in
// force (and, for the answer, the run's result).
struct LessonTexts {
    std::string title;
    std::string explanation;
    std::string question;
    std::string answer; // rendered from a result, or the template when there is none
    std::string python;
    std::string valuesAxis; // what the values chart's lines count
};

// One live number at a sampling tick: "actual" = 123456. A metric that is
// not `plotted` (a latency beside counts, a per-client figure) stays out of
// the values chart, whose single axis it would squash, but is in its CSV.
struct Metric {
    std::string key;
    double value;
    bool plotted = true;
    friend bool operator==(const Metric &, const Metric &) = default;
};

// Something a lesson draws moving (a particle), in [-1, 1] x [-1, 1];
// `group` is the process that owns it.
struct Point {
    double x;
    double y;
    std::uint32_t group;
};

// A bar chart a lesson fills as its results come in: the speed
// comparison's items per second by mechanism, the race's distribution of
// lost updates over repeated runs. One value per category and set.
struct Bars {
    struct Set {
        std::string name;           // "lock off"
        std::vector<double> values; // one per category
        friend bool operator==(const Set &, const Set &) = default;
    };
    std::string title;         // "Lost updates over 10 runs each"
    std::string categoryLabel; // x axis: "lost updates (% of increments)"
    std::string valueLabel;    // y axis: "runs"
    std::vector<std::string> categories;
    std::vector<Set> sets;
    // Values spanning orders of magnitude (0.1 M/s beside 20 M/s): a
    // logarithmic value axis, so the smallest bar is still seen.
    bool logScale = false;

    [[nodiscard]] bool empty() const noexcept { return categories.empty() || sets.empty(); }
    friend bool operator==(const Bars &, const Bars &) = default;
};

// Who uses which shared object, for the process diagram: process `slot`
// (its index in the run and on the board) reaches arena object `object`.
struct Link {
    // Requests: a manager client's calls to the server's objects; Serves:
    // the manager server process that holds them.
    enum class Kind { Uses, Puts, Gets, Sends, Receives, Requests, Serves };
    std::uint32_t slot;
    std::string object; // arena directory name
    Kind kind = Kind::Uses;
    bool operator==(const Link &) const = default;
};

struct ScenarioDefinition; // scenario_definition.h
struct Deadlock;           // wait_for.h
struct Snapshot;           // snapshot.h

class Scenario {
public:
    virtual ~Scenario();

    // The engine's declaration: its name, the parameters it understands
    // with their hard limits, its result's fields. No text a person reads.
    [[nodiscard]] virtual const ScenarioInfo &info() const = 0;
    // The lesson as shown and steered: the scenario file's parameters
    // (labels, narrowed ranges) when a file was loaded, else info(). The
    // GUI and the CLI use this one.
    [[nodiscard]] const ScenarioInfo &lesson() const;
    // The lesson's texts for the parameters in force; the answer rendered
    // from `result` when given (else its template). Without a file: the
    // engine's name as title, nothing else.
    [[nodiscard]] LessonTexts texts(const QJsonObject *result = nullptr) const;
    // The scenario file behind this scenario, or null for a bare engine.
    [[nodiscard]] const ScenarioDefinition *definition() const noexcept { return m_definition.get(); }
    // Adopt a file's definition; its parameters must be ones the engine
    // knows (InvalidArgument naming the file and the parameter otherwise).
    [[nodiscard]] Result<void> setDefinition(const ScenarioDefinition &definition);

    [[nodiscard]] Result<void> setParam(std::string_view key, double value);
    [[nodiscard]] double param(std::string_view key) const;

    // Create the run and its shared objects, start the processes.
    [[nodiscard]] virtual Result<void> start() = 0;
    // Ask the processes to finish, then kill what remains; keeps the last
    // result readable until the next start.
    virtual void stop();
    [[nodiscard]] bool running() const noexcept { return m_run != nullptr && !m_stopped; }
    // True once every process of the run has exited and the lesson has
    // polled since (so it has booked the last exits).
    [[nodiscard]] bool finished();
    [[nodiscard]] Run *run() noexcept { return m_run.get(); }
    // Whether the next run's processes write the event trace (ipc/trace.h)
    // that the sequence chart and the trace export read.
    void setTracing(bool on) noexcept { m_tracing = on; }
    [[nodiscard]] bool tracing() const noexcept { return m_tracing; }
    // The current run's trace so far: poll() and stop() drain the rings
    // into it (its one reader), a new run clears it.
    [[nodiscard]] const TraceLog &trace() const noexcept { return m_trace; }

    // Step mode (step_gate.h), for the next run or live: each process stops
    // at its next gate until step() lets it go one operation further. Off
    // lets every process run on.
    [[nodiscard]] Result<void> setStepMode(bool on);
    [[nodiscard]] bool stepMode() const noexcept { return m_stepMode; }
    // Each process of the run as step mode sees it.
    struct StepView {
        std::uint32_t process = 0;
        bool waiting = false; // at its gate: step() may let it go
        bool ended = false;   // exited or killed: it takes no more steps
        bool blocked = false; // in a blocking wait whose reason is still there (a lock another holds)
        std::string next;     // what its next step does ("read counter")
        std::optional<std::int64_t> seen; // what its last read step read
    };
    [[nodiscard]] std::vector<StepView> stepViews() const;
    // One step for `process`: waits (up to `timeout`) for it to be at its
    // gate, lets it go, and waits until it is at its next gate, blocked
    // (an acquire of a lock another holds) or has ended, so that one step
    // is done before the next begins. NotFound: no
    // such process; Closed: it has ended; Timeout; InvalidArgument: not in
    // step mode.
    [[nodiscard]] Result<void> step(std::uint32_t process, Duration timeout = std::chrono::seconds(10));
    // Waits (up to `timeout`) until every process is at its gate, blocked
    // or has ended; the processes that are at their gates, in order.
    [[nodiscard]] Result<std::vector<std::uint32_t>> settle(Duration timeout = std::chrono::seconds(10));
    // The steps taken in this run, in order: the process of each.
    [[nodiscard]] const std::vector<std::uint32_t> &schedule() const noexcept { return m_schedule; }

    // A deadlock in the current run, confirmed and still standing: the
    // wait-for graph's stuck set (wait_for.h) unchanged, and none of its
    // processes making progress, for kDeadlockConfirmNs. Null otherwise.
    // Watched on every finished() (every tick of the window and the CLI).
    [[nodiscard]] const Deadlock *deadlock() const noexcept { return m_deadlock.get(); }
    // The run's first confirmed deadlock, kept after it ends or is broken.
    [[nodiscard]] const Deadlock *firstDeadlock() const noexcept { return m_firstDeadlock.get(); }
    static constexpr std::uint64_t kDeadlockConfirmNs = 300'000'000;

    // The lesson file's challenge, if it has one: what it asks (rendered
    // for the parameters in force), and whether this run has reached it,
    // checked on every tick, after how many steps.
    struct Challenge {
        std::string text;
        bool reached = false;
        std::size_t steps = 0; // steps taken when it was reached
    };
    [[nodiscard]] std::optional<Challenge> challenge() const;

    // Step mode: the line of the rendered Python twin (0-based) that a
    // step with this text is, or -1 (the lesson file's "steps").
    [[nodiscard]] int twinLine(std::string_view step) const;

    // Live numbers for the charts, read without blocking any worker.
    [[nodiscard]] virtual std::vector<Metric> metrics() const = 0;
    // The summary printed by the CLI (--json) and shown after a run: the
    // scenario's name and every parameter's value, then the engine's own
    // fields (lessonResult()), then every process that did not end as the
    // lesson expects ("abnormal_exits": pid, role, exit code, signal, who
    // asked for the kill) and whether any of them nobody asked for
    // ("failed": a crash, an outside kill), and the first deadlock of the
    // run ("deadlock": its cycle and edges, or null).
    [[nodiscard]] QJsonObject result() const;
    // The current run's process-to-object links (empty before start), as
    // the lesson file declares them: each group's "uses", "puts", "gets",
    // "requests", "serves" for the run's processes of its role, and each
    // pipe's ends. An engine whose topology changes with a parameter or
    // during the run (pingpong's modes, compare's stages) refines them.
    [[nodiscard]] virtual std::vector<Link> links() const;
    // Whether the picture shows only the objects links() names now: a
    // lesson that stages its objects one after another (compare) draws the
    // one in use, not every mechanism it has set up or will.
    [[nodiscard]] virtual bool drawsOnlyLinkedObjects() const { return false; }

    // The lesson file a lecturer opened to make this scenario, as it was
    // read (JSON); empty for a built-in lesson. A recording keeps it.
    void setLessonFile(std::string json) { m_lessonFile = std::move(json); }
    [[nodiscard]] const std::string &lessonFile() const noexcept { return m_lessonFile; }
    // One tick; call it on every sampling tick (finished() does): books
    // the processes that exited (Run::poll), advances the lesson
    // (advance()) and watches for a deadlock (deadlock()).
    void poll();
    // What the workers printed, for the console pane; empty for lessons
    // that do not capture output.
    [[nodiscard]] virtual std::string consoleOutput() const { return {}; }
    // What the lesson draws moving (the ring's particles); empty for most.
    [[nodiscard]] virtual std::vector<Point> points() const { return {}; }
    // The lesson's bar chart so far; empty for lessons without one.
    [[nodiscard]] virtual Bars bars() const { return {}; }

protected:
    Scenario(); // out of line: members hold types only scenario.cpp sees whole
    // Whether a process ending with this code is part of the lesson (0 by
    // default; the zombie lesson's children exit with 3 and -SIGTERM).
    [[nodiscard]] virtual bool exitExpected(std::uint32_t slot, int exitCode) const;
    // The engine's own result fields (result() adds name and parameters).
    [[nodiscard]] virtual QJsonObject lessonResult() const = 0;
    // The lesson's part of a tick (poll()): read what workers printed,
    // start the next repetition, ...
    virtual void advance() {}
    // A live parameter changed while running (after the base has written
    // its control-block field, if it drives one: ParamSpec::drives).
    virtual void applyLive(std::string_view key, double value);
    // Replaces the previous run (stopping it) with a fresh one.
    [[nodiscard]] Result<Run *> newRun(std::size_t arenaSize = Arena::kDefaultSize);

    // How many processes of `role` to start: the scenario file's group for
    // that role (a fixed count or its count parameter) when there is one,
    // else the engine's own parameter `fallbackParam`.
    [[nodiscard]] int groupCount(std::string_view role, std::string_view fallbackParam) const;

    std::map<std::string, double, std::less<>> m_params;
    // The parameters the current run was started with, and the live ones
    // as they were last set while it ran: what its result reports.
    std::map<std::string, double, std::less<>> m_runParams;
    std::unique_ptr<Run> m_run;
    bool m_stopped = false;

private:
    [[nodiscard]] const ParamSpec *spec(std::string_view key) const;
    // Writes the parameters that drive a control-block field (all, or the
    // one named) into the run's control block.
    void writeControls(std::string_view onlyKey = {});
    // The processes that did not end as the lesson expects; `failed` if
    // nobody asked for one of those ends.
    [[nodiscard]] QJsonArray abnormalExits(bool &failed) const;
    // Looks for a deadlock (deadlock()); at most every few milliseconds.
    void watchForDeadlock();
    // Whether the run has reached the challenge's goal (challenge()).
    void checkChallenge();
    // Names in texts: the parameters (of `result`'s run first), the
    // result's fields, and `steps`.
    [[nodiscard]] std::function<std::optional<std::variant<double, std::string>>(std::string_view)>
    lookup(const QJsonObject *result) const;
    std::shared_ptr<const ScenarioDefinition> m_definition;
    struct DeadlockWatch;
    std::unique_ptr<DeadlockWatch> m_watch;
    std::unique_ptr<Deadlock> m_deadlock;      // confirmed, still standing
    std::unique_ptr<Deadlock> m_firstDeadlock; // the run's first, for result()
    bool m_stepMode = false;
    bool m_tracing = false;
    std::string m_lessonFile; // setLessonFile
    TraceLog m_trace;
    std::vector<std::uint32_t> m_schedule;
    std::optional<std::size_t> m_challengeReachedAt; // steps taken then
    std::uint64_t m_challengeCheckedNs = 0;
    std::size_t m_challengeCheckedSteps = 0;
};

} // namespace ipc
