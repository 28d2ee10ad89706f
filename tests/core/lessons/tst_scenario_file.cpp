// Scenario files: the built-in ones load, and malformed ones are refused
// with a message that names the file, the place and the problem.
#include "catalog.h"
#include "scenario_file.h"
#include "test_support.h"

#include <QDir>
#include <QTemporaryDir>

using namespace ipc;

namespace {

// A valid file; each malformed case below changes one thing.
QByteArray validFile()
{
    return QByteArray(R"json({
  "format": 1,
  "name": "my-race",
  "title": "My race",
  "explanation": "Two processes race.",
  "question": "What happens?",
  "answer": "Updates are lost.",
  "python": "print('hello')",
  "engine": "race",
  "params": [
    {"key": "processes", "label": "Processes", "help": "How many.", "min": 1, "max": 8, "default": 2},
    {"key": "lock", "label": "Lock", "help": "Lock it.", "switch": true, "default": 0, "live": true}
  ],
  "objects": [{"name": "counter", "type": "value"}],
  "processes": [{"group": "counter", "role": "counter", "count": "processes", "uses": ["counter"]}],
  "pipes": [{"from": "counter", "to": "counter"}]
})json");
}

} // namespace

class TestScenarioFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void validFileParses();
    void documentedExampleRuns();
    void builtInFilesLoad();
    void malformed_data();
    void malformed();
    void missingFileAndSyntaxPosition();
};

void TestScenarioFile::validFileParses()
{
    auto d = parseScenario(validFile(), "mine.json");
    QVERIFY2(d, d ? "" : d.error().message.c_str());
    QCOMPARE(d->info.name, std::string("my-race"));
    QCOMPARE(d->engine, std::string("race"));
    QCOMPARE(d->info.params.size(), std::size_t(2));
    QVERIFY(d->info.params[1].boolean);
    QVERIFY(d->info.params[1].live);
    QCOMPARE(d->processes.at(0).countParam, std::string("processes"));
    QCOMPARE(d->processes.at(0).links.at(0).object, std::string("counter"));
    QCOMPARE(d->processes.at(0).links.at(0).kind, Link::Kind::Uses);
    QCOMPARE(d->python.source(), std::string("print('hello')"));
}

void TestScenarioFile::documentedExampleRuns()
{
    // The example in docs/ parses and names a real engine with its own ranges.
    const QString path = QStringLiteral(IPC_SOURCE_DIR "/docs/examples/race-eight.json");
    auto d = loadScenarioFile(path);
    QVERIFY2(d, d ? "" : d.error().message.c_str());
    QCOMPARE(d->info.name, std::string("race-eight"));
    QCOMPARE(d->info.params.at(0).defaultValue, 8.0);
    auto s = createScenario(path.toStdString());
    QVERIFY2(s, s ? "" : s.error().message.c_str());
    QCOMPARE((*s)->lesson().title, std::string("Eight processes, one counter"));
    QCOMPARE((*s)->param("processes"), 8.0);
    // The file's ranges bind: 20 is outside its 2..16 although the engine allows 32.
    QVERIFY(!(*s)->setParam("processes", 20));
}

void TestScenarioFile::builtInFilesLoad()
{
    const QStringList files = QDir(QStringLiteral(":/scenarios")).entryList({QStringLiteral("*.json")});
    QVERIFY(files.contains(QStringLiteral("race.json")));
    for (const QString &f : files) {
        auto d = loadScenarioFile(QStringLiteral(":/scenarios/") + f);
        QVERIFY2(d, d ? "" : d.error().message.c_str());
        QVERIFY(!d->python.source().empty());
        QVERIFY(!d->question.source().empty());
        QCOMPARE(QString::fromStdString(d->info.name) + QStringLiteral(".json"), f);
    }
}

void TestScenarioFile::malformed_data()
{
    QTest::addColumn<QByteArray>("from");
    QTest::addColumn<QByteArray>("to");
    QTest::addColumn<QString>("place");
    QTest::addColumn<QString>("problem");

    QTest::newRow("bad json") << QByteArray("\"answer\": \"Updates are lost.\",")
                              << QByteArray("\"answer\": \"Updates are lost.\"")
                              << QStringLiteral("line 8") << QStringLiteral("not valid JSON");
    QTest::newRow("unknown role") << QByteArray("\"role\": \"counter\"") << QByteArray("\"role\": \"countr\"")
                                  << QStringLiteral("/processes/0/role") << QStringLiteral("unknown role 'countr'");
    QTest::newRow("pipe to missing group") << QByteArray("\"to\": \"counter\"") << QByteArray("\"to\": \"ghost\"")
                                           << QStringLiteral("/pipes/0/to") << QStringLiteral("'ghost' is not a process group");
    QTest::newRow("count out of range") << QByteArray("\"count\": \"processes\"") << QByteArray("\"count\": 500")
                                        << QStringLiteral("/processes/0/count") << QStringLiteral("out of range");
    QTest::newRow("count names no param") << QByteArray("\"count\": \"processes\"") << QByteArray("\"count\": \"workers\"")
                                          << QStringLiteral("/processes/0/count") << QStringLiteral("not declared in /params");
    QTest::newRow("missing text") << QByteArray("\"question\": \"What happens?\",") << QByteArray()
                                  << QStringLiteral("/question") << QStringLiteral("is missing");
    QTest::newRow("empty title") << QByteArray("\"title\": \"My race\"") << QByteArray("\"title\": \"  \"")
                                 << QStringLiteral("/title") << QStringLiteral("must not be empty");
    QTest::newRow("default out of range") << QByteArray("\"default\": 2}") << QByteArray("\"default\": 9}")
                                          << QStringLiteral("/params/0/default") << QStringLiteral("out of range");
    QTest::newRow("min above max") << QByteArray("\"min\": 1, \"max\": 8") << QByteArray("\"min\": 9, \"max\": 8")
                                   << QStringLiteral("/params/0/min") << QStringLiteral("above max");
    QTest::newRow("unknown engine") << QByteArray("\"engine\": \"race\"") << QByteArray("\"engine\": \"rase\"")
                                    << QStringLiteral("/engine") << QStringLiteral("unknown engine 'rase'");
    QTest::newRow("unknown object type") << QByteArray("\"type\": \"value\"") << QByteArray("\"type\": \"valu\"")
                                         << QStringLiteral("/objects/0/type") << QStringLiteral("unknown object type");
    QTest::newRow("uses undeclared object") << QByteArray("\"uses\": [\"counter\"]") << QByteArray("\"uses\": [\"lock\"]")
                                            << QStringLiteral("/processes/0/uses/0") << QStringLiteral("not declared in /objects");
    QTest::newRow("unknown key") << QByteArray("\"format\": 1,") << QByteArray("\"format\": 1, \"colour\": 3,")
                                 << QStringLiteral("/colour") << QStringLiteral("unknown key");
    QTest::newRow("wrong type") << QByteArray("\"min\": 1,") << QByteArray("\"min\": \"one\",")
                                << QStringLiteral("/params/0/min") << QStringLiteral("must be a number");
    QTest::newRow("duplicate group") << QByteArray("\"uses\": [\"counter\"]}]")
                                     << QByteArray("\"uses\": [\"counter\"]}, {\"group\": \"counter\", \"role\": \"idle\"}]")
                                     << QStringLiteral("/processes/1/group") << QStringLiteral("declared twice");
    QTest::newRow("not an object") << QByteArray("\"objects\": [{\"name\": \"counter\", \"type\": \"value\"}]")
                                   << QByteArray("\"objects\": [42]") << QStringLiteral("/objects/0")
                                   << QStringLiteral("must be an object");
    QTest::newRow("no processes") << QByteArray("\"processes\": [{\"group\": \"counter\", \"role\": \"counter\", \"count\": \"processes\", \"uses\": [\"counter\"]}]")
                                  << QByteArray("\"processes\": []") << QStringLiteral("/processes")
                                  << QStringLiteral("at least one");
    QTest::newRow("future format") << QByteArray("\"format\": 1,") << QByteArray("\"format\": 7,")
                                   << QStringLiteral("/format") << QStringLiteral("not supported");
    QTest::newRow("challenge goal names no field")
        << QByteArray("\"format\": 1,")
        << QByteArray("\"format\": 1, \"challenge\": {\"text\": \"Lose one.\", \"goal\": \"steps > 0 and lots > 0\"},")
        << QStringLiteral("/challenge/goal") << QStringLiteral("lots");
    QTest::newRow("challenge goal not an expression")
        << QByteArray("\"format\": 1,")
        << QByteArray("\"format\": 1, \"challenge\": {\"text\": \"Lose one.\", \"goal\": \"lost > 0 } oops\"},")
        << QStringLiteral("/challenge/goal") << QStringLiteral("no '|'");
    QTest::newRow("challenge without goal")
        << QByteArray("\"format\": 1,") << QByteArray("\"format\": 1, \"challenge\": {\"text\": \"Lose one.\"},")
        << QStringLiteral("/challenge") << QStringLiteral("goal");
    QTest::newRow("challenge with a stray key")
        << QByteArray("\"format\": 1,")
        << QByteArray("\"format\": 1, \"challenge\": {\"text\": \"x\", \"goal\": \"lost > 0\", \"prize\": 1},")
        << QStringLiteral("/challenge") << QStringLiteral("prize");
    QTest::newRow("python file missing") << QByteArray("\"python\": \"print('hello')\"") << QByteArray("\"python\": \"nowhere.py\"")
                                         << QStringLiteral("/python") << QStringLiteral("not found");
}

void TestScenarioFile::malformed()
{
    QFETCH(QByteArray, from);
    QFETCH(QByteArray, to);
    QFETCH(QString, place);
    QFETCH(QString, problem);
    QByteArray json = validFile();
    QVERIFY2(json.contains(from), from.constData()); // the case still edits something
    json.replace(from, to);
    auto d = parseScenario(json, "lecture.json");
    QVERIFY(!d);
    const QString message = QString::fromStdString(d.error().message);
    QVERIFY2(message.startsWith(QStringLiteral("lecture.json: ")), qPrintable(message));
    QVERIFY2(message.contains(place), qPrintable(message));
    QVERIFY2(message.contains(problem), qPrintable(message));
}

void TestScenarioFile::missingFileAndSyntaxPosition()
{
    auto missing = loadScenarioFile(QStringLiteral("/nonexistent/dir/x.json"));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Errc::NotFound);
    QVERIFY(QString::fromStdString(missing.error().message).contains(QStringLiteral("/nonexistent/dir/x.json")));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("broken.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\n  \"name\": \"x\",\n  \"title\" \"no colon\"\n}\n");
    f.close();
    auto broken = loadScenarioFile(path);
    QVERIFY(!broken);
    const QString message = QString::fromStdString(broken.error().message);
    QVERIFY2(message.contains(path) && message.contains(QStringLiteral("line 3")), qPrintable(message));
    // Not an object at all.
    auto notObject = parseScenario("[1, 2]", "list.json");
    QVERIFY(!notObject);
    QVERIFY(QString::fromStdString(notObject.error().message).contains(QStringLiteral("must be an object")));
}

QTEST_GUILESS_MAIN(TestScenarioFile)
#include "tst_scenario_file.moc"
