#include "twin_code_view.h"

#include "state_style.h"

#include <QPainter>
#include <QTextBlock>

namespace ipc {

TwinCodeView::TwinCodeView(QWidget *parent) : QPlainTextEdit(parent) {}

void TwinCodeView::setMarks(std::map<int, QList<int>> marks)
{
    if (marks == m_marks) return;
    m_marks = std::move(marks);
    QList<QTextEdit::ExtraSelection> lines;
    for (const auto &[line, pids] : m_marks) {
        const QTextBlock block = document()->findBlockByNumber(line);
        if (!block.isValid()) continue;
        QTextEdit::ExtraSelection s;
        s.cursor = QTextCursor(block);
        s.format.setBackground(groupColor(StateGroup::WaitingStep));
        s.format.setProperty(QTextFormat::FullWidthSelection, true);
        lines.append(s);
    }
    setExtraSelections(lines);
    // The pane shows a few lines on a projector: bring the marked ones in.
    if (!m_marks.empty()) {
        const QTextBlock first = document()->findBlockByNumber(m_marks.begin()->first);
        if (first.isValid()) {
            setTextCursor(QTextCursor(first));
            centerCursor();
        }
    }
    viewport()->update();
}

void TwinCodeView::paintEvent(QPaintEvent *event)
{
    QPlainTextEdit::paintEvent(event);
    if (m_marks.empty()) return;
    // Who is at the line, at its right end over the code: the pane is
    // narrow and the code's comments run long, so the label has a ground.
    QPainter painter(viewport());
    QFont bold = document()->defaultFont(); // the code's size (presentation scales it)
    bold.setBold(true);
    painter.setFont(bold);
    const QFontMetrics fm = painter.fontMetrics(); // as the painter will draw it
    for (const auto &[line, pids] : m_marks) {
        const QTextBlock block = document()->findBlockByNumber(line);
        if (!block.isValid() || !block.isVisible()) continue;
        const QRectF r = blockBoundingGeometry(block).translated(contentOffset());
        if (r.bottom() < 0 || r.top() > viewport()->height()) continue;
        QString text = QStringLiteral("\u2190");
        for (int pid : pids) text += QStringLiteral(" %1").arg(pid);
        // (the right end of the viewport can sit under the scroll bar: the
        // ground runs to the edge, the text keeps clear of it)
        const int w = fm.horizontalAdvance(text) * 11 / 10 + 16;
        const QRect ground(viewport()->width() - w - 24, int(r.top()), w + 24, int(r.height()));
        painter.fillRect(ground, groupColor(StateGroup::WaitingStep).darker(160));
        painter.setPen(Qt::white);
        painter.drawText(ground.adjusted(8, 0, -24, 0), Qt::AlignLeft | Qt::AlignVCenter, text);
    }
}

} // namespace ipc
