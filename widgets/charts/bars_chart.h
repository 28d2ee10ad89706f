// BarsChart: the lesson's bar chart (Scenario::bars(), kept in the History
// as last reported) -- the speed comparison's items per second by
// mechanism, the race's distribution of lost updates over repeated runs.
// Not a time series: the bars grow as results come in, each labelled with
// its value so a slide needs no gridlines to be read. Values that span
// orders of magnitude (Bars::logScale) stand on a logarithmic axis.
#pragma once

#include "count_axis.h"
#include "live_chart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QLogValueAxis>

namespace ipc {

class BarsChart : public LiveChart {
    Q_OBJECT
public:
    explicit BarsChart(ChartContext context);

    void refresh(const History &history) override;
    // category,<set names...> and one line per category.
    void writeCsv(QTextStream &out, const History &history) const override;
    void applyStyle(const ChartStyle &style) override;

private:
    void rebuild(const Bars &bars);
    void styleSets();
    // What the bar of `category` in set `set` holds: the value / m_scale,
    // or the log axis's floor for a value it cannot show.
    [[nodiscard]] double barValue(const Bars &bars, std::size_t set, std::size_t category) const;

    Bars m_shown; // what the series hold now
    double m_scale = 1; // bars hold value / m_scale: 1, 1e3 or 1e6 (labels of 3 digits, not 8)
    QBarSeries *m_series = nullptr;
    QBarCategoryAxis *m_categories;
    CountAxis *m_y;
    QLogValueAxis *m_log; // instead of m_y when the bars ask for a log scale
    double m_logFloor = 1e-3; // its lowest value
};

} // namespace ipc
