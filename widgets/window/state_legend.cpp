#include "state_legend.h"

#include <QStatusBar>

#include "snapshot.h"

namespace ipc {

namespace {

// Starting is left out: it lasts a few milliseconds.
constexpr StateGroup kGroups[] = {StateGroup::Running,          StateGroup::BlockedSending,
                                  StateGroup::BlockedReceiving, StateGroup::WaitingLock,
                                  StateGroup::CriticalSection,  StateGroup::WaitingOther,
                                  StateGroup::Sleeping,         StateGroup::Paused,
                                  StateGroup::WaitingStep,      StateGroup::Zombie,           StateGroup::Finished,
                                  StateGroup::Failed,           StateGroup::Killed};

} // namespace

StateLegend::StateLegend(QWidget *parent) : QLabel(parent)
{
    setObjectName(QStringLiteral("stateLegend"));
    setTextFormat(Qt::RichText);
    setWordWrap(true);
    setToolTip(tr("The colours of process states in the diagram, the table and the timeline"));
    render();
}

void StateLegend::setOnlyStatesSeen(bool on)
{
    if (on == m_onlySeen) return;
    m_onlySeen = on;
    render();
}

void StateLegend::note(const Snapshot &snapshot)
{
    bool added = false;
    for (const ProcessSnapshot &p : snapshot.processes) {
        bool &seen = m_seen[std::size_t(stateGroup(p.state))];
        added |= !seen;
        seen = true;
    }
    if (added && m_onlySeen) render();
}

void StateLegend::reset()
{
    m_seen = {};
    if (m_onlySeen) render();
}

QStringList StateLegend::shownLabels() const
{
    QStringList out;
    for (StateGroup g : kGroups)
        if (!m_onlySeen || m_seen[std::size_t(g)]) out << groupLabel(g);
    return out;
}

void StateLegend::render()
{
    QString html;
    for (StateGroup g : kGroups) {
        if (m_onlySeen && !m_seen[std::size_t(g)]) continue;
        html += QStringLiteral("<span style=\"background-color:%1; color:%2;\">&nbsp;%3&nbsp;</span>&nbsp; ")
                    .arg(groupColor(g).name(), groupTextColor(g).name(), groupLabel(g).toHtmlEscaped());
    }
    setText(html);
    updateVisibility();
}

void StateLegend::updateVisibility()
{
    const auto *bar = qobject_cast<const QStatusBar *>(parentWidget());
    const bool barHasMessage = bar && !bar->currentMessage().isEmpty();
    setVisible(!text().isEmpty() && !barHasMessage);
}

} // namespace ipc
