// History: the whole run, as the charts and their CSV need it.
//
// Columnar: one array of sample times and, aligned with it, one array of
// values per series, so appending a tick is a store per series. Nothing is
// dropped from the start: a lecture's run keeps its first second. To stay
// bounded (a one-hour run draws at the sampling rate), when kMaxTicks are
// held every other tick is dropped, the first and the newest kept, so the
// older part of a long run is thinner than the last minutes. State spans
// merge the same way past kMaxSpans per process.
//
// The charts show the whole run (the default) or the last `window`
// seconds (setShowWholeRun(false)); the CSV always holds the whole run.
//
// What it records is derived from the snapshot, not from the scenario's
// name: the scenario's metrics, each queue's level and maxsize, each pipe's
// message and byte rates per direction, and a state timeline per process.
// A series that appears mid-run (a metric reported late) reads as NaN
// before it appeared.
//
// Threads: the GUI thread (it is filled by the Sampler).
#pragma once

#include "snapshot.h"

#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

#include <deque>
#include <vector>

namespace ipc {

class History {
public:
    static constexpr double kDefaultWindowSeconds = 60;
    static constexpr int kMaxTicks = 8192;            // then every other tick goes
    static constexpr std::size_t kMaxSpans = 4096;    // per process, then neighbours merge
    static constexpr double kRateWindowSeconds = 0.5; // pipe rates average over this
    static constexpr double kRangeStepSeconds = 0.5;  // the charts' time axis moves in these steps
    static constexpr int kScreenPoints = 400;         // points per line on screen (min/max per bucket)

    struct QueueSeries {
        QString name;
        int level = -1;    // series index
        int capacity = -1; // series index (maxsize; NaN when unbounded)
    };
    struct PipeSeries {
        QString name;
        int messagesPerSecond[ObjectSnapshot::kDirections]{-1, -1};
        int bytesPerSecond[ObjectSnapshot::kDirections]{-1, -1};
        int messagesTotal[ObjectSnapshot::kDirections]{-1, -1};
        int bytesTotal[ObjectSnapshot::kDirections]{-1, -1};
    };
    struct Span {
        double from = 0;
        double to = 0;
        ProcState state = ProcState::Starting;
    };
    struct Track {
        std::uint32_t slot = 0;
        std::int32_t pid = 0;
        QString role;
        std::deque<Span> spans; // oldest first, contiguous
    };

    explicit History(double windowSeconds = kDefaultWindowSeconds);

    void clear();
    // One tick at t seconds since the run started (t never decreases).
    void append(const Snapshot &snapshot, double t);

    [[nodiscard]] double window() const noexcept { return m_window; }
    // The charts' view: the whole run (true, the default) or the last window.
    void setShowWholeRun(bool whole) noexcept { m_showWholeRun = whole; }
    [[nodiscard]] bool showsWholeRun() const noexcept { return m_showWholeRun; }
    [[nodiscard]] int size() const noexcept { return m_size; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
    [[nodiscard]] double time(int i) const noexcept { return m_times[std::size_t(i)]; }
    [[nodiscard]] double now() const noexcept { return m_size ? time(m_size - 1) : 0.0; }
    // The x range a chart shows: from 0 (whole run) or the last `window`
    // seconds, at least 10 s, moving in steps of kRangeStepSeconds.
    [[nodiscard]] double rangeStart() const noexcept;
    [[nodiscard]] double rangeEnd() const noexcept;

    [[nodiscard]] int seriesCount() const noexcept { return int(m_ids.size()); }
    [[nodiscard]] int seriesIndex(const QString &id) const { return m_index.value(id, -1); }
    [[nodiscard]] const QString &seriesId(int series) const { return m_ids[std::size_t(series)]; }
    [[nodiscard]] double value(int series, int i) const noexcept
    {
        return m_values[std::size_t(series)][std::size_t(i)];
    }
    [[nodiscard]] double lastValue(int series) const noexcept
    {
        return m_size ? value(series, m_size - 1) : 0.0;
    }
    // Largest finite value of the series in the history (0 if none).
    [[nodiscard]] double maxValue(int series) const noexcept;
    // The series as chart points from rangeStart() on, NaNs left out,
    // thinned to about maxPoints (0: all) by keeping the minimum and
    // maximum of each bucket of ticks; the newest tick is always the last
    // point. `out` is reused.
    void points(int series, QList<QPointF> &out, int maxPoints = kScreenPoints) const;

    // Metric keys in the order the scenario reports them; series "m:KEY".
    [[nodiscard]] const QStringList &metricKeys() const noexcept { return m_metricKeys; }
    // Those of them the values chart draws (Metric::plotted).
    [[nodiscard]] const QStringList &plottedMetricKeys() const noexcept { return m_plottedKeys; }
    [[nodiscard]] int metricSeries(const QString &key) const { return seriesIndex(QStringLiteral("m:") + key); }
    [[nodiscard]] const std::vector<QueueSeries> &queues() const noexcept { return m_queues; }
    [[nodiscard]] const std::vector<PipeSeries> &pipes() const noexcept { return m_pipes; }
    [[nodiscard]] const std::vector<Track> &tracks() const noexcept { return m_tracks; }
    // The lesson's bar chart as last reported (not a time series: bars
    // hold results, which only grow while a run goes on).
    [[nodiscard]] const Bars &bars() const noexcept { return m_bars; }

private:
    int addSeries(const QString &id);
    void setLast(int series, double v) noexcept { m_values[std::size_t(series)][std::size_t(m_size - 1)] = v; }
    // Drops every other tick (keeping the first and the newest).
    void thin();
    // Rate of a cumulative series over the last kRateWindowSeconds.
    [[nodiscard]] double rate(int totalSeries) const noexcept;
    void appendTracks(const Snapshot &snapshot, double t);

    double m_window;
    bool m_showWholeRun = true;
    int m_size = 0;
    std::vector<double> m_times;
    std::vector<std::vector<double>> m_values;
    std::vector<QString> m_ids;
    QHash<QString, int> m_index;
    QStringList m_metricKeys;
    QStringList m_plottedKeys;
    std::vector<QueueSeries> m_queues;
    std::vector<PipeSeries> m_pipes;
    std::vector<Track> m_tracks;
    Bars m_bars;
};

} // namespace ipc
