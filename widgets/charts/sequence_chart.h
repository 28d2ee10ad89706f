// SequenceChart: the message sequence chart of a run, drawn from its event
// trace (TraceLog): one lifeline per process, time running down; an arrow
// from each put to the get of the same item and from each send to its
// recv, labelled with the item's or message's number; bars on a lifeline
// while its process was blocked, waiting or in a critical section (the
// colours of the diagram and the timeline); a dashed arrow where a lock
// went from one process to the next; a cross where a process ended.
//
// On screen it follows the run (the latest events at the bottom, as much
// time as keeps the last arrows a label apart) until the lecturer scrolls back: the wheel scrolls time, Ctrl+wheel (or +/-) zooms,
// Home shows the whole run, End follows again. Exports draw the same
// picture (paintSequenceChart) at a slide's size: PNG, SVG, PDF, and the
// events as CSV.
//
// Threads: the GUI thread.
#pragma once

#include "chart_exporter.h"
#include "chart_style.h"
#include "result.h"
#include "trace_log.h"

#include <QWidget>

#include <cstdint>

class QTextStream;

namespace ipc {

// Which stretch of the run the chart shows.
struct SequenceWindow {
    std::uint64_t originNs = 0; // the run's time zero: labels count seconds from it
    std::uint64_t endNs = 0;    // the bottom edge
    std::uint64_t spanNs = 0;   // the time the height shows
};

// Draws the chart of `log` in `area` (logical pixels).
void paintSequenceChart(QPainter &painter, const QRectF &area, const TraceLog &log, const SequenceWindow &window,
                        const ChartStyle &style, const QString &title);
// One line per event: time (s), process, pid, event, object, number, state.
void writeSequenceCsv(QTextStream &out, const TraceLog &log, std::uint64_t originNs);

class SequenceChart : public QWidget {
    Q_OBJECT
public:
    static constexpr std::uint64_t kDefaultSpanNs = 3'000'000'000; // 3 s fit a lecture's pace

    explicit SequenceChart(QWidget *parent = nullptr);

    // The trace to draw (not owned) and the run's time zero; null: none.
    void setTrace(const TraceLog *log, std::uint64_t originNs);
    void setTitle(const QString &title);
    void setChartStyle(const ChartStyle &style);
    // After a sample: repaints, following the run unless scrolled back.
    void refresh();
    // The time of the last sample (CLOCK_MONOTONIC): following, the
    // picture reaches down to it.
    void setNow(std::uint64_t nowNs);

    [[nodiscard]] bool following() const noexcept { return m_following; }
    [[nodiscard]] SequenceWindow window() const;
    void setSpan(std::uint64_t spanNs);
    void follow();
    void showWholeRun();

    // The picture at a slide's size, as it is on screen now (the same
    // stretch of time); CSV: every event of the trace.
    [[nodiscard]] Result<void> exportTo(ExportFormat format, const QString &path, const ExportOptions &options) const;
    [[nodiscard]] QImage renderImage(const ExportOptions &options) const;

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    [[nodiscard]] std::uint64_t lastEventNs() const;
    [[nodiscard]] std::uint64_t autoSpanNs() const;
    [[nodiscard]] std::uint64_t followedEndNs() const;
    void scrollBy(double fractionOfSpan);

    const TraceLog *m_log = nullptr;
    std::uint64_t m_originNs = 0;
    std::uint64_t m_nowNs = 0;
    QString m_title;
    ChartStyle m_style = ChartStyle::normal();
    bool m_following = true;
    bool m_autoSpan = true; // following: the span that keeps the last arrows apart
    std::uint64_t m_endNs = 0; // the bottom edge while not following
    std::uint64_t m_spanNs = kDefaultSpanNs;
};

} // namespace ipc
