// SharedMemoryBlock: named blocks with typed views, and the chunk worker
// computing over one block from several real ipc-worker processes.
#include "chunk_transform.h"
#include "run.h"
#include "shared_memory_block.h"
#include "test_support.h"
#include "worker.h"

#include <cstring>
#include <numeric>

using namespace ipc;

namespace {

// Unlinks at scope exit whatever the test did, so a failed QVERIFY cannot
// leave a name in /dev/shm.
struct NameGuard {
    std::string name;
    ~NameGuard() { (void)SharedMemory::unlink(name); }
};

} // namespace

class TestSharedMemoryBlock : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createAttachAndShare();
    void collisionAndAttachAfterUnlink();
    void closeAndUnlinkSemantics();
    void typedViews();
    void wrongTypeIsRefused();
    void foreignSegmentIsRefused_data();
    void foreignSegmentIsRefused();
    void badArguments();
    void creatorUnlinksOnDestruction();
    void childSeesWritesThroughName();
    void chunkedComputeEqualsSerial_data();
    void chunkedComputeEqualsSerial();
    void chunkOverArenaArrayWithLock();
    void chunkRoleRejectsBadOptions();
};

void TestSharedMemoryBlock::createAttachAndShare()
{
    NameGuard g{test::uniqueName("blk")};
    auto created = SharedMemoryBlock::create(g.name, 1000);
    QVERIFY2(created, created ? "" : created.error().toString().c_str());
    QCOMPARE(created->capacity(), std::size_t(1000));
    QVERIFY(!created->typed());
    QCOMPARE(created->attachedCount(), 0u);
    std::memcpy(created->bytes().data(), "hello", 5);

    auto attached = SharedMemoryBlock::attach(g.name);
    QVERIFY(attached);
    QCOMPARE(attached->capacity(), std::size_t(1000));
    QCOMPARE(std::memcmp(attached->bytes().data(), "hello", 5), 0);
    QCOMPARE(created->attachedCount(), 1u);
    QVERIFY(!attached->ownsName());
    QVERIFY(created->ownsName());
    // A leading '/' names the same block, as shm_open does.
    auto slashed = SharedMemoryBlock::attach("/" + g.name);
    QVERIFY(slashed);
    QCOMPARE(created->attachedCount(), 2u);
    QVERIFY(created->unlink());
}

void TestSharedMemoryBlock::collisionAndAttachAfterUnlink()
{
    NameGuard g{test::uniqueName("blk")};
    auto first = SharedMemoryBlock::create(g.name, 64);
    QVERIFY(first);
    auto second = SharedMemoryBlock::create(g.name, 64);
    QVERIFY(!second);
    QCOMPARE(second.error().code, Errc::AlreadyExists);

    QVERIFY(first->unlink());
    auto late = SharedMemoryBlock::attach(g.name);
    QVERIFY(!late);
    QCOMPARE(late.error().code, Errc::NotFound);
    QVERIFY2(late.error().message.find("unlinked") != std::string::npos, late.error().message.c_str());
    auto again = SharedMemoryBlock::unlink(g.name);
    QVERIFY(!again);
    QCOMPARE(again.error().code, Errc::NotFound);
    // The unlinked block's memory stays usable by whoever still maps it.
    first->bytes()[0] = std::byte{7};
    QCOMPARE(first->bytes()[0], std::byte{7});
    auto never = SharedMemoryBlock::attach(test::uniqueName("never"));
    QVERIFY(!never);
    QCOMPARE(never.error().code, Errc::NotFound);
}

void TestSharedMemoryBlock::closeAndUnlinkSemantics()
{
    NameGuard g{test::uniqueName("blk")};
    auto created = SharedMemoryBlock::createArray<std::int64_t>(g.name, 8);
    QVERIFY(created);
    (*created->view<std::int64_t>())[3] = 33;
    {
        auto attached = SharedMemoryBlock::attach(g.name);
        QVERIFY(attached);
        attached->close();
        attached->close(); // idempotent
        QVERIFY(!attached->isOpen());
        QVERIFY(attached->bytes().empty());
        auto closedView = attached->view<std::int64_t>();
        QVERIFY(!closedView);
        QCOMPARE(closedView.error().code, Errc::Closed);
    }
    // Closing one attachment touched neither the name nor the data.
    auto again = SharedMemoryBlock::attach(g.name);
    QVERIFY(again);
    QCOMPARE((*again->view<std::int64_t>())[3], std::int64_t(33));
    QVERIFY(SharedMemoryBlock::unlink(g.name));
}

void TestSharedMemoryBlock::typedViews()
{
    NameGuard a{test::uniqueName("i32")}, b{test::uniqueName("i64")}, c{test::uniqueName("dbl")};
    auto i32 = SharedMemoryBlock::createArray<std::int32_t>(a.name, 10);
    auto i64 = SharedMemoryBlock::createArray<std::int64_t>(b.name, 10);
    auto dbl = SharedMemoryBlock::create(c.name, 100); // untyped first, as Python's buffer
    QVERIFY(i32 && i64 && dbl);
    QVERIFY(dbl->setType<double>(12));
    QVERIFY(dbl->setType<double>(12)); // same shape again: fine
    auto retype = dbl->setType<double>(11);
    QVERIFY(!retype);
    QCOMPARE(retype.error().code, Errc::InvalidArgument);

    auto v32 = i32->view<std::int32_t>();
    auto v64 = i64->view<std::int64_t>();
    auto vd = dbl->view<double>();
    QVERIFY(v32 && v64 && vd);
    QCOMPARE(v32->size(), std::size_t(10));
    QCOMPARE(v64->size(), std::size_t(10));
    QCOMPARE(vd->size(), std::size_t(12));
    std::iota(v32->begin(), v32->end(), -5);
    (*v64)[9] = std::int64_t(1) << 40;
    (*vd)[11] = 2.5;

    auto r32 = SharedMemoryBlock::attach(a.name);
    auto r64 = SharedMemoryBlock::attach(b.name);
    auto rd = SharedMemoryBlock::attach(c.name);
    QVERIFY(r32 && r64 && rd);
    QCOMPARE(r32->elementType(), ElementType::Int32);
    QCOMPARE(r32->count(), std::size_t(10));
    QCOMPARE((*r32->view<std::int32_t>())[0], -5);
    QCOMPARE((*r64->view<std::int64_t>())[9], std::int64_t(1) << 40);
    QCOMPARE((*rd->view<double>())[11], 2.5);
    QVERIFY(i32->unlink() && i64->unlink() && dbl->unlink());
}

void TestSharedMemoryBlock::wrongTypeIsRefused()
{
    NameGuard g{test::uniqueName("blk")};
    auto created = SharedMemoryBlock::createArray<double>(g.name, 4);
    QVERIFY(created);
    auto attached = SharedMemoryBlock::attach(g.name);
    QVERIFY(attached);
    auto asInt = attached->view<std::int64_t>();
    QVERIFY(!asInt);
    QCOMPARE(asInt.error().code, Errc::InvalidArgument);
    QVERIFY2(asInt.error().message.find("holds double, not int64") != std::string::npos,
             asInt.error().message.c_str());
    auto asInt32 = attached->view<std::int32_t>();
    QVERIFY(!asInt32);
    // Typing a typed block differently is refused too.
    auto retype = attached->setType<std::int32_t>(8);
    QVERIFY(!retype);
    QCOMPARE(retype.error().code, Errc::InvalidArgument);
    // An untyped block has no array view until someone types it.
    NameGuard u{test::uniqueName("raw")};
    auto raw = SharedMemoryBlock::create(u.name, 16);
    QVERIFY(raw);
    auto rawView = raw->view<double>();
    QVERIFY(!rawView);
    QCOMPARE(rawView.error().code, Errc::InvalidArgument);
    auto tooMany = raw->setType<double>(3); // 24 bytes into 16
    QVERIFY(!tooMany);
    QCOMPARE(tooMany.error().code, Errc::TooLarge);
    QVERIFY(created->unlink() && raw->unlink());
}

void TestSharedMemoryBlock::foreignSegmentIsRefused_data()
{
    QTest::addColumn<int>("damage");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain segment") << 0 << QStringLiteral("bad magic");
    QTest::newRow("version") << 1 << QStringLiteral("layout version");
    QTest::newRow("capacity") << 2 << QStringLiteral("payload bytes");
    QTest::newRow("element type") << 3 << QStringLiteral("unknown element type");
    QTest::newRow("count") << 4 << QStringLiteral("do not fit");
    QTest::newRow("tiny segment") << 5 << QStringLiteral("too small");
}

void TestSharedMemoryBlock::foreignSegmentIsRefused()
{
    QFETCH(int, damage);
    QFETCH(QString, expected);
    NameGuard g{test::uniqueName("foreign")};
    SharedMemoryBlock keeper; // the damaged block's creator, alive until the end
    if (damage == 0 || damage == 5) {
        // Some other program's segment under the name.
        auto seg = SharedMemory::create(g.name, damage == 5 ? 16 : 4096);
        QVERIFY(seg);
        std::memset(seg->data(), 0xab, seg->size());
    } else {
        auto block = SharedMemoryBlock::createArray<double>(g.name, 16);
        QVERIFY(block);
        auto raw = SharedMemory::open(g.name);
        QVERIFY(raw);
        auto *h = static_cast<BlockHeader *>(raw->data());
        switch (damage) {
        case 1: h->version = 42; break;
        case 2: h->capacity = raw->size() * 2; break;
        case 3: h->elementType.store(9); break;
        case 4: h->count.store(17); break;
        }
        keeper = std::move(*block);
    }
    auto attached = SharedMemoryBlock::attach(g.name);
    QVERIFY(!attached);
    QCOMPARE(attached.error().code, Errc::Corrupt);
    QVERIFY2(QString::fromStdString(attached.error().message).contains(expected),
             attached.error().message.c_str());
    QVERIFY(SharedMemory::unlink(g.name));
}

void TestSharedMemoryBlock::badArguments()
{
    auto zero = SharedMemoryBlock::create(test::uniqueName("zero"), 0);
    QVERIFY(!zero);
    QCOMPARE(zero.error().code, Errc::InvalidArgument);
    auto badName = SharedMemoryBlock::create("no/slashes", 8);
    QVERIFY(!badName);
    QCOMPARE(badName.error().code, Errc::InvalidArgument);
    auto huge = SharedMemoryBlock::create(test::uniqueName("huge"), SharedMemory::kMaxSize);
    QVERIFY(!huge);
    QCOMPARE(huge.error().code, Errc::TooLarge);
    auto noElements = SharedMemoryBlock::createArray<double>(test::uniqueName("none"), 0);
    QVERIFY(!noElements);
    QCOMPARE(noElements.error().code, Errc::InvalidArgument);
    SharedMemoryBlock empty;
    QVERIFY(!empty.isOpen());
    QCOMPARE(empty.view<double>().error().code, Errc::Closed);
}

void TestSharedMemoryBlock::creatorUnlinksOnDestruction()
{
    const std::string name = test::uniqueName("owned");
    {
        auto created = SharedMemoryBlock::create(name, 32);
        QVERIFY(created);
        auto moved = std::move(*created); // ownership moves with the object
        QVERIFY(moved.ownsName());
        QVERIFY(!created->ownsName());
        created->close(); // the moved-from object must not unlink
        QVERIFY(SharedMemoryBlock::attach(name));
    }
    auto gone = SharedMemoryBlock::attach(name);
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, Errc::NotFound);
}

void TestSharedMemoryBlock::childSeesWritesThroughName()
{
    NameGuard g{test::uniqueName("child")};
    auto created = SharedMemoryBlock::createArray<std::int32_t>(g.name, 4);
    QVERIFY(created);
    const std::string name = g.name;
    test::ForkedChild child([name] {
        auto b = SharedMemoryBlock::attach(name);
        if (!b) return 3;
        auto v = b->view<std::int32_t>();
        if (!v) return 4;
        (*v)[2] = 1234;
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE((*created->view<std::int32_t>())[2], 1234);
    QVERIFY(created->unlink());
}

void TestSharedMemoryBlock::chunkedComputeEqualsSerial_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<double>("k");
    QTest::addColumn<int>("rounds");
    QTest::newRow("square") << QStringLiteral("square") << 0.0 << 1;
    QTest::newRow("scale 1.000001 x3") << QStringLiteral("scale") << 1.000001 << 3;
    QTest::newRow("add 0.1") << QStringLiteral("add") << 0.1 << 1;
    QTest::newRow("cube") << QStringLiteral("cube") << 0.0 << 1;
}

void TestSharedMemoryBlock::chunkedComputeEqualsSerial()
{
    QFETCH(QString, op);
    QFETCH(double, k);
    QFETCH(int, rounds);
    constexpr std::size_t kN = 1'000'000;
    constexpr int kWorkers = 4;
    NameGuard g{test::uniqueName("chunks")};
    auto block = SharedMemoryBlock::createArray<double>(g.name, kN);
    QVERIFY(block);
    std::span<double> data = *block->view<double>();
    std::vector<double> serial(kN);
    for (std::size_t i = 0; i < kN; ++i) data[i] = serial[i] = double(i) * 0.001 - 123.25;

    auto run = Run::create();
    QVERIFY(run);
    const std::string opName = op.toStdString();
    for (int w = 0; w < kWorkers; ++w) {
        // Uneven split on purpose: the last chunk takes the remainder.
        const std::size_t start = kN / kWorkers * std::size_t(w);
        const std::size_t end = w == kWorkers - 1 ? kN : start + kN / kWorkers;
        auto spawned = (*run)->spawn("chunk", {"--block", g.name, "--start", std::to_string(start),
                                               "--end", std::to_string(end), "--op", opName, "--k",
                                               QString::number(k, 'g', 17).toStdString(),
                                               "--rounds", std::to_string(rounds)});
        QVERIFY(spawned);
    }
    // Unlink as soon as everyone is in: a crash from here on leaks nothing.
    QVERIFY(block->waitForAttached(kWorkers, std::chrono::seconds(20)));
    QVERIFY(block->unlink());
    QVERIFY((*run)->waitAll(std::chrono::seconds(60)));
    std::uint64_t elements = 0;
    for (std::uint32_t w = 0; w < kWorkers; ++w) {
        QCOMPARE((*run)->process(w).exitCode(), std::optional<int>(0));
        elements += (*run)->slot(w).ops.load();
    }
    QCOMPARE(elements, std::uint64_t(kN) * std::uint64_t(rounds));

    auto parsed = parseChunkOp(opName);
    QVERIFY(parsed);
    for (int r = 0; r < rounds; ++r) transformChunk(*parsed, k, std::span<double>(serial));
    // Bit-exact, not approximately equal.
    QVERIFY(std::memcmp(serial.data(), data.data(), kN * sizeof(double)) == 0);
}

void TestSharedMemoryBlock::chunkOverArenaArrayWithLock()
{
    auto run = Run::create(16 << 20);
    QVERIFY(run);
    constexpr std::size_t kN = 100'000;
    auto array = (*run)->arena().make<SharedArray<std::int64_t>>("ints", kN);
    QVERIFY(array);
    auto doubles = (*run)->arena().make<SharedArray<double>>("numbers", kN);
    QVERIFY(doubles);
    for (std::size_t i = 0; i < kN; ++i) (*doubles)->elements()[i] = double(i);
    for (int w = 0; w < 2; ++w) {
        const std::size_t start = kN / 2 * std::size_t(w);
        auto spawned = (*run)->spawn("chunk", {"--array", "numbers", "--start", std::to_string(start),
                                               "--end", std::to_string(start + kN / 2), "--op",
                                               "add", "--k", "1.5", "--lock", "on", "--batch", "1000"});
        QVERIFY(spawned);
    }
    // An Array of another element type is refused, not misread.
    auto wrong = (*run)->spawn("chunk", {"--array", "ints"});
    QVERIFY(wrong);
    QVERIFY((*run)->waitAll(std::chrono::seconds(30)));
    QCOMPARE((*run)->process(0).exitCode(), std::optional<int>(0));
    QCOMPARE((*run)->process(1).exitCode(), std::optional<int>(0));
    QCOMPARE((*run)->process(2).exitCode(), std::optional<int>(kExitRuntimeError));
    for (std::size_t i = 0; i < kN; ++i) QCOMPARE((*doubles)->elements()[i], double(i) + 1.5);
    // 50 batches each, every one under the lock.
    QCOMPARE((*doubles)->getLock().acquisitions(), std::uint64_t(100));
}

void TestSharedMemoryBlock::chunkRoleRejectsBadOptions()
{
    NameGuard g{test::uniqueName("opts")};
    auto block = SharedMemoryBlock::createArray<double>(g.name, 100);
    QVERIFY(block);
    const std::vector<std::vector<std::string>> bad = {
        {"--block", g.name, "--op", "frobnicate"},
        {"--block", g.name, "--start", "50", "--end", "10"},
        {"--block", g.name, "--end", "101"},
        {"--block", g.name, "--array", "x"},
        {"--block", g.name, "--lock", "on"},
        {"--block", g.name, "--colour", "blue"},
    };
    auto run = Run::create();
    QVERIFY(run);
    for (const auto &args : bad) QVERIFY((*run)->spawn("chunk", args));
    auto missing = (*run)->spawn("chunk", {"--block", test::uniqueName("missing")});
    QVERIFY(missing);
    QVERIFY((*run)->waitAll(std::chrono::seconds(30)));
    for (std::uint32_t i = 0; i < bad.size(); ++i)
        QCOMPARE((*run)->process(i).exitCode(), std::optional<int>(kExitUsage));
    QCOMPARE((*run)->process(*missing).exitCode(), std::optional<int>(kExitRuntimeError));
    const std::span<double> untouched = *block->view<double>();
    for (double x : untouched) QCOMPARE(x, 0.0);
    QVERIFY(block->unlink());
}

QTEST_GUILESS_MAIN(TestSharedMemoryBlock)
#include "tst_shared_memory_block.moc"
