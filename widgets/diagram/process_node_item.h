// ProcessNodeItem: one real process in the diagram -- its role, pid, state
// (in the state's colour) and work done.
#pragma once

#include "snapshot.h"

#include <QGraphicsItem>
#include <QString>

namespace ipc {

class ProcessNodeItem : public QGraphicsItem {
public:
    static constexpr int kSmallestTextPx = 20; // the pid
    static constexpr qreal kWidth = 230;
    static constexpr qreal kHeight = 104;
    // A stage of a ring: two lines (role and pid; state and work done).
    static constexpr qreal kCompactWidth = 250;
    static constexpr qreal kCompactHeight = 64;

    explicit ProcessNodeItem(std::uint32_t slot, bool compact = false);
    [[nodiscard]] QSizeF size() const noexcept
    {
        return m_compact ? QSizeF(kCompactWidth, kCompactHeight) : QSizeF(kWidth, kHeight);
    }

    [[nodiscard]] std::uint32_t slot() const noexcept { return m_slot; }
    // Repaints only when something visible changed.
    void setProcess(const ProcessSnapshot &p);
    void setHighlighted(bool on);
    void setHoldsLock(bool on);
    // One of a deadlock's processes: outlined in the deadlock colour.
    void setInDeadlock(bool on);
    [[nodiscard]] bool inDeadlock() const noexcept { return m_inDeadlock; }
    void setBold(bool on);
    [[nodiscard]] ProcState state() const noexcept { return m_state; }
    [[nodiscard]] std::int32_t pid() const noexcept { return m_pid; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    void paintCompact(QPainter *painter, const QRectF &inner, const QColor &ink);

    std::uint32_t m_slot;
    bool m_compact;
    std::int32_t m_pid = 0;
    QString m_role;
    ProcState m_state = ProcState::Empty;
    QString m_stateText; // processStateText()
    std::int32_t m_exit = 0;
    QString m_opsText;
    bool m_highlighted = false;
    bool m_holdsLock = false;
    bool m_inDeadlock = false;
    bool m_bold = false;
};

} // namespace ipc
