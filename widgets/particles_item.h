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
    static constexpr qreal kSide = 320;

    ParticlesItem();
    void setPoints(std::vector<Point> points);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    std::vector<Point> m_points;
};

} // namespace ipc
