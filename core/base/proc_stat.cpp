#include "proc_stat.h"

#include "posix_call.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ipc {

std::optional<ProcStat> readProcStat(pid_t pid) noexcept
{
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%d/stat", int(pid));
    const int fd = retryOnEintr([&] { return ::open(path, O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return std::nullopt;
    char buf[1024];
    const ssize_t n = retryOnEintr([&] { return ::read(fd, buf, sizeof buf - 1); });
    const int readErr = errno;
    ::close(fd);
    if (n < 0) return errno = readErr, std::nullopt;
    buf[n] = '\0';
    const char *p = std::strrchr(buf, ')');
    if (!p || p[1] != ' ') return errno = EINVAL, std::nullopt;
    ProcStat out;
    out.state = p[2];
    // Field 3 is the state; utime and stime are fields 14 and 15.
    p += 2;
    for (int field = 3; field < 15; ++field) {
        while (*p && *p != ' ') ++p;
        while (*p == ' ') ++p;
        if (!*p) return errno = EINVAL, std::nullopt;
        if (field + 1 == 14) out.utimeTicks = std::strtoull(p, nullptr, 10);
        if (field + 1 == 15) out.stimeTicks = std::strtoull(p, nullptr, 10);
    }
    return out;
}

} // namespace ipc
