#include "scenarios.h"

namespace ipc::scenarios {

// Every engine, one line each, in the order of `ipc-playground list` and of
// the window's list: its name and the function (in its own file) that
// makes it.
#define IPC_ENGINES(X)                         \
    X("isolation", makeIsolation)              \
    X("race", makeRace)                        \
    X("producer-consumer", makeProducerConsumer) \
    X("worker-pool", makeWorkerPool)           \
    X("pingpong", makePingpong)                \
    X("pipe-deadlock", makePipeDeadlock)       \
    X("join-deadlock", makeJoinDeadlock)       \
    X("philosophers", makePhilosophers)        \
    X("ring", makeRing)                        \
    X("shared-memory", makeSharedMemory)       \
    X("manager", makeManager)                  \
    X("barrier-print", makeBarrierPrint)       \
    X("zombie", makeZombie)                    \
    X("compare", makeCompare)

#define IPC_DECLARE_ENGINE(name, make) std::unique_ptr<Scenario> make();
IPC_ENGINES(IPC_DECLARE_ENGINE)
#undef IPC_DECLARE_ENGINE

namespace {
#define IPC_ENGINE_ENTRY(name, make) {(name), &(make)},
constexpr Entry kRegistry[] = {IPC_ENGINES(IPC_ENGINE_ENTRY)};
#undef IPC_ENGINE_ENTRY
} // namespace

std::span<const Entry> registry() noexcept { return kRegistry; }

} // namespace ipc::scenarios
