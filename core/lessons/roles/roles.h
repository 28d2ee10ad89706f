// Each role is a function in its own file under roles/; this header
// declares them for the registry in roles.cpp (lessonRoles: the roles a
// scenario file may name; the benchmarks' own are in app/bench/roles/).
#pragma once

#include "worker.h"

// ipc-worker links no Qt, so that a worker starts in a fraction of the time
// and memory a QtCore process needs (README, Benchmarks); ipc-worker-qt has
// every role. A role whose code uses QtCore (CBOR messages, the manager) is
// registered in roles.cpp with IPC_QT_ROLE(name, summary, needsArena, main):
// in ipc-worker that entry has no code, and the worker hands the process over
// to ipc-worker-qt. Forgetting it fails the link of ipc-worker (undefined Qt
// symbols), never a run.
#ifdef IPC_WORKER_WITHOUT_QT
#define IPC_QT_ROLE(name, summary, needsArena, main) {name, summary, needsArena, nullptr}
#else
#define IPC_QT_ROLE(name, summary, needsArena, main) {name, summary, needsArena, main}
#endif

namespace ipc {

// Every role of the lessons, in the order `ipc-worker --help` lists them.
[[nodiscard]] std::span<const RoleInfo> lessonRoles() noexcept;

} // namespace ipc

namespace ipc::roles {

int idle(WorkerContext &ctx);    // sleeps until stopped or killed (spawn and memory measurements)
int counter(WorkerContext &ctx); // N increments of a shared value, locked or not
int isolatedCounter(WorkerContext &ctx); // its own global and a shared value, N times
int phasePrinter(WorkerContext &ctx);    // a line per phase, char by char, then a barrier
int poolWorker(WorkerContext &ctx);      // tasks queue -> squares -> results queue
int bigPutter(WorkerContext &ctx);       // puts large items, then exits
int philosopher(WorkerContext &ctx);     // takes two fork Locks to eat (the dining philosophers)
int joiner(WorkerContext &ctx);          // joins a child before (or, fixed, after) draining
int ringParticles(WorkerContext &ctx);   // one stage of the particle ring
int chunk(WorkerContext &ctx);   // transforms [start, end) of a SharedMemory block or Array in place
int manager(WorkerContext &ctx); // the manager server (proxies connect to it)
int managerClient(WorkerContext &ctx); // ns.x += 1 through the manager, with or without its Lock
int transfer(WorkerContext &ctx);      // moves N timed items through one mechanism (compare)
int producer(WorkerContext &ctx);      // puts N payload items on a queue, then sentinels
int consumer(WorkerContext &ctx);      // gets items (work time per item) until its sentinels
int pipeSender(WorkerContext &ctx);    // sends N messages (optionally awaiting replies)
int pipeReceiver(WorkerContext &ctx);  // receives until a sentinel or end of stream
int echo(WorkerContext &ctx);          // answers each request with itself
int squarer(WorkerContext &ctx);       // answers n with n*n
int pipeExchange(WorkerContext &ctx);  // the pipe deadlock: sends a big message before receiving
int parent(WorkerContext &ctx);        // starts children and daemons itself, joins them only when told
int child(WorkerContext &ctx);         // works a while, then exits with a given code
int daemonChild(WorkerContext &ctx);   // works until it is ended (a daemon=True child)

// Reports a role's runtime failure on stderr; returns kExitRuntimeError.
int failed(std::string_view role, const Error &error);
// Reports a bad option; returns kExitUsage.
int badOption(std::string_view role, const Error &error);

} // namespace ipc::roles
