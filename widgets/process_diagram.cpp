#include "process_diagram.h"

#include <QGraphicsSimpleTextItem>
#include <QMouseEvent>

#include <algorithm>
#include <cmath>

namespace ipc {

namespace {

constexpr qreal kRowGap = 26;
constexpr qreal kColumnGap = 36;
constexpr qreal kSideGap = 190; // between the objects and the nearest processes
constexpr int kRowsPerColumn = 6;

QString processLabel(const ProcessSnapshot &p)
{
    return QStringLiteral("%1 %2").arg(QString::fromStdString(p.role)).arg(p.pid);
}

} // namespace

ProcessDiagram::ProcessDiagram(QWidget *parent) : QGraphicsView(parent)
{
    setScene(&m_scene);
    setRenderHint(QPainter::Antialiasing);
    setRenderHint(QPainter::TextAntialiasing);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setViewportUpdateMode(QGraphicsView::BoundingRectViewportUpdate);
    setBackgroundBrush(Qt::white);
    setFrameShape(QFrame::NoFrame);
    setToolTip(tr("Every box is a real process; click one to choose it for Kill."));
    clear();
}

void ProcessDiagram::setLinks(std::vector<Link> links)
{
    m_links = std::move(links);
    m_key.clear(); // rebuild at the next snapshot
}

void ProcessDiagram::clear(const QString &message)
{
    m_scene.clear();
    m_particles = nullptr;
    m_processNodes.clear();
    m_objectNodes.clear();
    m_linkItems.clear();
    m_lastOps.clear();
    m_traffic.clear();
    m_key.clear();
    m_lastNs = 0;
    m_selected = -1;
    m_placeholder = m_scene.addSimpleText(
        message.isEmpty() ? tr("Choose a scenario on the left and press Start (F5).") : message);
    QFont f;
    f.setPixelSize(26);
    m_placeholder->setFont(f);
    m_placeholder->setBrush(QColor(0x61, 0x61, 0x61));
    m_scene.setSceneRect(m_placeholder->boundingRect().adjusted(-40, -40, 40, 40));
    fit();
}

namespace {
// A run of more processes than this (compare starts a pair per mechanism
// and repetition) shows only those still alive; the table keeps them all.
constexpr std::size_t kShownWhenFinished = 12;

bool shown(const Snapshot &snapshot, std::size_t slot)
{
    return snapshot.processes.size() <= kShownWhenFinished || !isTerminal(snapshot.processes[slot].state);
}
} // namespace

std::vector<std::uint32_t> ProcessDiagram::structureKey(const Snapshot &snapshot) const
{
    std::vector<std::uint32_t> key;
    key.push_back(std::uint32_t(snapshot.processes.size()));
    for (std::size_t s = 0; s < snapshot.processes.size(); ++s)
        if (!shown(snapshot, s)) key.push_back(0x80000000u | std::uint32_t(s));
    key.push_back(std::uint32_t(m_links.size()));
    for (const ObjectSnapshot &o : snapshot.objects) {
        if (o.internal) continue;
        key.push_back(o.index);
        // A pipe's ends become known when its workers adopt them: then end
        // A is placed on the left.
        if (o.hasTraffic)
            for (std::int32_t pid : o.endPids) key.push_back(std::uint32_t(pid));
    }
    return key;
}

void ProcessDiagram::rebuild(const Snapshot &snapshot)
{
    const std::vector<Link> links = m_links;
    const int selected = m_selected;
    clear();
    m_selected = selected;
    m_scene.removeItem(m_placeholder);
    delete m_placeholder;
    m_placeholder = nullptr;
    m_key = structureKey(snapshot);

    // Objects in the middle: a column of up to three; more (the ring's
    // pipes) fill two rows, column by column, because the view is much
    // wider than tall and a tall column would shrink every node.
    std::vector<const ObjectSnapshot *> objects;
    for (const ObjectSnapshot &o : snapshot.objects)
        if (!o.internal) objects.push_back(&o);
    const int objectRows = objects.size() <= 3 ? int(objects.size()) : 2;
    const int objectColumns = objectRows == 0 ? 0 : (int(objects.size()) + objectRows - 1) / objectRows;
    const qreal objectsHeight = objectRows == 0 ? 0
                                                : objectRows * ObjectNodeItem::kHeight +
                                                      (objectRows - 1) * kRowGap * 2;
    const qreal objectsWidth = objectColumns == 0 ? ObjectNodeItem::kWidth
                                                  : objectColumns * ObjectNodeItem::kWidth +
                                                        (objectColumns - 1) * kColumnGap;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const int row = int(i) % objectRows;
        const int column = int(i) / objectRows;
        auto *node = new ObjectNodeItem(*objects[i]);
        node->setPos(-objectsWidth / 2 + ObjectNodeItem::kWidth / 2 + column * (ObjectNodeItem::kWidth + kColumnGap),
                     -objectsHeight / 2 + ObjectNodeItem::kHeight / 2 +
                         row * (ObjectNodeItem::kHeight + 2 * kRowGap));
        m_scene.addItem(node);
        m_objectNodes.emplace(objects[i]->index, node);
    }

    // Processes: producers/senders left, consumers/receivers right, the
    // rest shared between the sides in slot order.
    const std::size_t n = snapshot.processes.size();
    std::vector<int> lean(n, 0);
    for (const Link &l : links) {
        if (l.slot >= n) continue;
        // A manager server stands on its own on the left, its clients face it.
        if (l.kind == Link::Kind::Puts || l.kind == Link::Kind::Sends || l.kind == Link::Kind::Serves)
            --lean[l.slot];
        if (l.kind == Link::Kind::Gets || l.kind == Link::Kind::Receives || l.kind == Link::Kind::Requests)
            ++lean[l.slot];
    }
    for (const ObjectSnapshot *o : objects) {
        if (!o->hasTraffic) continue;
        for (int d = 0; d < 2; ++d)
            if (const ProcessSnapshot *p = snapshot.processByPid(o->endPids[std::size_t(d)]); p && p->slot < n)
                lean[p->slot] += d == 0 ? -10 : 10;
    }
    std::vector<std::uint32_t> left, right;
    for (std::uint32_t s = 0; s < n; ++s) {
        if (!shown(snapshot, s)) continue;
        if (lean[s] < 0) left.push_back(s);
        else if (lean[s] > 0) right.push_back(s);
    }
    for (std::uint32_t s = 0; s < n; ++s)
        if (lean[s] == 0 && shown(snapshot, s)) (left.size() <= right.size() ? left : right).push_back(s);

    m_processNodes.assign(n, nullptr);
    auto place = [&](const std::vector<std::uint32_t> &side, int direction) {
        const int columns = std::max(1, int((side.size() + kRowsPerColumn - 1) / kRowsPerColumn));
        const int rows = std::min<int>(int(side.size()), kRowsPerColumn);
        const qreal height = rows * ProcessNodeItem::kHeight + (rows - 1) * kRowGap;
        for (std::size_t i = 0; i < side.size(); ++i) {
            const int column = int(i) / kRowsPerColumn;
            const int row = int(i) % kRowsPerColumn;
            // Columns fill from the objects outwards.
            const qreal x = direction * (objectsWidth / 2 + kSideGap + ProcessNodeItem::kWidth / 2 +
                                         column * (ProcessNodeItem::kWidth + kColumnGap));
            const qreal y = -height / 2 + ProcessNodeItem::kHeight / 2 + row * (ProcessNodeItem::kHeight + kRowGap);
            auto *node = new ProcessNodeItem(side[i]);
            node->setPos(x, y);
            node->setBold(m_presentation);
            m_scene.addItem(node);
            m_processNodes[side[i]] = node;
        }
        Q_UNUSED(columns);
    };
    place(left, -1);
    place(right, +1);

    // Links.
    const bool labels = n <= 8;
    for (const Link &l : links) {
        if (l.slot >= n || !m_processNodes[l.slot]) continue;
        const ObjectSnapshot *o = snapshot.object(l.object);
        if (!o) continue;
        auto it = m_objectNodes.find(o->index);
        if (it == m_objectNodes.end()) continue;
        auto *edge = new LinkItem(m_processNodes[l.slot]->pos(),
                                  QSizeF(ProcessNodeItem::kWidth, ProcessNodeItem::kHeight),
                                  it->second->pos(), QSizeF(ObjectNodeItem::kWidth, ObjectNodeItem::kHeight),
                                  l.kind, l.slot, o->index);
        edge->setShowLabel(labels);
        m_scene.addItem(edge);
        m_linkItems.push_back(edge);
    }

    m_lastOps.assign(n, 0);
    for (std::size_t s = 0; s < n; ++s) m_lastOps[s] = snapshot.processes[s].ops;
    m_scene.setSceneRect(m_scene.itemsBoundingRect().adjusted(-20, -20, 20, 20));
    fit();
}

void ProcessDiagram::showSnapshot(const Snapshot &snapshot)
{
    if (!snapshot.hasRun) {
        if (!m_placeholder) clear();
        return;
    }
    if (structureKey(snapshot) != m_key) rebuild(snapshot);
    const double dt = m_lastNs && snapshot.timeNs > m_lastNs ? double(snapshot.timeNs - m_lastNs) * 1e-9 : 0.0;
    m_lastNs = snapshot.timeNs;

    const std::size_t n = std::min(snapshot.processes.size(), m_processNodes.size());
    std::vector<bool> holds(n, false);
    for (auto &[index, node] : m_objectNodes) {
        const ObjectSnapshot *o = snapshot.object(index);
        if (!o) continue;
        QString holder;
        if (o->hasLock && o->holderPid != 0) {
            if (const ProcessSnapshot *p = snapshot.processByPid(o->holderPid)) {
                holder = processLabel(*p);
                if (p->slot < n) holds[p->slot] = true;
            } else {
                holder = QStringLiteral("pid %1").arg(o->holderPid);
            }
        }
        if (o->hasTraffic) {
            QString ends[2];
            for (std::size_t d = 0; d < 2; ++d) {
                const ProcessSnapshot *p = snapshot.processByPid(o->endPids[d]);
                ends[d] = p ? processLabel(*p) : (d == 0 ? QStringLiteral("A") : QStringLiteral("B"));
            }
            node->setPipeEnds(ends[0], ends[1]);
        }
        Traffic &t = m_traffic[index];
        if (o->hasTraffic && dt > 0) {
            const double alpha = std::min(1.0, dt / 0.5); // about half a second of smoothing
            for (std::size_t d = 0; d < 2; ++d) {
                const double m = double(o->messages[d] - std::min(o->messages[d], t.messages[d])) / dt;
                const double b = double(o->bytes[d] - std::min(o->bytes[d], t.bytes[d])) / dt;
                t.messageRate[d] += alpha * (m - t.messageRate[d]);
                t.byteRate[d] += alpha * (b - t.byteRate[d]);
                if (t.messageRate[d] < 0.01) t.messageRate[d] = 0;
            }
        }
        t.messages = o->messages;
        t.bytes = o->bytes;
        node->setObject(*o, holder, t.messageRate, t.byteRate, dt);
    }

    for (std::size_t s = 0; s < n; ++s) {
        ProcessNodeItem *node = m_processNodes[s];
        if (!node) continue;
        node->setProcess(snapshot.processes[s]);
        node->setHighlighted(int(s) == m_selected);
        node->setHoldsLock(holds[s]);
    }

    for (LinkItem *edge : m_linkItems) {
        const std::uint32_t s = edge->slot();
        if (s >= n) continue;
        const ProcessSnapshot &p = snapshot.processes[s];
        LinkItem::Activity a = LinkItem::Activity::Idle;
        // A duplex end has a send and a receive line to its pipe: a blocked
        // sender blocks on the send line (it is drawn on top, with its
        // label), a blocked receiver on the receive line.
        const Link::Kind k = edge->kind();
        const bool sending = p.state == ProcState::BlockedSend || p.state == ProcState::BlockedPut;
        const bool receiving = p.state == ProcState::BlockedRecv || p.state == ProcState::BlockedGet;
        const bool otherWay = (sending && (k == Link::Kind::Receives || k == Link::Kind::Gets)) ||
                              (receiving && (k == Link::Kind::Sends || k == Link::Kind::Puts));
        if (isTerminal(p.state)) a = LinkItem::Activity::Dead;
        else if (isBlocking(p.state) && p.object == edge->objectIndex() && !otherWay) a = LinkItem::Activity::Blocked;
        else if (p.state == ProcState::InCriticalSection && (p.object == edge->objectIndex() || holds[s]))
            a = LinkItem::Activity::Holding;
        else if (s < m_lastOps.size() && p.ops != m_lastOps[s] && p.state != ProcState::Paused)
            a = LinkItem::Activity::Flowing;
        edge->setActivity(a, dt);
    }
    for (std::size_t s = 0; s < n && s < m_lastOps.size(); ++s) m_lastOps[s] = snapshot.processes[s].ops;
}

void ProcessDiagram::showPoints(std::vector<Point> points)
{
    if (points.empty() && !m_particles) return;
    if (m_placeholder) return; // no run on screen
    if (!m_particles) {
        m_particles = new ParticlesItem;
        // Beside everything else, on the right: the view is wide.
        const QRectF placed = m_scene.itemsBoundingRect();
        m_particles->setPos(placed.right() + 60 + ParticlesItem::kSide / 2, placed.center().y());
        m_scene.addItem(m_particles);
        m_scene.setSceneRect(m_scene.itemsBoundingRect().adjusted(-20, -20, 20, 20));
        fit();
    }
    m_particles->setPoints(std::move(points));
}

void ProcessDiagram::setSelectedSlot(int slot)
{
    m_selected = slot;
    for (ProcessNodeItem *node : m_processNodes)
        if (node) node->setHighlighted(int(node->slot()) == slot);
}

void ProcessDiagram::setPresentation(bool on)
{
    m_presentation = on;
    for (ProcessNodeItem *node : m_processNodes)
        if (node) node->setBold(on);
}

ProcessNodeItem *ProcessDiagram::processNode(std::uint32_t slot) const
{
    return slot < m_processNodes.size() ? m_processNodes[slot] : nullptr;
}

ObjectNodeItem *ProcessDiagram::objectNode(const QString &name) const
{
    for (const auto &[index, node] : m_objectNodes)
        if (node->name() == name) return node;
    return nullptr;
}

void ProcessDiagram::fit()
{
    const QRectF r = m_scene.sceneRect();
    if (r.isEmpty() || viewport()->width() < 10) return;
    fitInView(r, Qt::KeepAspectRatio);
    // A small run should not be blown up beyond readable-and-sharp.
    const qreal s = transform().m11();
    if (s > 1.4) setTransform(QTransform::fromScale(1.4, 1.4));
    centerOn(r.center());
}

void ProcessDiagram::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    fit();
}

void ProcessDiagram::mouseDoubleClickEvent(QMouseEvent *event)
{
    Q_EMIT enlargeRequested();
    event->accept();
}

void ProcessDiagram::mousePressEvent(QMouseEvent *event)
{
    for (QGraphicsItem *item : items(event->pos())) {
        if (auto *node = dynamic_cast<ProcessNodeItem *>(item)) {
            setSelectedSlot(int(node->slot()));
            Q_EMIT processClicked(node->slot());
            return;
        }
    }
    QGraphicsView::mousePressEvent(event);
}

} // namespace ipc
