// SharedMemory: named segments (create, open, openOrCreate, unlink, mode
// 0600, validated names and sizes) and anonymous ones a forked child sees.
#include "shared_memory.h"
#include "test_support.h"

#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

using namespace ipc;

namespace {

// Unlinks a name when the test ends, however it ends.
struct Unlinker {
    std::string name;
    ~Unlinker() { (void)SharedMemory::unlink(name); }
};

} // namespace

class TestSharedMemory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createOpenUnlink();
    void createOnExistingNameIsAlreadyExists();
    void openMissingIsNotFound();
    void openOrCreateCreatesThenAttaches();
    void leadingSlashIsTheSameName();
    void invalidNames_data();
    void invalidNames();
    void invalidSizes();
    void createdWithMode0600();
    void anonymousSegmentVisibleToForkedChild();
    void namedSegmentSharedWithChild();
    void attachAfterUnlinkFails();
    void fromFdRejectsBadDescriptors();
    void moveTransfersOwnership();
};

void TestSharedMemory::createOpenUnlink()
{
    const std::string name = test::uniqueName("shm");
    Unlinker guard{name};
    auto created = SharedMemory::create(name, 4096);
    QVERIFY2(created, created ? "" : created.error().toString().c_str());
    QVERIFY(created->isValid());
    QCOMPARE(created->size(), std::size_t(4096));
    QCOMPARE(created->name(), "/" + name);
    std::memcpy(created->data(), "hello", 6);

    auto opened = SharedMemory::open(name);
    QVERIFY(opened);
    QCOMPARE(opened->size(), std::size_t(4096));
    QVERIFY(opened->data() != created->data()); // a second mapping of the same pages
    QCOMPARE(std::string(static_cast<const char *>(opened->data())), std::string("hello"));
    static_cast<char *>(opened->data())[0] = 'J';
    QCOMPARE(static_cast<const char *>(created->data())[0], 'J');

    QVERIFY(SharedMemory::unlink(name));
    auto gone = SharedMemory::unlink(name);
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, Errc::NotFound);
}

void TestSharedMemory::createOnExistingNameIsAlreadyExists()
{
    const std::string name = test::uniqueName("shm");
    Unlinker guard{name};
    auto first = SharedMemory::create(name, 128);
    QVERIFY(first);
    static_cast<char *>(first->data())[0] = 'A';
    auto second = SharedMemory::create(name, 256);
    QVERIFY(!second);
    QCOMPARE(second.error().code, Errc::AlreadyExists);
    QVERIFY(second.error().message.find(name) != std::string::npos);
    // The failed create touched nothing: size and contents are the first's.
    auto opened = SharedMemory::open(name);
    QVERIFY(opened);
    QCOMPARE(opened->size(), std::size_t(128));
    QCOMPARE(static_cast<const char *>(opened->data())[0], 'A');
}

void TestSharedMemory::openMissingIsNotFound()
{
    const std::string name = test::uniqueName("missing");
    auto opened = SharedMemory::open(name);
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, Errc::NotFound);
    QVERIFY(opened.error().message.find(name) != std::string::npos);
}

void TestSharedMemory::openOrCreateCreatesThenAttaches()
{
    const std::string name = test::uniqueName("shm");
    Unlinker guard{name};
    auto first = SharedMemory::openOrCreate(name, 1024);
    QVERIFY(first);
    QCOMPARE(first->size(), std::size_t(1024));
    static_cast<char *>(first->data())[10] = 'x';
    // It exists now: attached, and the existing size wins over the asked one.
    auto second = SharedMemory::openOrCreate(name, 8192);
    QVERIFY(second);
    QCOMPARE(second->size(), std::size_t(1024));
    QCOMPARE(static_cast<const char *>(second->data())[10], 'x');
}

void TestSharedMemory::leadingSlashIsTheSameName()
{
    const std::string name = test::uniqueName("shm");
    Unlinker guard{name};
    auto created = SharedMemory::create("/" + name, 64);
    QVERIFY(created);
    auto opened = SharedMemory::open(name);
    QVERIFY(opened);
    QCOMPARE(opened->name(), created->name());
}

void TestSharedMemory::invalidNames_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QString>("problem");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("is empty");
    QTest::newRow("only slash") << QByteArray("/") << QStringLiteral("is empty");
    QTest::newRow("too long") << QByteArray(int(SharedMemory::kMaxNameLength) + 1, 'a')
                              << QStringLiteral("longer than 200");
    QTest::newRow("inner slash") << QByteArray("ipc-test/x") << QStringLiteral("position 8");
    QTest::newRow("dot dot") << QByteArray("..") << QStringLiteral("must not start with '.'");
    QTest::newRow("dot dot slash") << QByteArray("../etc") << QStringLiteral("must not start with '.'");
    QTest::newRow("hidden") << QByteArray(".ipc-test") << QStringLiteral("must not start with '.'");
    QTest::newRow("space") << QByteArray("ipc test") << QStringLiteral("position 3");
    QTest::newRow("non-ascii") << QByteArray("ipc-t\xc3\xa9st") << QStringLiteral("position 5");
    QTest::newRow("nul inside") << QByteArray("ipc\0test", 8) << QStringLiteral("position 3");
}

void TestSharedMemory::invalidNames()
{
    QFETCH(QByteArray, name);
    QFETCH(QString, problem);
    const std::string_view n(name.constData(), std::size_t(name.size()));
    const auto check = [&](const Result<void> &r, const char *call) {
        QVERIFY2(!r, call);
        QCOMPARE(r.error().code, Errc::InvalidArgument);
        QVERIFY2(QString::fromStdString(r.error().message).contains(problem),
                 (std::string(call) + ": " + r.error().message).c_str());
    };
    check(SharedMemory::validateName(n), "validateName");
    const auto asVoid = [](const Result<SharedMemory> &r) -> Result<void> {
        if (r) return {};
        return std::unexpected(r.error());
    };
    check(asVoid(SharedMemory::create(n, 64)), "create");
    check(asVoid(SharedMemory::open(n)), "open");
    check(asVoid(SharedMemory::openOrCreate(n, 64)), "openOrCreate");
    check(SharedMemory::unlink(n), "unlink");
}

void TestSharedMemory::invalidSizes()
{
    const std::string name = test::uniqueName("size");
    Unlinker guard{name};
    auto zero = SharedMemory::create(name, 0);
    QVERIFY(!zero);
    QCOMPARE(zero.error().code, Errc::InvalidArgument);
    QVERIFY(zero.error().message.find("at least 1 byte") != std::string::npos);
    auto huge = SharedMemory::create(name, SharedMemory::kMaxSize + 1);
    QVERIFY(!huge);
    QCOMPARE(huge.error().code, Errc::TooLarge);
    QVERIFY(huge.error().message.find("exceeds") != std::string::npos);
    QCOMPARE(SharedMemory::openOrCreate(name, 0).error().code, Errc::InvalidArgument);
    // A refused size leaves no segment behind.
    QCOMPARE(SharedMemory::open(name).error().code, Errc::NotFound);

    QCOMPARE(SharedMemory::anonymous(0).error().code, Errc::InvalidArgument);
    QCOMPARE(SharedMemory::anonymous(SharedMemory::kMaxSize + 1).error().code, Errc::TooLarge);
    auto one = SharedMemory::anonymous(1);
    QVERIFY(one);
    QCOMPARE(one->size(), std::size_t(1));
}

void TestSharedMemory::createdWithMode0600()
{
    const std::string name = test::uniqueName("mode");
    Unlinker guard{name};
    // Even with a permissive umask the segment is private to its user.
    const mode_t old = umask(0);
    auto created = SharedMemory::create(name, 64);
    umask(old);
    QVERIFY(created);
    struct stat st{};
    QCOMPARE(fstat(created->fd(), &st), 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0600));
    QCOMPARE(st.st_uid, getuid());
    // Descriptors are close-on-exec: they reach a child only when asked.
    QVERIFY(fcntl(created->fd(), F_GETFD) & FD_CLOEXEC);
}

void TestSharedMemory::anonymousSegmentVisibleToForkedChild()
{
    auto seg = SharedMemory::anonymous(4096, "ipc-test-anon");
    QVERIFY(seg);
    QVERIFY(seg->name().empty());
    QVERIFY(fcntl(seg->fd(), F_GETFD) & FD_CLOEXEC);
    auto *bytes = static_cast<unsigned char *>(seg->data());
    bytes[0] = 1;
    const int fd = seg->fd();
    // The child maps the segment afresh from the descriptor, as a worker
    // does, and writes through its own mapping.
    test::ForkedChild child([fd] {
        auto mine = SharedMemory::fromFd(dup(fd));
        if (!mine) return 3;
        if (mine->size() != 4096) return 4;
        auto *b = static_cast<unsigned char *>(mine->data());
        if (b[0] != 1) return 5;
        b[1] = 2;
        b[4095] = 3;
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE(int(bytes[1]), 2);
    QCOMPARE(int(bytes[4095]), 3);
}

void TestSharedMemory::namedSegmentSharedWithChild()
{
    const std::string name = test::uniqueName("shm");
    Unlinker guard{name};
    auto seg = SharedMemory::create(name, 64);
    QVERIFY(seg);
    test::ForkedChild child([name] {
        auto mine = SharedMemory::open(name);
        if (!mine) return 3;
        std::memcpy(mine->data(), "from child", 11);
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE(std::string(static_cast<const char *>(seg->data())), std::string("from child"));
}

void TestSharedMemory::attachAfterUnlinkFails()
{
    const std::string name = test::uniqueName("shm");
    auto seg = SharedMemory::create(name, 64);
    QVERIFY(seg);
    QVERIFY(SharedMemory::unlink(name));
    auto late = SharedMemory::open(name);
    QVERIFY(!late);
    QCOMPARE(late.error().code, Errc::NotFound);
    // Existing mappings stay valid, as with Python's unlink().
    static_cast<char *>(seg->data())[63] = 'z';
    QCOMPARE(static_cast<const char *>(seg->data())[63], 'z');
    // A child attaching by name fails the same way.
    test::ForkedChild child([name] {
        auto mine = SharedMemory::open(name);
        return !mine && mine.error().code == Errc::NotFound ? 0 : 3;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
}

void TestSharedMemory::fromFdRejectsBadDescriptors()
{
    auto negative = SharedMemory::fromFd(-1);
    QVERIFY(!negative);
    QCOMPARE(negative.error().code, Errc::InvalidArgument);

    int fds[2];
    QCOMPARE(pipe(fds), 0);
    const int closedFd = fds[0];
    close(fds[0]);
    auto closed = SharedMemory::fromFd(closedFd);
    QVERIFY(!closed);
    QCOMPARE(closed.error().code, Errc::NotFound);
    QVERIFY(closed.error().message.find(std::to_string(closedFd)) != std::string::npos);

    // An open descriptor that is no segment (a pipe: size 0) is refused
    // with a reason, and fromFd closes it (it took ownership).
    auto notSegment = SharedMemory::fromFd(fds[1]);
    QVERIFY(!notSegment);
    QCOMPARE(notSegment.error().code, Errc::Corrupt);
    QVERIFY(notSegment.error().message.find("unusable size") != std::string::npos);
    QCOMPARE(fcntl(fds[1], F_GETFD), -1);

    // An empty memfd likewise.
    auto empty = SharedMemory::anonymous(1);
    QVERIFY(empty);
    const int emptyFd = dup(empty->fd());
    QCOMPARE(ftruncate(emptyFd, 0), 0);
    QCOMPARE(SharedMemory::fromFd(emptyFd).error().code, Errc::Corrupt);
}

void TestSharedMemory::moveTransfersOwnership()
{
    auto seg = SharedMemory::anonymous(64);
    QVERIFY(seg);
    void *data = seg->data();
    const int fd = seg->fd();
    SharedMemory moved(std::move(*seg));
    QVERIFY(!seg->isValid());
    QCOMPARE(seg->fd(), -1);
    QCOMPARE(moved.data(), data);
    QCOMPARE(moved.fd(), fd);
    {
        SharedMemory sink = std::move(moved);
        QVERIFY(sink.isValid());
    }
    // The last owner closed the descriptor.
    QCOMPARE(fcntl(fd, F_GETFD), -1);
}

QTEST_GUILESS_MAIN(TestSharedMemory)
#include "tst_shared_memory.moc"
