#include "state_timeline_chart.h"

#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QImage>
#include <QLegendMarker>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ipc {

namespace {

// Paints the spans of every track inside the chart's plot area.
class TimelineItem : public QGraphicsItem {
public:
    explicit TimelineItem(StateTimelineChart *chart) : QGraphicsItem(chart), m_chart(chart)
    {
        setZValue(10); // above the grid, below the legend and axes labels
    }

    void plotAreaChanged()
    {
        prepareGeometryChange();
        update();
    }

    QRectF boundingRect() const override { return m_chart->plotArea(); }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        const History *h = m_chart->history();
        if (!h) return;
        const QRectF plot = m_chart->plotArea();
        const double t0 = m_chart->timeMin();
        const double t1 = m_chart->timeMax();
        if (!(t1 > t0) || plot.width() < 1) return;
        painter->save();
        painter->setClipRect(plot);
        painter->setPen(Qt::NoPen);
        if (m_chart->exportMode()) paintVectors(painter, *h, plot, t0, t1);
        else paintRaster(painter, *h, plot, t0, t1);
        painter->restore();
    }

private:
    // Rectangles, merged where they would overlap within a pixel: sharp in
    // SVG and PDF at any zoom.
    void paintVectors(QPainter *painter, const History &h, const QRectF &plot, double t0, double t1)
    {
        const double sx = plot.width() / (t1 - t0);
        const auto &tracks = h.tracks();
        const int rows = int(tracks.size());
        for (int r = 0; r < rows; ++r) {
            const QRectF band = bar(r, rows);
            double drawnTo = -1e9; // right edge (px) of the last rectangle drawn
            for (const History::Span &s : tracks[std::size_t(r)].spans) {
                if (s.to < t0) continue;
                const double x0 = plot.left() + (std::max(s.from, t0) - t0) * sx;
                double x1 = plot.left() + (std::min(s.to, t1) - t0) * sx;
                // Spans thinner than a pixel that land where something was
                // already drawn add nothing visible.
                if (x1 <= drawnTo) continue;
                if (x1 - x0 < 1) x1 = x0 + 1;
                painter->fillRect(QRectF(QPointF(std::max(x0, drawnTo), band.top()),
                                         QPointF(x1, band.bottom())),
                                  stateColor(s.state));
                drawnTo = x1;
            }
        }
    }

    // On screen: one pixel per column and row in an image, stretched to the
    // bands -- thousands of spans cost a few thousand pixel writes, not
    // thousands of anti-aliased rectangles, 30 times a second.
    void paintRaster(QPainter *painter, const History &h, const QRectF &plot, double t0, double t1)
    {
        const auto &tracks = h.tracks();
        const int rows = int(tracks.size());
        const int width = std::max(1, int(std::ceil(plot.width())));
        if (m_image.width() != width || m_image.height() != std::max(rows, 1))
            m_image = QImage(width, std::max(rows, 1), QImage::Format_RGB32);
        m_image.fill(m_chart->plotAreaBackgroundBrush().color());
        const double sx = width / (t1 - t0);
        for (int r = 0; r < rows; ++r) {
            auto *line = reinterpret_cast<QRgb *>(m_image.scanLine(r));
            for (const History::Span &s : tracks[std::size_t(r)].spans) {
                if (s.to < t0) continue;
                int x0 = int(std::floor((std::max(s.from, t0) - t0) * sx));
                int x1 = int(std::ceil((std::min(s.to, t1) - t0) * sx));
                x0 = std::clamp(x0, 0, width - 1);
                x1 = std::clamp(std::max(x1, x0 + 1), 0, width);
                std::fill(line + x0, line + x1, stateColor(s.state).rgb());
            }
        }
        for (int r = 0; r < rows; ++r)
            painter->drawImage(bar(r, rows), m_image, QRectF(0, r, width, 1));
    }

    // The coloured bar of row r, inside its band.
    QRectF bar(int r, int rows) const
    {
        const QRectF band = m_chart->rowRect(r, rows);
        const double pad = std::min(band.height() * 0.12, 4.0);
        return QRectF(band.left(), band.top() + pad, band.width(), std::max(1.0, band.height() - 2 * pad));
    }

    QImage m_image;
    StateTimelineChart *m_chart;
};

} // namespace

StateTimelineChart::StateTimelineChart(ChartContext context)
    : LiveChart(ChartKind::StateTimeline, std::move(context)), m_rows(new QCategoryAxis(this))
{
    setHeading(tr("What each process is doing"));
    m_rows->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
    m_rows->setTitleText(tr("Process"));
    m_rows->setRange(0, 1);
    m_rows->setGridLineVisible(false);
    addAxis(m_rows, Qt::AlignLeft);
    auto *item = new TimelineItem(this);
    m_painter = item;
    connect(this, &QChart::plotAreaChanged, this, [this, item] {
        item->plotAreaChanged();
        if (m_history) relabelRows(*m_history);
    });
    // Spanning the window's width under the other charts, the timeline is
    // wide and short: in an export its few state entries go beside the
    // plot, which keeps the height a row per process needs for its name.
    // (The window draws its legend underneath, wrapped: ChartLegend.)
    connect(this, &QGraphicsWidget::geometryChanged, this, [this] {
        const QSizeF s = size();
        legend()->setAlignment(s.width() > 2.5 * s.height() ? Qt::AlignRight : Qt::AlignBottom);
    });
    applyStyle(style());
}

double StateTimelineChart::timeMin() const { return m_timeAxis->min(); }
double StateTimelineChart::timeMax() const { return m_timeAxis->max(); }

QRectF StateTimelineChart::rowRect(int row, int rows) const
{
    const QRectF plot = plotArea();
    const double h = rows > 0 ? plot.height() / rows : plot.height();
    return QRectF(plot.left(), plot.top() + row * h, plot.width(), h);
}

void StateTimelineChart::applyStyle(const ChartStyle &style)
{
    LiveChart::applyStyle(style);
    m_rows->setGridLineVisible(false);
    m_rowLabels.clear(); // font changed: how many labels fit changed too
    if (m_history) relabelRows(*m_history);
}

void StateTimelineChart::relabelRows(const History &history)
{
    const auto &tracks = history.tracks();
    const int rows = int(tracks.size());
    // As many labels as fit: every k-th row when there are many processes.
    const double lineHeight = QFontMetricsF(style().labelFont).height() * 1.1;
    // The plot's real height once laid out (a short second row once got four
    // names asked for and, as the axis drops overlapping labels, showed one).
    const double available = plotArea().height() > lineHeight ? plotArea().height() : 120.0;
    const int every = std::max(1, int(std::ceil(rows * lineHeight / available)));
    QStringList labels;
    for (int r = 0; r < rows; r += every) {
        const History::Track &t = tracks[std::size_t(r)];
        labels << (every == 1 ? tr("%1 %2").arg(t.role).arg(t.pid)
                              : tr("#%1-%2").arg(r).arg(std::min(rows, r + every) - 1));
    }
    if (labels == m_rowLabels && m_rows->max() == rows) return;
    m_rowLabels = labels;
    for (const QString &l : m_rows->categoriesLabels()) m_rows->remove(l);
    m_rows->setStartValue(0);
    m_rows->setRange(0, std::max(1, rows));
    // The axis grows upwards and row 0 is drawn on top, so the bands are
    // appended bottom-up: the last group of rows first.
    for (int i = int(labels.size()) - 1; i >= 0; --i) {
        QString label = labels[i];
        while (m_rows->categoriesLabels().contains(label)) label += QChar(0x200B);
        m_rows->append(label, double(rows - i * every));
    }
}

void StateTimelineChart::refresh(const History &history)
{
    m_history = &history;
    followTime(history);
    relabelRows(history);
    // Legend: one marker per state that occurs in the shown history.
    std::array<bool, std::size_t(StateGroup::Count_)> seen{};
    for (const History::Track &t : history.tracks())
        for (const History::Span &s : t.spans) seen[std::size_t(stateGroup(s.state))] = true;
    for (std::size_t g = 0; g < seen.size(); ++g) {
        if (!seen[g] || m_legend[g]) continue;
        auto *marker = new QScatterSeries(this);
        marker->setName(groupLabel(StateGroup(g)));
        marker->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        marker->setColor(groupColor(StateGroup(g)));
        marker->setBorderColor(groupColor(StateGroup(g)).darker(140));
        addSeries(marker);
        marker->attachAxis(m_timeAxis);
        marker->attachAxis(m_rows);
        m_legend[g] = marker;
    }
    m_painter->update();
}

void StateTimelineChart::writeCsv(QTextStream &out, const History &history) const
{
    out << "slot,pid,role,state,from_s,to_s\n";
    for (const History::Track &t : history.tracks())
        for (const History::Span &s : t.spans)
            out << t.slot << ',' << t.pid << ',' << csvField(t.role) << ','
                << csvField(stateLabel(s.state)) << ',' << QString::number(s.from, 'f', 3) << ','
                << QString::number(s.to, 'f', 3) << '\n';
}

} // namespace ipc
