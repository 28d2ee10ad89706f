// Each lesson of the catalog, run briefly with real processes, shows the
// effect it teaches. (Engines with suites of their own -- race, messaging,
// manager -- are tested there; this suite covers the rest and the catalog.)
#include "catalog.h"
#include "scenario.h"
#include "scenario_file.h"
#include "test_support.h"

#include <QDir>
#include <QJsonArray>

#include <algorithm>

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
    void boundParametersReachTheControlBlock();
    void isolation();
    void barrierPrint();
    void workerPool();
    void joinDeadlock();
    void ring();
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
        QVERIFY(!(*s)->definition()->question.source().empty());
        QVERIFY(!(*s)->definition()->python.source().empty());
    }
}

// Every parameter an engine binds to a control-block field (ParamSpec::
// drives) is there when the processes start, and a live one follows a
// change at once -- in every lesson, with no code of the engine's own.
void TestLessons::boundParametersReachTheControlBlock()
{
    int bound = 0;
    for (const ScenarioInfo &lesson : scenarioCatalog()) {
        auto s = createScenario(lesson.name);
        QVERIFY2(s, lesson.name.c_str());
        Scenario &sc = **s;
        // The engine binds (info()), the lesson file sets the ranges (lesson()).
        auto fieldOf = [&](const std::string &key) {
            for (const ParamSpec &p : sc.info().params)
                if (p.key == key) return p.control;
            return decltype(ParamSpec::control){};
        };
        // A value other than the default, within range.
        auto other = [](const ParamSpec &p) { return p.defaultValue != p.min ? p.min : std::min(p.max, p.min + 1); };
        for (const ParamSpec &p : sc.lesson().params)
            if (fieldOf(p.key)) QVERIFY2(sc.setParam(p.key, other(p)), p.key.c_str());
        QVERIFY2(sc.start(), lesson.name.c_str());
        const ControlBlock &c = sc.run()->control();
        for (const ParamSpec &p : sc.lesson().params) {
            const auto field = fieldOf(p.key);
            if (!field) continue;
            ++bound;
            QCOMPARE((c.*field).load(), std::uint32_t(sc.param(p.key)));
            if (!p.live) continue;
            const double next = sc.param(p.key) == p.min ? p.min + 1 : p.min;
            QVERIFY2(sc.setParam(p.key, next), p.key.c_str());
            QCOMPARE((c.*field).load(), std::uint32_t(next));
        }
        sc.stop();
    }
    QVERIFY(bound >= 10); // pace in most lessons, and the switches and rates
}

void TestLessons::isolation()
{
    const QJsonObject r = runToEnd("isolation", {{"processes", 3}, {"increments", 2000}, {"pace", 0}});
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
        const QJsonObject off = runToEnd("barrier-print", {{"processes", 4}, {"phases", 4}, {"lock", 0}, {"pace", 0}});
        QVERIFY(off.value(QStringLiteral("_finished")).toBool());
        QCOMPARE(off.value(QStringLiteral("phases_completed")).toDouble(), 4.0);
        garbled = off.value(QStringLiteral("garbled_lines")).toDouble() > 0;
    }
    QVERIFY(garbled);
    // With it, all 16 lines are whole, in every run.
    for (int run = 0; run < 3; ++run) {
        const QJsonObject on = runToEnd("barrier-print", {{"processes", 4}, {"phases", 4}, {"lock", 1}, {"pace", 0}});
        QVERIFY(on.value(QStringLiteral("_finished")).toBool());
        QCOMPARE(on.value(QStringLiteral("lines")).toDouble(), 16.0);
        QCOMPARE(on.value(QStringLiteral("clean_lines")).toDouble(), 16.0);
        QCOMPARE(on.value(QStringLiteral("garbled_lines")).toDouble(), 0.0);
    }
}

void TestLessons::workerPool()
{
    const QJsonObject r = runToEnd("worker-pool", {{"workers", 4}, {"tasks", 60}, {"work_us", 5000}, {"slow_worker", 1}});
    QVERIFY(r.value(QStringLiteral("_finished")).toBool());
    // Every task done exactly once, every result right, by the pool as a whole.
    QCOMPARE(r.value(QStringLiteral("results")).toDouble(), 60.0);
    QCOMPARE(r.value(QStringLiteral("distinct_tasks")).toDouble(), 60.0);
    QCOMPARE(r.value(QStringLiteral("wrong_results")).toDouble(), 0.0);
    const QJsonArray per = r.value(QStringLiteral("tasks_per_worker")).toArray();
    QCOMPARE(per.size(), 4);
    double sum = 0, fastest = 0;
    for (const QJsonValue &v : per) {
        sum += v.toDouble();
        fastest = std::max(fastest, v.toDouble());
    }
    QCOMPARE(sum, 60.0);
    // The slow worker (4x the work per task) takes fewer tasks than the busiest.
    QVERIFY2(per.at(0).toDouble() < fastest, qPrintable(QString::number(per.at(0).toDouble())));
}

void TestLessons::joinDeadlock()
{
    // Without the fix: both processes end up blocked for good (the lesson
    // reports it), and stopping the run ends it cleanly.
    auto s = createScenario("join-deadlock");
    QVERIFY(s);
    QVERIFY((*s)->setParam("items", 12));
    QVERIFY((*s)->setParam("maxsize", 3));
    QVERIFY((*s)->start());
    QVERIFY(waitFor([&] {
        (*s)->poll();
        return (*s)->result().value(QStringLiteral("deadlocked")).toBool();
    }, 20000));
    QCOMPARE((*s)->run()->slot(0).currentState(), ProcState::BlockedPut);
    QCOMPARE((*s)->run()->slot(1).currentState(), ProcState::WaitingJoin);
    // The fix switched on live: the parent drains, the child finishes, both exit.
    QVERIFY((*s)->setParam("fix", 1));
    QVERIFY(waitFor([&] { return (*s)->finished(); }, 20000));
    QJsonObject r = (*s)->result();
    QVERIFY(r.value(QStringLiteral("completed")).toBool());
    QCOMPARE(r.value(QStringLiteral("drained")).toDouble(), 12.0);
    (*s)->stop();

    // With the fix from the start: it never deadlocks.
    r = runToEnd("join-deadlock", {{"items", 12}, {"maxsize", 3}, {"fix", 1}});
    QVERIFY(r.value(QStringLiteral("_finished")).toBool());
    QVERIFY(r.value(QStringLiteral("completed")).toBool());
    QVERIFY(!r.value(QStringLiteral("deadlocked")).toBool());

    // Deadlocked and stopped: every process is reaped.
    auto stuck = createScenario("join-deadlock");
    QVERIFY(stuck);
    QVERIFY((*stuck)->start());
    QVERIFY(waitFor([&] { (*stuck)->poll(); return (*stuck)->result().value(QStringLiteral("deadlocked")).toBool(); }, 20000));
    (*stuck)->stop();
    QVERIFY((*stuck)->finished());
}

void TestLessons::ring()
{
    // A bounded run completes every time step in every stage, the
    // positions travelled the ring, and the particles' state stays finite.
    const QJsonObject r = runToEnd("ring", {{"stages", 4}, {"particles", 8}, {"steps", 300}});
    QVERIFY(r.value(QStringLiteral("_finished")).toBool());
    QCOMPARE(r.value(QStringLiteral("steps")).toDouble(), 300.0);
    QVERIFY(r.value(QStringLiteral("finite")).toBool());
    // 4 stages x 3 hops x 300 steps x 8 particles x 2 doubles x 8 bytes.
    QCOMPARE(r.value(QStringLiteral("ring_bytes")).toDouble(), 4.0 * 3 * 300 * 8 * 2 * 8);

    // Unbounded: runs until stopped; a stage SIGKILLed ends its neighbours
    // (EndOfFile) instead of hanging them, and stop reaps everything.
    auto s = createScenario("ring");
    QVERIFY(s);
    QVERIFY((*s)->start());
    QVERIFY(waitFor([&] { return (*s)->metrics().at(0).value >= 10; }, 20000));
    const auto moving = (*s)->points();
    QCOMPARE(moving.size(), std::size_t(4 * 16));
    QVERIFY((*s)->run()->kill(2));
    QVERIFY(waitFor([&] { return (*s)->finished(); }, 20000));
    (*s)->stop();
}

QTEST_GUILESS_MAIN(TestLessons)
#include "tst_lessons.moc"
