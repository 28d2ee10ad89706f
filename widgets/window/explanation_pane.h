// ExplanationPane: the bottom of the window. The scenario's explanation,
// its "what do you predict?" question before the start and the answer
// after it, the equivalent Python code, and (for lessons that capture it)
// what the worker processes printed.
//
// Every text is the lesson file's template rendered for the parameters in
// force (Scenario::texts): refresh() after a parameter changes. The answer
// is rendered from the result of the run that ended, and hidden again when
// the next run starts.
#pragma once

#include "scenario.h" // LessonTexts
#include "twin_code_view.h"

#include <QFont>
#include <QJsonObject>
#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QSplitter;
class QTextBrowser;

namespace ipc {

class Scenario;
struct Snapshot;

class ExplanationPane : public QWidget {
    Q_OBJECT
public:
    explicit ExplanationPane(QWidget *parent = nullptr);

    void setScenario(Scenario *scenario);
    // A replay: the recorded run's texts as they were rendered for it, its
    // answer shown (the run has ended), whatever this window's lesson is --
    // a lecturer's own file too. nullopt: the scenario's own texts again.
    void showRecorded(std::optional<LessonTexts> texts);
    [[nodiscard]] bool showsRecorded() const noexcept { return m_recorded.has_value(); }
    // Renders the texts again for the scenario's parameters now.
    void refresh();
    // A run ended with this result: its answer appears under the question.
    void showAnswer(const QJsonObject &result);
    // A run started: the question stands alone until it ends.
    void hideAnswer();
    [[nodiscard]] bool answerShown() const noexcept { return m_reveal; }
    // After a tick: shows the lesson's challenge as reached once the run
    // reaches it (or not yet, after a restart). True when it was just reached.
    bool noteChallenge();
    // Step mode: marks in the Python twin the line each process's next step is.
    void showSteps(const Snapshot &snapshot);
    [[nodiscard]] const TwinCodeView *code() const noexcept { return m_code; }
    // What the processes printed; the console is hidden while empty.
    void setConsoleText(const QString &text);

    [[nodiscard]] QString explanationText() const;
    [[nodiscard]] QString pythonCode() const;
    [[nodiscard]] QSplitter *splitter() const noexcept { return m_split; }
    // Presentation mode: the code and the console grow with the rest of the
    // text (their fixed-pitch font is set apart from the window's), and the
    // question comes before the explanation, where a hall reads it first.
    void setPresentation(bool on, qreal textScale);

    // The built-in Python twin of a scenario ("pipe-deadlock" -> pipe_deadlock.py), or empty.
    [[nodiscard]] static QString builtinPython(const QString &scenarioName);

private:
    void render();

    QSplitter *m_split;
    QTextBrowser *m_text;
    QWidget *m_codeBox;
    TwinCodeView *m_code;
    QWidget *m_consoleBox;
    QPlainTextEdit *m_console;
    QFont m_mono;
    Scenario *m_scenario = nullptr;
    std::optional<LessonTexts> m_recorded; // a replay's
    QJsonObject m_result; // of the run whose answer is shown
    bool m_reveal = false;
    bool m_presentation = false;
    bool m_challengeReached = false; // as last rendered
};

} // namespace ipc
