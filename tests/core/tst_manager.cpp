// Manager: a real server process (ipc-worker --role manager) and proxies
// used from several real processes; authentication both ways; what clients
// see when the server dies or hangs; lost updates through a Namespace.
#include "manager/dict_proxy.h"
#include "manager/list_proxy.h"
#include "manager/lock_proxy.h"
#include "manager/manager_auth.h"
#include "manager/manager_client.h"
#include "manager/manager_process.h"
#include "manager/manager_server.h"
#include "manager/namespace_proxy.h"
#include "manager/queue_proxy.h"
#include "manager/value_proxy.h"
#include "message.h"
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
    void wrongKeyRejectedByServer();
    void impostorServerRejectedByClient();
    void serverKilledClientsGetErrors();
    void stoppedServerTimesOut();
    void lostUpdatesWithoutLockNoneWith();
    void malformedRequests();
    void connectionIsPerProcess();
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
        auto notMine = clk->release();
        CHECK_OR(!notMine && notMine.error().code == Errc::NotOwner, 6);
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
        auto reply = decodeMessage(*frame);
        return reply && reply->toArray().at(0).toInteger() == qint64(code) + 1;
    };
    QVERIFY(expectError(QByteArray("\xff\x00garbage", 9), Errc::Corrupt));
    QVERIFY(expectError(QCborValue(QCborMap()).toCbor(), Errc::InvalidArgument));
    QVERIFY(expectError(QCborValue(QCborArray{999, 0}).toCbor(), Errc::InvalidArgument));
    QVERIFY(expectError(QCborValue(QCborArray{qint64(Op::Get), 12345, 1}).toCbor(), Errc::NotFound));
    QVERIFY(expectError(QCborValue(QCborArray{qint64(Op::Open), 0, 77, QStringLiteral("x")}).toCbor(),
                        Errc::InvalidArgument));
    // Still in step: a good request after the bad ones.
    QVERIFY(socket->send(QCborValue(QCborArray{qint64(Op::Ping), 0}).toCbor()));
    auto pong = socket->receive(kMaxMessageBytes, 5s);
    QVERIFY(pong);
    QCOMPARE(decodeMessage(*pong)->toArray().at(0).toInteger(), 0);
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

QTEST_GUILESS_MAIN(TestManager)
#include "tst_manager.moc"
