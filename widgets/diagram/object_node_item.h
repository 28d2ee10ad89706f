// ObjectNodeItem: one shared object in the diagram, drawn by kind: a value
// with its number and its lock's holder, a lock with its holder, a queue
// with its fill level against maxsize, a pipe with its traffic flowing in
// each direction, a barrier with who is waiting at it, a named
// SharedMemory block with its name and whether that is unlinked yet, a
// manager server with its request rate and the requests it holds back (a
// Lock acquire waiting for the holder's release).
#pragma once

#include "snapshot.h"

#include <QGraphicsItem>
#include <QString>

#include <array>

namespace ipc {

class ObjectNodeItem : public QGraphicsItem {
public:
    static constexpr int kSmallestTextPx = 20; // pipe directions, a segment's lines
    static constexpr qreal kWidth = 320;
    static constexpr qreal kHeight = 150;
    // In a ring: a pipe with its name, rate and buffer on the chord between
    // the two stages it joins; any other object with its name.
    static constexpr qreal kCompactWidth = 160;
    static constexpr qreal kCompactHeight = 56;
    // The kernel's pipe buffer on Linux unless resized (F_SETPIPE_SZ): what
    // a tube drawn full means.
    static constexpr double kPipeBufferBytes = 65536;

    explicit ObjectNodeItem(const ObjectSnapshot &object, bool compact = false);
    [[nodiscard]] QSizeF size() const noexcept
    {
        return m_compact ? QSizeF(kCompactWidth, kCompactHeight) : QSizeF(kWidth, kHeight);
    }

    [[nodiscard]] std::uint32_t index() const noexcept { return m_object.index; }
    [[nodiscard]] const QString &name() const noexcept { return m_name; }
    [[nodiscard]] ObjectKind kind() const noexcept { return m_object.kind; }
    // holder: "pid 1234 (counter)" or empty when free; rates per direction
    // (pipes), in messages and bytes per second; dt: seconds since last call.
    void setObject(const ObjectSnapshot &object, const QString &holder,
                   const std::array<double, 2> &messageRates, const std::array<double, 2> &byteRates,
                   double dt);
    // "A -> B" labels for a pipe: the processes at its ends.
    void setPipeEnds(const QString &a, const QString &b);
    [[nodiscard]] const ObjectSnapshot &object() const noexcept { return m_object; }
    [[nodiscard]] const QString &holderText() const noexcept { return m_holder; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    void paintValue(QPainter *p, const QRectF &body);
    void paintQueue(QPainter *p, const QRectF &body);
    void paintPipe(QPainter *p, const QRectF &body);
    void paintLock(QPainter *p, const QRectF &body);
    void paintManager(QPainter *p, const QRectF &body);
    void paintBarrier(QPainter *p, const QRectF &body);
    void paintBlock(QPainter *p, const QRectF &body);
    void paintCompact(QPainter *p, const QRectF &box);
    // The tube of one direction: its buffer filling from the reading end,
    // dots moving while messages flow.
    void paintTube(QPainter *p, const QRectF &tube, int direction);

    ObjectSnapshot m_object;
    bool m_compact = false;
    QString m_name;
    QString m_holder;
    QString m_endA = QStringLiteral("A");
    QString m_endB = QStringLiteral("B");
    std::array<double, 2> m_messageRates{};
    std::array<double, 2> m_byteRates{};
    std::array<double, 2> m_phase{}; // moving dots in a pipe, 0..1
    double m_requestRate = 0;        // a manager's requests per second, smoothed
};

} // namespace ipc
