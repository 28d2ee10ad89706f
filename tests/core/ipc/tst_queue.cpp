// Queue and JoinableQueue between real processes: exactly-once delivery,
// Full/Empty/timeout/close, sentinels, telemetry, and SIGKILL at random
// points leaving the queue consistent and usable.
#include "board.h"
#include "queue.h"
#include "shared_value.h"
#include "qt_message.h"
#include "test_support.h"

#include <QCborArray>
#include <QRandomGenerator>

#include <csignal>
#include <cstring>
#include <sys/mman.h>
#include <memory>
#include <vector>

using namespace ipc;
using namespace std::chrono_literals;

namespace ipc {

// A put killed after its commit store and before it counts the item in
// tail: a window of a few instructions that random kills (see
// killAtRandomPoints) almost never hit. This dies there on purpose.
struct QueueProbe {
    [[noreturn]] static void commitAndDie(Queue &q, QByteArrayView item)
    {
        std::optional<Deadline> deadline;
        if (!q.lock(q.m_putLock, Queue::Side::Put, std::chrono::seconds(20), deadline)) _exit(2);
        q.commitPut(q.m_tail.load(), q.m_putIndex,
                    std::as_bytes(std::span<const char>(item.data(), std::size_t(item.size()))));
        _exit(0); // holding putLock
    }
};

} // namespace ipc

namespace {

constexpr Duration kLong = 20s; // a blocking call in a test that should not block that long

// Item = [producer u32][seq u32][length u32][checksum u32][filler...]: any
// torn or half-copied item fails validate().
std::uint32_t checksum(const std::byte *p, std::size_t n)
{
    std::uint32_t h = 2166136261u;
    for (std::size_t i = 0; i < n; ++i) h = (h ^ std::uint32_t(p[i])) * 16777619u;
    return h;
}

std::vector<std::byte> makeItem(std::uint32_t producer, std::uint32_t seq, std::size_t size)
{
    size = std::max<std::size_t>(size, 16);
    std::vector<std::byte> v(size);
    for (std::size_t i = 16; i < size; ++i) v[i] = std::byte((seq * 31 + i) & 0xff);
    const auto len = std::uint32_t(size);
    std::memcpy(&v[0], &producer, 4);
    std::memcpy(&v[4], &seq, 4);
    std::memcpy(&v[8], &len, 4);
    const std::uint32_t sum = checksum(v.data() + 16, size - 16) ^ producer ^ (seq << 7);
    std::memcpy(&v[12], &sum, 4);
    return v;
}

struct ItemId {
    std::uint32_t producer;
    std::uint32_t seq;
};

std::optional<ItemId> validate(std::span<const std::byte> v)
{
    if (v.size() < 16) return std::nullopt;
    std::uint32_t producer, seq, len, sum;
    std::memcpy(&producer, &v[0], 4);
    std::memcpy(&seq, &v[4], 4);
    std::memcpy(&len, &v[8], 4);
    std::memcpy(&sum, &v[12], 4);
    if (len != v.size()) return std::nullopt;
    if (sum != (checksum(v.data() + 16, v.size() - 16) ^ producer ^ (seq << 7))) return std::nullopt;
    return ItemId{producer, seq};
}

struct Fixture {
    Arena arena;
    Queue *queue = nullptr;
};

Fixture makeQueue(std::uint32_t maxsize, std::uint32_t maxBytes = 4096,
                  std::size_t arenaBytes = std::size_t(16) << 20)
{
    Fixture f;
    auto arena = Arena::create(arenaBytes);
    if (!arena) return f;
    f.arena = std::move(*arena);
    auto q = Queue::create(f.arena, "q", maxsize, maxBytes);
    if (q) f.queue = *q;
    return f;
}

QByteArray bytesOf(int i) { return QByteArray::number(i); }

} // namespace

class TestQueue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createValidation();
    void unboundedQueueTakesHalfTheFreeArena();
    void simpleQueueAcrossProcesses();
    void fifoAndExactQsize();
    void fullAndEmptyNowait();
    void timeouts();
    void tooLarge();
    void messages();
    void corruptMessageIsConsumed();
    void attachByName();
    void closeWakesBlockedGetters();
    void closeWakesBlockedPutters();
    void blockedTelemetryAndBoardState();
    void timedOutWaitIsCountedWhole();
    void exactlyOnce_data();
    void exactlyOnce();
    void killedConsumerBlockedInGetIsForgotten();
    void producerDiesInsidePut();
    void producerDiesBetweenCommitAndCount();
    void consumerDiesInsideGet();
    void killAtRandomPoints();
    void joinableJoinWaitsForEveryTaskDone();
    void joinableTaskDoneTooOften();
    void joinableAcrossKilledProducer();
};

void TestQueue::createValidation()
{
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    auto huge = Queue::create(*arena, "b", Queue::kMaxCapacity + 1, 64);
    QVERIFY(!huge);
    QCOMPARE(huge.error().code, Errc::InvalidArgument);
    auto noBytes = Queue::create(*arena, "c", 4, 0);
    QVERIFY(!noBytes);
    QCOMPARE(noBytes.error().code, Errc::InvalidArgument);
    auto tooBig = Queue::create(*arena, "d", 1024, 64 * 1024); // 64 MiB in a 1 MiB arena
    QVERIFY(!tooBig);
    QCOMPARE(tooBig.error().code, Errc::TooLarge);
    auto ok = Queue::create(*arena, "e", 3, 100);
    QVERIFY(ok);
    QCOMPARE((*ok)->capacity(), 3u);
    QCOMPARE((*ok)->maxMessageBytes(), 100u);
}

void TestQueue::unboundedQueueTakesHalfTheFreeArena()
{
    // Python's Queue() has no maxsize. Ours is a ring in a fixed arena: it
    // takes as many slots as half the free space holds, here 2 MiB of
    // 64-byte messages -- a producer with no consumer puts 10,000 without
    // ever waiting.
    auto arena = Arena::create(std::size_t(4) << 20);
    QVERIFY(arena);
    const std::size_t freeBefore = arena->size() - arena->used();
    auto q = Queue::create(*arena, "q", Queue::kUnbounded, 64);
    QVERIFY2(q, q ? "" : q.error().toString().c_str());
    QVERIFY2((*q)->capacity() > 20'000, std::to_string((*q)->capacity()).c_str());
    QVERIFY(arena->size() - arena->used() >= freeBefore / 2); // the other half is left
    const int fd = arena->fd();
    test::ForkedChild producer([fd] {
        auto attached = Arena::attachFd(dup(fd));
        if (!attached) return 3;
        auto queue = Queue::attach(*attached, "q");
        if (!queue) return 4;
        for (int i = 0; i < 10'000; ++i)
            if (!(*queue)->putBytes(bytesOf(i), kNoWait)) return 5;
        return 0;
    });
    QCOMPARE(producer.join(), std::optional<int>(0));
    QCOMPARE((*q)->qsize(), std::size_t(10'000));
    for (int i = 0; i < 10'000; ++i) {
        auto got = (*q)->getBytes(kNoWait);
        QVERIFY(got);
        QCOMPARE(*got, bytesOf(i));
    }
    // Another unbounded queue takes half of what is left; with no room
    // left at all it is TooLarge, saying how little there was.
    auto second = Queue::create(*arena, "q2", Queue::kUnbounded, 64);
    QVERIFY(second);
    QVERIFY((*second)->capacity() < (*q)->capacity());
    auto tiny = Arena::create(64 << 10);
    QVERIFY(tiny);
    auto none = Queue::create(*tiny, "big", Queue::kUnbounded, 1 << 20);
    QVERIFY(!none);
    QCOMPARE(none.error().code, Errc::TooLarge);
    QVERIFY2(none.error().message.find("without a maxsize") != std::string::npos, none.error().message.c_str());
}

void TestQueue::simpleQueueAcrossProcesses()
{
    // multiprocessing.SimpleQueue: put, get, empty, close.
    auto arena = Arena::create(std::size_t(1) << 20);
    QVERIFY(arena);
    auto s = SimpleQueue::create(*arena, "simple", 256);
    QVERIFY(s);
    QVERIFY((*s)->empty());
    const int fd = arena->fd();
    test::ForkedChild echo([fd] {
        auto attached = Arena::attachFd(dup(fd));
        if (!attached) return 3;
        auto queue = attached->find<SimpleQueue>("simple");
        if (!queue) return 4;
        auto first = (*queue)->get(); // blocks until the parent puts
        if (!first) return 5;
        return (*queue)->put(Message::integer(first->toInteger() + 1)) ? 0 : 6;
    });
    QVERIFY((*s)->put(Message::integer(41)));
    QCOMPARE(echo.join(), std::optional<int>(0));
    QVERIFY(!(*s)->empty());
    auto answer = (*s)->get();
    QVERIFY(answer);
    QCOMPARE(answer->toInteger(), qint64(42));
    // Closed: a put fails, a get drains what is left, then fails.
    QVERIFY((*s)->put(Message::integer(1)));
    (*s)->close();
    QCOMPARE((*s)->put(Message::integer(2)).error().code, Errc::Closed);
    QVERIFY((*s)->get());
    QCOMPARE((*s)->get().error().code, Errc::Closed);
    // It is found as what it is, not as a Queue.
    auto asQueue = arena->find<Queue>("simple");
    QVERIFY(!asQueue);
    QVERIFY2(asQueue.error().message.find("is a SimpleQueue, not a Queue") != std::string::npos,
             asQueue.error().message.c_str());
}

void TestQueue::fifoAndExactQsize()
{
    auto f = makeQueue(10);
    QVERIFY(f.queue);
    Queue &q = *f.queue;
    QVERIFY(q.empty());
    for (int i = 0; i < 7; ++i) {
        QVERIFY(q.putBytes(QByteArray(i, char('a' + i)), kLong));
        QCOMPARE(q.qsize(), std::size_t(i + 1));
    }
    for (int i = 0; i < 7; ++i) {
        auto got = q.getBytes(kLong);
        QVERIFY(got);
        QCOMPARE(*got, QByteArray(i, char('a' + i))); // including the empty item
        QCOMPARE(q.qsize(), std::size_t(6 - i));
    }
    // Wrap around the ring several times.
    for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < 10; ++i) QVERIFY(q.putBytes(bytesOf(round * 100 + i), kNoWait));
        QVERIFY(q.full());
        for (int i = 0; i < 10; ++i) QCOMPARE(*q.getBytes(kNoWait), bytesOf(round * 100 + i));
    }
    const QueueStats s = q.stats();
    QCOMPARE(s.itemsPut, 57u);
    QCOMPARE(s.itemsGot, 57u);
    QCOMPARE(s.depth, 0u);
    QCOMPARE(s.maxDepth, 10u);
    QCOMPARE(s.bytesQueued(), 0u);
    QCOMPARE(s.capacity, 10u);
}

void TestQueue::fullAndEmptyNowait()
{
    auto f = makeQueue(3);
    QVERIFY(f.queue);
    Queue &q = *f.queue;
    auto empty = q.getBytes(kNoWait);
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, Errc::Empty);
    for (int i = 0; i < 3; ++i) QVERIFY(q.putBytes(bytesOf(i), kNoWait));
    auto full = q.putBytes("x", kNoWait);
    QVERIFY(!full);
    QCOMPARE(full.error().code, Errc::Full);
    QVERIFY(full.error().message.find("full") != std::string::npos);
    QCOMPARE(q.qsize(), std::size_t(3));
    QCOMPARE(*q.getBytes(kNoWait), bytesOf(0));
    QVERIFY(q.putBytes("x", kNoWait));
}

void TestQueue::timeouts()
{
    auto f = makeQueue(1);
    QVERIFY(f.queue);
    Queue &q = *f.queue;
    // Python's queue.Empty and queue.Full, whether at once or after waiting.
    auto got = q.getBytes(30ms);
    QVERIFY(!got);
    QCOMPARE(got.error().code, Errc::Empty);
    QVERIFY(q.putBytes("a", 30ms));
    auto put = q.putBytes("b", 30ms);
    QVERIFY(!put);
    QCOMPARE(put.error().code, Errc::Full);
    QCOMPARE(q.qsize(), std::size_t(1));
    // Nobody is left registered as waiting after a timeout.
    QCOMPARE(q.stats().blockedPut, 0u);
    QCOMPARE(q.stats().blockedGet, 0u);
}

void TestQueue::tooLarge()
{
    auto f = makeQueue(4, 100);
    QVERIFY(f.queue);
    Queue &q = *f.queue;
    auto big = q.putBytes(QByteArray(101, 'x'), kNoWait);
    QVERIFY(!big);
    QCOMPARE(big.error().code, Errc::TooLarge);
    QVERIFY2(big.error().message.find("limit of 100") != std::string::npos, big.error().message.c_str());
    QCOMPARE(q.qsize(), std::size_t(0));
    QVERIFY(q.putBytes(QByteArray(100, 'y'), kNoWait));
    // A buffer too small for the next item: error, and the item stays.
    std::vector<std::byte> small(10);
    auto tooSmall = q.get(small, kNoWait);
    QVERIFY(!tooSmall);
    QCOMPARE(tooSmall.error().code, Errc::TooLarge);
    QCOMPARE(q.qsize(), std::size_t(1));
    std::vector<std::byte> enough(100);
    auto n = q.get(enough, kNoWait);
    QVERIFY(n);
    QCOMPARE(*n, std::size_t(100));
    // A message that encodes over the limit.
    auto msg = q.putCbor(QCborValue(QByteArray(200, 'z')), kNoWait);
    QVERIFY(!msg);
    QCOMPARE(msg.error().code, Errc::TooLarge);
}

void TestQueue::messages()
{
    auto f = makeQueue(4);
    QVERIFY(f.queue);
    Queue &q = *f.queue;
    const QCborValue value(QCborArray{1, QStringLiteral("two"), 3.5, QByteArray("four")});
    QVERIFY(q.putCbor(value, kNoWait));
    QVERIFY(q.putCbor(sentinelMessage(), kNoWait));
    auto a = q.getCbor(kNoWait);
    QVERIFY(a);
    QCOMPARE(*a, value);
    auto b = q.getCbor(kNoWait);
    QVERIFY(b);
    QVERIFY(isSentinel(*b));
}

void TestQueue::corruptMessageIsConsumed()
{
    auto f = makeQueue(4);
    QVERIFY(f.queue);
    Queue &q = *f.queue;
    QVERIFY(q.putBytes(QByteArray::fromHex("83 01 02"), kNoWait)); // truncated array
    QVERIFY(q.putCbor(QCborValue(42), kNoWait));
    auto bad = q.getCbor(kNoWait);
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::Corrupt);
    auto good = q.getCbor(kNoWait);
    QVERIFY(good);
    QCOMPARE(good->toInteger(), 42);
}

void TestQueue::attachByName()
{
    auto f = makeQueue(4);
    QVERIFY(f.queue);
    auto jq = JoinableQueue::create(f.arena, "jq", 4, 64);
    QVERIFY(jq);
    QVERIFY(f.arena.make<Lock>("lock"));
    test::ForkedChild child([fd = f.arena.fd()] {
        auto arena = Arena::attachFd(fd);
        if (!arena) return 10;
        auto q = Queue::attach(*arena, "q");
        auto j = Queue::attach(*arena, "jq");
        if (!q || !j) return 11;
        if (Queue::attach(*arena, "lock")) return 12; // a lock is not a queue
        if (Queue::attach(*arena, "nope")) return 13;
        if (!(*q)->putBytes("from child", kLong)) return 14;
        if (!(*j)->putBytes("joinable", kLong)) return 15;
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE(*f.queue->getBytes(kNoWait), QByteArray("from child"));
    QCOMPARE(*(*jq)->getBytes(kNoWait), QByteArray("joinable"));
    QCOMPARE((*jq)->unfinishedTasks(), 1u);
}

void TestQueue::closeWakesBlockedGetters()
{
    auto f = makeQueue(4);
    QVERIFY(f.queue);
    Queue *q = f.queue;
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int i = 0; i < 3; ++i)
        children.push_back(std::make_unique<test::ForkedChild>([q] {
            auto got = q->getBytes(kForever); // woken only by close()
            return !got && got.error().code == Errc::Closed ? 0 : 1;
        }));
    QVERIFY(waitFor([&] { return q->stats().blockedGet == 3; }));
    q->close();
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    // A closed queue refuses puts; gets drain what is left, then say Closed.
    auto put = q->putBytes("late", kNoWait);
    QVERIFY(!put);
    QCOMPARE(put.error().code, Errc::Closed);
    auto got = q->getBytes(kLong);
    QVERIFY(!got);
    QCOMPARE(got.error().code, Errc::Closed);
}

void TestQueue::closeWakesBlockedPutters()
{
    auto f = makeQueue(2);
    QVERIFY(f.queue);
    Queue *q = f.queue;
    QVERIFY(q->putBytes("1", kNoWait));
    QVERIFY(q->putBytes("2", kNoWait));
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int i = 0; i < 2; ++i)
        children.push_back(std::make_unique<test::ForkedChild>([q] {
            auto put = q->putBytes("blocked", kForever);
            return !put && put.error().code == Errc::Closed ? 0 : 1;
        }));
    QVERIFY(waitFor([&] { return q->stats().blockedPut == 2; }));
    q->close();
    for (auto &c : children) QCOMPARE(c->join(), std::optional<int>(0));
    QVERIFY(q->isClosed());
    // Items queued before the close are still delivered.
    QCOMPARE(*q->getBytes(kNoWait), QByteArray("1"));
    QCOMPARE(*q->getBytes(kNoWait), QByteArray("2"));
    QCOMPARE(q->getBytes(kNoWait).error().code, Errc::Closed);
}

void TestQueue::blockedTelemetryAndBoardState()
{
    auto f = makeQueue(1);
    QVERIFY(f.queue);
    auto board = f.arena.make<Board>("board");
    QVERIFY(board);
    auto getterSlot = (*board)->claim("consumer");
    auto putterSlot = (*board)->claim("producer");
    QVERIFY(getterSlot && putterSlot);
    Queue *q = f.queue;
    test::ForkedChild getter([q, slot = *getterSlot] {
        telemetry::attach(slot);
        telemetry::setState(ProcState::Running);
        auto got = q->getBytes(kLong);
        return got && *got == "wake" ? 0 : 1;
    });
    QVERIFY(waitFor([&] { return q->stats().blockedGet == 1; }));
    QVERIFY(waitFor([&] { return (*getterSlot)->currentState() == ProcState::BlockedGet; }));
    QCOMPARE((*getterSlot)->object.load(), q->objectIndex);
    QVERIFY(q->putBytes("wake", kNoWait));
    QCOMPARE(getter.join(), std::optional<int>(0));
    QCOMPARE((*getterSlot)->counter(Counter::ItemsGot), 1u);
    QVERIFY((*getterSlot)->blockedNs.load() > 0);

    QVERIFY(q->putBytes("fill", kNoWait));
    test::ForkedChild putter([q, slot = *putterSlot] {
        telemetry::attach(slot);
        telemetry::setState(ProcState::Running);
        return q->putBytes("second", kLong) ? 0 : 1;
    });
    QVERIFY(waitFor([&] { return q->stats().blockedPut == 1; }));
    QVERIFY(waitFor([&] { return (*putterSlot)->currentState() == ProcState::BlockedPut; }));
    QCOMPARE(*q->getBytes(kNoWait), QByteArray("fill"));
    QCOMPARE(putter.join(), std::optional<int>(0));
    QCOMPARE((*putterSlot)->currentState(), ProcState::Running);
    QCOMPARE((*putterSlot)->counter(Counter::ItemsPut), 1u);
    QCOMPARE(*q->getBytes(kNoWait), QByteArray("second"));
    QCOMPARE(q->stats().blockedPut, 0u);
}

// A wait is marked on the board only after ~2.5 us of spinning, backdated
// by the pauses it spent (Queue::waitOn): the whole wait still counts. A
// get that timed out after 20 ms was blocked for at least that long.
void TestQueue::timedOutWaitIsCountedWhole()
{
    auto f = makeQueue(1);
    QVERIFY(f.queue);
    auto board = f.arena.make<Board>("board");
    QVERIFY(board);
    auto slot = (*board)->claim("test");
    QVERIFY(slot);
    telemetry::attach(*slot);
    telemetry::setState(ProcState::Running);
    auto got = f.queue->getBytes(20ms);
    telemetry::attach(nullptr);
    QVERIFY(!got);
    QCOMPARE(got.error().code, Errc::Empty);
    const std::uint64_t blockedNs = (*slot)->blockedNs.load();
    QVERIFY2(blockedNs >= 20'000'000u, std::to_string(blockedNs).c_str());
    QCOMPARE((*slot)->currentState(), ProcState::Running);
}

void TestQueue::exactlyOnce_data()
{
    QTest::addColumn<int>("producers");
    QTest::addColumn<int>("consumers");
    QTest::addColumn<int>("items");
    QTest::addColumn<int>("maxsize");
    QTest::newRow("1x1") << 1 << 1 << 20000 << 8;
    QTest::newRow("2x2") << 2 << 2 << 10000 << 8;
    QTest::newRow("4x4") << 4 << 4 << 5000 << 4;
    QTest::newRow("4x4 maxsize 1") << 4 << 4 << 1000 << 1;
    QTest::newRow("2x4 large ring") << 2 << 4 << 10000 << 1000;
}

void TestQueue::exactlyOnce()
{
    QFETCH(int, producers);
    QFETCH(int, consumers);
    QFETCH(int, items);
    QFETCH(int, maxsize);
    auto f = makeQueue(std::uint32_t(maxsize), 512);
    QVERIFY(f.queue);
    Queue *q = f.queue;
    // seen[p * items + seq]: how often each item arrived.
    auto seen = f.arena.make<SharedArray<std::int32_t>>("seen", std::size_t(producers * items));
    auto bad = f.arena.make<SharedValue<std::int64_t>>("bad", 0);
    QVERIFY(seen && bad);
    SharedArray<std::int32_t> *seenArr = *seen;
    SharedValue<std::int64_t> *badCount = *bad;

    std::vector<std::unique_ptr<test::ForkedChild>> ps, cs;
    for (int c = 0; c < consumers; ++c)
        cs.push_back(std::make_unique<test::ForkedChild>([=] {
            std::vector<std::byte> buf(512);
            for (;;) {
                auto n = q->get(buf, kLong);
                if (!n) return 2;
                if (isSentinelBytes(QByteArrayView(reinterpret_cast<const char *>(buf.data()), qsizetype(*n))))
                    return 0;
                auto id = validate(std::span<const std::byte>(buf.data(), *n));
                if (!id || id->producer >= std::uint32_t(producers) || id->seq >= std::uint32_t(items)) {
                    (void)badCount->lockedAdd(1);
                    continue;
                }
                std::atomic_ref<std::int32_t>(seenArr->elements()[id->producer * std::uint32_t(items) + id->seq])
                    .fetch_add(1);
            }
        }, 60));
    for (int p = 0; p < producers; ++p)
        ps.push_back(std::make_unique<test::ForkedChild>([=] {
            for (int i = 0; i < items; ++i) {
                const auto item = makeItem(std::uint32_t(p), std::uint32_t(i), 16 + std::size_t(i % 200));
                if (!q->put(item, kLong)) return 2;
            }
            return 0;
        }, 60));
    for (auto &p : ps) QCOMPARE(p->join(60000), std::optional<int>(0));
    // One sentinel per consumer: each stops at the first one it gets.
    for (int c = 0; c < consumers; ++c) QVERIFY(q->putCbor(sentinelMessage(), kLong));
    for (auto &c : cs) QCOMPARE(c->join(60000), std::optional<int>(0));

    QCOMPARE(badCount->load(), 0);
    int missing = 0, duplicated = 0;
    for (std::int32_t n : seenArr->elements()) {
        if (n == 0) ++missing;
        if (n > 1) ++duplicated;
    }
    QCOMPARE(missing, 0);
    QCOMPARE(duplicated, 0);
    const QueueStats s = q->stats();
    QCOMPARE(s.itemsPut, std::uint64_t(producers * items + consumers));
    QCOMPARE(s.itemsGot, s.itemsPut);
    QCOMPARE(q->qsize(), std::size_t(0));
    QVERIFY(s.maxDepth >= 1 && s.maxDepth <= std::uint64_t(maxsize));
    QCOMPARE(s.blockedGet + s.blockedPut, 0u);
}

void TestQueue::killedConsumerBlockedInGetIsForgotten()
{
    auto f = makeQueue(4);
    QVERIFY(f.queue);
    Queue *q = f.queue;
    {
        test::ForkedChild doomed([q] { return q->getBytes(kLong) ? 0 : 1; });
        QVERIFY(waitFor([&] { return q->stats().blockedGet == 1; }));
        doomed.kill();
        QCOMPARE(doomed.join(), std::optional<int>(-SIGKILL));
    }
    // Dead waiters are not reported as blocked, and the next item goes to
    // a live consumer rather than to the dead one's wake.
    QCOMPARE(q->stats().blockedGet, 0u);
    test::ForkedChild alive([q] {
        auto got = q->getBytes(kLong);
        return got && *got == "for the living" ? 0 : 1;
    });
    QVERIFY(waitFor([&] { return q->stats().blockedGet == 1; }));
    QVERIFY(q->putBytes("for the living", kNoWait));
    QCOMPARE(alive.join(), std::optional<int>(0));
}

namespace {

// A buffer whose last `tail` bytes run into an inaccessible page: a memcpy
// through it dies of SIGSEGV half way, inside the queue's critical section.
struct TrapBuffer {
    std::byte *base = nullptr;
    std::size_t pageSize = std::size_t(sysconf(_SC_PAGESIZE));
    TrapBuffer()
    {
        void *p = mmap(nullptr, 2 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        base = static_cast<std::byte *>(p);
        std::memset(base, 'a', pageSize);
        mprotect(base + pageSize, pageSize, PROT_NONE);
    }
    ~TrapBuffer() { munmap(base, 2 * pageSize); }
    // size bytes, of which only the first half are readable/writable
    std::span<std::byte> span(std::size_t size) { return {base + pageSize - size / 2, size}; }
};

} // namespace

void TestQueue::producerDiesInsidePut()
{
    auto f = makeQueue(4, 8192);
    QVERIFY(f.queue);
    Queue *q = f.queue;
    QVERIFY(q->putBytes("before", kNoWait));
    test::ForkedChild dying([q] {
        std::signal(SIGSEGV, SIG_DFL); // not Qt Test's crash handler: just die
        TrapBuffer trap;
        (void)q->put(trap.span(4096), kLong); // SIGSEGV in the copy, holding the lock
        return 0;
    });
    QCOMPARE(dying.join(), std::optional<int>(-SIGSEGV));
    // The half-copied item never became visible; the lock is taken over.
    QCOMPARE(q->qsize(), std::size_t(1));
    QVERIFY(q->putBytes("after", 5s));
    QCOMPARE(q->stats().ownerDeaths, 1u);
    QCOMPARE(*q->getBytes(kNoWait), QByteArray("before"));
    QCOMPARE(*q->getBytes(kNoWait), QByteArray("after"));
    QCOMPARE(q->stats().bytesPut, 11u);
    QCOMPARE(q->stats().bytesQueued(), 0u);
}

void TestQueue::producerDiesBetweenCommitAndCount()
{
    auto f = makeQueue(4);
    QVERIFY(f.queue);
    Queue *q = f.queue;
    QVERIFY(q->putBytes("first", kNoWait));
    test::ForkedChild dying([q]() -> int { QueueProbe::commitAndDie(*q, "second"); });
    QCOMPARE(dying.join(), std::optional<int>(0));
    // Committed, so it exists although tail was not advanced: counted, and got.
    QCOMPARE(q->qsize(), std::size_t(2));
    QCOMPARE(q->stats().itemsPut, 2u);
    for (const char *expected : {"first", "second"}) {
        auto got = q->getBytes(kNoWait);
        QVERIFY2(got, got ? "" : got.error().message.c_str());
        QCOMPARE(*got, QByteArray(expected));
    }
    QCOMPARE(q->qsize(), std::size_t(0));
    // The next producer takes the lock over and counts it first: its own
    // item goes into the next slot, and the byte counter is right.
    QVERIFY(q->putBytes("third", 5s));
    const QueueStats s = q->stats();
    QCOMPARE(s.ownerDeaths, 1u);
    QCOMPARE(s.itemsPut, 3u);
    QCOMPARE(s.bytesPut, 16u);
    auto third = q->getBytes(kNoWait);
    QVERIFY2(third, third ? "" : third.error().message.c_str());
    QCOMPARE(*third, QByteArray("third"));
    QCOMPARE(q->stats().bytesQueued(), 0u);
}

void TestQueue::consumerDiesInsideGet()
{
    auto f = makeQueue(4, 8192);
    QVERIFY(f.queue);
    Queue *q = f.queue;
    const QByteArray item(6000, 'i'); // longer than the writable half of the trap
    QVERIFY(q->putBytes(item, kNoWait));
    QVERIFY(q->putBytes("second", kNoWait));
    test::ForkedChild dying([q] {
        std::signal(SIGSEGV, SIG_DFL);
        TrapBuffer trap;
        (void)q->get(trap.span(8192), kLong); // SIGSEGV copying out, holding the lock
        return 0;
    });
    QCOMPARE(dying.join(), std::optional<int>(-SIGSEGV));
    // The item it was reading is still first in line, whole.
    QCOMPARE(q->qsize(), std::size_t(2));
    auto got = q->getBytes(5s);
    QVERIFY(got);
    QCOMPARE(*got, item);
    QCOMPARE(q->stats().ownerDeaths, 1u);
    QCOMPARE(*q->getBytes(kNoWait), QByteArray("second"));
    QCOMPARE(q->stats().bytesQueued(), 0u);
}

// Producers and consumers hammer a small queue with large, self-checking
// items; one of them is SIGKILLed at a random moment (often in the middle
// of a memcpy inside put or get). The survivors must go on, and at the end
// the queue's counters must agree with what is actually in it.
void TestQueue::killAtRandomPoints()
{
    constexpr std::uint32_t kMaxBytes = 32 * 1024;
    auto f = makeQueue(8, kMaxBytes, std::size_t(8) << 20);
    QVERIFY(f.queue);
    Queue *q = f.queue;
    auto corrupt = f.arena.make<SharedValue<std::int64_t>>("corrupt", 0);
    auto progress = f.arena.make<SharedValue<std::int64_t>>("progress", 0);
    QVERIFY(corrupt && progress);
    SharedValue<std::int64_t> *corruptItems = *corrupt;
    SharedValue<std::int64_t> *gets = *progress;

    const auto producer = [=](std::uint32_t id) {
        return [=] {
            QRandomGenerator rng(id);
            for (std::uint32_t seq = 0;; ++seq) {
                const auto item = makeItem(id, seq, 16 + rng.bounded(kMaxBytes - 16));
                auto put = q->put(item, kLong);
                if (!put) return put.error().code == Errc::Full ? 3 : 2;
            }
        };
    };
    const auto consumer = [=] {
        std::vector<std::byte> buf(kMaxBytes);
        for (;;) {
            auto n = q->get(buf, kLong);
            if (!n) return n.error().code == Errc::Empty ? 3 : 2;
            if (!validate(std::span<const std::byte>(buf.data(), *n))) corruptItems->store(corruptItems->load() + 1);
            gets->store(gets->load() + 1);
        }
    };

    QRandomGenerator rng(20261122);
    std::uint32_t nextId = 0;
    constexpr int kRounds = 300;
    for (int round = 0; round < kRounds; ++round) {
        std::vector<std::unique_ptr<test::ForkedChild>> procs;
        for (int i = 0; i < 2; ++i) procs.push_back(std::make_unique<test::ForkedChild>(producer(nextId++)));
        for (int i = 0; i < 2; ++i) procs.push_back(std::make_unique<test::ForkedChild>(consumer));
        usleep(useconds_t(rng.bounded(200, 3000)));
        // Kill one at random, mid-operation more often than not.
        const auto victim = rng.bounded(4);
        procs[victim]->kill();
        QVERIFY(procs[victim]->join(10000).has_value());
        // The survivors keep moving items (a dead lock holder is taken over).
        const std::int64_t before = gets->load();
        QVERIFY2(waitFor([&] { return gets->load() > before + 20; }, 15000),
                 qPrintable(QStringLiteral("round %1: no progress after killing #%2").arg(round).arg(victim)));
        for (auto &p : procs) p->kill();
        for (auto &p : procs) QVERIFY(p->join(10000).has_value());
    }
    QCOMPARE(corruptItems->load(), 0);

    // Everything the counters claim is queued is there, intact.
    const QueueStats s = q->stats();
    QVERIFY(s.depth <= 8);
    QCOMPARE(s.itemsPut - s.itemsGot, s.depth);
    std::vector<std::byte> buf(kMaxBytes);
    std::uint64_t drainedBytes = 0, drained = 0;
    for (;;) {
        auto n = q->get(buf, kNoWait);
        if (!n) {
            QCOMPARE(n.error().code, Errc::Empty);
            break;
        }
        QVERIFY(validate(std::span<const std::byte>(buf.data(), *n)));
        drainedBytes += *n;
        ++drained;
    }
    QCOMPARE(drained, s.depth);
    QCOMPARE(drainedBytes, s.bytesQueued());
    // And it is fully usable: the locks are free, nobody is left waiting.
    QVERIFY(q->putBytes("after", 1s));
    QCOMPARE(*q->getBytes(1s), QByteArray("after"));
    QCOMPARE(q->stats().blockedGet + q->stats().blockedPut, 0u);
    qInfo("owner deaths repaired: %llu, items moved: %llu",
          static_cast<unsigned long long>(q->stats().ownerDeaths),
          static_cast<unsigned long long>(q->stats().itemsGot));
}

void TestQueue::joinableJoinWaitsForEveryTaskDone()
{
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    auto jq = JoinableQueue::create(*arena, "jobs", 16, 64);
    auto doneByWorker = arena->make<SharedValue<std::int64_t>>("done", 0);
    QVERIFY(jq && doneByWorker);
    JoinableQueue *q = *jq;
    SharedValue<std::int64_t> *done = *doneByWorker;
    QVERIFY(q->join(kNoWait)); // nothing put yet
    for (int i = 0; i < 10; ++i) QVERIFY(q->putCbor(QCborValue(i), kNoWait));
    QCOMPARE(q->unfinishedTasks(), 10u);
    auto notYet = q->join(kNoWait);
    QVERIFY(!notYet);
    QCOMPARE(notYet.error().code, Errc::Timeout);

    test::ForkedChild worker([q, done] {
        for (int i = 0; i < 10; ++i) {
            if (!q->getCbor(kLong)) return 1;
            usleep(2000); // the work
            done->store(done->load() + 1);
            if (!q->taskDone()) return 2;
        }
        return 0;
    });
    auto joined = q->join(kLong);
    QVERIFY(joined);
    // join returned, so every task_done happened before it.
    QCOMPARE(done->load(), 10);
    QCOMPARE(q->unfinishedTasks(), 0u);
    QCOMPARE(worker.join(), std::optional<int>(0));
}

void TestQueue::joinableTaskDoneTooOften()
{
    auto arena = Arena::create(1 << 20);
    QVERIFY(arena);
    auto jq = JoinableQueue::create(*arena, "jobs", 4, 64);
    QVERIFY(jq);
    JoinableQueue &q = **jq;
    auto early = q.taskDone();
    QVERIFY(!early);
    QCOMPARE(early.error().code, Errc::ValueError);
    QVERIFY(q.putBytes("a", kNoWait));
    QVERIFY(q.putBytes("b", kNoWait));
    QVERIFY(q.getBytes(kNoWait));
    QVERIFY(q.taskDone());
    QVERIFY(q.taskDone()); // Python allows task_done for a put item not yet got
    auto again = q.taskDone();
    QVERIFY(!again);
    QCOMPARE(again.error().code, Errc::ValueError);
    QVERIFY2(again.error().message.find("more times") != std::string::npos, again.error().message.c_str());
    QVERIFY(q.join(kNoWait));
}

void TestQueue::joinableAcrossKilledProducer()
{
    // A producer killed mid-put never leaves a phantom unfinished task
    // (unfinished = items put - task_done, both single atomic steps).
    auto arena = Arena::create(8 << 20);
    QVERIFY(arena);
    auto jq = JoinableQueue::create(*arena, "jobs", 4, 60000);
    QVERIFY(jq);
    JoinableQueue *q = *jq;
    QRandomGenerator rng(7);
    for (int round = 0; round < 20; ++round) {
        test::ForkedChild producer([q] {
            const QByteArray big(60000, 'p');
            for (;;)
                if (!q->putBytes(big, kLong)) return 1;
        });
        test::ForkedChild consumer([q] {
            for (;;) {
                if (!q->getBytes(kLong)) return 1;
                if (!q->taskDone()) return 2;
            }
        });
        usleep(useconds_t(rng.bounded(100, 2000)));
        producer.kill();
        QVERIFY(producer.join(10000).has_value());
        // The consumer drains what was put and marks it done: join returns.
        QVERIFY(q->join(kLong));
        consumer.kill();
        QVERIFY(consumer.join(10000).has_value());
        // The consumer may die between get and task_done: finish for it.
        while (q->unfinishedTasks() > q->qsize()) QVERIFY(q->taskDone());
        while (q->getBytes(kNoWait)) QVERIFY(q->taskDone());
        QCOMPARE(q->unfinishedTasks(), 0u);
    }
}

QTEST_GUILESS_MAIN(TestQueue)
#include "tst_queue.moc"
