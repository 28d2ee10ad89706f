// The registry of built-in scenarios: one line per scenario in scenarios.cpp.
#pragma once

#include "scenario.h"

#include <functional>
#include <span>
#include <string_view>

namespace ipc::scenarios {

struct Entry {
    std::string_view name;
    std::unique_ptr<Scenario> (*make)();
};

[[nodiscard]] std::span<const Entry> registry() noexcept;

std::unique_ptr<Scenario> makeIsolation();
std::unique_ptr<Scenario> makeRace();
std::unique_ptr<Scenario> makeProducerConsumer();
std::unique_ptr<Scenario> makePingpong();
std::unique_ptr<Scenario> makePipeDeadlock();
std::unique_ptr<Scenario> makeBarrierPrint();
std::unique_ptr<Scenario> makeWorkerPool();
std::unique_ptr<Scenario> makeJoinDeadlock();
std::unique_ptr<Scenario> makeRing();
std::unique_ptr<Scenario> makeSharedMemory();
std::unique_ptr<Scenario> makeManager();
std::unique_ptr<Scenario> makeCompare();
std::unique_ptr<Scenario> makeZombie();

} // namespace ipc::scenarios
