#include "queue_depth_chart.h"

namespace ipc {

QueueDepthChart::QueueDepthChart(ChartContext context)
    : LiveChart(ChartKind::QueueDepth, std::move(context)), m_y(new CountAxis(this))
{
    setTitle(tr("Queue depth: items waiting in the queue"));
    m_y->setTitleText(tr("Items in queue"));
    addAxis(m_y, Qt::AlignLeft);
    applyStyle(style());
}

void QueueDepthChart::refresh(const History &history)
{
    double hi = 1;
    const auto &queues = history.queues();
    const QString heading = queues.size() == 1
                                ? tr("Queue depth: items waiting in '%1'").arg(queues.front().name)
                                : tr("Queue depth: items waiting in each queue");
    if (title() != heading) setTitle(heading);
    for (const History::QueueSeries &q : queues) {
        Pair &pair = m_series[q.name];
        if (!pair.level) {
            const QColor color = ChartStyle::seriesColor(int(m_series.size()) - 1);
            pair.level = addLine(tr("Items in '%1'").arg(q.name), color, m_y);
            pair.maxsize = addLine(tr("maxsize of '%1' (producers block here)").arg(q.name),
                                   color.darker(130), m_y, Qt::DashLine, 0.8);
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
