#include "process_diagram.h"

#include "state_style.h"

#include <QGraphicsSimpleTextItem>
#include <QMouseEvent>

#include <algorithm>
#include <cmath>
#include <set>

namespace ipc {

namespace {

constexpr qreal kRowGap = 26;
constexpr qreal kSceneMargin = 8; // around everything drawn: the boxes carry their own air
constexpr qreal kColumnGap = 36;
constexpr qreal kSideGap = 110; // between the objects and the nearest processes (room for a link label)

QString processLabel(const ProcessSnapshot &p)
{
    return QStringLiteral("%1 %2").arg(QString::fromStdString(p.role)).arg(p.pid);
}

// The deadlock in words short enough for the back row, on one line where
// it can be: two waits in full ("A waits for B's fork 2, B waits for A's
// fork 1"); a longer cycle by what its processes do, the violet outlines
// saying which they are, with the whole sentence in the tooltip.
QString deadlockWords(const Deadlock &d)
{
    if (d.cycle.size() <= 2) return QObject::tr("Deadlock: %1.").arg(QString::fromStdString(d.text));
    const bool allLocks = std::all_of(d.cycle.begin(), d.cycle.end(),
                                      [](const Deadlock::Edge &e) { return e.edge.state == ProcState::WaitingLock; });
    return (allLocks ? QObject::tr("Deadlock: each of these %1 waits for a lock the next one holds.")
                     : QObject::tr("Deadlock: each of these %1 waits for the next one."))
        .arg(d.cycle.size());
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
    m_deadlockBanner = new QLabel(this);
    m_deadlockBanner->setWordWrap(true);
    m_deadlockBanner->setAlignment(Qt::AlignCenter);
    m_deadlockBanner->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_deadlockBanner->hide();
    setPresentation(false);
    clear();
}

void ProcessDiagram::setLinks(std::vector<Link> links, bool onlyLinkedObjects)
{
    m_links = std::move(links);
    m_onlyLinkedObjects = onlyLinkedObjects;
    m_key.clear(); // rebuild at the next snapshot
}

void ProcessDiagram::clear(const QString &message)
{
    m_scene.clear();
    m_deadlockBanner->hide();
    m_emptyMiddle = false;
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
} // namespace

bool ProcessDiagram::shown(const Snapshot &snapshot, std::size_t slot) const
{
    const bool ended = isTerminal(snapshot.processes[slot].state);
    // A lesson drawing only what it uses now (compare) shows the pair its
    // links name, not the pairs it measured before (nor one still ending).
    if (m_onlyLinkedObjects) {
        if (!m_links.empty())
            return std::any_of(m_links.begin(), m_links.end(), [&](const Link &l) { return l.slot == slot; });
        // A stage with no shared object to link (compare's pipe and shared
        // memory): the processes running it, or once all have ended the
        // last pair that ran.
        const auto &all = snapshot.processes;
        if (std::any_of(all.begin(), all.end(), [](const ProcessSnapshot &p) { return !isTerminal(p.state); }))
            return !ended;
        return slot + 2 >= all.size();
    }
    return snapshot.processes.size() <= kShownWhenFinished || !ended;
}

bool ProcessDiagram::drawn(const ObjectSnapshot &object) const
{
    if (object.internal) return false;
    if (!m_onlyLinkedObjects) return true;
    // compare: the mechanism measured now, not the five done or to come.
    return std::any_of(m_links.begin(), m_links.end(), [&](const Link &l) { return l.object == object.name; });
}

std::vector<std::uint32_t> ProcessDiagram::structureKey(const Snapshot &snapshot) const
{
    std::vector<std::uint32_t> key;
    key.push_back(std::uint32_t(snapshot.processes.size()));
    for (std::size_t s = 0; s < snapshot.processes.size(); ++s)
        if (!shown(snapshot, s)) key.push_back(0x80000000u | std::uint32_t(s));
    key.push_back(std::uint32_t(m_links.size()));
    for (const ObjectSnapshot &o : snapshot.objects) {
        if (!drawn(o)) continue;
        key.push_back(o.index);
        // A pipe's ends become known when its workers adopt them: then end
        // A is placed on the left.
        if (o.hasTraffic)
            for (std::int32_t pid : o.endPids) key.push_back(std::uint32_t(pid));
    }
    return key;
}

namespace {

// Where the boxes go: a position per object node and per process slot.
struct Arrangement {
    std::vector<QPointF> objects;   // as the objects are listed
    std::vector<QPointF> processes; // by slot; NaN: not shown
    bool ring = false;              // stages and pipes drawn compact, on a circle
    QPointF particles{std::nan(""), 0}; // where the lesson's moving points go; NaN: beside the rest
    QSizeF size;                    // of everything placed
};

// Objects in a block of `objectRows` rows in the middle, processes that put
// or send on the left and those that get or receive on the right, in
// columns of at most `rowsPerColumn` from the objects outwards.
Arrangement sides(std::size_t objectCount, const std::vector<std::uint32_t> &left,
                  const std::vector<std::uint32_t> &right, std::size_t slots, int objectRows, int rowsPerColumn)
{
    Arrangement a;
    const int n = int(objectCount);
    objectRows = n == 0 ? 0 : std::clamp(objectRows, 1, n);
    const int objectColumns = objectRows == 0 ? 0 : (n + objectRows - 1) / objectRows;
    const qreal objectsHeight = objectRows == 0 ? 0 : objectRows * ObjectNodeItem::kHeight + (objectRows - 1) * kRowGap * 2;
    const qreal objectsWidth = objectColumns == 0 ? ObjectNodeItem::kWidth
                                                  : objectColumns * ObjectNodeItem::kWidth + (objectColumns - 1) * kColumnGap;
    for (int i = 0; i < n; ++i) {
        const int row = i % objectRows;
        const int column = i / objectRows;
        a.objects.emplace_back(-objectsWidth / 2 + ObjectNodeItem::kWidth / 2 + column * (ObjectNodeItem::kWidth + kColumnGap),
                               -objectsHeight / 2 + ObjectNodeItem::kHeight / 2 + row * (ObjectNodeItem::kHeight + 2 * kRowGap));
    }
    a.processes.assign(slots, QPointF(std::nan(""), 0));
    qreal width = objectsWidth;
    qreal height = objectsHeight;
    for (const auto &[side, direction] : {std::pair{&left, -1}, std::pair{&right, +1}}) {
        if (side->empty()) continue;
        const int count = int(side->size());
        const int rows = std::min(count, rowsPerColumn);
        const int columns = (count + rowsPerColumn - 1) / rowsPerColumn;
        const qreal sideHeight = rows * ProcessNodeItem::kHeight + (rows - 1) * kRowGap;
        for (int i = 0; i < count; ++i) {
            const int column = i / rowsPerColumn;
            const int row = i % rowsPerColumn;
            a.processes[(*side)[std::size_t(i)]] =
                QPointF(direction * (objectsWidth / 2 + kSideGap + ProcessNodeItem::kWidth / 2 +
                                     column * (ProcessNodeItem::kWidth + kColumnGap)),
                        -sideHeight / 2 + ProcessNodeItem::kHeight / 2 + row * (ProcessNodeItem::kHeight + kRowGap));
        }
        width = std::max(width, objectsWidth + 2 * (kSideGap + columns * ProcessNodeItem::kWidth + (columns - 1) * kColumnGap));
        height = std::max(height, sideHeight);
    }
    a.size = QSizeF(width, height);
    return a;
}

// The ring lesson: the stages, compact, on one circle, each pipe a compact
// box on the chord between the two stages it joins; the particles they
// move beside it, over what else they share (the particles' array). The
// circle is as small as it can be with no two boxes touching: the view is
// wide and short.
Arrangement circle(const std::vector<std::uint32_t> &stages, const std::vector<std::size_t> &pipes,
                   std::size_t objectCount, std::size_t slots, bool particles, qreal stretch)
{
    Arrangement a;
    a.ring = true;
    a.objects.assign(objectCount, QPointF(std::nan(""), 0));
    a.processes.assign(slots, QPointF(std::nan(""), 0));
    const std::size_t n = stages.size();
    // (compact boxes need less air between them than the full ones)
    const QSizeF stage(ProcessNodeItem::kCompactWidth + kRowGap / 2, ProcessNodeItem::kCompactHeight + kRowGap / 2);
    const QSizeF pipe(ObjectNodeItem::kCompactWidth + kRowGap / 2, ObjectNodeItem::kCompactHeight + kRowGap / 2);
    QRectF ring;
    for (qreal radius = 80;; radius += 4) {
        std::vector<QRectF> boxes;
        auto box = [&](QPointF c, QSizeF size) {
            boxes.emplace_back(c - QPointF(size.width() / 2, size.height() / 2), size);
            return c;
        };
        // An ellipse as wide as the view is (a circle in a square view).
        auto onCircle = [&](qreal angle) { return QPointF(stretch * radius * std::cos(angle), radius * std::sin(angle)); };
        for (std::size_t i = 0; i < n; ++i) {
            const qreal angle = -M_PI / 2 + 2 * M_PI * qreal(i) / qreal(n);
            a.processes[stages[i]] = box(onCircle(angle), stage);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const qreal angle = -M_PI / 2 + 2 * M_PI * qreal(i) / qreal(n);
            const QPointF mid = (onCircle(angle) + onCircle(angle + 2 * M_PI / qreal(n))) / 2;
            a.objects[pipes[i]] = box(mid, pipe);
        }
        bool apart = true;
        for (std::size_t i = 0; i < boxes.size() && apart; ++i)
            for (std::size_t j = i + 1; j < boxes.size() && apart; ++j) apart = !boxes[i].intersects(boxes[j]);
        if (!apart && radius < 4000) continue;
        ring = QRectF();
        for (const QRectF &b : boxes) ring |= b;
        break;
    }
    // Beside the ring: the particles, and under them what else is shared.
    const qreal side = particles ? ProcessDiagram::kRingParticlesSide : 0;
    const qreal caption = particles ? ParticlesItem::kCaption + kRowGap : 0;
    qreal columnHeight = caption + side;
    for (std::size_t i = 0; i < objectCount; ++i)
        if (std::isnan(a.objects[i].x())) columnHeight += kRowGap + ObjectNodeItem::kCompactHeight;
    const qreal x = ring.right() + kColumnGap + std::max(side, ObjectNodeItem::kCompactWidth) / 2;
    qreal y = ring.center().y() - columnHeight / 2;
    if (particles) a.particles = QPointF(x, y + ParticlesItem::kCaption + side / 2);
    y += caption + side;
    for (std::size_t i = 0; i < objectCount; ++i) {
        if (!std::isnan(a.objects[i].x())) continue;
        a.objects[i] = QPointF(x, y + ObjectNodeItem::kCompactHeight / 2);
        y += ObjectNodeItem::kCompactHeight + kRowGap;
    }
    // (every box of a ring is compact, the shared array's too)
    if (columnHeight <= 0) a.size = ring.size(); // nothing beside it
    else a.size = QSizeF(ring.width() + kColumnGap + std::max(side, ObjectNodeItem::kCompactWidth), std::max(ring.height(), columnHeight));
    return a;
}

// What a link shows for its process now: blocked on it, holding the lock,
// moving items (its ops went up since the last tick), idle, or dead.
LinkItem::Activity activityOf(const LinkItem &edge, const ProcessSnapshot &p, bool holdsLock, bool moved)
{
    // A duplex end has a send and a receive line to its pipe: a blocked
    // sender blocks on the send line (it is drawn on top, with its label),
    // a blocked receiver on the receive line.
    const Link::Kind k = edge.kind();
    const bool sending = p.state == ProcState::BlockedSend || p.state == ProcState::BlockedPut;
    const bool receiving = p.state == ProcState::BlockedRecv || p.state == ProcState::BlockedGet;
    const bool otherWay = (sending && (k == Link::Kind::Receives || k == Link::Kind::Gets)) ||
                          (receiving && (k == Link::Kind::Sends || k == Link::Kind::Puts));
    if (isTerminal(p.state)) return LinkItem::Activity::Dead;
    if (isBlocking(p.state) && p.object == edge.objectIndex() && !otherWay) return LinkItem::Activity::Blocked;
    if (p.state == ProcState::InCriticalSection && (p.object == edge.objectIndex() || holdsLock))
        return LinkItem::Activity::Holding;
    if (moved && p.state != ProcState::Paused) return LinkItem::Activity::Flowing;
    return LinkItem::Activity::Idle;
}

// How large an arrangement's text comes out in a view of that size.
qreal scaleIn(QSizeF view, const Arrangement &a)
{
    return std::min(view.width() / (a.size.width() + 2 * kSceneMargin),
                    view.height() / (a.size.height() + 2 * kSceneMargin));
}

// Of the ellipses from a circle to one 3x as wide (a circle only, when
// particles orbit it), the one that shows the text largest in the view.
Arrangement bestRing(QSizeF view, const std::vector<std::uint32_t> &stages, const std::vector<std::size_t> &pipes,
                     std::size_t objectCount, std::size_t processCount, bool particles)
{
    Arrangement best;
    qreal bestScale = -1;
    const qreal widest = particles ? 1 : 3;
    for (qreal stretch = 1; stretch <= widest + 0.01; stretch += 0.25) {
        Arrangement a = circle(stages, pipes, objectCount, processCount, particles, stretch);
        if (const qreal scale = scaleIn(view, a); scale > bestScale + 1e-9) {
            bestScale = scale;
            best = std::move(a);
        }
    }
    return best;
}

// Of the ways to put the objects in rows between the two sides, and each
// side in columns, the one that shows the text largest in the view.
Arrangement bestSides(QSizeF view, std::size_t objectCount, const std::vector<std::uint32_t> &left,
                      const std::vector<std::uint32_t> &right, std::size_t processCount)
{
    Arrangement best;
    qreal bestScale = -1;
    const int most = int(std::max(left.size(), right.size()));
    for (int objectRows = 1; objectRows <= std::max<int>(1, int(objectCount)); ++objectRows)
        for (int rows = 1; rows <= std::max(1, most); ++rows) {
            Arrangement a = sides(objectCount, left, right, processCount, objectRows, rows);
            if (const qreal scale = scaleIn(view, a); scale > bestScale + 1e-9) {
                bestScale = scale;
                best = std::move(a);
            }
        }
    return best;
}

// Producers and senders left, consumers and receivers right, the rest
// shared between the sides in slot order; a manager server stands on its
// own on the left, its clients face it.
std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>
chooseSides(const Snapshot &snapshot, const std::vector<const ObjectSnapshot *> &objects,
            const std::vector<Link> &links, const std::vector<bool> &visible)
{
    const std::size_t n = visible.size();
    std::vector<int> lean(n, 0);
    for (const Link &l : links) {
        if (l.slot >= n) continue;
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
        if (!visible[s]) continue;
        if (lean[s] < 0) left.push_back(s);
        else if (lean[s] > 0) right.push_back(s);
    }
    for (std::uint32_t s = 0; s < n; ++s)
        if (lean[s] == 0 && visible[s]) (left.size() <= right.size() ? left : right).push_back(s);
    // A server facing many clients: some of them stand on its side, rather
    // than one long column shrinking everything.
    while (left.size() + 3 <= right.size()) {
        left.push_back(right.back());
        right.pop_back();
    }
    while (right.size() + 3 <= left.size()) {
        right.push_back(left.back());
        left.pop_back();
    }
    return {left, right};
}


} // namespace

bool ProcessDiagram::ringOrder(const Snapshot &snapshot, const std::vector<const ObjectSnapshot *> &objects,
                               const std::vector<Link> &links, std::vector<std::uint32_t> &stages,
                               std::vector<std::size_t> &between)
{
    // A ring: three or more processes, and as many objects each joining
    // two of them -- a pipe from its sending end to its receiving end, or
    // an object the lesson links to exactly two processes (the
    // philosophers' forks) -- so that going from object to object visits
    // every process once before coming back.
    const std::size_t n = snapshot.processes.size();
    if (n < 3) return false;
    std::vector<std::vector<std::pair<std::size_t, std::uint32_t>>> next(n); // slot -> (object, slot beyond it)
    std::size_t joining = 0;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        std::set<std::uint32_t> ends;
        if (objects[i]->hasTraffic) {
            const ProcessSnapshot *a = snapshot.processByPid(objects[i]->endPids[0]);
            const ProcessSnapshot *b = snapshot.processByPid(objects[i]->endPids[1]);
            if (!a || !b) return false;
            next[a->slot].push_back({i, b->slot}); // a pipe ring goes one way
            ends = {a->slot, b->slot};
        } else {
            for (const Link &l : links)
                if (l.object == objects[i]->name && l.slot < n) ends.insert(l.slot);
            if (ends.size() != 2) continue; // shared by all or by one: beside the ring
            const std::uint32_t a = *ends.begin(), b = *ends.rbegin();
            next[a].push_back({i, b});
            next[b].push_back({i, a});
        }
        if (ends.size() != 2) return false;
        ++joining;
    }
    if (joining != n) return false;
    stages.clear();
    between.clear();
    std::uint32_t slot = 0;
    std::size_t cameThrough = objects.size();
    for (std::size_t k = 0; k < n; ++k) {
        const auto way = std::find_if(next[slot].begin(), next[slot].end(),
                                      [&](const auto &e) { return e.first != cameThrough; });
        if (way == next[slot].end()) return false;
        stages.push_back(slot);
        between.push_back(way->first);
        cameThrough = way->first;
        slot = way->second;
    }
    return slot == 0 && std::set<std::uint32_t>(stages.begin(), stages.end()).size() == n &&
           std::set<std::size_t>(between.begin(), between.end()).size() == n;
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

    std::vector<const ObjectSnapshot *> objects;
    for (const ObjectSnapshot &o : snapshot.objects)
        if (drawn(o)) objects.push_back(&o);
    const std::size_t n = snapshot.processes.size();
    std::vector<bool> visible(n);
    for (std::size_t s = 0; s < n; ++s) visible[s] = shown(snapshot, s);

    // Of the ways to arrange them, the one that shows the text largest in
    // this view: a wide view takes more columns, a tall one longer columns.
    const QSizeF view = viewport()->size().isEmpty() ? QSizeF(800, 300) : QSizeF(viewport()->size());
    std::vector<std::uint32_t> stages;
    std::vector<std::size_t> pipes;
    Arrangement best;
    if (ringOrder(snapshot, objects, links, stages, pipes)) {
        // (the ring of pipes moves particles, drawn beside it, and stays a
        // circle like their orbits; a ring of forks has none, and its empty
        // middle holds the deadlock banner)
        const bool particles = objects[pipes.front()]->hasTraffic;
        m_emptyMiddle = !particles;
        best = bestRing(view, stages, pipes, objects.size(), n, particles);
    } else {
        const auto [left, right] = chooseSides(snapshot, objects, links, visible);
        best = bestSides(view, objects.size(), left, right, n);
    }
    m_arrangedFor = viewport()->size();

    for (std::size_t i = 0; i < objects.size(); ++i) {
        auto *node = new ObjectNodeItem(*objects[i], best.ring);
        node->setPos(best.objects[i]);
        m_scene.addItem(node);
        m_objectNodes.emplace(objects[i]->index, node);
    }
    m_particlesAt = best.particles;
    m_processNodes.assign(n, nullptr);
    for (std::uint32_t s = 0; s < n; ++s) {
        if (std::isnan(best.processes[s].x())) continue;
        auto *node = new ProcessNodeItem(s, best.ring);
        node->setPos(best.processes[s]);
        node->setBold(m_presentation);
        m_scene.addItem(node);
        m_processNodes[s] = node;
    }
    // (a ring's links are too short for a word beside their arrow)
    addLinks(snapshot, links, n <= 8 && !best.ring);

    m_lastOps.assign(n, 0);
    for (std::size_t s = 0; s < n; ++s) m_lastOps[s] = snapshot.processes[s].ops;
    m_scene.setSceneRect(m_scene.itemsBoundingRect().adjusted(-kSceneMargin, -kSceneMargin, kSceneMargin, kSceneMargin));
    fit();
    Q_EMIT arranged();
}

void ProcessDiagram::addLinks(const Snapshot &snapshot, const std::vector<Link> &links, bool labels)
{
    for (const Link &l : links) {
        if (l.slot >= m_processNodes.size() || !m_processNodes[l.slot]) continue;
        const ObjectSnapshot *o = snapshot.object(l.object);
        if (!o) continue;
        auto it = m_objectNodes.find(o->index);
        if (it == m_objectNodes.end()) continue;
        auto *edge = new LinkItem(m_processNodes[l.slot]->pos(), m_processNodes[l.slot]->size(),
                                  it->second->pos(), it->second->size(),
                                  l.kind, l.slot, o->index);
        edge->setShowLabel(labels);
        m_scene.addItem(edge);
        m_linkItems.push_back(edge);
    }
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
                // (the pid alone: a lane's line has room for two of them)
                ends[d] = p ? QString::number(p->pid) : (d == 0 ? QStringLiteral("A") : QStringLiteral("B"));
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
        const bool moved = s < m_lastOps.size() && p.ops != m_lastOps[s];
        const LinkItem::Activity a = activityOf(*edge, p, holds[s], moved);
        edge->setActivity(a, dt);
    }
    for (std::size_t s = 0; s < n && s < m_lastOps.size(); ++s) m_lastOps[s] = snapshot.processes[s].ops;
    showDeadlock(snapshot);
}

void ProcessDiagram::showDeadlock(const Snapshot &snapshot)
{
    std::set<std::uint32_t> stuck;
    std::set<std::pair<std::uint32_t, std::uint32_t>> cycleLines; // (process, object)
    if (snapshot.deadlock) {
        for (const Deadlock::Edge &e : snapshot.deadlock->cycle) {
            stuck.insert(e.edge.waiter);
            if (e.edge.object == kNoObject) continue; // a join: no line between the two
            cycleLines.insert({e.edge.waiter, e.edge.object});
            cycleLines.insert({e.edge.waitsFor, e.edge.object});
        }
    }
    for (std::size_t s = 0; s < m_processNodes.size(); ++s)
        if (ProcessNodeItem *node = m_processNodes[s]) node->setInDeadlock(stuck.count(std::uint32_t(s)) != 0);
    for (LinkItem *line : m_linkItems) line->setInCycle(cycleLines.count({line->slot(), line->objectIndex()}) != 0);
    const QString text = snapshot.deadlock ? deadlockWords(*snapshot.deadlock) : QString();
    m_deadlockBanner->setToolTip(snapshot.deadlock ? QString::fromStdString(snapshot.deadlock->text) : QString());
    if (text == m_deadlockBanner->text() && m_deadlockBanner->isVisible() == !text.isEmpty()) return;
    m_deadlockBanner->setText(text);
    m_deadlockBanner->setVisible(!text.isEmpty());
    placeDeadlockBanner();
}

void ProcessDiagram::placeDeadlockBanner()
{
    // Inside a ring, whose middle is empty; else under the picture, not
    // over it: the view gives the banner a strip of its own and fits the
    // scene above it.
    int strip = 0;
    if (m_deadlockBanner->isVisible()) {
        if (m_emptyMiddle) {
            const QRect view = viewport()->geometry();
            const int w = std::max(100, view.width() * 34 / 100); // between the sides of the ring
            const int h = m_deadlockBanner->heightForWidth(w);
            m_deadlockBanner->setGeometry(view.center().x() - w / 2, view.center().y() - h / 2, w, h);
        } else {
            const int w = std::max(100, width() - 8);
            const int h = m_deadlockBanner->heightForWidth(w);
            strip = h + 4;
            m_deadlockBanner->setGeometry(4, height() - h - 2, w, h);
        }
        m_deadlockBanner->raise();
    }
    if (viewportMargins().bottom() != strip) {
        setViewportMargins(0, 0, 0, strip);
        fit();
        m_key.clear(); // a shorter view may read larger arranged anew
        Q_EMIT heightWanted();
    }
}

void ProcessDiagram::showPoints(std::vector<Point> points)
{
    if (points.empty() && !m_particles) return;
    if (m_placeholder) return; // no run on screen
    if (!m_particles) {
        m_particles = new ParticlesItem;
        // Where the arrangement keeps them (beside the ring), or beside
        // everything else, on the right: the view is wide.
        const QRectF placed = m_scene.itemsBoundingRect();
        const bool kept = !std::isnan(m_particlesAt.x());
        m_particles->setSide(kept ? kRingParticlesSide : ParticlesItem::kSide);
        m_particles->setPos(kept ? m_particlesAt
                                 : QPointF(placed.right() + 60 + ParticlesItem::kSide / 2, placed.center().y()));
        m_scene.addItem(m_particles);
        m_scene.setSceneRect(m_scene.itemsBoundingRect().adjusted(-kSceneMargin, -kSceneMargin, kSceneMargin, kSceneMargin));
        fit();
        Q_EMIT arranged();
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
    // The banner's words as large as the boxes' state lines on a projector.
    m_deadlockBanner->setStyleSheet(
        QStringLiteral("QLabel { color: white; background: %1; border-radius: 6px; padding: 6px 10px;"
                       " font-weight: bold; font-size: %2px; }")
            .arg(deadlockColor().name())
            .arg(on ? 18 : 15));
    placeDeadlockBanner();
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

qreal ProcessDiagram::smallestTextPixels() const
{
    if (m_placeholder) return 0;
    // Every box and label draws its text at kSmallestTextPx scene pixels or more.
    static_assert(ProcessNodeItem::kSmallestTextPx >= kSmallestTextPx &&
                  ObjectNodeItem::kSmallestTextPx >= kSmallestTextPx && LinkItem::kSmallestTextPx >= kSmallestTextPx);
    return kSmallestTextPx * transform().m11();
}

namespace {
// A small run is not blown up beyond readable-and-sharp.
constexpr qreal kMaxScale = 1.4;
} // namespace

int ProcessDiagram::heightFor(int width, qreal textPixels) const
{
    const QRectF r = m_scene.sceneRect();
    if (r.isEmpty()) return 0;
    const qreal scale = std::min({kMaxScale, width / r.width(), textPixels / kSmallestTextPx});
    return int(std::ceil(r.height() * scale)) + 2 * frameWidth() + viewportMargins().bottom();
}

void ProcessDiagram::fit()
{
    const QRectF r = m_scene.sceneRect();
    if (r.isEmpty() || viewport()->width() < 10) return;
    fitInView(r, Qt::KeepAspectRatio);
    if (transform().m11() > kMaxScale) setTransform(QTransform::fromScale(kMaxScale, kMaxScale));
    centerOn(r.center());
}

void ProcessDiagram::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    // A view of another shape may want another arrangement: the next
    // snapshot rebuilds it.
    if (!m_placeholder && !m_arrangedFor.isEmpty()) {
        const QSize now = viewport()->size();
        const qreal was = qreal(m_arrangedFor.width()) / std::max(1, m_arrangedFor.height());
        const qreal is = qreal(now.width()) / std::max(1, now.height());
        if (std::abs(std::log(is / was)) > 0.15) m_key.clear();
    }
    fit();
    placeDeadlockBanner();
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
