#include "live_chart.h"

#include "chart_factory.h"
#include "count_axis.h"

#include <QLegendMarker>

#include <cmath>

namespace ipc {

LiveChart::LiveChart(ChartKind kind, ChartContext context)
    : m_timeAxis(new QValueAxis(this)), m_kind(kind), m_context(std::move(context))
{
    // Live data: an animation per tick would lag and cost CPU for nothing.
    setAnimationOptions(QChart::NoAnimation);
    setTheme(QChart::ChartThemeLight);
    setBackgroundRoundness(0);
    setMargins(QMargins(6, 6, 6, 6));
    legend()->setAlignment(Qt::AlignBottom);
    legend()->setShowToolTips(true);
    m_timeAxis->setTitleText(tr("Time since start (s)"));
    m_timeAxis->setTickType(QValueAxis::TicksDynamic);
    m_timeAxis->setTickAnchor(0);
    m_timeAxis->setTickInterval(10);
    m_timeAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_timeAxis->setRange(0, 10);
    addAxis(m_timeAxis, Qt::AlignBottom);
    m_style = ChartStyle::normal();
}

void LiveChart::setHeading(const QString &heading)
{
    m_heading = heading;
    const QString shown = m_titleShown ? heading : QString();
    if (title() != shown) setTitle(shown);
}

void LiveChart::setTitleShown(bool shown)
{
    m_titleShown = shown;
    setHeading(m_heading);
}

QString LiveChart::fileStem() const
{
    const QString subject = chartKindName(m_kind);
    const QString name = m_context.scenarioName.isEmpty() ? QStringLiteral("run") : m_context.scenarioName;
    return name + QLatin1Char('-') + subject;
}

QLineSeries *LiveChart::addLine(const QString &name, const QColor &color, QAbstractAxis *y,
                                Qt::PenStyle pen, qreal widthFactor)
{
    auto *series = new QLineSeries(this);
    series->setName(name);
    addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(y);
    m_lines.push_back(Line{series, color, pen, widthFactor});
    series->setPen(penFor(m_lines.back()));
    // A row of more than four entries under a chart half the window wide
    // elides every name to "Wor..."; a column beside it keeps them whole,
    // for the six or so that fit its height without squeezing the plot.
    const std::size_t n = m_lines.size();
    legend()->setAlignment(n > 4 && n <= 6 ? Qt::AlignRight : Qt::AlignBottom);
    return series;
}

namespace {
constexpr char kNoLegend[] = "ipcNoLegend";
}

void LiveChart::leaveOutOfLegend(QAbstractSeries *series)
{
    series->setProperty(kNoLegend, true);
    for (QLegendMarker *marker : legend()->markers(series)) marker->setVisible(false);
}

bool LiveChart::inLegend(const QAbstractSeries *series)
{
    return series && !series->property(kNoLegend).toBool();
}

void LiveChart::setWidthFactor(QLineSeries *series, qreal factor)
{
    for (Line &l : m_lines) {
        if (l.series != series) continue;
        l.widthFactor = factor;
        series->setPen(penFor(l));
    }
}

QPen LiveChart::penFor(const Line &line) const
{
    const qreal width = m_style.lineWidth * line.widthFactor;
    QPen pen(line.color, width, line.pen, Qt::FlatCap, Qt::BevelJoin);
    if (line.pen == Qt::DashLine) {
        // Qt measures dashes in pen widths; these are in pixels, so dashed
        // lines of different widths drawn over each other stay in step.
        const qreal base = m_style.lineWidth;
        pen.setDashPattern({4 * base / width, 2 * base / width});
    }
    return pen;
}

void LiveChart::styleAxis(QAbstractAxis *axis) const
{
    axis->setTitleFont(m_style.axisTitleFont);
    axis->setTitleBrush(m_style.text);
    axis->setLabelsFont(m_style.labelFont);
    axis->setLabelsBrush(m_style.text);
    axis->setLinePen(QPen(m_style.axisLine, m_style.presentation ? 2 : 1));
    axis->setGridLinePen(QPen(m_style.grid, m_style.presentation ? 1.5 : 1));
    axis->setMinorGridLineVisible(false);
    // "10-..." and "..." tell a class nothing; a label drawn whole that
    // touches its neighbour still does.
    axis->setTruncateLabels(false);
}

void LiveChart::applyStyle(const ChartStyle &style)
{
    m_style = style;
    setTitleFont(style.titleFont);
    setTitleBrush(style.text);
    setBackgroundBrush(style.background);
    setPlotAreaBackgroundBrush(style.plotBackground);
    setPlotAreaBackgroundVisible(true);
    legend()->setFont(style.legendFont);
    legend()->setLabelColor(style.text);
    for (QAbstractAxis *axis : axes()) styleAxis(axis);
    for (const Line &l : m_lines) l.series->setPen(penFor(l));
}

void LiveChart::followTime(const History &history)
{
    const double lo = history.rangeStart();
    double hi = history.rangeEnd();
    // On screen the axis shows at least 10 s, so a run's first seconds do
    // not rescale it on every tick; a picture of a run that ended sooner,
    // or the window once such a run has ended, spreads what happened over
    // the whole width.
    if ((m_export || m_runEnded) && history.now() - lo < hi - lo)
        hi = std::max(lo + 0.1, lo + CountAxis::niceCeil(history.now() - lo));
    if (m_timeAxis->min() != lo || m_timeAxis->max() != hi) m_timeAxis->setRange(lo, hi);
    // Ticks every 10 s for the minute, every 2 s at the start, finer for a
    // picture of a run shorter than that (about five ticks, labelled with
    // as many decimals as they need).
    const double span = hi - lo;
    const double interval = span <= 12 ? std::max(CountAxis::niceCeil(span / 5), 0.01) : span <= 30 ? 5 : 10;
    if (m_timeAxis->tickInterval() != interval) {
        m_timeAxis->setTickInterval(interval);
        int decimals = 0;
        while (decimals < 2 && std::abs(interval * std::pow(10.0, decimals) -
                                        std::round(interval * std::pow(10.0, decimals))) > 1e-9)
            ++decimals;
        m_timeAxis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
    }
}

QString LiveChart::csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

void LiveChart::writeSeriesCsv(QTextStream &out, const History &history, const QList<int> &series,
                               const QStringList &headers)
{
    out << "time_s";
    for (const QString &h : headers) out << ',' << csvField(h);
    out << '\n';
    for (int i = 0; i < history.size(); ++i) {
        out << QString::number(history.time(i), 'f', 3);
        for (int s : series) {
            out << ',';
            const double v = s >= 0 ? history.value(s, i) : std::nan("");
            if (std::isfinite(v)) out << QString::number(v, 'g', 15);
        }
        out << '\n';
    }
}

} // namespace ipc
