// phase-printer: the barrier and synchronised-printing lesson's worker.
//
//   for phase in range(phases):
//       line = f"process {rank} finished phase {phase}\n"
//       with lock (if the control block says so): write line, one character at a time
//       time.sleep((rank + 1) * work)         # ranks work at different speeds
//       barrier.wait()
//
// One write() per character to stdout (a pipe the engine reads), with a
// yield between characters, so that without the lock the lines of several
// processes interleave visibly. The lock is read from the control block
// before every line. Board: ops = phases completed; Custom0 = lines written.
// In step mode (step_gate.h) taking the lock, writing a line, releasing the
// lock and waiting at the barrier are steps.
#include "roles.h"

#include "barrier.h"
#include "lock.h"
#include "pacer.h"
#include "step_gate.h"

#include <algorithm>
#include <optional>
#include <sched.h>
#include <string>
#include <unistd.h>

namespace ipc::roles {

int phasePrinter(WorkerContext &ctx, const PhasePrinterOptions &options)
{
    constexpr std::string_view kRole = PhasePrinterOptions::kRole;
    auto barrier = ctx.arena.find<Barrier>(options.barrier);
    if (!barrier) return failed(kRole, barrier.error());
    auto lock = ctx.arena.find<Lock>(options.lock);
    if (!lock) return failed(kRole, lock.error());

    Pacer pacer(ctx.control); // slow motion: characters per second
    for (std::int64_t phase = 0; phase < options.phases; ++phase) {
        if (ctx.shouldStop()) return 0;
        const std::string line = "process " + std::to_string(options.rank) + " finished phase " +
                                 std::to_string(phase) + "\n";
        std::optional<LockGuard> held; // released on every way out
        if (ctx.control->lockOn()) {
            if (!telemetry::stepGate("take the lock")) return 0;
            auto acquired = LockGuard::hold(**lock);
            if (!acquired) return failed(kRole, acquired.error());
            held.emplace(std::move(*acquired));
        }
        if (!telemetry::stepGate("write '" + line.substr(0, line.size() - 1) + "'")) return 0;
        for (char c : line) {
            if (!pacer.wait()) return 0;
            if (retryOnEintr([&] { return write(STDOUT_FILENO, &c, 1); }) != 1)
                return failed(kRole, Error{Errc::Closed, "stdout closed"});
            sched_yield(); // let another printer in between two characters
        }
        if (held) {
            if (!telemetry::stepGate("release the lock")) return 0;
            if (auto released = held->release(); !released) return failed(kRole, released.error());
        }
        if (ctx.slot) ctx.slot->add(Counter::Custom0, 1);
        {
            // The rest of the phase's work: rank r takes r+1 units, so the
            // fast ones are seen waiting at the barrier for the slowest.
            // (After the printing: all print at once, just past the barrier.)
            StateScope working(ProcState::Sleeping);
            const Deadline done(std::chrono::milliseconds((options.rank + 1) * options.workMs));
            while (!done.expired()) {
                if (ctx.shouldStop()) return 0;
                usleep(std::uint32_t(std::min<std::int64_t>(10'000, std::max<std::int64_t>(done.pollMs(), 1) * 1000)));
            }
        }
        // Stop requests break the barrier from the engine's side; a bounded
        // wait keeps a printer from waiting for a peer that was killed.
        if (!telemetry::stepGate("wait at the barrier")) return 0;
        auto waited = (*barrier)->wait(std::chrono::seconds(30));
        if (!waited) return ctx.shouldStop() ? 0 : failed(kRole, waited.error());
        if (ctx.slot) ctx.slot->addOps(1);
    }
    return 0;
}

} // namespace ipc::roles
