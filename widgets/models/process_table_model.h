// ProcessTableModel: one row per process of the run (board slot order),
// fed from Snapshots. Rows are updated in place with dataChanged, inserted
// when processes are spawned and removed only when a new run has fewer;
// the model is never reset, so selections and scroll positions survive
// every tick.
//
// Threads: the GUI thread.
#pragma once

#include "snapshot.h"

#include <QAbstractTableModel>

#include <vector>

namespace ipc {

class ProcessTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { Pid = 0, Role, State, Operations, TimeBlocked, CpuTime, ExitCode, COLUMN_COUNT };
    enum DataRoles {
        SlotRole = Qt::UserRole + 1, // board slot (quint32)
        StateRole,                   // ProcState as int
        SortRole,                    // the raw number behind a cell
    };

    explicit ProcessTableModel(QObject *parent = nullptr);

    void update(const Snapshot &snapshot);
    // Drops every row (a new scenario was chosen).
    void clear();

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    // For views and tests: the row's process.
    [[nodiscard]] std::int32_t pid(int row) const;
    [[nodiscard]] ProcState state(int row) const;
    [[nodiscard]] std::uint64_t operations(int row) const;

private:
    struct Row {
        std::uint32_t slot = 0;
        std::int32_t pid = 0;
        QString role;
        ProcState state = ProcState::Empty;
        QString stateText; // processStateText()
        std::uint64_t ops = 0;
        std::uint64_t blockedNs = 0;
        std::int64_t cpuNs = -1; // last known
        std::int32_t exitStatus = 0;
    };
    // Bit per column that differs between a and b.
    static unsigned changedColumns(const Row &a, const Row &b);
    void fill(Row &row, const ProcessSnapshot &p, std::uint64_t nowNs) const;

    std::vector<Row> m_rows;
};

} // namespace ipc
