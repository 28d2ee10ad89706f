// Each lesson of the catalog, run briefly with real processes, shows the
// effect it teaches. (Engines with suites of their own -- race, messaging,
// manager -- are tested there; this suite covers the rest and the catalog.)
#include "scenario.h"
#include "scenario_file.h"
#include "test_support.h"

#include <QDir>
#include <QJsonArray>

using namespace ipc;

namespace {

// Starts a lesson with the given parameters and waits (bounded) for it to end.
QJsonObject runToEnd(const char *name, std::initializer_list<std::pair<const char *, double>> params,
                     int timeoutMs = 60000)
{
    auto s = createScenario(name);
    if (!s) qFatal("%s", s.error().message.c_str());
    for (auto [k, v] : params)
        if (auto ok = (*s)->setParam(k, v); !ok) qFatal("%s", ok.error().message.c_str());
    if (auto ok = (*s)->start(); !ok) qFatal("%s", ok.error().message.c_str());
    const bool done = waitFor([&] { return (*s)->finished(); }, timeoutMs);
    (*s)->stop();
    if (!done) qWarning("%s did not finish in time", name);
    QJsonObject r = (*s)->result();
    r.insert(QStringLiteral("_finished"), done);
    return r;
}

} // namespace

class TestLessons : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void catalogListsEveryFile();
    void isolation();
    void barrierPrint();
};

void TestLessons::catalogListsEveryFile()
{
    const auto catalog = scenarioCatalog();
    const QStringList files = QDir(QStringLiteral(":/scenarios")).entryList({QStringLiteral("*.json")});
    QCOMPARE(catalog.size(), std::size_t(files.size()));
    for (const ScenarioInfo &i : catalog) {
        QVERIFY(!i.title.empty());
        QVERIFY(!i.summary.empty());
        auto s = createScenario(i.name);
        QVERIFY2(s, i.name.c_str());
        QVERIFY((*s)->definition() != nullptr);
        QVERIFY(!(*s)->definition()->question.empty());
        QVERIFY(!(*s)->definition()->python.empty());
    }
}

void TestLessons::isolation()
{
    const QJsonObject r = runToEnd("isolation", {{"processes", 3}, {"increments", 2000}});
    QVERIFY(r.value(QStringLiteral("_finished")).toBool());
    QCOMPARE(r.value(QStringLiteral("parent_global")).toDouble(), 0.0);
    const QJsonArray children = r.value(QStringLiteral("child_globals")).toArray();
    QCOMPARE(children.size(), 3);
    for (const QJsonValue &c : children) QCOMPARE(c.toDouble(), 2000.0);
    QCOMPARE(r.value(QStringLiteral("shared")).toDouble(), 6000.0);
}

void TestLessons::barrierPrint()
{
    // Without the lock the characters of the printers mix (on 2 cores with a
    // yield between characters this happens in practically every run; allow
    // a few attempts so a lucky schedule cannot fail the suite).
    bool garbled = false;
    for (int attempt = 0; attempt < 5 && !garbled; ++attempt) {
        const QJsonObject off = runToEnd("barrier-print", {{"processes", 4}, {"phases", 4}, {"lock", 0}});
        QVERIFY(off.value(QStringLiteral("_finished")).toBool());
        QCOMPARE(off.value(QStringLiteral("phases_completed")).toDouble(), 4.0);
        garbled = off.value(QStringLiteral("garbled_lines")).toDouble() > 0;
    }
    QVERIFY(garbled);
    // With it, all 16 lines are whole, in every run.
    for (int run = 0; run < 3; ++run) {
        const QJsonObject on = runToEnd("barrier-print", {{"processes", 4}, {"phases", 4}, {"lock", 1}});
        QVERIFY(on.value(QStringLiteral("_finished")).toBool());
        QCOMPARE(on.value(QStringLiteral("lines")).toDouble(), 16.0);
        QCOMPARE(on.value(QStringLiteral("clean_lines")).toDouble(), 16.0);
        QCOMPARE(on.value(QStringLiteral("garbled_lines")).toDouble(), 0.0);
    }
}

QTEST_GUILESS_MAIN(TestLessons)
#include "tst_lessons.moc"
