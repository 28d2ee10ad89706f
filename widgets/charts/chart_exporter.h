// Chart export for lectures: PNG (1x, 2x, or a chosen pixel size), SVG,
// PDF, and the data behind a chart as CSV; the same in the window and in
// a headless run (`ipc-playground run NAME --export DIR --format ...`).
//
// A chart is exported from a fresh chart of the same kind refreshed from
// the same History, laid out at a fixed logical size (1280x720 by default,
// a 16:9 slide) in the given style, and rendered through its graphics
// scene: vector output for SVG and PDF, never a screenshot of a widget.
// SVG and PDF use the screen's logical DPI, so text keeps the size it had
// when the chart was laid out.
//
// Threads: the GUI thread (needs a QGuiApplication; offscreen is enough).
#pragma once

#include "chart_style.h"
#include "live_chart.h"
#include "result.h"

#include <QImage>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

class QPainter;

namespace ipc {

enum class ExportFormat { Png, Svg, Pdf, Csv };

struct ExportOptions {
    static constexpr QSize kSlideSize{1280, 720};
    QSize logicalSize = kSlideSize; // layout size: fonts keep their size in it
    qreal scale = 1.0;              // PNG pixels = logicalSize * scale
    QSize pixels;                   // when valid: exactly these PNG pixels (forPixels)
    ChartStyle style = ChartStyle::normal();

    // Options giving exactly `pixels` in a PNG, with text in proportion:
    // the layout is a slide (1280 wide) scaled to the requested width.
    [[nodiscard]] static ExportOptions forPixels(QSize pixels, const ChartStyle &style);
    [[nodiscard]] QSize pixelSize() const;
};

[[nodiscard]] QString formatExtension(ExportFormat format);
// "png,svg,pdf,csv" (any subset, any order, case-insensitive).
[[nodiscard]] Result<std::vector<ExportFormat>> parseFormats(const QString &list);

[[nodiscard]] QImage renderChartImage(ChartKind kind, const History &history,
                                      const ChartContext &context, const ExportOptions &options);
[[nodiscard]] Result<void> exportChart(ChartKind kind, const History &history,
                                       const ChartContext &context, ExportFormat format,
                                       const QString &path, const ExportOptions &options);
// Every chart the history has, in every format, as DIR/<scenario>-<chart>.<ext>;
// returns the files written.
[[nodiscard]] Result<QStringList> exportAllCharts(const History &history,
                                                  const ChartContext &context,
                                                  const std::vector<ExportFormat> &formats,
                                                  const QString &directory,
                                                  const ExportOptions &options);
// Any picture, drawn by `paint` into the target rectangle it is given
// (laid out at options.logicalSize, scaled to the target), as PNG, SVG or
// PDF: the charts' exports and the sequence chart's share it.
using PaintFunction = std::function<void(QPainter &painter, const QRectF &target)>;
[[nodiscard]] Result<void> exportPainting(const PaintFunction &paint, ExportFormat format, const QString &path,
                                          const ExportOptions &options, const QString &title);
// "race-values" for the chart of that kind.
[[nodiscard]] QString chartFileStem(ChartKind kind, const ChartContext &context);

} // namespace ipc
