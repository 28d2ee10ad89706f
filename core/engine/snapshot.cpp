#include "snapshot.h"

#include "barrier.h"
#include "lock.h"
#include "manager_info.h"
#include "pipe.h"
#include "posix_call.h"
#include "proc_stat.h"
#include "queue.h"
#include "run.h"
#include "shared_memory_block.h"
#include "shared_value.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ipc {

namespace {

void readProcesses(Run &run, Snapshot &out, const SnapshotOptions &options)
{
    const Board &board = run.board();
    const std::uint32_t count = board.slotCount.load(std::memory_order_acquire);
    out.processes.resize(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const BoardSlot &s = board.slots[i];
        ProcessSnapshot &p = out.processes[i];
        p.slot = i;
        p.pid = s.pid.load(std::memory_order_relaxed);
        // The engine writes the role before the slot is published (slotCount
        // is a release store), so this read is ordered after it.
        p.role.assign(s.role, strnlen(s.role, BoardSlot::kRoleSize));
        p.state = s.currentState();
        if (std::uint32_t(p.state) >= std::uint32_t(ProcState::Count_)) p.state = ProcState::Empty;
        p.object = s.object.load(std::memory_order_relaxed);
        p.ops = s.ops.load(std::memory_order_relaxed);
        p.blockedNs = s.blockedNs.load(std::memory_order_relaxed);
        p.stateSinceNs = s.stateSinceNs.load(std::memory_order_relaxed);
        for (std::size_t c = 0; c < BoardSlot::kCounters; ++c)
            p.counters[c] = s.counters[c].load(std::memory_order_relaxed);
        p.exitStatus = s.exitStatus.load(std::memory_order_relaxed);
        const StepSlot &step = run.steps().slots[i];
        p.nextStep.clear();
        if (p.state == ProcState::WaitingStep) p.nextStep.assign(step.next, strnlen(step.next, StepSlot::kTextSize));
        p.readValue.reset();
        if (step.hasSeen.load(std::memory_order_acquire) != 0) p.readValue = step.seen.load(std::memory_order_relaxed);
        p.joins.reset();
        if (const std::uint32_t j = s.joinsSlotPlusOne.load(std::memory_order_relaxed);
            j != 0 && p.state == ProcState::WaitingJoin)
            p.joins = j - 1;
        p.cpuNs = -1;
        if (options.readCpuTime && p.pid > 0 && !isTerminal(p.state)) p.cpuNs = processCpuNs(p.pid);
    }
}

// Calls f with the object at `offset` as Object<T>, T its element type.
// The members before the elements are the same for every T, so the type
// can be read through any of them.
template <template <class> class Object, class F>
void withElementType(const Arena &arena, std::uint64_t offset, F &&f)
{
    switch (arena.at<Object<std::int32_t>>(offset)->type()) {
    case ElementType::Int16: f(arena.at<Object<std::int16_t>>(offset)); break;
    case ElementType::Int32: f(arena.at<Object<std::int32_t>>(offset)); break;
    case ElementType::Int64: f(arena.at<Object<std::int64_t>>(offset)); break;
    case ElementType::Double: f(arena.at<Object<double>>(offset)); break;
    case ElementType::Char: f(arena.at<Object<char>>(offset)); break;
    }
}

template <class V>
void readRawValue(V *v, ObjectSnapshot &o)
{
    o.hasValue = true;
    o.value = double(v->load());
}

template <class V>
void readValue(V *v, ObjectSnapshot &o)
{
    o.hasValue = true;
    o.value = double(v->load());
    o.hasLock = true;
    o.holderPid = v->getLock().holderPid();
    o.acquisitions = v->getLock().acquisitions();
    o.ownerDeaths = v->getLock().ownerDeaths();
}

template <class A>
void readArray(A *a, ObjectSnapshot &o)
{
    o.length = a->size();
    o.hasLock = true;
    o.holderPid = a->getLock().holderPid();
    o.acquisitions = a->getLock().acquisitions();
    o.ownerDeaths = a->getLock().ownerDeaths();
}

template <class L>
void readLock(const L *lock, ObjectSnapshot &o)
{
    o.hasLock = true;
    o.holderPid = lock->holderPid();
    o.acquisitions = lock->acquisitions();
    o.ownerDeaths = lock->ownerDeaths();
}

void readQueue(const Queue *queue, ObjectSnapshot &o)
{
    // A JoinableQueue is a Queue with more after it: stats() reads both.
    const QueueStats q = queue->stats();
    o.level = double(q.depth);
    o.capacity = double(q.capacity);
    o.blockedPut = q.blockedPut;
    o.blockedGet = q.blockedGet;
    o.closed = q.closed;
}

void readBarrier(const Barrier *b, ObjectSnapshot &o)
{
    o.parties = b->parties();
    o.arrived = b->nWaiting();
    o.generation = b->generation();
    o.broken = b->isBroken();
}

void readBlockNote(const BlockNote *n, ObjectSnapshot &o)
{
    o.segment.assign(n->segment, strnlen(n->segment, BlockNote::kSegmentSize));
    o.length = n->count;
    o.attached = n->attached.load(std::memory_order_relaxed);
    o.unlinked = n->unlinked.load(std::memory_order_relaxed) != 0;
}

void readManager(const Arena &arena, const DirectoryEntry &e, ObjectSnapshot &o)
{
    const std::string_view name(e.name, strnlen(e.name, DirectoryEntry::kNameSize));
    auto info = arena.find<manager::ManagerInfo>(name);
    if (!info) return;
    o.isManager = true;
    o.serverPid = (*info)->serverPid.load(std::memory_order_relaxed);
    o.requests = (*info)->requests.load(std::memory_order_relaxed);
    o.waiting = (*info)->waiting.load(std::memory_order_relaxed);
    o.clients = (*info)->clients.load(std::memory_order_relaxed);
}

void readPipe(const PipeStats *p, ObjectSnapshot &o)
{
    // Direction d is what end d sent: 0 = A -> B, 1 = B -> A.
    o.hasTraffic = true;
    std::array<std::uint64_t, 2> queued{};
    for (std::size_t d = 0; d < 2; ++d) {
        const PipeStats::End &end = p->ends[d];
        o.messages[d] = end.messagesSent.load(std::memory_order_relaxed);
        o.bytes[d] = end.bytesSent.load(std::memory_order_relaxed);
        o.endPids[d] = end.pid.load(std::memory_order_relaxed);
        queued[d] = end.kernelQueued.load(std::memory_order_relaxed);
    }
    if (p->socketPair.load(std::memory_order_relaxed)) {
        // A socket end's FIONREAD is what waits for *it*: what the other end sent.
        o.kernelQueued = {queued[1], queued[0]};
    } else {
        // Both ends of a one-way pipe see the same kernel buffer.
        const std::size_t d = o.messages[1] > o.messages[0] ? 1 : 0;
        o.kernelQueued[d] = std::max(queued[0], queued[1]);
    }
}

// Fills the fields of o's kind; o holds the defaults (readObjects).
void readObject(const Arena &arena, const DirectoryEntry &e, ObjectSnapshot &o)
{
    o.kind = e.kind;
    // Raw storage is an engine's own device (compare's start gates, one per
    // pair): plumbing, like the board.
    o.internal = e.kind == ObjectKind::Board || e.kind == ObjectKind::Control ||
                 e.kind == ObjectKind::Scenario || e.kind == ObjectKind::Free || e.kind == ObjectKind::Raw ||
                 e.kind == ObjectKind::Trace;
    switch (e.kind) {
    case ObjectKind::Lock: readLock(arena.at<Lock>(e.offset), o); break;
    case ObjectKind::RLock: readLock(arena.at<RLock>(e.offset), o); break;
    case ObjectKind::Value: withElementType<SharedValue>(arena, e.offset, [&](auto *v) { readValue(v, o); }); break;
    case ObjectKind::RawValue: withElementType<RawValue>(arena, e.offset, [&](auto *v) { readRawValue(v, o); }); break;
    case ObjectKind::Array: withElementType<SharedArray>(arena, e.offset, [&](auto *a) { readArray(a, o); }); break;
    case ObjectKind::RawArray: withElementType<RawArray>(arena, e.offset, [&](auto *a) { o.length = a->size(); }); break;
    case ObjectKind::Queue:
    case ObjectKind::JoinableQueue:
    case ObjectKind::SimpleQueue: readQueue(arena.at<Queue>(e.offset), o); break;
    case ObjectKind::Barrier: readBarrier(arena.at<Barrier>(e.offset), o); break;
    case ObjectKind::BlockNote: readBlockNote(arena.at<BlockNote>(e.offset), o); break;
    case ObjectKind::Manager: readManager(arena, e, o); break;
    case ObjectKind::PipeStats: readPipe(arena.at<PipeStats>(e.offset), o); break;
    default: break;
    }
}

void readObjects(Run &run, Snapshot &out)
{
    const Arena &arena = run.arena();
    const auto entries = arena.objects();
    out.objects.resize(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const DirectoryEntry &e = entries[i];
        ObjectSnapshot &o = out.objects[i];
        // Every field starts from its default on every tick, so none keeps
        // the last tick's value; the strings keep their storage.
        std::string name = std::move(o.name);
        std::string segment = std::move(o.segment);
        o = ObjectSnapshot{};
        o.index = std::uint32_t(i);
        name.assign(e.name, strnlen(e.name, DirectoryEntry::kNameSize));
        o.name = std::move(name);
        segment.clear();
        o.segment = std::move(segment);
        readObject(arena, e, o);
    }
}

} // namespace

const ObjectSnapshot *Snapshot::object(std::uint32_t index) const noexcept
{
    return index < objects.size() ? &objects[index] : nullptr;
}

const ObjectSnapshot *Snapshot::object(std::string_view name) const noexcept
{
    for (const ObjectSnapshot &o : objects)
        if (o.name == name) return &o;
    return nullptr;
}

const ProcessSnapshot *Snapshot::processByPid(std::int32_t pid) const noexcept
{
    for (const ProcessSnapshot &p : processes)
        if (p.pid == pid) return &p;
    return nullptr;
}

void takeSnapshot(Run &run, Snapshot &out, const SnapshotOptions &options)
{
    out.timeNs = monotonicNs();
    out.hasRun = true;
    readProcesses(run, out, options);
    readObjects(run, out);
    out.metrics.clear();
    out.bars = {};
    // Who waits for whom needs the lesson's links: takeSnapshot(Scenario&)
    // fills it, once per tick (the deadlock watch draws its own).
    out.waits = {};
    out.deadlock.reset();
}

void takeSnapshot(Scenario &scenario, Snapshot &out, const SnapshotOptions &options)
{
    Run *run = scenario.run();
    if (!run) {
        out.timeNs = monotonicNs();
        out.hasRun = false;
        out.processes.clear();
        out.objects.clear();
        out.metrics.clear();
        out.bars = {};
        out.waits = {};
        out.deadlock.reset();
        return;
    }
    takeSnapshot(*run, out, options);
    out.metrics = scenario.metrics();
    out.bars = scenario.bars();
    const std::vector<Link> links = scenario.links();
    out.waits = waitForGraph(out, links);
    out.deadlock.reset();
    if (const Deadlock *d = scenario.deadlock()) out.deadlock = *d;
}

std::int64_t processCpuNs(std::int32_t pid) noexcept
{
    const std::optional<ProcStat> stat = readProcStat(pid);
    if (!stat) return -1;
    static const long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0) return -1;
    return std::int64_t((stat->utimeTicks + stat->stimeTicks) * (1'000'000'000ull / std::uint64_t(hz)));
}

} // namespace ipc
