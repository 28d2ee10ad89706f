// QueueDepthChart: items waiting in each queue over time, with its maxsize
// as a dashed line of the same colour -- where the producers block.
#pragma once

#include "count_axis.h"
#include "live_chart.h"

#include <QHash>

namespace ipc {

class QueueDepthChart : public LiveChart {
    Q_OBJECT
public:
    explicit QueueDepthChart(ChartContext context);

    void refresh(const History &history) override;
    void writeCsv(QTextStream &out, const History &history) const override;

private:
    struct Pair {
        QLineSeries *level = nullptr;
        QLineSeries *maxsize = nullptr;
    };
    CountAxis *m_y;
    QHash<QString, Pair> m_series;
};

} // namespace ipc
