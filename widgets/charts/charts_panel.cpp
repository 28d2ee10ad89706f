#include "charts_panel.h"

#include "chart_factory.h"

#include <QGridLayout>
#include <QTabBar>
#include <QVBoxLayout>

#include <algorithm>

namespace ipc {

namespace {
// The least a chart needs at text scale 1 for its title, axes and a legend
// row to stay legible; presentation text scales it.
constexpr int kMinChartWidth = 430;
constexpr int kMinChartHeight = 230;
} // namespace

ChartsPanel::ChartsPanel(QWidget *parent)
    : QWidget(parent), m_tabs(new QTabBar(this)), m_grid(new QGridLayout)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_tabs->setObjectName(QStringLiteral("chartTabs"));
    m_tabs->setElideMode(Qt::ElideNone);
    m_tabs->setUsesScrollButtons(true);
    m_tabs->setDocumentMode(true);
    m_tabs->setToolTip(tr("The charts of this run, one at a time: choose one"));
    m_tabs->hide();
    connect(m_tabs, &QTabBar::currentChanged, this, [this](int index) {
        const QList<ChartView *> all = views();
        if (index >= 0 && index < all.size()) setCurrent(all[index]);
    });
    layout->addWidget(m_tabs);
    layout->addLayout(m_grid, 1);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(4);
}

bool ChartsPanel::needsTabs() const
{
    const int n = int(m_views.size());
    if (n < 2) return false;
    const qreal scale = m_style.textScale;
    const int columns = width() >= 2 * kMinChartWidth * scale ? 2 : 1;
    const int rows = (n + columns - 1) / columns;
    return height() < rows * kMinChartHeight * scale;
}

void ChartsPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (needsTabs() != m_tabbed) relayout();
}

void ChartsPanel::syncTabs()
{
    const QSignalBlocker block(m_tabs);
    const QList<ChartView *> all = views();
    while (m_tabs->count() > all.size()) m_tabs->removeTab(m_tabs->count() - 1);
    for (int i = 0; i < all.size(); ++i) {
        const QString title = all[i]->liveChart()->heading();
        if (i >= m_tabs->count()) m_tabs->addTab(title);
        else if (m_tabs->tabText(i) != title) m_tabs->setTabText(i, title);
    }
    m_tabs->setCurrentIndex(int(all.indexOf(current())));
}

void ChartsPanel::setContext(const ChartContext &context)
{
    m_context = context;
    for (auto &[kind, view] : m_views) delete view;
    m_views.clear();
    m_current = nullptr;
    m_enlarged = nullptr;
    m_tabbed = false;
    syncTabs();
    m_tabs->hide();
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
    for (auto &[kind, view] : m_views) {
        view->liveChart()->refresh(history);
        view->syncLegend();
    }
    if (m_tabbed) syncTabs(); // a title may follow the data ("Items waiting in 'tasks'")
}

void ChartsPanel::setRunEnded(bool ended, const History &history)
{
    m_runEnded = ended;
    for (auto &[kind, view] : m_views) {
        view->liveChart()->setRunEnded(ended);
        view->liveChart()->refresh(history);
        view->syncLegend();
    }
}

void ChartsPanel::relayout()
{
    if (!m_current && !m_views.empty()) setCurrent(m_views.begin()->second);
    m_tabbed = needsTabs();
    syncTabs();
    m_tabs->setVisible(m_tabbed && !m_enlarged);
    // Under a tab that names it, a chart needs no title: the plot gets the room.
    for (auto &[kind, view] : m_views) view->liveChart()->setTitleShown(!(m_tabbed && !m_enlarged));
    // Alone (enlarged, or the tab chosen): one chart takes the whole grid.
    ChartView *alone = m_enlarged ? m_enlarged : m_tabbed ? current() : nullptr;
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
        if (alone) {
            // Alone, it takes every row and column; the others wait hidden.
            if (view == alone) m_grid->addWidget(view, 0, 0, rows, columns);
            view->setVisible(view == alone);
            ++i;
            continue;
        }
        // An odd last chart spans the row.
        const bool spans = i == n - 1 && n % columns != 0;
        m_grid->addWidget(view, i / columns, i % columns, 1, spans ? columns : 1);
        view->show();
        ++i;
    }
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
    for (auto &[kind, view] : m_views) {
        view->liveChart()->applyStyle(style);
        view->syncLegend();
    }
    if (needsTabs() != m_tabbed) relayout();
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
    const bool changed = view != m_current;
    m_current = view;
    for (auto &[kind, v] : m_views) v->setCurrent(v == view);
    if (changed && m_tabbed) relayout();
}

} // namespace ipc
