// The SharedMemory lesson: chunks of one array transformed in place by
// real workers, compared bit for bit with the serial result; the named
// block is unlinked as soon as the workers are in.
#include "catalog.h"
#include "scenario.h"
#include "snapshot.h"
#include "test_support.h"

#include <QDir>
#include <QJsonObject>

using namespace ipc;

namespace {

QStringList ourBlocks()
{
    return QDir(QStringLiteral("/dev/shm"))
        .entryList({QStringLiteral("ipc-shm-%1-*").arg(getpid())}, QDir::Files | QDir::System);
}

} // namespace

class TestSharedMemoryScenario : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chunksEqualSerial_data();
    void chunksEqualSerial();
    void stoppedEarlyIsNotCorrect();
};

void TestSharedMemoryScenario::chunksEqualSerial_data()
{
    QTest::addColumn<bool>("array");
    QTest::addColumn<bool>("lock");
    QTest::addColumn<int>("op");
    QTest::newRow("block, add") << false << false << 3;
    QTest::newRow("block, square") << false << false << 0;
    QTest::newRow("array, scale, no lock") << true << false << 2;
    QTest::newRow("array, scale, lock") << true << true << 2;
}

void TestSharedMemoryScenario::chunksEqualSerial()
{
    QFETCH(bool, array);
    QFETCH(bool, lock);
    QFETCH(int, op);
    auto s = createScenario("shared-memory");
    QVERIFY(s);
    QVERIFY((*s)->setParam("workers", 4));
    QVERIFY((*s)->setParam("elements", 1'000'000));
    QVERIFY((*s)->setParam("rounds", 3));
    QVERIFY((*s)->setParam("op", op));
    QVERIFY((*s)->setParam("k", 1.25));
    QVERIFY((*s)->setParam("pause_us", 0));
    QVERIFY((*s)->setParam("array", array ? 1 : 0));
    QVERIFY((*s)->setParam("lock", lock ? 1 : 0));
    auto started = (*s)->start();
    QVERIFY2(started, started ? "" : started.error().toString().c_str());
    // Everyone attached by now, so the name is already gone.
    QVERIFY(ourBlocks().isEmpty());
    // The window sees the block (a segment outside the arena) through its
    // note: the name the workers attached, all of them, and that it is gone.
    Snapshot snap;
    takeSnapshot(**s, snap);
    const ObjectSnapshot *data = snap.object("data");
    QVERIFY(data);
    QCOMPARE(data->kind, array ? ObjectKind::Array : ObjectKind::BlockNote);
    QVERIFY(!data->internal);
    if (!array) {
        QVERIFY(QString::fromStdString(data->segment).startsWith(QStringLiteral("ipc-shm-%1-").arg(getpid())));
        QCOMPARE(data->length, 1'000'000u);
        QCOMPARE(data->attached, 4u);
        QVERIFY(data->unlinked);
    }
    QVERIFY(waitFor([&] { return (*s)->finished(); }, 60'000));
    const QJsonObject r = (*s)->result();
    QVERIFY(r.value(QStringLiteral("complete")).toBool());
    QVERIFY(r.value(QStringLiteral("correct")).toBool());
    bool sawChunk = false;
    for (const Metric &m : (*s)->metrics())
        if (m.key == "chunk3_progress") sawChunk = m.value == 1.0;
    QVERIFY(sawChunk);
    (*s)->stop();
}

void TestSharedMemoryScenario::stoppedEarlyIsNotCorrect()
{
    auto s = createScenario("shared-memory");
    QVERIFY(s);
    QVERIFY((*s)->setParam("elements", 1'000'000));
    QVERIFY((*s)->setParam("rounds", 1000));
    QVERIFY((*s)->setParam("pause_us", 1000));
    QVERIFY((*s)->start());
    QVERIFY(waitFor([&] {
        for (const Metric &m : (*s)->metrics())
            if (m.key == "progress" && m.value > 0) return true;
        return false;
    }, 30'000));
    (*s)->stop();
    const QJsonObject r = (*s)->result();
    QVERIFY(!r.value(QStringLiteral("complete")).toBool());
    QVERIFY(!r.value(QStringLiteral("correct")).toBool());
    QVERIFY(ourBlocks().isEmpty());
}

QTEST_GUILESS_MAIN(TestSharedMemoryScenario)
#include "tst_shared_memory_scenario.moc"
