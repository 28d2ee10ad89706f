// PipeTrafficChart: messages per second (solid, left axis) and bytes per
// second (dashed, right axis) through each pipe, per direction. A run of
// more than two pipes (the ring's links) draws messages only, one short
// legend entry per direction used: eight lines and their long names under
// half the window were coloured squares over one brown line. The bytes
// stay in the CSV.
#pragma once

#include "count_axis.h"
#include "live_chart.h"

#include <QHash>

#include <optional>

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
    std::optional<bool> m_compact; // chosen at the first pipes seen: a run's pipes are made at its start
};

} // namespace ipc
