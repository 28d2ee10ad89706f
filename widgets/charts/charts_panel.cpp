#include "charts_panel.h"

#include "chart_factory.h"

#include <QGridLayout>

#include <algorithm>

namespace ipc {

ChartsPanel::ChartsPanel(QWidget *parent) : QWidget(parent), m_grid(new QGridLayout(this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(4);
}

void ChartsPanel::setContext(const ChartContext &context)
{
    m_context = context;
    for (auto &[kind, view] : m_views) delete view;
    m_views.clear();
    m_current = nullptr;
    m_enlarged = nullptr;
}

void ChartsPanel::refresh(const History &history)
{
    bool added = false;
    for (ChartKind kind : chartKindsFor(history)) {
        if (m_views.count(kind)) continue;
        auto *view = new ChartView(makeChart(kind, m_context).release(), this);
        view->setObjectName(QStringLiteral("chart-") + chartKindName(kind));
        view->liveChart()->applyStyle(m_style);
        view->liveChart()->setRunEnded(m_runEnded);
        connect(view, &ChartView::activated, this, &ChartsPanel::setCurrent);
        connect(view, &ChartView::actionRequested, this, &ChartsPanel::actionRequested);
        connect(view, &ChartView::enlargeRequested, this, &ChartsPanel::enlargeRequested);
        m_views.emplace(kind, view);
        added = true;
    }
    if (added) relayout();
    for (auto &[kind, view] : m_views) view->liveChart()->refresh(history);
}

void ChartsPanel::setRunEnded(bool ended, const History &history)
{
    m_runEnded = ended;
    for (auto &[kind, view] : m_views) {
        view->liveChart()->setRunEnded(ended);
        view->liveChart()->refresh(history);
    }
}

void ChartsPanel::relayout()
{
    const int n = int(m_views.size());
    const int columns = n > 1 ? 2 : 1;
    const int rows = (n + columns - 1) / columns;
    // Equal columns: a chart's width must not depend on its legend's length.
    for (int c = 0; c < 2; ++c) m_grid->setColumnStretch(c, c < columns ? 1 : 0);
    // A second row gets less height than the first: two equal rows would
    // leave both too short to read; the first charts are the lesson's own.
    for (int r = 0; r < std::max(rows, m_grid->rowCount()); ++r)
        m_grid->setRowStretch(r, r >= rows ? 0 : r == 0 ? 3 : 2);
    int i = 0;
    for (auto &[kind, view] : m_views) {
        m_grid->removeWidget(view);
        if (m_enlarged) {
            // Alone, it takes every row and column; the others wait hidden.
            if (view == m_enlarged) m_grid->addWidget(view, 0, 0, rows, columns);
            view->setVisible(view == m_enlarged);
            ++i;
            continue;
        }
        // An odd last chart spans the row.
        const bool alone = i == n - 1 && n % columns != 0;
        m_grid->addWidget(view, i / columns, i % columns, 1, alone ? columns : 1);
        view->show();
        ++i;
    }
    if (!m_current && !m_views.empty()) setCurrent(m_views.begin()->second);
}

void ChartsPanel::setEnlarged(ChartView *view)
{
    m_enlarged = view;
    relayout();
    if (view) setCurrent(view);
}

void ChartsPanel::setChartStyle(const ChartStyle &style)
{
    m_style = style;
    for (auto &[kind, view] : m_views) view->liveChart()->applyStyle(style);
}

QList<ChartView *> ChartsPanel::views() const
{
    QList<ChartView *> out;
    for (const auto &[kind, view] : m_views) out << view;
    return out;
}

ChartView *ChartsPanel::view(ChartKind kind) const
{
    auto it = m_views.find(kind);
    return it == m_views.end() ? nullptr : it->second;
}

ChartView *ChartsPanel::current() const
{
    if (m_current) return m_current;
    return m_views.empty() ? nullptr : m_views.begin()->second;
}

void ChartsPanel::setCurrent(ChartView *view)
{
    m_current = view;
    for (auto &[kind, v] : m_views) v->setCurrent(v == view);
}

} // namespace ipc
