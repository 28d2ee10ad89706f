#include "history.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ipc {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinShownSeconds = 10;
} // namespace

History::History(double windowSeconds) : m_window(windowSeconds > 1 ? windowSeconds : 1)
{
    m_times.reserve(kMaxTicks);
}

void History::clear()
{
    m_size = 0;
    m_times.clear();
    m_values.clear();
    m_ids.clear();
    m_index.clear();
    m_metricKeys.clear();
    m_plottedKeys.clear();
    m_queues.clear();
    m_pipes.clear();
    m_tracks.clear();
    m_bars = {};
}

double History::rangeStart() const noexcept
{
    if (m_showWholeRun) return 0;
    const double end = std::ceil(now() / kRangeStepSeconds) * kRangeStepSeconds;
    return std::max(0.0, end - m_window);
}

double History::rangeEnd() const noexcept
{
    // Moves in steps of half a second, not on every tick: every change of
    // a chart's axis range makes Qt Charts recompute every series.
    const double end = std::ceil(now() / kRangeStepSeconds) * kRangeStepSeconds;
    return std::max(end, rangeStart() + kMinShownSeconds);
}

int History::addSeries(const QString &id)
{
    const int index = int(m_ids.size());
    m_ids.push_back(id);
    m_index.insert(id, index);
    m_values.emplace_back(std::size_t(m_size), kNaN);
    m_values.back().reserve(kMaxTicks);
    return index;
}

double History::maxValue(int series) const noexcept
{
    double best = 0;
    const auto &v = m_values[std::size_t(series)];
    for (int i = 0; i < m_size; ++i) {
        const double x = v[std::size_t(i)];
        if (std::isfinite(x) && x > best) best = x;
    }
    return best;
}

void History::points(int series, QList<QPointF> &out, int maxPoints) const
{
    out.clear();
    if (series < 0 || series >= seriesCount() || m_size == 0) return;
    const auto &v = m_values[std::size_t(series)];
    // The first tick shown: at rangeStart(), or the one just before it so
    // the line reaches the left edge.
    const int first = std::max<int>(
        0, int(std::lower_bound(m_times.begin(), m_times.end(), rangeStart()) - m_times.begin()) - 1);
    const int shown = m_size - first;
    if (maxPoints <= 0 || shown <= maxPoints) {
        out.reserve(shown);
        for (int i = first; i < m_size; ++i) {
            const double y = v[std::size_t(i)];
            if (std::isfinite(y)) out.append(QPointF(time(i), y));
        }
        return;
    }
    // Buckets of `step` ticks, each drawn as its minimum and its maximum in
    // time order: a spike between two kept points is not lost, and a
    // counter's line looks the same with a tenth of the points. Buckets are
    // aligned to the newest tick, so the last point is the current value.
    const int buckets = std::max(1, maxPoints / 2);
    const int step = (shown + buckets - 1) / buckets;
    out.reserve(2 * buckets + 2);
    for (int end = m_size; end > first; end -= step) {
        const int begin = std::max(first, end - step);
        int lo = -1, hi = -1;
        for (int i = begin; i < end; ++i) {
            const double y = v[std::size_t(i)];
            if (!std::isfinite(y)) continue;
            if (lo < 0 || y < v[std::size_t(lo)]) lo = i;
            if (hi < 0 || y >= v[std::size_t(hi)]) hi = i;
        }
        if (lo < 0) continue;
        // Appended newest bucket first, reversed below.
        const int later = std::max(lo, hi);
        const int earlier = std::min(lo, hi);
        out.append(QPointF(time(later), v[std::size_t(later)]));
        if (earlier != later) out.append(QPointF(time(earlier), v[std::size_t(earlier)]));
    }
    std::reverse(out.begin(), out.end());
}

double History::rate(int totalSeries) const noexcept
{
    if (m_size < 2) return 0;
    const double tNow = now();
    const double vNow = lastValue(totalSeries);
    int j = m_size - 2;
    while (j > 0 && time(j) > tNow - kRateWindowSeconds) --j;
    const double dt = tNow - time(j);
    const double dv = vNow - value(totalSeries, j);
    if (!(dt > 0) || !std::isfinite(dv)) return 0;
    return std::max(0.0, dv / dt);
}

void History::append(const Snapshot &snapshot, double t)
{
    if (m_size > 0 && t < now()) t = now();
    if (m_size == kMaxTicks) thin();
    ++m_size;
    m_times.push_back(t);
    for (auto &v : m_values) v.push_back(kNaN);

    for (const Metric &m : snapshot.metrics) {
        const QString key = QString::fromStdString(m.key);
        int s = metricSeries(key);
        if (s < 0) {
            s = addSeries(QStringLiteral("m:") + key);
            m_metricKeys.append(key);
            if (m.plotted) m_plottedKeys.append(key);
        }
        setLast(s, m.value);
    }

    for (const ObjectSnapshot &o : snapshot.objects) {
        if (o.kind == ObjectKind::Queue || o.kind == ObjectKind::JoinableQueue || o.kind == ObjectKind::SimpleQueue) {
            const QString name = QString::fromStdString(o.name);
            auto it = std::find_if(m_queues.begin(), m_queues.end(),
                                   [&](const QueueSeries &q) { return q.name == name; });
            if (it == m_queues.end()) {
                QueueSeries q;
                q.name = name;
                q.level = addSeries(QStringLiteral("q:%1:level").arg(name));
                q.capacity = addSeries(QStringLiteral("q:%1:maxsize").arg(name));
                m_queues.push_back(q);
                it = m_queues.end() - 1;
            }
            setLast(it->level, o.level >= 0 ? o.level : kNaN);
            setLast(it->capacity, o.capacity > 0 ? o.capacity : kNaN);
        } else if (o.hasTraffic) {
            const QString name = QString::fromStdString(o.name);
            auto it = std::find_if(m_pipes.begin(), m_pipes.end(),
                                   [&](const PipeSeries &p) { return p.name == name; });
            if (it == m_pipes.end()) {
                PipeSeries p;
                p.name = name;
                for (int d = 0; d < ObjectSnapshot::kDirections; ++d) {
                    p.messagesPerSecond[d] = addSeries(QStringLiteral("p:%1:msgs_per_s:%2").arg(name).arg(d));
                    p.bytesPerSecond[d] = addSeries(QStringLiteral("p:%1:bytes_per_s:%2").arg(name).arg(d));
                    p.messagesTotal[d] = addSeries(QStringLiteral("p:%1:msgs:%2").arg(name).arg(d));
                    p.bytesTotal[d] = addSeries(QStringLiteral("p:%1:bytes:%2").arg(name).arg(d));
                }
                m_pipes.push_back(p);
                it = m_pipes.end() - 1;
            }
            for (int d = 0; d < ObjectSnapshot::kDirections; ++d) {
                setLast(it->messagesTotal[d], double(o.messages[std::size_t(d)]));
                setLast(it->bytesTotal[d], double(o.bytes[std::size_t(d)]));
                setLast(it->messagesPerSecond[d], rate(it->messagesTotal[d]));
                setLast(it->bytesPerSecond[d], rate(it->bytesTotal[d]));
            }
        }
    }
    if (!snapshot.bars.empty()) m_bars = snapshot.bars;
    appendTracks(snapshot, t);
}

void History::appendTracks(const Snapshot &snapshot, double t)
{
    for (const ProcessSnapshot &p : snapshot.processes) {
        if (p.slot >= m_tracks.size()) m_tracks.resize(p.slot + 1);
        Track &track = m_tracks[p.slot];
        if (track.spans.empty()) {
            track.slot = p.slot;
            track.role = QString::fromStdString(p.role);
        }
        track.pid = p.pid;
        if (!track.spans.empty() && track.spans.back().state == p.state) {
            track.spans.back().to = t;
        } else {
            const double from = track.spans.empty() ? t : track.spans.back().to;
            track.spans.push_back(Span{from, t, p.state});
        }
        if (track.spans.size() > kMaxSpans) {
            // Merge neighbours in the older half: each pair becomes the
            // state that lasted longer, so a long run's first minutes keep
            // their shape at a coarser grain.
            std::deque<Span> merged;
            const std::size_t older = track.spans.size() / 2;
            for (std::size_t i = 0; i + 1 < older; i += 2) {
                const Span &a = track.spans[i];
                const Span &b = track.spans[i + 1];
                merged.push_back(Span{a.from, b.to, (a.to - a.from) >= (b.to - b.from) ? a.state : b.state});
            }
            for (std::size_t i = older - older % 2; i < track.spans.size(); ++i) merged.push_back(track.spans[i]);
            track.spans = std::move(merged);
        }
    }
}

void History::thin()
{
    // Keep ticks 0, 2, 4, ... and the newest.
    auto keep = [this](auto &column) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < std::size_t(m_size); ++i)
            if (i % 2 == 0 || i + 1 == std::size_t(m_size)) column[out++] = column[i];
        column.resize(out);
    };
    keep(m_times);
    for (auto &v : m_values) keep(v);
    m_size = int(m_times.size());
}

} // namespace ipc
