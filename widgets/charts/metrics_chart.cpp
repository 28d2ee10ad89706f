#include "metrics_chart.h"

#include <QCoreApplication>

#include <cmath>

namespace ipc {

namespace {

struct KnownMetric {
    const char *key;
    const char *label;
    QColor color;
    qreal width;
};

// Keys the built-in scenarios report; anything else is labelled from its key.
const KnownMetric kKnown[] = {
    {"expected", QT_TRANSLATE_NOOP("ipc", "Expected total"), QColor(0x90, 0xb8, 0xf0), 2.2},
    {"actual", QT_TRANSLATE_NOOP("ipc", "Counter value"), QColor(0x1a, 0x7f, 0x2a), 1.0},
    {"lost", QT_TRANSLATE_NOOP("ipc", "Lost updates"), QColor(0xd3, 0x2f, 0x2f), 1.3},
    {"increments_per_s", QT_TRANSLATE_NOOP("ipc", "Increments per second"), QColor(0x55, 0x55, 0x55), 1.0},
};

const KnownMetric *known(const QString &key)
{
    for (const KnownMetric &k : kKnown)
        if (key == QLatin1String(k.key)) return &k;
    return nullptr;
}

} // namespace

MetricsChart::MetricsChart(ChartContext context)
    : LiveChart(ChartKind::Metrics, std::move(context)), m_y(new CountAxis(this))
{
    setHeading(this->context().scenarioTitle.isEmpty() ? tr("Live values")
                                                     : this->context().scenarioTitle);
    m_y->setTitleText(this->context().valuesAxis.isEmpty() ? tr("count") : this->context().valuesAxis);
    addAxis(m_y, Qt::AlignLeft);
    applyStyle(style());
}

QString MetricsChart::metricLabel(const QString &key)
{
    if (const KnownMetric *k = known(key)) return QCoreApplication::translate("ipc", k->label);
    QString label = key;
    label.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (!label.isEmpty()) label[0] = label[0].toUpper();
    return label;
}

void MetricsChart::applyStyle(const ChartStyle &style)
{
    LiveChart::applyStyle(style);
}

void MetricsChart::refresh(const History &history)
{
    double lo = 0;
    double hi = 1;
    for (const QString &key : history.plottedMetricKeys()) {
        QLineSeries *&series = m_series[key];
        if (!series) {
            const KnownMetric *k = known(key);
            const QColor color = k ? k->color : ChartStyle::seriesColor(int(m_series.size()) + 2);
            series = addLine(metricLabel(key), color, m_y, Qt::SolidLine, k ? k->width : 1.0);
        }
        const int s = history.metricSeries(key);
        history.points(s, m_buffer, m_maxPoints);
        series->replace(m_buffer);
        for (const QPointF &p : std::as_const(m_buffer)) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
    }
    m_y->fit(lo, hi);
    followTime(history);
}

void MetricsChart::writeCsv(QTextStream &out, const History &history) const
{
    QList<int> series;
    for (const QString &key : history.metricKeys()) series.append(history.metricSeries(key));
    writeSeriesCsv(out, history, series, history.metricKeys());
}

} // namespace ipc
