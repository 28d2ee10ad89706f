// ObjectStore in-process: what the manager server decides for a request,
// without a socket or a process. Clients are numbers; a request that waits
// is answered through takeAnswers() once another client's request, a
// deadline or a disconnect ends its wait. (tst_manager runs the same
// objects across real processes, through the server.)
#include "manager_store.h"

#include "spin_wait.h"

#include <QTest>

#include <cmath>

using namespace ipc;
using namespace ipc::manager;

namespace {

constexpr ObjectStore::ClientId kAlice = 1;
constexpr ObjectStore::ClientId kBob = 2;
constexpr ObjectStore::ClientId kCarol = 3;
constexpr qint64 kForeverNs = -1;
constexpr qint64 kTenSecondsNs = 10'000'000'000;

QCborArray request(Op op, std::int64_t object, std::initializer_list<QCborValue> args = {})
{
    QCborArray r{qint64(op), qint64(object)};
    for (const QCborValue &a : args) r.append(a);
    return r;
}

// The object's id, opened (made on first use) by client 1.
std::int64_t open(ObjectStore &store, Kind kind, const char *name, std::initializer_list<QCborValue> args = {})
{
    QCborArray r{qint64(Op::Open), 0, qint64(kind), QString::fromLatin1(name)};
    for (const QCborValue &a : args) r.append(a);
    auto id = store.execute(kAlice, Op::Open, r);
    if (!id || !*id) qFatal("open %s failed", name);
    return (**id).toInteger();
}

// The answer given at once (fails the test if the request waited).
QCborValue now(ObjectStore &store, ObjectStore::ClientId client, Op op, std::int64_t object,
               std::initializer_list<QCborValue> args = {})
{
    auto answer = store.execute(client, op, request(op, object, args));
    if (!answer) qFatal("request waited");
    if (!*answer) qFatal("request failed: %s", answer->error().message.c_str());
    return **answer;
}

bool waits(ObjectStore &store, ObjectStore::ClientId client, Op op, std::int64_t object,
           std::initializer_list<QCborValue> args = {})
{
    return !store.execute(client, op, request(op, object, args)).has_value();
}

} // namespace

class TestManagerStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aLockWaiterIsAnsweredWhenItIsReleased()
    {
        ObjectStore store;
        const auto lock = open(store, Kind::Lock, "lock");
        QCOMPARE(now(store, kAlice, Op::Acquire, lock, {kForeverNs}).toInteger(), 0);
        QVERIFY(waits(store, kBob, Op::Acquire, lock, {kForeverNs}));
        QVERIFY(waits(store, kCarol, Op::Acquire, lock, {kForeverNs}));
        QCOMPARE(store.parkedCount(), 2u);
        QVERIFY(store.takeAnswers().empty());
        now(store, kAlice, Op::Release, lock);
        // Only the first waiter gets it, in arrival order.
        auto answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(1));
        QCOMPARE(answers[0].client, kBob);
        QCOMPARE(answers[0].value->toInteger(), 0);
        QCOMPARE(store.parkedCount(), 1u);
    }

    void aDisconnectedHoldersLockPassesOnFlagged()
    {
        ObjectStore store;
        const auto lock = open(store, Kind::Lock, "lock");
        now(store, kAlice, Op::Acquire, lock, {kForeverNs});
        QVERIFY(waits(store, kBob, Op::Acquire, lock, {kForeverNs}));
        store.disconnect(kAlice);
        auto answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(1));
        QCOMPARE(answers[0].client, kBob);
        QCOMPARE(answers[0].value->toInteger(), 1); // acquired; the owner died
        // Told once: the next holder after Bob hears nothing of it.
        now(store, kBob, Op::Release, lock);
        QCOMPARE(now(store, kCarol, Op::Acquire, lock, {kForeverNs}).toInteger(), 0);
    }

    void aDisconnectedWaiterIsForgotten()
    {
        ObjectStore store;
        const auto lock = open(store, Kind::Lock, "lock");
        now(store, kAlice, Op::Acquire, lock, {kForeverNs});
        QVERIFY(waits(store, kBob, Op::Acquire, lock, {kForeverNs}));
        QVERIFY(waits(store, kCarol, Op::Acquire, lock, {kForeverNs}));
        store.disconnect(kBob);
        QCOMPARE(store.parkedCount(), 1u);
        now(store, kAlice, Op::Release, lock);
        auto answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(1));
        QCOMPARE(answers[0].client, kCarol);
    }

    void aWaitingGetterTakesThePutItemAndAFullQueuesPutterGetsIn()
    {
        ObjectStore store;
        const auto q = open(store, Kind::Queue, "q", {1});
        QVERIFY(waits(store, kBob, Op::Take, q, {kForeverNs}));
        now(store, kAlice, Op::Put, q, {QStringLiteral("first"), kForeverNs});
        auto answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(1));
        QCOMPARE(answers[0].client, kBob);
        QCOMPARE(answers[0].value->toString(), QStringLiteral("first"));

        now(store, kAlice, Op::Put, q, {QStringLiteral("second"), kForeverNs}); // maxsize 1: full now
        QVERIFY(waits(store, kCarol, Op::Put, q, {QStringLiteral("third"), kForeverNs}));
        QCOMPARE(now(store, kBob, Op::Take, q, {kForeverNs}).toString(), QStringLiteral("second"));
        answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(1));
        QCOMPARE(answers[0].client, kCarol); // its put went in
        QCOMPARE(now(store, kBob, Op::Take, q, {kForeverNs}).toString(), QStringLiteral("third"));
    }

    void deadlinesAnswerAsPythonDoes()
    {
        ObjectStore store;
        const auto lock = open(store, Kind::Lock, "lock");
        const auto event = open(store, Kind::Event, "event");
        const auto q = open(store, Kind::Queue, "q");
        now(store, kAlice, Op::Acquire, lock, {kForeverNs});
        QVERIFY(waits(store, kBob, Op::Acquire, lock, {kTenSecondsNs}));
        QVERIFY(waits(store, kCarol, Op::Wait, event, {kTenSecondsNs}));
        QVERIFY(waits(store, 4, Op::Take, q, {kForeverNs}));
        const std::uint64_t before = monotonicNs();
        // Before the deadline nothing is answered; the nearest is ~10 s ahead.
        const std::uint64_t nearest = store.expire(before);
        QVERIFY(nearest > before && nearest <= before + std::uint64_t(kTenSecondsNs) + 1'000'000'000);
        QVERIFY(store.takeAnswers().empty());
        // Past it: the lock says Timeout, the event False (as Python's
        // wait(timeout)); the getter without a timeout waits on.
        QCOMPARE(store.expire(before + 2 * std::uint64_t(kTenSecondsNs)), 0u);
        auto answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(2));
        for (const auto &a : answers) {
            if (a.client == kBob) {
                QVERIFY(!a.value);
                QCOMPARE(a.value.error().code, Errc::Timeout);
            } else {
                QCOMPARE(a.client, kCarol);
                QVERIFY(a.value);
                QCOMPARE(a.value->toBool(true), false);
            }
        }
        QCOMPARE(store.parkedCount(), 1u);
    }

    void theLastAtTheBarrierReleasesTheOthersAndADisconnectBreaksIt()
    {
        ObjectStore store;
        const auto barrier = open(store, Kind::Barrier, "b", {3});
        QVERIFY(waits(store, kAlice, Op::Wait, barrier, {QCborValue()}));
        QVERIFY(waits(store, kBob, Op::Wait, barrier, {QCborValue()}));
        const std::int64_t last = now(store, kCarol, Op::Wait, barrier, {QCborValue()}).toInteger();
        auto answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(2));
        // Every arrival has its own index, 0..2, as Python's wait() returns.
        QSet<qint64> indexes{last};
        for (const auto &a : answers) indexes.insert(a.value->toInteger());
        QCOMPARE(indexes, (QSet<qint64>{0, 1, 2}));

        // Next generation: Alice waits, Bob leaves: she is told it broke.
        QVERIFY(waits(store, kAlice, Op::Wait, barrier, {QCborValue()}));
        QVERIFY(waits(store, kBob, Op::Wait, barrier, {QCborValue()}));
        store.disconnect(kBob);
        answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(1));
        QCOMPARE(answers[0].client, kAlice);
        QCOMPARE(answers[0].value.error().code, Errc::BrokenBarrier);
    }

    void conditionNotifyHandsTheLockBackToTheWaiter()
    {
        ObjectStore store;
        const auto cond = open(store, Kind::Condition, "c", {QCborValue()});
        now(store, kAlice, Op::Acquire, cond, {kForeverNs});
        QVERIFY(waits(store, kAlice, Op::Wait, cond, {kForeverNs})); // releases the lock
        now(store, kBob, Op::Acquire, cond, {kForeverNs});
        now(store, kBob, Op::Notify, cond, {1});
        QVERIFY(store.takeAnswers().empty()); // Bob still holds the lock
        now(store, kBob, Op::Release, cond);
        auto answers = store.takeAnswers();
        QCOMPARE(answers.size(), std::size_t(1));
        QCOMPARE(answers[0].client, kAlice);
        QCOMPARE(answers[0].value->toArray().at(0).toBool(), true); // notified, not timed out
    }

    // Python: d[1], d[1.0] and d[True] are one entry, which keeps the key
    // it was made with; lists equal as Python's are one key too.
    void aDictsKeysAreOneWherePythonsEqualityIs()
    {
        ObjectStore store;
        const auto d = open(store, Kind::Dict, "d");
        now(store, kAlice, Op::Set, d, {1, QStringLiteral("int")});
        now(store, kAlice, Op::Set, d, {1.0, QStringLiteral("float")});
        now(store, kBob, Op::Set, d, {true, QStringLiteral("bool")});
        now(store, kAlice, Op::Set, d, {2.5, QStringLiteral("half")});
        now(store, kAlice, Op::Set, d, {QCborArray{1, 2}, QStringLiteral("list")});
        QCOMPARE(now(store, kAlice, Op::Len, d).toInteger(), 3);
        QCOMPARE(now(store, kAlice, Op::Keys, d).toArray(), (QCborArray{1, 2.5, QCborArray{1, 2}}));
        QCOMPARE(now(store, kBob, Op::GetOr, d, {1.0, nullptr}).toString(), QStringLiteral("bool"));
        QCOMPARE(now(store, kBob, Op::GetOr, d, {QCborArray{1.0, 2.0}, nullptr}).toString(),
                 QStringLiteral("list"));
        QCOMPARE(now(store, kBob, Op::GetOr, d, {QStringLiteral("1"), nullptr}), QCborValue(nullptr));
        QCOMPARE(now(store, kBob, Op::GetOr, d, {2, nullptr}), QCborValue(nullptr));
        QCOMPARE(now(store, kAlice, Op::PopOr, d, {true, nullptr}).toString(), QStringLiteral("bool"));
        QCOMPARE(now(store, kAlice, Op::Contains, d, {1}).toBool(), false);
        // NaN is one key, and popitem() takes it out of the index too.
        now(store, kAlice, Op::Set, d, {std::nan(""), 1});
        now(store, kAlice, Op::Set, d, {-std::nan(""), 2});
        QCOMPARE(now(store, kAlice, Op::Len, d).toInteger(), 3);
        QCOMPARE(now(store, kAlice, Op::PopItem, d).toArray().at(1).toInteger(), 2);
        QCOMPARE(now(store, kAlice, Op::Contains, d, {std::nan("")}).toBool(), false);
        QCOMPARE(now(store, kAlice, Op::Len, d).toInteger(), 2);
    }

    void aBadRequestIsRefusedAndChangesNothing()
    {
        ObjectStore store;
        const auto q = open(store, Kind::Queue, "q", {1});
        auto missing = store.execute(kAlice, Op::Take, request(Op::Take, 99, {kForeverNs}));
        QVERIFY(missing && !*missing);
        QCOMPARE(missing->error().code, Errc::NotFound);
        auto wrongKind = store.execute(kAlice, Op::Acquire, request(Op::Acquire, q, {kForeverNs}));
        QVERIFY(wrongKind && !*wrongKind);
        auto sameNameOtherKind = store.execute(
            kAlice, Op::Open, QCborArray{qint64(Op::Open), 0, qint64(Kind::Lock), QStringLiteral("q")});
        QVERIFY(sameNameOtherKind && !*sameNameOtherKind);
        QCOMPARE(store.parkedCount(), 0u);
        QVERIFY(!store.shutdownRequested());
        now(store, kAlice, Op::Shutdown, 0);
        QVERIFY(store.shutdownRequested());
    }
};

QTEST_GUILESS_MAIN(TestManagerStore)
#include "tst_manager_store.moc"
