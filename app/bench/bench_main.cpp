// ipc-bench: the project's benchmarks, one JSON line per result, in the
// schema of ../shared/peers so the two compare row by row (summarize.py).
#include "bench.h"

#include <cstdio>
#include <cstring>
#include <vector>

namespace ipc::bench {

// The bench groups, in the order they run. A group lives in
// bench_<group>.cpp and defines `const Group <group>Group`; adding one is
// one line here: X(<group>).
#define IPC_BENCH_GROUPS(X) \
    X(value)                \
    X(spawn)                \
    X(messaging)            \
    X(manager)

#define IPC_DECLARE_GROUP(g) extern const Group g##Group;
IPC_BENCH_GROUPS(IPC_DECLARE_GROUP)
#undef IPC_DECLARE_GROUP

namespace {
#define IPC_LIST_GROUP(g) &g##Group,
const Group *const kGroups[] = {IPC_BENCH_GROUPS(IPC_LIST_GROUP)};
#undef IPC_LIST_GROUP
} // namespace

} // namespace ipc::bench

int main(int argc, char **argv)
{
    using namespace ipc::bench;
    if (argc == 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
        std::printf("%s", kUsage);
        return 0;
    }
    std::vector<std::string_view> known;
    for (const Group *g : kGroups) known.insert(known.end(), g->benches.begin(), g->benches.end());
    auto opts = parseOptions(argc, argv, known);
    if (!opts) {
        std::fprintf(stderr, "ipc-bench: %s\n%s", opts.error().message.c_str(), kUsage);
        return 2;
    }
    for (const Group *g : kGroups) {
        if (auto r = g->run(*opts); !r) {
            std::fprintf(stderr, "ipc-bench: %.*s: %s\n", int(g->name.size()), g->name.data(),
                         r.error().toString().c_str());
            return 1;
        }
    }
    return 0;
}
