// ParticlesItem: what a lesson draws moving (Scenario::points(), e.g. the
// ring's particles), in a square of the diagram, coloured by the process
// that owns each point.
#pragma once

#include "scenario.h"

#include <QGraphicsItem>

#include <vector>

namespace ipc {

class ParticlesItem : public QGraphicsItem {
public:
    static constexpr qreal kSide = 320;   // unless set otherwise
    static constexpr qreal kCaption = 34; // "Particles (64)" above the square

    ParticlesItem();
    void setPoints(std::vector<Point> points);
    void setSide(qreal side);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    std::vector<Point> m_points;
    qreal m_side = kSide;
};

} // namespace ipc
