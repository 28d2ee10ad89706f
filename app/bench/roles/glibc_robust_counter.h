// ipc-bench's bound for the Lock: glibc's own robust, process-shared
// pthread mutex (PTHREAD_MUTEX_ROBUST + PTHREAD_PROCESS_SHARED) and a
// counter in its cache line, `lock; counter++; unlock`. It gives what our
// Lock gives a lesson -- the next acquirer after a holder's death gets the
// lock and is told (EOWNERDEAD), through the same kernel robust list -- so
// the locked-increments rate it reaches in the same run is about the most
// a lock with that guarantee does on this machine, where the peers' plain
// PROCESS_SHARED mutex gives no such guarantee (scripts/bench.sh prints
// ours / this and this / the plain mutex).
//
// It lives in the run's arena as an object of kind Scenario (an engine's
// own bytes); ipc-bench makes it, the bench-increments workers find it. A worker that has also taken one of our Locks has our robust list
// registered in place of glibc's: the kernel would not then hand this
// mutex on after a death, but locking it costs the same, and no bench
// worker dies holding it.
#pragma once

#include "arena.h"

#include <pthread.h>

#include <cerrno>
#include <cstdint>

namespace ipc::roles {

struct alignas(64) GlibcRobustCounter {
    static constexpr ObjectKind kKind = ObjectKind::Scenario;

    pthread_mutex_t mutex{};
    std::int64_t counter = 0;

    GlibcRobustCounter() noexcept
    {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
        pthread_mutex_init(&mutex, &attr);
        pthread_mutexattr_destroy(&attr);
    }

    // False only for an error other than a dead holder's (none expected).
    [[nodiscard]] bool lockedAdd(std::int64_t delta) noexcept
    {
        const int locked = pthread_mutex_lock(&mutex);
        if (locked == EOWNERDEAD) pthread_mutex_consistent(&mutex);
        else if (locked != 0) return false;
        counter += delta;
        return pthread_mutex_unlock(&mutex) == 0;
    }
};

} // namespace ipc::roles
