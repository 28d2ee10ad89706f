#include "roles.h"

#include <cstdio>

namespace ipc {

namespace {

constexpr RoleInfo kRoles[] = {
    {"idle", "sleep until stopped or killed", false, &roles::idle},
    {"counter", "--value NAME --lock NAME --increments N: add 1 N times to a shared value", true,
     &roles::counter},
    {"isolated-counter", "--value NAME --increments N: add 1 to a private global and a shared value",
     true, &roles::isolatedCounter},
    {"philosopher", "--seat I --seats N --meals M --think-ms T --eat-ms E: take fork I, then fork I+1, eat",
     true, &roles::philosopher},
    {"phase-printer", "--rank R --phases K: print a line per phase, then wait at the barrier",
     true, &roles::phasePrinter},
    IPC_QT_ROLE("pool-worker",
                "--rank R --slowdown K: square tasks from 'tasks' onto 'results' until a sentinel",
                true, &roles::poolWorker),
    IPC_QT_ROLE("big-putter", "--items K --size BYTES: put K large items on 'queue', then exit",
                true, &roles::bigPutter),
    IPC_QT_ROLE("joiner",
                "--items K --wait-slot I: join process I before draining (or after, with the fix)",
                true, &roles::joiner),
    IPC_QT_ROLE("ring-particles",
                "--rank R --stages N --particles K --left-fd FD --right-fd FD: one stage of the ring",
                true, &roles::ringParticles),
    {"chunk", "--block NAME | --array NAME --start S --end E --op OP: transform a chunk in place",
     false, &roles::chunk},
    {"parent", "--children S,.. --codes C,.. --daemons S,.. --work-ms W: start children, join them when told",
     true, &roles::parent},
    {"child", "--work-ms W --exit-code C: work W ms, then exit with C", true, &roles::child},
    {"daemon", "work until ended (a daemon child)", true, &roles::daemonChild},
    IPC_QT_ROLE("manager", "--info NAME: serve dict, list, Namespace, Queue, Lock, Value over a socket",
                true, &roles::manager),
    IPC_QT_ROLE("manager-client",
                "--info NAME --increments N: ns.x += 1 through the manager, lock per control", true,
                &roles::managerClient),
    IPC_QT_ROLE("transfer", "--mechanism M --side put|get --items N --gate NAME: one side of the speed comparison",
                true, &roles::transfer),
    IPC_QT_ROLE("producer", "--queue NAME --items N --id I --sentinels K: put N items, then K sentinels",
                true, &roles::producer),
    IPC_QT_ROLE("consumer", "--queue NAME --stop-after S: get items until S sentinels", true,
                &roles::consumer),
    IPC_QT_ROLE("pipe-sender", "--pipe-fd FD --messages N [--expect echo|square]: send N, then a sentinel",
                true, &roles::pipeSender),
    IPC_QT_ROLE("pipe-receiver", "--pipe-fd FD: receive until a sentinel or end of stream", true,
                &roles::pipeReceiver),
    IPC_QT_ROLE("echo", "--pipe-fd FD: send every request back", true, &roles::echo),
    IPC_QT_ROLE("squarer", "--pipe-fd FD: answer n with n*n", true, &roles::squarer),
    IPC_QT_ROLE("pipe-exchange", "--pipe-fd FD --side 0|1 --size BYTES: both send before receiving",
                true, &roles::pipeExchange),
};

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
