// Arena: objects by name and offset, and refusal of foreign or damaged segments.
#include "arena.h"
#include "board.h"
#include "control_block.h"
#include "lock.h"
#include "shared_value.h"
#include "test_support.h"

#include <cstring>

using namespace ipc;

class TestArena : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void makeAndFind();
    void findWrongKind();
    void duplicateAndMissingNames();
    void fullArena();
    void attachByFdInChild();
    void rejectsDamagedHeader_data();
    void rejectsDamagedHeader();
    void attachNamedAndUnlink();
    void arrayLengthsOverTheLimit();
    void valueLockIsAnRLockUnlessAskedOtherwise();
    void rawValuesAcrossProcesses();
    void typecodes();
};

void TestArena::makeAndFind()
{
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    auto v = arena->make<SharedValue<std::int64_t>>("counter", 41);
    QVERIFY(v);
    (*v)->store((*v)->load() + 1);
    auto again = arena->find<SharedValue<std::int64_t>>("counter");
    QVERIFY(again);
    QCOMPARE((*again)->load(), 42);
    QCOMPARE(arena->objects().size(), std::size_t(1));
    QCOMPARE(arena->indexOf(*v), 0u);
    QCOMPARE((*v)->objectIndex, 0u);
}

void TestArena::findWrongKind()
{
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    QVERIFY(arena->make<Lock>("l"));
    QVERIFY(arena->make<SharedValue<double>>("d", 1.5));
    auto asValue = arena->find<SharedValue<std::int64_t>>("l");
    QVERIFY(!asValue);
    QCOMPARE(asValue.error().code, Errc::InvalidArgument);
    QVERIFY(asValue.error().message.find("is a Lock") != std::string::npos);
    // Right kind, wrong element type.
    auto asInt = arena->find<SharedValue<std::int64_t>>("d");
    QVERIFY(!asInt);
    QVERIFY(asInt.error().message.find("double") != std::string::npos);
}

void TestArena::duplicateAndMissingNames()
{
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    QVERIFY(arena->make<Lock>("x"));
    auto dup = arena->make<Lock>("x");
    QVERIFY(!dup);
    QCOMPARE(dup.error().code, Errc::AlreadyExists);
    auto missing = arena->find<Lock>("nope");
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Errc::NotFound);
    auto empty = arena->make<Lock>("");
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, Errc::InvalidArgument);
    auto longName = arena->make<Lock>(std::string(80, 'n'));
    QVERIFY(!longName);
    QCOMPARE(longName.error().code, Errc::InvalidArgument);
}

void TestArena::fullArena()
{
    auto arena = Arena::create(64 * 1024);
    QVERIFY(arena);
    auto big = arena->make<SharedArray<double>>("big", std::size_t(1) << 20);
    QVERIFY(!big);
    QCOMPARE(big.error().code, Errc::TooLarge);
    // The directory holds kMaxObjects entries, then says Full.
    auto roomy = Arena::create(1 << 20);
    QVERIFY(roomy);
    for (std::uint32_t i = 0; i < ArenaHeader::kMaxObjects; ++i)
        QVERIFY(roomy->make<Lock>("l" + std::to_string(i)));
    auto extra = roomy->make<Lock>("one-too-many");
    QVERIFY(!extra);
    QCOMPARE(extra.error().code, Errc::Full);
}

void TestArena::attachByFdInChild()
{
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    auto v = arena->make<SharedValue<std::int32_t>>("v", 0);
    QVERIFY(v);
    const int fd = arena->fd();
    test::ForkedChild child([fd] {
        // A fresh mapping from the descriptor, as ipc-worker does.
        auto attached = Arena::attachFd(dup(fd));
        if (!attached) return 3;
        auto value = attached->find<SharedValue<std::int32_t>>("v");
        if (!value) return 4;
        (*value)->store(7);
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE((*v)->load(), 7);
}

void TestArena::rejectsDamagedHeader_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("expected");
    QTest::newRow("magic") << 0 << QStringLiteral("bad magic");
    QTest::newRow("version") << 1 << QStringLiteral("layout version");
    QTest::newRow("size") << 2 << QStringLiteral("segment has");
    QTest::newRow("count") << 3 << QStringLiteral("objects, at most");
    QTest::newRow("entry bounds") << 4 << QStringLiteral("outside the used part");
    QTest::newRow("used") << 5 << QStringLiteral("used size");
}

void TestArena::rejectsDamagedHeader()
{
    QFETCH(int, field);
    QFETCH(QString, expected);
    const std::string name = test::uniqueName("damaged");
    {
        auto arena = Arena::createNamed(name, 1 << 16);
        QVERIFY(arena);
        QVERIFY(arena->make<Lock>("l"));
    }
    {
        auto raw = SharedMemory::open(name);
        QVERIFY(raw);
        auto *h = static_cast<ArenaHeader *>(raw->data());
        switch (field) {
        case 0: h->magic ^= 1; break;
        case 1: h->version = 99; break;
        case 2: h->size = 12345; break;
        case 3: h->count.store(1000); break;
        case 4: h->entries[0].offset = raw->size() * 4; break;
        case 5: h->used.store(raw->size() + 64); break;
        }
    }
    auto attached = Arena::attachNamed(name);
    QVERIFY(SharedMemory::unlink(name));
    QVERIFY(!attached);
    QCOMPARE(attached.error().code, Errc::Corrupt);
    QVERIFY2(QString::fromStdString(attached.error().message).contains(expected),
             attached.error().message.c_str());
}

void TestArena::attachNamedAndUnlink()
{
    const std::string name = test::uniqueName("named");
    {
        auto arena = Arena::createNamed(name, 1 << 16);
        QVERIFY(arena);
        QVERIFY(arena->make<ControlBlock>("control"));
    }
    auto attached = Arena::attachNamed(name);
    QVERIFY(attached);
    QVERIFY(attached->find<ControlBlock>("control"));
    QVERIFY(SharedMemory::unlink(name));
    auto gone = Arena::attachNamed(name);
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, Errc::NotFound);
    // Too small to be an arena at all.
    auto tiny = Arena::create(128);
    QVERIFY(!tiny);
    QCOMPARE(tiny.error().code, Errc::InvalidArgument);
}

void TestArena::arrayLengthsOverTheLimit()
{
    // A length whose byte count would wrap (SIZE_MAX elements) or exceed
    // the limit is refused with the limit; one that fits the limit but not
    // the arena is TooLarge too; none writes anything.
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    const std::size_t lengths[] = {SIZE_MAX, SIZE_MAX / 2, SIZE_MAX / 8 + 1, SharedArray<double>::kMaxLength + 1};
    for (std::size_t n : lengths) {
        auto a = arena->make<SharedArray<double>>("a", n);
        QVERIFY(!a);
        QCOMPARE(a.error().code, Errc::TooLarge);
        QVERIFY2(a.error().message.find(std::to_string(SharedArray<double>::kMaxLength)) != std::string::npos,
                 a.error().message.c_str());
    }
    auto big = arena->make<SharedArray<std::int64_t>>("a", SharedArray<std::int64_t>::kMaxLength);
    QVERIFY(!big);
    QCOMPARE(big.error().code, Errc::TooLarge);
    // The arena is untouched: a small array still fits, and the empty one.
    QVERIFY(arena->make<SharedArray<std::int32_t>>("small", 16));
    auto empty = arena->make<SharedArray<std::int32_t>>("empty", 0);
    QVERIFY(empty);
    QCOMPARE((*empty)->size(), std::size_t(0));
    QCOMPARE(arena->objects().size(), std::size_t(2));
    // A RawArray has the same limit.
    auto raw = arena->make<RawArray<char>>("raw", SIZE_MAX);
    QVERIFY(!raw);
    QCOMPARE(raw.error().code, Errc::TooLarge);
}

void TestArena::valueLockIsAnRLockUnlessAskedOtherwise()
{
    // Python: Value('i', 0).get_lock() is an RLock; Value('i', 0, lock=Lock())
    // a plain one.
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    auto v = arena->make<SharedValue<std::int32_t>>("v", 0);
    auto a = arena->make<SharedArray<std::int64_t>>("a", 4);
    auto plain = arena->make<SharedValue<std::int32_t>>("plain", 0, LockKind::Lock);
    QVERIFY(v && a && plain);
    QVERIFY((*v)->getLock().isRecursive());
    QVERIFY((*a)->getLock().isRecursive());
    QVERIFY(!(*plain)->getLock().isRecursive());

    AnyLock &lock = (*v)->getLock();
    QVERIFY(lock.acquire(kNoWait));
    QVERIFY(lock.acquire(kNoWait)); // with v.get_lock(): with v.get_lock(): ...
    const int fd = arena->fd();
    auto childTries = [fd] {
        return test::ForkedChild([fd] {
            auto attached = Arena::attachFd(dup(fd));
            if (!attached) return 3;
            auto value = attached->find<SharedValue<std::int32_t>>("v");
            if (!value) return 4;
            auto got = (*value)->getLock().acquire(kNoWait);
            if (!got) return got.error().code == Errc::Timeout ? 10 : 5;
            (*value)->store(1);
            return (*value)->getLock().release() ? 0 : 6;
        });
    };
    {
        auto child = childTries();
        QCOMPARE(child.join(), std::optional<int>(10)); // held twice
    }
    QVERIFY(lock.release());
    {
        auto child = childTries();
        QCOMPARE(child.join(), std::optional<int>(10)); // still held once
    }
    QVERIFY(lock.release());
    QCOMPARE(lock.release().error().code, Errc::NotOwner); // released as often as acquired
    {
        auto child = childTries();
        QCOMPARE(child.join(), std::optional<int>(0)); // free now
    }
    QCOMPARE((*v)->load(), 1);

    AnyLock &once = (*plain)->getLock();
    QVERIFY(once.acquire(kNoWait));
    QCOMPARE(once.acquire(kNoWait).error().code, Errc::WouldDeadlock);
    QVERIFY(once.release());
}

void TestArena::rawValuesAcrossProcesses()
{
    // RawValue / RawArray: shared like Value and Array, without a lock; 'h'
    // wraps as a C short does (ctypes.c_short), 'c' holds one byte.
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    auto shortValue = arena->make<RawValue<std::int16_t>>("h", std::int16_t(32766));
    auto letter = arena->make<RawValue<char>>("c", 'a');
    auto shorts = arena->make<RawArray<std::int16_t>>("shorts", 5);
    QVERIFY(shortValue && letter && shorts);
    QCOMPARE((*shorts)->size(), std::size_t(5));
    QCOMPARE((*shorts)->load(4), std::int16_t(0));
    const int fd = arena->fd();
    test::ForkedChild child([fd] {
        auto attached = Arena::attachFd(dup(fd));
        if (!attached) return 3;
        auto h = attached->find<RawValue<std::int16_t>>("h");
        auto c = attached->find<RawValue<char>>("c");
        auto xs = attached->find<RawArray<std::int16_t>>("shorts");
        if (!h || !c || !xs) return 4;
        (*h)->racyAdd(2); // 32766 + 2 wraps to -32768
        (*c)->store(char((*c)->load() + 1));
        for (std::size_t i = 0; i < (*xs)->size(); ++i) (*xs)->store(i, std::int16_t(-100 * std::int16_t(i)));
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE((*shortValue)->load(), std::int16_t(-32768));
    QCOMPARE((*letter)->load(), 'b');
    QCOMPARE((*shorts)->load(3), std::int16_t(-300));

    // Found only as what they are: a RawValue is not a Value, an 'h' not an 'i'.
    auto asValue = arena->find<SharedValue<std::int16_t>>("h");
    QVERIFY(!asValue);
    QCOMPARE(asValue.error().code, Errc::InvalidArgument);
    QVERIFY2(asValue.error().message.find("is a RawValue, not a Value") != std::string::npos,
             asValue.error().message.c_str());
    auto asInt = arena->find<RawValue<std::int32_t>>("h");
    QVERIFY(!asInt);
    QVERIFY2(asInt.error().message.find("holds int16, not int32") != std::string::npos, asInt.error().message.c_str());
}

void TestArena::typecodes()
{
    for (char code : {'h', 'i', 'q', 'd', 'c'}) {
        auto type = typecodeElement(code);
        QVERIFY(type);
        QCOMPARE(elementTypecode(*type), code);
    }
    QCOMPARE(*typecodeElement('l'), ElementType::Int64); // a C long is 64 bits here
    for (char code : {'x', 'f', '\x01'}) {
        auto bad = typecodeElement(code);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, Errc::InvalidArgument);
        QVERIFY2(bad.error().message.find("'h' 'i' 'l' 'q' 'd' 'c'") != std::string::npos, bad.error().message.c_str());
    }
    QVERIFY(typecodeElement('\x01').error().message.find("0x1") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestArena)
#include "tst_arena.moc"
