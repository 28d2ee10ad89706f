// ChartsPanel: the live charts under the diagram, two to a row. Charts
// appear as their data appears (chartKindsFor) and are refreshed on every
// sample; a new scenario clears them.
#pragma once

#include "chart_style.h"
#include "chart_view.h"
#include "history.h"
#include "live_chart.h"

#include <QWidget>

#include <map>

class QGridLayout;

namespace ipc {

class ChartsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChartsPanel(QWidget *parent = nullptr);

    // A new scenario (or run): removes every chart.
    void setContext(const ChartContext &context);
    [[nodiscard]] const ChartContext &context() const noexcept { return m_context; }
    void refresh(const History &history);
    // The run has ended (or started again): short runs fill the time axis.
    void setRunEnded(bool ended, const History &history);
    void setChartStyle(const ChartStyle &style);
    [[nodiscard]] const ChartStyle &chartStyle() const noexcept { return m_style; }

    [[nodiscard]] QList<ChartView *> views() const;
    [[nodiscard]] ChartView *view(ChartKind kind) const;
    // The chart Export and Copy act on (the last clicked; the first otherwise).
    [[nodiscard]] ChartView *current() const;
    void setCurrent(ChartView *view);
    // One chart alone (the others hidden), or null: all of them again.
    void setEnlarged(ChartView *view);
    [[nodiscard]] ChartView *enlarged() const noexcept { return m_enlarged; }

Q_SIGNALS:
    void actionRequested(ChartView *view, ChartAction action);
    void enlargeRequested(ChartView *view);

private:
    void relayout();

    QGridLayout *m_grid;
    ChartContext m_context;
    ChartStyle m_style = ChartStyle::normal();
    bool m_runEnded = false;
    std::map<ChartKind, ChartView *> m_views;
    ChartView *m_current = nullptr;
    ChartView *m_enlarged = nullptr;
};

} // namespace ipc
