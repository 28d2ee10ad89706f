#include "roles.h"

#include <cstdio>

// The lessons' roles, one line each: its name; its options and what it
// does (ipc-worker --help); whether it needs the run's arena; its function
// (in roles/, a file of its own); and NoQt, or Qt when its code needs
// QtCore (ipc-worker then hands the process over to ipc-worker-qt). A new
// role is its file and one line here.
#define IPC_LESSON_ROLES(X) \
    X("idle", "sleep until stopped or killed", false, idle, NoQt) \
    X("counter", "--value NAME --lock NAME --increments N: add 1 N times to a shared value", true, counter, NoQt) \
    X("isolated-counter", "--value NAME --increments N: add 1 to a private global and a shared value", true, isolatedCounter, NoQt) \
    X("philosopher", "--seat I --seats N --meals M --think-ms T --eat-ms E: take fork I, then fork I+1, eat", true, philosopher, NoQt) \
    X("phase-printer", "--rank R --phases K: print a line per phase, then wait at the barrier", true, phasePrinter, NoQt) \
    X("pool-worker", "--rank R --slowdown K: square tasks from 'tasks' onto 'results' until a sentinel", true, poolWorker, Qt) \
    X("big-putter", "--items K --size BYTES: put K large items on 'queue', then exit", true, bigPutter, Qt) \
    X("joiner", "--items K --wait-slot I: join process I before draining (or after, with the fix)", true, joiner, Qt) \
    X("ring-particles", "--rank R --stages N --particles K --left-fd FD --right-fd FD: one stage of the ring", true, ringParticles, Qt) \
    X("chunk", "--block NAME | --array NAME --start S --end E --op OP: transform a chunk in place", false, chunk, NoQt) \
    X("parent", "--children S,.. --codes C,.. --daemons S,.. --work-ms W: start children, join them when told", true, parent, NoQt) \
    X("child", "--work-ms W --exit-code C: work W ms, then exit with C", true, child, NoQt) \
    X("daemon", "work until ended (a daemon child)", true, daemonChild, NoQt) \
    X("manager", "--info NAME: serve dict, list, Namespace, Queue, Lock, Value over a socket", true, manager, Qt) \
    X("manager-client", "--info NAME --increments N: ns.x += 1 through the manager, lock per control", true, managerClient, Qt) \
    X("transfer", "--mechanism M --side put|get --items N --gate NAME: one side of the speed comparison", true, transfer, Qt) \
    X("producer", "--queue NAME --items N --id I --sentinels K: put N items, then K sentinels", true, producer, Qt) \
    X("consumer", "--queue NAME --stop-after S: get items until S sentinels", true, consumer, Qt) \
    X("pipe-sender", "--pipe-fd FD --messages N [--expect echo|square]: send N, then a sentinel", true, pipeSender, Qt) \
    X("pipe-receiver", "--pipe-fd FD: receive until a sentinel or end of stream", true, pipeReceiver, Qt) \
    X("echo", "--pipe-fd FD: send every request back", true, echo, Qt) \
    X("squarer", "--pipe-fd FD: answer n with n*n", true, squarer, Qt) \
    X("pipe-exchange", "--pipe-fd FD --side 0|1 --size BYTES: both send before receiving", true, pipeExchange, Qt)

namespace ipc {

namespace roles {
IPC_LESSON_ROLES(IPC_DECLARE_ROLE)
}

namespace {

constexpr RoleInfo kRoles[] = {IPC_LESSON_ROLES(IPC_ROLE_ENTRY)};

} // namespace

std::span<const RoleInfo> lessonRoles() noexcept { return kRoles; }

namespace roles {

int failed(std::string_view role, const Error &error)
{
    std::fprintf(stderr, "ipc-worker %.*s: %s\n", int(role.size()), role.data(),
                 error.toString().c_str());
    return kExitRuntimeError;
}

int badOption(std::string_view role, const Error &error)
{
    std::fprintf(stderr, "ipc-worker %.*s: %s\n", int(role.size()), role.data(),
                 error.message.c_str());
    return kExitUsage;
}

} // namespace roles
} // namespace ipc
