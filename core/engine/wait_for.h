// The wait-for graph: who waits for whom, read from one snapshot and the
// lesson's links, in every lesson and mode.
//
// An edge P -> Q says "Q could end P's wait": Q holds the lock P wants; Q
// is the other end of the pipe P sends on (it must read) or receives on
// (it must send); Q gets from the queue P cannot put on, or puts on the
// queue P cannot get from; Q is the child P joins; Q uses the barrier,
// event, condition or semaphore P waits at and is not waiting there
// itself. A lock edge is the only one that says "holds"; the others are
// "could": any one of a blocked put's consumers would do.
//
// Deadlock: a set of blocked processes each of which only processes of the
// set could wake, so none of them ever will (for locks and pipes, where
// each waits for exactly one other, this is a cycle; for a put that any of
// several consumers could end, all of them must be stuck too). The graph
// names one cycle through that set, edge by edge. Only the living count:
// a process that has ended wakes nobody and has no edges; a killed lock
// holder's lock passes to a waiter as owner-died, so its edges go with it.
//
// This is a picture of one instant. Scenario confirms a deadlock only when
// the same set has stayed stuck, with no progress, for a while (scenario.h),
// so a wait that the next microsecond ends is never called a deadlock.
#pragma once

#include "board.h"
#include "scenario.h"

#include <span>
#include <string>
#include <vector>

namespace ipc {

struct Snapshot;

struct WaitEdge {
    std::uint32_t waiter = 0;         // slot of the waiting process
    std::uint32_t waitsFor = 0;       // slot of a process that could end the wait
    ProcState state = ProcState::Empty; // the waiter's state: what kind of wait
    std::uint32_t object = kNoObject; // what it waits on (kNoObject: a process it joins)
    friend bool operator==(const WaitEdge &, const WaitEdge &) = default;
};

struct WaitForGraph {
    std::vector<WaitEdge> edges;
    // The deadlocked processes (slots, ascending): blocked, and every
    // process that could wake one of them is one of them. Empty: none.
    std::vector<std::uint32_t> stuck;
    // One cycle through them, edge by edge, from the lowest slot; empty
    // when nothing is deadlocked.
    std::vector<WaitEdge> cycle;

    [[nodiscard]] bool deadlocked() const noexcept { return !cycle.empty(); }
    friend bool operator==(const WaitForGraph &, const WaitForGraph &) = default;
};

// A deadlock as the scenario confirmed it (Scenario::deadlock()): its edges
// with the names and pids of that moment, for the window and the result.
struct Deadlock {
    struct Edge {
        WaitEdge edge;
        std::int32_t pid = 0, waitsForPid = 0;
        std::string role, waitsForRole;
        std::string object; // what it waits on; empty for a join
        std::string text;   // describe(edge)
    };
    std::vector<std::uint32_t> stuck; // WaitForGraph::stuck
    std::vector<Edge> cycle;
    std::vector<Edge> edges; // every edge between the stuck processes
    std::string text;        // the cycle in words
};

[[nodiscard]] WaitForGraph waitForGraph(const Snapshot &snapshot, std::span<const Link> links);

// "philosopher 4711 waits for philosopher 4712's fork 2": one edge in the
// words the window and the CLI use (a process is its role and pid, as in
// the diagram).
[[nodiscard]] std::string describe(const WaitEdge &edge, const Snapshot &snapshot);
// The cycle's edges joined by ", ".
[[nodiscard]] std::string describeCycle(const std::vector<WaitEdge> &cycle, const Snapshot &snapshot);
// The graph's deadlock with the snapshot's names; graph.deadlocked() must hold.
[[nodiscard]] Deadlock describeDeadlock(const WaitForGraph &graph, const Snapshot &snapshot);

} // namespace ipc
