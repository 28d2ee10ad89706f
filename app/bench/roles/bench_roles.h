// ipc-bench's own roles: the processes its benchmarks start (workers of
// ipc-worker, like the lessons' roles, but no scenario file may name them).
// Registered in bench_roles.cpp; bare_ring.h is the Queue's yardstick.
#pragma once

#include "roles.h"

namespace ipc {

// ipc-bench's roles, appended to the lessons' in every worker executable.
[[nodiscard]] std::span<const RoleInfo> benchRoles() noexcept;

} // namespace ipc

namespace ipc::roles {

struct BenchIncrementsOptions {
    static constexpr std::string_view kRole = "bench-increments";
    std::string value = "counter";
    std::string gate = "gate";
    std::int64_t index = 0;
    std::int64_t increments = 1'000'000;
    bool board = true;     // off: detach the board slot (what telemetry costs a lock)
    bool stepGate = false; // on: pass a step gate before every increment, step mode off
    // on: `value` names a GlibcRobustCounter (glibc_robust_counter.h), the
    // bound, instead of a SharedValue and its Lock
    bool glibcRobust = false;

    template <class F>
    void fields(F &f)
    {
        f.text("value", value);
        f.text("gate", gate);
        f.integer("index", index, 0, StartGate::kMaxWorkers - 1, "I");
        f.integer("increments", increments, 0, 1'000'000'000'000, "K");
        f.boolean("board", board);
        f.boolean("step-gate", stepGate);
        f.boolean("glibc-robust", glibcRobust);
    }
};

struct BenchManagerOptions {
    static constexpr std::string_view kRole = "bench-manager";
    std::string info = "manager";
    std::int64_t n = 5000;
    std::string gate = "gate";
    std::int64_t index = 0;

    template <class F>
    void fields(F &f)
    {
        f.text("info", info);
        f.integer("n", n, 1, 1'000'000'000);
        f.text("gate", gate);
        f.integer("index", index, 0, StartGate::kMaxWorkers - 1, "I");
    }
};

// What the messaging benches' workers share: N items of S bytes, their
// place at the start gate, the board on or off.
struct BenchLoopOptions {
    // Up to kMaxMessageBytes (message.h).
    static constexpr std::int64_t kMaxSize = std::int64_t(64) << 20;
    std::int64_t count = 100000;
    std::int64_t size = 64;
    std::int64_t index = 0;
    std::string gate = "gate";
    bool board = true;

    template <class F>
    void fields(F &f)
    {
        f.integer("count", count, 0, 1'000'000'000'000);
        f.integer("size", size, 0, kMaxSize, "S");
        f.integer("index", index, 0, StartGate::kMaxWorkers - 1, "I");
        f.text("gate", gate);
        f.boolean("board", board);
    }
};

struct BenchQueueOptions {
    static constexpr std::string_view kRole = "bench-queue";
    std::string mode = "put";
    std::string queue = "queue";
    BenchLoopOptions loop{};

    template <class F>
    void fields(F &f)
    {
        f.choice("mode", mode, {"put", "get"});
        f.text("queue", queue);
        f.group("", loop);
    }
};

struct BenchRingOptions {
    static constexpr std::string_view kRole = "bench-ring";
    std::string mode = "put";
    std::string ring = "ring";
    BenchLoopOptions loop{};

    template <class F>
    void fields(F &f)
    {
        f.choice("mode", mode, {"put", "get"});
        f.text("ring", ring);
        f.group("", loop);
    }
};

struct BenchPipeOptions {
    static constexpr std::string_view kRole = "bench-pipe";
    std::string mode = "write";
    ConnectionOptions pipe{};
    ConnectionOptions reply{}; // echo: answer on this one (fd -1: on pipe)
    BenchLoopOptions loop{};

    template <class F>
    void fields(F &f)
    {
        f.choice("mode", mode, {"write", "read", "echo"});
        f.group("pipe", pipe);
        f.group("reply", reply);
        f.group("", loop);
    }
};

} // namespace ipc::roles
