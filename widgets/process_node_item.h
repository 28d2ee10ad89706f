// ProcessNodeItem: one real process in the diagram -- its role, pid, state
// (in the state's colour) and work done.
#pragma once

#include "snapshot.h"

#include <QGraphicsItem>
#include <QString>

namespace ipc {

class ProcessNodeItem : public QGraphicsItem {
public:
    static constexpr qreal kWidth = 230;
    static constexpr qreal kHeight = 104;

    explicit ProcessNodeItem(std::uint32_t slot);

    [[nodiscard]] std::uint32_t slot() const noexcept { return m_slot; }
    // Repaints only when something visible changed.
    void setProcess(const ProcessSnapshot &p);
    void setHighlighted(bool on);
    void setHoldsLock(bool on);
    void setBold(bool on);
    [[nodiscard]] ProcState state() const noexcept { return m_state; }
    [[nodiscard]] std::int32_t pid() const noexcept { return m_pid; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    std::uint32_t m_slot;
    std::int32_t m_pid = 0;
    QString m_role;
    ProcState m_state = ProcState::Empty;
    std::int32_t m_exit = 0;
    QString m_opsText;
    bool m_highlighted = false;
    bool m_holdsLock = false;
    bool m_bold = false;
};

} // namespace ipc
