#include "explanation_pane.h"

#include "scenario.h"
#include "snapshot.h"

#include <QFile>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace ipc {

namespace {

QWidget *titled(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *v = new QVBoxLayout(box);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(2);
    auto *label = new QLabel(QStringLiteral("<b>%1</b>").arg(title), box);
    v->addWidget(label);
    v->addWidget(content, 1);
    return box;
}

} // namespace

ExplanationPane::ExplanationPane(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->setObjectName(QStringLiteral("explanationSplit"));
    layout->addWidget(m_split);

    m_text = new QTextBrowser(m_split);
    m_text->setObjectName(QStringLiteral("explanation"));
    m_text->setOpenExternalLinks(false);
    m_split->addWidget(m_text);

    m_mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QFont &mono = m_mono;
    m_code = new TwinCodeView(this);
    m_code->setObjectName(QStringLiteral("pythonCode"));
    m_code->setReadOnly(true);
    m_code->setFont(mono);
    m_code->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_codeBox = titled(tr("The same in Python (multiprocessing)"), m_code, m_split);
    m_split->addWidget(m_codeBox);

    m_console = new QPlainTextEdit(this);
    m_console->setObjectName(QStringLiteral("console"));
    m_console->setReadOnly(true);
    m_console->setFont(mono);
    m_consoleBox = titled(tr("What the processes printed"), m_console, m_split);
    m_split->addWidget(m_consoleBox);
    m_consoleBox->hide();
    m_split->setStretchFactor(0, 2);
    m_split->setStretchFactor(1, 3);
    m_split->setStretchFactor(2, 2);
    render();
}

void ExplanationPane::setPresentation(bool on, qreal scale)
{
    m_presentation = on;
    QFont mono = m_mono;
    mono.setPointSizeF(m_mono.pointSizeF() * scale);
    m_code->setFont(mono);
    m_console->setFont(mono);
    render();
}

QString ExplanationPane::builtinPython(const QString &scenarioName)
{
    QString file = scenarioName;
    file.replace(QLatin1Char('-'), QLatin1Char('_'));
    QFile f(QStringLiteral(":/python/%1.py").arg(file));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll());
}

void ExplanationPane::setScenario(Scenario *scenario)
{
    m_scenario = scenario;
    m_recorded.reset();
    m_result = {};
    m_reveal = false;
    setConsoleText({});
    refresh();
}

void ExplanationPane::showRecorded(std::optional<LessonTexts> texts)
{
    m_recorded = std::move(texts);
    refresh();
}

void ExplanationPane::refresh()
{
    QString code;
    if (m_recorded) {
        code = QString::fromStdString(m_recorded->python);
    } else if (m_scenario) {
        code = QString::fromStdString(m_scenario->texts().python);
        if (code.isEmpty()) code = builtinPython(QString::fromStdString(m_scenario->lesson().name));
    }
    if (code != m_code->toPlainText()) {
        m_code->setPlainText(code);
        m_code->setMarks({}); // they were lines of the text before
    }
    m_codeBox->setVisible(!code.isEmpty());
    render();
}

void ExplanationPane::showAnswer(const QJsonObject &result)
{
    m_result = result;
    m_reveal = true;
    render();
}

void ExplanationPane::hideAnswer()
{
    if (!m_reveal) return;
    m_reveal = false;
    m_result = {};
    render();
}

void ExplanationPane::setConsoleText(const QString &text)
{
    if (text == m_console->toPlainText()) return;
    m_console->setPlainText(text);
    m_console->verticalScrollBar()->setValue(m_console->verticalScrollBar()->maximum());
    m_consoleBox->setVisible(!text.isEmpty());
}

void ExplanationPane::render()
{
    if (!m_scenario && !m_recorded) {
        m_text->setHtml(tr("<p>Choose a scenario in the list on the left. Each one starts real "
                           "operating-system processes and shows what happens between them.</p>"));
        return;
    }
    const bool reveal = m_reveal || m_recorded;
    const LessonTexts t = m_recorded ? *m_recorded : m_scenario->texts(m_reveal ? &m_result : nullptr);
    auto html = [](const std::string &s) { return QString::fromStdString(s).toHtmlEscaped(); };
    QString ask;
    if (!t.question.empty()) {
        if (!reveal)
            ask = QStringLiteral("<p><b>%1</b> %2</p>").arg(tr("What do you predict?"), html(t.question));
        else
            ask = QStringLiteral("<p><b>%1</b> %2</p><p><b>%3</b> %4</p>")
                      .arg(tr("Question:"), html(t.question), tr("Answer:"), html(t.answer));
    }
    const QString about = QStringLiteral("<p>%1</p>").arg(html(t.explanation));
    QString goal;
    m_challengeReached = false;
    if (const auto c = m_recorded ? std::nullopt : m_scenario->challenge()) {
        m_challengeReached = c->reached;
        const QString done = !c->reached      ? QString()
                             : c->steps == 0 ? tr("Reached!")
                             : c->steps == 1 ? tr("Reached, in 1 step!")
                                             : tr("Reached, in %1 steps!").arg(c->steps);
        goal = QStringLiteral("<p><b>%1</b> %2%3</p>")
                   .arg(tr("Challenge:"), html(c->text),
                        done.isEmpty() ? QString()
                                       : QStringLiteral(" <b style=\"color:#2e7d32\">%1</b>").arg(done.toHtmlEscaped()));
    }
    const QString page = QStringLiteral("<h3>%1</h3>").arg(html(t.title)) +
                         (m_presentation ? ask + goal + about : about + ask + goal);
    m_text->setHtml(page);
}

void ExplanationPane::showSteps(const Snapshot &snapshot)
{
    std::map<int, QList<int>> marks;
    if (m_scenario && m_scenario->stepMode())
        for (const ProcessSnapshot &p : snapshot.processes)
            if (!p.nextStep.empty())
                if (const int line = m_scenario->twinLine(p.nextStep); line >= 0) marks[line].append(p.pid);
    m_code->setMarks(std::move(marks));
}

bool ExplanationPane::noteChallenge()
{
    if (!m_scenario || m_recorded) return false;
    const auto c = m_scenario->challenge();
    if (!c || c->reached == m_challengeReached) return false;
    render();
    return c->reached;
}

QString ExplanationPane::explanationText() const { return m_text->toPlainText(); }

QString ExplanationPane::pythonCode() const { return m_code->toPlainText(); }

} // namespace ipc
