// Lessons that tell the truth: the template language; engines that carry
// no text; every lesson's texts follow its parameters; answers follow the
// run's result (a real run of every lesson, and results that contradict
// the seed's expectations); a file cannot widen an engine's limits; the
// pace control caps a running race.
#include "catalog.h"
#include "scenario.h"
#include "scenario_file.h"
#include "scenarios.h"
#include "test_support.h"
#include "text_template.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

#include <csignal>
#include <set>
#include <tuple>

#include <sys/stat.h>

using namespace ipc;

namespace {

std::string render(const std::string &text, std::map<std::string, TemplateValue> values)
{
    auto t = TextTemplate::parse(text);
    if (!t) qFatal("%s", t.error().message.c_str());
    return t->render([&](std::string_view k) -> std::optional<TemplateValue> {
        auto it = values.find(std::string(k));
        if (it == values.end()) return std::nullopt;
        return it->second;
    });
}

std::unique_ptr<Scenario> lesson(const char *name, std::initializer_list<std::pair<const char *, double>> params = {})
{
    auto s = createScenario(name);
    if (!s) qFatal("%s", s.error().message.c_str());
    for (auto [k, v] : params)
        if (auto ok = (*s)->setParam(k, v); !ok) qFatal("%s: %s", k, ok.error().message.c_str());
    return std::move(*s);
}

QString q(const std::string &s) { return QString::fromStdString(s); }

// A lesson file whose parts can be swapped, on the race engine.
QByteArray raceFile(const QByteArray &params, const QByteArray &answer = "\"The end.\"")
{
    return "{\"name\": \"t\", \"title\": \"T\", \"explanation\": \"E\", \"question\": \"Q\", \"answer\": " + answer +
           ", \"python\": \"print(1)\", \"engine\": \"race\", \"params\": [" + params +
           "], \"processes\": [{\"group\": \"c\", \"role\": \"counter\", \"count\": 2}]}";
}

} // namespace

class TestLessonTexts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void templates_data();
    void templates();
    void templateErrorsSayWhere_data();
    void templateErrorsSayWhere();
    void enginesCarryNoText();
    void textsFollowTheParameters_data();
    void textsFollowTheParameters();
    void answersFollowTheResult();
    void everyLessonsAnswerRendersFromARealRun();
    void fileCannotWidenTheEngine_data();
    void fileCannotWidenTheEngine();
    void onlyRegularFilesAreRead();
    void fractionsRefusedForWholeParameters();
    void paceCapsTheRace();
    void diagramLinksAreTheFilesDeclarations();
    void linksComeFromTheFile();
    void resultNamesWhoDidNotEndNormally();
    void liveLessonsRunUntilStopped();
};

void TestLessonTexts::templates_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QByteArray("no placeholders, {braces} and | bars") << QByteArray("no placeholders, {braces} and | bars");
    QTest::newRow("thousands") << QByteArray("${n} of ${big}") << QByteArray("4 of 200,000");
    QTest::newRow("arithmetic") << QByteArray("${n * big}, ${(n + 1) / 2}") << QByteArray("800,000, 2.5");
    QTest::newRow("decimals") << QByteArray("${pct:1}% ${pct:0}") << QByteArray("63.8% 64");
    QTest::newRow("code format") << QByteArray("range(${big:_}) ${n:_} ${half:_}") << QByteArray("range(200_000) 4 0.5");
    QTest::newRow("three digits") << QByteArray("${small}") << QByteArray("0.0421");
    QTest::newRow("choice true") << QByteArray("${lock ? with | without} the lock") << QByteArray("with the lock");
    QTest::newRow("choice false") << QByteArray("${n > 9 ? many | few}") << QByteArray("few");
    QTest::newRow("choice no else") << QByteArray("a${n == 4 ?, b|}.") << QByteArray("a, b.");
    QTest::newRow("nested") << QByteArray("${n > 1 ? ${n} processes | one process}") << QByteArray("4 processes");
    QTest::newRow("text compare") << QByteArray("${op == \"square\" ? x*x | x+k}") << QByteArray("x*x");
    QTest::newRow("and or not") << QByteArray("${lock and not zero ? yes | no} ${zero or lock ? y | n}") << QByteArray("yes y");
    QTest::newRow("functions") << QByteArray("${min(n, 3)} ${max(n, 3)} ${round(pct)} ${floor(pct)}") << QByteArray("3 4 64 63");
    QTest::newRow("missing renders ?") << QByteArray("lost ${nothing}") << QByteArray("lost ?");
    QTest::newRow("division by zero renders ?") << QByteArray("${n / zero}") << QByteArray("?");
    QTest::newRow("escaped") << QByteArray("$${not} ${n}") << QByteArray("${not} 4");
    QTest::newRow("python braces") << QByteArray("print(f\"{x}\") # ${n}") << QByteArray("print(f\"{x}\") # 4");
}

void TestLessonTexts::templates()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, expected);
    const std::map<std::string, TemplateValue> values = {
        {"n", 4.0}, {"big", 200000.0}, {"pct", 63.779}, {"half", 0.5}, {"small", 0.04213},
        {"lock", 1.0}, {"zero", 0.0}, {"op", std::string("square")}};
    QCOMPARE(QByteArray::fromStdString(render(text.toStdString(), values)), expected);
}

void TestLessonTexts::templateErrorsSayWhere_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("unclosed") << QByteArray("abc ${n") << QByteArray("at character 8: '${' is not closed by '}'");
    QTest::newRow("unknown name") << QByteArray("${n} ${nope}") << QByteArray("at character 8: unknown name 'nope'");
    QTest::newRow("unknown function") << QByteArray("${sqrt(n)}") << QByteArray("at character 3: unknown function 'sqrt'");
    QTest::newRow("bad format") << QByteArray("${n:x}") << QByteArray("a format is a number of decimals");
    QTest::newRow("second line") << QByteArray("line one\n  ${+}") << QByteArray("line 2, column 5:");
    QTest::newRow("arity") << QByteArray("${min(n)}") << QByteArray("min takes 2 argument(s)");
    // A hostile file cannot exhaust the stack: deep nesting is refused.
    QTest::newRow("deep parentheses") << QByteArray("${" + QByteArray(100'000, '(') + "n" + QByteArray(100'000, ')') + "}")
                                      << QByteArray("nested deeper than 64 levels");
    QByteArray nested;
    for (int i = 0; i < 10'000; ++i) nested += "${n ? ";
    QTest::newRow("deep choices") << nested << QByteArray("nested deeper than 64 levels");
}

void TestLessonTexts::templateErrorsSayWhere()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, message);
    auto t = TextTemplate::parse(text.toStdString(), [](std::string_view n) { return n == "n"; });
    QVERIFY(!t);
    QVERIFY2(t.error().message.find(message.toStdString()) != std::string::npos, t.error().message.c_str());
}

void TestLessonTexts::enginesCarryNoText()
{
    // Titles, explanations, labels, help and choice names live only in the
    // lesson files: an engine declares keys, limits and result fields.
    for (const auto &entry : scenarios::registry()) {
        const ScenarioInfo &info = entry.make()->info();
        QVERIFY2(info.title.empty() && info.summary.empty(), info.name.c_str());
        QVERIFY2(!info.resultKeys.empty(), info.name.c_str());
        for (const ParamSpec &p : info.params) {
            QVERIFY2(p.label.empty() && p.help.empty() && p.choices.empty(), (info.name + "/" + p.key).c_str());
            QVERIFY(p.min <= p.defaultValue && p.defaultValue <= p.max);
        }
        // ... and every lesson file on it gives each parameter a label and help.
        auto s = createScenario(entry.name);
        QVERIFY2(s, entry.name.data());
        for (const ParamSpec &p : (*s)->lesson().params)
            QVERIFY2(!p.label.empty() && !p.help.empty(), p.key.c_str());
    }
}

void TestLessonTexts::textsFollowTheParameters_data()
{
    // A lesson, parameters unlike its defaults, and what its explanation,
    // question and Python twin must then say.
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("params");        // key=value,...
    QTest::addColumn<QStringList>("explanation");
    QTest::addColumn<QStringList>("question");
    QTest::addColumn<QStringList>("python");
    using Words = std::initializer_list<const char *>;
    auto list = [](Words words) {
        QStringList out;
        for (const char *w : words) out.append(QString::fromUtf8(w));
        return out;
    };
    auto row = [&](const char *tag, const char *name, const char *params, Words e, Words qu, Words py) {
        QTest::newRow(tag) << QString::fromLatin1(name) << QString::fromLatin1(params) << list(e) << list(qu) << list(py);
    };
    row("race", "race", "processes=2,increments=12345,lock=1", {"2 processes", "12,345 times"},
        {"2 processes", "12,345 times", "with the lock"}, {"range(12_345)", "range(2)", "Value(\"b\", 1)", "expected 24_690"});
    row("race until stopped", "race", "processes=3,increments=0", {"3 processes", "until you stop"},
        {"over and over", "without the lock"}, {"while True:"});
    row("isolation", "isolation", "processes=3,increments=777", {"3 children", "777 times"}, {"3 children", "777 times"},
        {"work, args=(shared, 777)", "range(3)", "# 2331"});
    row("producer-consumer", "producer-consumer", "producers=3,consumers=5,maxsize=13,work_us=7000,items=50",
        {"3 producer processes", "holds 13", "5 consumers"}, {"3 producers", "5 consumers", "7 ms"},
        {"maxsize=13", "range(3)", "range(5)", "0.007", "range(items)"});
    row("worker-pool", "worker-pool", "workers=6,tasks=250,slow_worker=1", {"250 tasks", "6 worker processes"},
        {"other 5", "250 tasks"}, {"range(6)", "range(250)", "work * 4"});
    row("worker-pool even", "worker-pool", "workers=3,tasks=90,slow_worker=0", {"3 worker"}, {"All 3 workers", "90 tasks"},
        {"range(90)"});
    row("pingpong", "pingpong", "payload=300,messages=4321", {"300-byte"}, {"300 bytes"}, {"N, PAYLOAD = 4321, b\"x\" * 300"});
    row("pingpong one-way", "pingpong", "mode=2,messages=50", {"one-way mode", "50 messages"}, {"EndOfFile|recv()"},
        {"MODE = \"one-way\""});
    row("pipe-deadlock", "pipe-deadlock", "size_kb=2048,fix=1", {"2,048 KiB"}, {"2,048 KiB"}, {"2048 * 1024", "fix = True"});
    row("join-deadlock", "join-deadlock", "items=9,maxsize=2,item_kib=32", {"9 items of 32 KiB", "holds 2"}, {"p.join()"},
        {"range(9)", "maxsize=2", "32 * 1024"});
    row("ring", "ring", "stages=6,particles=5", {"6 processes", "5 particles"}, {"With 6 processes"},
        {"n = 6", "range(5)"});
    row("shared-memory square", "shared-memory", "workers=3,elements=5000,op=0,rounds=2", {"3 workers", "5,000 doubles", "2 times"},
        {"3 workers each square"}, {"view[i] * view[i]", "5000, 3", "shm.name"});
    row("shared-memory scale", "shared-memory", "op=2,k=3", {}, {"multiply by 3"}, {"view[i] * K", "K = 3"});
    row("manager", "manager", "processes=5,increments=321,lock=1", {"manager"}, {"5 processes", "321 times", "holding the manager's Lock"},
        {"321, True", "range(5)", "expected 1605"});
    row("barrier-print", "barrier-print", "processes=3,phases=7,lock=1", {"3 processes"}, {"3 processes", "holding"},
        {"range(7)", "n = 3", "rank 2 is slowest"});
    row("compare", "compare", "measure_ms=1200,repeats=2", {"2 times", "about 1,200 ms"}, {"share one CPU"},
        {"SECONDS = 1200 / 1000", "range(2)"});
    row("zombie", "zombie", "children=4,daemons=2,work_ms=2500", {"4 children", "2 daemon children"}, {"2.5 s apart", "daemon"},
        {"range(4)", "range(2)", "2.5, 3 if i == 1"});
    row("zombie without daemons", "zombie", "children=1,daemons=0", {"one child and goes on"}, {"join()"}, {"range(1)"});
}

void TestLessonTexts::textsFollowTheParameters()
{
    QFETCH(QString, name);
    QFETCH(QString, params);
    QFETCH(QStringList, explanation);
    QFETCH(QStringList, question);
    QFETCH(QStringList, python);
    auto s = createScenario(name.toStdString());
    QVERIFY(s);
    for (const QString &kv : params.split(QLatin1Char(','))) {
        const QStringList p = kv.split(QLatin1Char('='));
        QVERIFY2((*s)->setParam(p[0].toStdString(), p[1].toDouble()), qPrintable(kv));
    }
    const LessonTexts t = (*s)->texts();
    auto check = [](const std::string &text, const QStringList &wanted) {
        for (const QString &w : wanted) {
            // "a|b": either may appear.
            const QStringList either = w.split(QLatin1Char('|'));
            const bool found = std::any_of(either.begin(), either.end(), [&](const QString &x) { return q(text).contains(x); });
            if (!found) qWarning("missing '%s' in:\n%s", qPrintable(w), text.c_str());
            QVERIFY(found);
        }
        QVERIFY2(!q(text).contains(QStringLiteral("${")), text.c_str());
    };
    check(t.explanation, explanation);
    check(t.question, question);
    check(t.python, python);
    QVERIFY(!t.title.empty());
}

void TestLessonTexts::answersFollowTheResult()
{
    // The compare lesson's answer names the ranking this run measured, not
    // the seed's (SharedMemory first, Manager last): here the opposite.
    auto compare = lesson("compare");
    QJsonObject result;
    result.insert(QStringLiteral("ranking"), QStringLiteral("Manager dict (9 M/s) > Pipe (2 M/s) > SharedMemory (1 M/s)"));
    result.insert(QStringLiteral("fastest"), QStringLiteral("Manager dict"));
    result.insert(QStringLiteral("slowest"), QStringLiteral("SharedMemory"));
    std::string answer = compare->texts(&result).answer;
    QVERIFY2(q(answer).contains(QStringLiteral("Manager dict (9 M/s) > Pipe (2 M/s) > SharedMemory (1 M/s)")), answer.c_str());

    // The race's answer states this run's numbers and what the lock cost,
    // whichever way it went.
    auto race = lesson("race");
    QJsonObject r;
    r.insert(QStringLiteral("expected"), 1000.0);
    r.insert(QStringLiteral("actual"), 750.0);
    r.insert(QStringLiteral("lost"), 250.0);
    r.insert(QStringLiteral("lost_percent"), 25.0);
    r.insert(QStringLiteral("unlocked_increments_per_s"), 9e6);
    r.insert(QStringLiteral("locked_increments_per_s"), 2e6);
    answer = race->texts(&r).answer;
    for (const char *w : {"1,000 increments", "reads 750", "250 updates (25.0%)", "9,000,000", "2,000,000", "costs speed"})
        QVERIFY2(answer.find(w) != std::string::npos, (std::string(w) + " in: " + answer).c_str());
    r.insert(QStringLiteral("lost"), 0.0);
    r.insert(QStringLiteral("actual"), 1000.0);
    r.insert(QStringLiteral("locked_increments_per_s"), 12e6);
    answer = race->texts(&r).answer;
    for (const char *w : {"no update was lost", "did not slow them down"})
        QVERIFY2(answer.find(w) != std::string::npos, (std::string(w) + " in: " + answer).c_str());
    QVERIFY2(answer.find("costs speed") == std::string::npos, answer.c_str());

    // The answer reports the parameters its run had, not those set since.
    QJsonObject ran;
    ran.insert(QStringLiteral("mode"), QStringLiteral("one-way"));
    ran.insert(QStringLiteral("ended_by_eof"), true);
    ran.insert(QStringLiteral("received"), 77.0);
    auto pingpong = lesson("pingpong", {{"mode", 0}});
    answer = pingpong->texts(&ran).answer;
    QVERIFY2(q(answer).contains(QStringLiteral("after 77 messages")), answer.c_str());
}

void TestLessonTexts::everyLessonsAnswerRendersFromARealRun()
{
    // Each built-in lesson, run briefly on real processes with parameters
    // other than its defaults: its answer is complete (no "?" for a field
    // the engine does not report, no template left) and repeats the run's
    // own figures.
    struct Case {
        const char *name;
        std::initializer_list<std::pair<const char *, double>> params;
        const char *figure; // a result field whose value the answer states
    };
    const Case cases[] = {
        {"race", {{"processes", 2}, {"increments", 3000}, {"yield", 1}}, "actual"},
        {"isolation", {{"processes", 2}, {"increments", 300}, {"pace", 0}}, "shared"},
        {"producer-consumer", {{"items", 200}, {"work_us", 0}, {"maxsize", 5}}, "max_depth"},
        {"worker-pool", {{"workers", 2}, {"tasks", 12}, {"work_us", 1000}}, "tasks"},
        {"pingpong", {{"messages", 500}}, nullptr},
        {"pingpong", {{"messages", 300}, {"mode", 2}}, "received"},
        {"pipe-deadlock", {{"size_kb", 4}, {"rounds", 5}}, "rounds"},
        {"join-deadlock", {{"items", 3}, {"maxsize", 4}}, nullptr},
        {"ring", {{"stages", 3}, {"steps", 20}}, nullptr},
        {"shared-memory", {{"workers", 2}, {"elements", 4000}, {"rounds", 1}, {"pause_us", 0}}, nullptr},
        {"manager", {{"processes", 2}, {"increments", 50}}, "expected"},
        {"barrier-print", {{"processes", 2}, {"phases", 2}, {"pace", 0}, {"work_ms", 0}}, "lines"},
        {"compare", {{"measure_ms", 50}, {"repeats", 1}}, "ranking"},
        {"zombie", {{"children", 2}, {"daemons", 1}, {"work_ms", 100}, {"join", 1}}, nullptr},
    };
    for (const Case &c : cases) {
        auto s = lesson(c.name, c.params);
        QVERIFY2(s->start(), c.name);
        // compare runs 24 pairs of processes: under a sanitizer that takes a while.
        const bool done = waitFor([&] { return s->finished(); }, std::string_view(c.name) == "compare" ? 120000 : 30000);
        s->stop();
        QVERIFY2(done, c.name);
        const QJsonObject result = s->result();
        const std::string answer = s->texts(&result).answer;
        QVERIFY2(!answer.empty() && answer.find("${") == std::string::npos, answer.c_str());
        QVERIFY2(answer.find(" ?") == std::string::npos, (std::string(c.name) + ": " + answer).c_str());
        if (!c.figure) continue;
        const QJsonValue v = result.value(QLatin1String(c.figure));
        const std::string shown = v.isString() ? v.toString().toStdString() : formatTemplateNumber(v.toDouble());
        QVERIFY2(answer.find(shown) != std::string::npos, (std::string(c.name) + ": '" + shown + "' in: " + answer).c_str());
    }
}

void TestLessonTexts::fileCannotWidenTheEngine_data()
{
    QTest::addColumn<QByteArray>("params");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QByteArray>("message");
    const QByteArray end = "\"The end.\"";
    QTest::newRow("max over the engine's")
        << QByteArray(R"({"key": "processes", "label": "P", "help": "H", "min": 1, "max": 99, "default": 2})") << end
        << QByteArray("/params/0/max: range 1..99 is wider than engine 'race' allows for 'processes': 1..32");
    QTest::newRow("min under the engine's")
        << QByteArray(R"({"key": "race_window_us", "label": "P", "help": "H", "min": -5, "max": 10, "default": 2})") << end
        << QByteArray("/params/0/min: range -5..10 is wider");
    QTest::newRow("unknown parameter")
        << QByteArray(R"({"key": "processes", "label": "P", "help": "H", "min": 1, "max": 4, "default": 2}, {"key": "speed", "label": "S", "help": "H", "min": 1, "max": 4, "default": 2})")
        << end << QByteArray("/params/1/key: engine 'race' has no parameter 'speed'");
    QTest::newRow("live where the engine cannot")
        << QByteArray(R"({"key": "processes", "label": "P", "help": "H", "min": 1, "max": 4, "default": 2, "live": true})") << end
        << QByteArray("/params/0/live: engine 'race' cannot change 'processes' while it runs");
    QTest::newRow("fractional default")
        << QByteArray(R"({"key": "processes", "label": "P", "help": "H", "min": 1, "max": 4, "default": 2.5})") << end
        << QByteArray("/params/0/default: parameter 'processes' takes whole numbers");
    QTest::newRow("switch that is not one")
        << QByteArray(R"({"key": "processes", "label": "P", "help": "H", "switch": true, "default": 1})") << end
        << QByteArray("/params/0/switch: parameter 'processes' is a number, not a switch");
    QTest::newRow("answer names a field the engine lacks")
        << QByteArray() << QByteArray("\"${lsot} lost\"") << QByteArray("/answer: at character 3: unknown name 'lsot'");
    QTest::newRow("control character")
        << QByteArray() << QByteArray("\"The\\u0001 end\"") << QByteArray("/answer: holds a control character");
}

void TestLessonTexts::fileCannotWidenTheEngine()
{
    QFETCH(QByteArray, params);
    QFETCH(QByteArray, answer);
    QFETCH(QByteArray, message);
    auto d = parseScenario(raceFile(params, answer), "lecture.json");
    QVERIFY(!d);
    QVERIFY2(q(d.error().message).startsWith(QStringLiteral("lecture.json: ")), d.error().message.c_str());
    QVERIFY2(d.error().message.find(message.toStdString()) != std::string::npos, d.error().message.c_str());
    // The same file within the limits loads.
    QVERIFY(parseScenario(raceFile(R"({"key": "processes", "label": "P", "help": "H", "min": 1, "max": 4, "default": 2})"),
                          "lecture.json"));
}

void TestLessonTexts::onlyRegularFilesAreRead()
{
    // A FIFO would block the open, /dev/zero never end: both are refused
    // at once, with the path.
    QTemporaryDir dir;
    const QString fifo = dir.filePath(QStringLiteral("lesson.json"));
    QCOMPARE(mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    for (const QString &path : {fifo, QStringLiteral("/dev/zero.json"), QStringLiteral("/dev/zero")}) {
        auto d = loadScenarioFile(path);
        QVERIFY(!d);
        if (path == QStringLiteral("/dev/zero.json")) continue; // does not exist: NotFound
        QVERIFY2(q(d.error().message).contains(path) && q(d.error().message).contains(QStringLiteral("not a regular file")),
                 d.error().message.c_str());
    }
    auto viaName = createScenario(fifo.toStdString());
    QVERIFY(!viaName);
}

void TestLessonTexts::fractionsRefusedForWholeParameters()
{
    auto s = lesson("race");
    auto half = s->setParam("processes", 2.5);
    QVERIFY(!half);
    QVERIFY2(q(half.error().message).contains(QStringLiteral("whole number")), half.error().message.c_str());
    QVERIFY(s->setParam("processes", 3));
    auto shm = lesson("shared-memory");
    QVERIFY(shm->setParam("k", 2.5)); // a real parameter takes fractions
    QVERIFY(!shm->setParam("op", 1.5));
}

void TestLessonTexts::paceCapsTheRace()
{
    // Slow motion at 10 increments per second per worker: over about two
    // seconds two counters do at most their share (plus one each for the
    // first slot, which is at once), however fast the machine.
    auto s = lesson("race", {{"processes", 2}, {"increments", 0}, {"pace", 10}});
    QVERIFY(s->start());
    QVERIFY(waitFor([&] { return s->metrics().at(0).value >= 2; }, 20000)); // both counting
    const auto t0 = std::chrono::steady_clock::now();
    const double before = s->metrics().at(0).value;
    QTest::qWait(2000);
    const double after = s->metrics().at(0).value;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cap = 2 * 10 * (seconds + 0.2) + 2;
    QVERIFY2(after - before <= cap, qPrintable(QStringLiteral("%1 increments in %2 s").arg(after - before).arg(seconds)));
    QVERIFY2(after > before, "the paced counters still count");
    // Full speed again, live: they leave the cap far behind.
    QVERIFY(s->setParam("pace", 0));
    QVERIFY(waitFor([&] { return s->metrics().at(0).value > after + 10'000; }, 20000));
    s->stop();
}

void TestLessonTexts::diagramLinksAreTheFilesDeclarations()
{
    // Every lesson whose links are the file's (pingpong and compare refine
    // theirs per mode and stage): each line the diagram draws is one the
    // file declares for the process's group, to an object in the run's
    // arena, and every declaration of a group that has processes is drawn.
    for (const char *name : {"race", "isolation", "producer-consumer", "worker-pool", "pipe-deadlock", "join-deadlock",
                             "ring", "shared-memory", "manager", "barrier-print", "zombie"}) {
        auto s = lesson(name);
        QVERIFY2(s->start(), name);
        Run &run = *s->run();
        const ScenarioDefinition &d = *s->definition();
        // Wait until every process of every group has started.
        QVERIFY2(waitFor([&] {
            s->poll();
            for (std::uint32_t i = 0; i < run.board().slotCount.load(); ++i)
                if (run.slot(i).pid.load() <= 0) return false;
            return run.board().slotCount.load() > 0;
        }, 20000), name);
        using Triple = std::tuple<std::string, std::string, Link::Kind>; // role, object, kind
        std::set<Triple> declared;
        for (const ProcessGroupDecl &g : d.processes)
            for (const ObjectUse &u : g.links) declared.insert({g.role, u.object, u.kind});
        auto roleOf = [&](const std::string &group) {
            for (const ProcessGroupDecl &g : d.processes)
                if (g.group == group) return g.role;
            return std::string();
        };
        std::set<Triple> drawn;
        for (const Link &l : s->links()) {
            const std::string role = run.slot(l.slot).role;
            std::string object = l.object;
            // A ring's k-th link is "OBJECT-k".
            for (const PipeDecl &p : d.pipes)
                if (p.ring && object.rfind(p.object + "-", 0) == 0) object = p.object;
            drawn.insert({role, object, l.kind});
            QVERIFY2(run.arena().lookup(l.object), (std::string(name) + ": no object " + l.object).c_str());
        }
        for (const PipeDecl &p : d.pipes) {
            declared.insert({roleOf(p.from), p.object, Link::Kind::Sends});
            declared.insert({roleOf(p.to), p.object, Link::Kind::Receives});
            if (p.duplex || p.from == p.to) {
                declared.insert({roleOf(p.from), p.object, Link::Kind::Receives});
                declared.insert({roleOf(p.to), p.object, Link::Kind::Sends});
            }
        }
        QVERIFY2(drawn == declared, name);
        s->stop();
    }
}

void TestLessonTexts::linksComeFromTheFile()
{
    // The same engine, two files: the diagram's lines are what each declares.
    const QByteArray none = raceFile(R"({"key": "processes", "label": "P", "help": "H", "min": 1, "max": 4, "default": 3})");
    QByteArray some = none;
    some.replace(R"("processes": [{"group": "c", "role": "counter", "count": 2}])",
                 R"("objects": [{"name": "counter", "type": "value"}], "processes": [{"group": "c", "role": "counter", "count": 2, "uses": ["counter"]}])");
    QVERIFY(some != none);
    for (const QByteArray &file : {none, some}) {
        auto d = parseScenario(file, "lecture.json");
        QVERIFY2(d, d ? "" : d.error().message.c_str());
        std::unique_ptr<Scenario> s;
        for (const auto &e : scenarios::registry())
            if (e.name == "race") s = e.make();
        QVERIFY(s);
        QVERIFY(s->setDefinition(*d));
        QVERIFY(s->setParam("increments", 10));
        QVERIFY(s->start());
        QVERIFY(waitFor([&] { return s->finished(); }, 20000));
        const auto links = s->links();
        QCOMPARE(links.size(), file == some ? std::size_t(2) : std::size_t(0));
        for (const Link &l : links) QCOMPARE(l.object, std::string("counter"));
        s->stop();
    }
}

void TestLessonTexts::resultNamesWhoDidNotEndNormally()
{
    // One counter killed through the run's kill control (the lecturer's
    // Ctrl+K), one dying of SIGSEGV that nobody sent through the run: both
    // are listed, only the crash fails the run.
    auto s = lesson("race", {{"processes", 3}, {"increments", 0}, {"pace", 200}});
    QVERIFY(s->start());
    Run &run = *s->run();
    QVERIFY(waitFor([&] {
        for (std::uint32_t i = 0; i < 3; ++i)
            if (run.slot(i).pid.load() <= 0 || run.slot(i).ops.load() == 0) return false;
        return true;
    }, 20000));
    QVERIFY(run.kill(0));
    QVERIFY(waitFor([&] { run.poll(); return run.slot(0).currentState() == ProcState::Killed; }, 10000));
    QJsonObject r = s->result();
    QCOMPARE(r.value(QStringLiteral("abnormal_exits")).toArray().size(), 1);
    QCOMPARE(r.value(QStringLiteral("abnormal_exits")).toArray().at(0).toObject().value(QStringLiteral("killed_by")).toString(),
             QStringLiteral("lecturer"));
    QVERIFY(!r.value(QStringLiteral("failed")).toBool());
    const pid_t victim = run.slot(1).pid.load();
    QCOMPARE(::kill(victim, SIGSEGV), 0);
    QVERIFY(waitFor([&] { run.poll(); return run.slot(1).currentState() == ProcState::Killed; }, 10000));
    s->stop(); // the third ends cleanly at the stop request
    r = s->result();
    const QJsonArray abnormal = r.value(QStringLiteral("abnormal_exits")).toArray();
    QCOMPARE(abnormal.size(), 2);
    const QJsonObject crash = abnormal.at(1).toObject();
    QCOMPARE(crash.value(QStringLiteral("pid")).toInt(), int(victim));
    QVERIFY(diedOf(crash.value(QStringLiteral("exit_code")).toInt(), SIGSEGV));
    QCOMPARE(crash.value(QStringLiteral("killed_by")).toString(), QStringLiteral("nobody"));
    QVERIFY(r.value(QStringLiteral("failed")).toBool());
    QCOMPARE(run.slot(2).currentState(), ProcState::Finished);
}

void TestLessonTexts::liveLessonsRunUntilStopped()
{
    // With their defaults, the lessons whose point is a live control keep
    // running until the lecturer stops them (the race and the producers
    // once ended before anyone could touch a switch).
    for (const char *name : {"race", "producer-consumer", "pipe-deadlock", "ring", "zombie"}) {
        auto s = lesson(name);
        QVERIFY2(s->start(), name);
        QTest::qWait(1500);
        QVERIFY2(!s->finished(), name);
        if (std::string_view(name) == "producer-consumer") {
            QVERIFY(waitFor([&] { return s->result().value(QStringLiteral("consumed")).toDouble() > 50; }, 20000));
        }
        s->stop();
        QVERIFY(s->finished());
    }
}

QTEST_GUILESS_MAIN(TestLessonTexts)
#include "tst_lesson_texts.moc"
