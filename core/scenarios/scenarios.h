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
std::unique_ptr<Scenario> makeBarrierPrint();

} // namespace ipc::scenarios
