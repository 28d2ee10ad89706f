// Manager: a real server process (ipc-worker --role manager) and proxies
// used from several real processes; authentication both ways; what clients
// see when the server dies or hangs; lost updates through a Namespace; the
// list and dict methods and the synchronisation kinds (Lock, RLock,
// Semaphore, Event, Condition, Barrier, JoinableQueue, Array) with Python's
// semantics. Every blocking call has a timeout; no test asserts timing.
#include "dict_proxy.h"
#include "list_proxy.h"
#include "lock_proxy.h"
#include "manager_auth.h"
#include "manager_client.h"
#include "manager_process.h"
#include "manager_server.h"
#include "namespace_proxy.h"
#include "queue_proxy.h"
#include "value_proxy.h"
#include "array_proxy.h"
#include "barrier_proxy.h"
#include "condition_proxy.h"
#include "event_proxy.h"
#include "joinable_queue_proxy.h"
#include "rlock_proxy.h"
#include "semaphore_proxy.h"
#include "qt_message.h"
#include "run.h"
#include "test_support.h"

#include <QRandomGenerator>
#include <QCborArray>
#include <QCborMap>

#include <algorithm>
#include <cstring>
#include <memory>
#include <sys/socket.h>
#include <sys/un.h>

using namespace ipc;
using namespace ipc::manager;
using namespace std::chrono_literals;

namespace {

// A run with its manager server up.
struct ManagerRun {
    std::unique_ptr<Run> run;
    ManagerProcess server;

    static std::optional<ManagerRun> start()
    {
        auto run = Run::create();
        if (!run) return std::nullopt;
        auto server = ManagerProcess::start(**run);
        if (!server) {
            qWarning("%s", server.error().toString().c_str());
            return std::nullopt;
        }
        return ManagerRun{std::move(*run), std::move(*server)};
    }
    ManagerInfo &info() { return server.info(); }
};

// The error code of a Result, or nothing when it succeeded.
template <class T>
std::optional<Errc> errc(const Result<T> &r)
{
    return r ? std::nullopt : std::optional<Errc>(r.error().code);
}

// The value of a Result, or nothing: lets QCOMPARE show both sides.
template <class T>
std::optional<T> okv(const Result<T> &r)
{
    return r ? std::optional<T>(*r) : std::nullopt;
}

#define CHECK_OR(cond, code)                                                                        \
    do {                                                                                            \
        if (!(cond)) return (code);                                                                 \
    } while (0)

} // namespace

class TestManager : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void proxiesFromSeveralProcesses();
    void dictListNamespaceSemantics();
    void dictKeepsInsertionOrder();
    void valueAndWrongKinds();
    void queueBlocksAcrossProcesses();
    void lockAcrossProcesses();
    void lockOfDeadHolderPassesOn();
    void lockReleasedByAnotherProcess();
    void listMethodsAgainstModel();
    void listSortIndexRemoveErrors();
    void dictValuesCopyPopitem();
    void rlockRecursionAndOwnership();
    void semaphoreCountsAcrossProcesses();
    void eventWaitTimeoutAndSet();
    void conditionWaitNotifyAcrossProcesses();
    void conditionOnNamedRLock();
    void barrierAcrossThreeProcesses();
    void barrierTimeoutBreaksItForAll();
    void joinableQueueJoinAndTaskDone();
    void arrayHasFixedLength();
    void wrongKeyRejectedByServer();
    void impostorServerRejectedByClient();
    void serverKilledClientsGetErrors();
    void stoppedServerTimesOut();
    void lostUpdatesWithoutLockNoneWith();
    void malformedRequests();
    void connectionIsPerProcess();
    void aNewcomerIsServedWhileOneClientKeepsAsking();
    void telemetry();
};

void TestManager::proxiesFromSeveralProcesses()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY2(client, client ? "" : client.error().toString().c_str());
    auto d = client->dict("d");
    auto l = client->list("l");
    auto ns = client->ns("ns");
    auto q = client->queue("q");
    auto lk = client->lock("lk");
    auto v = client->value("v", 0);
    QVERIFY(d && l && ns && q && lk && v);
    QVERIFY(d->set(QStringLiteral("from-parent"), QStringLiteral("hello")));

    constexpr int kChildren = 3;
    constexpr int kIncrements = 50;
    ManagerInfo *info = &m->info();
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int k = 0; k < kChildren; ++k) {
        children.push_back(std::make_unique<test::ForkedChild>([info, k] {
            auto c = ManagerClient::connect(*info);
            CHECK_OR(c, 2);
            auto cd = c->dict("d");
            auto cl = c->list("l");
            auto cns = c->ns("ns");
            auto cq = c->queue("q");
            auto clk = c->lock("lk");
            auto cv = c->value("v");
            CHECK_OR(cd && cl && cns && cq && clk && cv, 3);
            // The parent's update is visible here.
            auto hello = cd->get(QStringLiteral("from-parent"));
            CHECK_OR(hello && hello->toString() == QStringLiteral("hello"), 4);
            CHECK_OR(cd->set(QStringLiteral("child%1").arg(k), k), 5);
            CHECK_OR(cl->append(k), 6);
            CHECK_OR(cns->set("c" + std::to_string(k), k * 10), 7);
            CHECK_OR(cq->put(k), 8);
            for (int i = 0; i < kIncrements; ++i) {
                CHECK_OR(clk->acquire(), 9);
                auto now = cv->get();
                CHECK_OR(now, 10);
                CHECK_OR(cv->set(now->toInteger() + 1), 11);
                CHECK_OR(clk->release(), 12);
            }
            // And the other children's updates too, once they have made them.
            const bool all = waitFor([&] {
                auto n = cd->size();
                return n && *n == std::size_t(kChildren + 1);
            });
            CHECK_OR(all, 13);
            return 0;
        }));
    }
    for (auto &child : children) QCOMPARE(child->join(), std::optional<int>(0));

    auto items = d->items();
    QVERIFY(items);
    QCOMPARE(items->size(), qsizetype(kChildren + 1));
    for (int k = 0; k < kChildren; ++k) QCOMPARE(items->value(QStringLiteral("child%1").arg(k)).toInteger(), k);
    auto all = l->toArray();
    QVERIFY(all);
    std::vector<qint64> got;
    for (const QCborValue &x : *all) got.push_back(x.toInteger());
    std::sort(got.begin(), got.end());
    QCOMPARE(got, (std::vector<qint64>{0, 1, 2}));
    auto attrs = ns->attributes();
    QVERIFY(attrs);
    QCOMPARE(attrs->value(QStringLiteral("c2")).toInteger(), 20);
    QCOMPARE(okv(q->qsize()), std::optional<std::size_t>(3));
    std::vector<qint64> queued;
    for (int k = 0; k < kChildren; ++k) {
        auto x = q->get(1s);
        QVERIFY(x);
        queued.push_back(x->toInteger());
    }
    std::sort(queued.begin(), queued.end());
    QCOMPARE(queued, (std::vector<qint64>{0, 1, 2}));
    auto total = v->get();
    QVERIFY(total);
    QCOMPARE(total->toInteger(), qint64(kChildren * kIncrements));
}

void TestManager::dictListNamespaceSemantics()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto d = client->dict("d");
    QVERIFY(d);
    auto missing = d->get(42);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Errc::NotFound);
    QVERIFY2(missing.error().message.find("42") != std::string::npos, missing.error().message.c_str());
    QCOMPARE(d->get(42, QStringLiteral("dflt"))->toString(), QStringLiteral("dflt"));
    QCborMap nested;
    nested.insert(QStringLiteral("list"), QCborArray{1, 2.5, QStringLiteral("three")});
    QVERIFY(d->set(42, nested));
    QVERIFY(d->set(QStringLiteral("k"), QByteArray("\x00\x01", 2)));
    QCOMPARE(d->get(42)->toMap(), nested);
    QCOMPARE(okv(d->contains(42)), std::optional<bool>(true));
    QCOMPARE(okv(d->size()), std::optional<std::size_t>(2));
    QCOMPARE(d->keys()->size(), qsizetype(2));
    QCOMPARE(d->pop(42)->toMap(), nested);
    QCOMPARE(okv(d->contains(42)), std::optional<bool>(false));
    QCborMap more;
    more.insert(1, 10);
    more.insert(2, 20);
    QVERIFY(d->update(more));
    QCOMPARE(okv(d->size()), std::optional<std::size_t>(3));
    QVERIFY(d->clear());
    QCOMPARE(okv(d->size()), std::optional<std::size_t>(0));

    auto l = client->list("l");
    QVERIFY(l);
    QVERIFY(l->extend(QCborArray{10, 20, 30}));
    QVERIFY(l->append(40));
    QCOMPARE(l->at(-1)->toInteger(), 40);
    QCOMPARE(l->at(0)->toInteger(), 10);
    auto outOfRange = l->at(4);
    QVERIFY(!outOfRange);
    QCOMPARE(outOfRange.error().code, Errc::InvalidArgument);
    QVERIFY(l->set(1, 21));
    QCOMPARE(l->pop()->toInteger(), 40);
    QCOMPARE(l->pop(0)->toInteger(), 10);
    QCOMPARE(l->toArray()->toCborValue(), QCborValue(QCborArray{21, 30}));
    QVERIFY(l->clear());
    auto popEmpty = l->pop();
    QVERIFY(!popEmpty);
    QCOMPARE(popEmpty.error().code, Errc::InvalidArgument);

    auto ns = client->ns("ns");
    QVERIFY(ns);
    auto noAttr = ns->get("x");
    QVERIFY(!noAttr);
    QCOMPARE(noAttr.error().code, Errc::NotFound);
    QVERIFY2(noAttr.error().message.find("no attribute 'x'") != std::string::npos, noAttr.error().message.c_str());
    QVERIFY(ns->set("x", 1.5));
    QCOMPARE(ns->get("x")->toDouble(), 1.5);
    QVERIFY(ns->remove("x"));
    QCOMPARE(ns->get("x", 7)->toInteger(), 7);
}

// Python's dict keeps insertion order: setting a key it holds keeps its
// place, popping it and setting it again moves it to the end. 1,000 random
// sets and pops through the manager against a plain vector doing the same.
void TestManager::dictKeepsInsertionOrder()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto d = client->dict("ordered");
    QVERIFY(d);
    std::vector<std::pair<qint64, qint64>> model;
    QRandomGenerator rng(20261205);
    const auto same = [&] {
        auto keys = d->keys();
        auto items = d->items();
        if (!keys || !items || std::size_t(keys->size()) != model.size() || std::size_t(items->size()) != model.size())
            return false;
        std::size_t i = 0;
        for (auto it = items->cbegin(); it != items->cend(); ++it, ++i)
            if (keys->at(qsizetype(i)).toInteger() != model[i].first || it.key().toInteger() != model[i].first ||
                it.value().toInteger() != model[i].second)
                return false;
        return true;
    };
    for (qint64 step = 0; step < 1000; ++step) {
        const qint64 key = rng.bounded(150);
        auto at = std::find_if(model.begin(), model.end(), [&](const auto &e) { return e.first == key; });
        if (rng.bounded(10) < 7) {
            QVERIFY(d->set(key, step));
            if (at != model.end()) at->second = step;
            else model.emplace_back(key, step);
        } else {
            auto popped = d->pop(key);
            QCOMPARE(bool(popped), at != model.end());
            if (at != model.end()) {
                QCOMPARE(popped->toInteger(), at->second);
                model.erase(at);
            }
        }
        if (step % 100 == 99) QVERIFY2(same(), qPrintable(QString::number(step)));
    }
    QVERIFY(same());
    QCOMPARE(okv(d->size()), std::optional<std::size_t>(model.size()));
}

void TestManager::valueAndWrongKinds()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto v = client->value("v", 3.25);
    QVERIFY(v);
    QCOMPARE(v->get()->toDouble(), 3.25);
    auto again = client->value("v", 99); // exists: the initial value is ignored
    QVERIFY(again);
    QCOMPARE(again->get()->toDouble(), 3.25);
    QVERIFY(v->set(QStringLiteral("text")));
    QCOMPARE(again->get()->toString(), QStringLiteral("text"));
    QVERIFY(client->dict("d"));
    auto asQueue = client->queue("d");
    QVERIFY(!asQueue);
    QCOMPARE(asQueue.error().code, Errc::InvalidArgument);
    QVERIFY2(asQueue.error().message.find("is a dict, not a Queue") != std::string::npos,
             asQueue.error().message.c_str());
    auto badName = client->dict("");
    QVERIFY(!badName);
    QCOMPARE(badName.error().code, Errc::InvalidArgument);
    auto badSize = client->queue("q", -1);
    QVERIFY(!badSize);
    // A value CBOR cannot carry is refused before it is sent; the
    // connection stays usable.
    auto bad = v->set(QCborValue(QCborKnownTags::DateTimeString, QStringLiteral("2020")));
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::InvalidArgument);
    QVERIFY(client->ping());
}

void TestManager::queueBlocksAcrossProcesses()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto q = client->queue("q", 2);
    QVERIFY(q);
    auto empty = q->get(kNoWait);
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, Errc::Empty);
    auto timedGet = q->get(30ms);
    QVERIFY(!timedGet);
    QCOMPARE(timedGet.error().code, Errc::Timeout);
    QVERIFY(q->put(1));
    QVERIFY(q->put(2));
    auto full = q->put(3, kNoWait);
    QVERIFY(!full);
    QCOMPARE(full.error().code, Errc::Full);
    auto timedPut = q->put(3, 30ms);
    QVERIFY(!timedPut);
    QCOMPARE(timedPut.error().code, Errc::Timeout);

    ManagerInfo *info = &m->info();
    // A child blocks in put on the full queue until the parent makes room.
    test::ForkedChild putter([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto cq = c->queue("q");
        CHECK_OR(cq, 3);
        CHECK_OR(cq->put(3), 4); // forever
        return 0;
    });
    QVERIFY(waitFor([&] { return info->waiting.load() >= 1; }));
    QCOMPARE(q->get()->toInteger(), 1);
    QCOMPARE(putter.join(), std::optional<int>(0));
    QCOMPARE(q->get()->toInteger(), 2);
    QCOMPARE(q->get()->toInteger(), 3);

    // A child blocks in get on the empty queue until the parent puts.
    test::ForkedChild getter([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto cq = c->queue("q");
        CHECK_OR(cq, 3);
        auto x = cq->get(); // forever
        CHECK_OR(x && x->toString() == QStringLiteral("wake"), 4);
        return 0;
    });
    QVERIFY(waitFor([&] { return info->waiting.load() >= 1; }));
    QVERIFY(q->put(QStringLiteral("wake")));
    QCOMPARE(getter.join(), std::optional<int>(0));
    QCOMPARE(okv(q->qsize()), std::optional<std::size_t>(0));
}

void TestManager::lockAcrossProcesses()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto lk = client->lock("lk");
    QVERIFY(lk);
    auto notHeld = lk->release();
    QVERIFY(!notHeld);
    QCOMPARE(notHeld.error().code, Errc::NotOwner);
    QCOMPARE(okv(lk->acquire()), std::optional<AcquireStatus>(AcquireStatus::Acquired));
    auto twice = lk->acquire();
    QVERIFY(!twice);
    QCOMPARE(twice.error().code, Errc::WouldDeadlock);

    ManagerInfo *info = &m->info();
    test::ForkedChild child([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto clk = c->lock("lk");
        CHECK_OR(clk, 3);
        auto now = clk->acquire(kNoWait);
        CHECK_OR(!now && now.error().code == Errc::Timeout, 4);
        auto soon = clk->acquire(20ms);
        CHECK_OR(!soon && soon.error().code == Errc::Timeout, 5);
        CHECK_OR(c->value("phase")->set(2), 9); // now the parent may release
        auto later = clk->acquire(); // blocks until the parent releases
        CHECK_OR(later && *later == AcquireStatus::Acquired, 7);
        CHECK_OR(clk->release(), 8);
        return 0;
    });
    auto phase = client->value("phase", 0);
    QVERIFY(phase);
    QVERIFY(waitFor([&] { return phase->get()->toInteger() == 2 && info->waiting.load() >= 1; }));
    QVERIFY(lk->release());
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE(okv(lk->acquire(1s)), std::optional<AcquireStatus>(AcquireStatus::Acquired));
    QVERIFY(lk->release());
}

void TestManager::lockOfDeadHolderPassesOn()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    ManagerInfo *info = &m->info();
    test::ForkedChild holder([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto clk = c->lock("lk");
        CHECK_OR(clk && clk->acquire(), 3);
        ::pause(); // holds it until killed
        return 0;
    });
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto lk = client->lock("lk");
    QVERIFY(lk);
    QVERIFY(waitFor([&] {
        auto r = lk->acquire(kNoWait);
        if (r) (void)lk->release();
        return !r && r.error().code == Errc::Timeout; // the child holds it now
    }));
    holder.kill();
    QCOMPARE(holder.join(), std::optional<int>(-SIGKILL));
    QCOMPARE(okv(lk->acquire(10s)), std::optional<AcquireStatus>(AcquireStatus::OwnerDied));
    QVERIFY(lk->release());
    QCOMPARE(okv(lk->acquire()), std::optional<AcquireStatus>(AcquireStatus::Acquired));
}

void TestManager::wrongKeyRejectedByServer()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    Key wrong = m->info().key;
    wrong[0] ^= 0x5a;
    auto rejected = ManagerClient::connect(m->info().socketPath(), wrong);
    QVERIFY(!rejected);
    QCOMPARE(rejected.error().code, Errc::AuthenticationFailed);
    QVERIFY2(rejected.error().message.find("authentication failed") != std::string::npos &&
                 rejected.error().message.find("rejected our key") != std::string::npos,
             rejected.error().message.c_str());
    // The server counted it and serves the rightful clients on.
    QVERIFY(waitFor([&] { return m->info().authFailures.load() == 1; }));
    auto good = ManagerClient::connect(m->info().socketPath(), m->info().key);
    QVERIFY(good);
    QVERIFY(good->ping());
}

void TestManager::impostorServerRejectedByClient()
{
    // A process that listens where a manager should be but lacks the key:
    // it waves any client through, then must prove itself -- and cannot.
    auto dir = makePrivateSocketDirectory();
    QVERIFY(dir);
    const std::string path = *dir + "/manager.sock";
    auto realKey = randomKey();
    auto otherKey = randomKey();
    QVERIFY(realKey && otherKey);
    const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QVERIFY(listener >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    QCOMPARE(bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    QCOMPARE(::listen(listener, 4), 0);
    const Key impostorKey = *otherKey;
    test::ForkedChild impostor([listener, impostorKey] {
        const int fd = accept(listener, nullptr, nullptr);
        CHECK_OR(fd >= 0, 2);
        FrameSocket s(fd);
        // Step 1, done wrong on purpose: challenge, ignore the answer, welcome.
        CHECK_OR(s.send(randomChallenge()), 3);
        CHECK_OR(s.receive(kMaxAuthFrame, 5s), 4);
        CHECK_OR(s.send(QByteArrayView(kWelcome.data(), qsizetype(kWelcome.size()))), 5);
        // Step 2: the client challenges us; our digest is wrong, and the
        // client says so: both sides see the rejection.
        auto r = answerChallenge(s, impostorKey, 5s, "the client");
        CHECK_OR(!r && r.error().message.find("rejected our key") != std::string::npos, 6);
        return 0;
    });
    auto client = ManagerClient::connect(path, *realKey);
    QVERIFY(!client);
    QCOMPARE(client.error().code, Errc::AuthenticationFailed);
    QVERIFY2(client.error().message.find("authentication failed") != std::string::npos &&
                 client.error().message.find("did not prove it holds the key") != std::string::npos,
             client.error().message.c_str());
    QCOMPARE(impostor.join(), std::optional<int>(0));
    ::close(listener);
    ::unlink(path.c_str());
    ::rmdir(dir->c_str());
}

void TestManager::serverKilledClientsGetErrors()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    ManagerInfo *info = &m->info();
    auto client = ManagerClient::connect(*info);
    QVERIFY(client);
    auto lk = client->lock("lk");
    QVERIFY(lk && lk->acquire());
    QVERIFY(client->queue("q"));
    QVERIFY(client->dict("d"));

    // Blocked: in Queue.get and in Lock.acquire, both forever; then busy: a
    // loop of dict calls. Each must come back with Closed once the server
    // dies. (The blocked ones are parked before the busy one starts, so
    // `waiting` counts exactly them.)
    auto blockedGet = std::make_unique<test::ForkedChild>([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto q = c->queue("q");
        CHECK_OR(q, 3);
        auto r = q->get();
        CHECK_OR(!r && r.error().code == Errc::Closed, 4);
        // Every later call fails at once, too.
        auto again = q->qsize();
        CHECK_OR(!again && again.error().code == Errc::Closed, 5);
        return 0;
    });
    auto blockedLock = std::make_unique<test::ForkedChild>([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto l = c->lock("lk");
        CHECK_OR(l, 3);
        auto r = l->acquire();
        CHECK_OR(!r && r.error().code == Errc::Closed, 4);
        return 0;
    });
    QVERIFY(waitFor([&] { return info->waiting.load() >= 2; }));
    const std::uint64_t before = info->requests.load();
    auto busy = std::make_unique<test::ForkedChild>([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto d = c->dict("d");
        CHECK_OR(d, 3);
        for (qint64 i = 0;; ++i) {
            auto r = d->set(i % 10, i);
            if (!r) return r.error().code == Errc::Closed ? 0 : 4;
        }
    });
    QVERIFY(waitFor([&] { return info->requests.load() > before + 200; }));
    QVERIFY(m->run->kill(m->server.slot()));
    // The watchdog of join() is the bound; the calls come back long before.
    QCOMPARE(busy->join(), std::optional<int>(0));
    QCOMPARE(blockedGet->join(), std::optional<int>(0));
    QCOMPARE(blockedLock->join(), std::optional<int>(0));
    auto parentCall = lk->release();
    QVERIFY(!parentCall);
    QCOMPARE(parentCall.error().code, Errc::Closed);
    QVERIFY2(parentCall.error().message.find("died") != std::string::npos, parentCall.error().message.c_str());
    // A new connection finds nobody (socket left behind: Closed; gone: NotFound).
    ClientOptions quick;
    quick.readyTimeout = 100ms;
    auto late = ManagerClient::connect(info->socketPath(), info->key, quick);
    QVERIFY(!late);
    QVERIFY2(late.error().code == Errc::Closed || late.error().code == Errc::NotFound,
             late.error().toString().c_str());
}

void TestManager::stoppedServerTimesOut()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    ClientOptions options;
    options.replyTimeout = 200ms;
    auto client = ManagerClient::connect(m->info(), options);
    QVERIFY(client);
    auto d = client->dict("d");
    QVERIFY(d);
    QVERIFY(m->run->pause(m->server.slot()));
    auto r = d->get(1);
    QVERIFY(!r);
    QCOMPARE(r.error().code, Errc::Timeout);
    QVERIFY2(r.error().message.find("did not answer") != std::string::npos, r.error().message.c_str());
    // The late reply could arrive mid-way; the connection is not trusted again.
    auto after = d->size();
    QVERIFY(!after);
    QCOMPARE(after.error().code, Errc::Closed);
    QVERIFY(m->run->resume(m->server.slot()));
    auto fresh = ManagerClient::connect(m->info(), options);
    QVERIFY(fresh);
    QVERIFY(fresh->ping());
}

void TestManager::lostUpdatesWithoutLockNoneWith()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    constexpr int kWorkers = 3;
    constexpr int kIncrements = 1500;
    auto runWorkers = [&](bool lockOn, const std::string &nsName) -> std::optional<qint64> {
        m->run->control().lockEnabled.store(lockOn ? 1 : 0);
        std::vector<std::uint32_t> slots;
        for (int w = 0; w < kWorkers; ++w) {
            auto s = m->run->spawn("manager-client", {"--increments", std::to_string(kIncrements), "--report", "0",
                                                      "--namespace", nsName, "--list", nsName + "-done"});
            if (!s) return std::nullopt;
            slots.push_back(*s);
        }
        for (std::uint32_t s : slots) {
            auto code = m->run->process(s).join(60s);
            if (!code || *code != 0) return std::nullopt;
        }
        auto ns = client->ns(nsName);
        if (!ns) return std::nullopt;
        auto x = ns->get("x");
        if (!x) return std::nullopt;
        return x->toInteger();
    };
    // Without the lock: get and set are separate requests, so another
    // process's get/set can fall between them. On a loaded 2-core machine a
    // run may rarely interleave perfectly; three tries make that negligible.
    qint64 lost = 0;
    for (int attempt = 0; attempt < 3 && lost == 0; ++attempt) {
        auto x = runWorkers(false, "racy" + std::to_string(attempt));
        QVERIFY(x);
        QVERIFY(*x <= kWorkers * kIncrements);
        lost = kWorkers * kIncrements - *x;
    }
    QVERIFY2(lost > 0, "no update was lost in three unlocked runs");
    auto locked = runWorkers(true, "locked");
    QVERIFY(locked);
    QCOMPARE(*locked, qint64(kWorkers * kIncrements));
    auto done = client->list("locked-done");
    QVERIFY(done);
    QCOMPARE(okv(done->size()), std::optional<std::size_t>(kWorkers));
}

void TestManager::malformedRequests()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto socket = FrameSocket::connectUnix(m->info().socketPath());
    QVERIFY(socket);
    QVERIFY(answerChallenge(*socket, m->info().key, 5s, "server"));
    QVERIFY(deliverChallenge(*socket, m->info().key, 5s, "server"));
    auto expectError = [&](QByteArrayView request, Errc code) {
        if (!socket->send(request)) return false;
        auto frame = socket->receive(kMaxMessageBytes, 5s);
        if (!frame) return false;
        auto reply = decodeCbor(*frame);
        return reply && reply->toArray().at(0).toInteger() == qint64(code) + 1;
    };
    QVERIFY(expectError(QByteArray("\xff\x00garbage", 9), Errc::Corrupt));
    QVERIFY(expectError(QCborValue(QCborMap()).toCbor(), Errc::InvalidArgument));
    QVERIFY(expectError(QCborValue(QCborArray{999, 0}).toCbor(), Errc::InvalidArgument));
    QVERIFY(expectError(QCborValue(QCborArray{qint64(Op::Get), 12345, 1}).toCbor(), Errc::NotFound));
    QVERIFY(expectError(QCborValue(QCborArray{qint64(Op::Open), 0, 77, QStringLiteral("x")}).toCbor(),
                        Errc::InvalidArgument));
    // Still in step: a good request after the bad ones.
    // New kinds and operations with arguments of the wrong type or range:
    // an error reply each, never a crash.
    auto openId = [&](Kind kind, const char *name, QCborValue a = nullptr, QCborValue b = nullptr) -> qint64 {
        QCborArray req{qint64(Op::Open), 0, qint64(kind), QString::fromLatin1(name), a, b};
        if (!socket->send(QCborValue(req).toCbor())) return -1;
        auto frame = socket->receive(kMaxMessageBytes, 5s);
        if (!frame) return -1;
        auto reply = decodeCbor(*frame);
        return reply && reply->toArray().at(0).toInteger() == 0 ? reply->toArray().at(1).toInteger() : -1;
    };
    auto request = [](Op op, qint64 id, QCborArray args = {}) {
        QCborArray req{qint64(op), id};
        for (const QCborValue &a : args) req.append(a);
        return QCborValue(req).toCbor();
    };
    const QCborValue text(QStringLiteral("x"));
    const qint64 list = openId(Kind::List, "l");
    const qint64 dict = openId(Kind::Dict, "d");
    const qint64 ns = openId(Kind::Namespace, "n");
    const qint64 sem = openId(Kind::BoundedSemaphore, "s");
    const qint64 ev = openId(Kind::Event, "e");
    const qint64 cond = openId(Kind::Condition, "c");
    const qint64 bar = openId(Kind::Barrier, "b", 2);
    const qint64 jq = openId(Kind::JoinableQueue, "jq");
    const qint64 arr = openId(Kind::Array, "a", QCborArray{1, 2});
    const qint64 rl = openId(Kind::RLock, "rl");
    QVERIFY(list > 0 && dict > 0 && ns > 0 && sem > 0 && ev > 0 && cond > 0 && bar > 0 && jq > 0 && arr > 0 && rl > 0);
    QCOMPARE(openId(Kind::Barrier, "b0", 0), qint64(-1));
    QCOMPARE(openId(Kind::Barrier, "b1", text), qint64(-1));
    QCOMPARE(openId(Kind::Barrier, "b2", 2, text), qint64(-1));
    QCOMPARE(openId(Kind::Semaphore, "s1", -1), qint64(-1));
    QCOMPARE(openId(Kind::Semaphore, "s2", text), qint64(-1));
    QCOMPARE(openId(Kind::Condition, "c1", 5), qint64(-1));
    QCOMPARE(openId(Kind::Condition, "c2", QStringLiteral("d")), qint64(-1)); // a dict is no lock
    QCOMPARE(openId(Kind::Array, "a1", text), qint64(-1));
    QCOMPARE(openId(Kind::JoinableQueue, "j1", -3), qint64(-1));
    const Errc bad = Errc::InvalidArgument;
    QVERIFY(expectError(request(Op::Sort, list, {text}), bad));
    QVERIFY(expectError(request(Op::Slice, list, {text, 1}), bad));
    QVERIFY(expectError(request(Op::SetSlice, list, {0, 1, text}), bad));
    QVERIFY(expectError(request(Op::DelSlice, list, {1.5}), bad));
    QVERIFY(expectError(request(Op::Insert, list, {text, 1}), bad));
    QVERIFY(expectError(request(Op::Index, list, {1, text}), bad));
    QVERIFY(expectError(request(Op::Index, list, {1}), Errc::ValueError));
    QVERIFY(expectError(request(Op::Remove, list, {}), Errc::ValueError));
    QVERIFY(expectError(request(Op::PopItem, dict), Errc::NotFound));
    QVERIFY(expectError(request(Op::PopItem, ns), bad));
    QVERIFY(expectError(request(Op::SetDefault, ns, {1, 2}), bad));
    QVERIFY(expectError(request(Op::Update, dict, {text}), bad));
    QVERIFY(expectError(request(Op::Release, sem, {text}), bad));
    QVERIFY(expectError(request(Op::Release, sem, {-1}), bad));
    QVERIFY(expectError(request(Op::Release, sem, {1}), Errc::ValueError));
    QVERIFY(expectError(request(Op::Acquire, sem, {text}), bad));
    QVERIFY(expectError(request(Op::Wait, ev, {text}), bad));
    QVERIFY(expectError(request(Op::Wait, ev), bad));
    QVERIFY(expectError(request(Op::Wait, cond, {1}), Errc::NotOwner));
    QVERIFY(expectError(request(Op::Notify, cond, {text}), bad));
    QVERIFY(expectError(request(Op::Acquire, cond, {text}), bad));
    QVERIFY(expectError(request(Op::Wait, bar, {text}), bad));
    QVERIFY(expectError(request(Op::Join, jq, {text}), bad));
    QVERIFY(expectError(request(Op::TaskDone, jq), Errc::ValueError));
    QVERIFY(expectError(request(Op::SetAt, arr, {5, 1}), bad));
    QVERIFY(expectError(request(Op::Append, arr, {1}), bad));
    QVERIFY(expectError(request(Op::SetSlice, arr, {0, 2, QCborArray{1}}), bad));
    QVERIFY(expectError(request(Op::Release, rl), Errc::NotOwner));
    QVERIFY(expectError(request(Op::Acquire, rl), bad));
    QVERIFY(expectError(request(Op::Notify, rl, {1}), bad)); // wrong kind
    QVERIFY(expectError(request(Op::Sort, jq), bad));        // wrong kind
    QVERIFY(socket->send(QCborValue(QCborArray{qint64(Op::Ping), 0}).toCbor()));
    auto pong = socket->receive(kMaxMessageBytes, 5s);
    QVERIFY(pong);
    QCOMPARE(decodeCbor(*pong)->toArray().at(0).toInteger(), 0);
    // A frame header announcing more than the limit ends the connection.
    const char huge[4] = {char(0xff), char(0xff), char(0xff), char(0x7f)};
    QCOMPARE(::send(socket->fd(), huge, 4, MSG_NOSIGNAL), ssize_t(4));
    auto end = socket->receive(kMaxMessageBytes, 5s);
    QVERIFY(!end);
    QCOMPARE(end.error().code, Errc::EndOfFile);
    QVERIFY(waitFor([&] { return m->info().protocolErrors.load() == 1; }));
    // An unauthenticated peer that sends a large frame is cut off as well.
    auto rude = FrameSocket::connectUnix(m->info().socketPath());
    QVERIFY(rude);
    QVERIFY(rude->send(QByteArray(int(kMaxAuthFrame) + 1, 'x')));
    bool closed = false;
    for (int i = 0; i < 3 && !closed; ++i) {
        auto f = rude->receive(kMaxAuthFrame, 5s);
        closed = !f && f.error().code == Errc::EndOfFile;
    }
    QVERIFY(closed);
}

void TestManager::connectionIsPerProcess()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto d = client->dict("d");
    QVERIFY(d);
    const DictProxy proxy = *d;
    test::ForkedChild child([proxy] {
        auto r = proxy.set(1, 1); // the parent's socket: refused, not shared
        return !r && r.error().code == Errc::InvalidArgument ? 0 : 2;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QVERIFY(d->set(1, 2)); // the parent's connection is unharmed
    QCOMPARE(d->get(1)->toInteger(), 2);
}

void TestManager::telemetry()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    ManagerInfo &info = m->info();
    auto client = ManagerClient::connect(info);
    QVERIFY(client);
    QVERIFY(waitFor([&] { return info.clients.load() == 1; }));
    auto d = client->dict("d");
    QVERIFY(d);
    for (int i = 0; i < 100; ++i) QVERIFY(d->set(i, i));
    const std::uint32_t rows = info.rowCount.load();
    QCOMPARE(rows, 1u);
    QCOMPARE(info.rows[0].pid.load(), std::int32_t(getpid()));
    QCOMPARE(info.rows[0].requests.load(), std::uint64_t(101)); // open + 100 sets
    QVERIFY(info.rows[0].latencyNsTotal.load() > 0);
    QVERIFY(info.rows[0].latencyNsMax.load() > 0);
    QVERIFY(info.requests.load() >= 101);
    QVERIFY(m->run->slot(m->server.slot()).ops.load() >= 101);
    client->close();
    QVERIFY(waitFor([&] { return info.clients.load() == 0; }));
}

// A manager Lock is Python's threading.Lock: not owned, so any process may
// release it while it is held; releasing it when free is NotOwner.
void TestManager::lockReleasedByAnotherProcess()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto lk = client->lock("lk");
    QVERIFY(lk);
    QCOMPARE(okv(lk->acquire(1s)), std::optional<AcquireStatus>(AcquireStatus::Acquired));
    ManagerInfo *info = &m->info();
    test::ForkedChild child([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto clk = c->lock("lk");
        CHECK_OR(clk, 3);
        CHECK_OR(errc(clk->acquire(kNoWait)) == Errc::Timeout, 4); // the parent holds it
        CHECK_OR(clk->release(), 5);                                  // ... and we release it
        CHECK_OR(errc(clk->release()) == Errc::NotOwner, 6);          // free now: nothing to release
        auto mine = clk->acquire(kNoWait);
        CHECK_OR(mine && *mine == AcquireStatus::Acquired, 7);
        return 0; // exits holding it: the server passes it on as owner-died
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE(okv(lk->acquire(10s)), std::optional<AcquireStatus>(AcquireStatus::OwnerDied));
    QVERIFY(lk->release());
    auto unlocked = lk->release();
    QCOMPARE(errc(unlocked), std::optional<Errc>(Errc::NotOwner));
    QVERIFY2(unlocked.error().message.find("Lock 'lk'") != std::string::npos, unlocked.error().message.c_str());
}

namespace {

// Python's slice clamping, written out for the model.
std::size_t clampTo(qint64 i, std::size_t n)
{
    const auto size = qint64(n);
    if (i < 0) i = std::max<qint64>(i + size, 0);
    return std::size_t(std::min(i, size));
}

std::pair<std::size_t, std::size_t> sliceOf(std::optional<qint64> start, std::optional<qint64> stop, std::size_t n)
{
    const std::size_t b = start ? clampTo(*start, n) : 0;
    const std::size_t e = stop ? clampTo(*stop, n) : n;
    return {b, std::max(b, e)};
}

QCborArray cborOf(const std::vector<qint64> &v)
{
    QCborArray a;
    for (qint64 x : v) a.append(x);
    return a;
}

// One random list operation on the server's list (when given) and on a
// std::vector doing the same; false when the two disagree. The choices
// depend only on rng and the model, so replaying the same generator on a
// copy of the model without a list reaches the same state.
bool randomListStep(QRandomGenerator &rng, std::vector<qint64> &model, const ListProxy *list)
{
    const auto n = qint64(model.size());
    auto bound = [&]() -> std::optional<qint64> {
        if (rng.bounded(5) == 0) return std::nullopt;
        return qint64(rng.bounded(int(2 * n + 7))) - n - 3;
    };
    const qint64 value = rng.bounded(12);
    switch (rng.bounded(11)) {
    case 0: {
        model.push_back(value);
        return !list || list->append(value);
    }
    case 1: {
        const qint64 at = qint64(rng.bounded(int(2 * n + 7))) - n - 3;
        model.insert(model.begin() + std::ptrdiff_t(clampTo(at, model.size())), value);
        return !list || list->insert(at, value);
    }
    case 2: {
        if (model.empty()) return !list || errc(list->pop()) == Errc::InvalidArgument;
        const qint64 at = qint64(rng.bounded(int(2 * n))) - n;
        const std::size_t k = std::size_t(at < 0 ? at + n : at);
        const qint64 expected = model[k];
        model.erase(model.begin() + std::ptrdiff_t(k));
        if (!list) return true;
        auto got = list->pop(at);
        return got && got->toInteger() == expected;
    }
    case 3: {
        auto it = std::find(model.begin(), model.end(), value);
        const bool present = it != model.end();
        if (present) model.erase(it);
        if (!list) return true;
        auto r = list->remove(value);
        return present ? bool(r) : errc(r) == Errc::ValueError;
    }
    case 4: {
        if (!list) return true;
        // Python's ==: 1.0 counts as 1.
        const auto expected = std::size_t(std::count(model.begin(), model.end(), value));
        return okv(list->count(double(value))) == std::optional<std::size_t>(expected);
    }
    case 5: {
        const auto start = bound();
        const auto stop = bound();
        if (!list) return true;
        const auto [b, e] = sliceOf(start, stop, model.size());
        auto it = std::find(model.begin() + std::ptrdiff_t(b), model.begin() + std::ptrdiff_t(e), value);
        auto r = list->index(value, start, stop);
        if (it == model.begin() + std::ptrdiff_t(e)) return errc(r) == Errc::ValueError;
        return okv(r) == std::optional<std::size_t>(std::size_t(it - model.begin()));
    }
    case 6: {
        std::reverse(model.begin(), model.end());
        return !list || list->reverse();
    }
    case 7: {
        const bool reverse = rng.bounded(2) == 1;
        if (reverse) std::stable_sort(model.begin(), model.end(), std::greater<>());
        else std::stable_sort(model.begin(), model.end());
        return !list || list->sort(reverse);
    }
    case 8: {
        const auto start = bound();
        const auto stop = bound();
        if (!list) return true;
        const auto [b, e] = sliceOf(start, stop, model.size());
        const std::vector<qint64> part(model.begin() + std::ptrdiff_t(b), model.begin() + std::ptrdiff_t(e));
        auto got = list->slice(start, stop);
        return got && *got == cborOf(part);
    }
    case 9: {
        const auto start = bound();
        const auto stop = bound();
        std::vector<qint64> values(rng.bounded(4), value);
        const auto [b, e] = sliceOf(start, stop, model.size());
        model.erase(model.begin() + std::ptrdiff_t(b), model.begin() + std::ptrdiff_t(e));
        model.insert(model.begin() + std::ptrdiff_t(b), values.begin(), values.end());
        return !list || list->setSlice(start, stop, cborOf(values));
    }
    default: {
        const auto start = bound();
        const auto stop = bound();
        const auto [b, e] = sliceOf(start, stop, model.size());
        model.erase(model.begin() + std::ptrdiff_t(b), model.begin() + std::ptrdiff_t(e));
        return !list || list->delSlice(start, stop);
    }
    }
}

} // namespace

// 600 random list operations -- insert, pop, remove, count, index with
// bounds, reverse, sort, slices -- half from the parent, half from a
// forked child, against a std::vector doing the same.
void TestManager::listMethodsAgainstModel()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto list = client->list("l");
    QVERIFY(list);
    std::vector<qint64> model;
    QRandomGenerator rng(20260611);
    for (int step = 0; step < 300; ++step) {
        QVERIFY2(randomListStep(rng, model, &*list), qPrintable(QStringLiteral("parent step %1").arg(step)));
        if (step % 50 == 49) QCOMPARE(okv(list->toArray()), std::optional<QCborArray>(cborOf(model)));
    }
    ManagerInfo *info = &m->info();
    test::ForkedChild child([info, rng, model]() mutable {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto cl = c->list("l");
        CHECK_OR(cl, 3);
        for (int step = 0; step < 300; ++step) CHECK_OR(randomListStep(rng, model, &*cl), 4);
        auto all = cl->toArray();
        CHECK_OR(all && *all == cborOf(model), 5);
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    for (int step = 0; step < 300; ++step) randomListStep(rng, model, nullptr); // what the child did
    QCOMPARE(okv(list->toArray()), std::optional<QCborArray>(cborOf(model)));
}

void TestManager::listSortIndexRemoveErrors()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto l = client->list("mixed");
    QVERIFY(l);
    // Numbers of every kind sort together by value (Python: True == 1).
    QVERIFY(l->extend(QCborArray{3, 1.5, true, -2, 2.0}));
    QVERIFY(l->sort());
    QCOMPARE(okv(l->toArray()), std::optional<QCborArray>(QCborArray{-2, true, 1.5, 2.0, 3}));
    QCOMPARE(okv(l->index(1)), std::optional<std::size_t>(1)); // True == 1
    QCOMPARE(okv(l->count(2)), std::optional<std::size_t>(1)); // 2 == 2.0
    // Strings by code point, arrays lexicographically.
    auto s = client->list("strings");
    QVERIFY(s);
    QVERIFY(s->extend(QCborArray{QStringLiteral("b"), QStringLiteral("\U0001F600"), QStringLiteral("\uFFFD"),
                                 QStringLiteral("a")}));
    QVERIFY(s->sort(true));
    QCOMPARE(okv(s->toArray()), std::optional<QCborArray>(QCborArray{QStringLiteral("\U0001F600"),
                                                                     QStringLiteral("\uFFFD"), QStringLiteral("b"),
                                                                     QStringLiteral("a")}));
    auto arrays = client->list("arrays");
    QVERIFY(arrays);
    QVERIFY(arrays->extend(QCborArray{QCborArray{1, 2}, QCborArray{1}, QCborArray{0, 5}}));
    QVERIFY(arrays->sort());
    QCOMPARE(okv(arrays->toArray()),
             std::optional<QCborArray>(QCborArray{QCborArray{0, 5}, QCborArray{1}, QCborArray{1, 2}}));
    // Mixed types cannot be ordered: refused, list unchanged (Python: TypeError).
    QVERIFY(l->append(QStringLiteral("x")));
    const auto before = l->toArray();
    auto mixed = l->sort();
    QCOMPARE(errc(mixed), std::optional<Errc>(Errc::InvalidArgument));
    QVERIFY2(mixed.error().message.find("cannot be ordered") != std::string::npos &&
                 mixed.error().message.find("list 'mixed'") != std::string::npos,
             mixed.error().message.c_str());
    QCOMPARE(okv(l->toArray()), okv(before));
    QVERIFY(arrays->append(QCborArray{1, QStringLiteral("a")}));
    QCOMPARE(errc(arrays->sort()), std::optional<Errc>(Errc::InvalidArgument));
    // index and remove of an absent value: ValueError naming value and list.
    auto absent = l->index(42);
    QCOMPARE(errc(absent), std::optional<Errc>(Errc::ValueError));
    QVERIFY2(absent.error().message.find("42 is not in list 'mixed'") != std::string::npos,
             absent.error().message.c_str());
    QCOMPARE(errc(l->index(3, 0, 2)), std::optional<Errc>(Errc::ValueError)); // there, but not in [0, 2)
    QCOMPARE(okv(l->index(3, -3)), std::optional<std::size_t>(4));
    QCOMPARE(errc(l->remove(42)), std::optional<Errc>(Errc::ValueError));
    QVERIFY(l->remove(QStringLiteral("x")));
    // Slices clamp as Python's.
    QCOMPARE(okv(l->slice(-100, 100)), okv(l->toArray()));
    QCOMPARE(okv(l->slice(3, 1)), std::optional<QCborArray>(QCborArray{}));
    QCOMPARE(okv(l->slice(-2, std::nullopt)), std::optional<QCborArray>(QCborArray{2.0, 3}));
    QVERIFY(l->delSlice(1, -1));
    QCOMPARE(okv(l->toArray()), std::optional<QCborArray>(QCborArray{-2, 3}));
    QVERIFY(l->insert(-100, 0));
    QVERIFY(l->insert(100, 9));
    QCOMPARE(okv(l->toArray()), std::optional<QCborArray>(QCborArray{0, -2, 3, 9}));
    // A one-element list sorts without comparing, as Python's.
    auto one = client->list("one");
    QVERIFY(one && one->append(nullptr));
    QVERIFY(one->sort());
}

void TestManager::dictValuesCopyPopitem()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    ManagerInfo *info = &m->info();
    // A child builds the dict; the parent sees its order.
    test::ForkedChild child([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto d = c->dict("d");
        CHECK_OR(d, 3);
        for (int k : {5, 1, 4, 2}) CHECK_OR(d->set(k, k * 10), 4);
        CHECK_OR(d->set(1, 11), 5); // keeps its place
        auto v = d->setdefault(4, 99);
        CHECK_OR(v && v->toInteger() == 40, 6);
        auto added = d->setdefault(7, 70); // absent: inserted last
        CHECK_OR(added && added->toInteger() == 70, 7);
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    auto client = ManagerClient::connect(*info);
    QVERIFY(client);
    auto d = client->dict("d");
    QVERIFY(d);
    QCOMPARE(okv(d->values()), std::optional<QCborArray>(QCborArray{50, 11, 40, 20, 70}));
    auto copy = d->copy();
    QVERIFY(copy);
    QCOMPARE(copy->keys(), (QList<QCborValue>{5, 1, 4, 2, 7}));
    QCOMPARE(copy->value(1).toInteger(), 11);
    QCOMPARE(okv(d->pop(9, QStringLiteral("none")))->toString(), QStringLiteral("none"));
    QCOMPARE(okv(d->pop(2, 0))->toInteger(), 20);
    // popitem is LIFO: last inserted first.
    auto last = d->popitem();
    QVERIFY(last);
    QCOMPARE(last->first.toInteger(), 7);
    QCOMPARE(last->second.toInteger(), 70);
    QVERIFY(d->set(5, 55)); // an update does not move it
    QCOMPARE(okv(d->popitem())->first.toInteger(), 4);
    QCOMPARE(okv(d->popitem())->first.toInteger(), 1);
    QCOMPARE(okv(d->popitem())->second.toInteger(), 55);
    auto empty = d->popitem();
    QCOMPARE(errc(empty), std::optional<Errc>(Errc::NotFound));
    QVERIFY2(empty.error().message.find("dict 'd' is empty") != std::string::npos, empty.error().message.c_str());
    // Namespaces have no popitem (nor does Python's).
    auto ns = client->ns("ns");
    QVERIFY(ns);
    QVERIFY(ns->set("x", 1));
    QVERIFY(client->ping());
}

void TestManager::rlockRecursionAndOwnership()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto rl = client->rlock("rl");
    QVERIFY(rl);
    QCOMPARE(errc(rl->release()), std::optional<Errc>(Errc::NotOwner));
    QCOMPARE(okv(rl->acquire(1s)), std::optional<AcquireStatus>(AcquireStatus::Acquired));
    QCOMPARE(okv(rl->acquire(kNoWait)), std::optional<AcquireStatus>(AcquireStatus::Acquired)); // depth 2
    ManagerInfo *info = &m->info();
    auto phase = client->value("phase", 0);
    QVERIFY(phase);
    test::ForkedChild child([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto crl = c->rlock("rl");
        CHECK_OR(crl, 3);
        CHECK_OR(errc(crl->acquire(kNoWait)) == Errc::Timeout, 4);
        auto notMine = crl->release();
        CHECK_OR(errc(notMine) == Errc::NotOwner, 5);
        CHECK_OR(notMine.error().message.find("RLock 'rl'") != std::string::npos, 6);
        CHECK_OR(c->value("phase")->set(1), 7);
        auto got = crl->acquire(10s); // after the parent's second release
        CHECK_OR(got && *got == AcquireStatus::Acquired, 8);
        CHECK_OR(crl->acquire(kNoWait), 9);
        ::pause(); // dies holding it twice
        return 0;
    });
    QVERIFY(waitFor([&] { return phase->get()->toInteger() == 1 && info->waiting.load() >= 1; }));
    QVERIFY(rl->release()); // depth 1: still ours
    QCOMPARE(errc(client->rlock("rl")->acquire(kNoWait)), std::optional<Errc>()); // re-entrant, depth 2 again
    QVERIFY(rl->release());
    QVERIFY(rl->release()); // free: the child gets it
    // The child was parked, so it got the lock with our last release.
    auto taken = rl->acquire(kNoWait);
    QCOMPARE(errc(taken), std::optional<Errc>(Errc::Timeout));
    child.kill();
    QCOMPARE(child.join(), std::optional<int>(-SIGKILL));
    QCOMPARE(okv(rl->acquire(10s)), std::optional<AcquireStatus>(AcquireStatus::OwnerDied));
    QVERIFY(rl->release());
    QCOMPARE(errc(rl->release()), std::optional<Errc>(Errc::NotOwner));
}

void TestManager::semaphoreCountsAcrossProcesses()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto sem = client->semaphore("sem", 2);
    QVERIFY(sem);
    QCOMPARE(okv(sem->acquire(kNoWait)), std::optional<bool>(true));
    QCOMPARE(okv(sem->acquire(1s)), std::optional<bool>(true));
    QCOMPARE(okv(sem->acquire(kNoWait)), std::optional<bool>(false)); // Python: False, not an error
    QCOMPARE(okv(sem->acquire(20ms)), std::optional<bool>(false));
    QCOMPARE(okv(sem->value()), std::optional<std::int64_t>(0));
    ManagerInfo *info = &m->info();
    auto waiter = [info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto s = c->semaphore("sem");
        CHECK_OR(s, 3);
        auto got = s->acquire(10s); // until a release
        CHECK_OR(got && *got, 4);
        return 0;
    };
    test::ForkedChild a(waiter);
    test::ForkedChild b(waiter);
    QVERIFY(waitFor([&] { return info->waiting.load() == 2; }));
    QVERIFY(sem->release(2)); // wakes both
    QCOMPARE(a.join(), std::optional<int>(0));
    QCOMPARE(b.join(), std::optional<int>(0));
    QCOMPARE(okv(sem->value()), std::optional<std::int64_t>(0));
    QCOMPARE(errc(sem->release(0)), std::optional<Errc>(Errc::InvalidArgument));
    QVERIFY(sem->release(5)); // a plain Semaphore may rise above its start
    QCOMPARE(okv(sem->value()), std::optional<std::int64_t>(5));

    auto bounded = client->boundedSemaphore("bounded", 1);
    QVERIFY(bounded);
    QCOMPARE(errc(client->semaphore("bounded")), std::optional<Errc>(Errc::InvalidArgument)); // other kind
    auto over = bounded->release();
    QCOMPARE(errc(over), std::optional<Errc>(Errc::ValueError));
    QVERIFY2(over.error().message.find("BoundedSemaphore 'bounded' released too many times") != std::string::npos,
             over.error().message.c_str());
    test::ForkedChild taker([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto s = c->boundedSemaphore("bounded");
        CHECK_OR(s, 3);
        auto got = s->acquire(1s);
        CHECK_OR(got && *got, 4);
        return 0; // no owner: the count stays taken when it exits
    });
    QCOMPARE(taker.join(), std::optional<int>(0));
    QCOMPARE(okv(bounded->value()), std::optional<std::int64_t>(0));
    QVERIFY(bounded->release()); // anyone may release
    QCOMPARE(errc(bounded->release()), std::optional<Errc>(Errc::ValueError));
    QCOMPARE(okv(bounded->value()), std::optional<std::int64_t>(1));
}

void TestManager::eventWaitTimeoutAndSet()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto ev = client->event("ev");
    QVERIFY(ev);
    QCOMPARE(okv(ev->isSet()), std::optional<bool>(false));
    QCOMPARE(okv(ev->wait(kNoWait)), std::optional<bool>(false));
    QCOMPARE(okv(ev->wait(20ms)), std::optional<bool>(false)); // a timeout is no error
    ManagerInfo *info = &m->info();
    auto waiter = [info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto e = c->event("ev");
        CHECK_OR(e, 3);
        auto r = e->wait(10s);
        CHECK_OR(r && *r, 4);
        return 0;
    };
    test::ForkedChild a(waiter);
    test::ForkedChild b(waiter);
    QVERIFY(waitFor([&] { return info->waiting.load() == 2; }));
    // Set from another process wakes every waiter.
    test::ForkedChild setter([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        CHECK_OR(c->event("ev") && c->event("ev")->set(), 3);
        return 0;
    });
    QCOMPARE(setter.join(), std::optional<int>(0));
    QCOMPARE(a.join(), std::optional<int>(0));
    QCOMPARE(b.join(), std::optional<int>(0));
    QCOMPARE(okv(ev->isSet()), std::optional<bool>(true));
    QCOMPARE(okv(ev->wait(kNoWait)), std::optional<bool>(true));
    QVERIFY(ev->clear());
    QCOMPARE(okv(ev->wait(kNoWait)), std::optional<bool>(false));
}

// A consumer waits on a Condition for a dict entry a producer makes; wait
// without the lock is NotOwner; a timed-out wait returns false holding the
// lock; a waiter that dies is forgotten.
void TestManager::conditionWaitNotifyAcrossProcesses()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto cond = client->condition("cond");
    auto box = client->dict("box");
    QVERIFY(cond && box);
    auto unowned = cond->wait(1s);
    QCOMPARE(errc(unowned), std::optional<Errc>(Errc::NotOwner));
    QVERIFY2(unowned.error().message.find("Condition 'cond'") != std::string::npos, unowned.error().message.c_str());
    QCOMPARE(errc(cond->notify()), std::optional<Errc>(Errc::NotOwner));
    QCOMPARE(errc(cond->notifyAll()), std::optional<Errc>(Errc::NotOwner));
    // A timed-out wait returns false with the lock held again.
    QVERIFY(cond->acquire(1s));
    auto timed = cond->wait(20ms);
    QVERIFY(timed);
    QVERIFY(!timed->notified);
    QVERIFY(cond->notify()); // we hold the lock: allowed
    QVERIFY(cond->release());
    QCOMPARE(errc(cond->release()), std::optional<Errc>(Errc::NotOwner));

    ManagerInfo *info = &m->info();
    auto consumer = [info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto cc = c->condition("cond");
        auto b = c->dict("box");
        CHECK_OR(cc && b, 3);
        CHECK_OR(cc->acquire(10s), 4);
        // The predicate loop, as Python's wait_for; one generous deadline.
        const Deadline deadline(15s);
        while (!b->contains(QStringLiteral("item")).value_or(false)) {
            CHECK_OR(!deadline.expired(), 5);
            auto w = cc->wait(5s);
            CHECK_OR(w, 6);
        }
        CHECK_OR(b->get(QStringLiteral("item"))->toInteger() == 42, 7);
        CHECK_OR(cc->release(), 8); // we held it again after wait
        return 0;
    };
    test::ForkedChild a(consumer);
    test::ForkedChild b(consumer);
    // A third waiter dies while waiting: the others are unaffected.
    test::ForkedChild doomed([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto cc = c->condition("cond");
        CHECK_OR(cc && cc->acquire(10s), 3);
        (void)cc->wait(); // until killed
        return 4;
    });
    QVERIFY(waitFor([&] { return info->waiting.load() == 3; }));
    doomed.kill();
    QCOMPARE(doomed.join(), std::optional<int>(-SIGKILL));
    QVERIFY(waitFor([&] { return info->waiting.load() <= 2; }));
    test::ForkedChild producer([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto cc = c->condition("cond");
        auto bx = c->dict("box");
        CHECK_OR(cc && bx, 3);
        CHECK_OR(cc->acquire(10s), 4);
        CHECK_OR(bx->set(QStringLiteral("item"), 42), 5);
        CHECK_OR(cc->notifyAll(), 6);
        CHECK_OR(cc->release(), 7);
        return 0;
    });
    QCOMPARE(producer.join(), std::optional<int>(0));
    QCOMPARE(a.join(), std::optional<int>(0));
    QCOMPARE(b.join(), std::optional<int>(0));
    QCOMPARE(okv(cond->acquire(1s)), std::optional<AcquireStatus>(AcquireStatus::Acquired));
    QVERIFY(cond->release());
}

// A Condition over a named manager RLock: wait releases it however deep
// and restores the depth; notify(1) wakes one waiter at a time.
void TestManager::conditionOnNamedRLock()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    QCOMPARE(errc(client->condition("c", "nolock")), std::optional<Errc>(Errc::NotFound));
    QVERIFY(client->dict("notalock"));
    QCOMPARE(errc(client->condition("c", "notalock")), std::optional<Errc>(Errc::InvalidArgument));
    auto rl = client->rlock("rl");
    QVERIFY(rl);
    auto cond = client->condition("c", "rl");
    QVERIFY(cond);
    QCOMPARE(errc(client->condition("c", "other")), std::optional<Errc>(Errc::InvalidArgument));
    QVERIFY(client->condition("c")); // by name alone: the same condition
    QVERIFY(rl->acquire(1s));
    QVERIFY(cond->acquire(1s)); // the same RLock: depth 2
    ManagerInfo *info = &m->info();
    auto waiter = [info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto cc = c->condition("c", "rl");
        CHECK_OR(cc && cc->acquire(10s), 3);
        auto w = cc->wait(10s);
        CHECK_OR(w && w->notified, 4);
        CHECK_OR(c->list("woken")->append(1), 5);
        CHECK_OR(cc->release(), 6);
        return 0;
    };
    // While we hold the lock the waiters cannot even start waiting; wait()
    // with depth 2 lets them in.
    test::ForkedChild a(waiter);
    test::ForkedChild b(waiter);
    QVERIFY(waitFor([&] { return info->waiting.load() == 2; })); // both queue for the lock
    auto w = cond->wait(20ms); // releases depth 2; they acquire and wait in turn
    QVERIFY(w);
    QCOMPARE(okv(cond->acquire(kNoWait)), std::optional<AcquireStatus>(AcquireStatus::Acquired)); // depth 3
    QVERIFY(cond->release());
    QVERIFY(rl->release());
    // Whether a waiter was quick enough to wait before our timeout is not
    // asserted; wake them one at a time until both report.
    auto woken = client->list("woken");
    QVERIFY(woken);
    QVERIFY(rl->release()); // depth 0 now
    QCOMPARE(errc(rl->release()), std::optional<Errc>(Errc::NotOwner));
    QVERIFY(waitFor([&] {
        if (!cond->acquire(1s)) return false;
        const bool ok = bool(cond->notify(1));
        (void)cond->release();
        return ok && woken->size().value_or(0) == 2;
    }));
    QCOMPARE(a.join(), std::optional<int>(0));
    QCOMPARE(b.join(), std::optional<int>(0));
    QCOMPARE(errc(cond->notify(-1)), std::optional<Errc>(Errc::InvalidArgument));
}

void TestManager::barrierAcrossThreeProcesses()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto barrier = client->barrier("b", 3);
    QVERIFY(barrier);
    QCOMPARE(okv(barrier->parties()), std::optional<std::size_t>(3));
    QCOMPARE(errc(client->barrier("zero", 0)), std::optional<Errc>(Errc::InvalidArgument));
    constexpr int kRounds = 3;
    ManagerInfo *info = &m->info();
    std::vector<std::unique_ptr<test::ForkedChild>> children;
    for (int k = 0; k < 3; ++k) {
        children.push_back(std::make_unique<test::ForkedChild>([info] {
            auto c = ManagerClient::connect(*info);
            CHECK_OR(c, 2);
            auto b = c->barrier("b", 3);
            auto seen = c->list("indices");
            CHECK_OR(b && seen, 3);
            for (int round = 0; round < kRounds; ++round) {
                auto index = b->wait(10s);
                CHECK_OR(index && *index < 3, 4);
                CHECK_OR(seen->append(QCborArray{round, qint64(*index)}), 5);
            }
            return 0;
        }));
    }
    for (auto &child : children) QCOMPARE(child->join(), std::optional<int>(0));
    auto seen = client->list("indices");
    QVERIFY(seen);
    auto all = seen->toArray();
    QVERIFY(all);
    QCOMPARE(all->size(), qsizetype(3 * kRounds));
    for (int round = 0; round < kRounds; ++round) {
        std::vector<qint64> indices;
        for (const QCborValue &e : *all)
            if (e.toArray().at(0).toInteger() == round) indices.push_back(e.toArray().at(1).toInteger());
        std::sort(indices.begin(), indices.end());
        QCOMPARE(indices, (std::vector<qint64>{0, 1, 2})); // each index once per generation
    }
    QCOMPARE(okv(barrier->nWaiting()), std::optional<std::size_t>(0));
    QCOMPARE(okv(barrier->broken()), std::optional<bool>(false));
}

void TestManager::barrierTimeoutBreaksItForAll()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto barrier = client->barrier("b", 3);
    QVERIFY(barrier);
    ManagerInfo *info = &m->info();
    // One waits long; the second's short timeout breaks the barrier for both.
    test::ForkedChild patient([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto b = c->barrier("b", 3);
        CHECK_OR(b, 3);
        auto r = b->wait(10s);
        CHECK_OR(errc(r) == Errc::BrokenBarrier, 4);
        return 0;
    });
    QVERIFY(waitFor([&] { return barrier->nWaiting().value_or(0) == 1; }));
    test::ForkedChild hasty([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto b = c->barrier("b", 3);
        CHECK_OR(b, 3);
        auto r = b->wait(30ms);
        CHECK_OR(errc(r) == Errc::BrokenBarrier, 4);
        CHECK_OR(r.error().message.find("timed out") != std::string::npos, 5);
        return 0;
    });
    QCOMPARE(hasty.join(), std::optional<int>(0));
    QCOMPARE(patient.join(), std::optional<int>(0));
    QCOMPARE(okv(barrier->broken()), std::optional<bool>(true));
    QCOMPARE(errc(barrier->wait(1s)), std::optional<Errc>(Errc::BrokenBarrier)); // until reset
    QVERIFY(barrier->reset());
    QCOMPARE(okv(barrier->broken()), std::optional<bool>(false));
    // The barrier's own timeout applies when wait() names none.
    auto quick = client->barrier("quick", 2, 20ms);
    QVERIFY(quick);
    QCOMPARE(errc(quick->wait()), std::optional<Errc>(Errc::BrokenBarrier));
    // A waiter that dies breaks it too (Python's would wait for ever).
    test::ForkedChild doomed([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto b = c->barrier("b", 3);
        CHECK_OR(b, 3);
        (void)b->wait();
        return 4;
    });
    QVERIFY(waitFor([&] { return barrier->nWaiting().value_or(0) == 1; }));
    doomed.kill();
    QCOMPARE(doomed.join(), std::optional<int>(-SIGKILL));
    QVERIFY(waitFor([&] { return barrier->broken().value_or(false); }));
    // abort() breaks it for a waiter, reset() mends it.
    QVERIFY(barrier->reset());
    test::ForkedChild aborted([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto b = c->barrier("b", 3);
        CHECK_OR(b, 3);
        auto r = b->wait(10s);
        CHECK_OR(errc(r) == Errc::BrokenBarrier && r.error().message.find("aborted") != std::string::npos, 4);
        return 0;
    });
    QVERIFY(waitFor([&] { return barrier->nWaiting().value_or(0) == 1; }));
    QVERIFY(barrier->abort());
    QCOMPARE(aborted.join(), std::optional<int>(0));
    QCOMPARE(okv(barrier->nWaiting()), std::optional<std::size_t>(0));
    QVERIFY(barrier->reset());
    auto single = client->barrier("single", 1);
    QVERIFY(single);
    QCOMPARE(okv(single->wait(kNoWait)), std::optional<std::size_t>(0));
}

void TestManager::joinableQueueJoinAndTaskDone()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto q = client->joinableQueue("jq");
    QVERIFY(q);
    QVERIFY(q->join(kNoWait)); // nothing put: nothing to wait for
    auto early = q->taskDone();
    QCOMPARE(errc(early), std::optional<Errc>(Errc::ValueError));
    QVERIFY2(early.error().message.find("JoinableQueue 'jq'") != std::string::npos, early.error().message.c_str());
    QCOMPARE(errc(client->queue("jq")), std::optional<Errc>(Errc::InvalidArgument)); // another kind
    for (int i = 0; i < 3; ++i) QVERIFY(q->put(i, 1s));
    QCOMPARE(errc(q->join(kNoWait)), std::optional<Errc>(Errc::Timeout));
    QCOMPARE(errc(q->join(20ms)), std::optional<Errc>(Errc::Timeout));
    ManagerInfo *info = &m->info();
    test::ForkedChild worker([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto jq = c->joinableQueue("jq");
        CHECK_OR(jq, 3);
        for (int i = 0; i < 3; ++i) {
            auto item = jq->get(10s);
            CHECK_OR(item && item->toInteger() == i, 5);
            CHECK_OR(jq->taskDone(), 6);
        }
        return 0;
    });
    QVERIFY(q->join(10s)); // returns once the worker marked all three done
    QCOMPARE(worker.join(), std::optional<int>(0));
    QCOMPARE(errc(q->taskDone()), std::optional<Errc>(Errc::ValueError));
    QCOMPARE(okv(q->qsize()), std::optional<std::size_t>(0));
    // A put that had to wait counts as a task as well.
    auto small = client->joinableQueue("small", 1);
    QVERIFY(small && small->put(1, 1s));
    test::ForkedChild putter([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto s = c->joinableQueue("small");
        CHECK_OR(s && s->put(2, 10s), 3);
        return 0;
    });
    QVERIFY(waitFor([&] { return info->waiting.load() >= 1; }));
    QCOMPARE(okv(small->get(1s))->toInteger(), 1);
    QCOMPARE(putter.join(), std::optional<int>(0));
    QVERIFY(small->taskDone());
    QCOMPARE(errc(small->join(kNoWait)), std::optional<Errc>(Errc::Timeout)); // item 2 still unfinished
    QCOMPARE(okv(small->get(1s))->toInteger(), 2);
    QVERIFY(small->taskDone());
    QVERIFY(small->join(kNoWait));
}

void TestManager::arrayHasFixedLength()
{
    auto m = ManagerRun::start();
    QVERIFY(m);
    auto client = ManagerClient::connect(m->info());
    QVERIFY(client);
    auto arr = client->array("arr", QCborArray{1, 2, 3, 4});
    QVERIFY(arr);
    ManagerInfo *info = &m->info();
    test::ForkedChild child([info] {
        auto c = ManagerClient::connect(*info);
        CHECK_OR(c, 2);
        auto a = c->array("arr", QCborArray{9}); // exists: the values are ignored
        CHECK_OR(a, 3);
        CHECK_OR(okv(a->size()) == std::optional<std::size_t>(4), 4);
        CHECK_OR(a->set(-1, QStringLiteral("four")), 5);
        CHECK_OR(a->setSlice(0, 2, QCborArray{10, 20}), 6);
        return 0;
    });
    QCOMPARE(child.join(), std::optional<int>(0));
    QCOMPARE(okv(arr->toArray()), std::optional<QCborArray>(QCborArray{10, 20, 3, QStringLiteral("four")}));
    QCOMPARE(okv(arr->at(1))->toInteger(), 20);
    QCOMPARE(okv(arr->slice(-2, std::nullopt)), std::optional<QCborArray>(QCborArray{3, QStringLiteral("four")}));
    QCOMPARE(errc(arr->at(4)), std::optional<Errc>(Errc::InvalidArgument));
    QCOMPARE(errc(arr->set(-5, 0)), std::optional<Errc>(Errc::InvalidArgument));
    auto resize = arr->setSlice(0, 1, QCborArray{1, 2});
    QCOMPARE(errc(resize), std::optional<Errc>(Errc::InvalidArgument));
    QVERIFY2(resize.error().message.find("fixed length") != std::string::npos, resize.error().message.c_str());
    QCOMPARE(okv(arr->size()), std::optional<std::size_t>(4));
    // The list operations that would change its length do not apply.
    auto asList = client->list("arr");
    QCOMPARE(errc(asList), std::optional<Errc>(Errc::InvalidArgument));
    auto empty = client->array("empty");
    QVERIFY(empty);
    QCOMPARE(okv(empty->size()), std::optional<std::size_t>(0));
}

// The server reads the only client's next request without a poll right
// after answering it (one syscall fewer per call on one CPU). A client that
// never pauses must not keep a newcomer out: the listening socket is polled
// every few requests all the same. Server and client share CPU 0, where the
// client's next request is always there at once.
void TestManager::aNewcomerIsServedWhileOneClientKeepsAsking()
{
    auto run = Run::create();
    QVERIFY(run);
    auto server = ManagerProcess::start(**run, "manager", 10s, SpawnOptions{.cpu = 0});
    QVERIFY(server);
    (*run)->control().lockEnabled.store(0); // get + set, two requests per increment, no waits
    auto asker = (*run)->spawn("manager-client", {"--increments", "50000000", "--report", "0"}, SpawnOptions{.cpu = 0});
    QVERIFY(asker);
    ManagerInfo &info = server->info();
    QVERIFY(waitFor([&] { return info.requests.load() > 2000; }, 10000));
    ClientOptions options;
    options.connectTimeout = 5s;
    options.replyTimeout = 5s;
    auto newcomer = ManagerClient::connect(info, options);
    QVERIFY2(newcomer, newcomer ? "" : newcomer.error().toString().c_str());
    QVERIFY(newcomer->ping());
    auto ns = newcomer->ns("ns");
    QVERIFY(ns);
    QVERIFY(okv(ns->get("x")).has_value());
    // Served while the other still asks, not after it ended.
    QVERIFY((*run)->process(*asker).isAlive());
    QVERIFY(info.requests.load() > 2000);
}

QTEST_GUILESS_MAIN(TestManager)
#include "tst_manager.moc"
