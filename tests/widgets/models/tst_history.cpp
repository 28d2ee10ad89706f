// History: the whole run in columns aligned by tick, bounded by thinning;
// the whole-run and last-window views; series that appear late, pipe
// rates, state spans, and thinning for the charts.
#include "history.h"
#include "test_support.h"

#include <QTest>

#include <cmath>

using namespace ipc;

class TestHistory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keepsTheWholeRun();
    void lastWindowView();
    void staysBoundedAtAnyRate();
    void longRunKeepsItsStartInSpans();
    void ninetySecondsKeepTheirFirstSecond();
    void lateSeriesReadNaNBefore();
    void pipeRates();
    void stateSpans();
    void thinnedPointsKeepTheNewest();
};

namespace {

Snapshot withMetric(double v)
{
    Snapshot s;
    s.hasRun = true;
    s.metrics = {{"x", v}};
    return s;
}

} // namespace

void TestHistory::keepsTheWholeRun()
{
    History h(10);
    for (int i = 0; i <= 300; ++i) h.append(withMetric(i), i * 0.1); // 30 s, window 10 s
    QCOMPARE(h.size(), 301);
    QCOMPARE(h.time(0), 0.0);
    QCOMPARE(h.value(0, 0), 0.0);
    QCOMPARE(h.now(), 30.0);
    QCOMPARE(h.lastValue(h.metricSeries(QStringLiteral("x"))), 300.0);
    QVERIFY(h.showsWholeRun());
    QCOMPARE(h.rangeStart(), 0.0);
    QCOMPARE(h.rangeEnd(), 30.0);
    QList<QPointF> pts;
    h.points(0, pts, 0);
    QCOMPARE(pts.size(), 301);
    QCOMPARE(pts.front().x(), 0.0);
}

void TestHistory::lastWindowView()
{
    History h(10);
    for (int i = 0; i <= 300; ++i) h.append(withMetric(i), i * 0.1);
    h.setShowWholeRun(false);
    QCOMPARE(h.rangeStart(), 20.0);
    QCOMPARE(h.rangeEnd(), 30.0);
    // The points start just before the view (the line reaches its edge),
    // and the data before it is still there for the CSV.
    QList<QPointF> pts;
    h.points(0, pts, 0);
    QVERIFY2(pts.front().x() < 20.0 && pts.front().x() > 19.8, qPrintable(QString::number(pts.front().x())));
    QCOMPARE(pts.back().x(), 30.0);
    QCOMPARE(h.time(0), 0.0);
    h.setShowWholeRun(true);
    QCOMPARE(h.rangeStart(), 0.0);
}

void TestHistory::staysBoundedAtAnyRate()
{
    History h(1);
    const int ticks = 5 * History::kMaxTicks + 17;
    for (int i = 0; i < ticks; ++i) h.append(withMetric(i), i * 0.03); // an hour at 33 Hz is ~120,000
    QVERIFY(h.size() <= History::kMaxTicks);
    QVERIFY(h.size() >= History::kMaxTicks / 2);
    // The first tick and the newest stay; oldest first, in order.
    QCOMPARE(h.time(0), 0.0);
    QCOMPARE(h.value(0, 0), 0.0);
    QCOMPARE(h.lastValue(0), double(ticks - 1));
    for (int i = 1; i < h.size(); ++i) QVERIFY(h.time(i) > h.time(i - 1));
    // Values stay with their times.
    for (int i = 0; i < h.size(); ++i) QCOMPARE(h.value(0, i), std::round(h.time(i) / 0.03));
}

void TestHistory::longRunKeepsItsStartInSpans()
{
    History h;
    Snapshot s;
    s.hasRun = true;
    s.processes.resize(1);
    s.processes[0].role = "producer";
    const int ticks = 3 * int(History::kMaxSpans);
    for (int i = 0; i < ticks; ++i) {
        s.processes[0].state = i % 2 ? ProcState::BlockedPut : ProcState::Running;
        h.append(s, i * 0.03);
    }
    const auto &spans = h.tracks().at(0).spans;
    QVERIFY(spans.size() <= History::kMaxSpans + 1);
    QCOMPARE(spans.front().from, 0.0);
    QCOMPARE(spans.back().to, (ticks - 1) * 0.03);
    for (std::size_t i = 1; i < spans.size(); ++i) QCOMPARE(spans[i].from, spans[i - 1].to);
}

void TestHistory::ninetySecondsKeepTheirFirstSecond()
{
    // A lecture's 90 s at the sampler's 33 Hz: the chart's line and the
    // CSV's rows (every tick) begin in the first second.
    History h;
    for (int i = 0; i * 0.030 <= 90.0; ++i) h.append(withMetric(i), i * 0.030);
    QVERIFY(h.now() > 89.9);
    QVERIFY(h.time(0) < 1.0);
    QList<QPointF> pts;
    h.points(0, pts); // as the chart draws it, thinned to ~400 points
    QVERIFY(pts.size() <= History::kScreenPoints + 2);
    QVERIFY2(pts.front().x() < 1.0, qPrintable(QString::number(pts.front().x())));
    QCOMPARE(pts.back().x(), h.now());
}

void TestHistory::lateSeriesReadNaNBefore()
{
    History h;
    h.append(withMetric(1), 0);
    Snapshot s = withMetric(2);
    s.metrics.push_back({"late", 7});
    h.append(s, 0.1);
    const int late = h.metricSeries(QStringLiteral("late"));
    QVERIFY(late >= 0);
    QVERIFY(std::isnan(h.value(late, 0)));
    QCOMPARE(h.value(late, 1), 7.0);
    QCOMPARE(h.metricKeys(), QStringList({QStringLiteral("x"), QStringLiteral("late")}));

    // A metric that is not plotted is kept (CSV) but not drawn.
    s.metrics.push_back({"latency_us", 12.5, false});
    h.append(s, 0.2);
    QCOMPARE(h.lastValue(h.metricSeries(QStringLiteral("latency_us"))), 12.5);
    QCOMPARE(h.metricKeys().size(), 3);
    QCOMPARE(h.plottedMetricKeys(), QStringList({QStringLiteral("x"), QStringLiteral("late")}));
}

void TestHistory::pipeRates()
{
    History h;
    Snapshot s;
    s.hasRun = true;
    s.objects.resize(1);
    ObjectSnapshot &o = s.objects[0];
    o.name = "p";
    o.kind = ObjectKind::PipeStats;
    o.hasTraffic = true;
    for (int i = 0; i <= 100; ++i) {
        o.messages = {std::uint64_t(i) * 100, 0}; // 100 per 10 ms = 10000/s
        o.bytes = {std::uint64_t(i) * 6400, 0};
        h.append(s, i * 0.01);
    }
    QCOMPARE(h.pipes().size(), std::size_t(1));
    const History::PipeSeries &p = h.pipes().front();
    QVERIFY(std::fabs(h.lastValue(p.messagesPerSecond[0]) - 10000) < 1);
    QVERIFY(std::fabs(h.lastValue(p.bytesPerSecond[0]) - 640000) < 100);
    QCOMPARE(h.lastValue(p.messagesPerSecond[1]), 0.0);
}

void TestHistory::stateSpans()
{
    History h;
    Snapshot s;
    s.hasRun = true;
    s.processes.resize(1);
    s.processes[0].pid = 7;
    s.processes[0].role = "counter";
    const ProcState states[] = {ProcState::Running, ProcState::Running, ProcState::WaitingLock,
                                ProcState::InCriticalSection, ProcState::InCriticalSection, ProcState::Killed};
    double t = 0;
    for (ProcState st : states) {
        s.processes[0].state = st;
        h.append(s, t);
        t += 1;
    }
    const auto &spans = h.tracks().at(0).spans;
    QCOMPARE(spans.size(), std::size_t(4));
    QCOMPARE(spans[0].state, ProcState::Running);
    QCOMPARE(spans[0].to, 1.0);
    QCOMPARE(spans[1].state, ProcState::WaitingLock);
    QCOMPARE(spans[1].from, 1.0);
    QCOMPARE(spans[2].to, 4.0);
    QCOMPARE(spans[3].state, ProcState::Killed);
    for (std::size_t i = 1; i < spans.size(); ++i) QCOMPARE(spans[i].from, spans[i - 1].to);
    QCOMPARE(h.tracks().at(0).role, QStringLiteral("counter"));
}

void TestHistory::thinnedPointsKeepTheNewest()
{
    History h;
    for (int i = 0; i < 1000; ++i) h.append(withMetric(i), i * 0.03);
    QList<QPointF> pts;
    h.points(0, pts, 100);
    QVERIFY(pts.size() <= 101);
    QVERIFY(pts.size() >= 90);
    QCOMPARE(pts.back().y(), 999.0);
    h.points(0, pts, 0); // no limit
    QCOMPARE(pts.size(), 1000);
    h.points(42, pts); // no such series
    QVERIFY(pts.isEmpty());
}

QTEST_MAIN(TestHistory)
#include "tst_history.moc"
