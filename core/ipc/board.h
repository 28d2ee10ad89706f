// The telemetry board: one slot per process of a run, in the arena.
//
// Writers: each worker writes only its own slot (single writer per slot),
// with relaxed atomic stores. Readers: the GUI's sampler reads any slot at
// any time with relaxed loads and never takes a lock a worker could wait on,
// so observing does not change what is observed. The engine (parent) fills
// pid, role and exit status; the worker fills the rest.
//
// Instrumented primitives call StateScope / setState, which cost one
// predictable branch when this process has no slot (currentSlot() null).
#pragma once

#include "arena.h"
#include "posix_call.h"
#include "trace.h"

#include <atomic>
#include <cstdint>
#include <string_view>

namespace ipc {

enum class ProcState : std::uint32_t {
    Empty = 0,         // slot unused
    Starting,          // spawned, not yet attached
    Running,           // doing its own work
    BlockedPut,        // queue full
    BlockedGet,        // queue empty
    BlockedSend,       // pipe buffer full
    BlockedRecv,       // nothing to read
    WaitingLock,       // lock held by another process
    InCriticalSection, // holds a lock
    WaitingBarrier,
    WaitingEvent,
    WaitingCondition,
    WaitingSemaphore,
    WaitingJoin,       // JoinableQueue.join or joining a child
    Sleeping,          // pacing itself (rate limit, work time)
    Paused,            // SIGSTOPped by the lecturer (set by the engine)
    Finished,          // exited with status 0
    Failed,            // exited with a non-zero status
    Killed,            // died of a signal
    // Has returned from its role and exits, but its parent has not joined
    // it yet: a zombie (state Z in /proc) until it is reaped. Set by the
    // worker itself as it exits; the reaper overwrites it with Finished,
    // Failed or Killed (recordExit).
    Exited,
    WaitingStep, // step mode: at its gate until the lecturer lets it take a step (step_gate.h)
    Count_
};

[[nodiscard]] std::string_view procStateName(ProcState s) noexcept;

struct BoardSlot;
// The reaper of a process (its parent) books how it ended: exit status 0
// Finished, N Failed, -signal Killed.
void recordExit(BoardSlot &slot, int exitCode) noexcept;
// Blocking states count towards BoardSlot::blockedNs.
[[nodiscard]] constexpr bool isBlocking(ProcState s) noexcept
{
    return (s >= ProcState::BlockedPut && s <= ProcState::WaitingLock) ||
           (s >= ProcState::WaitingBarrier && s <= ProcState::WaitingJoin);
}
[[nodiscard]] constexpr bool isTerminal(ProcState s) noexcept
{
    return s == ProcState::Finished || s == ProcState::Failed || s == ProcState::Killed;
}


// What a role counts. Each role documents which it uses.
enum class Counter : std::uint32_t {
    ItemsPut = 0,
    ItemsGot,
    MessagesSent,
    MessagesReceived,
    BytesSent,
    BytesReceived,
    Custom0, // role-specific, e.g. lost updates seen, time steps done
    Custom1,
    Count_
};

struct alignas(64) BoardSlot {
    static constexpr std::size_t kRoleSize = 24;
    static constexpr std::size_t kCounters = std::size_t(Counter::Count_);

    std::atomic<std::int32_t> pid;        // engine, at spawn
    std::atomic<std::int32_t> exitStatus; // engine: 0, N, or -signal (valid when terminal)
    std::atomic<std::uint32_t> state;     // ProcState
    std::atomic<std::uint32_t> object;    // directory index the state refers to, or kNoObject
    char role[kRoleSize];                 // engine, before spawn; NUL-terminated
    std::atomic<std::uint64_t> ops;       // the role's unit of work done
    std::atomic<std::uint64_t> blockedNs; // total time in blocking states
    std::atomic<std::uint64_t> stateSinceNs;
    std::atomic<std::uint64_t> heartbeatNs;
    std::atomic<std::uint64_t> counters[kCounters];
    // WaitingJoin on a process of the run: its slot + 1 (0 = none, or the
    // join is on an object). The wait-for graph's edge to the child.
    std::atomic<std::uint32_t> joinsSlotPlusOne;
    // This process's trace ring (trace.h), as an offset from this slot
    // (the same in every mapping of the arena); 0: the run is not traced.
    // Written by the engine at claim, before the process starts.
    std::int64_t traceDelta;

    [[nodiscard]] TraceRing *traceRing() noexcept
    {
        return traceDelta ? reinterpret_cast<TraceRing *>(reinterpret_cast<char *>(this) + traceDelta)
                          : nullptr;
    }

    [[nodiscard]] ProcState currentState() const noexcept
    {
        return ProcState(state.load(std::memory_order_relaxed));
    }
    void add(Counter c, std::uint64_t n) noexcept
    {
        // Single writer: load+store is enough and avoids a locked RMW.
        auto &a = counters[std::size_t(c)];
        a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void addOps(std::uint64_t n) noexcept
    {
        ops.store(ops.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t counter(Counter c) const noexcept
    {
        return counters[std::size_t(c)].load(std::memory_order_relaxed);
    }
};

struct Board {
    static constexpr ObjectKind kKind = ObjectKind::Board;
    static constexpr std::uint32_t kMaxSlots = 128;

    std::atomic<std::uint32_t> slotCount{0}; // slots handed out (engine)
    // The run's Trace, as an offset from this board; 0: not traced.
    std::int64_t traceDelta = 0;
    BoardSlot slots[kMaxSlots]{};

    // Engine, before the first claim: trace every process of the run.
    void attachTrace(Trace *trace) noexcept
    {
        traceDelta = reinterpret_cast<char *>(trace) - reinterpret_cast<char *>(this);
    }

    // Engine: take the next free slot for a process about to start.
    [[nodiscard]] Result<BoardSlot *> claim(std::string_view role) noexcept;
    [[nodiscard]] BoardSlot *slot(std::uint32_t index) noexcept
    {
        return index < slotCount.load(std::memory_order_acquire) ? &slots[index] : nullptr;
    }
};

static_assert(Trace::kRings == Board::kMaxSlots, "one trace ring per board slot");

namespace telemetry {

// This process's slot; null when no board is attached (tests, benchmarks).
inline BoardSlot *g_currentSlot = nullptr;

[[nodiscard]] inline BoardSlot *currentSlot() noexcept { return g_currentSlot; }
// Also attaches the slot's trace ring, if the run is traced.
inline void attach(BoardSlot *slot) noexcept
{
    g_currentSlot = slot;
    g_currentTrace = slot ? slot->traceRing() : nullptr;
}

// Every change of state is an event of the trace (trace.h).
inline void traceState(ProcState s, std::uint32_t object) noexcept
{
    if (TraceRing *ring = g_currentTrace) [[unlikely]]
        ring->push(TraceKind::State, object, 0, std::uint8_t(s));
}

// Set this process's state, not scoped (a lock holder is InCriticalSection
// from acquire to release). Only a blocking state's start is timed (the
// blocked time and the deadlock checks read stateSinceNs, nothing else
// does): the Lock sets InCriticalSection and Running on every acquire and
// release, and a clock read each time cost it three quarters of its speed.
inline void setState(ProcState s, std::uint32_t object = kNoObject) noexcept
{
    if (BoardSlot *slot = g_currentSlot) [[unlikely]] {
        slot->object.store(object, std::memory_order_relaxed);
        slot->state.store(std::uint32_t(s), std::memory_order_relaxed);
        if (isBlocking(s)) slot->stateSinceNs.store(monotonicNs(), std::memory_order_relaxed);
        traceState(s, object);
    }
}

// Say which process of the run this one is about to join (WaitingJoin
// with no object), for the wait-for graph; kNoObject: none.
inline void setJoining(std::uint32_t slot) noexcept
{
    if (BoardSlot *s = g_currentSlot) [[unlikely]]
        s->joinsSlotPlusOne.store(slot == kNoObject ? 0 : slot + 1, std::memory_order_relaxed);
}

// Count a wait too short to have been marked (see Queue::waitOn).
inline void addBlockedNs(std::uint64_t ns) noexcept
{
    if (BoardSlot *slot = g_currentSlot) [[unlikely]]
        slot->blockedNs.store(slot->blockedNs.load(std::memory_order_relaxed) + ns,
                              std::memory_order_relaxed);
}

} // namespace telemetry

// Marks a blocking wait on the board for its lifetime, then restores the
// previous state and adds the time spent to blockedNs.
class StateScope {
public:
    // alreadyNs: the wait began that long ago (a spin that counted its
    // pauses before it marked the board).
    explicit StateScope(ProcState s, std::uint32_t object = kNoObject,
                        std::uint64_t alreadyNs = 0) noexcept
        : m_slot(telemetry::g_currentSlot)
    {
        if (m_slot) [[unlikely]] {
            m_prevState = m_slot->state.load(std::memory_order_relaxed);
            m_prevObject = m_slot->object.load(std::memory_order_relaxed);
            m_startNs = monotonicNs() - alreadyNs;
            // Re-entering the state it is already in (a wait retried in a
            // loop inside an outer scope) keeps its start time, so "blocked
            // for how long" stays true.
            m_same = m_prevState == std::uint32_t(s) && m_prevObject == object;
            m_counts = isBlocking(s) && !m_same;
            if (!m_same) {
                m_slot->object.store(object, std::memory_order_relaxed);
                m_slot->state.store(std::uint32_t(s), std::memory_order_relaxed);
                m_slot->stateSinceNs.store(m_startNs, std::memory_order_relaxed);
                telemetry::traceState(s, object);
            }
        }
    }
    ~StateScope()
    {
        if (m_slot) [[unlikely]] {
            const std::uint64_t now = monotonicNs();
            if (m_same) return;
            if (m_counts)
                m_slot->blockedNs.store(m_slot->blockedNs.load(std::memory_order_relaxed) +
                                            (now - m_startNs),
                                        std::memory_order_relaxed);
            m_slot->object.store(m_prevObject, std::memory_order_relaxed);
            m_slot->state.store(m_prevState, std::memory_order_relaxed);
            m_slot->stateSinceNs.store(now, std::memory_order_relaxed);
            telemetry::traceState(ProcState(m_prevState), m_prevObject);
        }
    }
    StateScope(const StateScope &) = delete;
    StateScope &operator=(const StateScope &) = delete;

private:
    BoardSlot *m_slot;
    std::uint32_t m_prevState = 0;
    std::uint32_t m_prevObject = kNoObject;
    std::uint64_t m_startNs = 0;
    bool m_counts = false;
    bool m_same = false;
};

} // namespace ipc
