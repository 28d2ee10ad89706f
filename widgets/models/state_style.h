// How a process state looks everywhere in the window (diagram, table,
// timeline, legend): one colour per group of states, chosen to stay apart
// on a projector and for the common colour-vision deficiencies (the
// blocked/waiting group is orange-red, running is blue, the critical section
// dark blue with white text, the terminal states grey to black).
#pragma once

#include "board.h"
#include "snapshot.h"

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
    WaitingStep,      // step mode: at its gate, for the lecturer's step
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
// The one colour of a deadlock: the outline of its processes, the lines of
// its cycle, the words that name it.
[[nodiscard]] inline QColor deadlockColor() { return QColor(0x6a, 0x1b, 0x9a); }
[[nodiscard]] inline QColor stateColor(ProcState s) { return groupColor(stateGroup(s)); }
[[nodiscard]] inline QColor stateTextColor(ProcState s) { return groupTextColor(stateGroup(s)); }
// "blocked on put", "killed", ...
[[nodiscard]] QString stateLabel(ProcState s);
// What a process shows as its state: the state's label, or in step mode
// at its gate the step it will take next ("next: write 42"), with the
// value its last read step read, its private copy ("copy: 41").
[[nodiscard]] QString processStateText(const ProcessSnapshot &p);

} // namespace ipc
