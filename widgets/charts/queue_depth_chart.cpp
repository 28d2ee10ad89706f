#include "queue_depth_chart.h"

#include <QLegendMarker>

namespace ipc {

QueueDepthChart::QueueDepthChart(ChartContext context)
    : LiveChart(ChartKind::QueueDepth, std::move(context)), m_y(new CountAxis(this))
{
    setHeading(tr("Items waiting in the queue"));
    m_y->setTitleText(tr("Items")); // the axis is a hundred pixels tall
    addAxis(m_y, Qt::AlignLeft);
    applyStyle(style());
}

void QueueDepthChart::refresh(const History &history)
{
    double hi = 1;
    const auto &queues = history.queues();
    const QString heading = queues.size() == 1
                                ? tr("Items waiting in '%1'").arg(queues.front().name)
                                : tr("Items waiting (dashed: maxsize)");
    if (this->heading() != heading) setHeading(heading);
    for (const History::QueueSeries &q : queues) {
        Pair &pair = m_series[q.name];
        if (!pair.level) {
            // Short legend names (a chart is half the window wide): one
            // queue says what its two lines are; with several, each queue
            // has one entry in its colour and the title says the dashed
            // line of that colour is its maxsize.
            const bool one = queues.size() == 1;
            const QColor color = ChartStyle::seriesColor(int(m_series.size()) - 1);
            pair.level = addLine(one ? tr("Items") : QStringLiteral("'%1'").arg(q.name), color, m_y);
            pair.maxsize = addLine(one ? tr("maxsize: put blocks here") : tr("'%1' maxsize").arg(q.name),
                                   color.darker(130), m_y, Qt::DashLine, 0.8);
            if (!one)
                leaveOutOfLegend(pair.maxsize);
        }
        history.points(q.level, m_buffer, m_maxPoints);
        pair.level->replace(m_buffer);
        for (const QPointF &p : std::as_const(m_buffer)) hi = std::max(hi, p.y());
        history.points(q.capacity, m_buffer, m_maxPoints);
        pair.maxsize->replace(m_buffer);
        for (const QPointF &p : std::as_const(m_buffer)) hi = std::max(hi, p.y());
    }
    m_y->fit(0, hi);
    followTime(history);
}

void QueueDepthChart::writeCsv(QTextStream &out, const History &history) const
{
    QList<int> series;
    QStringList headers;
    for (const History::QueueSeries &q : history.queues()) {
        series << q.level << q.capacity;
        headers << q.name + QStringLiteral("_items") << q.name + QStringLiteral("_maxsize");
    }
    writeSeriesCsv(out, history, series, headers);
}

} // namespace ipc
