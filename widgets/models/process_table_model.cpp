#include "process_table_model.h"

#include "process.h"
#include "state_style.h"

#include <QLocale>

#include <csignal>
#include <cstring>

namespace ipc {

namespace {

QString seconds(std::uint64_t ns)
{
    return QStringLiteral("%1 s").arg(double(ns) * 1e-9, 0, 'f', 2);
}

QString exitText(std::int32_t status)
{
    if (status >= 0) return QString::number(status);
    return QStringLiteral("%1 (%2)").arg(status).arg(QString::fromStdString(signalName(-status)));
}

} // namespace

ProcessTableModel::ProcessTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int ProcessTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProcessTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

std::int32_t ProcessTableModel::pid(int row) const
{
    return row >= 0 && std::size_t(row) < m_rows.size() ? m_rows[std::size_t(row)].pid : 0;
}

ProcState ProcessTableModel::state(int row) const
{
    return row >= 0 && std::size_t(row) < m_rows.size() ? m_rows[std::size_t(row)].state
                                                         : ProcState::Empty;
}

std::uint64_t ProcessTableModel::operations(int row) const
{
    return row >= 0 && std::size_t(row) < m_rows.size() ? m_rows[std::size_t(row)].ops : 0;
}

void ProcessTableModel::fill(Row &row, const ProcessSnapshot &p, std::uint64_t nowNs) const
{
    row.slot = p.slot;
    if (row.pid != p.pid || row.role.size() != qsizetype(p.role.size()))
        row.role = QString::fromStdString(p.role);
    if (row.pid != p.pid) row.cpuNs = -1; // another process in this row now
    row.pid = p.pid;
    row.state = p.state;
    row.stateText = processStateText(p);
    row.ops = p.ops;
    row.blockedNs = p.blockedNsAt(nowNs);
    if (p.cpuNs >= 0) row.cpuNs = p.cpuNs;
    row.exitStatus = p.exitStatus;
}

unsigned ProcessTableModel::changedColumns(const Row &a, const Row &b)
{
    unsigned bits = 0;
    if (a.pid != b.pid) bits |= 1u << Pid;
    if (a.role != b.role) bits |= 1u << Role;
    if (a.state != b.state) bits |= (1u << State) | (1u << ExitCode);
    if (a.stateText != b.stateText) bits |= 1u << State;
    if (a.ops != b.ops) bits |= 1u << Operations;
    // Shown with 10 ms resolution: no signal for changes nobody can see.
    if (a.blockedNs / 10'000'000 != b.blockedNs / 10'000'000) bits |= 1u << TimeBlocked;
    if (a.cpuNs / 10'000'000 != b.cpuNs / 10'000'000) bits |= 1u << CpuTime;
    if (a.exitStatus != b.exitStatus) bits |= 1u << ExitCode;
    return bits;
}

void ProcessTableModel::update(const Snapshot &snapshot)
{
    const std::size_t n = snapshot.processes.size();
    const std::size_t old = m_rows.size();
    if (n < old) {
        beginRemoveRows({}, int(n), int(old) - 1);
        m_rows.resize(n);
        endRemoveRows();
    }
    for (std::size_t i = 0; i < std::min(n, old); ++i) {
        Row next = m_rows[i];
        fill(next, snapshot.processes[i], snapshot.timeNs);
        const unsigned bits = changedColumns(m_rows[i], next);
        m_rows[i] = std::move(next);
        if (!bits) continue;
        int first = 0;
        while (!(bits & (1u << first))) ++first;
        int last = COLUMN_COUNT - 1;
        while (!(bits & (1u << last))) --last;
        Q_EMIT dataChanged(index(int(i), first), index(int(i), last));
    }
    if (n > old) {
        beginInsertRows({}, int(old), int(n) - 1);
        m_rows.resize(n);
        for (std::size_t i = old; i < n; ++i) fill(m_rows[i], snapshot.processes[i], snapshot.timeNs);
        endInsertRows();
    }
}

void ProcessTableModel::clear()
{
    if (m_rows.empty()) return;
    beginRemoveRows({}, 0, int(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

QVariant ProcessTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[std::size_t(index.row())];
    const bool terminal = isTerminal(r.state);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Pid: return r.pid;
        case Role: return r.role;
        case State: return r.stateText;
        case Operations: return QLocale().toString(qulonglong(r.ops));
        case TimeBlocked: return seconds(r.blockedNs);
        case CpuTime: return r.cpuNs >= 0 ? seconds(std::uint64_t(r.cpuNs)) : QString();
        case ExitCode: return terminal ? exitText(r.exitStatus) : QString();
        default: return {};
        }
    case SortRole:
        switch (index.column()) {
        case Pid: return r.pid;
        case Role: return r.role;
        case State: return int(r.state);
        case Operations: return qulonglong(r.ops);
        case TimeBlocked: return qulonglong(r.blockedNs);
        case CpuTime: return qlonglong(r.cpuNs);
        case ExitCode: return terminal ? QVariant(r.exitStatus) : QVariant();
        default: return {};
        }
    case SlotRole: return r.slot;
    case StateRole: return int(r.state);
    case Qt::BackgroundRole:
        if (index.column() == State) return stateColor(r.state);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == State) return stateTextColor(r.state);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Role || index.column() == State)
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return tr("Process %1 (%2, slot %3): %4").arg(r.pid).arg(r.role).arg(r.slot).arg(stateLabel(r.state));
    default: return {};
    }
}

QVariant ProcessTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= COLUMN_COUNT) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Pid: return tr("PID");
        case Role: return tr("Role");
        case State: return tr("State");
        case Operations: return tr("Operations");
        case TimeBlocked: return tr("Blocked");
        case CpuTime: return tr("CPU");
        case ExitCode: return tr("Exit");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Pid: return tr("Operating-system process id");
        case Role: return tr("What the process does in this scenario");
        case State: return tr("What it is doing right now");
        case Operations: return tr("Units of work done (increments, items, messages)");
        case TimeBlocked: return tr("Total time spent waiting on a queue, pipe, lock or barrier");
        case CpuTime: return tr("User + system CPU time, from /proc");
        case ExitCode: return tr("Exit code: 0, N, or -signal as in Python (-9 = killed)");
        default: return {};
        }
    }
    return {};
}

} // namespace ipc
