// The registry of built-in engines: one line per engine in scenarios.cpp
// (IPC_ENGINES), beside the engine's own file in this folder.
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

} // namespace ipc::scenarios
