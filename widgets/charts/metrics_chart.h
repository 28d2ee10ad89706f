// MetricsChart: the scenario's live numbers (Scenario::metrics()) over
// time, one line each -- for the race: increments done (expected), the
// counter's value (actual), and the updates lost between them.
#pragma once

#include "count_axis.h"
#include "live_chart.h"

#include <QHash>

namespace ipc {

class MetricsChart : public LiveChart {
    Q_OBJECT
public:
    explicit MetricsChart(ChartContext context);

    void refresh(const History &history) override;
    void writeCsv(QTextStream &out, const History &history) const override;
    void applyStyle(const ChartStyle &style) override;

    // What a lecturer reads in the legend: "expected" -> "Increments done (expected)".
    [[nodiscard]] static QString metricLabel(const QString &key);

private:
    CountAxis *m_y;
    QHash<QString, QLineSeries *> m_series;
};

} // namespace ipc
