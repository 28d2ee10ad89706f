// ManagerProcess: starts a run's manager server as a real process
// (`ipc-worker --role manager`) and cleans up after it.
//
// start() makes the ManagerInfo object (random key) in the run's arena,
// creates a private directory (mkdtemp: mode 0700, under $XDG_RUNTIME_DIR
// when the socket path fits, else /tmp) for the socket, spawns the server
// and waits until it listens. Any process attached to the arena can then
// ManagerClient::connect(info()).
//
// Cleanup: the server unlinks its socket when it exits normally; if it was
// SIGKILLed it cannot, so this object removes the socket and the directory
// when it is destroyed, whatever became of the server. (Only if the engine
// itself is SIGKILLed does an empty directory with a dead socket stay behind
// in the runtime directory -- no process and no shared memory.)
//
// Errors: those of Arena::make and Run::spawn; System (mkdtemp); Timeout
// when the server is not listening within readyTimeout; Closed when it
// exited during start-up (its stderr says why).
// Threads: the engine's thread, like Run.
#pragma once

#include "manager_info.h"
#include "run.h"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ipc::manager {

class ManagerProcess {
public:
    // `how` starts the server's ipc-worker (e.g. on ipc-bench's CPU).
    [[nodiscard]] static Result<ManagerProcess> start(Run &run, std::string_view name = "manager",
                                                      Duration readyTimeout = std::chrono::seconds(10),
                                                      const SpawnOptions &how = {});

    ManagerProcess() = default;
    ManagerProcess(ManagerProcess &&other) noexcept;
    ManagerProcess &operator=(ManagerProcess &&other) noexcept;
    ManagerProcess(const ManagerProcess &) = delete;
    ManagerProcess &operator=(const ManagerProcess &) = delete;
    ~ManagerProcess();

    [[nodiscard]] ManagerInfo &info() const noexcept { return *m_info; }
    [[nodiscard]] std::uint32_t slot() const noexcept { return m_slot; } // the server's index in the run
    [[nodiscard]] const std::string &directory() const noexcept { return m_dir; }
    // Removes the socket and the directory now (also done on destruction).
    void cleanup() noexcept;

private:
    ManagerInfo *m_info = nullptr;
    std::uint32_t m_slot = 0;
    std::string m_dir;
    std::string m_socket;
};

// A new private directory (0700) for a socket; its path.
[[nodiscard]] Result<std::string> makePrivateSocketDirectory();

} // namespace ipc::manager
