// barrier-print: processes print a line per phase and wait for each other
// at a Barrier. Without the print lock their characters interleave; with
// it every line is whole. Their real stdout is a pipe this engine reads.
#include "scenarios.h"

#include "role_options.h"

#include "barrier.h"
#include "lock.h"

#include <fcntl.h>
#include <regex>
#include <unistd.h>

namespace ipc::scenarios {

namespace {

constexpr std::size_t kMaxConsole = 256 * 1024;

class BarrierPrintScenario final : public Scenario {
public:
    ~BarrierPrintScenario() override { closeOutput(); }

    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "barrier-print", {}, {},
            {wholeParam("processes", 2, 16, 4), wholeParam("phases", 1, 1000, 5), switchParam("lock", false, kLive).drives(&ControlBlock::lockEnabled),
             wholeParam("work_ms", 0, 10'000, 60), paceParam()},
            {"clean_lines", "garbled_lines", "lines", "phases_completed"}};
        return kInfo;
    }

    Result<void> start() override
    {
        closeOutput();
        m_console.clear();
        auto run = newRun();
        if (!run) return std::unexpected(run.error());
        const int n = groupCount("phase-printer", "processes");
        auto parties = Barrier::validate(n);
        if (!parties) return std::unexpected(parties.error());
        if (auto b = (*run)->arena().make<Barrier>("barrier", *parties); !b) return std::unexpected(b.error());
        if (auto l = (*run)->arena().make<Lock>("print-lock"); !l) return std::unexpected(l.error());

        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) return failErrno("pipe for the printers' output", errno);
        m_output = fds[0];
        fcntl(m_output, F_SETFL, O_NONBLOCK);
        SpawnOptions options;
        options.stdoutFd = fds[1];
        Result<void> outcome;
        for (int i = 0; i < n && outcome; ++i) {
            const roles::PhasePrinterOptions printer{
                .rank = i, .phases = std::int64_t(param("phases")), .workMs = std::int64_t(param("work_ms"))};
            auto spawned = (*run)->spawn(printer, options);
            if (!spawned) outcome = std::unexpected(spawned.error());
        }
        close(fds[1]); // the printers hold the only write ends now: EOF when all are done
        return outcome;
    }

    void advance() override
    {
        if (m_output < 0) return;
        char buf[4096];
        for (;;) {
            const ssize_t n = read(m_output, buf, sizeof buf);
            if (n > 0) {
                if (m_console.size() < kMaxConsole) m_console.append(buf, std::size_t(n));
                continue;
            }
            if (n == 0) closeOutput(); // every printer has exited
            break;                      // EAGAIN: nothing more for now
        }
    }

    std::string consoleOutput() const override { return m_console; }

    void stop() override
    {
        Scenario::stop();
        poll();
    }

    std::vector<Metric> metrics() const override
    {
        const auto [lines, clean] = countLines();
        return {{"lines", double(lines)}, {"clean_lines", double(clean)},
                {"garbled_lines", double(lines - clean)}};
    }

    QJsonObject lessonResult() const override
    {
        const auto [lines, clean] = countLines();
        QJsonObject o;
        o.insert(QStringLiteral("lock"), param("lock") != 0);
        o.insert(QStringLiteral("lines"), double(lines));
        o.insert(QStringLiteral("clean_lines"), double(clean));
        o.insert(QStringLiteral("garbled_lines"), double(lines - clean));
        std::uint64_t phasesDone = ~std::uint64_t(0);
        for (std::uint32_t i = 0; m_run && i < m_run->processCount(); ++i)
            phasesDone = std::min<std::uint64_t>(phasesDone, m_run->board().slots[i].ops.load(std::memory_order_relaxed));
        o.insert(QStringLiteral("phases_completed"), m_run && m_run->processCount() ? double(phasesDone) : 0.0);
        return o;
    }

private:
    // Lines seen and lines that are exactly one printer's line.
    std::pair<std::int64_t, std::int64_t> countLines() const
    {
        static const std::regex kClean("process [0-9]+ finished phase [0-9]+");
        std::int64_t lines = 0, clean = 0;
        std::size_t start = 0;
        for (std::size_t nl; (nl = m_console.find('\n', start)) != std::string::npos; start = nl + 1) {
            ++lines;
            if (std::regex_match(m_console.begin() + std::ptrdiff_t(start),
                                 m_console.begin() + std::ptrdiff_t(nl), kClean))
                ++clean;
        }
        return {lines, clean};
    }

    void closeOutput()
    {
        if (m_output >= 0) close(m_output);
        m_output = -1;
    }

    int m_output = -1;
    std::string m_console;
};

} // namespace

std::unique_ptr<Scenario> makeBarrierPrint() { return std::make_unique<BarrierPrintScenario>(); }

} // namespace ipc::scenarios
