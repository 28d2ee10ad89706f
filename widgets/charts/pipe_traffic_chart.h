// PipeTrafficChart: messages per second (solid, left axis) and bytes per
// second (dashed, right axis) through each pipe, per direction.
#pragma once

#include "count_axis.h"
#include "live_chart.h"

#include <QHash>

namespace ipc {

class PipeTrafficChart : public LiveChart {
    Q_OBJECT
public:
    explicit PipeTrafficChart(ChartContext context);

    void refresh(const History &history) override;
    void writeCsv(QTextStream &out, const History &history) const override;

    // "A → B" (or "A -> B" when the font lacks the arrow).
    [[nodiscard]] static QString directionName(int direction);

private:
    struct Lines {
        QLineSeries *messages[ObjectSnapshot::kDirections]{};
        QLineSeries *bytes[ObjectSnapshot::kDirections]{};
        int colorBase = 0;
    };
    CountAxis *m_messagesAxis;
    CountAxis *m_bytesAxis;
    QHash<QString, Lines> m_series;
};

} // namespace ipc
