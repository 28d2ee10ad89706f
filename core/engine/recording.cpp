#include "recording.h"

#include "scenario.h"
#include "wait_for.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QFile>
#include <QSaveFile>

#include <algorithm>
#include <cstring>
#include <optional>
#include <sys/utsname.h>
#include <thread>

namespace ipc {

namespace {

// --- writing ---------------------------------------------------------------

QCborValue text(const std::string &s) { return QCborValue(QString::fromStdString(s)); }
QCborValue whole(std::uint64_t v) { return QCborValue(qint64(v)); }

QCborMap encodeProcess(const ProcessSnapshot &p)
{
    QCborArray counters;
    for (std::uint64_t c : p.counters) counters.append(whole(c));
    QCborMap m{{QStringLiteral("slot"), qint64(p.slot)},
               {QStringLiteral("pid"), p.pid},
               {QStringLiteral("role"), text(p.role)},
               {QStringLiteral("state"), qint64(p.state)},
               {QStringLiteral("object"), qint64(p.object)},
               {QStringLiteral("ops"), whole(p.ops)},
               {QStringLiteral("blocked_ns"), whole(p.blockedNs)},
               {QStringLiteral("state_since_ns"), whole(p.stateSinceNs)},
               {QStringLiteral("counters"), counters},
               {QStringLiteral("exit_status"), p.exitStatus},
               {QStringLiteral("cpu_ns"), qint64(p.cpuNs)},
               {QStringLiteral("next_step"), text(p.nextStep)}};
    if (p.readValue) m.insert(QStringLiteral("read_value"), qint64(*p.readValue));
    if (p.joins) m.insert(QStringLiteral("joins"), qint64(*p.joins));
    return m;
}

template <class T, std::size_t N>
QCborArray pair(const std::array<T, N> &a)
{
    QCborArray out;
    for (const T &v : a) out.append(qint64(v));
    return out;
}

QCborMap encodeObject(const ObjectSnapshot &o)
{
    return QCborMap{{QStringLiteral("index"), qint64(o.index)},
                    {QStringLiteral("name"), text(o.name)},
                    {QStringLiteral("kind"), qint64(o.kind)},
                    {QStringLiteral("internal"), o.internal},
                    {QStringLiteral("level"), o.level},
                    {QStringLiteral("capacity"), o.capacity},
                    {QStringLiteral("has_lock"), o.hasLock},
                    {QStringLiteral("holder_pid"), o.holderPid},
                    {QStringLiteral("acquisitions"), whole(o.acquisitions)},
                    {QStringLiteral("owner_deaths"), whole(o.ownerDeaths)},
                    {QStringLiteral("has_value"), o.hasValue},
                    {QStringLiteral("value"), o.value},
                    {QStringLiteral("length"), whole(o.length)},
                    {QStringLiteral("has_traffic"), o.hasTraffic},
                    {QStringLiteral("messages"), pair(o.messages)},
                    {QStringLiteral("bytes"), pair(o.bytes)},
                    {QStringLiteral("end_pids"), pair(o.endPids)},
                    {QStringLiteral("kernel_queued"), pair(o.kernelQueued)},
                    {QStringLiteral("parties"), qint64(o.parties)},
                    {QStringLiteral("arrived"), qint64(o.arrived)},
                    {QStringLiteral("generation"), qint64(o.generation)},
                    {QStringLiteral("broken"), o.broken},
                    {QStringLiteral("segment"), text(o.segment)},
                    {QStringLiteral("attached"), qint64(o.attached)},
                    {QStringLiteral("unlinked"), o.unlinked},
                    {QStringLiteral("is_manager"), o.isManager},
                    {QStringLiteral("server_pid"), o.serverPid},
                    {QStringLiteral("requests"), whole(o.requests)},
                    {QStringLiteral("waiting"), qint64(o.waiting)},
                    {QStringLiteral("clients"), qint64(o.clients)},
                    {QStringLiteral("blocked_put"), qint64(o.blockedPut)},
                    {QStringLiteral("blocked_get"), qint64(o.blockedGet)},
                    {QStringLiteral("closed"), o.closed}};
}

QCborMap encodeBars(const Bars &b)
{
    QCborArray categories;
    for (const std::string &c : b.categories) categories.append(text(c));
    QCborArray sets;
    for (const Bars::Set &s : b.sets) {
        QCborArray values;
        for (double v : s.values) values.append(v);
        sets.append(QCborMap{{QStringLiteral("name"), text(s.name)}, {QStringLiteral("values"), values}});
    }
    return QCborMap{{QStringLiteral("title"), text(b.title)},
                    {QStringLiteral("category_label"), text(b.categoryLabel)},
                    {QStringLiteral("value_label"), text(b.valueLabel)},
                    {QStringLiteral("categories"), categories},
                    {QStringLiteral("sets"), sets},
                    {QStringLiteral("log_scale"), b.logScale}};
}

QCborMap encodeSample(const RecordedSample &r)
{
    const Snapshot &s = r.snapshot;
    QCborArray processes, objects, metrics;
    for (const ProcessSnapshot &p : s.processes) processes.append(encodeProcess(p));
    for (const ObjectSnapshot &o : s.objects) objects.append(encodeObject(o));
    for (const Metric &m : s.metrics)
        metrics.append(QCborMap{{QStringLiteral("key"), text(m.key)},
                                {QStringLiteral("value"), m.value},
                                {QStringLiteral("plotted"), m.plotted}});
    QCborMap out{{QStringLiteral("seconds"), r.seconds},        {QStringLiteral("time_ns"), whole(s.timeNs)},
                 {QStringLiteral("has_run"), s.hasRun},         {QStringLiteral("processes"), processes},
                 {QStringLiteral("objects"), objects},          {QStringLiteral("metrics"), metrics}};
    if (!s.bars.empty()) out.insert(QStringLiteral("bars"), encodeBars(s.bars));
    // A confirmed deadlock standing at this sample: its processes. The
    // reader derives the edges and the words again (completeWaits).
    if (s.deadlock) {
        QCborArray stuck;
        for (std::uint32_t slot : s.deadlock->stuck) stuck.append(qint64(slot));
        out.insert(QStringLiteral("deadlock"), stuck);
    }
    return out;
}

QCborArray encodeLinks(const std::vector<Link> &links)
{
    QCborArray out;
    for (const Link &l : links)
        out.append(QCborMap{{QStringLiteral("slot"), qint64(l.slot)},
                            {QStringLiteral("object"), text(l.object)},
                            {QStringLiteral("kind"), qint64(l.kind)}});
    return out;
}

// Trace events packed little-endian, 28 bytes each: slot u32, time u64,
// seq i64, object u32, kind u8, state u8, direction u16.
constexpr std::size_t kEventBytes = 28;

QByteArray packEvents(const std::vector<TracedEvent> &events)
{
    QByteArray out(qsizetype(events.size() * kEventBytes), Qt::Uninitialized);
    char *at = out.data();
    for (const TracedEvent &e : events) {
        const auto put = [&](const auto &v) {
            std::memcpy(at, &v, sizeof v);
            at += sizeof v;
        };
        put(e.slot);
        put(e.event.timeNs);
        put(e.event.seq);
        put(e.event.object);
        put(std::uint8_t(e.event.kind));
        put(e.event.state);
        put(e.event.aux);
    }
    return out;
}

// --- reading ---------------------------------------------------------------

// Reads fields of one CBOR map; the first problem is kept with its place
// ("sample 12, process 3: 'ops' is not a whole number") and every later
// read returns a default.
class Fields {
public:
    Fields(const QCborValue &value, std::string where, std::optional<Error> &error)
        : m_map(value.toMap()), m_where(std::move(where)), m_error(error)
    {
        if (!value.isMap()) problem("is not a map");
    }

    [[nodiscard]] bool has(const char *key) const { return m_map.contains(QLatin1StringView(key)); }
    [[nodiscard]] std::int64_t integer(const char *key, std::int64_t low, std::int64_t high)
    {
        const QCborValue v = get(key);
        if (!v.isInteger()) return problem(key, "is not a whole number"), 0;
        if (v.toInteger() < low || v.toInteger() > high)
            return problem(key, "is " + std::to_string(v.toInteger()) + ", out of range [" + std::to_string(low) +
                                    ", " + std::to_string(high) + "]"),
                   0;
        return v.toInteger();
    }
    [[nodiscard]] std::uint64_t count(const char *key) { return std::uint64_t(integer(key, 0, INT64_MAX)); }
    [[nodiscard]] double real(const char *key)
    {
        const QCborValue v = get(key);
        if (!v.isDouble() && !v.isInteger()) return problem(key, "is not a number"), 0.0;
        return v.toDouble();
    }
    [[nodiscard]] bool flag(const char *key)
    {
        const QCborValue v = get(key);
        if (!v.isBool()) return problem(key, "is not true or false"), false;
        return v.toBool();
    }
    [[nodiscard]] std::string str(const char *key)
    {
        const QCborValue v = get(key);
        if (!v.isString()) return problem(key, "is not a text"), std::string();
        return v.toString().toStdString();
    }
    [[nodiscard]] QCborArray array(const char *key)
    {
        const QCborValue v = get(key);
        if (!v.isArray()) return problem(key, "is not an array"), QCborArray();
        return v.toArray();
    }
    template <class T, std::size_t N>
    void pairOf(const char *key, std::array<T, N> &out, std::int64_t low, std::int64_t high)
    {
        const QCborArray a = array(key);
        if (failed()) return;
        if (a.size() != qsizetype(N)) return problem(key, "does not hold " + std::to_string(N) + " numbers");
        for (std::size_t i = 0; i < N; ++i) {
            if (!a[qsizetype(i)].isInteger() || a[qsizetype(i)].toInteger() < low || a[qsizetype(i)].toInteger() > high)
                return problem(key, "holds something other than a whole number in range");
            out[i] = T(a[qsizetype(i)].toInteger());
        }
    }
    [[nodiscard]] QCborValue get(const char *key)
    {
        if (failed()) return {};
        const QCborValue v = m_map.value(QLatin1StringView(key));
        if (v.isUndefined()) problem(key, "is missing");
        return v;
    }
    [[nodiscard]] bool failed() const { return m_error.has_value(); }
    // A map inside this one, with its place.
    [[nodiscard]] Fields child(const QCborValue &value, const std::string &place) const
    {
        return Fields(value, m_where + ", " + place, m_error);
    }
    [[nodiscard]] const std::string &where() const { return m_where; }
    void problem(const char *key, const std::string &what)
    {
        problem("'" + std::string(key) + "' " + what);
    }
    void problem(const std::string &what)
    {
        if (!m_error) m_error = Error{Errc::Corrupt, m_where + ": " + what};
    }

private:
    QCborMap m_map;
    std::string m_where;
    std::optional<Error> &m_error;
};

constexpr std::int64_t kI32Max = INT32_MAX;
constexpr std::int64_t kU32Max = UINT32_MAX;

ProcessSnapshot decodeProcess(Fields f)
{
    ProcessSnapshot p;
    p.slot = std::uint32_t(f.integer("slot", 0, Board::kMaxSlots - 1));
    p.pid = std::int32_t(f.integer("pid", 0, kI32Max));
    p.role = f.str("role");
    p.state = ProcState(f.integer("state", 0, std::int64_t(ProcState::Count_) - 1));
    p.object = std::uint32_t(f.integer("object", 0, kU32Max));
    p.ops = f.count("ops");
    p.blockedNs = f.count("blocked_ns");
    p.stateSinceNs = f.count("state_since_ns");
    const QCborArray counters = f.array("counters");
    if (!f.failed() && counters.size() != qsizetype(p.counters.size()))
        f.problem("counters", "does not hold " + std::to_string(p.counters.size()) + " numbers");
    for (qsizetype i = 0; !f.failed() && i < counters.size(); ++i) {
        if (!counters[i].isInteger() || counters[i].toInteger() < 0) f.problem("counters", "holds a negative or no number");
        p.counters[std::size_t(i)] = std::uint64_t(counters[i].toInteger());
    }
    p.exitStatus = std::int32_t(f.integer("exit_status", -kI32Max, kI32Max));
    p.cpuNs = f.integer("cpu_ns", -1, INT64_MAX);
    p.nextStep = f.str("next_step");
    if (f.has("read_value")) p.readValue = f.integer("read_value", INT64_MIN, INT64_MAX);
    if (f.has("joins")) p.joins = std::uint32_t(f.integer("joins", 0, Board::kMaxSlots - 1));
    return p;
}

ObjectSnapshot decodeObject(Fields f)
{
    ObjectSnapshot o;
    o.index = std::uint32_t(f.integer("index", 0, kU32Max));
    o.name = f.str("name");
    o.kind = ObjectKind(f.integer("kind", 0, std::int64_t(ObjectKind::Trace)));
    o.internal = f.flag("internal");
    o.level = f.real("level");
    o.capacity = f.real("capacity");
    o.hasLock = f.flag("has_lock");
    o.holderPid = std::int32_t(f.integer("holder_pid", 0, kI32Max));
    o.acquisitions = f.count("acquisitions");
    o.ownerDeaths = f.count("owner_deaths");
    o.hasValue = f.flag("has_value");
    o.value = f.real("value");
    o.length = f.count("length");
    o.hasTraffic = f.flag("has_traffic");
    f.pairOf("messages", o.messages, 0, INT64_MAX);
    f.pairOf("bytes", o.bytes, 0, INT64_MAX);
    f.pairOf("end_pids", o.endPids, 0, kI32Max);
    f.pairOf("kernel_queued", o.kernelQueued, 0, INT64_MAX);
    o.parties = std::uint32_t(f.integer("parties", 0, kU32Max));
    o.arrived = std::uint32_t(f.integer("arrived", 0, kU32Max));
    o.generation = std::uint32_t(f.integer("generation", 0, kU32Max));
    o.broken = f.flag("broken");
    o.segment = f.str("segment");
    o.attached = std::uint32_t(f.integer("attached", 0, kU32Max));
    o.unlinked = f.flag("unlinked");
    o.isManager = f.flag("is_manager");
    o.serverPid = std::int32_t(f.integer("server_pid", 0, kI32Max));
    o.requests = f.count("requests");
    o.waiting = std::uint32_t(f.integer("waiting", 0, kU32Max));
    o.clients = std::uint32_t(f.integer("clients", 0, kU32Max));
    o.blockedPut = std::uint32_t(f.integer("blocked_put", 0, kU32Max));
    o.blockedGet = std::uint32_t(f.integer("blocked_get", 0, kU32Max));
    o.closed = f.flag("closed");
    return o;
}

Bars decodeBars(Fields f)
{
    Bars b;
    b.title = f.str("title");
    b.categoryLabel = f.str("category_label");
    b.valueLabel = f.str("value_label");
    for (const QCborValue &c : f.array("categories")) {
        if (!c.isString()) f.problem("categories", "holds something other than text");
        b.categories.push_back(c.toString().toStdString());
    }
    const QCborArray sets = f.array("sets");
    for (qsizetype i = 0; i < sets.size() && !f.failed(); ++i) {
        Fields set = f.child(sets[i], "bar set " + std::to_string(i));
        Bars::Set out;
        out.name = set.str("name");
        for (const QCborValue &v : set.array("values")) {
            if (!v.isDouble() && !v.isInteger()) set.problem("values", "holds something other than a number");
            out.values.push_back(v.toDouble());
        }
        b.sets.push_back(std::move(out));
    }
    b.logScale = f.flag("log_scale");
    return b;
}

RecordedSample decodeSample(Fields f)
{
    RecordedSample r;
    r.seconds = f.real("seconds");
    Snapshot &s = r.snapshot;
    s.timeNs = f.count("time_ns");
    s.hasRun = f.flag("has_run");
    const QCborArray processes = f.array("processes");
    for (qsizetype i = 0; i < processes.size() && !f.failed(); ++i)
        s.processes.push_back(decodeProcess(f.child(processes[i], "process " + std::to_string(i))));
    const QCborArray objects = f.array("objects");
    for (qsizetype i = 0; i < objects.size() && !f.failed(); ++i)
        s.objects.push_back(decodeObject(f.child(objects[i], "object " + std::to_string(i))));
    const QCborArray metrics = f.array("metrics");
    for (qsizetype i = 0; i < metrics.size() && !f.failed(); ++i) {
        Fields m = f.child(metrics[i], "metric " + std::to_string(i));
        Metric metric{m.str("key"), m.real("value"), m.flag("plotted")};
        s.metrics.push_back(std::move(metric));
    }
    if (f.has("bars")) s.bars = decodeBars(f.child(f.get("bars"), "bars"));
    if (f.has("deadlock")) {
        Deadlock d;
        for (const QCborValue &slot : f.array("deadlock")) {
            if (!slot.isInteger() || slot.toInteger() < 0 || slot.toInteger() >= Board::kMaxSlots)
                return f.problem("deadlock", "holds something other than a process number"), r;
            d.stuck.push_back(std::uint32_t(slot.toInteger()));
        }
        s.deadlock = std::move(d);
    }
    return r;
}

// Each sample's wait-for graph, from its processes and objects and the
// run's links, as the live window drew it; and a deadlock the recording
// says was standing, described again from that graph (where the sample
// shows no cycle, whatever the file says, none is drawn).
void completeWaits(Recording &r)
{
    for (RecordedSample &sample : r.samples) {
        Snapshot &s = sample.snapshot;
        s.waits = waitForGraph(s, r.links);
        if (!s.deadlock) continue;
        if (s.waits.deadlocked()) s.deadlock = describeDeadlock(s.waits, s);
        else s.deadlock.reset();
    }
}

Result<std::vector<TracedEvent>> unpackEvents(const QByteArray &bytes, const std::string &where)
{
    if (std::size_t(bytes.size()) % kEventBytes != 0)
        return fail(Errc::Corrupt, where + ": trace: " + std::to_string(bytes.size()) +
                                       " bytes of events is not a whole number of " + std::to_string(kEventBytes) +
                                       "-byte events");
    std::vector<TracedEvent> out(std::size_t(bytes.size()) / kEventBytes);
    const char *at = bytes.constData();
    for (std::size_t k = 0; k < out.size(); ++k) {
        TracedEvent &e = out[k];
        const auto take = [&](auto &v) {
            std::memcpy(&v, at, sizeof v);
            at += sizeof v;
        };
        std::uint8_t kind = 0;
        take(e.slot);
        take(e.event.timeNs);
        take(e.event.seq);
        take(e.event.object);
        take(kind);
        take(e.event.state);
        take(e.event.aux);
        if (e.slot >= Trace::kRings)
            return fail(Errc::Corrupt, where + ": trace event " + std::to_string(k) + ": process " +
                                           std::to_string(e.slot) + " is out of range");
        if (kind < std::uint8_t(TraceKind::State) || kind > std::uint8_t(TraceKind::Wake))
            return fail(Errc::Corrupt, where + ": trace event " + std::to_string(k) + ": unknown kind " +
                                           std::to_string(kind));
        e.event.kind = TraceKind(kind);
    }
    return out;
}

void decodeLesson(Fields f, Recording &r)
{
    r.lesson = f.str("name");
    r.title = f.str("title");
    r.scenarioFile = f.str("file");
    const QCborValue params = f.get("params");
    if (f.failed()) return;
    if (!params.isMap()) return f.problem("params", "is not a map");
    const QCborMap map = params.toMap();
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        if (!it.key().isString() || !(it.value().isDouble() || it.value().isInteger()))
            return f.problem("params", "holds something other than a name and a number");
        r.params[it.key().toString().toStdString()] = it.value().toDouble();
    }
}

void decodeTrace(Fields f, Recording &r, const std::string &where)
{
    const QCborArray processes = f.array("processes");
    for (qsizetype i = 0; i < processes.size() && !f.failed(); ++i) {
        Fields p = f.child(processes[i], "process " + std::to_string(i));
        RecordedProcess out;
        out.slot = std::uint32_t(p.integer("slot", 0, Trace::kRings - 1));
        out.pid = std::int32_t(p.integer("pid", 0, kI32Max));
        out.role = p.str("role");
        r.processes.push_back(std::move(out));
    }
    for (const QCborValue &o : f.array("objects")) {
        if (!o.isString()) f.problem("objects", "holds something other than text");
        r.objects.push_back(o.toString().toStdString());
    }
    r.droppedEvents = f.count("dropped");
    const QCborValue events = f.get("events");
    if (f.failed()) return;
    if (!events.isByteArray()) return f.problem("events", "is not a byte string");
    auto unpacked = unpackEvents(events.toByteArray(), where);
    if (!unpacked) return f.problem(unpacked.error().message.substr(where.size() + 2));
    r.events = std::move(*unpacked);
}

} // namespace

void SampleLog::add(RecordedSample sample)
{
    if (!m_samples.empty() && ++m_skipped < m_stride) {
        m_samples.back() = std::move(sample); // the newest stands in until the next kept one
        return;
    }
    m_skipped = 0;
    m_samples.push_back(std::move(sample));
    if (m_samples.size() < kMax) return;
    std::vector<RecordedSample> kept;
    kept.reserve(kMax / 2 + 1);
    for (std::size_t i = 0; i < m_samples.size(); i += 2) kept.push_back(std::move(m_samples[i]));
    m_samples = std::move(kept);
    m_stride *= 2;
}

TraceLog Recording::traceLog(std::uint64_t untilNs) const
{
    TraceLog log;
    log.describeObjects(objects);
    for (const RecordedProcess &p : processes) log.describeProcess(p.slot, p.pid, p.role);
    // The events are in time order.
    const auto end = std::find_if(events.begin(), events.end(),
                                  [&](const TracedEvent &e) { return e.event.timeNs > untilNs; });
    log.add(std::vector<TracedEvent>(events.begin(), end));
    log.addDropped(droppedEvents);
    return log;
}

std::string describeMachine()
{
    std::string out = std::to_string(std::thread::hardware_concurrency()) + " CPUs";
    struct utsname u{};
    if (uname(&u) == 0) out += std::string(", ") + u.sysname + " " + u.release + " " + u.machine;
    return out;
}

QByteArray encodeRecording(const Recording &r)
{
    QCborMap params;
    for (const auto &[k, v] : r.params) params.insert(QString::fromStdString(k), v);
    QCborArray samples;
    for (const RecordedSample &s : r.samples) samples.append(encodeSample(s));
    QCborArray processes;
    for (const RecordedProcess &p : r.processes)
        processes.append(QCborMap{{QStringLiteral("slot"), qint64(p.slot)},
                                  {QStringLiteral("pid"), p.pid},
                                  {QStringLiteral("role"), text(p.role)}});
    QCborArray objects;
    for (const std::string &o : r.objects) objects.append(text(o));
    QCborArray schedule;
    for (std::uint32_t step : r.schedule) schedule.append(qint64(step));
    const QCborMap root{
        {QStringLiteral("format"), QString::fromLatin1(Recording::kFormat)},
        {QStringLiteral("version"), qint64(Recording::kVersion)},
        {QStringLiteral("program"), text(r.program)},
        {QStringLiteral("machine"), text(r.machine)},
        {QStringLiteral("lesson"), QCborMap{{QStringLiteral("name"), text(r.lesson)},
                                            {QStringLiteral("title"), text(r.title)},
                                            {QStringLiteral("file"), text(r.scenarioFile)},
                                            {QStringLiteral("params"), params}}},
        {QStringLiteral("texts"), QCborMap{{QStringLiteral("title"), text(r.texts.title)},
                                           {QStringLiteral("explanation"), text(r.texts.explanation)},
                                           {QStringLiteral("question"), text(r.texts.question)},
                                           {QStringLiteral("answer"), text(r.texts.answer)},
                                           {QStringLiteral("python"), text(r.texts.python)},
                                           {QStringLiteral("values_axis"), text(r.texts.valuesAxis)}}},
        {QStringLiteral("start_ns"), whole(r.startNs)},
        {QStringLiteral("samples"), samples},
        {QStringLiteral("trace"), QCborMap{{QStringLiteral("processes"), processes},
                                           {QStringLiteral("objects"), objects},
                                           {QStringLiteral("events"), packEvents(r.events)},
                                           {QStringLiteral("dropped"), whole(r.droppedEvents)}}},
        {QStringLiteral("schedule"), schedule},
        {QStringLiteral("links"), encodeLinks(r.links)},
        {QStringLiteral("only_linked_objects"), r.drawsOnlyLinkedObjects}};
    return root.toCborValue().toCbor();
}

Result<Recording> decodeRecording(const QByteArray &bytes, const std::string &where)
{
    QCborParserError parse;
    const QCborValue root = QCborValue::fromCbor(bytes, &parse);
    if (parse.error != QCborError::NoError)
        return fail(Errc::Corrupt, where + ": not a recording (byte " + std::to_string(parse.offset) + ": " +
                                       parse.errorString().toStdString() + ")");
    if (!root.isMap() || root[QStringLiteral("format")].toString() != QLatin1StringView(Recording::kFormat))
        return fail(Errc::Corrupt, where + ": not an ipc-playground recording (no \"format\": \"" +
                                       Recording::kFormat + "\")");
    const QCborValue version = root[QStringLiteral("version")];
    if (!version.isInteger() || version.toInteger() < 1)
        return fail(Errc::Corrupt, where + ": 'version' is not a version number");
    if (version.toInteger() > Recording::kVersion)
        return fail(Errc::Corrupt, where + ": version " + std::to_string(version.toInteger()) +
                                       " is newer than this program reads (" + std::to_string(Recording::kVersion) +
                                       "); a newer ipc-playground made it");
    std::optional<Error> error;
    Fields top(root, where, error);
    Recording r;
    r.program = top.str("program");
    r.machine = top.str("machine");
    decodeLesson(top.child(top.get("lesson"), "lesson"), r);
    if (top.has("texts")) {
        Fields t = top.child(top.get("texts"), "texts");
        r.texts = LessonTexts{t.str("title"), t.str("explanation"), t.str("question"),
                              t.str("answer"),  t.str("python"),      t.str("values_axis")};
    }
    r.startNs = top.count("start_ns");
    const QCborArray samples = top.array("samples");
    for (qsizetype i = 0; i < samples.size() && !error; ++i)
        r.samples.push_back(decodeSample(top.child(samples[i], "sample " + std::to_string(i))));
    decodeTrace(top.child(top.get("trace"), "trace"), r, where);
    for (const QCborValue &step : top.array("schedule")) {
        if (!step.isInteger() || step.toInteger() < 0 || step.toInteger() >= Board::kMaxSlots)
            top.problem("schedule", "holds something other than a process number");
        r.schedule.push_back(std::uint32_t(step.toInteger()));
    }
    // (Optional: a recording without them draws no lines.)
    if (top.has("links")) {
        const QCborArray links = top.array("links");
        for (qsizetype i = 0; i < links.size() && !error; ++i) {
            Fields l = top.child(links[i], "link " + std::to_string(i));
            Link link;
            link.slot = std::uint32_t(l.integer("slot", 0, Board::kMaxSlots - 1));
            link.object = l.str("object");
            link.kind = Link::Kind(l.integer("kind", 0, std::int64_t(Link::Kind::Serves)));
            r.links.push_back(std::move(link));
        }
    }
    if (top.has("only_linked_objects")) r.drawsOnlyLinkedObjects = top.flag("only_linked_objects");
    if (error) return std::unexpected(*error);
    completeWaits(r);
    return r;
}

Result<void> saveRecording(const Recording &recording, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(Errc::System, "cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
    file.write(encodeRecording(recording));
    if (!file.commit())
        return fail(Errc::System, "cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
    return {};
}

Result<Recording> loadRecording(const QString &path)
{
    // A recording of an hour's lecture is some hundreds of MB; a file far
    // beyond that is not one.
    constexpr qint64 kMaxBytes = qint64(2) << 30;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Errc::NotFound, "cannot read '" + path.toStdString() + "': " + file.errorString().toStdString());
    if (file.size() > kMaxBytes)
        return fail(Errc::TooLarge, "recording '" + path.toStdString() + "' is " + std::to_string(file.size()) +
                                        " bytes, more than a recording can be");
    return decodeRecording(file.readAll(), "recording '" + path.toStdString() + "'");
}

Recording recordingOf(const Scenario &scenario, std::uint64_t startNs, std::vector<RecordedSample> samples)
{
    Recording r;
    r.machine = describeMachine();
    r.lesson = scenario.lesson().name;
    r.title = scenario.lesson().title;
    r.scenarioFile = scenario.lessonFile();
    for (const ScenarioInfo *declared : {&scenario.info(), &scenario.lesson()})
        for (const ParamSpec &p : declared->params) r.params[p.key] = scenario.param(p.key);
    const QJsonObject result = scenario.result();
    r.texts = scenario.texts(&result);
    r.startNs = startNs;
    r.samples = std::move(samples);
    const TraceLog &log = scenario.trace();
    for (const TracedProcess &p : log.processes()) r.processes.push_back({p.slot, p.pid, p.role});
    r.objects = log.objectNames();
    r.events = log.events();
    r.droppedEvents = log.dropped();
    r.schedule = scenario.schedule();
    r.links = scenario.links();
    r.drawsOnlyLinkedObjects = scenario.drawsOnlyLinkedObjects();
    return r;
}

} // namespace ipc
