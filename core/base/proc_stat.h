// ProcStat: what the project reads of /proc/PID/stat -- whether a process
// has ended but not been reaped (a zombie), and the CPU time it used.
//
// The line is "pid (comm) state ppid ..."; comm is the process's name and
// may hold spaces and parentheses, so fields are counted from the last ')'.
// Reads into a buffer on the stack: no allocation, usable on a lock's slow
// path.
#pragma once

#include <cstdint>
#include <optional>
#include <sys/types.h>

namespace ipc {

struct ProcStat {
    char state = '?';             // R, S, D, Z (zombie), X (dead), ...
    std::uint64_t utimeTicks = 0; // user CPU time, in clock ticks (sysconf(_SC_CLK_TCK))
    std::uint64_t stimeTicks = 0; // system CPU time, likewise
};

// Empty when the file cannot be read or parsed; errno then says why
// (ENOENT: no such process; EINVAL: a line this parser does not know).
[[nodiscard]] std::optional<ProcStat> readProcStat(pid_t pid) noexcept;

} // namespace ipc
