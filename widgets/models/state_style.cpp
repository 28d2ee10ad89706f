#include "state_style.h"

#include <QCoreApplication>

namespace ipc {

StateGroup stateGroup(ProcState s) noexcept
{
    switch (s) {
    case ProcState::Empty:
    case ProcState::Starting: return StateGroup::Starting;
    case ProcState::Running: return StateGroup::Running;
    case ProcState::BlockedPut:
    case ProcState::BlockedSend: return StateGroup::BlockedSending;
    case ProcState::BlockedGet:
    case ProcState::BlockedRecv: return StateGroup::BlockedReceiving;
    case ProcState::WaitingLock: return StateGroup::WaitingLock;
    case ProcState::InCriticalSection: return StateGroup::CriticalSection;
    case ProcState::WaitingBarrier:
    case ProcState::WaitingEvent:
    case ProcState::WaitingCondition:
    case ProcState::WaitingSemaphore:
    case ProcState::WaitingJoin: return StateGroup::WaitingOther;
    case ProcState::Sleeping: return StateGroup::Sleeping;
    case ProcState::Paused: return StateGroup::Paused;
    case ProcState::WaitingStep: return StateGroup::WaitingStep;
    case ProcState::Finished: return StateGroup::Finished;
    case ProcState::Failed: return StateGroup::Failed;
    case ProcState::Killed: return StateGroup::Killed;
    case ProcState::Exited: return StateGroup::Zombie;
    case ProcState::Count_: break;
    }
    return StateGroup::Starting;
}

QColor groupColor(StateGroup g)
{
    switch (g) {
    case StateGroup::Starting: return QColor(0xd0, 0xd7, 0xde);
    case StateGroup::Running: return QColor(0x3b, 0x8e, 0xea);
    case StateGroup::BlockedSending: return QColor(0xf5, 0x7c, 0x00);
    case StateGroup::BlockedReceiving: return QColor(0xff, 0xc1, 0x07);
    case StateGroup::WaitingLock: return QColor(0xd3, 0x2f, 0x2f);
    case StateGroup::CriticalSection: return QColor(0x1a, 0x23, 0x7e);
    case StateGroup::WaitingOther: return QColor(0x8e, 0x44, 0xad);
    case StateGroup::Sleeping: return QColor(0x80, 0xcb, 0xc4);
    case StateGroup::Paused: return QColor(0x9e, 0x9e, 0x9e);
    case StateGroup::WaitingStep: return QColor(0xb3, 0xe5, 0xfc); // light blue: it will run, when told
    case StateGroup::Finished: return QColor(0x61, 0x61, 0x61);
    case StateGroup::Failed: return QColor(0x7f, 0x00, 0x00);
    case StateGroup::Killed: return QColor(0x10, 0x10, 0x10);
    case StateGroup::Zombie: return QColor(0xa6, 0x9b, 0x6e);
    case StateGroup::Count_: break;
    }
    return Qt::gray;
}

QColor groupTextColor(StateGroup g)
{
    const QColor c = groupColor(g);
    // Relative luminance decides black or white text.
    const double l = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF();
    return l > 0.5 ? Qt::black : Qt::white;
}

QString groupLabel(StateGroup g)
{
    switch (g) {
    case StateGroup::Starting: return QCoreApplication::translate("ipc", "starting");
    case StateGroup::Running: return QCoreApplication::translate("ipc", "running");
    case StateGroup::BlockedSending: return QCoreApplication::translate("ipc", "blocked on put/send");
    case StateGroup::BlockedReceiving: return QCoreApplication::translate("ipc", "blocked on get/recv");
    case StateGroup::WaitingLock: return QCoreApplication::translate("ipc", "waiting for lock");
    case StateGroup::CriticalSection: return QCoreApplication::translate("ipc", "holds lock");
    case StateGroup::WaitingOther: return QCoreApplication::translate("ipc", "waiting (barrier, event...)");
    case StateGroup::Sleeping: return QCoreApplication::translate("ipc", "sleeping");
    case StateGroup::Paused: return QCoreApplication::translate("ipc", "paused");
    case StateGroup::WaitingStep: return QCoreApplication::translate("ipc", "waiting for its step");
    case StateGroup::Finished: return QCoreApplication::translate("ipc", "finished");
    case StateGroup::Failed: return QCoreApplication::translate("ipc", "failed");
    case StateGroup::Killed: return QCoreApplication::translate("ipc", "killed");
    case StateGroup::Zombie: return QCoreApplication::translate("ipc", "zombie (not joined)");
    case StateGroup::Count_: break;
    }
    return {};
}

QString stateLabel(ProcState s)
{
    return QString::fromUtf8(procStateName(s).data(), qsizetype(procStateName(s).size()));
}

QString processStateText(const ProcessSnapshot &p)
{
    if (p.nextStep.empty()) return stateLabel(p.state);
    QString text = QCoreApplication::translate("ipc", "next: %1").arg(QString::fromStdString(p.nextStep));
    if (p.readValue) text += QCoreApplication::translate("ipc", " (copy: %1)").arg(*p.readValue);
    return text;
}

} // namespace ipc
