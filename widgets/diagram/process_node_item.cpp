#include "process_node_item.h"

#include "compact_number.h"
#include "state_style.h"

#include <QCoreApplication>
#include <QCursor>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

namespace ipc {

ProcessNodeItem::ProcessNodeItem(std::uint32_t slot, bool compact) : m_slot(slot), m_compact(compact)
{
    setZValue(2);
    setCursor(Qt::PointingHandCursor);
    setAcceptedMouseButtons(Qt::LeftButton);
}

void ProcessNodeItem::setProcess(const ProcessSnapshot &p)
{
    // In step mode the box says what comes next, and in place of its
    // operations the private copy its last read took.
    const bool stepping = !p.nextStep.empty();
    const QString ops = stepping && p.readValue ? QCoreApplication::translate("ipc", "copy: %1").arg(*p.readValue)
                                                : compactNumber(double(p.ops)) + QStringLiteral(" ops");
    const QString stateText = stepping ? QCoreApplication::translate("ipc", "next: %1").arg(QString::fromStdString(p.nextStep)) : stateLabel(p.state);
    const bool changed = p.pid != m_pid || p.state != m_state || p.exitStatus != m_exit ||
                         ops != m_opsText || m_role.size() != qsizetype(p.role.size()) || stateText != m_stateText;
    if (!changed) return;
    m_stateText = stateText;
    if (m_role.size() != qsizetype(p.role.size()) || p.pid != m_pid) m_role = QString::fromStdString(p.role);
    m_pid = p.pid;
    m_state = p.state;
    m_exit = p.exitStatus;
    m_opsText = ops;
    setToolTip(QStringLiteral("%1 (pid %2): %3 - click to choose it for Kill")
                   .arg(m_role)
                   .arg(m_pid)
                   .arg(m_stateText));
    update();
}

void ProcessNodeItem::setHighlighted(bool on)
{
    if (on == m_highlighted) return;
    m_highlighted = on;
    update();
}

void ProcessNodeItem::setHoldsLock(bool on)
{
    if (on == m_holdsLock) return;
    m_holdsLock = on;
    update();
}

void ProcessNodeItem::setInDeadlock(bool on)
{
    if (on == m_inDeadlock) return;
    m_inDeadlock = on;
    update();
}

void ProcessNodeItem::setBold(bool on)
{
    if (on == m_bold) return;
    m_bold = on;
    update();
}

QRectF ProcessNodeItem::boundingRect() const
{
    const QSizeF s = size();
    return QRectF(-s.width() / 2 - 6, -s.height() / 2 - 6, s.width() + 12, s.height() + 12);
}

void ProcessNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QSizeF size = this->size();
    const QRectF box(-size.width() / 2, -size.height() / 2, size.width(), size.height());
    const QColor fill = stateColor(m_state);
    const QColor ink = stateTextColor(m_state);
    painter->setRenderHint(QPainter::Antialiasing);
    // Chosen for Kill (magenta) over in a deadlock (violet) over plain.
    QPen outline(m_highlighted ? QColor(0xff, 0x00, 0x99) : (m_inDeadlock ? deadlockColor() : QColor(0x21, 0x21, 0x21)),
                 m_highlighted || m_inDeadlock ? 7 : (m_bold ? 3 : 2));
    painter->setPen(outline);
    painter->setBrush(fill);
    painter->drawRoundedRect(box, 12, 12);

    if (m_state == ProcState::Killed) {
        // A cross behind the text of a killed process reads from the back of the hall.
        painter->setPen(QPen(QColor(0xd3, 0x2f, 0x2f), 8, Qt::SolidLine, Qt::RoundCap));
        painter->drawLine(box.topLeft() + QPointF(14, 10), box.bottomRight() - QPointF(14, 10));
        painter->drawLine(box.topRight() + QPointF(-14, 10), box.bottomLeft() + QPointF(14, -10));
    }

    if (m_compact) {
        paintCompact(painter, box.adjusted(8, 3, -8, -3), ink);
        return;
    }
    QFont title;
    title.setPixelSize(22);
    title.setBold(true);
    QFont body;
    body.setPixelSize(19);
    body.setBold(m_bold);
    painter->setPen(ink);
    const QRectF inner = box.adjusted(10, 6, -10, -6);
    // The pid, small and plain, at the right of the role; a role too long
    // to share its line ("manager-client") gets the line, and the pid moves
    // to the bottom right beside the ops, so neither is elided to "manag...".
    QFont pidFont;
    pidFont.setPixelSize(kSmallestTextPx);
    // "pid 1234" beside the role if it fits, else the bare number there.
    const qreal roleWidth = QFontMetricsF(title).horizontalAdvance(m_role);
    QString pid = QStringLiteral("pid %1").arg(m_pid);
    // (with a tenth to spare: text drawn through the view's scaling comes
    // out wider than measured unscaled, and "transferpid 17208" ran together)
    const auto fitsBeside = [&](const QString &text) {
        return (roleWidth + QFontMetricsF(pidFont).horizontalAdvance(text)) * 1.1 + 8 <= inner.width();
    };
    if (!fitsBeside(pid) && fitsBeside(QString::number(m_pid))) pid = QString::number(m_pid);
    const qreal pidWidth = QFontMetricsF(pidFont).horizontalAdvance(pid);
    const bool pidBeside = fitsBeside(pid);
    const bool pidBelow = !pidBeside && !m_holdsLock;
    painter->setFont(pidFont);
    if (pidBeside) painter->drawText(inner, Qt::AlignRight | Qt::AlignTop, pid);
    if (pidBelow) painter->drawText(inner, Qt::AlignRight | Qt::AlignBottom, pid);
    painter->setFont(title);
    const QString role = QFontMetricsF(title).elidedText(
        m_role, Qt::ElideRight, std::max<qreal>(0, pidBeside ? inner.width() - pidWidth - 6 : inner.width()));
    painter->drawText(inner, Qt::AlignLeft | Qt::AlignTop, role);
    painter->setFont(body);
    QString state = m_stateText;
    if (isTerminal(m_state)) state += QStringLiteral(" (exit %1)").arg(m_exit);
    QFont stateFont = body;
    stateFont.setBold(true);
    painter->setFont(stateFont);
    painter->drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, state);
    painter->setFont(body);
    qreal opsWidth = inner.width();
    if (m_holdsLock) {
        const QString holds = QStringLiteral("HOLDS LOCK");
        painter->drawText(inner, Qt::AlignRight | Qt::AlignBottom, holds);
        opsWidth -= QFontMetricsF(body).horizontalAdvance(holds) + 6;
    } else if (pidBelow) {
        opsWidth -= pidWidth + 6;
    }
    // (a tenth to spare, as for the pid beside the role: "4103 opspid 10213")
    painter->drawText(inner, Qt::AlignLeft | Qt::AlignBottom,
                      QFontMetricsF(body).elidedText(m_opsText, Qt::ElideRight, std::max<qreal>(0, opsWidth / 1.1)));
}

void ProcessNodeItem::paintCompact(QPainter *painter, const QRectF &inner, const QColor &ink)
{
    // Role and pid over state and work done, each line elided last.
    QFont bold;
    bold.setPixelSize(kSmallestTextPx);
    bold.setBold(true);
    QFont plain = bold;
    plain.setBold(m_bold);
    painter->setPen(ink);
    const QString pid = QString::number(m_pid);
    const QFontMetricsF plainMetrics(plain);
    const qreal pidWidth = plainMetrics.horizontalAdvance(pid);
    painter->setFont(plain);
    painter->drawText(inner, Qt::AlignRight | Qt::AlignTop, pid);
    painter->setFont(bold);
    painter->drawText(inner, Qt::AlignLeft | Qt::AlignTop,
                      QFontMetricsF(bold).elidedText(m_role, Qt::ElideRight, std::max<qreal>(0, inner.width() - pidWidth - 6)));
    QString state = m_holdsLock ? QStringLiteral("HOLDS LOCK") : m_stateText;
    if (isTerminal(m_state)) state += QStringLiteral(" (exit %1)").arg(m_exit);
    const qreal opsWidth = plainMetrics.horizontalAdvance(m_opsText);
    painter->drawText(inner, Qt::AlignLeft | Qt::AlignBottom,
                      QFontMetricsF(bold).elidedText(state, Qt::ElideRight, std::max<qreal>(0, inner.width() - opsWidth - 6)));
    painter->setFont(plain);
    painter->drawText(inner, Qt::AlignRight | Qt::AlignBottom, m_opsText);
}

} // namespace ipc
