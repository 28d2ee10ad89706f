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
    const int height = m_legend->labels().isEmpty() ? 0 : m_legend->heightForWidth(area.width());
    m_legend->setGeometry(area.left(), area.bottom() + 1 - height, area.width(), height);
    m_legend->setVisible(height > 0);
    QMargins margins = m_chart->margins();
    margins.setBottom(height > 0 ? height + 8 : 6);
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
