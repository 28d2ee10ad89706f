// Recordings (engine/recording.h): a real run's samples and trace come back
// from the file exactly, field by field; a truncated file, a newer
// version, random bytes, a field of the wrong type or a trace of the wrong
// length are refused with the place and the problem, never a crash; and
// the CLI records a run and replays it without starting a process.
#include "catalog.h"
#include "recording.h"
#include "scenario.h"
#include "test_support.h"
#include "wait_for.h"

#include <QCborMap>
#include <QFile>
#include <QCborValue>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <random>

using namespace ipc;
using ipc::test::runCli;

namespace {

// A traced producer-consumer run, sampled as the window samples it.
Recording recordRealRun()
{
    auto made = createScenario("producer-consumer");
    if (!made) return {};
    Scenario &s = **made;
    (void)s.setParam("items", 60);
    (void)s.setParam("rate", 1500);
    s.setTracing(true);
    if (!s.start()) return {};
    const std::uint64_t start = monotonicNs();
    std::vector<RecordedSample> samples;
    const auto sample = [&] {
        RecordedSample r;
        takeSnapshot(s, r.snapshot, {.readCpuTime = samples.size() % 4 == 0});
        r.seconds = double(r.snapshot.timeNs - start) * 1e-9;
        samples.push_back(std::move(r));
    };
    waitFor([&] {
        sample();
        return s.finished();
    });
    s.stop();
    sample();
    Recording r = recordingOf(s, start, std::move(samples));
    r.program = "test";
    return r;
}

// Every field a sample can hold, away from its default.
RecordedSample everyField()
{
    RecordedSample r;
    r.seconds = 1.25;
    Snapshot &s = r.snapshot;
    s.timeNs = 123456789;
    s.hasRun = true;
    ProcessSnapshot p;
    p.slot = 3;
    p.pid = 4242;
    p.role = "philosopher";
    p.state = ProcState::WaitingStep;
    p.object = 7;
    p.ops = 99;
    p.blockedNs = 5;
    p.stateSinceNs = 6;
    p.counters = {1, 2, 3, 4, 5, 6, 7, 8};
    p.exitStatus = -9;
    p.cpuNs = 1000;
    p.nextStep = "take fork 1";
    p.readValue = -41;
    p.joins = 2;
    s.processes.push_back(p);
    ObjectSnapshot o;
    o.index = 5;
    o.name = "pipe";
    o.kind = ObjectKind::PipeStats;
    o.internal = false;
    o.level = 3.5;
    o.capacity = 8;
    o.hasLock = true;
    o.holderPid = 4242;
    o.acquisitions = 10;
    o.ownerDeaths = 1;
    o.hasValue = true;
    o.value = -2.5;
    o.length = 128;
    o.hasTraffic = true;
    o.messages = {11, 12};
    o.bytes = {13, 14};
    o.endPids = {15, 16};
    o.kernelQueued = {17, 18};
    o.parties = 4;
    o.arrived = 2;
    o.generation = 9;
    o.broken = true;
    o.segment = "ipc-shm-1-0";
    o.attached = 3;
    o.unlinked = true;
    o.isManager = true;
    o.serverPid = 77;
    o.requests = 1000;
    o.waiting = 2;
    o.clients = 3;
    o.blockedPut = 1;
    o.blockedGet = 2;
    o.closed = true;
    s.objects.push_back(o);
    s.metrics = {{"lost", 12.5, true}, {"expected", 100, false}};
    s.bars.title = "Lost updates";
    s.bars.categoryLabel = "lost (%)";
    s.bars.valueLabel = "runs";
    s.bars.categories = {"0", "1-10"};
    s.bars.sets = {{"lock off", {1, 2}}, {"lock on", {3, 0}}};
    s.bars.logScale = true;
    return r;
}

void compareSamples(const std::vector<RecordedSample> &a, const std::vector<RecordedSample> &b)
{
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].seconds, b[i].seconds);
        QCOMPARE(a[i].snapshot.timeNs, b[i].snapshot.timeNs);
        QCOMPARE(a[i].snapshot.hasRun, b[i].snapshot.hasRun);
        QVERIFY(a[i].snapshot.processes == b[i].snapshot.processes);
        QVERIFY(a[i].snapshot.objects == b[i].snapshot.objects);
        QVERIFY(a[i].snapshot.metrics == b[i].snapshot.metrics);
        QVERIFY(a[i].snapshot.bars == b[i].snapshot.bars);
    }
}

QString errorOf(const QByteArray &bytes)
{
    auto r = decodeRecording(bytes, "recording 'x.ipcrec'");
    return r ? QString() : QString::fromStdString(r.error().message);
}

} // namespace

class TestRecording : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void realRunComesBackExactly();
    void everyFieldComesBack();
    void refusesWhatIsNotARecording();
    void refusesWrongFieldsWithTheirPlace();
    void damagedBytesNeverCrash();
    void cliRecordsAndReplays();
    void longRunsKeepTheirStartAndEnd();
    void aDeadlockComesBackWithItsCycle();
    void aLessonFileTravelsWithItsRun();
};

void TestRecording::realRunComesBackExactly()
{
    const Recording live = recordRealRun();
    QVERIFY(live.samples.size() >= 3);
    QVERIFY(live.events.size() > 100);
    const auto back = decodeRecording(encodeRecording(live), "test");
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    compareSamples(live.samples, back->samples);
    QCOMPARE(back->lesson, std::string("producer-consumer"));
    QCOMPARE(back->params, live.params);
    // The answer as rendered from this run's result.
    QVERIFY(!back->texts.answer.empty());
    QCOMPARE(back->texts.answer, live.texts.answer);
    QCOMPARE(back->params.at("items"), 60.0);
    QCOMPARE(back->startNs, live.startNs);
    QVERIFY(back->events == live.events);
    QCOMPARE(back->objects, live.objects);
    QCOMPARE(back->processes.size(), live.processes.size());
    // The pictures' view of the trace is the live one's.
    const TraceLog replayed = back->traceLog();
    QCOMPARE(replayed.messages().size(), std::size_t(60 * 2 + 4)); // two producers' items and the sentinels
    QVERIFY(replayed.unreceived().empty());
    QCOMPARE(replayed.processes()[0].role, std::string("producer"));
}

void TestRecording::everyFieldComesBack()
{
    Recording r;
    r.program = "0.1.0";
    r.machine = describeMachine();
    r.lesson = "race";
    r.title = "Race";
    r.params = {{"processes", 4}, {"lock", 1}};
    r.texts = LessonTexts{"Race", "Four processes...", "What do you predict?", "12 were lost", "from multiprocessing import Value",
                          "updates"};
    r.startNs = 42;
    r.samples = {everyField()};
    r.processes = {{3, 4242, "philosopher"}};
    r.objects = {"board", "fork-0"};
    TracedEvent e;
    e.slot = 3;
    e.event = TraceEvent{77, -5, 1, TraceKind::Recv, 4, 1};
    r.events = {e};
    r.droppedEvents = 17;
    r.schedule = {0, 1, 1, 0};
    const auto back = decodeRecording(encodeRecording(r), "test");
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    compareSamples(r.samples, back->samples);
    QCOMPARE(back->program, r.program);
    QCOMPARE(back->machine, r.machine);
    QCOMPARE(back->title, r.title);
    QCOMPARE(back->params, r.params);
    QVERIFY(back->events == r.events);
    QCOMPARE(back->droppedEvents, std::uint64_t(17));
    QCOMPARE(back->schedule, r.schedule);
    QCOMPARE(back->texts.answer, r.texts.answer);
    QCOMPARE(back->texts.python, r.texts.python);
    QCOMPARE(back->texts.valuesAxis, r.texts.valuesAxis);
    QCOMPARE(back->traceLog().dropped(), std::uint64_t(17));
}

void TestRecording::refusesWhatIsNotARecording()
{
    Recording r;
    r.lesson = "race";
    r.samples = {everyField()};
    const QByteArray good = encodeRecording(r);
    QVERIFY(errorOf(good).isEmpty());
    // Truncated: where the bytes stop.
    const QString truncated = errorOf(good.left(good.size() / 2));
    QVERIFY2(truncated.contains(QStringLiteral("recording 'x.ipcrec': not a recording (byte")), qPrintable(truncated));
    // A newer version.
    QCborMap root = QCborValue::fromCbor(good).toMap();
    root[QStringLiteral("version")] = qint64(Recording::kVersion + 1);
    const QString newer = errorOf(root.toCborValue().toCbor());
    QVERIFY2(newer.contains(QStringLiteral("version 2 is newer than this program reads (1)")), qPrintable(newer));
    // Another format, and random bytes.
    root[QStringLiteral("version")] = qint64(Recording::kVersion);
    root[QStringLiteral("format")] = QStringLiteral("something else");
    QVERIFY(errorOf(root.toCborValue().toCbor()).contains(QStringLiteral("not an ipc-playground recording")));
    std::mt19937 random(7);
    QByteArray noise(4096, 0);
    for (char &c : noise) c = char(random());
    QVERIFY(!errorOf(noise).isEmpty());
    QVERIFY(!errorOf(QByteArray()).isEmpty());
    // A file that is not there.
    const auto missing = loadRecording(QStringLiteral("/no/such/run.ipcrec"));
    QVERIFY(!missing);
    QVERIFY(missing.error().message.find("/no/such/run.ipcrec") != std::string::npos);
}

void TestRecording::refusesWrongFieldsWithTheirPlace()
{
    Recording r;
    r.lesson = "race";
    r.samples = {everyField(), everyField()};
    QCborMap root = QCborValue::fromCbor(encodeRecording(r)).toMap();
    // Sample 1's process 0: ops as text.
    {
        QCborMap bad = root;
        QCborArray samples = bad[QStringLiteral("samples")].toArray();
        QCborMap sample = samples[1].toMap();
        QCborArray processes = sample[QStringLiteral("processes")].toArray();
        QCborMap p = processes[0].toMap();
        p[QStringLiteral("ops")] = QStringLiteral("many");
        processes[0] = p;
        sample[QStringLiteral("processes")] = processes;
        samples[1] = sample;
        bad[QStringLiteral("samples")] = samples;
        const QString e = errorOf(bad.toCborValue().toCbor());
        QVERIFY2(e == QStringLiteral("recording 'x.ipcrec', sample 1, process 0: 'ops' is not a whole number"), qPrintable(e));
    }
    // A state out of range, a missing field.
    {
        QCborMap bad = root;
        QCborArray samples = bad[QStringLiteral("samples")].toArray();
        QCborMap sample = samples[0].toMap();
        QCborArray processes = sample[QStringLiteral("processes")].toArray();
        QCborMap p = processes[0].toMap();
        p[QStringLiteral("state")] = 999;
        processes[0] = p;
        sample[QStringLiteral("processes")] = processes;
        samples[0] = sample;
        bad[QStringLiteral("samples")] = samples;
        QVERIFY(errorOf(bad.toCborValue().toCbor()).contains(QStringLiteral("sample 0, process 0: 'state' is 999, out of range")));
        QCborMap whole = root[QStringLiteral("samples")].toArray()[0].toMap();
        whole.remove(QStringLiteral("metrics"));
        samples[0] = whole;
        bad[QStringLiteral("samples")] = samples;
        QVERIFY(errorOf(bad.toCborValue().toCbor()).contains(QStringLiteral("sample 0: 'metrics' is missing")));
    }
    // Trace events of a length no event has.
    {
        QCborMap bad = root;
        QCborMap trace = bad[QStringLiteral("trace")].toMap();
        trace[QStringLiteral("events")] = QByteArray(30, 'x');
        bad[QStringLiteral("trace")] = trace;
        const QString e = errorOf(bad.toCborValue().toCbor());
        QVERIFY2(e.contains(QStringLiteral("trace: 30 bytes of events is not a whole number of 28-byte events")), qPrintable(e));
    }
}

void TestRecording::damagedBytesNeverCrash()
{
    const Recording live = recordRealRun();
    const QByteArray good = encodeRecording(live);
    std::mt19937 random(11);
    int refused = 0;
    for (int round = 0; round < 300; ++round) {
        QByteArray bad = good;
        for (int k = 0; k < 4; ++k) bad[qsizetype(random() % std::uint32_t(bad.size()))] = char(random());
        if (round % 3 == 0) bad.truncate(qsizetype(random() % std::uint32_t(bad.size())));
        // Either it reads (a byte of a number changed) or it is refused with
        // the file's name; never a crash, never an exception.
        const auto r = decodeRecording(bad, "recording 'x.ipcrec'");
        if (!r) {
            ++refused;
            QVERIFY(r.error().message.starts_with("recording 'x.ipcrec'"));
        }
    }
    QVERIFY(refused > 0);
}

void TestRecording::cliRecordsAndReplays()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("pingpong.ipcrec"));
    const auto recorded = runCli({QStringLiteral("run"), QStringLiteral("pingpong"), QStringLiteral("--messages"),
                                  QStringLiteral("100"), QStringLiteral("--rate"), QStringLiteral("500"),
                                  QStringLiteral("--record"), file});
    QVERIFY2(recorded.finished && recorded.code == 0, qPrintable(test::describe(recorded)));
    const auto replayed = runCli({QStringLiteral("replay"), file, QStringLiteral("--json")});
    QVERIFY2(replayed.finished && replayed.code == 0, qPrintable(test::describe(replayed)));
    const QJsonObject summary = QJsonDocument::fromJson(replayed.out).object();
    QCOMPARE(summary.value(QStringLiteral("lesson")).toString(), QStringLiteral("pingpong"));
    QVERIFY(summary.value(QStringLiteral("samples")).toInt() >= 3);
    QVERIFY(summary.value(QStringLiteral("events")).toInt() >= 400); // 200 sends and 200 receipts
    QCOMPARE(summary.value(QStringLiteral("params")).toObject().value(QStringLiteral("messages")).toDouble(), 100.0);
    QVERIFY(summary.value(QStringLiteral("deadlock")).isNull());
    // A deadlocked run's recording says when its deadlock stood, and who waited for whom.
    const QString deadlocked = dir.filePath(QStringLiteral("pipe-deadlock.ipcrec"));
    const auto stuck = runCli({QStringLiteral("run"), QStringLiteral("pipe-deadlock"), QStringLiteral("--seconds"),
                               QStringLiteral("2"), QStringLiteral("--record"), deadlocked});
    QVERIFY2(stuck.finished && stuck.code == 0, qPrintable(test::describe(stuck)));
    const auto stuckReplay = runCli({QStringLiteral("replay"), deadlocked, QStringLiteral("--json")});
    QVERIFY2(stuckReplay.finished && stuckReplay.code == 0, qPrintable(test::describe(stuckReplay)));
    const QJsonObject deadlock =
        QJsonDocument::fromJson(stuckReplay.out).object().value(QStringLiteral("deadlock")).toObject();
    QVERIFY2(deadlock.value(QStringLiteral("text")).toString().contains(QStringLiteral("waits for")),
             stuckReplay.out.constData());
    QVERIFY(deadlock.value(QStringLiteral("seconds")).toDouble() > 0);
    // A damaged file: exit 1, the file and the place on stderr.
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.resize(f.size() / 2);
    f.close();
    const auto damaged = runCli({QStringLiteral("replay"), file});
    QCOMPARE(damaged.code, 1);
    QVERIFY2(damaged.err.contains("not a recording (byte"), damaged.err.constData());
    // Options that need --export, and a record path that cannot be written: usage errors.
    QCOMPARE(runCli({QStringLiteral("replay"), file, QStringLiteral("--at"), QStringLiteral("1")}).code, 2);
    QCOMPARE(runCli({QStringLiteral("run"), QStringLiteral("pingpong"), QStringLiteral("--record"),
                     QStringLiteral("/no/such/dir/x.ipcrec")})
                 .code,
             2);
}

// An hour at 33 Hz: bounded, evenly thinned, the first and the newest kept.
void TestRecording::longRunsKeepTheirStartAndEnd()
{
    SampleLog log;
    constexpr int kTicks = 120'000;
    for (int i = 0; i < kTicks; ++i) {
        RecordedSample s;
        s.seconds = i * 0.03;
        log.add(std::move(s));
    }
    const auto &kept = log.samples();
    QVERIFY(kept.size() <= SampleLog::kMax);
    QVERIFY(kept.size() >= SampleLog::kMax / 4);
    QCOMPARE(kept.front().seconds, 0.0);
    QCOMPARE(kept.back().seconds, (kTicks - 1) * 0.03);
    for (std::size_t i = 1; i < kept.size(); ++i) QVERIFY(kept[i].seconds > kept[i - 1].seconds);
}

// pipe-deadlock: the samples while its deadlock stands say so in the file,
// and read back they name the same cycle, edge by edge, in the same words
// as the live run did; the samples before it name none.
void TestRecording::aDeadlockComesBackWithItsCycle()
{
    auto made = createScenario("pipe-deadlock");
    QVERIFY(made);
    Scenario &s = **made;
    QVERIFY(s.start());
    const std::uint64_t start = monotonicNs();
    std::vector<RecordedSample> samples;
    std::size_t confirmedAt = 0;
    const bool confirmed = waitFor(
        [&] {
            s.poll(); // as the sampler does each tick: confirms the deadlock
            RecordedSample r;
            takeSnapshot(s, r.snapshot, {});
            r.seconds = double(r.snapshot.timeNs - start) * 1e-9;
            const bool standing = r.snapshot.deadlock.has_value();
            samples.push_back(std::move(r));
            if (standing && !confirmedAt) confirmedAt = samples.size() - 1;
            usleep(20'000);
            return confirmedAt && samples.size() > confirmedAt + 3;
        },
        20'000);
    s.stop();
    QVERIFY2(confirmed, "pipe-deadlock was not confirmed within 20 s");
    QVERIFY(confirmedAt > 0);
    Recording live = recordingOf(s, start, samples);
    QVERIFY(!live.links.empty());

    const auto back = decodeRecording(encodeRecording(live), "test");
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    QCOMPARE(back->samples.size(), samples.size());
    QVERIFY(!back->samples.front().snapshot.deadlock);
    for (std::size_t i = confirmedAt; i < samples.size(); ++i) {
        const Deadlock &was = *samples[i].snapshot.deadlock;
        const std::optional<Deadlock> &is = back->samples[i].snapshot.deadlock;
        QVERIFY2(is, qPrintable(QStringLiteral("sample %1 lost its deadlock").arg(i)));
        QCOMPARE(is->stuck, was.stuck);
        QCOMPARE(is->cycle.size(), std::size_t(2));
        QCOMPARE(is->text, was.text);
        QVERIFY(back->samples[i].snapshot.waits == samples[i].snapshot.waits);
    }

    // A deadlock the file claims where the sample shows no cycle is not drawn.
    Deadlock claim;
    claim.stuck = {0, 1};
    live.samples.front().snapshot.deadlock = claim;
    const auto claimed = decodeRecording(encodeRecording(live), "test");
    QVERIFY(claimed);
    QVERIFY(!claimed->samples.front().snapshot.deadlock);
    QVERIFY(claimed->samples.back().snapshot.deadlock);
}

// A lecturer's own lesson file is kept in the recording of its run, as it
// was read; a built-in lesson keeps none.
void TestRecording::aLessonFileTravelsWithItsRun()
{
    const QString path = QStringLiteral(IPC_SOURCE_DIR "/docs/examples/race-eight.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const std::string json = f.readAll().toStdString();
    auto made = createScenario(path.toStdString());
    QVERIFY2(made, made ? "" : made.error().message.c_str());
    Scenario &s = **made;
    QVERIFY(s.setParam("increments", 200));
    QVERIFY(s.start());
    QVERIFY(waitFor([&] { return s.finished(); }, 30000));
    s.stop();
    const auto back = decodeRecording(encodeRecording(recordingOf(s, monotonicNs(), {})), "test");
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    QCOMPARE(back->lesson, std::string("race-eight"));
    QCOMPARE(back->scenarioFile, json);
    auto builtIn = createScenario("race");
    QVERIFY(builtIn);
    QVERIFY(recordingOf(**builtIn, 0, {}).scenarioFile.empty());
}

QTEST_GUILESS_MAIN(TestRecording)
#include "tst_recording.moc"
