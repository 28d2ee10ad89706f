// AF_UNIX stream sockets at a path: the address, connecting, and a private
// directory to put a listening socket in. Shared by the manager
// (manager/) and Listener / Client (listener.h).
#pragma once

#include "result.h"

#include <sys/un.h>

#include <string>
#include <string_view>

namespace ipc {

// The AF_UNIX address of `path`; InvalidArgument when it is empty or does
// not fit sun_path (107 characters).
[[nodiscard]] Result<sockaddr_un> unixSocketAddress(std::string_view path);

// A connected, blocking, close-on-exec socket to the listener at path.
// NotFound: no socket there; Closed: nobody listens on it any more
// (ECONNREFUSED); System otherwise. `what` names the listener in messages.
[[nodiscard]] Result<int> connectUnixSocket(std::string_view path, std::string_view what);

// A new directory only this user can enter (mode 0700), named
// "<prefix>-<pid>-XXXXXX" (see leftovers.h) in $XDG_RUNTIME_DIR when that is short enough for a
// socket path inside it (`room` characters), else in /tmp.
[[nodiscard]] Result<std::string> makePrivateSocketDirectory(std::string_view prefix, std::size_t room);

} // namespace ipc
