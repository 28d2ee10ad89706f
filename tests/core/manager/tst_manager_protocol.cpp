// The manager's frames in-process: what appendRequestFrame, appendReplyFrame
// and appendErrorFrame write, and what Request::read and readReply accept.
// The bytes are held against Qt's own CBOR writer, so a request written in
// place is the request an array would have encoded.
#include "manager_protocol.h"

#include "message.h"
#include "qt_message.h"
#include "test_support.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamWriter>
#include <QTest>

#include <cmath>

using namespace ipc;
using namespace ipc::manager;

namespace {

std::uint32_t frameLength(const QByteArray &out, qsizetype at)
{
    const auto *u = reinterpret_cast<const unsigned char *>(out.constData() + at);
    return std::uint32_t(u[0]) | std::uint32_t(u[1]) << 8 | std::uint32_t(u[2]) << 16 | std::uint32_t(u[3]) << 24;
}

} // namespace

class TestManagerProtocol : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aRequestFrameIsTheArraysEncodingAfterItsLength()
    {
        QByteArray out("earlier frames");
        const qsizetype at = out.size();
        const QCborValue key(QStringLiteral("k\u00e9y"));
        const QCborValue value(QCborArray{1, 2.5, QCborMap{{QStringLiteral("a"), nullptr}}});
        QVERIFY(appendRequestFrame(out, Op::Set, 7, {key, value}));
        QVERIFY(out.startsWith("earlier frames"));
        const QByteArray expected = QCborValue(QCborArray{qint64(Op::Set), 7, key, value}).toCbor();
        QCOMPARE(frameLength(out, at), std::uint32_t(expected.size()));
        QCOMPARE(out.mid(at + qsizetype(kFrameHeaderBytes)), expected);

        Request request;
        QVERIFY(request.read(expected));
        QCOMPARE(request.op(), Op::Set);
        QCOMPARE(request.objectId(), 7);
        QCOMPARE(request.size(), 4);
        QCOMPARE(request.at(2), key);
        QCOMPARE(request.at(3), value);
        QVERIFY(request.at(4).isUndefined());
        QVERIFY(request.at(-1).isUndefined());
        // The buffer is read afresh: nothing of the longer request stays.
        QVERIFY(request.read(QCborValue(QCborArray{qint64(Op::Ping), 0}).toCbor()));
        QCOMPARE(request.size(), 2);
        QVERIFY(request.at(2).isUndefined());
    }

    void aRequestOfIndefiniteLengthIsReadToo()
    {
        QByteArray bytes;
        QCborStreamWriter writer(&bytes);
        writer.startArray(); // no count: items up to a break
        writer.append(qint64(Op::GetOr));
        writer.append(qint64(3));
        writer.append(QLatin1StringView("x"));
        writer.endArray();
        Request request;
        QVERIFY(request.read(bytes));
        QCOMPARE(request.op(), Op::GetOr);
        QCOMPARE(request.size(), 3);
        QCOMPARE(request.at(2).toString(), QStringLiteral("x"));
    }

    void aBadRequestIsRefusedWithWhatIsWrong_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        const int corrupt = int(Errc::Corrupt);
        const int invalid = int(Errc::InvalidArgument);
        QTest::newRow("empty") << QByteArray() << corrupt;
        QTest::newRow("garbage") << QByteArray("\xff\x00garbage", 9) << corrupt;
        QTest::newRow("array cut off") << QByteArray("\x83\x01\x02", 3) << corrupt;
        QTest::newRow("array declares more than there is") << QByteArray("\x9a\xff\xff\xff\xff\x01", 6) << corrupt;
        QTest::newRow("trailing byte") << QCborValue(QCborArray{1, 2}).toCbor() + '\x00' << corrupt;
        QTest::newRow("a map") << QCborValue(QCborMap{{1, 2}}).toCbor() << invalid;
        QTest::newRow("an integer") << QCborValue(5).toCbor() << invalid;
        QTest::newRow("one item") << QCborValue(QCborArray{1}).toCbor() << invalid;
        QTest::newRow("op not an integer") << QCborValue(QCborArray{QStringLiteral("get"), 1}).toCbor() << invalid;
        QTest::newRow("id not an integer") << QCborValue(QCborArray{1, 1.5}).toCbor() << invalid;
        QByteArray deep = QCborValue(QCborArray{1, 2, test::nestedArrays(kMaxMessageDepth)}).toCbor();
        QTest::newRow("too deep") << deep << int(Errc::TooLarge);
    }

    void aBadRequestIsRefusedWithWhatIsWrong()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        Request request;
        auto read = request.read(bytes);
        QVERIFY(!read);
        QCOMPARE(int(read.error().code), code);
        QVERIFY(!read.error().message.empty());
    }

    // The depth limit counts from the whole request's top, as the server's
    // reader does: an argument at the limit on its own is refused inside a
    // request, and the buffer is as it was.
    void aRefusedRequestLeavesTheBufferAsItWas()
    {
        QByteArray out("kept");
        const QCborValue deepest = test::nestedArrays(kMaxMessageDepth);
        QVERIFY(encodeCbor(deepest));
        QVERIFY(appendRequestFrame(out, Op::Set, 1, {1, test::nestedArrays(kMaxMessageDepth - 1)}));
        out = "kept";
        auto deep = appendRequestFrame(out, Op::Set, 1, {1, deepest});
        QVERIFY(!deep);
        QCOMPARE(deep.error().code, Errc::InvalidArgument);
        QCOMPARE(out, QByteArray("kept"));

        auto sentinel = appendRequestFrame(out, Op::Set, 1, {1, QCborValue(QCborValue::Undefined)});
        QVERIFY(!sentinel);
        QCOMPARE(out, QByteArray("kept"));

        const QByteArray big(qsizetype(kMaxMessageBytes), 'x');
        auto tooLarge = appendRequestFrame(out, Op::Set, 1, {1, big});
        QVERIFY(!tooLarge);
        QCOMPARE(tooLarge.error().code, Errc::TooLarge);
        QCOMPARE(out, QByteArray("kept"));
    }

    void aReplyFrameIsReadBack()
    {
        QByteArray out;
        const QCborValue value(QCborArray{QStringLiteral("v"), -3, QByteArray("\x00\x01", 2)});
        QVERIFY(appendReplyFrame(out, value));
        const QByteArray expected = QCborValue(QCborArray{0, value}).toCbor();
        QCOMPARE(frameLength(out, 0), std::uint32_t(expected.size()));
        QCOMPARE(out.mid(qsizetype(kFrameHeaderBytes)), expected);
        auto reply = readReply(expected);
        QVERIFY(reply);
        QCOMPARE(reply->status, 0);
        QCOMPARE(reply->value, value);

        // An error's text that is not UTF-8 (a quoted name) still makes a reply.
        out.clear();
        appendErrorFrame(out, Errc::NotFound, "no key 'b\xff'");
        auto error = readReply(out.mid(qsizetype(kFrameHeaderBytes)));
        QVERIFY(error);
        QCOMPARE(error->status, std::int64_t(Errc::NotFound) + 1);
        QCOMPARE(error->value.toString(), QStringLiteral("no key 'b\ufffd'"));
    }

    // A connection keeps a small buffer's memory for its next frame and
    // lets go of a large one's.
    void aFrameBufferKeepsSmallMemoryAndReleasesLarge()
    {
        QByteArray small;
        QVERIFY(appendReplyFrame(small, QCborValue(QStringLiteral("a short reply"))));
        const qsizetype kept = small.capacity();
        resetFrameBuffer(small);
        QCOMPARE(small.size(), 0);
        QCOMPARE(small.capacity(), kept);
        QVERIFY(appendReplyFrame(small, QCborValue(1)));
        QCOMPARE(small.capacity(), kept);

        QByteArray large;
        QVERIFY(appendReplyFrame(large, QByteArray(1 << 20, 'x')));
        QVERIFY(large.capacity() > (1 << 20));
        resetFrameBuffer(large);
        QCOMPARE(large.size(), 0);
        QVERIFY(large.capacity() <= 64 * 1024);
    }

    void aMalformedReplyIsRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("array head only") << QByteArray("\x82", 1);
        QTest::newRow("no value") << QByteArray("\x82\x00", 2);
        QTest::newRow("one item") << QCborValue(QCborArray{0}).toCbor();
        QTest::newRow("three items") << QCborValue(QCborArray{0, 1, 2}).toCbor();
        QTest::newRow("status not one byte") << QByteArray("\x82\x18\x20\x00", 4);
        QTest::newRow("status negative") << QByteArray("\x82\x20\x00", 3);
        QTest::newRow("trailing byte") << QCborValue(QCborArray{0, 1}).toCbor() + '\x00';
        QTest::newRow("a map") << QCborValue(QCborMap{{0, 1}}).toCbor();
    }

    void aMalformedReplyIsRefused()
    {
        QFETCH(QByteArray, bytes);
        auto reply = readReply(bytes);
        QVERIFY(!reply);
        QCOMPARE(reply.error().code, Errc::Corrupt);
    }
};

QTEST_GUILESS_MAIN(TestManagerProtocol)
#include "tst_manager_protocol.moc"
