#include "roles.h"

#include <cstdio>

// The lessons' roles, one line each: its function (in roles/, a file of its
// own); its options (role_options.h), which also give its name; what it
// does (ipc-worker --help); whether it needs the run's arena; and NoQt, or
// Qt when its code needs QtCore (ipc-worker then hands the process over to
// ipc-worker-qt). A new role is its file, its options and one line here.
#define IPC_LESSON_ROLES(X) \
    X(idle, IdleOptions, "sleep until stopped or killed", false, NoQt) \
    X(counter, CounterOptions, "add 1 to a shared value N times, under its lock when the lesson's lock is on", true, NoQt) \
    X(isolatedCounter, IsolatedCounterOptions, "add 1 to a private global and to a shared value", true, NoQt) \
    X(philosopher, PhilosopherOptions, "take fork I, then fork I+1, eat; M meals (0: until stopped)", true, NoQt) \
    X(phasePrinter, PhasePrinterOptions, "print a line per phase, then wait at the barrier", true, NoQt) \
    X(poolWorker, PoolWorkerOptions, "square tasks from 'tasks' onto 'results' until a sentinel", true, NoQt) \
    X(bigPutter, BigPutterOptions, "put K large items on the queue, then exit", true, NoQt) \
    X(joiner, JoinerOptions, "join process I before draining the queue (or after, with the fix)", true, NoQt) \
    X(ringParticles, RingParticlesOptions, "one stage of the ring: move particles, pass them on", true, NoQt) \
    X(chunk, ChunkOptions, "transform a chunk of a block or an array in place", false, NoQt) \
    X(parent, ParentOptions, "start children, join them when told", true, NoQt) \
    X(child, ChildOptions, "work, then exit with the given code", true, NoQt) \
    X(daemonChild, DaemonOptions, "work until ended (a daemon child)", true, NoQt) \
    X(manager, ManagerOptions, "serve dict, list, Namespace, Queue, Lock, Value over a socket", true, Qt) \
    X(managerClient, ManagerClientOptions, "ns.x += 1 through the manager, lock per control", true, Qt) \
    X(transfer, TransferOptions, "one side of the speed comparison", true, Qt) \
    X(producer, ProducerOptions, "put N items, then K sentinels", true, NoQt) \
    X(consumer, ConsumerOptions, "get items until S sentinels", true, NoQt) \
    X(pipeSender, PipeSenderOptions, "send N messages, then a sentinel", true, NoQt) \
    X(pipeReceiver, PipeReceiverOptions, "receive until a sentinel or end of stream", true, NoQt) \
    X(echo, EchoOptions, "send every request back", true, NoQt) \
    X(squarer, SquarerOptions, "answer n with n*n", true, NoQt) \
    X(pipeExchange, PipeExchangeOptions, "both send before receiving", true, NoQt)

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
