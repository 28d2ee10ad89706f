// The options of every lesson role: the one place each is written. The
// engines spawn a role with its struct (Run::spawn(options)), the worker
// parses the same struct (runRole), `ipc-worker --help` prints it
// (options.h). A field's initial value is its default; its bounds are what
// the worker accepts. Qt-free: ipc-worker includes it.
#pragma once

#include "board.h"
#include "options.h"
#include "start_gate.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipc::roles {

// One end of a Connection (pipe.h) handed to a worker: the inherited
// descriptor, its direction, and optionally the PipeStats object (and its
// end, 0 or 1) that counts its traffic. A role takes it as a group, so
// f.group("pipe", pipe) reads --pipe-fd, --pipe-mode, --pipe-stats, --pipe-end.
// connectionEnd() fills it on the engine side, connectionFrom() opens it in
// the worker (messaging_util.h).
struct ConnectionOptions {
    std::int64_t fd = -1;
    std::string mode = "duplex";
    std::string stats{};
    std::int64_t end = 0;

    template <class F>
    void fields(F &f)
    {
        f.integer("fd", fd, -1, 1 << 20, "FD");
        f.choice("mode", mode, {"duplex", "read", "write"});
        f.text("stats", stats, "OBJECT");
        f.integer("end", end, 0, 1, "0|1");
    }
};

struct IdleOptions {
    static constexpr std::string_view kRole = "idle";
    std::int64_t exitAfterMs = -1; // -1: until stopped; 0: at once (process_spawn's measure)

    template <class F>
    void fields(F &f)
    {
        f.integer("exit-after-ms", exitAfterMs, -1, 86'400'000, "MS");
    }
};

struct CounterOptions {
    static constexpr std::string_view kRole = "counter";
    std::string value = "counter";
    std::string lock = "own"; // "own": the value's get_lock(); else a Lock by name
    std::int64_t increments = 10'000;
    std::int64_t rounds = 0; // > 0: rounds at the barrier, alternately without and with the lock
    std::optional<std::string> barrier{};
    std::optional<std::string> results{};

    template <class F>
    void fields(F &f)
    {
        f.text("value", value);
        f.text("lock", lock, "NAME|own");
        f.integer("increments", increments, 0, 1'000'000'000);
        f.integer("rounds", rounds, 0, 1'000);
        f.text("barrier", barrier);
        f.text("results", results);
    }
    [[nodiscard]] Result<void> check() const
    {
        if (rounds > 0 && increments == 0)
            return fail(Errc::InvalidArgument, "--rounds needs a number of --increments per round");
        if (rounds > 0 && (!barrier || !results))
            return fail(Errc::InvalidArgument, "--rounds needs --barrier NAME and --results NAME");
        return {};
    }
};

struct IsolatedCounterOptions {
    static constexpr std::string_view kRole = "isolated-counter";
    std::string value = "shared";
    std::int64_t increments = 10'000;

    template <class F>
    void fields(F &f)
    {
        f.text("value", value);
        f.integer("increments", increments, 0, 1'000'000'000);
    }
};

struct PhilosopherOptions {
    static constexpr std::string_view kRole = "philosopher";
    std::int64_t seat = 0;
    std::int64_t seats = 5;
    std::int64_t meals = 0; // 0: until stopped
    std::int64_t thinkMs = 2;
    std::int64_t eatMs = 1;

    template <class F>
    void fields(F &f)
    {
        f.integer("seat", seat, 0, 63, "I");
        f.integer("seats", seats, 2, 64);
        f.integer("meals", meals, 0, 1'000'000'000, "M");
        f.integer("think-ms", thinkMs, 0, 10'000, "MS");
        f.integer("eat-ms", eatMs, 0, 10'000, "MS");
    }
    [[nodiscard]] Result<void> check() const
    {
        if (seat >= seats)
            return fail(Errc::InvalidArgument, "--seat " + std::to_string(seat) + " is out of range [0, " +
                                                   std::to_string(seats - 1) + "]");
        return {};
    }
};

struct PhasePrinterOptions {
    static constexpr std::string_view kRole = "phase-printer";
    std::string barrier = "barrier";
    std::string lock = "print-lock";
    std::int64_t rank = 0;
    std::int64_t phases = 3;
    std::int64_t workMs = 0;

    template <class F>
    void fields(F &f)
    {
        f.text("barrier", barrier);
        f.text("lock", lock);
        f.integer("rank", rank, 0, 1000, "R");
        f.integer("phases", phases, 1, 1000, "K");
        f.integer("work-ms", workMs, 0, 10'000, "MS");
    }
};

struct PoolWorkerOptions {
    static constexpr std::string_view kRole = "pool-worker";
    std::string tasks = "tasks";
    std::string results = "results";
    std::int64_t rank = 0;
    std::int64_t slowdown = 1;

    template <class F>
    void fields(F &f)
    {
        f.text("tasks", tasks);
        f.text("results", results);
        f.integer("rank", rank, 0, 1000, "R");
        f.integer("slowdown", slowdown, 1, 100, "K");
    }
};

struct BigPutterOptions {
    static constexpr std::string_view kRole = "big-putter";
    std::string queue = "queue";
    std::int64_t items = 16;
    std::int64_t size = 65536;

    template <class F>
    void fields(F &f)
    {
        f.text("queue", queue);
        f.integer("items", items, 1, 1'000'000, "K");
        f.integer("size", size, 1, 64 << 20, "BYTES");
    }
};

struct JoinerOptions {
    static constexpr std::string_view kRole = "joiner";
    std::string queue = "queue";
    std::int64_t items = 16;
    std::int64_t waitSlot = 0; // the board slot of the process it joins

    template <class F>
    void fields(F &f)
    {
        f.text("queue", queue);
        f.integer("items", items, 1, 1'000'000, "K");
        f.integer("wait-slot", waitSlot, 0, Board::kMaxSlots - 1, "I");
    }
};

struct RingParticlesOptions {
    static constexpr std::string_view kRole = "ring-particles";
    std::int64_t rank = 0;
    std::int64_t stages = 4;
    std::int64_t particles = 8;
    std::int64_t steps = 0; // 0: until stopped
    ConnectionOptions left{};
    ConnectionOptions right{};

    template <class F>
    void fields(F &f)
    {
        f.integer("rank", rank, 0, 63, "R");
        f.integer("stages", stages, 1, 64);
        f.integer("particles", particles, 1, 4096, "K");
        f.integer("steps", steps, 0, 1'000'000'000);
        f.group("left", left);
        f.group("right", right);
    }
};

struct ChunkOptions {
    static constexpr std::string_view kRole = "chunk";
    std::optional<std::string> block{}; // a SharedMemoryBlock by name
    std::optional<std::string> array{}; // or a SharedArray<double> in the arena
    std::int64_t start = 0;
    std::int64_t end = -1; // -1: to the end
    std::string op = "square";
    double k = 2.0;
    std::int64_t rounds = 1;
    std::int64_t batch = 4096;
    std::int64_t pauseUs = 0;
    bool lock = false; // take the array's lock per batch

    template <class F>
    void fields(F &f)
    {
        f.text("block", block);
        f.text("array", array);
        f.integer("start", start, 0, std::int64_t(1) << 40, "S");
        f.integer("end", end, -1, std::int64_t(1) << 40, "E");
        f.text("op", op, "OP");
        f.real("k", k, -1e9, 1e9, "K");
        f.integer("rounds", rounds, 1, 1'000'000);
        f.integer("batch", batch, 1, 1 << 24);
        f.integer("pause-us", pauseUs, 0, 1'000'000, "US");
        f.boolean("lock", lock);
    }
    [[nodiscard]] Result<void> check() const
    {
        if (block.has_value() == array.has_value())
            return fail(Errc::InvalidArgument, "give exactly one of --block NAME and --array NAME");
        if (lock && block)
            return fail(Errc::InvalidArgument, "--lock applies to --array only (a block has no lock)");
        if (end >= 0 && end < start)
            return fail(Errc::InvalidArgument, "--end " + std::to_string(end) + " is before --start " +
                                                   std::to_string(start));
        return {};
    }
};

struct ParentOptions {
    static constexpr std::string_view kRole = "parent";
    std::vector<std::int64_t> children{}; // the board slots reserved for them
    std::vector<std::int64_t> codes{};    // one exit code per child
    std::vector<std::int64_t> daemons{};  // the slots of daemon children
    std::int64_t workMs = 1000;

    template <class F>
    void fields(F &f)
    {
        f.integers("children", children, 0, Board::kMaxSlots - 1, "S,..");
        f.integers("codes", codes, 0, 125, "C,..");
        f.integers("daemons", daemons, 0, Board::kMaxSlots - 1, "S,..");
        f.integer("work-ms", workMs, 0, 600'000, "MS");
    }
    [[nodiscard]] Result<void> check() const
    {
        if (codes.size() != children.size())
            return fail(Errc::InvalidArgument, "--codes needs one exit code per child");
        return {};
    }
};

struct ChildOptions {
    static constexpr std::string_view kRole = "child";
    std::int64_t workMs = 1000;
    std::int64_t exitCode = 0;

    template <class F>
    void fields(F &f)
    {
        f.integer("work-ms", workMs, 0, 3'600'000, "MS");
        f.integer("exit-code", exitCode, 0, 125, "C");
    }
};

struct DaemonOptions {
    static constexpr std::string_view kRole = "daemon";

    template <class F>
    void fields(F &)
    {
    }
};

struct ManagerOptions {
    static constexpr std::string_view kRole = "manager";
    std::string info = "manager"; // the ManagerInfo in the arena

    template <class F>
    void fields(F &f)
    {
        f.text("info", info);
    }
};

struct ManagerClientOptions {
    static constexpr std::string_view kRole = "manager-client";
    std::string info = "manager";
    std::int64_t increments = 1000;
    std::int64_t report = 100; // report progress every N increments
    std::string ns = "ns";
    std::string lock = "lock";
    std::string dict = "progress";
    std::string list = "finished";
    std::optional<std::string> slotName{}; // the dict key; default: the pid

    template <class F>
    void fields(F &f)
    {
        f.text("info", info);
        f.integer("increments", increments, 0, 100'000'000);
        f.integer("report", report, 0, 100'000'000);
        f.text("namespace", ns);
        f.text("lock", lock);
        f.text("dict", dict);
        f.text("list", list);
        f.text("slot-name", slotName);
    }
};

struct TransferOptions {
    static constexpr std::string_view kRole = "transfer";
    std::string mechanism = "value";
    std::string side = "put";
    std::int64_t items = 10'000;
    std::string gate{};
    std::int64_t index = 0;
    std::string object{}; // the Value, Array or Queue in the arena
    std::string block{};  // the SharedMemoryBlock
    std::int64_t pipeFd = -1;
    std::string info = "manager";

    template <class F>
    void fields(F &f)
    {
        f.choice("mechanism", mechanism, {"value", "array", "queue", "pipe", "manager", "shm"});
        f.choice("side", side, {"put", "get"});
        f.integer("items", items, 1, 100'000'000);
        f.text("gate", gate);
        f.integer("index", index, 0, StartGate::kMaxWorkers - 1, "I");
        f.text("object", object);
        f.text("block", block);
        f.integer("pipe-fd", pipeFd, -1, 1 << 20, "FD");
        f.text("info", info);
    }
};

struct ProducerOptions {
    static constexpr std::string_view kRole = "producer";
    std::string queue = "queue";
    std::int64_t items = 1000; // 0: until stopped
    std::int64_t id = 0;
    std::int64_t sentinels = 1;

    template <class F>
    void fields(F &f)
    {
        f.text("queue", queue);
        f.integer("items", items, 0, 1'000'000'000'000);
        f.integer("id", id, 0, 1'000'000, "I");
        f.integer("sentinels", sentinels, 0, 1024, "K");
    }
};

struct ConsumerOptions {
    static constexpr std::string_view kRole = "consumer";
    std::string queue = "queue";
    std::int64_t stopAfter = 1; // sentinels, one per producer

    template <class F>
    void fields(F &f)
    {
        f.text("queue", queue);
        f.integer("stop-after", stopAfter, 1, 1'000'000, "S");
    }
};

struct PipeSenderOptions {
    static constexpr std::string_view kRole = "pipe-sender";
    ConnectionOptions pipe{};
    std::int64_t messages = 1000;
    std::string request = "payload";
    std::string expect = "none";
    bool sentinel = true;

    template <class F>
    void fields(F &f)
    {
        f.group("pipe", pipe);
        f.integer("messages", messages, 0, 1'000'000'000'000);
        f.choice("request", request, {"payload", "int"});
        f.choice("expect", expect, {"none", "echo", "square"});
        f.boolean("sentinel", sentinel);
    }
};

// pipe-receiver, echo and squarer: one end of a pipe, nothing else.
template <const std::string_view &Role>
struct PipeEndOptions {
    static constexpr std::string_view kRole = Role;
    ConnectionOptions pipe{};

    template <class F>
    void fields(F &f)
    {
        f.group("pipe", pipe);
    }
};
inline constexpr std::string_view kPipeReceiver = "pipe-receiver";
inline constexpr std::string_view kEcho = "echo";
inline constexpr std::string_view kSquarer = "squarer";
using PipeReceiverOptions = PipeEndOptions<kPipeReceiver>;
using EchoOptions = PipeEndOptions<kEcho>;
using SquarerOptions = PipeEndOptions<kSquarer>;

struct PipeExchangeOptions {
    static constexpr std::string_view kRole = "pipe-exchange";
    // A message's size: up to kMaxMessageBytes (message.h) less its framing.
    static constexpr std::int64_t kMaxSize = (std::int64_t(64) << 20) - 64;
    ConnectionOptions pipe{};
    std::int64_t side = 0;
    std::int64_t size = 1 << 20;
    std::int64_t rounds = 0; // 0: until stopped

    template <class F>
    void fields(F &f)
    {
        f.group("pipe", pipe);
        f.integer("side", side, 0, 1, "0|1");
        f.integer("size", size, 0, kMaxSize, "BYTES");
        f.integer("rounds", rounds, 0, 1'000'000'000);
    }
};

} // namespace ipc::roles
