// ChartView: one live chart in the window. Click to make it the current
// chart (the one Export and Copy act on); right-click for its own export
// menu.
#pragma once

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

private:
    LiveChart *m_chart;
    bool m_current = false;
};

} // namespace ipc
