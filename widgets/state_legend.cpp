#include "state_legend.h"

#include "state_style.h"

namespace ipc {

StateLegend::StateLegend(QWidget *parent) : QLabel(parent)
{
    const StateGroup shown[] = {StateGroup::Running,          StateGroup::BlockedSending,
                                StateGroup::BlockedReceiving, StateGroup::WaitingLock,
                                StateGroup::CriticalSection,  StateGroup::WaitingOther,
                                StateGroup::Sleeping,         StateGroup::Paused,
                                StateGroup::Zombie,           StateGroup::Finished,
                                StateGroup::Failed,           StateGroup::Killed};
    QString html;
    for (StateGroup g : shown) {
        html += QStringLiteral("<span style=\"background-color:%1; color:%2;\">&nbsp;%3&nbsp;</span>&nbsp; ")
                    .arg(groupColor(g).name(), groupTextColor(g).name(), groupLabel(g).toHtmlEscaped());
    }
    setText(html);
    setTextFormat(Qt::RichText);
    setWordWrap(true);
    setToolTip(tr("The colours of process states in the diagram, the table and the timeline"));
}

} // namespace ipc
