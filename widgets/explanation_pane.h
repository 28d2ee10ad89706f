// ExplanationPane: the bottom of the window. The scenario's explanation,
// its "what do you predict?" question before the start and the answer
// after it, the equivalent Python code, and (for lessons that capture it)
// what the worker processes printed.
//
// Texts come from the scenario's lesson (its scenario file when it has
// one); the Python code from the file's "python" entry, else the built-in
// :/python/NAME.py.
#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QSplitter;
class QTextBrowser;

namespace ipc {

class Scenario;

class ExplanationPane : public QWidget {
    Q_OBJECT
public:
    explicit ExplanationPane(QWidget *parent = nullptr);

    void setScenario(Scenario *scenario);
    // Before the first start the question is shown; once a run began, its answer.
    void setRevealAnswer(bool reveal);
    // What the processes printed; the console is hidden while empty.
    void setConsoleText(const QString &text);

    [[nodiscard]] QString explanationText() const;
    [[nodiscard]] QString pythonCode() const;
    [[nodiscard]] QSplitter *splitter() const noexcept { return m_split; }

    // The built-in Python twin of a scenario ("pipe-deadlock" -> pipe_deadlock.py), or empty.
    [[nodiscard]] static QString builtinPython(const QString &scenarioName);

private:
    void render();

    QSplitter *m_split;
    QTextBrowser *m_text;
    QWidget *m_codeBox;
    QPlainTextEdit *m_code;
    QWidget *m_consoleBox;
    QPlainTextEdit *m_console;
    QString m_title, m_summary, m_question, m_answer;
    bool m_reveal = false;
};

} // namespace ipc
