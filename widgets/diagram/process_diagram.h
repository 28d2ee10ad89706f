// ProcessDiagram: the live picture of a run. One node per real process
// (role, pid, state in colour), the shared objects between them (a value
// with its number and lock holder, a queue with its fill level, a pipe
// with its traffic), and a line for each Scenario::links() entry that says
// what is happening on it now (flowing, blocked, holding the lock).
//
// Layout: shared objects in a column in the middle; processes that put or
// send on the left, those that get or receive on the right, the others
// shared between the sides; the scene is scaled to fit the view. The
// structure is rebuilt only when the run's processes, objects or links
// change; every tick otherwise only repaints items whose content changed.
//
// Clicking a process emits processClicked(slot) (the window then offers it
// to Kill).
#pragma once

#include "link_item.h"
#include "object_node_item.h"
#include "particles_item.h"
#include "process_node_item.h"
#include "snapshot.h"

#include <QGraphicsView>
#include <QLabel>

#include <cmath>
#include <map>
#include <vector>

namespace ipc {

class ProcessDiagram : public QGraphicsView {
    Q_OBJECT
public:
    explicit ProcessDiagram(QWidget *parent = nullptr);

    // The current run's links (Scenario::links()); empty before a start.
    // onlyLinkedObjects: objects no link names are not drawn
    // (Scenario::drawsOnlyLinkedObjects).
    void setLinks(std::vector<Link> links, bool onlyLinkedObjects = false);
    [[nodiscard]] const std::vector<Link> &links() const noexcept { return m_links; }
    void showSnapshot(const Snapshot &snapshot);
    // What the lesson draws moving (Scenario::points()); none: no panel.
    void showPoints(std::vector<Point> points);
    // Back to the placeholder ("choose a scenario...").
    void clear(const QString &message = {});
    void setSelectedSlot(int slot);
    [[nodiscard]] int selectedSlot() const noexcept { return m_selected; }
    void setPresentation(bool on);
    // The height on screen, in pixels, of the smallest text the diagram
    // draws now (0 before a run): what the back row must still read.
    [[nodiscard]] qreal smallestTextPixels() const;
    static constexpr int kSmallestTextPx = 20; // in scene pixels, before the view's scale
    static constexpr qreal kRingParticlesSide = 180; // the particles' square beside a ring

    [[nodiscard]] ProcessNodeItem *processNode(std::uint32_t slot) const;
    [[nodiscard]] ObjectNodeItem *objectNode(const QString &name) const;
    [[nodiscard]] const std::vector<LinkItem *> &linkItems() const noexcept { return m_linkItems; }
    // The words over the picture while a deadlock stands ("Deadlock: A
    // waits for B's fork 2, ..."); empty otherwise.
    [[nodiscard]] QString deadlockText() const { return m_deadlockBanner->isVisible() ? m_deadlockBanner->text() : QString(); }

    // The height this view needs at `width` to show the whole picture with
    // its smallest text `textPixels` high, or as large as that width allows
    // if less (more would only add white above and below).
    [[nodiscard]] int heightFor(int width, qreal textPixels) const;

Q_SIGNALS:
    void processClicked(std::uint32_t slot);
    // The boxes were placed anew (a run started, a process came or went).
    void arranged();
    // What it needs to show the picture changed (the deadlock banner came
    // or went): the window may give it another height.
    void heightWanted();
    // Double-clicked: show the diagram alone, filling the middle.
    void enlargeRequested();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    struct Traffic {
        double t = 0;
        std::array<std::uint64_t, 2> messages{};
        std::array<std::uint64_t, 2> bytes{};
        std::array<double, 2> messageRate{};
        std::array<double, 2> byteRate{};
    };

    void rebuild(const Snapshot &snapshot);
    // Whether an object gets a box: not engine plumbing, and when only
    // linked objects are drawn, named by a link now.
    [[nodiscard]] bool drawn(const ObjectSnapshot &object) const;
    // Whether a process gets a box: a run of more than a dozen shows those
    // still alive; the table keeps them all.
    [[nodiscard]] bool shown(const Snapshot &snapshot, std::size_t slot) const;
    // Draws each link between its process's box and its object's.
    void addLinks(const Snapshot &snapshot, const std::vector<Link> &links, bool labels);
    // The processes in ring order, and the object after each (a pipe of
    // the ring lesson, a fork of the philosophers); false if they do not
    // form one ring through all the processes.
    static bool ringOrder(const Snapshot &snapshot, const std::vector<const ObjectSnapshot *> &objects,
                          const std::vector<Link> &links, std::vector<std::uint32_t> &stages,
                          std::vector<std::size_t> &between);
    void fit();
    // Outlines the deadlock's processes, colours its cycle's lines and
    // names it in words over the picture (or clears all that).
    void showDeadlock(const Snapshot &snapshot);
    void placeDeadlockBanner();
    [[nodiscard]] std::vector<std::uint32_t> structureKey(const Snapshot &snapshot) const;

    QGraphicsScene m_scene;
    std::vector<Link> m_links;
    bool m_onlyLinkedObjects = false;
    std::vector<std::uint32_t> m_key;
    std::vector<ProcessNodeItem *> m_processNodes; // by slot
    std::map<std::uint32_t, ObjectNodeItem *> m_objectNodes; // by directory index
    std::vector<LinkItem *> m_linkItems;
    std::vector<std::uint64_t> m_lastOps; // by slot, for "flowing"
    std::map<std::uint32_t, Traffic> m_traffic;
    QGraphicsSimpleTextItem *m_placeholder = nullptr;
    QLabel *m_deadlockBanner = nullptr;
    bool m_emptyMiddle = false; // a ring with nothing inside: the banner goes there
    ParticlesItem *m_particles = nullptr;
    std::uint64_t m_lastNs = 0;
    int m_selected = -1;
    bool m_presentation = false;
    QSize m_arrangedFor;                      // the viewport the layout was chosen for
    QPointF m_particlesAt{std::nan(""), 0};   // where the arrangement puts the particles (NaN: beside)
};

} // namespace ipc
