// TraceLog: a run's event trace (ipc/trace.h) as its reader keeps it, and
// what the pictures draw from it: which message went from whom to whom,
// when each process was blocked or held a lock, who handed a lock to whom.
//
// drain() takes every event the processes' rings hold (the sampler calls
// it on each tick, so a paced run loses nothing), and the signals the run
// sent them, and keeps them in time order; a ring that was full counted
// what it refused, and dropped() sums those counts. The pairing is done as
// events arrive, in either order:
//   Put #i of a queue  -> Get #i of the same queue
//   Send #n on a pipe's direction -> Recv #n in that direction
// (a put or send that never completed leaves its number to the next one:
// the last of a number is the one paired). Per process, its ring is in
// order, so its intervals (blocked, in a critical section, ...) are exact.
//
// The Chrome trace-event JSON (Perfetto, chrome://tracing) is written from
// it by chromeTraceJson().
//
// Threads: the one that owns the Run.
#pragma once

#include "board.h"
#include "trace.h"

#include <QByteArray>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace ipc {

class Run;

struct TracedEvent {
    std::uint32_t slot = 0; // the process (its board slot)
    TraceEvent event;
    friend bool operator==(const TracedEvent &, const TracedEvent &) = default;
};

// A queue item or a pipe message, from the operation that sent it to the
// one that took it.
struct MessageArrow {
    TraceKind kind = TraceKind::Put; // Put (a queue item) or Send (a pipe message)
    std::uint32_t object = kNoObject;
    std::int64_t seq = 0;            // item number, or message number in its direction
    std::uint16_t direction = 0;     // pipes: 0 end A to B, 1 B to A
    std::uint32_t fromSlot = 0;
    std::uint32_t toSlot = 0;
    std::uint64_t sentNs = 0;
    std::uint64_t receivedNs = 0;
};

// A stretch of time a process spent in one state other than Running.
struct StateInterval {
    std::uint32_t slot = 0;
    ProcState state = ProcState::Running;
    std::uint32_t object = kNoObject;
    std::uint64_t beginNs = 0;
    std::uint64_t endNs = 0; // 0: still in it
};

// A lock released by one process and next acquired by another.
struct LockHandoff {
    std::uint32_t object = kNoObject;
    std::uint32_t fromSlot = 0;
    std::uint32_t toSlot = 0;
    std::uint64_t releasedNs = 0;
    std::uint64_t acquiredNs = 0;
    bool ownerDied = false; // from a holder that died holding it (the kernel handed it over)
};

// A waiter let go by another process: the last arrival at a barrier, an
// event's set, a condition's notify, a semaphore's release, to the end of
// a wait on that object.
struct Wakeup {
    std::uint32_t object = kNoObject;
    ProcState wait = ProcState::WaitingBarrier; // what the woken one was doing
    std::uint32_t fromSlot = 0;
    std::uint32_t toSlot = 0;
    std::uint64_t wokeNs = 0;
    std::uint64_t resumedNs = 0;
};

// A signal the run sent a process (Run::takeSentSignals).
struct SignalMark {
    std::uint32_t slot = 0;
    int signal = 0;
    std::uint64_t timeNs = 0;
};

struct TracedProcess {
    std::uint32_t slot = 0;
    std::int32_t pid = 0;
    std::string role;
    std::uint64_t firstNs = 0;   // its first event
    std::uint64_t lastNs = 0;    // its last event
    bool exited = false;
    std::int64_t exitStatus = 0; // valid when exited: 0, N or -signal
};

class TraceLog {
public:
    // Events kept at most (about 40 MB); beyond it, events are counted in
    // dropped() rather than kept.
    static constexpr std::size_t kMaxEvents = 1'000'000;

    void clear();
    // Takes every event the run's rings hold; returns how many. Does
    // nothing for a run that is not traced.
    std::size_t drain(Run &run);
    // Events from elsewhere (a recording, a test), as drain() takes them:
    // each process's in its order. Names for the processes and objects.
    void add(std::vector<TracedEvent> events);
    void describeProcess(std::uint32_t slot, std::int32_t pid, std::string role);
    void describeObjects(std::vector<std::string> names) { m_objectNames = std::move(names); }
    // Events a recording says its run could not trace.
    void addDropped(std::uint64_t n) noexcept { m_notKept += n; }
    [[nodiscard]] const std::vector<std::string> &objectNames() const noexcept { return m_objectNames; }

    // Every event kept, in time order.
    [[nodiscard]] const std::vector<TracedEvent> &events() const noexcept { return m_events; }
    // Events the processes could not write (their ring was full) or this
    // log could not keep.
    [[nodiscard]] std::uint64_t dropped() const noexcept;
    [[nodiscard]] const std::vector<TracedProcess> &processes() const noexcept { return m_processes; }
    // The arena's name of an object (directory index), or "#N".
    [[nodiscard]] std::string objectName(std::uint32_t object) const;

    // Paired messages, in the order their receipt was traced.
    [[nodiscard]] const std::vector<MessageArrow> &messages() const noexcept { return m_messages; }
    // Sent (put, send) and not (yet) received: still in its queue or pipe.
    // Queues and pipes are FIFO, so a send whose number is below the last
    // one received on its queue or pipe direction was received, even if
    // its receipt was not traced (a full ring at full speed).
    [[nodiscard]] std::vector<MessageArrow> unreceived() const;
    [[nodiscard]] const std::vector<StateInterval> &intervals() const noexcept { return m_intervals; }
    [[nodiscard]] const std::vector<LockHandoff> &handoffs() const noexcept { return m_handoffs; }
    // The signals the run sent (SIGSTOP, SIGCONT, SIGKILL), in time order.
    // A process stopped by SIGSTOP has a Paused interval up to its SIGCONT
    // or its end, beside (not instead of) what it was doing when stopped.
    [[nodiscard]] const std::vector<SignalMark> &signals() const noexcept { return m_signals; }
    // Who let whom go: each wait on a barrier, an event, a condition or a
    // semaphore that ended after a Wake of the same object, stamped after
    // the wait began, by another process (a wake of n is used n times).
    [[nodiscard]] const std::vector<Wakeup> &wakeups() const noexcept { return m_wakeups; }
    // The time of the first event (0 when empty).
    [[nodiscard]] std::uint64_t startNs() const noexcept { return m_events.empty() ? 0 : m_events.front().event.timeNs; }

private:
    void take(const TracedEvent &e);
    void takeState(const TracedEvent &e, ProcState state);
    void keepInOrder(std::vector<TracedEvent> &batch);
    TracedProcess &process(std::uint32_t slot);

    // (kind of the sending side, object, direction, number)
    using MessageKey = std::tuple<std::uint8_t, std::uint32_t, std::uint16_t, std::int64_t>;
    std::vector<TracedEvent> m_events;
    std::vector<TracedProcess> m_processes; // by slot
    std::vector<std::string> m_objectNames; // by directory index
    std::vector<std::uint64_t> m_ringDropped; // by slot: the ring's own count
    std::uint64_t m_notKept = 0;
    std::map<MessageKey, TracedEvent> m_unmatchedSends;
    std::map<MessageKey, TracedEvent> m_unmatchedReceipts;
    // Per queue or pipe direction (kind, object, direction): the highest
    // number received so far.
    std::map<std::tuple<std::uint8_t, std::uint32_t, std::uint16_t>, std::int64_t> m_lastReceived;
    void forgetUnpairable();
    std::vector<MessageArrow> m_messages;
    std::vector<StateInterval> m_intervals;
    std::vector<LockHandoff> m_handoffs;
    std::vector<std::size_t> m_openInterval; // by slot: index in m_intervals, or npos
    std::vector<std::size_t> m_openPause;    // by slot: its Paused interval, or npos
    std::vector<SignalMark> m_signals;
    struct PendingWake {
        std::uint32_t slot;
        std::uint64_t timeNs;
        std::int64_t left; // waiters it may still wake; 0: all of them
    };
    std::map<std::uint32_t, std::vector<PendingWake>> m_pendingWakes; // by object, oldest first
    std::vector<Wakeup> m_wakeups;
    void takeWake(const TracedEvent &e);
    void pairWake(const StateInterval &wait);
    void takeSignal(const TracedEvent &e);
    void endPause(std::uint32_t slot, std::uint64_t timeNs);
    struct Release {
        std::uint32_t slot;
        std::uint64_t timeNs;
    };
    std::map<std::uint32_t, Release> m_lastRelease; // by lock object
};

// Which side of a message an event is, and the key both sides share.
[[nodiscard]] bool isSendingSide(TraceKind kind) noexcept;
[[nodiscard]] bool isReceivingSide(TraceKind kind) noexcept;

// Extra counter tracks for the trace export (a lesson's metrics over time).
struct CounterTrack {
    std::string name;
    std::vector<std::pair<std::uint64_t, double>> points; // (CLOCK_MONOTONIC ns, value)
};

// The trace in Chrome's trace-event JSON, which Perfetto and
// chrome://tracing open: one track per process (named by role and pid),
// a slice for each interval (blocked, in a critical section, ...) and for
// each put/get/send/recv, a flow from each sent message to its receipt,
// counters for each queue's depth and for `counters`. Times in
// microseconds from `originNs`.
[[nodiscard]] QByteArray chromeTraceJson(const TraceLog &log, std::uint64_t originNs,
                                         const std::vector<CounterTrack> &counters = {});

} // namespace ipc
