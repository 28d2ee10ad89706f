// LiveChart: the base of every chart in the window and in exports. A
// QChart that rebuilds its series from the History with replace() (never
// point by point), animations off, a time axis following the last minute,
// and the data behind it as CSV.
//
// The same class draws the chart on screen and in an export (a fresh
// instance refreshed from the same History), so a slide shows exactly what
// the window showed.
#pragma once

#include "chart_style.h"
#include "history.h"

#include <QChart>
#include <QLineSeries>
#include <QTextStream>
#include <QValueAxis>

#include <vector>

namespace ipc {

enum class ChartKind { Metrics, Bars, QueueDepth, PipeTraffic, StateTimeline };

// What a chart needs to know beyond the data: whose run it shows.
struct ChartContext {
    QString scenarioName;  // "race" (file names)
    QString scenarioTitle; // "Race on a shared counter" (titles)
    QString valuesAxis;    // what the values chart counts ("Lost updates"), from the lesson file
};

class LiveChart : public QChart {
    Q_OBJECT
public:
    // Whether the legend lists this series (see leaveOutOfLegend).
    [[nodiscard]] static bool inLegend(const QAbstractSeries *series);

    LiveChart(ChartKind kind, ChartContext context);

    [[nodiscard]] ChartKind kind() const noexcept { return m_kind; }
    [[nodiscard]] const ChartContext &context() const noexcept { return m_context; }
    // "race-counter": the stem of exported files.
    [[nodiscard]] QString fileStem() const;

    // What the chart shows ("Items waiting in 'tasks'"): its title, unless
    // the window names it elsewhere (a tab above it) and hides the title to
    // give the plot the room.
    [[nodiscard]] const QString &heading() const noexcept { return m_heading; }
    void setTitleShown(bool shown);

    virtual void refresh(const History &history) = 0;
    // Header line, then one line per sample or span.
    virtual void writeCsv(QTextStream &out, const History &history) const = 0;
    virtual void applyStyle(const ChartStyle &style);
    [[nodiscard]] const ChartStyle &style() const noexcept { return m_style; }
    // Export mode draws every sample as vectors; on screen a line keeps
    // few points (Qt Charts recomputes a line's whole outline on every
    // replace()) and the timeline paints through a small image.
    void setExportMode(bool on)
    {
        m_export = on;
        m_maxPoints = on ? 0 : History::kScreenPoints;
    }
    [[nodiscard]] bool exportMode() const noexcept { return m_export; }
    // The run is over: a run shorter than the time axis's 10 s then spreads
    // over the whole width, as in an export (the first lesson ends in a
    // tenth of a second: a line at 0 said nothing).
    void setRunEnded(bool ended) noexcept { m_runEnded = ended; }

protected:
    void setHeading(const QString &heading);

    struct Line {
        QLineSeries *series;
        QColor color;
        Qt::PenStyle pen;
        qreal widthFactor;
    };
    // A line series attached to the time axis and `y`, styled by the chart.
    QLineSeries *addLine(const QString &name, const QColor &color, QAbstractAxis *y,
                         Qt::PenStyle pen = Qt::SolidLine, qreal widthFactor = 1.0);
    [[nodiscard]] QPen penFor(const Line &line) const;
    // A line with no legend entry of its own (it shares its colour with
    // one that has): neither the export's legend nor the window's lists it.
    void leaveOutOfLegend(QAbstractSeries *series);
    // Redraws one of this chart's lines `factor` times the style's width.
    void setWidthFactor(QLineSeries *series, qreal factor);
    void styleAxis(QAbstractAxis *axis) const;
    void followTime(const History &history);
    // time_s,<headers...> and one line per tick; NaN cells are left empty.
    static void writeSeriesCsv(QTextStream &out, const History &history, const QList<int> &series,
                               const QStringList &headers);
    static QString csvField(const QString &text);

    QValueAxis *m_timeAxis;
    std::vector<Line> m_lines;
    QList<QPointF> m_buffer; // reused for replace()
    int m_maxPoints = History::kScreenPoints;
    bool m_export = false;
    bool m_runEnded = false;

private:
    ChartKind m_kind;
    ChartContext m_context;
    ChartStyle m_style;
    QString m_heading;
    bool m_titleShown = true;
};

} // namespace ipc
