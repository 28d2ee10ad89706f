// ChartsPanel: the live charts under the diagram, two to a row. Charts
// appear as their data appears (chartKindsFor) and are refreshed on every
// sample; a new scenario clears them.
//
// Where the panel cannot give every chart the room a legible chart needs
// (a projector's 1024 pixels, large presentation text), it shows one chart
// at a time, the lesson's main one first, with a tab per chart above it.
#pragma once

#include "chart_style.h"
#include "chart_view.h"
#include "history.h"
#include "live_chart.h"

#include <QWidget>

#include <map>

class QGridLayout;
class QTabBar;

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
    // One chart at a time, chosen by the tabs (too little room for all).
    [[nodiscard]] bool isTabbed() const noexcept { return m_tabbed; }
    [[nodiscard]] QTabBar *tabBar() const noexcept { return m_tabs; }

Q_SIGNALS:
    void actionRequested(ChartView *view, ChartAction action);
    void enlargeRequested(ChartView *view);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void relayout();
    [[nodiscard]] bool needsTabs() const;
    void syncTabs();

    QTabBar *m_tabs;
    QGridLayout *m_grid;
    bool m_tabbed = false;
    ChartContext m_context;
    ChartStyle m_style = ChartStyle::normal();
    bool m_runEnded = false;
    std::map<ChartKind, ChartView *> m_views;
    ChartView *m_current = nullptr;
    ChartView *m_enlarged = nullptr;
};

} // namespace ipc
