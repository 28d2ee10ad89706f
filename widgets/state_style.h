// How a process state looks everywhere in the window (diagram, table,
// timeline, legend): one colour per group of states, chosen to stay apart
// on a projector and for the common colour-vision deficiencies (the
// blocked/waiting group is orange-red, running is blue, the critical section
// dark blue with white text, the terminal states grey to black).
#pragma once

#include "board.h"

#include <QColor>
#include <QString>

#include <array>

namespace ipc {

enum class StateGroup {
    Starting,
    Running,
    BlockedSending,   // put on a full queue, send into a full pipe
    BlockedReceiving, // get from an empty queue, recv from an empty pipe
    WaitingLock,
    CriticalSection,
    WaitingOther,     // barrier, event, condition, semaphore, join
    Sleeping,
    Paused,
    Zombie,           // exited, not yet joined by its parent
    Finished,
    Failed,
    Killed,
    Count_
};

[[nodiscard]] StateGroup stateGroup(ProcState s) noexcept;
[[nodiscard]] QColor groupColor(StateGroup g);
[[nodiscard]] QColor groupTextColor(StateGroup g); // readable on groupColor
[[nodiscard]] QString groupLabel(StateGroup g);
[[nodiscard]] inline QColor stateColor(ProcState s) { return groupColor(stateGroup(s)); }
[[nodiscard]] inline QColor stateTextColor(ProcState s) { return groupTextColor(stateGroup(s)); }
// "blocked on put", "killed", ...
[[nodiscard]] QString stateLabel(ProcState s);

} // namespace ipc
