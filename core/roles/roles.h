// Each role is a function in its own file under roles/; this header
// declares them for the registry in roles.cpp.
#pragma once

#include "worker.h"

namespace ipc::roles {

int idle(WorkerContext &ctx);    // sleeps until stopped or killed (spawn and memory measurements)
int counter(WorkerContext &ctx); // N increments of a shared value, locked or not
int isolatedCounter(WorkerContext &ctx); // its own global and a shared value, N times
int phasePrinter(WorkerContext &ctx);    // a line per phase, char by char, then a barrier
int chunk(WorkerContext &ctx);   // transforms [start, end) of a SharedMemory block or Array in place

// Reports a role's runtime failure on stderr; returns kExitRuntimeError.
int failed(std::string_view role, const Error &error);
// Reports a bad option; returns kExitUsage.
int badOption(std::string_view role, const Error &error);

} // namespace ipc::roles
