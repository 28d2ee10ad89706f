#include "chart_view.h"

#include <QContextMenuEvent>
#include <QMenu>

namespace ipc {

ChartView::ChartView(LiveChart *chart, QWidget *parent) : QChartView(chart, parent), m_chart(chart)
{
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
