#include "chart_factory.h"

#include "bars_chart.h"
#include "metrics_chart.h"
#include "pipe_traffic_chart.h"
#include "queue_depth_chart.h"
#include "state_timeline_chart.h"

namespace ipc {

std::unique_ptr<LiveChart> makeChart(ChartKind kind, const ChartContext &context)
{
    switch (kind) {
    case ChartKind::Metrics: return std::make_unique<MetricsChart>(context);
    case ChartKind::Bars: return std::make_unique<BarsChart>(context);
    case ChartKind::QueueDepth: return std::make_unique<QueueDepthChart>(context);
    case ChartKind::PipeTraffic: return std::make_unique<PipeTrafficChart>(context);
    case ChartKind::StateTimeline: return std::make_unique<StateTimelineChart>(context);
    }
    return nullptr;
}

std::vector<ChartKind> chartKindsFor(const History &history)
{
    std::vector<ChartKind> kinds;
    if (!history.plottedMetricKeys().isEmpty()) kinds.push_back(ChartKind::Metrics);
    if (!history.bars().empty()) kinds.push_back(ChartKind::Bars);
    if (!history.queues().empty()) kinds.push_back(ChartKind::QueueDepth);
    if (!history.pipes().empty()) kinds.push_back(ChartKind::PipeTraffic);
    if (!history.tracks().empty()) kinds.push_back(ChartKind::StateTimeline);
    return kinds;
}

QString chartKindName(ChartKind kind)
{
    switch (kind) {
    case ChartKind::Metrics: return QStringLiteral("values");
    case ChartKind::Bars: return QStringLiteral("results");
    case ChartKind::QueueDepth: return QStringLiteral("queue-depth");
    case ChartKind::PipeTraffic: return QStringLiteral("pipe-traffic");
    case ChartKind::StateTimeline: return QStringLiteral("process-states");
    }
    return {};
}

} // namespace ipc
