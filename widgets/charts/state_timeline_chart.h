// StateTimelineChart: one row per process, coloured by what it was doing
// at each moment (running, blocked on put, waiting for the lock, holding
// it, killed...), over the last minute. The rows are painted by an item
// inside the plot area from the History's spans; the legend lists the
// states that occur.
//
// The History given to refresh() is read again when the chart paints, so it
// must outlive the chart or be refreshed again first (the Sampler's does).
#pragma once

#include "live_chart.h"
#include "state_style.h"

#include <QCategoryAxis>
#include <QScatterSeries>

#include <array>

namespace ipc {

class StateTimelineChart : public LiveChart {
    Q_OBJECT
public:
    explicit StateTimelineChart(ChartContext context);

    void refresh(const History &history) override;
    void writeCsv(QTextStream &out, const History &history) const override;
    void applyStyle(const ChartStyle &style) override;

    // Where row `row` of `rows` lies in the plot area (row 0 on top).
    [[nodiscard]] QRectF rowRect(int row, int rows) const;
    [[nodiscard]] const History *history() const noexcept { return m_history; }
    [[nodiscard]] double timeMin() const;
    [[nodiscard]] double timeMax() const;

private:
    void relabelRows(const History &history);

    QCategoryAxis *m_rows;
    QGraphicsItem *m_painter;
    const History *m_history = nullptr;
    std::array<QScatterSeries *, std::size_t(StateGroup::Count_)> m_legend{};
    QStringList m_rowLabels;
};

} // namespace ipc
