#include "link_item.h"

#include "state_style.h"

#include <QFontMetricsF>

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace ipc {

namespace {

// Where the segment from c towards p leaves the box of size s centred at c.
QPointF clipToBox(QPointF c, QSizeF s, QPointF p)
{
    const QPointF d = p - c;
    if (d.isNull()) return c;
    const double tx = d.x() != 0 ? (s.width() / 2) / std::fabs(d.x()) : 1e9;
    const double ty = d.y() != 0 ? (s.height() / 2) / std::fabs(d.y()) : 1e9;
    const double t = std::min({tx, ty, 1.0});
    return c + d * t;
}

QString kindText(Link::Kind k)
{
    switch (k) {
    case Link::Kind::Uses: return {};
    case Link::Kind::Puts: return QStringLiteral("put");
    case Link::Kind::Gets: return QStringLiteral("get");
    case Link::Kind::Sends: return QStringLiteral("send");
    case Link::Kind::Receives: return QStringLiteral("recv");
    case Link::Kind::Requests: return QStringLiteral("request");
    case Link::Kind::Serves: return QStringLiteral("serves");
    }
    return {};
}

QFont labelFont()
{
    QFont f;
    f.setPixelSize(LinkItem::kSmallestTextPx);
    f.setBold(true);
    return f;
}

} // namespace

LinkItem::LinkItem(QPointF process, QSizeF processSize, QPointF object, QSizeF objectSize,
                   Link::Kind kind, std::uint32_t slot, std::uint32_t objectIndex)
    : m_from(clipToBox(process, processSize, object)),
      m_to(clipToBox(object, objectSize, process)),
      m_kind(kind),
      m_slot(slot),
      m_objectIndex(objectIndex),
      m_labelWidth(QFontMetricsF(labelFont()).horizontalAdvance(kindText(kind)) + 14)
{
    setZValue(1);
}

void LinkItem::setActivity(Activity activity, double dt)
{
    const bool moving = activity == Activity::Flowing;
    if (activity == m_activity && !moving) return;
    m_activity = activity;
    // A blocked line, and its label, over the idle one beside it.
    setZValue(m_inCycle ? 3 : (activity == Activity::Blocked ? 2 : 1));
    if (moving) m_dashOffset = std::fmod(m_dashOffset - dt * 12.0, 1000.0);
    update();
}

void LinkItem::setInCycle(bool on)
{
    if (on == m_inCycle) return;
    m_inCycle = on;
    setZValue(on ? 3 : (m_activity == Activity::Blocked ? 2 : 1));
    update();
}

QRectF LinkItem::boundingRect() const
{
    const qreal m = std::max<qreal>(40, m_labelWidth / 2 + 4);
    return QRectF(m_from, m_to).normalized().adjusted(-m, -40, m, 40);
}

void LinkItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    QColor color(0x75, 0x75, 0x75);
    qreal width = 3;
    Qt::PenStyle style = Qt::SolidLine;
    switch (m_activity) {
    case Activity::Idle: break;
    case Activity::Flowing:
        color = QColor(0x1f, 0x5f, 0xbf);
        width = 5;
        style = Qt::DashLine;
        break;
    case Activity::Blocked:
        color = QColor(0xd3, 0x2f, 0x2f);
        width = 6;
        style = Qt::DotLine;
        break;
    case Activity::Holding:
        color = QColor(0x1a, 0x23, 0x7e);
        width = 8;
        break;
    case Activity::Dead:
        color = QColor(0xbd, 0xbd, 0xbd);
        width = 2;
        style = Qt::DashLine;
        break;
    }
    if (m_inCycle) {
        color = deadlockColor();
        width = 9;
        style = Qt::SolidLine;
    }
    QPen pen(color, width, style, Qt::FlatCap);
    if (style != Qt::SolidLine) pen.setDashOffset(m_dashOffset);
    painter->setPen(pen);
    painter->drawLine(m_from, m_to);

    // Arrowhead where the data goes.
    const bool towardsObject = m_kind == Link::Kind::Puts || m_kind == Link::Kind::Sends ||
                               m_kind == Link::Kind::Requests;
    const bool towardsProcess = m_kind == Link::Kind::Gets || m_kind == Link::Kind::Receives;
    if (towardsObject || towardsProcess) {
        const QPointF tip = towardsObject ? m_to : m_from;
        const QPointF tail = towardsObject ? m_from : m_to;
        const QPointF d = tip - tail;
        const double len = std::hypot(d.x(), d.y());
        if (len > 1) {
            const QPointF u = d / len;
            const QPointF n(-u.y(), u.x());
            const double a = 12 + width * 1.5;
            QPainterPath head;
            head.moveTo(tip);
            head.lineTo(tip - u * a + n * a * 0.5);
            head.lineTo(tip - u * a - n * a * 0.5);
            head.closeSubpath();
            painter->setPen(Qt::NoPen);
            painter->setBrush(color);
            painter->drawPath(head);
        }
    }
    const QString label = kindText(m_kind);
    if (m_showLabel && !label.isEmpty()) {
        painter->setFont(labelFont());
        const QPointF mid = (m_from + m_to) / 2;
        const QRectF r(mid.x() - m_labelWidth / 2, mid.y() - 24, m_labelWidth, 22);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(255, 255, 255, 220));
        painter->drawRoundedRect(r, 4, 4);
        painter->setPen(color);
        painter->drawText(r, Qt::AlignCenter, label);
    }
}

} // namespace ipc
