// Snapshot: what one sampling tick sees of a run -- every process's board
// slot, every shared object's live fields, and the scenario's metrics.
//
// The sampler side of the one-way data flow: scenario -> Run -> board ->
// **snapshot** -> models -> views. takeSnapshot() reads the board and the
// arena directory with relaxed atomic loads only; it never takes a lock a
// worker could wait on, so observing does not change what is observed. A
// snapshot is therefore not one instant: fields of different processes may
// be a few nanoseconds apart, which the views never need.
//
// Generic over scenarios: the reader knows object kinds (a queue has a
// level and a capacity, a lock a holder, a value a number, a pipe traffic
// per direction), not scenario names, so a new scenario shows up in the
// window without a change to the window.
//
// Threads: call from the thread that owns the Run (Scenario::poll is not
// called here; the sampler calls it before taking the snapshot). Out-parameters
// are reused between ticks so a steady-state tick does not allocate.
#pragma once

#include "arena.h"
#include "board.h"
#include "scenario.h"
#include "wait_for.h"

#include <array>
#include <optional>
#include <cstdint>
#include <string>
#include <vector>

namespace ipc {

struct ProcessSnapshot {
    std::uint32_t slot = 0;        // index in the run and on the board
    std::int32_t pid = 0;
    std::string role;
    ProcState state = ProcState::Empty;
    std::uint32_t object = kNoObject; // directory index the state refers to
    std::uint64_t ops = 0;
    std::uint64_t blockedNs = 0;    // finished blocking waits only
    std::uint64_t stateSinceNs = 0; // CLOCK_MONOTONIC
    std::array<std::uint64_t, BoardSlot::kCounters> counters{};
    std::int32_t exitStatus = 0;    // valid when isTerminal(state): 0, N, or -signal
    std::int64_t cpuNs = -1;        // user+system CPU time from /proc; -1 = not read this tick
    std::string nextStep;           // step mode, at its gate: what its next step does
    std::optional<std::int64_t> readValue; // step mode: what its last read step read (its private copy)
    std::optional<std::uint32_t> joins;    // waiting to join this process of the run (its slot)

    [[nodiscard]] std::uint64_t counter(Counter c) const noexcept
    {
        return counters[std::size_t(c)];
    }
    friend bool operator==(const ProcessSnapshot &, const ProcessSnapshot &) = default;
    // Time blocked including a wait that is still going on at `nowNs`.
    [[nodiscard]] std::uint64_t blockedNsAt(std::uint64_t nowNs) const noexcept
    {
        return blockedNs + (isBlocking(state) && nowNs > stateSinceNs ? nowNs - stateSinceNs : 0);
    }
};

// Live fields of one shared object. Which fields mean something depends on
// the kind; the others keep their "unknown" defaults.
struct ObjectSnapshot {
    static constexpr int kDirections = 2; // pipes: 0 = end A -> end B, 1 = B -> A

    std::uint32_t index = kNoObject; // directory index (what BoardSlot::object names)
    std::string name;
    ObjectKind kind = ObjectKind::Free;
    bool internal = false;  // engine plumbing (board, control block, raw storage): not drawn

    double level = -1;      // queues: items in it now
    double capacity = -1;   // queues: maxsize (-1 unbounded or unknown)
    bool hasLock = false;   // locks, and values/arrays with their own lock
    std::int32_t holderPid = 0; // 0 = free
    std::uint64_t acquisitions = 0;
    std::uint64_t ownerDeaths = 0;
    bool hasValue = false;  // values: the number in it
    double value = 0;
    std::uint64_t length = 0; // arrays: elements
    bool hasTraffic = false;  // pipes: cumulative messages and bytes per direction
    std::array<std::uint64_t, kDirections> messages{};
    std::array<std::uint64_t, kDirections> bytes{};
    std::array<std::int32_t, kDirections> endPids{};        // pipes: process at end A, end B
    std::array<std::uint64_t, kDirections> kernelQueued{};  // pipes: bytes sent that way, not yet read (sampled)
    std::uint32_t parties = 0;    // barriers: how many must arrive
    std::uint32_t arrived = 0;    // barriers: waiting in this phase now
    std::uint32_t generation = 0; // barriers: phases completed
    bool broken = false;          // barriers: aborted or a waiter timed out
    std::string segment;          // named SharedMemory blocks: the name processes attach
    std::uint32_t attached = 0;   // ... processes attached to it so far
    bool unlinked = false;        // ... gone from /dev/shm (a crash can no longer leak it)
    bool isManager = false;       // a manager server's telemetry (ManagerInfo)
    std::int32_t serverPid = 0;
    std::uint64_t requests = 0;   // answered so far
    std::uint32_t waiting = 0;    // received, not yet answered (parked or queued)
    std::uint32_t clients = 0;    // connections open now
    std::uint32_t blockedPut = 0; // queues: producers waiting for room now
    std::uint32_t blockedGet = 0; // queues: consumers waiting for an item now
    bool closed = false;      // queues that were closed
    friend bool operator==(const ObjectSnapshot &, const ObjectSnapshot &) = default;
};

struct Snapshot {
    std::uint64_t timeNs = 0; // CLOCK_MONOTONIC at the start of the tick
    bool hasRun = false;      // false before the first start: everything else is empty
    std::vector<ProcessSnapshot> processes;
    std::vector<ObjectSnapshot> objects;
    std::vector<Metric> metrics; // Scenario::metrics() at this tick
    Bars bars;                   // Scenario::bars() at this tick
    WaitForGraph waits;          // who waits for whom at this tick (wait_for.h); Scenario snapshots only
    std::optional<Deadlock> deadlock; // Scenario::deadlock(): confirmed, still standing

    [[nodiscard]] const ObjectSnapshot *object(std::uint32_t index) const noexcept;
    [[nodiscard]] const ObjectSnapshot *object(std::string_view name) const noexcept;
    [[nodiscard]] const ProcessSnapshot *processByPid(std::int32_t pid) const noexcept;
};

struct SnapshotOptions {
    // Reading /proc/PID/stat costs a few microseconds per process: the
    // sampler asks for it a few times a second, not on every tick.
    bool readCpuTime = false;
};

// Fills `out` from the scenario's current run (hasRun = false when it has
// none). Never fails: an object whose header it does not understand is
// listed with its name and kind only.
void takeSnapshot(Scenario &scenario, Snapshot &out, const SnapshotOptions &options = {});
// Same without a scenario (no metrics): for a bare Run in tests and benchmarks.
void takeSnapshot(Run &run, Snapshot &out, const SnapshotOptions &options = {});

// User + system CPU time of a live process from /proc/PID/stat; -1 if the
// process is gone or the file is unreadable.
[[nodiscard]] std::int64_t processCpuNs(std::int32_t pid) noexcept;

} // namespace ipc
