#include "chart_view.h"

#include <QContextMenuEvent>
#include <QLegend>

#include <algorithm>
#include <QMenu>

namespace ipc {

ChartView::ChartView(LiveChart *chart, QWidget *parent)
    : QChartView(chart, parent), m_chart(chart), m_legend(new ChartLegend(chart, this))
{
    chart->legend()->setVisible(false);
    setRenderHint(QPainter::Antialiasing);
    setFocusPolicy(Qt::ClickFocus);
    setFrameShape(QFrame::Box);
    setLineWidth(2);
    setCurrent(false);
    setToolTip(tr("Click to make this the current chart (Export and Copy act on it); "
                  "right-click to export it."));
}

void ChartView::setCurrent(bool current)
{
    m_current = current;
    // The current chart gets a visible frame; the others a quiet one.
    setStyleSheet(current ? QStringLiteral("QChartView { border: 3px solid #1f5fbf; }")
                          : QStringLiteral("QChartView { border: 3px solid transparent; }"));
}

void ChartView::fitTitle()
{
    // A title wider than the chart shrinks (down to the axis titles' size)
    // rather than being elided: "Race on a..." names nothing.
    const ChartStyle &style = m_chart->style();
    const QMargins margins = m_chart->margins();
    const qreal room = m_chart->size().width() - margins.left() - margins.right() - 12;
    QFont font = style.titleFont;
    const QString title = m_chart->title();
    while (room > 0 && QFontMetricsF(font).horizontalAdvance(title) > room &&
           font.pointSizeF() - 0.5 >= style.axisTitleFont.pointSizeF())
        font.setPointSizeF(font.pointSizeF() - 0.5);
    if (font != m_chart->titleFont()) m_chart->setTitleFont(font);
}

void ChartView::syncLegend()
{
    fitTitle();
    const bool changed = m_legend->sync();
    if (m_legend->font() != m_chart->style().legendFont) {
        m_legend->setLegendFont(m_chart->style().legendFont);
        placeLegend();
    } else if (changed) {
        placeLegend();
    }
}

void ChartView::placeLegend()
{
    const QRect area = contentsRect().adjusted(8, 0, -8, -4);
    QMargins margins = m_chart->margins();
    margins.setBottom(6);
    margins.setRight(6);
    if (m_legend->labels().isEmpty()) {
        m_legend->hide();
    } else {
        // Under the plot, in as many rows as it takes; but where that is
        // more than one row and the chart is wide and short (one chart
        // across the window, under tabs), a column beside the plot leaves
        // it the height its axis needs.
        const int below = m_legend->heightForWidth(area.width());
        const int row = QFontMetrics(m_legend->font()).height();
        const int column = m_legend->widestEntry();
        const bool beside = below > row * 3 / 2 && area.width() > 2 * area.height() && column < area.width() / 3;
        if (beside) {
            const int height = std::min(m_legend->heightForWidth(column), area.height());
            m_legend->setGeometry(area.right() + 1 - column, area.top() + (area.height() - height) / 2, column, height);
            margins.setRight(column + 12);
        } else {
            m_legend->setGeometry(area.left(), area.bottom() + 1 - below, area.width(), below);
            margins.setBottom(below + 8);
        }
        m_legend->show();
    }
    if (margins != m_chart->margins()) m_chart->setMargins(margins);
}

void ChartView::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    placeLegend();
    fitTitle();
}

void ChartView::mousePressEvent(QMouseEvent *event)
{
    Q_EMIT activated(this);
    QChartView::mousePressEvent(event);
}

void ChartView::mouseDoubleClickEvent(QMouseEvent *event)
{
    Q_EMIT enlargeRequested(this);
    event->accept();
}

void ChartView::focusInEvent(QFocusEvent *event)
{
    Q_EMIT activated(this);
    QChartView::focusInEvent(event);
}

void ChartView::contextMenuEvent(QContextMenuEvent *event)
{
    Q_EMIT activated(this);
    QMenu menu(this);
    auto add = [&](const QString &text, ChartAction action) {
        connect(menu.addAction(text), &QAction::triggered, this,
                [this, action] { Q_EMIT actionRequested(this, action); });
    };
    add(tr("Export as PNG (1x)..."), ChartAction::ExportPng1x);
    add(tr("Export as PNG (2x, sharp on slides)..."), ChartAction::ExportPng2x);
    add(tr("Export as PNG of chosen size..."), ChartAction::ExportPngSized);
    add(tr("Export as SVG..."), ChartAction::ExportSvg);
    add(tr("Export as PDF..."), ChartAction::ExportPdf);
    add(tr("Export data as CSV..."), ChartAction::ExportCsv);
    menu.addSeparator();
    add(tr("Copy chart to clipboard"), ChartAction::Copy);
    menu.exec(event->globalPos());
}

} // namespace ipc
