#include "scenarios.h"

namespace ipc::scenarios {

namespace {
// The order is the order of `ipc-playground list` and of the GUI's list.
constexpr Entry kRegistry[] = {
    {"isolation", &makeIsolation},
    {"race", &makeRace},
    {"producer-consumer", &makeProducerConsumer},
    {"worker-pool", &makeWorkerPool},
    {"pingpong", &makePingpong},
    {"pipe-deadlock", &makePipeDeadlock},
    {"join-deadlock", &makeJoinDeadlock},
    {"ring", &makeRing},
    {"shared-memory", &makeSharedMemory},
    {"manager", &makeManager},
    {"barrier-print", &makeBarrierPrint},
    {"zombie", &makeZombie},
    {"compare", &makeCompare},
};
} // namespace

std::span<const Entry> registry() noexcept { return kRegistry; }

} // namespace ipc::scenarios
