#include "unix_socket.h"

#include "leftovers.h"
#include "posix_call.h"

#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace ipc {

Result<sockaddr_un> unixSocketAddress(std::string_view path)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        return fail(Errc::InvalidArgument, "socket path '" + std::string(path) + "' must have 1 to " +
                                               std::to_string(sizeof addr.sun_path - 1) + " characters");
    std::memcpy(addr.sun_path, path.data(), path.size());
    return addr;
}

Result<int> connectUnixSocket(std::string_view path, std::string_view what)
{
    auto address = unixSocketAddress(path);
    if (!address) return std::unexpected(address.error());
    sockaddr_un addr = *address;
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return failErrno("socket", errno);
    if (retryOnEintr([&] { return ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr); }) == 0)
        return fd;
    const int err = errno;
    ::close(fd);
    if (err == ECONNREFUSED)
        return fail(Errc::Closed, "nobody listens on '" + std::string(path) + "' (" + std::string(what) +
                                      " has exited or died)");
    if (err == ENOENT)
        return fail(Errc::NotFound, "no socket at '" + std::string(path) + "' (" + std::string(what) +
                                        " is not running)");
    return failErrno("connect to '" + std::string(path) + "'", err);
}

Result<std::string> makePrivateSocketDirectory(std::string_view prefix, std::size_t room)
{
    // The pid in the name lets the next start remove it if this process is
    // killed before it can (leftovers.h).
    const std::string leaf = "/" + ownedName(prefix) + "-XXXXXX";
    std::string base = "/tmp";
    if (const char *xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) {
        const std::string candidate(xdg);
        if (candidate.size() + leaf.size() + room < sizeof(sockaddr_un::sun_path) &&
            access(candidate.c_str(), W_OK | X_OK) == 0)
            base = candidate;
    }
    std::string path = base + leaf;
    if (!mkdtemp(path.data())) return failErrno("mkdtemp '" + path + "'", errno);
    return path; // mkdtemp makes it 0700
}

} // namespace ipc
