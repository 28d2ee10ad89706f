// StateLegend: what the colours of the diagram, the table and the timeline
// mean, as a row of coloured chips under the diagram.
//
// In presentation mode it names only the states this run has shown so far
// (kept once seen, so the row does not flicker): at projector text sizes the
// twelve chips took four rows from the diagram, and a student looks up the
// colours on the screen, not those of other lessons.
#pragma once

#include "state_style.h"

#include <QLabel>

namespace ipc {

struct Snapshot;

class StateLegend : public QLabel {
    Q_OBJECT
public:
    explicit StateLegend(QWidget *parent = nullptr);

    void setOnlyStatesSeen(bool on);
    // Notes the states of the run's processes now.
    void note(const Snapshot &snapshot);
    // A new run: nothing seen yet.
    void reset();
    [[nodiscard]] QStringList shownLabels() const;
    // Shown when it has chips -- except in the status bar (presentation
    // mode) while the bar shows a message: QStatusBar hides its widgets for
    // that time, and a chip that comes in must not show the legend over the
    // message. Connect the bar's messageChanged here.
    void updateVisibility();

private:
    void render();

    std::array<bool, std::size_t(StateGroup::Count_)> m_seen{};
    bool m_onlySeen = false;
};

} // namespace ipc
