// Leftovers of a killed run. What a run keeps outside its own memory -- the
// manager's and a Listener's socket directories, a SharedMemory block
// between its creation and the unlink once every side has attached -- is
// named after the process that made it ("ipc-manager-<pid>-XXXXXX",
// "ipc-cmp-<pid>-3"). A process killed with SIGKILL runs no destructor, so
// those names stay; the next start of the program removes every one whose
// owner is gone (sweepLeftovers) and says what it removed.
//
// Only this user's names with our prefixes are touched; a name whose pid
// has been reused by a live process stays until that process ends.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace ipc {

// "<prefix>-<pid of this process>": the start of every such name.
[[nodiscard]] std::string ownedName(std::string_view prefix);

// A new name for a SharedMemory block: "<prefix>-<pid>-<n>", n counting
// up in this process.
[[nodiscard]] std::string ownedBlockName(std::string_view prefix);

struct Leftover {
    std::string path; // what was removed: a directory or /dev/shm/NAME
    pid_t owner = 0;  // the process that made it, gone
};

// Removes the socket directories (in $XDG_RUNTIME_DIR and /tmp) and the
// blocks (in /dev/shm) whose owner has exited; returns what it removed.
[[nodiscard]] std::vector<Leftover> sweepLeftovers();

} // namespace ipc
