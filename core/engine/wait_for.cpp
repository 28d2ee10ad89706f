#include "wait_for.h"

#include "snapshot.h"

#include <algorithm>

namespace ipc {

namespace {

bool alive(const ProcessSnapshot &p) noexcept
{
    return p.state != ProcState::Empty && p.state != ProcState::Exited && !isTerminal(p.state);
}

// The living processes the lesson links to `object` with one of `kinds`
// (all kinds when empty), except `waiter`.
std::vector<std::uint32_t> linked(const Snapshot &snapshot, std::span<const Link> links, const ObjectSnapshot &object,
                                  std::uint32_t waiter, std::initializer_list<Link::Kind> kinds)
{
    std::vector<std::uint32_t> out;
    for (const Link &l : links) {
        if (l.slot == waiter || l.slot >= snapshot.processes.size() || l.object != object.name) continue;
        if (kinds.size() != 0 && std::find(kinds.begin(), kinds.end(), l.kind) == kinds.end()) continue;
        out.push_back(l.slot);
    }
    return out;
}

// The processes that could end `p`'s wait.
std::vector<std::uint32_t> wakers(const Snapshot &snapshot, std::span<const Link> links, const ProcessSnapshot &p)
{
    using K = Link::Kind;
    if (p.state == ProcState::WaitingJoin && p.joins) return {*p.joins};
    const ObjectSnapshot *o = snapshot.object(p.object);
    if (!o) return {};
    const auto byPid = [&](std::int32_t pid) -> std::vector<std::uint32_t> {
        const ProcessSnapshot *q = pid > 0 && pid != p.pid ? snapshot.processByPid(pid) : nullptr;
        return q ? std::vector<std::uint32_t>{q->slot} : std::vector<std::uint32_t>{};
    };
    switch (p.state) {
    case ProcState::WaitingLock: return o->hasLock ? byPid(o->holderPid) : std::vector<std::uint32_t>{};
    case ProcState::BlockedSend:
    case ProcState::BlockedRecv:
        // The other end of the pipe: it must read (or send) for this one to go on.
        for (int d = 0; d < ObjectSnapshot::kDirections; ++d)
            if (o->endPids[std::size_t(d)] == p.pid) return byPid(o->endPids[std::size_t(1 - d)]);
        return linked(snapshot, links, *o, p.slot, {});
    case ProcState::BlockedPut: return linked(snapshot, links, *o, p.slot, {K::Gets, K::Uses});
    case ProcState::BlockedGet: return linked(snapshot, links, *o, p.slot, {K::Puts, K::Uses});
    case ProcState::WaitingJoin: return linked(snapshot, links, *o, p.slot, {K::Gets, K::Uses}); // task_done()
    case ProcState::WaitingBarrier:
    case ProcState::WaitingEvent:
    case ProcState::WaitingCondition:
    case ProcState::WaitingSemaphore: {
        // Whoever uses it and is not waiting at it too.
        std::vector<std::uint32_t> out = linked(snapshot, links, *o, p.slot, {});
        std::erase_if(out, [&](std::uint32_t s) {
            const ProcessSnapshot &q = snapshot.processes[s];
            return q.state == p.state && q.object == p.object;
        });
        return out;
    }
    default: return {};
    }
}

std::string label(const Snapshot &snapshot, std::uint32_t slot)
{
    if (slot >= snapshot.processes.size()) return "process " + std::to_string(slot);
    const ProcessSnapshot &p = snapshot.processes[slot];
    return p.role + " " + std::to_string(p.pid);
}

} // namespace

WaitForGraph waitForGraph(const Snapshot &snapshot, std::span<const Link> links)
{
    WaitForGraph g;
    const std::size_t n = snapshot.processes.size();
    std::vector<std::vector<std::uint32_t>> out(n);
    for (const ProcessSnapshot &p : snapshot.processes) {
        if (!isBlocking(p.state)) continue;
        std::vector<std::uint32_t> w = wakers(snapshot, links, p);
        std::sort(w.begin(), w.end());
        w.erase(std::unique(w.begin(), w.end()), w.end());
        for (std::uint32_t q : w) {
            if (q >= n || q == p.slot || !alive(snapshot.processes[q])) continue;
            out[p.slot].push_back(q);
            g.edges.push_back({p.slot, q, p.state, p.state == ProcState::WaitingJoin && p.joins ? kNoObject : p.object});
        }
    }
    // The stuck set: start from every blocked process with someone to wait
    // for, drop each that waits for anyone outside the set, until none drops.
    std::vector<char> stuck(n, 0);
    for (std::size_t i = 0; i < n; ++i) stuck[i] = !out[i].empty();
    for (bool dropped = true; dropped;) {
        dropped = false;
        for (std::size_t i = 0; i < n; ++i)
            if (stuck[i] && std::any_of(out[i].begin(), out[i].end(), [&](std::uint32_t q) { return !stuck[q]; })) {
                stuck[i] = 0;
                dropped = true;
            }
    }
    for (std::uint32_t i = 0; i < n; ++i)
        if (stuck[i]) g.stuck.push_back(i);
    if (g.stuck.empty()) return g;
    // Every member waits only for members, so walking any edge from the
    // lowest slot must come back to a process already seen: that loop is
    // the cycle.
    std::vector<std::uint32_t> path;
    std::vector<int> at(n, -1);
    std::uint32_t p = g.stuck.front();
    while (at[p] < 0) {
        at[p] = int(path.size());
        path.push_back(p);
        p = out[p].front();
    }
    for (std::size_t i = std::size_t(at[p]); i < path.size(); ++i) {
        const std::uint32_t from = path[i];
        const std::uint32_t to = i + 1 < path.size() ? path[i + 1] : p;
        const auto e = std::find_if(g.edges.begin(), g.edges.end(),
                                    [&](const WaitEdge &x) { return x.waiter == from && x.waitsFor == to; });
        g.cycle.push_back(*e);
    }
    return g;
}

std::string describe(const WaitEdge &edge, const Snapshot &snapshot)
{
    const std::string who = label(snapshot, edge.waiter);
    const std::string other = label(snapshot, edge.waitsFor);
    const ObjectSnapshot *o = snapshot.object(edge.object);
    const std::string what = o ? o->name : std::string("it");
    switch (edge.state) {
    case ProcState::WaitingLock: return who + " waits for " + other + "'s " + what;
    case ProcState::BlockedSend: return who + " waits for " + other + " to read from " + what;
    case ProcState::BlockedRecv: return who + " waits for " + other + " to send on " + what;
    case ProcState::BlockedPut: return who + " waits for " + other + " to get from " + what;
    case ProcState::BlockedGet: return who + " waits for " + other + " to put on " + what;
    case ProcState::WaitingJoin:
        return o ? who + " waits for " + other + " to finish the tasks of " + what
                 : who + " waits for " + other + " to exit";
    case ProcState::WaitingBarrier: return who + " waits for " + other + " at " + what;
    case ProcState::WaitingEvent: return who + " waits for " + other + " to set " + what;
    case ProcState::WaitingCondition: return who + " waits for " + other + " to notify " + what;
    case ProcState::WaitingSemaphore: return who + " waits for " + other + " to release " + what;
    default: return who + " waits for " + other;
    }
}

std::string describeCycle(const std::vector<WaitEdge> &cycle, const Snapshot &snapshot)
{
    std::string out;
    for (const WaitEdge &e : cycle) {
        if (!out.empty()) out += ", ";
        out += describe(e, snapshot);
    }
    return out;
}

Deadlock describeDeadlock(const WaitForGraph &graph, const Snapshot &snapshot)
{
    const auto named = [&](const WaitEdge &e) {
        Deadlock::Edge d;
        d.edge = e;
        const auto fill = [&](std::uint32_t slot, std::int32_t &pid, std::string &role) {
            if (slot >= snapshot.processes.size()) return;
            pid = snapshot.processes[slot].pid;
            role = snapshot.processes[slot].role;
        };
        fill(e.waiter, d.pid, d.role);
        fill(e.waitsFor, d.waitsForPid, d.waitsForRole);
        if (const ObjectSnapshot *o = snapshot.object(e.object)) d.object = o->name;
        d.text = describe(e, snapshot);
        return d;
    };
    Deadlock out;
    out.stuck = graph.stuck;
    for (const WaitEdge &e : graph.cycle) out.cycle.push_back(named(e));
    const auto isStuck = [&](std::uint32_t s) { return std::binary_search(graph.stuck.begin(), graph.stuck.end(), s); };
    for (const WaitEdge &e : graph.edges)
        if (isStuck(e.waiter) && isStuck(e.waitsFor)) out.edges.push_back(named(e));
    out.text = describeCycle(graph.cycle, snapshot);
    return out;
}

} // namespace ipc
