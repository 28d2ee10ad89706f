// philosopher: one of the dining philosophers.
//
//   while meals == 0 or eaten < meals:
//       think()                                   # sleep 0..think_ms
//       if control.askWaiter: waiter.acquire()    # Semaphore(N-1)
//       first, second = left, right               # fork SEAT+1, fork SEAT+2 (mod N)
//       if control.forkOrder: first, second = min(..), max(..)
//       with first: with second: eat()            # sleep eat_ms
//       if asked: waiter.release()
//
// Everybody taking the left fork first is a cycle waiting to close: once
// each holds its left fork, each waits for its right neighbour's, for ever.
// The fixes break the cycle: a global order (the last philosopher takes
// fork 1 first, so nobody holds a fork while waiting for a lower one), or
// a waiter who lets at most N-1 sit down. Both are read before every meal,
// so the lecturer's switches act on the running processes (a deadlock that
// has already closed stays closed: nobody reaches the next meal).
//
// Lock waits are bounded (100 ms, repeated) so a stop request is seen; the
// board shows the wait for the whole time. In step mode each take, the
// waiter and putting the forks down are steps, so a lecturer can close the
// cycle by hand.
// Board: ops = meals eaten.
#include "roles.h"

#include "lock.h"
#include "pacer.h"
#include "semaphore.h"
#include "step_gate.h"

#include <optional>
#include <random>
#include <string>
#include <unistd.h>

namespace ipc::roles {

namespace {

constexpr std::string_view kRole = "philosopher";
constexpr auto kRetry = std::chrono::milliseconds(100);

std::string forkName(std::int64_t number) { return "fork " + std::to_string(number); }

// Takes a fork or a seat (`acquire`, a bounded Lock or Semaphore acquire),
// waiting as long as it takes, with one mark on the board for the whole
// wait rather than one per retry. False when the run stops first.
template <class Acquire>
Result<bool> acquireUntilStopped(WorkerContext &ctx, Acquire &&acquire, ProcState waiting, std::uint32_t object)
{
    std::optional<StateScope> marked;
    for (;;) {
        auto got = acquire(kRetry);
        if (got) return true;
        if (got.error().code != Errc::Timeout) return std::unexpected(got.error());
        if (ctx.shouldStop()) return false;
        if (!marked) marked.emplace(waiting, object, std::uint64_t(kRetry.count()) * 1'000'000);
    }
}

Result<bool> take(WorkerContext &ctx, Lock &fork)
{
    return acquireUntilStopped(ctx, [&](Duration t) { return fork.acquire(t); }, ProcState::WaitingLock,
                               fork.objectIndex);
}

Result<bool> askWaiter(WorkerContext &ctx, Semaphore &waiter)
{
    return acquireUntilStopped(ctx, [&](Duration t) { return waiter.acquire(t); }, ProcState::WaitingSemaphore,
                               waiter.objectIndex);
}

void think(std::int64_t ms)
{
    if (ms <= 0) return;
    StateScope sleeping(ProcState::Sleeping);
    usleep(useconds_t(ms * 1000));
}

// Eating holds both forks: the board keeps showing the critical section.
void eat(std::int64_t ms)
{
    if (ms > 0) usleep(useconds_t(ms * 1000));
}

} // namespace

int philosopher(WorkerContext &ctx, const PhilosopherOptions &options)
{
    // Seat s sits between fork s+1 (left) and fork s+2 (right), counting round.
    const std::int64_t leftNumber = options.seat + 1;
    const std::int64_t rightNumber = (options.seat + 1) % options.seats + 1;
    auto left = ctx.arena.find<Lock>(forkName(leftNumber));
    if (!left) return failed(kRole, left.error());
    auto right = ctx.arena.find<Lock>(forkName(rightNumber));
    if (!right) return failed(kRole, right.error());
    auto waiter = ctx.arena.find<Semaphore>("waiter");
    if (!waiter) return failed(kRole, waiter.error());

    ControlBlock &control = *ctx.control;
    Pacer pacer(&control);
    std::minstd_rand random(std::uint32_t(getpid()) * 2654435761u + std::uint32_t(options.seat));
    std::uniform_int_distribution<std::int64_t> thinking(0, options.thinkMs);
    for (std::int64_t eaten = 0; options.meals == 0 || eaten < options.meals;) {
        if (!pacer.wait()) break;
        think(thinking(random));
        const bool asked = control.askWaiter.load(std::memory_order_relaxed) != 0;
        if (asked) {
            if (!telemetry::stepGate("ask the waiter")) break;
            auto sat = askWaiter(ctx, **waiter);
            if (!sat) return failed(kRole, sat.error());
            if (!*sat) break;
        }
        const bool ordered = control.forkOrder.load(std::memory_order_relaxed) != 0;
        const bool leftFirst = !ordered || leftNumber < rightNumber;
        Lock &first = leftFirst ? **left : **right;
        Lock &second = leftFirst ? **right : **left;
        const std::int64_t firstNumber = leftFirst ? leftNumber : rightNumber;
        const std::int64_t secondNumber = leftFirst ? rightNumber : leftNumber;
        // Whatever it holds when the run stops, it puts down.
        bool holdsFirst = false, holdsSecond = false;
        const auto putDown = [&]() -> Result<void> {
            if (holdsSecond)
                if (auto r = second.release(); !r) return r;
            if (holdsFirst)
                if (auto r = first.release(); !r) return r;
            if (asked)
                if (auto r = (*waiter)->release(); !r) return r;
            return {};
        };
        bool stopped = !telemetry::stepGate("take " + forkName(firstNumber) + " (first)");
        if (!stopped) {
            auto got = take(ctx, first);
            if (!got) return failed(kRole, got.error());
            holdsFirst = *got;
            stopped = !holdsFirst || !telemetry::stepGate("take " + forkName(secondNumber) + " (second)");
        }
        if (!stopped) {
            auto got = take(ctx, second);
            if (!got) return failed(kRole, got.error());
            holdsSecond = *got;
            stopped = !holdsSecond;
        }
        if (!stopped) {
            eat(options.eatMs);
            ++eaten;
            if (ctx.slot) ctx.slot->addOps(1);
            stopped = !telemetry::stepGate("put the forks down");
        }
        if (auto ok = putDown(); !ok) return failed(kRole, ok.error());
        if (stopped) break;
    }
    return 0;
}

} // namespace ipc::roles
