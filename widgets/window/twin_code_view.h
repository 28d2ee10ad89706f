// TwinCodeView: the Python twin's code, read-only, with the lines the
// processes are about to run marked in step mode: each such line gets the
// step colour across the pane and, at its right end, the pids of the
// processes whose next step it is ("<- 9854 9855"). The first marked line
// is scrolled into the middle of the pane.
#pragma once

#include <QPlainTextEdit>

#include <map>

namespace ipc {

class TwinCodeView : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit TwinCodeView(QWidget *parent = nullptr);

    // Line (0-based) -> the pids whose next step it is. Empty: no marks.
    void setMarks(std::map<int, QList<int>> marks);
    [[nodiscard]] const std::map<int, QList<int>> &marks() const noexcept { return m_marks; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::map<int, QList<int>> m_marks;
};

} // namespace ipc
