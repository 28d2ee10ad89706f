// Listener and Client (multiprocessing.connection) between real processes:
// messages both ways, the authkey handshake and its failures, addresses
// taken or missing, and a silent client that cannot hold accept().
#include "listener.h"
#include "qt_message.h"
#include "test_support.h"
#include "unix_socket.h"

#include <QTest>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ipc;
using namespace std::chrono_literals;

namespace {

int codeOf(const Error &e) { return 10 + int(e.code); }

bool exists(const std::string &path)
{
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0;
}

} // namespace

class TestListener : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void messagesBothWaysWithTheKey();
    void wrongKeyIsRefusedOnBothSides();
    void silentClientCannotHoldAccept();
    void addressesTakenOrMissing();
};

void TestListener::messagesBothWaysWithTheKey()
{
    // Python: with Listener(authkey=b'secret') as l: c = l.accept(); c.sendCbor(...)
    ListenerOptions options;
    options.authkey = QByteArrayLiteral("secret password");
    auto listener = Listener::listen({}, options);
    QVERIFY2(listener, listener ? "" : listener.error().toString().c_str());
    const std::string address = listener->address();
    QVERIFY(exists(address));
    test::ForkedChild client([address] {
        ClientOptions o;
        o.authkey = QByteArrayLiteral("secret password");
        auto c = Client::connect(address, o);
        if (!c) return codeOf(c.error());
        if (!c->sendCbor(QCborValue(QStringLiteral("hello from ")) ,5s)) return 3;
        if (!c->sendCbor(QCborValue(qint64(getpid())), 5s)) return 4;
        auto reply = c->recvCbor(10s);
        if (!reply) return codeOf(reply.error());
        return reply->toInteger() == qint64(getpid()) * 2 ? 0 : 5;
    });
    auto c = listener->accept(10s);
    QVERIFY2(c, c ? "" : c.error().toString().c_str());
    auto greeting = c->recvCbor(10s);
    QVERIFY(greeting);
    QCOMPARE(greeting->toString(), QStringLiteral("hello from "));
    auto pid = c->recvCbor(10s);
    QVERIFY(pid);
    QCOMPARE(pid->toInteger(), qint64(client.pid()));
    QVERIFY(c->sendCbor(QCborValue(pid->toInteger() * 2), 5s));
    QCOMPARE(client.join(), std::optional<int>(0));
    // The client has gone: the end of the stream, as Python's EOFError.
    auto end = c->recvCbor(10s);
    QVERIFY(!end);
    QCOMPARE(end.error().code, Errc::EndOfFile);
    listener->close();
    QVERIFY(!exists(address)); // close() removes the socket and its private directory
    QVERIFY(!exists(address.substr(0, address.rfind('/'))));
}

void TestListener::wrongKeyIsRefusedOnBothSides()
{
    ListenerOptions options;
    options.authkey = QByteArrayLiteral("right");
    auto listener = Listener::listen({}, options);
    QVERIFY(listener);
    const std::string address = listener->address();
    test::ForkedChild intruder([address] {
        ClientOptions o;
        o.authkey = QByteArrayLiteral("wrong");
        auto c = Client::connect(address, o);
        if (c) return 2;
        const bool told = c.error().message.find("rejected our key") != std::string::npos;
        return c.error().code == Errc::AuthenticationFailed && told ? 0 : codeOf(c.error());
    });
    auto refused = listener->accept(10s);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, Errc::AuthenticationFailed);
    QVERIFY2(refused.error().message.find("digest received was wrong") != std::string::npos,
             refused.error().message.c_str());
    QCOMPARE(intruder.join(), std::optional<int>(0));

    // The listener goes on: the rightful client gets through.
    test::ForkedChild rightful([address] {
        ClientOptions o;
        o.authkey = QByteArrayLiteral("right");
        auto c = Client::connect(address, o);
        if (!c) return codeOf(c.error());
        return c->sendCbor(QCborValue(true), 5s) ? 0 : 3;
    });
    auto accepted = listener->accept(10s);
    QVERIFY2(accepted, accepted ? "" : accepted.error().toString().c_str());
    auto msg = accepted->recvCbor(10s);
    QVERIFY(msg && msg->toBool());
    QCOMPARE(rightful.join(), std::optional<int>(0));
}

void TestListener::silentClientCannotHoldAccept()
{
    ListenerOptions options;
    options.authkey = QByteArrayLiteral("k");
    options.handshakeTimeout = 200ms;
    auto listener = Listener::listen({}, options);
    QVERIFY(listener);
    // Nobody there yet: accept gives up after its own timeout.
    auto nobody = listener->accept(50ms);
    QVERIFY(!nobody);
    QCOMPARE(nobody.error().code, Errc::Timeout);
    // A client that connects and never answers the challenge.
    auto fd = connectUnixSocket(listener->address(), "the Listener");
    QVERIFY(fd);
    auto silent = listener->accept(10s);
    QVERIFY(!silent);
    QCOMPARE(silent.error().code, Errc::Timeout);
    ::close(*fd);
    // A client that sends a huge frame instead of a digest.
    auto loud = connectUnixSocket(listener->address(), "the Listener");
    QVERIFY(loud);
    const unsigned char header[4] = {0xff, 0xff, 0xff, 0x0f};
    QCOMPARE(::send(*loud, header, sizeof header, MSG_NOSIGNAL), ssize_t(4));
    auto flooded = listener->accept(10s);
    QVERIFY(!flooded);
    QCOMPARE(flooded.error().code, Errc::AuthenticationFailed);
    ::close(*loud);
}

void TestListener::addressesTakenOrMissing()
{
    auto first = Listener::listen();
    QVERIFY(first);
    auto second = Listener::listen(first->address());
    QVERIFY(!second);
    QCOMPARE(second.error().code, Errc::AlreadyExists);
    QVERIFY(exists(first->address())); // not removed: it is the first one's
    const std::string gone = first->address();
    first->close();
    auto missing = Client::connect(gone);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Errc::NotFound);
    auto tooLong = Listener::listen(std::string(200, 'x'));
    QVERIFY(!tooLong);
    QCOMPARE(tooLong.error().code, Errc::InvalidArgument);
    QCOMPARE(Listener().accept(kNoWait).error().code, Errc::Closed);
}

QTEST_GUILESS_MAIN(TestListener)
#include "tst_listener.moc"
