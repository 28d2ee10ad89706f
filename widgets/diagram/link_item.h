// LinkItem: a line from a process to a shared object it uses (from
// Scenario::links()), with an arrow for the direction data moves (put,
// send: towards the object; get, recv: towards the process). Its look says
// what is going on right now: moving dashes while data flows, red while
// the process is blocked on that object, dark blue while it holds its lock,
// thick violet while it is part of a deadlock's cycle.
#pragma once

#include "scenario.h"

#include <QGraphicsItem>

namespace ipc {

class LinkItem : public QGraphicsItem {
public:
    static constexpr int kSmallestTextPx = 20; // the label ("send", "get")
    enum class Activity { Idle, Flowing, Blocked, Holding, Dead };

    // Endpoints are the centres of the two nodes, clipped to their boxes.
    LinkItem(QPointF process, QSizeF processSize, QPointF object, QSizeF objectSize, Link::Kind kind,
             std::uint32_t slot, std::uint32_t objectIndex);

    [[nodiscard]] std::uint32_t slot() const noexcept { return m_slot; }
    [[nodiscard]] std::uint32_t objectIndex() const noexcept { return m_objectIndex; }
    [[nodiscard]] Link::Kind kind() const noexcept { return m_kind; }
    [[nodiscard]] Activity activity() const noexcept { return m_activity; }
    void setActivity(Activity activity, double dt);
    void setShowLabel(bool on) { m_showLabel = on; }
    // Part of a deadlock's cycle: drawn in the deadlock colour, over the rest.
    void setInCycle(bool on);
    [[nodiscard]] bool inCycle() const noexcept { return m_inCycle; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QPointF m_from; // process end
    QPointF m_to;   // object end
    Link::Kind m_kind;
    std::uint32_t m_slot;
    std::uint32_t m_objectIndex;
    qreal m_labelWidth; // the label's box, sized to its text
    Activity m_activity = Activity::Idle;
    double m_dashOffset = 0;
    bool m_showLabel = true;
    bool m_inCycle = false;
};

} // namespace ipc
