#include "board.h"

#include <cstring>

namespace ipc {

std::string_view procStateName(ProcState s) noexcept
{
    switch (s) {
    case ProcState::Empty: return "empty";
    case ProcState::Starting: return "starting";
    case ProcState::Running: return "running";
    case ProcState::BlockedPut: return "blocked on put";
    case ProcState::BlockedGet: return "blocked on get";
    case ProcState::BlockedSend: return "blocked on send";
    case ProcState::BlockedRecv: return "blocked on recv";
    case ProcState::WaitingLock: return "waiting for lock";
    case ProcState::InCriticalSection: return "in critical section";
    case ProcState::WaitingBarrier: return "waiting at barrier";
    case ProcState::WaitingEvent: return "waiting for event";
    case ProcState::WaitingCondition: return "waiting on condition";
    case ProcState::WaitingSemaphore: return "waiting on semaphore";
    case ProcState::WaitingJoin: return "waiting for join";
    case ProcState::Sleeping: return "sleeping";
    case ProcState::Paused: return "paused";
    case ProcState::Finished: return "finished";
    case ProcState::Failed: return "failed";
    case ProcState::Killed: return "killed";
    case ProcState::Exited: return "zombie (not joined)";
    case ProcState::WaitingStep: return "waiting for its step";
    case ProcState::Count_: break;
    }
    return "unknown";
}

void recordExit(BoardSlot &s, int exitCode) noexcept
{
    s.exitStatus.store(exitCode, std::memory_order_relaxed);
    const ProcState terminal = exitCode == 0  ? ProcState::Finished
                               : exitCode < 0 ? ProcState::Killed
                                              : ProcState::Failed;
    s.state.store(std::uint32_t(terminal), std::memory_order_relaxed);
    s.stateSinceNs.store(monotonicNs(), std::memory_order_relaxed);
    // The process is gone (its reaper books this), so its ring has no
    // other writer now.
    if (TraceRing *ring = s.traceRing()) ring->push(TraceKind::Exit, kNoObject, exitCode);
}

Result<BoardSlot *> Board::claim(std::string_view role) noexcept
{
    const std::uint32_t index = slotCount.load(std::memory_order_relaxed);
    if (index >= kMaxSlots)
        return fail(Errc::Full, "telemetry board is full (" + std::to_string(kMaxSlots) +
                                    " processes per run)");
    BoardSlot &s = slots[index];
    const std::size_t n = role.size() < BoardSlot::kRoleSize - 1 ? role.size()
                                                                  : BoardSlot::kRoleSize - 1;
    std::memset(s.role, 0, sizeof s.role);
    std::memcpy(s.role, role.data(), n);
    s.object.store(kNoObject, std::memory_order_relaxed);
    s.traceDelta = 0;
    if (traceDelta) {
        auto *trace = reinterpret_cast<Trace *>(reinterpret_cast<char *>(this) + traceDelta);
        s.traceDelta = reinterpret_cast<char *>(&trace->rings[index]) - reinterpret_cast<char *>(&s);
    }
    s.state.store(std::uint32_t(ProcState::Starting), std::memory_order_relaxed);
    s.stateSinceNs.store(monotonicNs(), std::memory_order_relaxed);
    slotCount.store(index + 1, std::memory_order_release);
    return &s;
}

} // namespace ipc
