// The event trace: what each process did to the shared objects, in order,
// with a CLOCK_MONOTONIC time stamp -- the record the message sequence
// chart and the Chrome trace export are drawn from (engine/trace_log.h).
//
// One ring per process of a run (its board slot's), in the arena, with a
// single writer: the process itself, and after it has died its reaper,
// which books how it ended (recordExit). One reader: the sampler, which
// drains every ring on each tick. The writer never waits: when its ring is
// full (the reader has not come by for a whole ring's worth of events: at
// full speed, not at the paced speeds of a lecture) it counts the event in
// `dropped` instead, without reading the clock, so tracing a run at full
// speed costs little and says exactly what it left out.
//
// What is traced (telemetry::trace*, called by the primitives):
//   State  every change of the process's board state (board.h): running,
//          blocked on put/get/send/recv, waiting for a lock, a barrier, an
//          event, a condition, a semaphore, a join, in a critical section,
//          exited. `object` is the directory index it refers to.
//   Put / Get    a queue item, `seq` its number (every put ever, from 0),
//          the same number on both sides.
//   Send / Recv  a pipe message, `seq` its number in its direction, `aux`
//          the direction (0: end A to end B, 1: B to A).
//   Exit   booked by the reaper: `seq` the exit status (0, N, -signal).
//
// Kill safety: an event is written into the slot at head and only then
// published with one release store of head + 1. A process killed between
// the two leaves its ring as it was; the reaper's Exit event takes the slot.
// A ring belongs to one process, so nothing another process writes is at risk.
//
// Off (no Trace in the arena, or a process without a board slot): every
// hook is one branch on a null pointer.
#pragma once

#include "arena.h"
#include "posix_call.h"

#include <atomic>
#include <cstdint>

namespace ipc {

enum class TraceKind : std::uint8_t {
    State = 1, // entered a ProcState (state)
    Put,       // a queue item, by number (seq)
    Get,
    Send,      // a pipe message, by number (seq) per direction (aux)
    Recv,
    Exit,      // booked by the reaper: the exit status (seq)
    Start,     // the process attached to the run: its pid (seq)
    OwnerDied, // took a lock (object) whose holder, pid seq, had died holding it
    // The run sent it signal seq (SIGSTOP, SIGCONT, SIGKILL): booked by the
    // engine as it sends it (a ring has one writer), never in a ring.
    Signal,
    // Let the waiters of object go (seq: how many it may wake, 0 all): an
    // event set, a barrier released by its last arrival, a condition
    // notified, a semaphore released. Stamped before the store that frees
    // them, so each woken one's end of waiting comes after it.
    Wake,
};

struct TraceEvent {
    std::uint64_t timeNs = 0; // CLOCK_MONOTONIC
    std::int64_t seq = 0;     // item or message number; exit status for Exit
    std::uint32_t object = kNoObject;
    TraceKind kind = TraceKind::State;
    std::uint8_t state = 0;   // State: the ProcState entered
    std::uint16_t aux = 0;    // Send/Recv: direction
    friend bool operator==(const TraceEvent &, const TraceEvent &) = default;
};
static_assert(sizeof(TraceEvent) == 24);

struct TraceRing {
    static constexpr std::uint32_t kCapacity = 512;

    // The writer's line: what it wrote, what it refused, and the last tail
    // it saw (so it reads the reader's line only when the ring looks full).
    alignas(64) std::atomic<std::uint64_t> head{0};
    std::atomic<std::uint64_t> dropped{0};
    std::uint64_t tailSeen = 0;
    // The reader's line.
    alignas(64) std::atomic<std::uint64_t> tail{0};
    TraceEvent events[kCapacity]{};

    // Writer: appends an event stamped now, or counts it as dropped.
    void push(TraceKind kind, std::uint32_t object, std::int64_t seq, std::uint8_t state = 0,
              std::uint16_t aux = 0) noexcept
    {
        const std::uint64_t h = head.load(std::memory_order_relaxed);
        if (h - tailSeen >= kCapacity) {
            tailSeen = tail.load(std::memory_order_acquire);
            if (h - tailSeen >= kCapacity) {
                dropped.store(dropped.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
                return;
            }
        }
        TraceEvent &e = events[h % kCapacity];
        e.timeNs = monotonicNs();
        e.seq = seq;
        e.object = object;
        e.kind = kind;
        e.state = state;
        e.aux = aux;
        head.store(h + 1, std::memory_order_release);
    }

    // Reader: hands every published event to `take` in order and frees
    // them; returns how many. A head that claims more than a ring's worth
    // (a scribbled arena) is read as a full ring, never past it.
    template <class F>
    std::uint64_t drain(F &&take) noexcept
    {
        const std::uint64_t h = head.load(std::memory_order_acquire);
        std::uint64_t t = tail.load(std::memory_order_relaxed);
        if (h - t > kCapacity) t = h - kCapacity;
        const std::uint64_t n = h - t;
        for (; t != h; ++t) take(static_cast<const TraceEvent &>(events[t % kCapacity]));
        tail.store(h, std::memory_order_release);
        return n;
    }
};

// The arena object: one ring per board slot. Its presence turns tracing on
// for the run (Run::create with tracing).
struct Trace {
    static constexpr ObjectKind kKind = ObjectKind::Trace;
    static constexpr std::uint32_t kRings = 128; // Board::kMaxSlots (checked in board.h)

    TraceRing rings[kRings];
};

namespace telemetry {

// This process's ring; null when the run is not traced.
inline TraceRing *g_currentTrace = nullptr;

inline void trace(TraceKind kind, std::uint32_t object, std::int64_t seq, std::uint16_t aux = 0) noexcept
{
    if (TraceRing *ring = g_currentTrace) [[unlikely]]
        ring->push(kind, object, seq, 0, aux);
}

} // namespace telemetry

} // namespace ipc
