// Which charts a run has, and making them. The choice follows the data,
// not the scenario's name: metrics -> the values chart, bars -> the results
// chart, queues -> queue depth, pipes -> pipe traffic, processes -> the
// state timeline.
#pragma once

#include "live_chart.h"

#include <memory>
#include <vector>

namespace ipc {

[[nodiscard]] std::unique_ptr<LiveChart> makeChart(ChartKind kind, const ChartContext &context);
// In display order.
[[nodiscard]] std::vector<ChartKind> chartKindsFor(const History &history);
// "values", "results", "queue-depth", "pipe-traffic", "process-states".
[[nodiscard]] QString chartKindName(ChartKind kind);

} // namespace ipc
