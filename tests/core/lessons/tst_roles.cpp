// The roles' options (role_options.h) on real processes: what the engine
// writes for a role is what the worker reads; a bad option ends the worker
// at once with exit code 2 and a line naming the option; both worker
// executables list every role with its options; the messaging roles run
// in the worker without QtCore, the manager's in ipc-worker-qt.
#include "board.h"
#include "manager_process.h"
#include "messaging_util.h"
#include "roles.h"
#include "run.h"
#include "test_support.h"

#include <QProcess>

#include <fcntl.h>
#include <unistd.h>

using namespace ipc;
using namespace std::chrono_literals;

namespace {

// What a process wrote on a pipe until its end (non-blocking read end).
std::string drained(int fd)
{
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, std::size_t(n));
    return out;
}

// `ipc-worker[-qt] --help`: what it prints on stderr, with its exit code.
std::pair<int, QString> help(const QString &executable)
{
    QProcess p;
    p.start(executable, {QStringLiteral("--help")});
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished(5000);
        return {-1, {}};
    }
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardError())};
}

// The file name of the executable a process runs now (/proc/PID/exe).
std::string executableOf(pid_t pid)
{
    char target[4096];
    const std::string link = "/proc/" + std::to_string(pid) + "/exe";
    const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) return {};
    const std::string path(target, std::size_t(n));
    return path.substr(path.rfind('/') + 1);
}

} // namespace

class TestRoles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theWorkerReadsWhatTheEngineWrote();
    void aBadOptionEndsTheWorkerNamingIt();
    void bothWorkersListEveryRoleWithItsOptions();
    void messagingRolesRunWithoutQt();
};

void TestRoles::theWorkerReadsWhatTheEngineWrote()
{
    // A producer with no option at its default: another queue name, its
    // own id, a count and two sentinels.
    auto run = Run::create();
    QVERIFY(run);
    auto queue = Queue::create((*run)->arena(), "orders", 16, 1024);
    QVERIFY(queue);
    (*run)->control().payloadBytes.store(8);
    const roles::ProducerOptions producer{.queue = "orders", .items = 5, .id = 42, .sentinels = 2};
    auto slot = (*run)->spawn(producer);
    QVERIFY(slot);
    QVERIFY((*run)->waitAll(60s));
    QCOMPARE((*run)->process(*slot).exitCode(), std::optional<int>(0));
    QCOMPARE((*queue)->qsize(), std::size_t(7));
    for (std::int64_t seq = 0; seq < 5; ++seq) {
        auto item = (*queue)->get(kNoWait);
        QVERIFY(item);
        const auto id = roles::checkPayload(*item);
        QVERIFY(id);
        QCOMPARE(id->id, 42);
        QCOMPARE(id->seq, seq);
    }
    for (int s = 0; s < 2; ++s) {
        auto item = (*queue)->get(kNoWait);
        QVERIFY(item);
        QVERIFY(item->isSentinel());
    }
}

void TestRoles::aBadOptionEndsTheWorkerNamingIt()
{
    struct Case {
        const char *role;
        std::vector<std::string> args;
        const char *said;
    };
    const Case cases[] = {
        {"producer", {"--items", "-3"}, "--items -3 is out of range"},
        {"producer", {"--itmes", "3"}, "unknown option --itmes"},
        {"philosopher", {"--seat", "5", "--seats", "5"}, "--seat 5 is out of range [0, 4]"},
        {"pipe-sender", {"--pipe-mode", "sideways"}, "--pipe-mode 'sideways' must be one of"},
        {"counter", {"--rounds", "2"}, "--rounds needs --barrier NAME and --results NAME"},
        {"parent", {"--children", "1,2", "--codes", "0"}, "--codes needs one exit code per child"},
        {"chunk", {"--block", "b", "--array", "a"}, "give exactly one of --block NAME and --array NAME"},
    };
    for (const Case &c : cases) {
        auto run = Run::create();
        QVERIFY(run);
        int fds[2];
        QCOMPARE(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
        auto slot = (*run)->spawn(c.role, c.args, SpawnOptions{.stderrFd = fds[1]});
        close(fds[1]);
        QVERIFY(slot);
        QVERIFY((*run)->waitAll(30s));
        const std::string said = drained(fds[0]);
        close(fds[0]);
        QCOMPARE((*run)->process(*slot).exitCode(), std::optional<int>(kExitUsage));
        QVERIFY2(said.find("ipc-worker " + std::string(c.role) + ": ") != std::string::npos, said.c_str());
        QVERIFY2(said.find(c.said) != std::string::npos, said.c_str());
    }
}

void TestRoles::bothWorkersListEveryRoleWithItsOptions()
{
    const QString worker = QString::fromStdString(Run::workerPath());
    for (const QString &executable : {worker, worker + QStringLiteral("-qt")}) {
        const auto [code, text] = help(executable);
        QCOMPARE(code, 0);
        for (const RoleInfo &role : lessonRoles()) {
            const QString name = QString::fromUtf8(role.name.data(), qsizetype(role.name.size()));
            QVERIFY2(text.contains(QStringLiteral("  ") + name + QLatin1Char(' ')), qPrintable(name));
            const std::string options = role.usage();
            if (!options.empty()) QVERIFY2(text.contains(QString::fromStdString(options)), options.c_str());
        }
        // What the options say, spelled as the worker reads them.
        QVERIFY(text.contains(QStringLiteral("--queue NAME --items N --id I --sentinels K")));
        QVERIFY(text.contains(QStringLiteral("--pipe-fd FD --pipe-mode duplex|read|write")));
    }
}

void TestRoles::messagingRolesRunWithoutQt()
{
    // A consumer on an empty queue and a receiver on a silent pipe: once
    // they wait, their role runs, so the executable is the one it runs in
    // (a role without code in ipc-worker would have been handed over to
    // ipc-worker-qt before).
    auto run = Run::create();
    QVERIFY(run);
    QVERIFY(Queue::create((*run)->arena(), "empty", 4));
    auto consumer = (*run)->spawn(roles::ConsumerOptions{.queue = "empty"});
    QVERIFY(consumer);
    auto p = Connection::pipe(false);
    QVERIFY(p);
    auto &[reader, writer] = *p;
    auto receiver = (*run)->spawn(roles::PipeReceiverOptions{roles::connectionEnd(reader)},
                                  SpawnOptions{{reader.fd()}});
    QVERIFY(receiver);
    reader.close();
    Board &board = (*run)->board();
    QVERIFY(waitFor([&] { return board.slot(*consumer)->currentState() == ProcState::BlockedGet; }, 30000));
    QVERIFY(waitFor([&] { return board.slot(*receiver)->currentState() == ProcState::BlockedRecv; }, 30000));
    QCOMPARE(executableOf((*run)->process(*consumer).pid()), std::string("ipc-worker"));
    QCOMPARE(executableOf((*run)->process(*receiver).pid()), std::string("ipc-worker"));
    // The manager's server needs QtCore for its job: ready means it runs.
    auto manager = manager::ManagerProcess::start(**run);
    QVERIFY2(manager, manager ? "" : manager.error().toString().c_str());
    QCOMPARE(executableOf((*run)->process(manager->slot()).pid()), std::string("ipc-worker-qt"));
    writer.close();
    (*run)->stop();
    QVERIFY((*run)->waitAll(30s));
}

QTEST_GUILESS_MAIN(TestRoles)
#include "tst_roles.moc"
