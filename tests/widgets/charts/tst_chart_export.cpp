// Chart export: every chart kind in every format gives a valid file -- PNG
// at the asked size and not blank, SVG that QSvgRenderer renders, PDF from
// %PDF to %%EOF, CSV with the expected columns -- from the history of a
// real race run (and, for the queue and pipe charts, from snapshots with
// queue and pipe fields); and the headless `run --export`.
#include "catalog.h"
#include "chart_exporter.h"
#include "chart_factory.h"
#include "chart_view.h"
#include "sampler.h"
#include "scenario.h"
#include "test_support.h"

#include <QBarSeries>
#include <QLogValueAxis>
#include <QBarSet>
#include <QDir>
#include <QFile>
#include <QPainter>
#include <QProcess>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

using namespace ipc;

namespace {

// Not blank: a good share of the pixels differ from the background, and
// there are more than a handful of colours (text, lines, axes).
bool looksDrawn(const QImage &image)
{
    if (image.isNull()) return false;
    const QRgb background = image.pixel(0, 0);
    qsizetype differ = 0;
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2) {
            const QRgb c = image.pixel(x, y);
            if (c != background) ++differ;
            if (colours.size() < 64) colours.insert(c);
        }
    const qsizetype sampled = qsizetype(image.width() / 2) * (image.height() / 2);
    return differ > sampled / 200 && colours.size() > 8;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A history with every kind of series, from snapshots as the sampler
// takes them: metrics, a queue filling to its maxsize, a duplex pipe.
History syntheticHistory()
{
    History h;
    Snapshot s;
    s.hasRun = true;
    for (int i = 0; i <= 300; ++i) {
        const double t = i * 0.03;
        s.processes.resize(2);
        for (std::uint32_t k = 0; k < 2; ++k) {
            s.processes[k].slot = k;
            s.processes[k].pid = 1000 + int(k);
            s.processes[k].role = k == 0 ? "producer" : "consumer";
            s.processes[k].state = (i / 20 + int(k)) % 3 == 0 ? ProcState::BlockedPut : ProcState::Running;
        }
        s.objects.resize(2);
        s.objects[0].index = 2;
        s.objects[0].name = "tasks";
        s.objects[0].kind = ObjectKind::Queue;
        s.objects[0].level = std::min(10, i / 10);
        s.objects[0].capacity = 10;
        s.objects[1].index = 3;
        s.objects[1].name = "link";
        s.objects[1].kind = ObjectKind::PipeStats;
        s.objects[1].hasTraffic = true;
        s.objects[1].messages = {std::uint64_t(i) * 40, std::uint64_t(i) * 10};
        s.objects[1].bytes = {std::uint64_t(i) * 40 * 64, std::uint64_t(i) * 10 * 1024};
        s.metrics = {{"items_put", double(i) * 3}, {"items_got", double(i) * 2}};
        // Results that grow as the run goes on (the race's repeat histogram).
        s.bars.title = "Lost updates per round";
        s.bars.categoryLabel = "lost";
        s.bars.valueLabel = "rounds";
        s.bars.categories = {"none", "some", "many"};
        s.bars.sets = {{"lock off", {0, double(i / 100), 2}}, {"lock on", {double(i / 100) + 1, 0, 0}}};
        h.append(s, t);
    }
    return h;
}

} // namespace

class TestChartExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void windowLegendWrapsInsteadOfEliding();
    void everyFormat_data();
    void everyFormat();
    void pngSizes();
    void presentationStyle();
    void csvColumns();
    void parseFormats_data();
    void parseFormats();
    void exportAll();
    void headlessRunWritesCharts();
    void replayWritesTheRecordedCharts();
    void barsFollowTheResults();
    void oneWayPipeDrawsOneDirection();
    void manyPipesDrawMessagesOnly();

private:
    History m_race;      // from a real race run
    History m_synthetic; // queue and pipe series
    QTemporaryDir m_dir;
};

void TestChartExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // IPC_KEEP_EXPORTS=1 keeps the files to look at.
    if (qEnvironmentVariableIsSet("IPC_KEEP_EXPORTS")) {
        m_dir.setAutoRemove(false);
        qInfo("exports kept in %s", qPrintable(m_dir.path()));
    }
    auto scenario = createScenario("race");
    QVERIFY(scenario);
    Scenario &s = **scenario;
    QVERIFY(s.setParam("processes", 3));
    QVERIFY(s.setParam("increments", 0)); // until stopped
    Sampler sampler;
    sampler.setScenario(&s);
    QVERIFY(s.start());
    sampler.beginRun();
    for (int i = 0; i < 40; ++i) {
        sampler.tick();
        QTest::qWait(15);
    }
    s.stop();
    sampler.tick();
    m_race = sampler.history();
    sampler.setScenario(nullptr);
    QVERIFY(m_race.size() >= 40);
    QCOMPARE(chartKindsFor(m_race).size(), std::size_t(2)); // values + process states
    m_synthetic = syntheticHistory();
    QCOMPARE(chartKindsFor(m_synthetic).size(), std::size_t(5));
}

void TestChartExport::cleanupTestCase() {}

// The window's legend: entries whole, in as many rows as the width needs,
// each inside the legend; a series left out of the legend stays out.
void TestChartExport::windowLegendWrapsInsteadOfEliding()
{
    auto *chart = makeChart(ChartKind::PipeTraffic, {QStringLiteral("ring"), QStringLiteral("Ring"), {}}).release();
    ChartView view(chart);
    view.resize(1400, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    chart->refresh(m_synthetic);
    view.syncLegend();
    const QStringList labels = view.legend()->labels();
    QVERIFY2(labels.size() >= 2, qPrintable(labels.join(u'|')));
    for (const QString &l : labels) QVERIFY2(!l.contains(QLatin1String("bytes/s")), qPrintable(l)); // left out
    const QFontMetrics fm(view.legend()->font());
    auto rows = [&](int width) {
        QSet<int> tops;
        const QList<QRect> rects = view.legend()->textRects(width);
        for (int i = 0; i < rects.size(); ++i) {
            // Whole: as wide as the text, and inside the legend's width.
            if (rects[i].width() < fm.horizontalAdvance(labels[i]) || rects[i].right() >= width) return -1;
            tops.insert(rects[i].top());
        }
        return int(tops.size());
    };
    QCOMPARE(rows(1400), 1);
    const int narrow = fm.horizontalAdvance(labels.front()) + 40;
    QVERIFY(rows(narrow) >= labels.size() - 1);
    QVERIFY(view.legend()->heightForWidth(narrow) > view.legend()->heightForWidth(1400));
    // On screen: below or beside the plot, inside the chart, never hiding it.
    QVERIFY(view.legend()->isVisible());
    QVERIFY(view.rect().contains(view.legend()->geometry()));
    QVERIFY(!chart->plotArea().intersects(QRectF(view.legend()->geometry())));
}

void TestChartExport::everyFormat_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("synthetic");
    QTest::newRow("race values") << int(ChartKind::Metrics) << false;
    QTest::newRow("race process states") << int(ChartKind::StateTimeline) << false;
    QTest::newRow("queue depth") << int(ChartKind::QueueDepth) << true;
    QTest::newRow("pipe traffic") << int(ChartKind::PipeTraffic) << true;
    QTest::newRow("metrics") << int(ChartKind::Metrics) << true;
    QTest::newRow("results bars") << int(ChartKind::Bars) << true;
}

void TestChartExport::everyFormat()
{
    QFETCH(int, kind);
    QFETCH(bool, synthetic);
    const History &h = synthetic ? m_synthetic : m_race;
    const ChartContext ctx{QStringLiteral("race"), QStringLiteral("Race on a shared counter"), QStringLiteral("Lost updates")};
    const QString stem = m_dir.filePath(QStringLiteral("k%1-%2").arg(kind).arg(synthetic));
    ExportOptions options;

    const QString png = stem + QStringLiteral(".png");
    QVERIFY(exportChart(ChartKind(kind), h, ctx, ExportFormat::Png, png, options));
    const QImage image(png);
    QCOMPARE(image.size(), QSize(1280, 720));
    QVERIFY(looksDrawn(image));

    const QString svg = stem + QStringLiteral(".svg");
    QVERIFY(exportChart(ChartKind(kind), h, ctx, ExportFormat::Svg, svg, options));
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBox().size(), QSize(1280, 720));
    QImage rendered(640, 360, QImage::Format_ARGB32);
    rendered.fill(Qt::white);
    {
        QPainter p(&rendered);
        renderer.render(&p);
    }
    QVERIFY(looksDrawn(rendered));

    const QString pdf = stem + QStringLiteral(".pdf");
    QVERIFY(exportChart(ChartKind(kind), h, ctx, ExportFormat::Pdf, pdf, options));
    const QByteArray bytes = readAll(pdf);
    QVERIFY(bytes.startsWith("%PDF"));
    QVERIFY(bytes.trimmed().endsWith("%%EOF"));
    QVERIFY(bytes.size() > 2000);

    const QString csv = stem + QStringLiteral(".csv");
    QVERIFY(exportChart(ChartKind(kind), h, ctx, ExportFormat::Csv, csv, options));
    const QList<QByteArray> lines = readAll(csv).trimmed().split('\n');
    QVERIFY(lines.size() > 2);
    const qsizetype columns = lines.front().count(',') + 1;
    QVERIFY(columns >= 2);
    for (const QByteArray &line : lines) QCOMPARE(line.count(',') + 1, columns);
}

void TestChartExport::pngSizes()
{
    const ChartContext ctx{QStringLiteral("race"), QStringLiteral("Race"), QStringLiteral("Lost updates")};
    ExportOptions twice;
    twice.scale = 2;
    const QString p2 = m_dir.filePath(QStringLiteral("twice.png"));
    QVERIFY(exportChart(ChartKind::Metrics, m_race, ctx, ExportFormat::Png, p2, twice));
    QCOMPARE(QImage(p2).size(), QSize(2560, 1440));
    QVERIFY(looksDrawn(QImage(p2)));

    for (const QSize asked : {QSize(1000, 600), QSize(1920, 1080), QSize(333, 777), QSize(3840, 1000)}) {
        const QString path = m_dir.filePath(QStringLiteral("sized-%1x%2.png").arg(asked.width()).arg(asked.height()));
        const ExportOptions o = ExportOptions::forPixels(asked, ChartStyle::normal());
        QVERIFY(exportChart(ChartKind::StateTimeline, m_race, ctx, ExportFormat::Png, path, o));
        const QImage img(path);
        QCOMPARE(img.size(), asked);
        QVERIFY(looksDrawn(img));
    }
    ExportOptions tiny;
    tiny.logicalSize = QSize(4, 4);
    QVERIFY(!exportChart(ChartKind::Metrics, m_race, ctx, ExportFormat::Png,
                         m_dir.filePath(QStringLiteral("tiny.png")), tiny));
    QVERIFY(!exportChart(ChartKind::Metrics, m_race, ctx, ExportFormat::Png,
                         QStringLiteral("/nonexistent-dir/x.png"), ExportOptions{}));
}

void TestChartExport::presentationStyle()
{
    // Presentation mode draws more ink: thicker lines, larger text.
    const ChartContext ctx{QStringLiteral("race"), QStringLiteral("Race"), QStringLiteral("Lost updates")};
    ExportOptions normal;
    ExportOptions big;
    big.style = ChartStyle::presentationMode();
    const QImage a = renderChartImage(ChartKind::Metrics, m_race, ctx, normal);
    const QImage b = renderChartImage(ChartKind::Metrics, m_race, ctx, big);
    auto ink = [](const QImage &img) {
        qsizetype n = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x) n += qGray(img.pixel(x, y)) < 200;
        return n;
    };
    QVERIFY(looksDrawn(b));
    QVERIFY(ink(b) > ink(a));
}

void TestChartExport::csvColumns()
{
    const ChartContext ctx{QStringLiteral("race"), QStringLiteral("Race"), QStringLiteral("Lost updates")};
    const QString values = m_dir.filePath(QStringLiteral("values.csv"));
    QVERIFY(exportChart(ChartKind::Metrics, m_race, ctx, ExportFormat::Csv, values, {}));
    QList<QByteArray> lines = readAll(values).trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("time_s,expected,actual,lost,increments_per_s"));
    QCOMPARE(lines.size(), m_race.size() + 1);
    double lastTime = -1;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cells = lines[i].split(',');
        QCOMPARE(cells.size(), 5);
        bool ok = false;
        const double t = cells[0].toDouble(&ok);
        QVERIFY(ok);
        QVERIFY(t >= lastTime);
        lastTime = t;
        const double expected = cells[1].toDouble(&ok);
        QVERIFY(ok);
        const double actual = cells[2].toDouble(&ok);
        QVERIFY(ok);
        const double lost = cells[3].toDouble(&ok);
        QVERIFY(ok);
        QCOMPARE(lost, expected - actual);
    }

    const QString states = m_dir.filePath(QStringLiteral("states.csv"));
    QVERIFY(exportChart(ChartKind::StateTimeline, m_race, ctx, ExportFormat::Csv, states, {}));
    lines = readAll(states).trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("slot,pid,role,state,from_s,to_s"));
    QVERIFY(lines.size() >= 4); // at least one span per process
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cells = lines[i].split(',');
        QCOMPARE(cells.size(), 6);
        QCOMPARE(cells[2], QByteArray("counter"));
        QVERIFY(cells[5].toDouble() >= cells[4].toDouble());
    }

    const QString queue = m_dir.filePath(QStringLiteral("queue.csv"));
    QVERIFY(exportChart(ChartKind::QueueDepth, m_synthetic, ctx, ExportFormat::Csv, queue, {}));
    lines = readAll(queue).trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("time_s,tasks_items,tasks_maxsize"));
    QCOMPARE(lines.back().split(',').at(1), QByteArray("10"));

    const QString pipe = m_dir.filePath(QStringLiteral("pipe.csv"));
    QVERIFY(exportChart(ChartKind::PipeTraffic, m_synthetic, ctx, ExportFormat::Csv, pipe, {}));
    lines = readAll(pipe).trimmed().split('\n');
    QVERIFY(lines.front().startsWith("time_s,link_a_to_b_msgs_per_s,link_a_to_b_bytes_per_s"));
    // 40 messages per 30 ms tick A -> B: about 1333 per second.
    const double rate = lines.back().split(',').at(1).toDouble();
    QVERIFY2(rate > 1300 && rate < 1370, qPrintable(QString::number(rate)));

    // The results as they stand at the end, one line per category.
    const QString bars = m_dir.filePath(QStringLiteral("bars.csv"));
    QVERIFY(exportChart(ChartKind::Bars, m_synthetic, ctx, ExportFormat::Csv, bars, {}));
    lines = readAll(bars).trimmed().split('\n');
    QCOMPARE(lines, (QList<QByteArray>{"lost,lock off,lock on", "none,0,4", "some,3,0", "many,2,0"}));
}

namespace {

// A snapshot of a run with these pipes and no traffic yet.
Snapshot pipesSnapshot(const std::vector<std::string> &names)
{
    Snapshot s;
    s.hasRun = true;
    for (std::size_t k = 0; k < names.size(); ++k) {
        ObjectSnapshot o;
        o.index = std::uint32_t(k + 1);
        o.name = names[k];
        o.kind = ObjectKind::PipeStats;
        o.hasTraffic = true;
        s.objects.push_back(o);
    }
    return s;
}

} // namespace

// A pipe used one way (the ring's links, a one-way Pipe) gets one
// messages line and one bytes line; B -> A appears once it carries
// something, drawn over a widened A -> B.
void TestChartExport::oneWayPipeDrawsOneDirection()
{
    History h;
    Snapshot s = pipesSnapshot({"one-way", "both"});
    auto chart = makeChart(ChartKind::PipeTraffic, {QStringLiteral("pingpong"), QStringLiteral("Pipes"), {}});
    QVERIFY(chart);
    const auto names = [&] {
        QStringList out;
        for (const QAbstractSeries *series : chart->series()) out << series->name();
        return out;
    };
    for (int i = 0; i < 20; ++i) {
        // "both" answers from the 10th sample on.
        s.objects[0].messages = {std::uint64_t(i) * 5, 0};
        s.objects[1].messages = {std::uint64_t(i) * 5, std::uint64_t(std::max(0, i - 9))};
        h.append(s, i * 0.03);
        chart->refresh(h);
        if (i == 5) QCOMPARE(names().size(), 2 + 2);
    }
    QCOMPARE(names().filter(QStringLiteral("'one-way'")).size(), 2);
    QCOMPARE(names().filter(QStringLiteral("'both'")).size(), 4);
    auto *aToB = qobject_cast<QLineSeries *>(chart->series().at(2)); // 'both' A -> B messages
    auto *bToA = qobject_cast<QLineSeries *>(chart->series().at(4));
    QVERIFY(aToB && bToA);
    QVERIFY(aToB->pen().widthF() > bToA->pen().widthF());
}

// The ring's four links: one messages line per link, named by the link
// alone, no bytes axis (eight lines with long names under half the window
// were a row of coloured squares).
void TestChartExport::manyPipesDrawMessagesOnly()
{
    History h;
    Snapshot s = pipesSnapshot({"link-0", "link-1", "link-2", "link-3"});
    auto chart = makeChart(ChartKind::PipeTraffic, {QStringLiteral("ring"), QStringLiteral("Ring"), {}});
    QVERIFY(chart);
    for (int i = 0; i < 10; ++i) {
        for (auto &o : s.objects) {
            o.messages = {std::uint64_t(i) * 7, 0};
            o.bytes = {std::uint64_t(i) * 7000, 0};
        }
        h.append(s, i * 0.03);
        chart->refresh(h);
    }
    QStringList names;
    for (const QAbstractSeries *series : chart->series()) names << series->name();
    QCOMPARE(names, (QStringList{QStringLiteral("link-0"), QStringLiteral("link-1"), QStringLiteral("link-2"),
                                 QStringLiteral("link-3")}));
    int visibleAxes = 0;
    for (const QAbstractAxis *axis : chart->axes(Qt::Vertical)) visibleAxes += axis->isVisible() ? 1 : 0;
    QCOMPARE(visibleAxes, 1);
}

// On screen the bars are updated in place as results arrive (the same bar
// sets, new values), and rebuilt only when the categories change.
void TestChartExport::barsFollowTheResults()
{
    auto chart = makeChart(ChartKind::Bars, {QStringLiteral("race"), QStringLiteral("Race"), {}});
    QVERIFY(chart);
    chart->refresh(m_synthetic);
    QCOMPARE(chart->title(), QStringLiteral("Lost updates per round"));
    QCOMPARE(chart->series().size(), 1);
    auto *series = qobject_cast<QBarSeries *>(chart->series().front());
    QVERIFY(series);
    QCOMPARE(series->barSets().size(), 2);
    QBarSet *off = series->barSets().front();
    QCOMPARE(off->label(), QStringLiteral("lock off"));
    QCOMPARE(off->at(1), 3.0);

    History more = m_synthetic;
    Snapshot s;
    s.hasRun = true;
    s.bars.title = "Lost updates per round";
    s.bars.categoryLabel = "lost";
    s.bars.valueLabel = "rounds";
    s.bars.categories = {"none", "some", "many"};
    s.bars.sets = {{"lock off", {0, 7, 2}}, {"lock on", {9, 0, 0}}};
    more.append(s, more.now() + 0.03);
    chart->refresh(more);
    QCOMPARE(chart->series().size(), 1);
    QCOMPARE(series->barSets().front(), off); // updated, not rebuilt
    QCOMPARE(off->at(1), 7.0);
    QCOMPARE(series->barSets().at(1)->at(0), 9.0);

    s.bars.categories = {"Queue", "Pipe"};
    s.bars.sets = {{"items/s", {1000, 500}}};
    more.append(s, more.now() + 0.03);
    chart->refresh(more);
    auto *rebuilt = qobject_cast<QBarSeries *>(chart->series().front());
    QVERIFY(rebuilt);
    QCOMPARE(rebuilt->barSets().size(), 1);
    QCOMPARE(rebuilt->barSets().front()->count(), 2);
    QCOMPARE(rebuilt->barSets().front()->at(0), 1000.0);

    // Millions of items per second: bars and labels in millions (eight-digit
    // labels ran into each other), the unit in the axis title; the CSV keeps
    // the exact figures.
    s.bars.categories = {"Queue", "Pipe"};
    s.bars.sets = {{"items/s", {19'569'759, 58'576}}};
    more.append(s, more.now() + 0.03);
    chart->refresh(more);
    auto *scaled = qobject_cast<QBarSeries *>(chart->series().front());
    QVERIFY(scaled);
    QCOMPARE(scaled->barSets().front()->at(0), 19.569759);
    QVERIFY(chart->axes(Qt::Vertical).front()->titleText().endsWith(QStringLiteral("(M)")));
    const QString csv = m_dir.filePath(QStringLiteral("bars-millions.csv"));
    QVERIFY(exportChart(ChartKind::Bars, more, {QStringLiteral("compare"), QStringLiteral("Compare"), {}},
                        ExportFormat::Csv, csv, {}));
    QVERIFY(readAll(csv).contains("Queue,19569759"));

    // Orders of magnitude apart (compare's 20 M/s beside the Manager's
    // 0.01 M/s): a log axis, the only vertical one shown. A bar not
    // measured yet (0) stands at its floor, and no bar is labelled until
    // every one has its value -- a label there would state a number nobody
    // measured.
    s.bars.logScale = true;
    s.bars.sets = {{"items/s", {19'569'759, 0}}};
    more.append(s, more.now() + 0.03);
    chart->refresh(more);
    auto *logBars = qobject_cast<QBarSeries *>(chart->series().front());
    QVERIFY(logBars);
    QList<QAbstractAxis *> shown;
    for (QAbstractAxis *axis : chart->axes(Qt::Vertical))
        if (axis->isVisible()) shown << axis;
    QCOMPARE(shown.size(), 1);
    auto *log = qobject_cast<QLogValueAxis *>(shown.front());
    QVERIFY(log);
    QVERIFY(log->titleText().endsWith(QStringLiteral("(M, log)")));
    QCOMPARE(logBars->barSets().front()->at(1), log->min());
    QVERIFY(!logBars->isLabelsVisible());
    s.bars.sets = {{"items/s", {19'569'759, 8'576}}};
    more.append(s, more.now() + 0.03);
    chart->refresh(more);
    QVERIFY(logBars->isLabelsVisible());
    QVERIFY(log->min() <= 0.008576 / 10 && log->max() >= 19.569759 * 1.5);
    QVERIFY(!chart->axes(Qt::Vertical).front()->isVisible() || chart->axes(Qt::Vertical).front() == log);
}

void TestChartExport::parseFormats_data()
{
    QTest::addColumn<QString>("list");
    QTest::addColumn<int>("count"); // -1: refused
    QTest::newRow("all") << QStringLiteral("png,svg,pdf,csv") << 4;
    QTest::newRow("case and spaces") << QStringLiteral(" PNG , Svg") << 2;
    QTest::newRow("duplicates") << QStringLiteral("png,png") << 1;
    QTest::newRow("empty") << QString() << -1;
    QTest::newRow("unknown") << QStringLiteral("png,gif") << -1;
}

void TestChartExport::parseFormats()
{
    QFETCH(QString, list);
    QFETCH(int, count);
    auto formats = ipc::parseFormats(list);
    if (count < 0) {
        QVERIFY(!formats);
        QCOMPARE(formats.error().code, Errc::InvalidArgument);
    } else {
        QVERIFY(formats);
        QCOMPARE(int(formats->size()), count);
    }
}

void TestChartExport::exportAll()
{
    const QString dir = m_dir.filePath(QStringLiteral("all"));
    auto written = exportAllCharts(m_synthetic, {QStringLiteral("demo"), QStringLiteral("Demo"), {}},
                                   {ExportFormat::Png, ExportFormat::Csv}, dir, ExportOptions{});
    QVERIFY(written);
    QCOMPARE(written->size(), 10); // five charts, two formats
    for (const QString &f : *written) QVERIFY2(QFileInfo(f).size() > 0, qPrintable(f));
    QVERIFY(written->contains(QDir(dir).filePath(QStringLiteral("demo-queue-depth.png"))));
    QVERIFY(written->contains(QDir(dir).filePath(QStringLiteral("demo-results.csv"))));
    QVERIFY(!exportAllCharts(History{}, {}, {ExportFormat::Png}, dir, ExportOptions{}));
}

void TestChartExport::headlessRunWritesCharts()
{
    const QByteArray program = qgetenv("IPC_PLAYGROUND");
    if (program.isEmpty()) QSKIP("IPC_PLAYGROUND is not set (run through CTest)");
    const QString dir = m_dir.filePath(QStringLiteral("headless"));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM")); // the program must choose offscreen itself
    p.setProcessEnvironment(env);
    p.start(QString::fromLocal8Bit(program),
            {QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--seconds"), QStringLiteral("1"),
             QStringLiteral("--increments"), QStringLiteral("100000000"), QStringLiteral("--json"),
             QStringLiteral("--export"), dir, QStringLiteral("--format"), QStringLiteral("png,svg,pdf,csv")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    for (const char *name : {"race-values", "race-process-states"}) {
        const QString base = QDir(dir).filePath(QString::fromLatin1(name));
        QVERIFY(looksDrawn(QImage(base + QStringLiteral(".png"))));
        QVERIFY(QSvgRenderer(base + QStringLiteral(".svg")).isValid());
        QVERIFY(readAll(base + QStringLiteral(".pdf")).startsWith("%PDF"));
        QVERIFY(readAll(base + QStringLiteral(".csv")).startsWith("time_s,") ||
                readAll(base + QStringLiteral(".csv")).startsWith("slot,"));
    }
    // The message sequence chart beside them, from the run's event trace.
    const QString sequence = QDir(dir).filePath(QStringLiteral("race-sequence"));
    QVERIFY(looksDrawn(QImage(sequence + QStringLiteral(".png"))));
    QVERIFY(QSvgRenderer(sequence + QStringLiteral(".svg")).isValid());
    QVERIFY(readAll(sequence + QStringLiteral(".pdf")).startsWith("%PDF"));
    const QByteArray events = readAll(sequence + QStringLiteral(".csv"));
    QVERIFY(events.startsWith("time_s,process,pid,event,object,number,state\n"));
    QVERIFY(events.contains(",counter,")); // the race's processes, each with its events
    // stdout is still the JSON result.
    QVERIFY(p.readAllStandardOutput().trimmed().startsWith("{"));

    // A bad format is a usage error and starts nothing.
    QProcess bad;
    bad.setProcessEnvironment(env);
    bad.start(QString::fromLocal8Bit(program), {QStringLiteral("run"), QStringLiteral("race"),
                                                QStringLiteral("--export"), dir, QStringLiteral("--format"),
                                                QStringLiteral("gif")});
    QVERIFY(bad.waitForFinished(30000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(bad.readAllStandardError().contains("gif"));

    // Slides: presentation mode on; a value that is not on/off is refused.
    const QString slides = m_dir.filePath(QStringLiteral("slides"));
    QProcess big;
    big.setProcessEnvironment(env);
    big.start(QString::fromLocal8Bit(program),
              {QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--seconds"), QStringLiteral("1"),
               QStringLiteral("--export"), slides, QStringLiteral("--format"), QStringLiteral("png"),
               QStringLiteral("--presentation"), QStringLiteral("on")});
    QVERIFY(big.waitForFinished(60000));
    QCOMPARE(big.exitCode(), 0);
    QVERIFY(looksDrawn(QImage(QDir(slides).filePath(QStringLiteral("race-values.png")))));
    QProcess badStyle;
    badStyle.setProcessEnvironment(env);
    badStyle.start(QString::fromLocal8Bit(program),
                   {QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--export"), slides,
                    QStringLiteral("--presentation"), QStringLiteral("huge")});
    QVERIFY(badStyle.waitForFinished(30000));
    QCOMPARE(badStyle.exitCode(), 2);
    QVERIFY(badStyle.readAllStandardError().contains("huge"));
}

// replay FILE --export: the charts of a recorded run from its samples and
// trace (no process starts), the whole run or up to --at.
void TestChartExport::replayWritesTheRecordedCharts()
{
    const QByteArray program = qgetenv("IPC_PLAYGROUND");
    if (program.isEmpty()) QSKIP("IPC_PLAYGROUND is not set (run through CTest)");
    const QString file = m_dir.filePath(QStringLiteral("race.ipcrec"));
    const auto run = [&](const QStringList &args) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        p.setProcessEnvironment(env);
        p.start(QString::fromLocal8Bit(program), args);
        p.waitForFinished(60000);
        return std::pair{p.exitCode(), p.readAllStandardError()};
    };
    QCOMPARE(run({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--seconds"), QStringLiteral("1.5"),
                  QStringLiteral("--record"), file})
                 .first,
             0);
    const QString whole = m_dir.filePath(QStringLiteral("replay-whole"));
    const auto w = run({QStringLiteral("replay"), file, QStringLiteral("--export"), whole, QStringLiteral("--format"),
                        QStringLiteral("png,csv")});
    QVERIFY2(w.first == 0, w.second.constData());
    QVERIFY(looksDrawn(QImage(QDir(whole).filePath(QStringLiteral("race-values.png")))));
    QVERIFY(looksDrawn(QImage(QDir(whole).filePath(QStringLiteral("race-sequence.png")))));
    const QString early = m_dir.filePath(QStringLiteral("replay-early"));
    const auto e = run({QStringLiteral("replay"), file, QStringLiteral("--export"), early, QStringLiteral("--format"),
                        QStringLiteral("csv"), QStringLiteral("--at"), QStringLiteral("0.5")});
    QVERIFY2(e.first == 0, e.second.constData());
    // Up to half a second: fewer samples than the whole run, none later.
    const QList<QByteArray> all = readAll(QDir(whole).filePath(QStringLiteral("race-values.csv"))).trimmed().split('\n');
    const QList<QByteArray> part = readAll(QDir(early).filePath(QStringLiteral("race-values.csv"))).trimmed().split('\n');
    QVERIFY(part.size() > 2);
    QVERIFY(part.size() < all.size());
    QVERIFY(part.last().split(',').first().toDouble() <= 0.5);
    // The same samples as the whole run's, up to there.
    for (qsizetype i = 0; i < part.size(); ++i) QCOMPARE(part[i], all[i]);
    // Past the end of the recording: a usage error that says where it ends.
    const auto late = run({QStringLiteral("replay"), file, QStringLiteral("--export"), early, QStringLiteral("--at"),
                           QStringLiteral("100")});
    QCOMPARE(late.first, 2);
    QVERIFY(late.second.contains("the recording ends at"));
}

QTEST_MAIN(TestChartExport)
#include "tst_chart_export.moc"
