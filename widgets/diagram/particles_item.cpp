#include "particles_item.h"

#include "chart_style.h"

#include <QPainter>

#include <algorithm>

namespace ipc {

ParticlesItem::ParticlesItem() { setZValue(2); }

void ParticlesItem::setSide(qreal side)
{
    if (side == m_side) return;
    prepareGeometryChange();
    m_side = side;
}

void ParticlesItem::setPoints(std::vector<Point> points)
{
    m_points = std::move(points);
    update();
}

QRectF ParticlesItem::boundingRect() const
{
    return QRectF(-m_side / 2 - 4, -m_side / 2 - kCaption, m_side + 8, m_side + kCaption + 4);
}

void ParticlesItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF box(-m_side / 2, -m_side / 2, m_side, m_side);
    painter->setPen(QPen(QColor(0x21, 0x21, 0x21), 3));
    painter->setBrush(QColor(0xfa, 0xfa, 0xf5));
    painter->drawRect(box);
    QFont f;
    f.setPixelSize(22);
    f.setBold(true);
    painter->setFont(f);
    painter->drawText(QRectF(box.left(), box.top() - 32, box.width(), 30), Qt::AlignLeft | Qt::AlignVCenter,
                      QStringLiteral("Particles (%1)").arg(m_points.size()));
    painter->setPen(Qt::NoPen);
    const qreal r = m_points.size() > 400 ? 3 : 6;
    for (const Point &p : m_points) {
        const qreal x = std::clamp(p.x, -1.0, 1.0) * (m_side / 2 - r);
        const qreal y = -std::clamp(p.y, -1.0, 1.0) * (m_side / 2 - r);
        painter->setBrush(ChartStyle::seriesColor(int(p.group)));
        painter->drawEllipse(QPointF(x, y), r, r);
    }
}

} // namespace ipc
