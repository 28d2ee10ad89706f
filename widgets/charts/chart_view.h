// ChartView: one live chart in the window. Click to make it the current
// chart (the one Export and Copy act on); right-click for its own export
// menu. Its legend is a ChartLegend along the bottom that wraps instead of
// eliding; the chart's own legend is kept for exports.
#pragma once

#include "chart_legend.h"
#include "live_chart.h"

#include <QChartView>

namespace ipc {

enum class ChartAction { ExportPng1x, ExportPng2x, ExportPngSized, ExportSvg, ExportPdf, ExportCsv, Copy };

class ChartView : public QChartView {
    Q_OBJECT
public:
    // Takes ownership of the chart.
    explicit ChartView(LiveChart *chart, QWidget *parent = nullptr);

    [[nodiscard]] LiveChart *liveChart() const noexcept { return m_chart; }
    void setCurrent(bool current);
    [[nodiscard]] bool isCurrent() const noexcept { return m_current; }
    [[nodiscard]] ChartLegend *legend() const noexcept { return m_legend; }
    // After a refresh or a style change: the legend's entries and font,
    // the room the plot leaves it, and a title that fits.
    void syncLegend();

Q_SIGNALS:
    void activated(ChartView *view);
    // Double-clicked: show this chart alone, filling the middle.
    void enlargeRequested(ChartView *view);
    void actionRequested(ChartView *view, ChartAction action);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void placeLegend();
    void fitTitle();

    LiveChart *m_chart;
    ChartLegend *m_legend;
    bool m_current = false;
};

} // namespace ipc
