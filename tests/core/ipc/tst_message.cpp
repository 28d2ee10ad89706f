// Structured messages: round trips of every supported type, refusal of
// unsupported ones, and bounded, crash-free decoding of hostile bytes;
// the Qt-free Message and its agreement with Qt's own CBOR.
#include "qt_message.h"
#include "test_support.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamWriter>
#include <QDateTime>
#include <QRandomGenerator>
#include <QUrl>

#include <limits>

using namespace ipc;

Q_DECLARE_METATYPE(ipc::Errc)

namespace {

QByteArray hex(const char *text) { return QByteArray::fromHex(QByteArray(text)); }

} // namespace

class TestMessage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void sentinel();
    void encodeRefusesUnsupported_data();
    void encodeRefusesUnsupported();
    void encodeTooLarge();
    void malformed_data();
    void malformed();
    void depthLimits();
    void depthBombs();
    void oversizeInput();
    void randomBytesNeverCrash();
    void mutatedMessagesNeverCrash();
    void messageValues();
    void messageBytesAreQtsCbor_data();
    void messageBytesAreQtsCbor();
};

void TestMessage::roundTrip_data()
{
    QTest::addColumn<QCborValue>("value");
    QTest::newRow("null") << QCborValue(nullptr);
    QTest::newRow("false") << QCborValue(false);
    QTest::newRow("true") << QCborValue(true);
    QTest::newRow("zero") << QCborValue(0);
    QTest::newRow("int64 max") << QCborValue(std::numeric_limits<qint64>::max());
    QTest::newRow("int64 min") << QCborValue(std::numeric_limits<qint64>::min());
    QTest::newRow("-1") << QCborValue(-1);
    QTest::newRow("double") << QCborValue(3.25);
    QTest::newRow("nan-free negative double") << QCborValue(-1e300);
    QTest::newRow("empty string") << QCborValue(QString());
    QTest::newRow("unicode") << QCborValue(QStringLiteral("Grüße, 世界 🚀"));
    QTest::newRow("bytes") << QCborValue(QByteArray("\x00\x01\xff", 3));
    QTest::newRow("big bytes") << QCborValue(QByteArray(100000, 'x'));
    QTest::newRow("list") << QCborValue(QCborArray{1, QStringLiteral("two"), 3.0, nullptr, true});
    QCborMap m;
    m.insert(QStringLiteral("task"), 17);
    m.insert(3, QCborArray{QByteArray("ab"), QCborMap{{QStringLiteral("k"), false}}});
    QTest::newRow("map") << QCborValue(m);
    QTest::newRow("32 deep") << test::nestedArrays(kMaxMessageDepth);
}

void TestMessage::roundTrip()
{
    QFETCH(QCborValue, value);
    auto bytes = encodeCbor(value);
    QVERIFY2(bytes, bytes ? "" : bytes.error().toString().c_str());
    auto back = decodeCbor(*bytes);
    QVERIFY2(back, back ? "" : back.error().toString().c_str());
    QCOMPARE(*back, value);
}

void TestMessage::sentinel()
{
    auto bytes = encodeCbor(sentinelMessage());
    QVERIFY(bytes);
    QCOMPARE(*bytes, hex("f7"));
    QVERIFY(isSentinelBytes(*bytes));
    auto back = decodeCbor(*bytes);
    QVERIFY(back);
    QVERIFY(isSentinel(*back));
    QVERIFY(!isSentinel(QCborValue(nullptr)));
    QVERIFY(!isSentinelBytes(hex("f6")));
    // A sentinel inside a list is not a sentinel, and is refused.
    auto inside = encodeCbor(QCborArray{sentinelMessage()});
    QVERIFY(!inside);
    QCOMPARE(inside.error().code, Errc::InvalidArgument);
}

void TestMessage::encodeRefusesUnsupported_data()
{
    QTest::addColumn<QCborValue>("value");
    QTest::newRow("datetime") << QCborValue(QDateTime::fromSecsSinceEpoch(0, Qt::UTC));
    QTest::newRow("url") << QCborValue(QUrl(QStringLiteral("https://example.org")));
    QTest::newRow("tag") << QCborValue(QCborKnownTags::Signature, QCborValue(1));
    QTest::newRow("simple") << QCborValue(QCborSimpleType(5));
    QTest::newRow("nested unsupported") << QCborValue(QCborArray{1, QCborValue(QCborSimpleType(5))});
    QTest::newRow("33 deep") << test::nestedArrays(kMaxMessageDepth + 1);
}

void TestMessage::encodeRefusesUnsupported()
{
    QFETCH(QCborValue, value);
    auto bytes = encodeCbor(value);
    QVERIFY(!bytes);
    QCOMPARE(bytes.error().code, Errc::InvalidArgument);
    QVERIFY(!bytes.error().message.empty());
}

void TestMessage::encodeTooLarge()
{
    auto bytes = encodeCbor(QCborValue(QByteArray(1000, 'a')), 100);
    QVERIFY(!bytes);
    QCOMPARE(bytes.error().code, Errc::TooLarge);
    QVERIFY(bytes.error().message.find("100") != std::string::npos);
}

void TestMessage::malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ipc::Errc>("code");
    QTest::addColumn<QString>("mentions"); // part of the message, e.g. the offset

    const auto row = [](const char *name, QByteArray b, Errc c, const char *m) {
        QTest::newRow(name) << b << c << QString::fromUtf8(m);
    };
    row("empty", QByteArray(), Errc::Corrupt, "byte 0");
    row("truncated uint16", hex("19"), Errc::Corrupt, "truncated");
    row("truncated uint64", hex("1b0000"), Errc::Corrupt, "truncated");
    row("truncated double", hex("fb3ff0"), Errc::Corrupt, "truncated");
    row("truncated array item", hex("830102"), Errc::Corrupt, "truncated");
    row("truncated map value", hex("a20102 03"), Errc::Corrupt, "byte");
    row("map key without value", hex("a101"), Errc::Corrupt, "byte");
    row("indefinite array without break", hex("9f0102"), Errc::Corrupt, "byte");
    row("truncated text", hex("6568656c"), Errc::Corrupt, "declares 5 bytes");
    row("truncated bytes in list", hex("82 01 44 0102"), Errc::Corrupt, "byte 2");
    row("reserved additional info 28", hex("1c"), Errc::Corrupt, "byte 0");
    row("reserved additional info 30", hex("5e"), Errc::Corrupt, "byte 0");
    row("indefinite integer", hex("1f"), Errc::Corrupt, "byte 0");
    row("indefinite negative", hex("3f"), Errc::Corrupt, "byte 0");
    row("indefinite tag", hex("df"), Errc::Corrupt, "byte 0");
    row("major 7 ai 28", hex("fc"), Errc::Corrupt, "byte 0");
    row("break at top", hex("ff"), Errc::Corrupt, "byte 0");
    row("break inside definite array", hex("82 01 ff"), Errc::Corrupt, "byte");
    row("tag", hex("c1 1a 00000000"), Errc::Corrupt, "tag 1");
    row("tagged bignum", hex("c2 41 01"), Errc::Corrupt, "tag 2");
    row("simple 0", hex("e0"), Errc::Corrupt, "simple value 0");
    row("simple 32", hex("f820"), Errc::Corrupt, "simple value 32");
    row("two-byte simple below 32", hex("f810"), Errc::Corrupt, "byte 0");
    row("undefined in a list", hex("81 f7"), Errc::Corrupt, "byte 1");
    row("undefined as map key", hex("a1 f7 01"), Errc::Corrupt, "byte 1");
    row("bytes 2^64-1", hex("5b ffffffffffffffff"), Errc::Corrupt, "byte 0");
    row("text 2^31", hex("7a 80000000 41"), Errc::Corrupt, "declares 2147483648");
    row("array 2^32", hex("9b 0000000100000000 01"), Errc::Corrupt, "declares 4294967296 items");
    row("array 2^64-1", hex("9b ffffffffffffffff"), Errc::Corrupt, "byte 0");
    row("map 2^63", hex("bb 8000000000000000"), Errc::Corrupt, "byte 0");
    row("map 3 pairs in 4 bytes", hex("a3 0102 03"), Errc::Corrupt, "declares 3 pairs");
    row("nested huge array", hex("81 81 9a ffffffff"), Errc::Corrupt, "byte 2");
    row("huge chunk in indefinite bytes", hex("5f 5a 7fffffff 00 ff"), Errc::Corrupt, "byte 0");
    row("text chunk in byte string", hex("5f 61 41 ff"), Errc::Corrupt, "byte 0");
    row("nested indefinite chunk", hex("5f 5f ff ff"), Errc::Corrupt, "byte 0");
    row("trailing garbage", hex("01 02"), Errc::Corrupt, "byte 1");
    row("trailing after map", hex("a1 6161 01 ffff"), Errc::Corrupt, "2 trailing");
    row("second message", hex("8101 8102"), Errc::Corrupt, "byte 2");
    row("utf8 bad continuation", hex("62 c328"), Errc::Corrupt, "UTF-8");
    row("utf8 lone 0xff", hex("61 ff"), Errc::Corrupt, "UTF-8");
    row("utf8 overlong nul", hex("62 c080"), Errc::Corrupt, "UTF-8");
    row("utf8 surrogate", hex("63 eda080"), Errc::Corrupt, "UTF-8");
    row("utf8 beyond U+10FFFF", hex("64 f4908080"), Errc::Corrupt, "UTF-8");
    row("utf8 truncated sequence", hex("62 41e2"), Errc::Corrupt, "UTF-8");
    row("utf8 bad in map key", hex("a1 61ff 01"), Errc::Corrupt, "byte 1");
    row("uint64 beyond int64", hex("1b ffffffffffffffff"), Errc::TooLarge, "byte 0");
    row("negative beyond int64", hex("3b 8000000000000000"), Errc::TooLarge, "byte 0");
}

void TestMessage::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ipc::Errc, code);
    QFETCH(QString, mentions);
    auto v = decodeCbor(bytes);
    QVERIFY2(!v, "malformed input was accepted");
    QCOMPARE(v.error().code, code);
    QVERIFY2(v.error().message.find(mentions.toStdString()) != std::string::npos,
             v.error().message.c_str());
}

void TestMessage::depthLimits()
{
    auto ok = encodeCbor(test::nestedArrays(5));
    QVERIFY(ok);
    QVERIFY(decodeCbor(*ok, {kMaxMessageBytes, 5}));
    auto deep = decodeCbor(*ok, {kMaxMessageBytes, 4});
    QVERIFY(!deep);
    QCOMPARE(deep.error().code, Errc::TooLarge);
    QVERIFY2(deep.error().message.find("depth 5") != std::string::npos, deep.error().message.c_str());
    // A scalar needs no depth; maps count like arrays.
    QVERIFY(decodeCbor(hex("01"), {kMaxMessageBytes, 0}));
    QVERIFY(!decodeCbor(hex("a0"), {kMaxMessageBytes, 0}));
    QVERIFY(!decodeCbor(hex("a1 01 a0"), {kMaxMessageBytes, 1}));
}

void TestMessage::depthBombs()
{
    // 33 nested definite arrays: one over the default limit.
    QByteArray b(kMaxMessageDepth + 1, char(0x81));
    b.append(char(0x00));
    auto v = decodeCbor(b);
    QVERIFY(!v);
    QCOMPARE(v.error().code, Errc::TooLarge);
    QVERIFY(v.error().message.find("byte 32") != std::string::npos);
    // A megabyte of indefinite-length array openers, even with a silly
    // limit: the decoder's recursion is capped, never the stack.
    QByteArray bomb(1 << 20, char(0x9f));
    auto w = decodeCbor(bomb, {kMaxMessageBytes, 1 << 30});
    QVERIFY(!w);
    QCOMPARE(w.error().code, Errc::TooLarge);
    QByteArray maps;
    for (int i = 0; i < 100000; ++i) maps.append("\xa1\x01", 2);
    auto m = decodeCbor(maps);
    QVERIFY(!m);
    QCOMPARE(m.error().code, Errc::TooLarge);
}

void TestMessage::oversizeInput()
{
    auto bytes = encodeCbor(QCborValue(QByteArray(200, 'z')));
    QVERIFY(bytes);
    auto v = decodeCbor(*bytes, {100, kMaxMessageDepth});
    QVERIFY(!v);
    QCOMPARE(v.error().code, Errc::TooLarge);
    QVERIFY(v.error().message.find("limit of 100") != std::string::npos);
}

void TestMessage::randomBytesNeverCrash()
{
    QRandomGenerator rng(1234);
    int accepted = 0;
    for (int i = 0; i < 50000; ++i) {
        QByteArray b(int(rng.bounded(1, 40)), Qt::Uninitialized);
        for (char &c : b) c = char(rng.bounded(256));
        auto v = decodeCbor(b);
        if (!v) {
            QVERIFY(v.error().code == Errc::Corrupt || v.error().code == Errc::TooLarge);
            QVERIFY(v.error().message.find("byte") != std::string::npos ||
                    v.error().message.find("limit") != std::string::npos);
            continue;
        }
        ++accepted;
        // Whatever was accepted is a supported value and encodes again.
        QVERIFY(encodeCbor(*v));
    }
    QVERIFY(accepted > 0); // the generator does hit valid one-byte items
}

void TestMessage::mutatedMessagesNeverCrash()
{
    QCborMap m;
    m.insert(QStringLiteral("name"), QStringLiteral("producer-1"));
    m.insert(QStringLiteral("seq"), 123456789);
    m.insert(QStringLiteral("payload"), QByteArray(40, 'p'));
    m.insert(QStringLiteral("list"), QCborArray{1.5, -7, QCborMap{{1, QStringLiteral("é")}}});
    auto good = encodeCbor(m);
    QVERIFY(good);
    QRandomGenerator rng(99);
    for (int i = 0; i < 50000; ++i) {
        QByteArray b = *good;
        const int edits = int(rng.bounded(1, 4));
        for (int e = 0; e < edits; ++e) {
            const auto pos = qsizetype(rng.bounded(quint32(b.size())));
            switch (rng.bounded(3)) {
            case 0: b[pos] = char(rng.bounded(256)); break;
            case 1: b.truncate(pos); break;
            default: b.insert(pos, char(rng.bounded(256))); break;
            }
            if (b.isEmpty()) break;
        }
        auto v = decodeCbor(b);
        if (v) QVERIFY(encodeCbor(*v));
    }
}

void TestMessage::messageValues()
{
    // A map keeps its keys in order, duplicates included; find() answers
    // the last, as the QCborMap a decoder builds keeps the last.
    const Message m = Message::map({{Message::text("n"), Message::integer(1)},
                                    {Message::integer(2), Message::real(2.5)},
                                    {Message::text("n"), Message::integer(3)}});
    auto bytes = encodeMessage(m);
    QVERIFY(bytes);
    auto back = decodeMessage(*bytes);
    QVERIFY(back);
    QVERIFY(*back == m);
    QCOMPARE(back->entries().size(), std::size_t(3));
    QVERIFY(back->find("n"));
    QCOMPARE(back->find("n")->toInteger(), std::int64_t(3));
    QVERIFY(!back->find("missing"));
    QCOMPARE(toCbor(*back).toMap().value(QStringLiteral("n")).toInteger(), qint64(3));
    // Accessors of another type give the fallback, not a crash.
    QCOMPARE(Message::text("x").toInteger(-1), std::int64_t(-1));
    QVERIFY(Message::integer(7).toText().empty());
    QCOMPARE(Message::integer(7).toDouble(), 7.0);
    QVERIFY(Message().items().empty());
    // The sentinel: one byte, a whole message only.
    auto sentinel = encodeMessage(Message::sentinel());
    QVERIFY(sentinel);
    QVERIFY(isSentinelBytes(std::span<const std::byte>(*sentinel)));
    QVERIFY(decodeMessage(*sentinel)->isSentinel());
    auto inside = encodeMessage(Message::array({Message::sentinel()}));
    QVERIFY(!inside);
    QCOMPARE(inside.error().code, Errc::InvalidArgument);
    // A failed encode appends nothing to what the buffer held.
    Bytes out{std::byte{1}};
    QVERIFY(!encodeMessageInto(out, Message::bytes(Bytes(200)), 100));
    QCOMPARE(out.size(), std::size_t(1));
}

void TestMessage::messageBytesAreQtsCbor_data()
{
    QTest::addColumn<QCborValue>("value");
    QTest::newRow("integers") << QCborValue(QCborArray{0, 23, 24, 255, 256, 65536, -1, -25, -257,
                                                       std::numeric_limits<qint64>::min()});
    QTest::newRow("double") << QCborValue(-0.1);
    QTest::newRow("text") << QCborValue(QStringLiteral("Grüße 🚀"));
    QTest::newRow("bytes") << QCborValue(QByteArray(300, 'b'));
    QTest::newRow("map") << QCborValue(QCborMap{{QStringLiteral("worker"), 1}, {2, QCborArray{true, nullptr}}});
}

void TestMessage::messageBytesAreQtsCbor()
{
    // Our encoder writes what Qt's writes for the same value, and decodes
    // what Qt wrote: two independent implementations of RFC 8949 agree.
    QFETCH(QCborValue, value);
    auto ours = encodeCbor(value);
    QVERIFY(ours);
    QCOMPARE(*ours, value.toCbor());
    auto back = decodeCbor(value.toCbor());
    QVERIFY(back);
    QCOMPARE(*back, value);
    // Through a Message, both ways, the same bytes and the same value.
    auto message = fromCbor(value);
    QVERIFY(message);
    auto messageBytes = encodeMessage(*message);
    QVERIFY(messageBytes);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(messageBytes->data()), qsizetype(messageBytes->size())),
             value.toCbor());
    const QByteArray qtBytes = value.toCbor();
    auto decoded = decodeMessage(asBytes(qtBytes));
    QVERIFY(decoded);
    QVERIFY(*decoded == *message);
    QCOMPARE(toCbor(*decoded), value);
    // Qt's indefinite-length form decodes to the same value.
    QByteArray indefinite;
    QCborStreamWriter writer(&indefinite);
    writer.startArray();
    value.toCbor(writer);
    writer.endArray();
    auto wrapped = decodeCbor(indefinite);
    QVERIFY2(wrapped, wrapped ? "" : wrapped.error().toString().c_str());
    QCOMPARE(*wrapped, QCborValue(QCborArray{value}));
}

QTEST_GUILESS_MAIN(TestMessage)
#include "tst_message.moc"
