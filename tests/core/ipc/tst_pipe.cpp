// Pipe / Connection between real processes: duplex and one-way, EndOfFile
// when the peer closes or is SIGKILLed, messages of several MiB, buffers
// too small, closed handles, wait() over connections and process exits,
// malformed frames, timeouts with partial sends, telemetry.
#include "board.h"
#include "pipe.h"
#include "run.h"
#include "snapshot.h"
#include "qt_message.h"
#include "test_support.h"

#include <QCborArray>
#include <QCborMap>

#include <cstring>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace ipc;
using namespace std::chrono_literals;

namespace {

constexpr Duration kLong = 20s;

QByteArray pattern(qsizetype n, int seed)
{
    QByteArray b(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; ++i) b[i] = char((i * 131 + seed) & 0xff);
    return b;
}

std::span<const std::byte> bytes(const QByteArray &b)
{
    return std::as_bytes(std::span<const char>(b.constData(), std::size_t(b.size())));
}

// Writes raw bytes on a connection's descriptor, bypassing the framing.
bool rawWrite(int fd, const QByteArray &b)
{
    std::size_t done = 0;
    while (done < std::size_t(b.size())) {
        const ssize_t r = ::write(fd, b.constData() + done, std::size_t(b.size()) - done);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) {
            usleep(1000);
            continue;
        }
        if (r <= 0) return false;
        done += std::size_t(r);
    }
    return true;
}

QByteArray header(std::uint32_t len) { return QByteArray(reinterpret_cast<const char *>(&len), 4); }

int pidfdOf(pid_t pid) { return int(syscall(SYS_pidfd_open, pid, 0)); }

} // namespace

class TestPipe : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void pollingASharedReaderTakesNothing();
    void duplexRequestResponse();
    void oneWayDirectionsEnforced();
    void oneWayPipeHoldsManyLargeMessages();
    void sendBytesOffsetAndSize();
    void mixedSizesInOneStream_data();
    void mixedSizesInOneStream();
    void recvBytesMaxLengthKeepsMessage();
    void recvBytesIntoTooSmallKeepsMessage();
    void endOfFileAfterPeerCloses_data();
    void endOfFileAfterPeerCloses();
    void endOfFileAfterPeerKilled_data();
    void endOfFileAfterPeerKilled();
    void severalMiBWhileReceiverReads_data();
    void severalMiBWhileReceiverReads();
    void closedHandle();
    void brokenPipeIsAnErrorNotASignal();
    void waitOverConnectionsAndProcesses();
    void waitTimeoutAndBufferedMessages();
    void malformedFrames();
    void oversizeFrameNeverAllocated();
    void pollSemantics();
    void timeoutKeepsPartialSend();
    void recvTimeoutMidFrameResumes();
    void adoptChecksTheDescriptor();
    void telemetryCountersAndBoardStates();
    void snapshotShowsBacklogWhereItFlows();
};

void TestPipe::initTestCase()
{
    // Qt Test handles SIGPIPE as a crash; Connection only turns a default
    // disposition into "ignored", as Python does at start-up. Do it here.
    signal(SIGPIPE, SIG_IGN);
}

void TestPipe::duplexRequestResponse()
{
    auto p = Connection::pipe(true);
    QVERIFY(p);
    auto &[parent, child] = *p;
    test::ForkedChild squarer([&] {
        parent.close();
        for (;;) {
            auto req = child.recvCbor(kLong);
            if (!req) return req.error().code == Errc::EndOfFile ? 0 : 1;
            if (isSentinel(*req)) return 0;
            const qint64 x = req->toInteger();
            if (!child.sendCbor(QCborValue(x * x), kLong)) return 2;
        }
    });
    child.close();
    for (qint64 x = -5; x <= 100; ++x) {
        QVERIFY(parent.sendCbor(QCborValue(x), kLong));
        auto r = parent.recvCbor(kLong);
        QVERIFY(r);
        QCOMPARE(r->toInteger(), x * x);
    }
    QCborMap m;
    m.insert(QStringLiteral("k"), QCborArray{1, 2.5, QStringLiteral("ü")});
    QVERIFY(parent.sendCbor(sentinelMessage(), kLong));
    QCOMPARE(squarer.join(), std::optional<int>(0));
    QCOMPARE(parent.counters().messagesSent, 107u);
    QCOMPARE(parent.counters().messagesReceived, 106u);
}

void TestPipe::oneWayDirectionsEnforced()
{
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[reader, writer] = *p;
    QCOMPARE(reader.mode(), Connection::Mode::ReadOnly);
    QCOMPARE(writer.mode(), Connection::Mode::WriteOnly);
    auto sendOnReader = reader.sendCbor(QCborValue(1));
    QVERIFY(!sendOnReader);
    QCOMPARE(sendOnReader.error().code, Errc::InvalidArgument);
    QVERIFY(sendOnReader.error().message.find("read-only") != std::string::npos);
    auto recvOnWriter = writer.recvCbor(kNoWait);
    QVERIFY(!recvOnWriter);
    QCOMPARE(recvOnWriter.error().code, Errc::InvalidArgument);
    QVERIFY(!writer.poll());
    QVERIFY(!writer.recvBytes());
    QVERIFY(!reader.sendBytes(QByteArray("x")));

    test::ForkedChild sender([&] {
        reader.close();
        for (int i = 0; i < 50; ++i)
            if (!writer.sendCbor(QCborValue(QStringLiteral("item %1").arg(i)), kLong)) return 1;
        return 0;
    });
    writer.close();
    for (int i = 0; i < 50; ++i) {
        auto v = reader.recvCbor(kLong);
        QVERIFY(v);
        QCOMPARE(v->toString(), QStringLiteral("item %1").arg(i));
    }
    QCOMPARE(sender.join(), std::optional<int>(0));
    auto end = reader.recvCbor(kLong);
    QVERIFY(!end);
    QCOMPARE(end.error().code, Errc::EndOfFile);
}

void TestPipe::sendBytesOffsetAndSize()
{
    auto p = Connection::pipe(true);
    QVERIFY(p);
    auto &[a, b] = *p;
    const QByteArray data("0123456789");
    QVERIFY(a.sendBytes(bytes(data), 3, 4));
    QVERIFY(a.sendBytes(bytes(data), 7));
    QVERIFY(a.sendBytes(bytes(data), 10, 0)); // empty message at the very end
    QCOMPARE(*b.recvBytes(std::nullopt, kLong), QByteArray("3456"));
    QCOMPARE(*b.recvBytes(std::nullopt, kLong), QByteArray("789"));
    QCOMPARE(*b.recvBytes(std::nullopt, kLong), QByteArray());
    auto badOffset = a.sendBytes(bytes(data), 11);
    QVERIFY(!badOffset);
    QCOMPARE(badOffset.error().code, Errc::InvalidArgument);
    auto badSize = a.sendBytes(bytes(data), 5, 6);
    QVERIFY(!badSize);
    QCOMPARE(badSize.error().code, Errc::InvalidArgument);
    QVERIFY(badSize.error().message.find("beyond") != std::string::npos);
    QVERIFY(!*b.poll()); // nothing was sent by the refused calls
}

void TestPipe::mixedSizesInOneStream_data()
{
    QTest::addColumn<bool>("duplex");
    QTest::newRow("one-way pipe") << false;
    QTest::newRow("duplex socket") << true;
}

// A pipe reader that keeps up asks the kernel for about one frame of the
// last frame's size at a time, one that was away for everything there is
// room for (Connection::readSize). Either way its reads end inside the next
// frame's header or body whenever sizes change: every boundary must hold.
// The one-way pipe carries more than the 256 KiB read buffer, so after the
// first (whole-buffer) read the reader is back at once and reads frame by
// frame.
void TestPipe::mixedSizesInOneStream()
{
    QFETCH(bool, duplex);
    auto p = Connection::pipe(duplex);
    QVERIFY(p);
    auto &[reader, writer] = *p;
    // 40000: a large frame, read header first and then straight into the
    // destination; the frames after one are read as needed.
    const int pattern[] = {64, 64, 3, 4096, 0, 1000, 64, 4096, 4096, 7, 1, 2, 64, 9000, 5, 64,
                           40000, 40000, 3, 64, 40000, 4096};
    std::vector<int> sizes;
    for (int r = 0; r < (duplex ? 1 : 3); ++r)
        sizes.insert(sizes.end(), std::begin(pattern), std::end(pattern));
    if (!duplex) // room for all of it (~400 KiB), so one process can write it before reading
        QVERIFY(fcntl(writer.fd(), F_SETPIPE_SZ, 512 * 1024) >= 512 * 1024);
    const auto message = [](int i, int size) { return QByteArray(size, char('a' + i % 26)); };
    for (int i = 0; i < int(sizes.size()); ++i) QVERIFY(writer.sendBytes(message(i, sizes[i]), kLong));
    for (int i = 0; i < int(sizes.size()); ++i) {
        if (i % 2) {
            std::vector<std::byte> buf(std::size_t(sizes[i]) + 3);
            auto n = reader.recvBytesInto(buf, 0, kLong);
            QVERIFY2(n, n ? "" : n.error().message.c_str());
            QCOMPARE(int(*n), sizes[i]);
            QCOMPARE(QByteArray(reinterpret_cast<const char *>(buf.data()), qsizetype(*n)), message(i, sizes[i]));
        } else {
            auto got = reader.recvBytes(std::nullopt, kLong);
            QVERIFY2(got, got ? "" : got.error().message.c_str());
            QCOMPARE(*got, message(i, sizes[i]));
        }
    }
    QVERIFY(!*reader.poll()); // nothing more, nothing lost
}

// A one-way pipe is created with a 512 KiB kernel buffer (pipe.cpp), so a
// writer runs ahead of its reader by ~85 messages of 4 KiB, not ~10: each
// one of them goes out without waiting, and all arrive in order.
void TestPipe::oneWayPipeHoldsManyLargeMessages()
{
    {   // Can this user have such a pipe at all (fs.pipe-max-size, quota)?
        int probe[2];
        QVERIFY(::pipe(probe) == 0);
        const bool allowed = fcntl(probe[1], F_SETPIPE_SZ, 512 * 1024) >= 512 * 1024;
        ::close(probe[0]);
        ::close(probe[1]);
        if (!allowed) QSKIP("a 512 KiB pipe is not allowed here (fs.pipe-max-size or the user's quota)");
    }
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[reader, writer] = *p;
    QVERIFY(fcntl(writer.fd(), F_GETPIPE_SZ) >= 512 * 1024);
    constexpr int kMessages = 80;
    for (int i = 0; i < kMessages; ++i) {
        auto sent = writer.sendBytes(pattern(4096, i), kNoWait);
        QVERIFY2(sent, sent ? "" : (std::to_string(i) + ": " + sent.error().message).c_str());
    }
    for (int i = 0; i < kMessages; ++i) {
        auto got = reader.recvBytes(std::nullopt, kLong);
        QVERIFY(got);
        QCOMPARE(*got, pattern(4096, i));
    }
    QVERIFY(!*reader.poll());
}

void TestPipe::recvBytesMaxLengthKeepsMessage()
{
    auto p = Connection::pipe(true);
    QVERIFY(p);
    auto &[a, b] = *p;
    QVERIFY(a.sendBytes(QByteArray(100, 'm')));
    auto small = b.recvBytes(99, kLong);
    QVERIFY(!small);
    QCOMPARE(small.error().code, Errc::TooLarge);
    QVERIFY(*b.poll());
    auto ok = b.recvBytes(100, kLong);
    QVERIFY(ok);
    QCOMPARE(*ok, QByteArray(100, 'm'));
}

void TestPipe::recvBytesIntoTooSmallKeepsMessage()
{
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[r, w] = *p;
    const QByteArray big = pattern(60000, 3); // a large frame (over 32 KiB), fits the pipe
    QVERIFY(w.sendBytes(QByteArray("small")));
    QVERIFY(w.sendBytes(big));
    std::vector<std::byte> buf(80000);
    auto n = r.recvBytesInto(buf, 2, kLong);
    QVERIFY(n);
    QCOMPARE(*n, std::size_t(5));
    QCOMPARE(std::memcmp(buf.data() + 2, "small", 5), 0);
    auto tooSmall = r.recvBytesInto(buf, 30000, kLong);
    QVERIFY(!tooSmall);
    QCOMPARE(tooSmall.error().code, Errc::TooLarge);
    QVERIFY2(tooSmall.error().message.find("room for 50000") != std::string::npos,
             tooSmall.error().message.c_str());
    auto badOffset = r.recvBytesInto(buf, buf.size() + 1, kLong);
    QVERIFY(!badOffset);
    QCOMPARE(badOffset.error().code, Errc::InvalidArgument);
    auto fits = r.recvBytesInto(buf, 20000, kLong);
    QVERIFY(fits);
    QCOMPARE(*fits, std::size_t(big.size()));
    QCOMPARE(std::memcmp(buf.data() + 20000, big.constData(), std::size_t(big.size())), 0);
}

void TestPipe::endOfFileAfterPeerCloses_data()
{
    QTest::addColumn<bool>("duplex");
    QTest::newRow("socketpair") << true;
    QTest::newRow("pipe") << false;
}

void TestPipe::endOfFileAfterPeerCloses()
{
    QFETCH(bool, duplex);
    auto p = Connection::pipe(duplex);
    QVERIFY(p);
    auto &[r, w] = *p;
    test::ForkedChild writer([&] {
        r.close();
        if (!w.sendCbor(QCborValue(1), kLong) || !w.sendCbor(QCborValue(2), kLong)) return 1;
        w.close();
        return 0;
    });
    w.close();
    QCOMPARE(writer.join(), std::optional<int>(0));
    QCOMPARE(r.recvCbor(kLong)->toInteger(), 1);
    QCOMPARE(r.recvCbor(kLong)->toInteger(), 2);
    QVERIFY(*r.poll()); // the end of the stream is "ready"
    for (int i = 0; i < 2; ++i) {
        auto end = r.recvCbor(kLong);
        QVERIFY(!end);
        QCOMPARE(end.error().code, Errc::EndOfFile);
    }
}

void TestPipe::endOfFileAfterPeerKilled_data()
{
    QTest::addColumn<bool>("duplex");
    QTest::addColumn<bool>("midFrame");
    QTest::newRow("socketpair, idle") << true << false;
    QTest::newRow("pipe, idle") << false << false;
    QTest::newRow("socketpair, mid frame") << true << true;
    QTest::newRow("pipe, mid frame") << false << true;
}

void TestPipe::endOfFileAfterPeerKilled()
{
    QFETCH(bool, duplex);
    QFETCH(bool, midFrame);
    auto p = Connection::pipe(duplex);
    QVERIFY(p);
    auto &[r, w] = *p;
    const QByteArray lastWords = *encodeCbor(QCborValue(QStringLiteral("last words")));
    const QByteArray written = header(std::uint32_t(lastWords.size())) + lastWords +
                               // half a frame: a header for 1000 bytes and 10 of them
                               (midFrame ? header(1000) + QByteArray(10, 'h') : QByteArray());
    test::ForkedChild writer([&] {
        r.close();
        if (!rawWrite(w.fd(), written)) return 1;
        pause(); // until SIGKILLed
        return 0;
    });
    w.close();
    // Everything is in the kernel before the writer dies.
    QVERIFY(waitFor([&] { return r.kernelQueued() >= std::uint64_t(written.size()); }));
    writer.kill();
    QCOMPARE(writer.join(), std::optional<int>(-SIGKILL));
    auto first = r.recvCbor(kLong);
    QVERIFY(first);
    QCOMPARE(first->toString(), QStringLiteral("last words"));
    auto end = r.recvCbor(kLong);
    QVERIFY(!end);
    QCOMPARE(end.error().code, midFrame ? Errc::Corrupt : Errc::EndOfFile);
}

void TestPipe::severalMiBWhileReceiverReads_data()
{
    QTest::addColumn<bool>("duplex");
    QTest::addColumn<bool>("cbor");
    QTest::newRow("socketpair bytes") << true << false;
    QTest::newRow("pipe bytes") << false << false;
    QTest::newRow("pipe cbor") << false << true;
}

void TestPipe::severalMiBWhileReceiverReads()
{
    QFETCH(bool, duplex);
    QFETCH(bool, cbor);
    constexpr qsizetype kSize = 6 << 20; // far over any kernel pipe/socket buffer
    auto p = Connection::pipe(duplex);
    QVERIFY(p);
    auto &[r, w] = *p;
    test::ForkedChild writer([&] {
        r.close();
        for (int i = 0; i < 3; ++i) {
            const QByteArray blob = pattern(kSize + i, i);
            auto sent = cbor ? w.sendCbor(QCborValue(blob), kLong) : w.sendBytes(blob, kLong);
            if (!sent) return 1;
        }
        return 0;
    });
    w.close();
    for (int i = 0; i < 3; ++i) {
        QByteArray got;
        if (cbor) {
            auto v = r.recvCbor(kLong);
            QVERIFY2(v, v ? "" : v.error().toString().c_str());
            got = v->toByteArray();
        } else {
            auto v = r.recvBytes(std::nullopt, kLong);
            QVERIFY2(v, v ? "" : v.error().toString().c_str());
            got = *v;
        }
        QCOMPARE(got.size(), kSize + i);
        QVERIFY(got == pattern(kSize + i, i));
    }
    QCOMPARE(writer.join(), std::optional<int>(0));
}

void TestPipe::closedHandle()
{
    auto p = Connection::pipe(true);
    QVERIFY(p);
    auto &[a, b] = *p;
    a.close();
    a.close(); // twice is fine
    QVERIFY(a.isClosed());
    QCOMPARE(a.sendCbor(QCborValue(1)).error().code, Errc::Closed);
    QCOMPARE(a.recvCbor(kNoWait).error().code, Errc::Closed);
    QCOMPARE(a.poll().error().code, Errc::Closed);
    QCOMPARE(a.recvBytes().error().code, Errc::Closed);
    QCOMPARE(a.flush().error().code, Errc::Closed);
    Connection *list[] = {&a};
    QCOMPARE(wait(list, {}, 10ms).error().code, Errc::Closed);
    // The other end sees the end of the stream.
    QCOMPARE(b.recvCbor(kLong).error().code, Errc::EndOfFile);
    // A moved-from connection is closed, not dangling.
    Connection moved = std::move(b);
    QVERIFY(b.isClosed());
    QVERIFY(!moved.isClosed());
}

// A child that inherited the reader and only polls it takes nothing: the
// parent, the one that receives, still gets every message (poll once read
// ahead into the child's own buffer and swallowed what it found there).
void TestPipe::pollingASharedReaderTakesNothing()
{
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[r, w] = *p;
    constexpr int kMessages = 100;
    for (int i = 0; i < kMessages; ++i) QVERIFY(w.sendBytes(QByteArray::number(i), kLong));
    test::ForkedChild poller([&] {
        for (int i = 0; i < 50; ++i) {
            auto ready = r.poll(std::chrono::milliseconds(2));
            if (!ready || !*ready) return 1; // there is data: poll must say so
        }
        return 0;
    });
    QCOMPARE(poller.join(), std::optional<int>(0));
    for (int i = 0; i < kMessages; ++i) {
        auto got = r.recvBytes(std::nullopt, std::chrono::seconds(5));
        QVERIFY2(got, qPrintable(QStringLiteral("message %1: %2").arg(i).arg(QString::fromStdString(got.error().toString()))));
        QCOMPARE(*got, QByteArray::number(i));
    }
    QVERIFY(!*r.poll());
}

void TestPipe::brokenPipeIsAnErrorNotASignal()
{
    for (bool duplex : {true, false}) {
        auto p = Connection::pipe(duplex);
        QVERIFY(p);
        auto &[r, w] = *p;
        r.close(); // before the fork: no reader is left anywhere
        test::ForkedChild writer([&] {
            // With SIGPIPE at its default, this write would kill us; a new
            // Connection puts it back to ignored.
            signal(SIGPIPE, SIG_DFL);
            auto again = Connection::adopt(dup(w.fd()), duplex ? Connection::Mode::Duplex
                                                               : Connection::Mode::WriteOnly);
            if (!again) return 3;
            auto sent = again->sendCbor(QCborValue(QByteArray(1000, 'x')), kLong);
            return !sent && sent.error().code == Errc::Closed ? 0 : 1;
        });
        QCOMPARE(writer.join(), std::optional<int>(0));
        auto sent = w.sendBytes(QByteArray("x"), kLong);
        QVERIFY(!sent);
        QCOMPARE(sent.error().code, Errc::Closed);
        QVERIFY(sent.error().message.find("broken pipe") != std::string::npos);
    }
}

void TestPipe::waitOverConnectionsAndProcesses()
{
    auto p1 = Connection::pipe(false);
    auto p2 = Connection::pipe(true);
    auto p3 = Connection::pipe(false);
    QVERIFY(p1 && p2 && p3);
    auto &[r1, w1] = *p1;
    auto &[r2, w2] = *p2;
    auto &[r3, w3] = *p3;
    test::ForkedChild talker([&] {
        usleep(50'000);
        return w2.sendCbor(QCborValue(QStringLiteral("from 2")), kLong) ? 0 : 1;
    });
    test::ForkedChild quitter([] {
        usleep(20'000);
        return 7;
    });
    test::ForkedChild sleeper([&] {
        w1.close(); // or r1 would never see the end of its stream
        pause();
        return 0;
    });
    const int pidfds[] = {pidfdOf(quitter.pid()), pidfdOf(sleeper.pid())};
    QVERIFY(pidfds[0] >= 0 && pidfds[1] >= 0);
    Connection *conns[] = {&r1, &r2, &r3};

    // The first to be ready is the quitter (a process sentinel) or r2.
    std::vector<std::size_t> readyConns;
    bool quitterSeen = false;
    const Deadline d(kLong);
    while ((readyConns.empty() || !quitterSeen) && !d.expired()) {
        auto ready = wait(conns, pidfds, kLong);
        QVERIFY(ready);
        QVERIFY(!ready->empty());
        for (std::size_t i : ready->processes) {
            QCOMPARE(i, std::size_t(0)); // never the sleeper
            quitterSeen = true;
        }
        for (std::size_t i : ready->connections) {
            QCOMPARE(i, std::size_t(1)); // never r1 or r3
            readyConns.push_back(i);
            QCOMPARE(r2.recvCbor(kLong)->toString(), QStringLiteral("from 2"));
        }
        if (quitterSeen) QCOMPARE(quitter.join(), std::optional<int>(7));
        if (quitterSeen && readyConns.empty()) {
            // Keep waiting for r2 only, with the quitter's fd removed.
            auto more = wait(conns, std::span<const int>(pidfds + 1, 1), kLong);
            QVERIFY(more);
            QCOMPARE(more->connections, std::vector<std::size_t>{1});
            QCOMPARE(r2.recvCbor(kLong)->toString(), QStringLiteral("from 2"));
            readyConns.push_back(1);
        }
    }
    QVERIFY(quitterSeen);
    QCOMPARE(readyConns.size(), std::size_t(1));
    QCOMPARE(talker.join(), std::optional<int>(0));
    // r1 becomes ready when its writer closes (end of stream counts).
    w1.close();
    auto eof = wait(conns, {}, kLong);
    QVERIFY(eof);
    QCOMPARE(eof->connections, std::vector<std::size_t>{0});
    (void)w3;
    ::close(pidfds[0]);
    ::close(pidfds[1]);
}

void TestPipe::waitTimeoutAndBufferedMessages()
{
    auto p = Connection::pipe(true);
    QVERIFY(p);
    auto &[a, b] = *p;
    Connection *conns[] = {&b};
    auto none = wait(conns, {}, 20ms);
    QVERIFY(none);
    QVERIFY(none->empty());
    // Two messages arrive in one read: after the first recv, the second is
    // in our read-ahead buffer and the descriptor is no longer readable,
    // yet wait must report it.
    QVERIFY(a.sendCbor(QCborValue(1)));
    QVERIFY(a.sendCbor(QCborValue(2)));
    QVERIFY(waitFor([&] { return b.kernelQueued() >= 2 * 5; }));
    QCOMPARE(b.recvCbor(kLong)->toInteger(), 1);
    auto buffered = wait(conns, {}, kNoWait);
    QVERIFY(buffered);
    QCOMPARE(buffered->connections, std::vector<std::size_t>{0});
    QCOMPARE(b.recvCbor(kLong)->toInteger(), 2);
    Connection *writeOnly[] = {&a};
    (void)writeOnly;
}

void TestPipe::malformedFrames()
{
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[r, w] = *p;
    // A complete frame whose payload is not CBOR: Corrupt, but consumed, so
    // the next frame is fine.
    QVERIFY(rawWrite(w.fd(), header(3) + QByteArray::fromHex("830102")));
    QVERIFY(w.sendCbor(QCborValue(QStringLiteral("after"))));
    auto bad = r.recvCbor(kLong);
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::Corrupt);
    QVERIFY(bad.error().message.find("byte") != std::string::npos);
    QCOMPARE(r.recvCbor(kLong)->toString(), QStringLiteral("after"));
    // Trailing garbage inside a frame.
    QVERIFY(rawWrite(w.fd(), header(2) + QByteArray::fromHex("0102")));
    QCOMPARE(r.recvCbor(kLong).error().code, Errc::Corrupt);
    // A truncated header at the end of the stream.
    QVERIFY(rawWrite(w.fd(), QByteArray::fromHex("0500")));
    w.close();
    auto torn = r.recvCbor(kLong);
    QVERIFY(!torn);
    QCOMPARE(torn.error().code, Errc::Corrupt);
    QCOMPARE(r.recvCbor(kLong).error().code, Errc::Corrupt); // stays unusable
}

void TestPipe::oversizeFrameNeverAllocated()
{
    auto p = Connection::pipe(true, 1 << 20);
    QVERIFY(p);
    auto &[a, b] = *p;
    QCOMPARE(a.maxMessageBytes(), std::size_t(1) << 20);
    auto tooBig = a.sendBytes(QByteArray((1 << 20) + 1, 'x'));
    QVERIFY(!tooBig);
    QCOMPARE(tooBig.error().code, Errc::TooLarge);
    // A hostile peer announces 3 GiB: refused on the header alone.
    QVERIFY(rawWrite(a.fd(), header(0xC0000000u) + QByteArray(16, 'z')));
    auto v = b.recvBytes(std::nullopt, kLong);
    QVERIFY(!v);
    QCOMPARE(v.error().code, Errc::TooLarge);
    QVERIFY2(v.error().message.find("3221225472") != std::string::npos, v.error().message.c_str());
    QCOMPARE(b.recvCbor(kLong).error().code, Errc::TooLarge); // the stream cannot be resynchronised
    QVERIFY(*b.poll());
}

void TestPipe::pollSemantics()
{
    auto p = Connection::pipe(true);
    QVERIFY(p);
    auto &[a, b] = *p;
    QCOMPARE(*b.poll(), false);
    QCOMPARE(*b.poll(20ms), false);
    test::ForkedChild later([&] {
        usleep(30'000);
        return a.sendCbor(QCborValue(5)) ? 0 : 1;
    });
    QCOMPARE(*b.poll(kLong), true);
    QCOMPARE(*b.poll(kNoWait), true); // still there: poll does not consume
    QCOMPARE(b.recvCbor(kNoWait)->toInteger(), 5);
    QCOMPARE(*b.poll(), false);
    QCOMPARE(later.join(), std::optional<int>(0));
}

void TestPipe::timeoutKeepsPartialSend()
{
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[r, w] = *p;
    const QByteArray big = pattern(1 << 20, 9); // twice the pipe's 512 KiB
    auto first = w.sendBytes(bytes(big), 0, std::nullopt, 50ms);
    QVERIFY(!first);
    QCOMPARE(first.error().code, Errc::Timeout);
    QVERIFY(w.pendingSendBytes() > 0);
    QVERIFY(w.pendingSendBytes() < std::size_t(big.size()) + 4);
    // Nothing new goes out while the old frame is unfinished.
    auto second = w.sendCbor(QCborValue(2), 20ms);
    QVERIFY(!second);
    QCOMPARE(second.error().code, Errc::Timeout);
    QVERIFY(second.error().message.find("nothing of the new message") != std::string::npos);
    test::ForkedChild reader([&] {
        w.close();
        auto got = r.recvBytes(std::nullopt, kLong);
        if (!got || *got != big) return 1;
        auto more = r.recvCbor(kLong);
        return more && more->toInteger() == 3 ? 0 : 2;
    });
    QVERIFY(w.flush(kLong));
    QCOMPARE(w.pendingSendBytes(), std::size_t(0));
    QVERIFY(w.sendCbor(QCborValue(3), kLong));
    QCOMPARE(reader.join(), std::optional<int>(0));
    // A send that cannot start at all sends nothing.
    auto p2 = Connection::pipe(false);
    QVERIFY(p2);
    auto &[r2, w2] = *p2;
    while (w2.sendBytes(QByteArray(4096, 'f'), kNoWait)) {
    }
    const std::size_t pending = w2.pendingSendBytes();
    QVERIFY(pending <= 4100);
    auto refused = w2.sendBytes(QByteArray(10, 'g'), kNoWait);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, Errc::Timeout);
    QCOMPARE(w2.pendingSendBytes(), pending);
    (void)r2;
}

void TestPipe::recvTimeoutMidFrameResumes()
{
    for (qsizetype size : {qsizetype(1000), qsizetype(200000)}) {
        auto p = Connection::pipe(true);
        QVERIFY(p);
        auto &[a, b] = *p;
        const QByteArray body = pattern(size, 5);
        // Half the frame now, the rest after the receiver timed out.
        QVERIFY(rawWrite(a.fd(), header(std::uint32_t(size)) + body.left(size / 2)));
        auto early = b.recvBytes(std::nullopt, 30ms);
        QVERIFY(!early);
        QCOMPARE(early.error().code, Errc::Timeout);
        QVERIFY(rawWrite(a.fd(), body.mid(size / 2)));
        auto whole = b.recvBytes(std::nullopt, kLong);
        QVERIFY(whole);
        QVERIFY(*whole == body);
    }
}

void TestPipe::adoptChecksTheDescriptor()
{
    auto bad = Connection::adopt(-1, Connection::Mode::Duplex);
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::InvalidArgument);
    const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    auto notPipe = Connection::adopt(devnull, Connection::Mode::Duplex);
    QVERIFY(!notPipe);
    QVERIFY(notPipe.error().message.find("neither a pipe nor a socket") != std::string::npos);
    ::close(devnull);
    int fds[2];
    QCOMPARE(::pipe2(fds, O_CLOEXEC), 0);
    auto wrongEnd = Connection::adopt(fds[0], Connection::Mode::WriteOnly);
    QVERIFY(!wrongEnd);
    QVERIFY(wrongEnd.error().message.find("read end") != std::string::npos);
    auto duplexPipe = Connection::adopt(fds[1], Connection::Mode::Duplex);
    QVERIFY(!duplexPipe);
    auto r = Connection::adopt(fds[0], Connection::Mode::ReadOnly);
    auto w = Connection::adopt(fds[1], Connection::Mode::WriteOnly);
    QVERIFY(r && w);
    QVERIFY(w->sendCbor(QCborValue(11)));
    QCOMPARE(r->recvCbor(kLong)->toInteger(), 11);
}

void TestPipe::telemetryCountersAndBoardStates()
{
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    auto board = arena->make<Board>("board");
    auto stats = arena->make<PipeStats>("pipe");
    QVERIFY(board && stats);
    auto recvSlot = (*board)->claim("receiver");
    auto sendSlot = (*board)->claim("sender");
    QVERIFY(recvSlot && sendSlot);
    PipeStats *ps = *stats;
    auto p = Connection::pipe(true);
    QVERIFY(p);
    auto &[a, b] = *p;

    // A receiver blocked in recv shows BlockedRecv on the pipe's object.
    test::ForkedChild receiver([&, slot = *recvSlot] {
        a.close();
        telemetry::attach(slot);
        telemetry::setState(ProcState::Running);
        b.attachStats(ps, 1);
        for (int i = 0; i < 3; ++i)
            if (!b.recvBytes(std::nullopt, kLong)) return 1;
        return 0;
    });
    QVERIFY(waitFor([&] { return (*recvSlot)->currentState() == ProcState::BlockedRecv; }));
    QCOMPARE((*recvSlot)->object.load(), ps->objectIndex);
    a.attachStats(ps, 0);
    QVERIFY(a.sendBytes(QByteArray(10, 'a')));
    QVERIFY(a.sendBytes(QByteArray(20, 'b')));
    QVERIFY(a.sendBytes(QByteArray(30, 'c')));
    QCOMPARE(receiver.join(), std::optional<int>(0));
    QCOMPARE(ps->ends[0].messagesSent.load(), 3u);
    QCOMPARE(ps->ends[0].bytesSent.load(), 60u);
    QCOMPARE(ps->ends[1].messagesReceived.load(), 3u);
    QCOMPARE(ps->ends[1].bytesReceived.load(), 60u);
    QCOMPARE((*recvSlot)->counter(Counter::MessagesReceived), 3u);
    QCOMPARE((*recvSlot)->counter(Counter::BytesReceived), 60u);
    QVERIFY((*recvSlot)->blockedNs.load() > 0);

    // A sender whose peer does not read shows BlockedSend, and the bytes
    // waiting in the kernel are sampled into the stats.
    auto q = Connection::pipe(false);
    QVERIFY(q);
    auto &[r, w] = *q;
    test::ForkedChild sender([&, slot = *sendSlot] {
        r.close();
        telemetry::attach(slot);
        telemetry::setState(ProcState::Running);
        w.attachStats(ps, 0);
        return w.sendBytes(QByteArray(1 << 20, 's'), kLong) ? 0 : 1;
    });
    QVERIFY(waitFor([&] { return (*sendSlot)->currentState() == ProcState::BlockedSend; }));
    QVERIFY(waitFor([&] { return ps->ends[0].kernelQueued.load() >= 60000; }));
    QVERIFY(r.recvBytes(std::nullopt, kLong));
    QCOMPARE(sender.join(), std::optional<int>(0));
    QCOMPARE((*sendSlot)->counter(Counter::MessagesSent), 1u);
}

// The window draws a pipe's unread bytes on the direction they travel.
// A one-way pipe's writer samples the one kernel buffer from its end, a
// socket end what waits for it; the snapshot must put both on A -> B when
// only A sends, whatever the engine that made the PipeStats believed.
void TestPipe::snapshotShowsBacklogWhereItFlows()
{
    auto run = Run::create();
    QVERIFY(run);
    auto stats = (*run)->arena().make<PipeStats>("pipe");
    QVERIFY(stats);
    PipeStats *ps = *stats;
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[reader, writer] = *p;
    reader.attachStats(ps, 1);
    test::ForkedChild sender([&] {
        reader.close();
        writer.attachStats(ps, 0);
        return writer.sendBytes(QByteArray(1 << 20, 'w'), kLong) ? 0 : 1;
    });
    writer.close();
    Snapshot snap;
    const auto backlog = [&](int d) {
        takeSnapshot(**run, snap);
        const ObjectSnapshot *o = snap.object("pipe");
        return o ? o->kernelQueued[std::size_t(d)] : 0;
    };
    QVERIFY(waitFor([&] { return backlog(0) >= 60000; }));
    QCOMPARE(ps->socketPair.load(), 0u);
    QCOMPARE(backlog(1), 0u);
    auto got = reader.recvBytes(std::nullopt, kLong);
    QVERIFY(got);
    QCOMPARE(got->size(), qsizetype(1 << 20));
    QCOMPARE(sender.join(), std::optional<int>(0));

    // The ends of a duplex Pipe say they are a socket pair when attached.
    auto d = Connection::pipe(true);
    QVERIFY(d);
    d->first.attachStats(ps, 0);
    QCOMPARE(ps->socketPair.load(), 1u);
}

QTEST_GUILESS_MAIN(TestPipe)
#include "tst_pipe.moc"
