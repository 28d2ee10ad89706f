#include "object_node_item.h"

#include "compact_number.h"

#include <QFontMetricsF>
#include <QGuiApplication>
#include <QLocale>
#include <QPainter>

#include <cmath>

namespace ipc {

namespace {

QFont pixelFont(int px, bool bold)
{
    QFont f;
    f.setPixelSize(px);
    f.setBold(bold);
    return f;
}

QString kindTitle(ObjectKind kind)
{
    switch (kind) {
    case ObjectKind::Value: return QStringLiteral("Value");
    case ObjectKind::Array: return QStringLiteral("Array");
    case ObjectKind::Lock: return QStringLiteral("Lock");
    case ObjectKind::RLock: return QStringLiteral("RLock");
    case ObjectKind::Queue: return QStringLiteral("Queue");
    case ObjectKind::JoinableQueue: return QStringLiteral("JoinableQueue");
    case ObjectKind::PipeStats: return QStringLiteral("Pipe");
    case ObjectKind::Manager: return QStringLiteral("Manager");
    case ObjectKind::Barrier: return QStringLiteral("Barrier");
    case ObjectKind::BlockNote: return QStringLiteral("SharedMemory");
    default: {
        const auto n = objectKindName(kind);
        return QString::fromUtf8(n.data(), qsizetype(n.size()));
    }
    }
}

QString arrow()
{
    static const bool has = QFontMetricsF(pixelFont(20, true)).inFont(QChar(0x2192));
    return has ? QStringLiteral(" \u2192 ") : QStringLiteral(" -> ");
}

} // namespace

ObjectNodeItem::ObjectNodeItem(const ObjectSnapshot &object, bool compact)
    : m_object(object), m_compact(compact), m_name(QString::fromStdString(object.name))
{
    setZValue(2);
}

void ObjectNodeItem::setPipeEnds(const QString &a, const QString &b)
{
    if (a == m_endA && b == m_endB) return;
    m_endA = a;
    m_endB = b;
    update();
}

void ObjectNodeItem::setObject(const ObjectSnapshot &object, const QString &holder,
                               const std::array<double, 2> &messageRates,
                               const std::array<double, 2> &byteRates, double dt)
{
    bool changed = holder != m_holder || object.level != m_object.level ||
                   object.capacity != m_object.capacity || object.value != m_object.value ||
                   object.closed != m_object.closed || object.messages != m_object.messages ||
                   object.kernelQueued != m_object.kernelQueued || object.requests != m_object.requests ||
                   object.waiting != m_object.waiting || object.clients != m_object.clients ||
                   object.arrived != m_object.arrived || object.generation != m_object.generation ||
                   object.broken != m_object.broken || object.attached != m_object.attached ||
                   object.unlinked != m_object.unlinked;
    if (object.isManager && dt > 0) {
        const double r = double(object.requests - std::min(object.requests, m_object.requests)) / dt;
        m_requestRate += std::min(1.0, dt / 0.5) * (r - m_requestRate); // about half a second of smoothing
        if (m_requestRate < 0.01) m_requestRate = 0;
    }
    if (object.hasTraffic) {
        for (std::size_t d = 0; d < 2; ++d) {
            // Dots move faster with more traffic, on a log scale so that
            // 10 and 100000 messages/s both read as "flowing".
            const double speed = messageRates[d] > 0 ? 0.15 + 0.12 * std::log10(1 + messageRates[d]) : 0;
            if (speed > 0) {
                m_phase[d] = std::fmod(m_phase[d] + speed * dt, 1.0);
                changed = true;
            }
        }
        if (messageRates != m_messageRates) changed = true;
    }
    m_object = object;
    m_holder = holder;
    m_messageRates = messageRates;
    m_byteRates = byteRates;
    if (changed) update();
}

QRectF ObjectNodeItem::boundingRect() const
{
    const QSizeF s = size();
    return QRectF(-s.width() / 2 - 4, -s.height() / 2 - 4, s.width() + 8, s.height() + 8);
}

void ObjectNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QSizeF s = size();
    const QRectF box(-s.width() / 2, -s.height() / 2, s.width(), s.height());
    painter->setPen(QPen(QColor(0x21, 0x21, 0x21), 3));
    painter->setBrush(QColor(0xfa, 0xfa, 0xf5));
    painter->drawRoundedRect(box, 6, 6);
    if (m_compact) {
        paintCompact(painter, box);
        return;
    }
    const QRectF inner = box.adjusted(12, 8, -12, -8);
    painter->setPen(QColor(0x21, 0x21, 0x21));
    painter->setFont(pixelFont(22, true));
    painter->drawText(inner, Qt::AlignLeft | Qt::AlignTop,
                      QStringLiteral("%1 '%2'").arg(kindTitle(m_object.kind), m_name));
    const QRectF body = inner.adjusted(0, 34, 0, 0);
    switch (m_object.kind) {
    case ObjectKind::Value:
    case ObjectKind::Array:
    case ObjectKind::RawValue:
    case ObjectKind::RawArray: paintValue(painter, body); break;
    case ObjectKind::Queue:
    case ObjectKind::JoinableQueue:
    case ObjectKind::SimpleQueue: paintQueue(painter, body); break;
    case ObjectKind::Lock:
    case ObjectKind::RLock: paintLock(painter, body); break;
    case ObjectKind::Manager: paintManager(painter, body); break;
    case ObjectKind::Barrier: paintBarrier(painter, body); break;
    case ObjectKind::BlockNote: paintBlock(painter, body); break;
    default:
        if (m_object.hasTraffic) paintPipe(painter, body);
        break;
    }
}

void ObjectNodeItem::paintValue(QPainter *p, const QRectF &body)
{
    if (m_object.hasValue) {
        p->setFont(pixelFont(34, true));
        p->drawText(body, Qt::AlignLeft | Qt::AlignTop,
                    QLocale().toString(qlonglong(std::llround(m_object.value))));
    } else if (m_object.length) {
        p->setFont(pixelFont(24, false));
        p->drawText(body, Qt::AlignLeft | Qt::AlignTop,
                    QStringLiteral("%1 elements").arg(QLocale().toString(qulonglong(m_object.length))));
    }
    if (m_object.hasLock) paintLock(p, body.adjusted(0, 46, 0, 0));
}

void ObjectNodeItem::paintLock(QPainter *p, const QRectF &body)
{
    const bool held = !m_holder.isEmpty();
    const QFont font = pixelFont(20, true);
    p->setFont(font);
    p->setPen(held ? QColor(0x1a, 0x23, 0x7e) : QColor(0x2e, 0x7d, 0x32));
    const QString text = held ? QStringLiteral("lock held by %1").arg(m_holder) : QStringLiteral("lock free");
    p->drawText(body, Qt::AlignLeft | Qt::AlignTop, QFontMetricsF(font).elidedText(text, Qt::ElideRight, body.width()));
    p->setPen(QColor(0x21, 0x21, 0x21));
}

void ObjectNodeItem::paintBarrier(QPainter *p, const QRectF &body)
{
    // One cell per party, filled for those already waiting: the phase
    // ends when the row is full.
    const QFont font = pixelFont(20, false);
    p->setFont(font);
    const QString text = m_object.broken
                             ? QStringLiteral("BROKEN (aborted or timed out)")
                             : QStringLiteral("%1 of %2 waiting, %3 phases done")
                                   .arg(m_object.arrived)
                                   .arg(m_object.parties)
                                   .arg(m_object.generation);
    if (m_object.broken) p->setPen(QColor(0xc6, 0x28, 0x28));
    p->drawText(body, Qt::AlignLeft | Qt::AlignTop, QFontMetricsF(font).elidedText(text, Qt::ElideRight, body.width()));
    p->setPen(QColor(0x21, 0x21, 0x21));
    const QRectF bar(body.left(), body.top() + 34, body.width(), body.height() - 40);
    const std::uint32_t parties = std::max<std::uint32_t>(1, m_object.parties);
    if (parties > 40) return;
    const double w = bar.width() / parties;
    p->setPen(QPen(QColor(0x90, 0x90, 0x90), 1));
    for (std::uint32_t i = 0; i < parties; ++i) {
        const QRectF cell(bar.left() + i * w + 1.5, bar.top() + 2, w - 3, bar.height() - 4);
        p->setBrush(i < m_object.arrived ? QColor(0x8e, 0x44, 0xad) : QColor(Qt::white));
        p->drawRect(cell);
    }
}

void ObjectNodeItem::paintBlock(QPainter *p, const QRectF &body)
{
    // A named segment of its own: what processes attach by name, how big,
    // and whether the name is already gone (then no crash can leak it).
    const QFont font = pixelFont(kSmallestTextPx, false);
    p->setFont(font);
    const qreal line = 28;
    const QString lines[] = {
        QStringLiteral("/dev/shm/%1").arg(QString::fromStdString(m_object.segment)),
        QStringLiteral("%1 elements, %2 attached")
            .arg(QLocale().toString(qulonglong(m_object.length)))
            .arg(m_object.attached),
        m_object.unlinked ? QStringLiteral("name unlinked: nothing can leak")
                          : QStringLiteral("name still linked"),
    };
    for (int i = 0; i < 3; ++i) {
        p->setPen(i == 2 ? (m_object.unlinked ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28))
                         : QColor(0x21, 0x21, 0x21));
        const QRectF r(body.left(), body.top() + i * line, body.width(), line);
        p->drawText(r, Qt::AlignLeft | Qt::AlignTop,
                    QFontMetricsF(font).elidedText(lines[i], Qt::ElideRight, body.width()));
    }
    p->setPen(QColor(0x21, 0x21, 0x21));
}

void ObjectNodeItem::paintManager(QPainter *p, const QRectF &body)
{
    // The server holds the objects; every call from a client is a request
    // it answers in turn. Held-back requests are Lock acquires (and queue
    // gets/puts) parked until they can go on.
    const QFont font = pixelFont(20, false);
    p->setFont(font);
    const qreal line = 30;
    const QString lines[] = {
        m_object.serverPid ? QStringLiteral("in server pid %1").arg(m_object.serverPid)
                           : QStringLiteral("server starting"),
        QStringLiteral("%1 requests/s").arg(compactNumber(m_requestRate)),
        QStringLiteral("%1 connections, %2 held back").arg(m_object.clients).arg(m_object.waiting),
    };
    for (int i = 0; i < 3; ++i) {
        p->setPen(i == 2 && m_object.waiting ? QColor(0xc6, 0x28, 0x28) : QColor(0x21, 0x21, 0x21));
        const QRectF r(body.left(), body.top() + i * line, body.width(), line);
        p->drawText(r, Qt::AlignLeft | Qt::AlignTop,
                    QFontMetricsF(font).elidedText(lines[i], Qt::ElideRight, body.width()));
    }
    p->setPen(QColor(0x21, 0x21, 0x21));
}

void ObjectNodeItem::paintQueue(QPainter *p, const QRectF &body)
{
    const double level = std::max(0.0, m_object.level);
    const double cap = m_object.capacity;
    p->setFont(pixelFont(20, false));
    const QString text = cap > 0 ? QStringLiteral("%1 of %2 items%3")
                                       .arg(qlonglong(level))
                                       .arg(qlonglong(cap))
                                       .arg(level >= cap ? QStringLiteral(" - FULL") : QString())
                                 : QStringLiteral("%1 items").arg(qlonglong(level));
    p->drawText(body, Qt::AlignLeft | Qt::AlignTop, text);
    const QRectF bar(body.left(), body.top() + 34, body.width(), body.height() - 40);
    p->setPen(QPen(QColor(0x21, 0x21, 0x21), 2));
    p->setBrush(Qt::white);
    p->drawRect(bar);
    const double fraction = cap > 0 ? std::min(1.0, level / cap) : (level > 0 ? 1.0 : 0.0);
    const QColor fill = fraction >= 1.0 ? QColor(0xf5, 0x7c, 0x00) : QColor(0x3b, 0x8e, 0xea);
    if (cap > 0 && cap <= 40) {
        // One cell per slot: the lecture's "maxsize" made visible.
        const double w = bar.width() / cap;
        p->setPen(QPen(QColor(0x90, 0x90, 0x90), 1));
        for (int i = 0; i < int(cap); ++i) {
            const QRectF cell(bar.left() + i * w + 1.5, bar.top() + 2, w - 3, bar.height() - 4);
            p->setBrush(i < int(level) ? fill : QColor(Qt::white));
            p->drawRect(cell);
        }
    } else {
        p->fillRect(QRectF(bar.left() + 2, bar.top() + 2, (bar.width() - 4) * fraction, bar.height() - 4), fill);
    }
}

void ObjectNodeItem::paintPipe(QPainter *p, const QRectF &body)
{
    const double laneH = body.height() / 2;
    for (int d = 0; d < 2; ++d) {
        const QRectF lane(body.left(), body.top() + d * laneH, body.width(), laneH - 4);
        const QString from = d == 0 ? m_endA : m_endB;
        const QString to = d == 0 ? m_endB : m_endA;
        const QFont font = pixelFont(kSmallestTextPx, true);
        p->setFont(font);
        p->setPen(QColor(0x21, 0x21, 0x21));
        const double rate = m_messageRates[std::size_t(d)];
        // What matters first: the bytes waiting in the buffer (the deadlock
        // lesson's whole point), else the traffic; the rest if it fits.
        const std::uint64_t queued = m_object.kernelQueued[std::size_t(d)];
        // (bytes waiting are waiting for the reader: its pid alone says where)
        const QString head = (queued ? arrow().trimmed() + QLatin1Char(' ') : from + arrow()) + to + QStringLiteral(": ");
        const QString traffic = QStringLiteral("%1 msg/s, %2B/s")
                                    .arg(compactNumber(rate), compactNumber(m_byteRates[std::size_t(d)]));
        // ("219 kB unread": whole kilobytes, short enough for the lane)
        const QString unread = queued >= 1'000'000 ? QStringLiteral("%1 MB unread").arg(double(queued) / 1e6, 0, 'f', 1)
                               : queued >= 1000    ? QStringLiteral("%1 kB unread").arg(qRound(double(queued) / 1e3))
                                                   : QStringLiteral("%1 B unread").arg(queued);
        QString text = head + (queued ? unread : traffic);
        if (queued && QFontMetricsF(font).horizontalAdvance(text + QStringLiteral(", ") + traffic) <= lane.width())
            text += QStringLiteral(", ") + traffic;
        p->drawText(lane, Qt::AlignLeft | Qt::AlignTop, QFontMetricsF(font).elidedText(text, Qt::ElideRight, lane.width()));
        paintTube(p, QRectF(lane.left(), lane.top() + 24, lane.width(), std::max(6.0, lane.height() - 28)), d);
    }
}

void ObjectNodeItem::paintTube(QPainter *p, const QRectF &tube, int d)
{
    p->setPen(QPen(QColor(0x60, 0x60, 0x60), 2));
    p->setBrush(QColor(0xec, 0xef, 0xf1));
    p->drawRoundedRect(tube, tube.height() / 2, tube.height() / 2);
    // What was written and not read yet fills the tube from the end that
    // reads it: full, and the writer blocks (the pipe-deadlock lesson).
    const double queued = double(m_object.kernelQueued[std::size_t(d)]);
    if (queued > 0) {
        const double fraction = std::min(1.0, queued / kPipeBufferBytes);
        const qreal w = std::max(tube.height(), tube.width() * fraction);
        const QRectF fill = d == 0 ? QRectF(tube.right() - w, tube.top(), w, tube.height())
                                   : QRectF(tube.left(), tube.top(), w, tube.height());
        p->setPen(Qt::NoPen);
        p->setBrush(fraction >= 1.0 ? QColor(0xf5, 0x7c, 0x00) : QColor(0xff, 0xcc, 0x80));
        p->drawRoundedRect(fill, tube.height() / 2, tube.height() / 2);
    }
    const double rate = m_messageRates[std::size_t(d)];
    if (rate <= 0) return;
    p->setPen(Qt::NoPen);
    p->setBrush(d == 0 ? QColor(0x1f, 0x5f, 0xbf) : QColor(0x2e, 0x9d, 0x3a));
    const int dots = 6;
    const double r = std::min(tube.height() * 0.35, 7.0);
    for (int i = 0; i < dots; ++i) {
        double f = std::fmod(m_phase[std::size_t(d)] + double(i) / dots, 1.0);
        if (d == 1) f = 1.0 - f;
        const QPointF c(tube.left() + r + f * (tube.width() - 2 * r), tube.center().y());
        p->drawEllipse(c, r, r);
    }
}

void ObjectNodeItem::paintCompact(QPainter *p, const QRectF &box)
{
    // A ring's link, one way only: its name over its tube. Any
    // other object: its kind and name over what it holds.
    const QRectF inner = box.adjusted(8, 3, -8, -4);
    const QFont font = pixelFont(kSmallestTextPx, true);
    p->setFont(font);
    p->setPen(QColor(0x21, 0x21, 0x21));
    if (!m_object.hasTraffic) {
        const QFontMetricsF fm(font);
        p->drawText(inner, Qt::AlignLeft | Qt::AlignTop,
                    fm.elidedText(QStringLiteral("'%1'").arg(m_name), Qt::ElideRight, inner.width()));
        const QString held =
            m_object.hasValue ? QStringLiteral("%1 = %2").arg(kindTitle(m_object.kind), QLocale().toString(qlonglong(std::llround(m_object.value))))
            : m_object.length ? QStringLiteral("%1 of %2").arg(kindTitle(m_object.kind), QLocale().toString(qulonglong(m_object.length)))
                              : kindTitle(m_object.kind);
        p->setFont(pixelFont(kSmallestTextPx, false));
        p->drawText(inner, Qt::AlignLeft | Qt::AlignBottom, fm.elidedText(held, Qt::ElideRight, inner.width()));
        return;
    }
    // (its rate is on the pipe-traffic chart; the box has room for its name)
    p->drawText(inner, Qt::AlignLeft | Qt::AlignTop, QFontMetricsF(font).elidedText(m_name, Qt::ElideRight, inner.width()));
    paintTube(p, QRectF(inner.left(), inner.top() + 26, inner.width(), inner.height() - 26), 0);
}

} // namespace ipc
