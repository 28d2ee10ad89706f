// The message sequence chart: from a trace whose events are known, the
// arrows pair put with get and send with recv in either order of arrival,
// the blocked bars and the lock hand-off are there, the picture shows them
// (in their colours, where the time axis puts them), it follows the run
// and zooms, and it exports as PNG, SVG, PDF and CSV.
#include "sequence_chart.h"
#include "state_style.h"
#include "test_support.h"

#include <QFile>
#include <QPainter>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include <csignal>

using namespace ipc;
using namespace Qt::StringLiterals;

namespace {

constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kOrigin = 1'000 * kMs; // the run's time zero
constexpr std::uint32_t kQueue = 3;
constexpr std::uint32_t kLock = 4;

TracedEvent traced(std::uint32_t slot, std::uint64_t ms, TraceKind kind, std::uint32_t object = kNoObject,
                  std::int64_t seq = 0, ProcState state = ProcState::Running)
{
    TracedEvent e;
    e.slot = slot;
    e.event.timeNs = kOrigin + ms * kMs;
    e.event.kind = kind;
    e.event.object = object;
    e.event.seq = seq;
    e.event.state = std::uint8_t(state);
    return e;
}

// A producer (slot 0) puts items 0 and 1; a consumer (slot 1) waits for
// item 0, gets both; then they hand a lock from the consumer to the
// producer; the producer is killed.
TraceLog knownTrace()
{
    TraceLog log;
    log.describeProcess(0, 101, "producer");
    log.describeProcess(1, 102, "consumer");
    log.describeObjects({"board", "control", "steps", "queue", "lock"});
    // The consumer's events arrive first, as from a ring drained first.
    log.add({traced(1, 100, TraceKind::State, kQueue, 0, ProcState::BlockedGet),
             traced(1, 400, TraceKind::State, kNoObject, 0, ProcState::Running),
             traced(1, 401, TraceKind::Get, kQueue, 0),
             traced(1, 900, TraceKind::Get, kQueue, 1),
             traced(1, 1000, TraceKind::State, kLock, 0, ProcState::InCriticalSection),
             traced(1, 1100, TraceKind::State, kNoObject, 0, ProcState::Running)});
    log.add({traced(0, 399, TraceKind::Put, kQueue, 0),
             traced(0, 800, TraceKind::Put, kQueue, 1),
             traced(0, 1050, TraceKind::State, kLock, 0, ProcState::WaitingLock),
             traced(0, 1150, TraceKind::State, kLock, 0, ProcState::InCriticalSection),
             traced(0, 1900, TraceKind::Put, kQueue, 2),
             traced(0, 2000, TraceKind::Exit, kNoObject, -9)});
    return log;
}

// The chart of `log` over `window`, 1200x800 on white, in the normal style.
QImage drawnChart(const TraceLog &log, const SequenceWindow &window)
{
    QImage image(1200, 800, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    paintSequenceChart(p, QRectF(image.rect()), log, window, ChartStyle::normal(), u"test"_s);
    p.end();
    return image;
}

int countColour(const QImage &image, const QColor &c, const QRect &where)
{
    int n = 0;
    for (int y = std::max(0, where.top()); y <= std::min(image.height() - 1, where.bottom()); ++y)
        for (int x = std::max(0, where.left()); x <= std::min(image.width() - 1, where.right()); ++x)
            n += QColor(image.pixel(x, y)).rgb() == c.rgb();
    return n;
}

} // namespace

class TestSequenceChart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pairsInEitherOrder();
    void receivedIsJudgedInFifoOrder();
    void drawsBarsAndArrowsWhereTimeSays();
    void followsAndZooms();
    void exportsEveryFormat();
    void drawsAnOwnerDiedHandOverInRed();
    void drawsThePauseAndTheSignalsTheRunSent();
    void pairsAWakeWithTheWaitsItEnded();
};

void TestSequenceChart::pairsInEitherOrder()
{
    const TraceLog log = knownTrace();
    QCOMPARE(log.events().size(), std::size_t(12));
    for (std::size_t k = 1; k < log.events().size(); ++k)
        QVERIFY(log.events()[k - 1].event.timeNs <= log.events()[k].event.timeNs);
    QCOMPARE(log.messages().size(), std::size_t(2));
    for (const MessageArrow &m : log.messages()) {
        QCOMPARE(m.fromSlot, 0u);
        QCOMPARE(m.toSlot, 1u);
        QVERIFY(m.sentNs < m.receivedNs);
    }
    const auto unreceived = log.unreceived();
    QCOMPARE(unreceived.size(), std::size_t(1)); // item 2, still in the queue
    QCOMPARE(unreceived.front().seq, std::int64_t(2));
    QCOMPARE(log.handoffs().size(), std::size_t(1));
    QCOMPARE(log.handoffs().front().fromSlot, 1u);
    QCOMPARE(log.handoffs().front().toSlot, 0u);
    QVERIFY(log.processes()[0].exited);
    QCOMPARE(log.processes()[0].exitStatus, std::int64_t(-9));
    QVERIFY(!log.processes()[1].exited);
    // The consumer's wait for item 0, exactly.
    bool waited = false;
    for (const StateInterval &i : log.intervals())
        if (i.slot == 1 && i.state == ProcState::BlockedGet) {
            waited = true;
            QCOMPARE(i.beginNs, kOrigin + 100 * kMs);
            QCOMPARE(i.endNs, kOrigin + 400 * kMs);
        }
    QVERIFY(waited);
}

// A queue is FIFO: an item below the last one got was got, even when its
// get was not traced (a full ring); only those above are still queued.
void TestSequenceChart::receivedIsJudgedInFifoOrder()
{
    TraceLog log;
    log.describeProcess(0, 101, "producer");
    log.describeProcess(1, 102, "consumer");
    log.add({traced(0, 10, TraceKind::Put, kQueue, 0), traced(0, 20, TraceKind::Put, kQueue, 1),
             traced(0, 30, TraceKind::Put, kQueue, 2), traced(0, 40, TraceKind::Put, kQueue, 3)});
    log.add({traced(1, 35, TraceKind::Get, kQueue, 2)}); // the gets of 0 and 1 went untraced
    log.addDropped(2);
    QCOMPARE(log.messages().size(), std::size_t(1));
    const auto queued = log.unreceived();
    QCOMPARE(queued.size(), std::size_t(1));
    QCOMPARE(queued.front().seq, std::int64_t(3));
    QCOMPARE(log.dropped(), std::uint64_t(2));
}

void TestSequenceChart::drawsBarsAndArrowsWhereTimeSays()
{
    const TraceLog log = knownTrace();
    const ChartStyle style = ChartStyle::normal();
    QImage image(1200, 800, QImage::Format_ARGB32_Premultiplied);
    const SequenceWindow whole{kOrigin, kOrigin + 2100 * kMs, 2100 * kMs};
    {
        QPainter p(&image);
        paintSequenceChart(p, QRectF(image.rect()), log, whole, style, u"test"_s);
    }
    // The consumer's blocked-on-get bar, in its colour, in the right lane
    // (the right half) and only in the upper part (0.1 s to 0.4 s of 2.1 s).
    const QColor blocked = stateColor(ProcState::BlockedGet);
    QVERIFY(countColour(image, blocked, QRect(600, 0, 600, 800)) > 50);
    QCOMPARE(countColour(image, blocked, QRect(0, 0, 600, 800)), 0);
    QCOMPARE(countColour(image, blocked, QRect(600, 400, 600, 400)), 0);
    // The producer waited for the lock: its bar in the left lane.
    QVERIFY(countColour(image, stateColor(ProcState::WaitingLock), QRect(0, 0, 600, 800)) > 10);
    // Without the trace, none of it.
    QImage empty(1200, 800, QImage::Format_ARGB32_Premultiplied);
    {
        QPainter p(&empty);
        paintSequenceChart(p, QRectF(empty.rect()), TraceLog(), whole, style, u"test"_s);
    }
    QCOMPARE(countColour(empty, blocked, empty.rect()), 0);
    // A window after the wait: its bar is out of the picture.
    QImage later(1200, 800, QImage::Format_ARGB32_Premultiplied);
    {
        QPainter p(&later);
        paintSequenceChart(p, QRectF(later.rect()), log, {kOrigin, kOrigin + 2100 * kMs, 1000 * kMs}, style, u"test"_s);
    }
    QCOMPARE(countColour(later, blocked, later.rect()), 0);
}

void TestSequenceChart::followsAndZooms()
{
    const TraceLog log = knownTrace();
    SequenceChart chart;
    chart.resize(800, 600);
    chart.setTrace(&log, kOrigin);
    QVERIFY(chart.following());
    // Following: the last event inside the picture, near its bottom.
    const SequenceWindow w = chart.window();
    QVERIFY(w.endNs >= kOrigin + 2000 * kMs);
    QVERIFY(w.endNs - w.spanNs < kOrigin + 2000 * kMs);
    // Half a second on the screen: scrolling back stops following; End
    // follows again.
    chart.setSpan(500 * kMs);
    QCOMPARE(chart.window().spanNs, 500 * kMs);
    QTest::keyClick(&chart, Qt::Key_PageUp);
    QVERIFY(!chart.following());
    QVERIFY(chart.window().endNs < kOrigin + 2000 * kMs);
    QTest::keyClick(&chart, Qt::Key_End);
    QVERIFY(chart.following());
    // Zooming in shows less time; Home shows the whole run.
    const std::uint64_t before = chart.window().spanNs;
    QTest::keyClick(&chart, Qt::Key_Plus);
    QVERIFY(chart.window().spanNs < before);
    QTest::keyClick(&chart, Qt::Key_Home);
    QVERIFY(chart.window().spanNs >= 2000 * kMs);
    QVERIFY(chart.window().endNs - chart.window().spanNs <= kOrigin);
}

void TestSequenceChart::exportsEveryFormat()
{
    const TraceLog log = knownTrace();
    SequenceChart chart;
    chart.resize(800, 600);
    chart.setTrace(&log, kOrigin);
    chart.setTitle(u"Who sent what to whom"_s);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ExportOptions options;
    for (const ExportFormat f : {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf, ExportFormat::Csv}) {
        const QString path = dir.filePath(u"sequence."_s + formatExtension(f));
        const auto written = chart.exportTo(f, path, options);
        QVERIFY2(written, written ? "" : written.error().message.c_str());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(!bytes.isEmpty());
        if (f == ExportFormat::Png) QCOMPARE(QImage(path).size(), options.pixelSize());
        if (f == ExportFormat::Svg) QVERIFY(QSvgRenderer(path).isValid());
        if (f == ExportFormat::Pdf) QVERIFY(bytes.startsWith("%PDF") && bytes.trimmed().endsWith("%%EOF"));
        if (f == ExportFormat::Csv) {
            const QList<QByteArray> lines = bytes.trimmed().split('\n');
            QCOMPARE(lines.size(), qsizetype(1 + log.events().size()));
            QCOMPARE(lines.front(), QByteArray("time_s,process,pid,event,object,number,state"));
            QVERIFY(lines.contains(QByteArray("0.399000000,producer,101,put,queue,0,")));
            QVERIFY(lines.contains(QByteArray("0.100000000,consumer,102,state,queue,,blocked on get")));
        }
    }
    // A folder that does not exist: a clear error, no crash.
    const auto bad = chart.exportTo(ExportFormat::Csv, dir.filePath(u"no/such/dir/x.csv"_s), options);
    QVERIFY(!bad);
    QVERIFY(bad.error().message.find("cannot write") != std::string::npos);
}

// The producer dies holding the lock; the kernel hands it to the waiting
// consumer as owner-died. The log has that one hand-over, from the dead
// lifeline, and none for the exit booked later; the dead one held the lock
// until then, not until its reaper booked its end; the chart draws the
// hand-over in the colour of a failure, which the same trace without the
// event has less of.
void TestSequenceChart::drawsAnOwnerDiedHandOverInRed()
{
    const auto trace = [](bool ownerDied) {
        TraceLog log;
        log.describeProcess(0, 101, "producer");
        log.describeProcess(1, 102, "consumer");
        log.describeObjects({"board", "control", "steps", "queue", "lock"});
        // (One drain: every ring's events at once, as Scenario::poll takes them.)
        std::vector<TracedEvent> events{traced(1, 200, TraceKind::State, kLock, 0, ProcState::WaitingLock)};
        if (ownerDied) events.push_back(traced(1, 1500, TraceKind::OwnerDied, kLock, 101));
        events.push_back(traced(1, 1500, TraceKind::State, kLock, 0, ProcState::InCriticalSection));
        events.push_back(traced(0, 100, TraceKind::State, kLock, 0, ProcState::InCriticalSection));
        events.push_back(traced(0, 2000, TraceKind::Exit, kNoObject, -9)); // booked by its reaper, later
        log.add(std::move(events));
        return log;
    };
    const TraceLog died = trace(true);
    QCOMPARE(died.handoffs().size(), std::size_t(1));
    const LockHandoff &h = died.handoffs().front();
    QVERIFY(h.ownerDied);
    QCOMPARE(h.fromSlot, 0u);
    QCOMPARE(h.toSlot, 1u);
    QCOMPARE(h.acquiredNs, kOrigin + 1500 * kMs);
    const auto held = std::find_if(died.intervals().begin(), died.intervals().end(), [](const StateInterval &i) {
        return i.slot == 0 && i.state == ProcState::InCriticalSection;
    });
    QVERIFY(held != died.intervals().end());
    QCOMPARE(held->endNs, kOrigin + 1500 * kMs);
    // Its exit released nothing: a later holder gets no hand-over from it.
    TraceLog after = trace(true);
    after.add({traced(1, 2100, TraceKind::State, kNoObject, 0, ProcState::Running),
               traced(1, 2200, TraceKind::State, kLock, 0, ProcState::InCriticalSection)});
    for (const LockHandoff &x : after.handoffs()) QVERIFY(x.fromSlot != 0 || x.ownerDied);

    const SequenceWindow whole{kOrigin, kOrigin + 2100 * kMs, 2100 * kMs};
    const auto killedPixels = [&](const TraceLog &log) {
        const QImage image = drawnChart(log, whole);
        if (const QByteArray dir = qgetenv("IPC_TEST_PICTURES"); !dir.isEmpty())
            image.save(QString::fromLocal8Bit(dir) + u"/owner-died-%1.png"_s.arg(log.handoffs().size()));
        // (Near the colour: a dashed line and its label are antialiased.)
        const QColor red = stateColor(ProcState::Failed);
        int n = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QColor c(image.pixel(x, y));
                n += std::abs(c.red() - red.red()) <= 40 && std::abs(c.green() - red.green()) <= 40 &&
                     std::abs(c.blue() - red.blue()) <= 40;
            }
        return n;
    };
    QVERIFY(killedPixels(died) > killedPixels(trace(false)) + 20);
}

// The lecturer paused the consumer from 0.5 s to 1.5 s and killed the
// producer at 1.9 s: the consumer's lane has a Paused bar for that second,
// beside its own states, the producer's lane none; the kill's mark is in
// the producer's lane; the CSV names each signal with its number.
void TestSequenceChart::drawsThePauseAndTheSignalsTheRunSent()
{
    TraceLog log = knownTrace();
    const TraceLog without = knownTrace();
    log.add({traced(1, 500, TraceKind::Signal, kNoObject, SIGSTOP), traced(1, 1500, TraceKind::Signal, kNoObject, SIGCONT),
             traced(0, 1890, TraceKind::Signal, kNoObject, SIGKILL)});
    QCOMPARE(log.signals().size(), std::size_t(3));
    const auto paused = std::find_if(log.intervals().begin(), log.intervals().end(),
                                     [](const StateInterval &i) { return i.state == ProcState::Paused; });
    QVERIFY(paused != log.intervals().end());
    QCOMPARE(paused->slot, 1u);
    QCOMPARE(paused->beginNs, kOrigin + 500 * kMs);
    QCOMPARE(paused->endNs, kOrigin + 1500 * kMs);
    // Its own intervals are those of the same trace without the pause.
    std::size_t own = 0;
    for (const StateInterval &i : log.intervals()) own += i.state != ProcState::Paused;
    QCOMPARE(own, without.intervals().size());

    const SequenceWindow whole{kOrigin, kOrigin + 2100 * kMs, 2100 * kMs};
    const auto draw = [&](const TraceLog &l) { return drawnChart(l, whole); };
    const QImage image = draw(log);
    if (const QByteArray dir = qgetenv("IPC_TEST_PICTURES"); !dir.isEmpty())
        image.save(QString::fromLocal8Bit(dir) + u"/signals.png"_s);
    const QImage plain = draw(without);
    const QRect producerLane(0, 0, 600, 800);
    const QRect consumerLane(600, 0, 600, 800);
    const QColor pausedColour = stateColor(ProcState::Paused);
    QVERIFY(countColour(image, pausedColour, consumerLane) > countColour(plain, pausedColour, consumerLane) + 200);
    QCOMPARE(countColour(image, pausedColour, producerLane), countColour(plain, pausedColour, producerLane));
    const QColor killed = stateColor(ProcState::Killed);
    QVERIFY(countColour(image, killed, producerLane) > countColour(plain, killed, producerLane) + 20);

    QString csv;
    QTextStream out(&csv);
    writeSequenceCsv(out, log, kOrigin);
    out.flush();
    QVERIFY(csv.contains(u"0.500000000,consumer,102,signal SIGSTOP,,%1,\n"_s.arg(SIGSTOP)));
    QVERIFY(csv.contains(u"1.500000000,consumer,102,signal SIGCONT,,%1,\n"_s.arg(SIGCONT)));
    QVERIFY(csv.contains(u"1.890000000,producer,101,signal SIGKILL,,%1,\n"_s.arg(SIGKILL)));
}

// Who let whom go. A semaphore released once while two wait lets one go
// (the first to end its wait after it); a barrier's release lets every
// waiter go; a release before a wait began is nobody's wake-up. The chart draws each as a dotted arrow in the wait's
// colour; the CSV calls it "wake".
void TestSequenceChart::pairsAWakeWithTheWaitsItEnded()
{
    constexpr std::uint32_t kSemaphore = 3;
    constexpr std::uint32_t kBarrier = 4;
    TraceLog log;
    log.describeProcess(0, 101, "a");
    log.describeProcess(1, 102, "b");
    log.describeProcess(2, 103, "c");
    log.describeObjects({"board", "control", "steps", "seats", "barrier"});
    log.add({traced(0, 50, TraceKind::Wake, kSemaphore, 1), // nobody waits yet
             traced(1, 100, TraceKind::State, kSemaphore, 0, ProcState::WaitingSemaphore),
             traced(2, 120, TraceKind::State, kSemaphore, 0, ProcState::WaitingSemaphore),
             traced(0, 300, TraceKind::Wake, kSemaphore, 1),
             traced(2, 310, TraceKind::State, kNoObject, 0, ProcState::Running),
             traced(1, 900, TraceKind::State, kNoObject, 0, ProcState::Running), // timed out: nobody woke it
             traced(1, 1000, TraceKind::State, kBarrier, 0, ProcState::WaitingBarrier),
             traced(2, 1100, TraceKind::State, kBarrier, 0, ProcState::WaitingBarrier),
             traced(0, 1500, TraceKind::Wake, kBarrier, 0),
             traced(1, 1510, TraceKind::State, kNoObject, 0, ProcState::Running),
             traced(2, 1520, TraceKind::State, kNoObject, 0, ProcState::Running)});
    const auto &w = log.wakeups();
    QCOMPARE(w.size(), std::size_t(3));
    QCOMPARE(w[0].wait, ProcState::WaitingSemaphore);
    QCOMPARE(w[0].fromSlot, 0u);
    QCOMPARE(w[0].toSlot, 2u);
    QCOMPARE(w[0].wokeNs, kOrigin + 300 * kMs);
    QCOMPARE(w[0].resumedNs, kOrigin + 310 * kMs);
    for (const Wakeup &b : {w[1], w[2]}) {
        QCOMPARE(b.wait, ProcState::WaitingBarrier);
        QCOMPARE(b.fromSlot, 0u);
        QCOMPARE(b.wokeNs, kOrigin + 1500 * kMs);
    }
    QCOMPARE(w[1].toSlot, 1u);
    QCOMPARE(w[2].toSlot, 2u);

    const SequenceWindow whole{kOrigin, kOrigin + 1600 * kMs, 1600 * kMs};
    const auto draw = [&](const TraceLog &l) { return drawnChart(l, whole); };
    TraceLog withoutWakes;
    withoutWakes.describeProcess(0, 101, "a");
    withoutWakes.describeProcess(1, 102, "b");
    withoutWakes.describeProcess(2, 103, "c");
    std::vector<TracedEvent> states;
    for (const TracedEvent &e : log.events())
        if (e.event.kind != TraceKind::Wake) states.push_back(e);
    withoutWakes.add(states);
    const QColor arrow = stateColor(ProcState::WaitingBarrier).darker(115);
    QVERIFY(countColour(draw(log), arrow, QRect(0, 0, 1200, 800)) >
            countColour(draw(withoutWakes), arrow, QRect(0, 0, 1200, 800)) + 20);

    QString csv;
    QTextStream out(&csv);
    writeSequenceCsv(out, log, kOrigin);
    out.flush();
    QVERIFY(csv.contains(u"1.500000000,a,101,wake,barrier,0,\n"_s));
}

QTEST_MAIN(TestSequenceChart)
#include "tst_sequence_chart.moc"
