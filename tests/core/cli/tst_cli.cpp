// The headless command line, as a user runs it: the real ipc-playground
// executable ($IPC_PLAYGROUND, set by CTest) in a QProcess, with its own
// real counter processes. Every run has a timeout; a crash is a failure.
#include "cli.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <map>

#include <QDir>

#include <csignal>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

constexpr int kTimeoutMs = 120'000;

using Outcome = ipc::test::CliOutcome;
using ipc::test::describe;
using ipc::test::runCli;

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void listNamesRaceFirstOnItsLine();
    void versionAndHelpNeedNoWindow();
    void windowOptionsAreCheckedBeforeItOpens();
    void runLockedIsExactJson();
    void runUnlockedLosesUpdates();
    void runHumanReadable();
    void badArguments_data();
    void runWithoutALessonListsThem();
    void badArguments();
    void crashingWorkerFailsTheRun_data();
    void crashingWorkerFailsTheRun();
    void explainRendersForTheParameters();
    void earlyStopEndsClientsFirst();
    void helpTellsACommandAndALesson();
    void bashCompletesWhatParses();
    void nextRunRemovesWhatAKilledRunLeft();
    void runWritesTheTraceForPerfetto();
};

void TestCli::crashingWorkerFailsTheRun_data()
{
    QTest::addColumn<int>("signal");
    QTest::addColumn<QString>("name");
    QTest::newRow("SIGSEGV") << SIGSEGV << QStringLiteral("SIGSEGV");
    QTest::newRow("SIGABRT") << SIGABRT << QStringLiteral("SIGABRT");
}

// A worker that dies of a signal nobody sent through the run (here: from
// outside, as a crash would) is named in the result and fails the run.
void TestCli::crashingWorkerFailsTheRun()
{
    QFETCH(int, signal);
    QFETCH(QString, name);
    QProcess p;
    p.start(QString::fromLocal8Bit(qgetenv("IPC_PLAYGROUND")),
            {QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--processes"), QStringLiteral("2"),
             QStringLiteral("--pace"), QStringLiteral("100"), QStringLiteral("--seconds"), QStringLiteral("4"),
             QStringLiteral("--json")});
    QVERIFY(p.waitForStarted(kTimeoutMs));
    // Its workers are its children: /proc/PID/task/PID/children.
    std::vector<pid_t> workers;
    QVERIFY(waitFor([&] {
        QFile f(QStringLiteral("/proc/%1/task/%1/children").arg(p.processId()));
        if (!f.open(QIODevice::ReadOnly)) return false;
        workers.clear();
        for (const QByteArray &w : f.readAll().split(' '))
            if (w.trimmed().toInt() > 0) workers.push_back(w.trimmed().toInt());
        return workers.size() == 2;
    }, 10000));
    QCOMPARE(::kill(workers[0], signal), 0);
    QVERIFY(p.waitForFinished(kTimeoutMs));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 1);
    const QJsonObject r = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QVERIFY(r.value(QStringLiteral("failed")).toBool());
    const QJsonArray abnormal = r.value(QStringLiteral("abnormal_exits")).toArray();
    QCOMPARE(abnormal.size(), 1);
    const QJsonObject dead = abnormal.first().toObject();
    QCOMPARE(dead.value(QStringLiteral("pid")).toInt(), int(workers[0]));
    QCOMPARE(dead.value(QStringLiteral("role")).toString(), QStringLiteral("counter"));
    const int code = dead.value(QStringLiteral("exit_code")).toInt();
    QVERIFY2(diedOf(code, signal), qPrintable(QString::number(code)));
    const QString died = dead.value(QStringLiteral("signal")).toString();
    QCOMPARE(died, code == -signal ? name : QStringLiteral("SIGABRT"));
    QCOMPARE(dead.value(QStringLiteral("killed_by")).toString(), QStringLiteral("nobody"));
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains(died.toLatin1()) && err.contains(QByteArray::number(workers[0])), err.constData());
}

void TestCli::explainRendersForTheParameters()
{
    const Outcome o = runCli({QStringLiteral("explain"), QStringLiteral("race"), QStringLiteral("--processes"),
                              QStringLiteral("3"), QStringLiteral("--increments"), QStringLiteral("777"),
                              QStringLiteral("--json")});
    QVERIFY2(o.finished && o.code == 0, qPrintable(describe(o)));
    const QJsonObject t = QJsonDocument::fromJson(o.out).object();
    QVERIFY(t.value(QStringLiteral("explanation")).toString().contains(QStringLiteral("3 processes")));
    QVERIFY(t.value(QStringLiteral("question")).toString().contains(QStringLiteral("777 times")));
    QVERIFY(t.value(QStringLiteral("python")).toString().contains(QStringLiteral("range(777)")));
    QVERIFY(t.value(QStringLiteral("answer_template")).toString().contains(QStringLiteral("${")));
    const Outcome bad = runCli({QStringLiteral("explain"), QStringLiteral("race"), QStringLiteral("--processes"),
                                QStringLiteral("2.5")});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("whole number"), bad.err.constData());
}

// A lesson with a server stopped early (--seconds): the clients end first,
// the result is read, then the server goes -- exit 0, nothing on stderr,
// and with the manager's Lock not one update lost.
void TestCli::earlyStopEndsClientsFirst()
{
    for (int run = 0; run < 5; ++run) {
        const Outcome o = runCli({QStringLiteral("run"), QStringLiteral("manager"), QStringLiteral("--processes"),
                                  QStringLiteral("3"), QStringLiteral("--increments"), QStringLiteral("100000"),
                                  QStringLiteral("--lock"), QStringLiteral("on"), QStringLiteral("--seconds"),
                                  QStringLiteral("1"), QStringLiteral("--json")});
        QVERIFY2(o.finished && o.status == QProcess::NormalExit && o.code == 0 && o.err.isEmpty(), qPrintable(describe(o)));
        const QJsonObject r = QJsonDocument::fromJson(o.out).object();
        QVERIFY2(r.value(QStringLiteral("expected")).toDouble() > 0, qPrintable(describe(o)));
        QCOMPARE(r.value(QStringLiteral("lost")).toDouble(), 0.0);
        QVERIFY(!r.value(QStringLiteral("failed")).toBool());
    }
    const Outcome c = runCli({QStringLiteral("run"), QStringLiteral("compare"), QStringLiteral("--seconds"),
                              QStringLiteral("1"), QStringLiteral("--json")});
    QVERIFY2(c.finished && c.code == 0 && c.err.isEmpty(), qPrintable(describe(c)));
}

void TestCli::initTestCase()
{
    QVERIFY2(!qgetenv("IPC_PLAYGROUND").isEmpty(), "IPC_PLAYGROUND is not set (run under CTest)");
}

void TestCli::listNamesRaceFirstOnItsLine()
{
    const Outcome o = runCli({QStringLiteral("list")});
    QVERIFY2(o.finished && o.status == QProcess::NormalExit && o.code == 0, qPrintable(describe(o)));
    bool found = false;
    for (const QByteArray &line : o.out.split('\n')) {
        if (line.isEmpty()) continue;
        // One scenario a line, its name first.
        QVERIFY2(!line.startsWith(' '), line.constData());
        if (line.split(' ').first() == "race") found = true;
    }
    QVERIFY2(found, o.out.constData());
}

void TestCli::runLockedIsExactJson()
{
    const Outcome o = runCli({QStringLiteral("run"), QStringLiteral("race"),
                              QStringLiteral("--processes"), QStringLiteral("4"),
                              QStringLiteral("--increments"), QStringLiteral("50000"),
                              QStringLiteral("--lock"), QStringLiteral("on"),
                              QStringLiteral("--json")});
    QVERIFY2(o.finished && o.status == QProcess::NormalExit && o.code == 0, qPrintable(describe(o)));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(o.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), qPrintable(describe(o)));
    const QJsonObject r = doc.object();
    for (const char *key : {"scenario", "expected", "actual", "lost"})
        QVERIFY2(r.contains(QString::fromLatin1(key)), key);
    QCOMPARE(r.value(QStringLiteral("scenario")).toString(), QStringLiteral("race"));
    QCOMPARE(r.value(QStringLiteral("expected")).toDouble(), 200'000.0);
    QCOMPARE(r.value(QStringLiteral("actual")).toDouble(), 200'000.0);
    QCOMPARE(r.value(QStringLiteral("lost")).toDouble(), 0.0);
}

void TestCli::runUnlockedLosesUpdates()
{
    // A yield between read and write: 50,000 increments each overlap on
    // any machine (without it a run this short may end before the next
    // process starts).
    const Outcome o = runCli({QStringLiteral("run"), QStringLiteral("race"),
                              QStringLiteral("--processes"), QStringLiteral("4"),
                              QStringLiteral("--increments"), QStringLiteral("50000"),
                              QStringLiteral("--lock"), QStringLiteral("off"),
                              QStringLiteral("--yield"), QStringLiteral("on"),
                              QStringLiteral("--json")});
    QVERIFY2(o.finished && o.status == QProcess::NormalExit && o.code == 0, qPrintable(describe(o)));
    const QJsonObject r = QJsonDocument::fromJson(o.out).object();
    QCOMPARE(r.value(QStringLiteral("expected")).toDouble(), 200'000.0);
    QVERIFY2(r.value(QStringLiteral("lost")).toDouble() > 0, qPrintable(describe(o)));
    QCOMPARE(r.value(QStringLiteral("lost")).toDouble(),
             r.value(QStringLiteral("expected")).toDouble() -
                 r.value(QStringLiteral("actual")).toDouble());
}

void TestCli::runHumanReadable()
{
    const Outcome o = runCli({QStringLiteral("run"), QStringLiteral("race"),
                              QStringLiteral("--processes"), QStringLiteral("2"),
                              QStringLiteral("--increments"), QStringLiteral("1000"),
                              QStringLiteral("--lock"), QStringLiteral("on")});
    QVERIFY2(o.finished && o.status == QProcess::NormalExit && o.code == 0, qPrintable(describe(o)));
    // "expected", "actual" and "lost" each on a line of their own.
    for (const char *key : {"expected", "actual", "lost"}) {
        bool found = false;
        for (const QByteArray &line : o.out.split('\n'))
            if (line.startsWith(key) && line.simplified().split(' ').first() == key) found = true;
        QVERIFY2(found, qPrintable(describe(o)));
    }
}

// --version and --help print and exit 0 at once: no window (offscreen here,
// so one that opened would keep the process running until the timeout).
void TestCli::versionAndHelpNeedNoWindow()
{
    const Outcome v = runCli({QStringLiteral("--version")});
    QVERIFY2(v.finished && v.status == QProcess::NormalExit && v.code == 0 && v.err.isEmpty(),
             qPrintable(describe(v)));
    QCOMPARE(v.out, QByteArray("ipc-playground ") + ipc::programVersion() + '\n');
    QVERIFY2(QRegularExpression(QStringLiteral("^ipc-playground \\d+\\.\\d+\\.\\d+\n$"))
                 .match(QString::fromUtf8(v.out))
                 .hasMatch(),
             qPrintable(describe(v)));
    for (const char *help : {"--help", "-h", "help"}) {
        const Outcome h = runCli({QString::fromLatin1(help)});
        QVERIFY2(h.finished && h.status == QProcess::NormalExit && h.code == 0 && h.err.isEmpty(),
                 qPrintable(describe(h)));
        QVERIFY2(h.out.startsWith("usage: ipc-playground") && h.out.contains("--version"),
                 qPrintable(describe(h)));
    }
}

void TestCli::badArguments_data()
{
    QTest::addColumn<QStringList>("args");
    auto row = [](const char *name, std::initializer_list<const char *> words) {
        QStringList args;
        for (const char *w : words) args << QString::fromUtf8(w);
        QTest::newRow(name) << args;
    };
    row("unknown option", {"run", "race", "--bogus", "1"});
    row("negative count", {"run", "race", "--processes", "-1"});
    row("zero processes", {"run", "race", "--processes", "0"});
    row("too many increments", {"run", "race", "--increments", "1e30"});
    row("non-numeric", {"run", "race", "--increments", "many"});
    row("empty number", {"run", "race", "--processes", ""});
    row("nan", {"run", "race", "--processes", "nan"});
    row("option without value", {"run", "race", "--processes"});
    row("option given twice", {"run", "race", "--processes", "2", "--processes", "3"});
    row("bare word", {"run", "race", "extra"});
    row("unknown scenario", {"run", "no-such-scenario"});
    row("lock maybe", {"run", "race", "--lock", "maybe"});
    row("negative seconds", {"run", "race", "--seconds", "-1"});
    row("unknown command", {"frobnicate"});
    row("list with unknown option", {"list", "--bogus"});
    row("version with an argument", {"--version", "race"});
    row("help of no command", {"help", "frobnicate"});
    row("help of a lesson that is not", {"help", "run", "no-such-lesson"});
    row("completion for another shell", {"completion", "fish"});
    row("export without the chart's folder", {"run", "race", "--export"});
    row("trace into a folder that is not", {"run", "pingpong", "--trace-json", "/no/such/folder/trace.json"});
    row("trace without a file", {"run", "pingpong", "--trace-json"});
}

void TestCli::badArguments()
{
    QFETCH(QStringList, args);
    const Outcome o = runCli(args);
    QVERIFY2(o.finished, qPrintable(describe(o)));
    QVERIFY2(o.status == QProcess::NormalExit, qPrintable(describe(o))); // never a crash
    QCOMPARE(o.code, 2);
    QVERIFY2(o.err.contains("usage:"), qPrintable(describe(o)));
    QVERIFY2(o.out.isEmpty(), qPrintable(describe(o))); // nothing that looks like a result
}

// `run` (or `explain`) without a lesson names the lessons there are; a
// number out of range is said with its range as the lesson file has it.
void TestCli::runWithoutALessonListsThem()
{
    for (const QStringList &args : {QStringList{QStringLiteral("run")},
                                    QStringList{QStringLiteral("run"), QStringLiteral("--lock"), QStringLiteral("on")},
                                    QStringList{QStringLiteral("explain")}}) {
        const Outcome o = runCli(args);
        QVERIFY2(o.finished && o.status == QProcess::NormalExit, qPrintable(describe(o)));
        QCOMPARE(o.code, 2);
        QVERIFY2(o.err.contains("needs a lesson"), qPrintable(describe(o)));
        for (const char *lesson : {"race ", "compare ", "manager "})
            QVERIFY2(o.err.contains(QByteArray("\n  ") + lesson), qPrintable(describe(o)));
        QVERIFY(o.out.isEmpty());
    }
    const Outcome range = runCli({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--processes"),
                                  QStringLiteral("0")});
    QCOMPARE(range.code, 2);
    QVERIFY2(range.err.contains("out of range [1, ") && !range.err.contains(".000000"), qPrintable(describe(range)));
}

// `ipc-playground --lesson NAME --start --presentation` opens the window on
// a lesson; a wrong name, a malformed file or an unknown option is said on
// stderr with exit status 2 before any window opens (offscreen here, so a
// window that did open would keep the process running until the timeout).
void TestCli::windowOptionsAreCheckedBeforeItOpens()
{
    QTemporaryDir dir;
    const QString broken = dir.filePath(QStringLiteral("broken.json"));
    {
        QFile f(broken);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ \"format\": 1,");
    }
    const struct {
        QStringList args;
        const char *says;
    } cases[] = {
        {{QStringLiteral("--lesson"), QStringLiteral("no-such-lesson")}, "no lesson 'no-such-lesson'"},
        {{QStringLiteral("--lesson"), broken}, "broken.json: line 1"},
        {{QStringLiteral("--lesson")}, "Missing value"},
        {{QStringLiteral("--presentaton")}, "Unknown option 'presentaton'"},
        {{QStringLiteral("--start"), QStringLiteral("--lesson"), QStringLiteral("race"), QStringLiteral("--bogus")},
         "Unknown option 'bogus'"},
    };
    for (const auto &c : cases) {
        const Outcome o = runCli(c.args);
        QVERIFY2(o.finished && o.status == QProcess::NormalExit && o.code == 2, qPrintable(describe(o)));
        if (o.err.contains("built without the window")) QSKIP("a build without the window (sanitizer presets)");
        QVERIFY2(o.err.contains(c.says), qPrintable(describe(o)));
    }
}

// `help run LESSON` names the command's options and the lesson's
// parameters with their ranges, as the parser takes them.
void TestCli::helpTellsACommandAndALesson()
{
    const Outcome o = runCli({QStringLiteral("help"), QStringLiteral("run"), QStringLiteral("race")});
    QVERIFY2(o.finished && o.status == QProcess::NormalExit && o.code == 0 && o.err.isEmpty(), qPrintable(describe(o)));
    for (const char *says : {"usage: ipc-playground run", "--seconds S", "--json", "--export DIR", "parameters of race:",
                             "--processes", "[1..32, default 4]", "--lock", "on|off"})
        QVERIFY2(o.out.contains(says), says);
    const Outcome all = runCli({QStringLiteral("help"), QStringLiteral("run")});
    QVERIFY2(all.finished && all.code == 0, qPrintable(describe(all)));
    const Outcome list = runCli({QStringLiteral("list")});
    for (const QByteArray &line : list.out.split('\n'))
        if (!line.isEmpty()) QVERIFY2(all.out.contains("\n  " + line.split(' ').first() + ' '), line.constData());
}

// The bash completion the program prints, sourced in a real bash: it
// offers the commands, the lessons, each lesson's parameters (every one
// `list --params` names) and a switch's on/off.
void TestCli::bashCompletesWhatParses()
{
    const Outcome script = runCli({QStringLiteral("completion"), QStringLiteral("bash")});
    QVERIFY2(script.finished && script.code == 0 && script.err.isEmpty(), qPrintable(describe(script)));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("ipc-playground.bash")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(script.out);
    file.close();
    // The words bash offers after `words` (the last one being typed).
    const auto offers = [&](const QStringList &words) {
        QProcess bash;
        bash.start(QStringLiteral("bash"),
                   QStringList{QStringLiteral("-c"),
                               QStringLiteral("source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
                                              "_ipc_playground; printf '%s\\n' \"${COMPREPLY[@]}\""),
                               QStringLiteral("bash"), file.fileName(), QStringLiteral("ipc-playground")} +
                       words);
        if (!bash.waitForFinished(kTimeoutMs)) bash.kill();
        bash.waitForFinished(kTimeoutMs);
        return QString::fromUtf8(bash.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    };
    const QStringList first = offers({QString()});
    for (const char *w : {"run", "list", "explain", "help", "completion", "--lesson", "--version"})
        QVERIFY2(first.contains(QLatin1String(w)), qPrintable(first.join(u' ')));
    QCOMPARE(offers({QStringLiteral("run"), QStringLiteral("rac")}), QStringList{QStringLiteral("race")});
    QCOMPARE(offers({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--lock"), QString()}),
             (QStringList{QStringLiteral("on"), QStringLiteral("off")}));
    QVERIFY(offers({QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--processes"), QString()}).isEmpty());
    // Every parameter of every lesson, as `list --params` names them.
    const Outcome list = runCli({QStringLiteral("list"), QStringLiteral("--params")});
    QVERIFY2(list.finished && list.code == 0, qPrintable(describe(list)));
    QString lesson;
    int checked = 0;
    for (const QByteArray &line : list.out.split('\n')) {
        if (line.isEmpty()) continue;
        if (!line.startsWith(' ')) {
            lesson = QString::fromUtf8(line.split(' ').first());
            QVERIFY2(offers({QStringLiteral("run"), QString()}).contains(lesson), qPrintable(lesson));
            continue;
        }
        const QString option = QString::fromUtf8(line.trimmed().split(' ').first());
        QVERIFY2(offers({QStringLiteral("run"), lesson, QStringLiteral("--")}).contains(option),
                 qPrintable(lesson + u' ' + option));
        ++checked;
    }
    QVERIFY(checked > 20);
}

// A headless manager run SIGKILLed keeps its socket directory (named after
// its pid); the next run removes it, and a block named after a process
// that is gone, and says so. A private XDG_RUNTIME_DIR keeps other tests'
// runs out of it.
void TestCli::nextRunRemovesWhatAKilledRunLeft()
{
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
    const QDir dir(runtime.path());

    QProcess first;
    first.setProcessEnvironment(env);
    first.start(QString::fromLocal8Bit(qgetenv("IPC_PLAYGROUND")),
                {QStringLiteral("run"), QStringLiteral("manager"), QStringLiteral("--seconds"), QStringLiteral("60")});
    QVERIFY(first.waitForStarted(kTimeoutMs));
    const QString mine = QStringLiteral("ipc-manager-%1-*").arg(first.processId());
    QVERIFY2(waitFor([&] { return !dir.entryList({mine}, QDir::Dirs).isEmpty(); }, 30'000),
             "the manager's socket directory did not appear");
    const QString left = dir.filePath(dir.entryList({mine}, QDir::Dirs).front());
    QCOMPARE(::kill(pid_t(first.processId()), SIGKILL), 0);
    QVERIFY(first.waitForFinished(kTimeoutMs));
    QVERIFY2(QFileInfo::exists(left), "SIGKILL left nothing to clean: the test shows nothing");

    // A block whose owner has exited: a child's pid, after the child.
    const pid_t child = fork();
    if (child == 0) _exit(0);
    QVERIFY(child > 0);
    QCOMPARE(waitpid(child, nullptr, 0), child);
    const std::string block = "/ipc-shm-" + std::to_string(child) + "-0";
    const int fd = shm_open(block.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    QVERIFY(fd >= 0);
    ::close(fd);
    // A block of this (live) process stays.
    const std::string live = "/ipc-shm-" + std::to_string(getpid()) + "-0";
    const int liveFd = shm_open(live.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    QVERIFY(liveFd >= 0);
    ::close(liveFd);

    QProcess second;
    second.setProcessEnvironment(env);
    second.start(QString::fromLocal8Bit(qgetenv("IPC_PLAYGROUND")),
                 {QStringLiteral("run"), QStringLiteral("race"), QStringLiteral("--seconds"), QStringLiteral("0.2")});
    QVERIFY(second.waitForFinished(kTimeoutMs));
    const QByteArray err = second.readAllStandardError();
    const bool liveStayed = QFileInfo::exists(QStringLiteral("/dev/shm") + QString::fromStdString(live));
    shm_unlink(live.c_str());
    shm_unlink(block.c_str());
    QCOMPARE(second.exitCode(), 0);
    QVERIFY2(!QFileInfo::exists(left), qPrintable(left + QStringLiteral(" is still there; stderr: ") + QString::fromUtf8(err)));
    QVERIFY2(err.contains(left.toUtf8()) && err.contains(QByteArray::number(first.processId())), err.constData());
    QVERIFY2(!QFileInfo::exists(QStringLiteral("/dev/shm") + QString::fromStdString(block)), err.constData());
    QVERIFY2(err.contains(QByteArray("/dev/shm") + block.c_str()), err.constData());
    QVERIFY(liveStayed);
}

// run --trace-json: the run's event trace in Chrome's format, every
// message's flow started once and finished once.
void TestCli::runWritesTheTraceForPerfetto()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("pingpong.json"));
    const Outcome o = runCli({QStringLiteral("run"), QStringLiteral("pingpong"), QStringLiteral("--messages"),
                              QStringLiteral("50"), QStringLiteral("--rate"), QStringLiteral("2000"),
                              QStringLiteral("--trace-json"), path});
    QVERIFY2(o.finished && o.code == 0, qPrintable(describe(o)));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    std::map<qint64, int> starts, finishes;
    for (const QJsonValue &v : doc.object().value(QStringLiteral("traceEvents")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("ph")).toString() == QStringLiteral("s")) ++starts[e.value(QStringLiteral("id")).toInteger()];
        if (e.value(QStringLiteral("ph")).toString() == QStringLiteral("f")) ++finishes[e.value(QStringLiteral("id")).toInteger()];
    }
    QVERIFY(starts.size() >= 100); // 50 pings and 50 pongs
    QCOMPARE(finishes.size(), starts.size());
    for (const auto &[id, n] : starts) QVERIFY(n == 1 && finishes[id] == 1);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
