#include "pipe_traffic_chart.h"

#include <QFontMetrics>
#include <QGuiApplication>
#include <QLegendMarker>

namespace ipc {

PipeTrafficChart::PipeTrafficChart(ChartContext context)
    : LiveChart(ChartKind::PipeTraffic, std::move(context)),
      m_messagesAxis(new CountAxis(this)),
      m_bytesAxis(new CountAxis(this))
{
    setHeading(tr("Pipe traffic per direction"));
    // Short: the axes are a chart's height, a hundred pixels in the window.
    m_messagesAxis->setTitleText(tr("Messages/s"));
    m_bytesAxis->setTitleText(tr("Bytes/s"));
    addAxis(m_messagesAxis, Qt::AlignLeft);
    addAxis(m_bytesAxis, Qt::AlignRight);
    m_bytesAxis->setGridLineVisible(false);
    applyStyle(style());
}

QString PipeTrafficChart::directionName(int direction)
{
    // Missing glyphs fail silently (a box): check before using the arrow.
    const bool arrow = QFontMetrics(QGuiApplication::font()).inFont(QChar(0x2192));
    const QString to = arrow ? QStringLiteral(" \u2192 ") : QStringLiteral(" -> ");
    return direction == 0 ? QStringLiteral("A") + to + QStringLiteral("B")
                          : QStringLiteral("B") + to + QStringLiteral("A");
}

void PipeTrafficChart::refresh(const History &history)
{
    double hiMessages = 1;
    double hiBytes = 1;
    if (!m_compact && !history.pipes().empty()) {
        m_compact = history.pipes().size() > 2;
        if (*m_compact) m_bytesAxis->setVisible(false);
    }
    const bool compact = m_compact.value_or(false);
    for (const History::PipeSeries &p : history.pipes()) {
        Lines &lines = m_series[p.name];
        if (!lines.messages[0]) lines.colorBase = (compact ? 1 : 2) * (int(m_series.size()) - 1);
        // B -> A is drawn once it has carried something: a pipe used one
        // way (the ring's links, a one-way Pipe) keeps a legend of two.
        const int directions = history.lastValue(p.messagesTotal[1]) > 0 || lines.messages[1] ? 2 : 1;
        for (int d = 0; d < directions; ++d) {
            if (lines.messages[d]) continue;
            const QColor color = ChartStyle::seriesColor(lines.colorBase + d);
            if (compact) {
                lines.messages[d] = addLine(d == 0 ? p.name : p.name + QStringLiteral(" ") + directionName(d),
                                            color, m_messagesAxis);
                continue;
            }
            // The legend names the directions (colours); solid or dashed is
            // told by the axis titles, so the bytes lines keep their names
            // for tooltips but no legend entry of their own.
            lines.messages[d] = addLine(tr("'%1' %2").arg(p.name, directionName(d)), color, m_messagesAxis);
            lines.bytes[d] = addLine(tr("'%1' %2 bytes/s").arg(p.name, directionName(d)), color,
                                     m_bytesAxis, Qt::DashLine, 0.8);
            leaveOutOfLegend(lines.bytes[d]);
            if (d == 1) {
                // In a ping-pong both directions carry the same traffic and
                // one line would hide the other: A -> B becomes wider, under
                // B -> A, so equal lines show as one with a border of the
                // other's colour.
                setWidthFactor(lines.messages[0], 2.5);
                setWidthFactor(lines.bytes[0], 2.0);
            }
        }
        for (int d = 0; d < directions; ++d) {
            history.points(p.messagesPerSecond[d], m_buffer, m_maxPoints);
            lines.messages[d]->replace(m_buffer);
            for (const QPointF &pt : std::as_const(m_buffer)) hiMessages = std::max(hiMessages, pt.y());
            if (!lines.bytes[d]) continue;
            history.points(p.bytesPerSecond[d], m_buffer, m_maxPoints);
            lines.bytes[d]->replace(m_buffer);
            for (const QPointF &pt : std::as_const(m_buffer)) hiBytes = std::max(hiBytes, pt.y());
        }
    }
    m_messagesAxis->fit(0, hiMessages);
    m_bytesAxis->fit(0, hiBytes);
    followTime(history);
}

void PipeTrafficChart::writeCsv(QTextStream &out, const History &history) const
{
    QList<int> series;
    QStringList headers;
    for (const History::PipeSeries &p : history.pipes()) {
        for (int d = 0; d < ObjectSnapshot::kDirections; ++d) {
            const QString dir = d == 0 ? QStringLiteral("a_to_b") : QStringLiteral("b_to_a");
            series << p.messagesPerSecond[d] << p.bytesPerSecond[d] << p.messagesTotal[d]
                   << p.bytesTotal[d];
            headers << p.name + QStringLiteral("_") + dir + QStringLiteral("_msgs_per_s")
                    << p.name + QStringLiteral("_") + dir + QStringLiteral("_bytes_per_s")
                    << p.name + QStringLiteral("_") + dir + QStringLiteral("_msgs_total")
                    << p.name + QStringLiteral("_") + dir + QStringLiteral("_bytes_total");
        }
    }
    writeSeriesCsv(out, history, series, headers);
}

} // namespace ipc
