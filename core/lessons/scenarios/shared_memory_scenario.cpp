// shared-memory: several workers transform their own chunk of one large
// array in place -- a named SharedMemory block they attach by name (Python:
// SharedMemory(name) + np.ndarray(buffer=shm.buf)), or an Array in the run's
// arena. Each chunk's progress is live; at the end the array is compared
// bit for bit with the same computation done serially.
//
// Cleanup of the named block: start() waits until every worker has
// attached and then unlinks the name at once, so from then on a SIGKILL of
// anyone (engine included) leaves nothing in /dev/shm; the memory lives as
// long as a mapping does. The scenario keeps its own mapping to check the
// result after the workers are gone.
#include "scenarios.h"

#include "leftovers.h"
#include "chunk_transform.h"
#include "shared_memory_block.h"
#include "shared_value.h"

#include <atomic>
#include <cstring>
#include <unistd.h>

namespace ipc::scenarios {

namespace {

constexpr std::string_view kArrayName = "data";

// The input every run starts from; the serial check recomputes it.
double initialValue(std::size_t i) { return double(i % 1000) * 0.001 + 1.0; }

class SharedMemoryScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo kInfo{
            "shared-memory", {}, {},
            {wholeParam("workers", 1, 16, 4), wholeParam("elements", 1000, 50'000'000, 1'000'000),
             wholeParam("rounds", 1, 10'000, 10), choiceParam("op", 4, 3), realParam("k", -1000, 1000, 0.5),
             wholeParam("pause_us", 0, 100'000, 2000), switchParam("array", false), switchParam("lock", false)},
            {"block", "complete", "correct", "storage"}};
        return kInfo;
    }

    Result<void> start() override
    {
        m_block = SharedMemoryBlock();
        m_array = nullptr;
        m_note = nullptr;
        m_checked = false;
        const auto n = std::size_t(param("elements"));
        const bool useArray = param("array") != 0;
        const std::size_t arenaSize =
            Arena::kDefaultSize + (useArray ? SharedArray<double>::bytesFor(n) + 4096 : 0);
        auto run = newRun(arenaSize);
        if (!run) return std::unexpected(run.error());

        std::span<double> data;
        std::string target;
        if (useArray) {
            auto array = (*run)->arena().make<SharedArray<double>>(kArrayName, n);
            if (!array) return std::unexpected(array.error());
            m_array = *array;
            data = m_array->elements();
            target = "--array";
        } else {
            m_blockName = ownedBlockName("ipc-shm");
            auto block = SharedMemoryBlock::createArray<double>(m_blockName, n);
            if (!block) return std::unexpected(block.error());
            m_block = std::move(*block);
            data = *m_block.view<double>();
            target = "--block";
            // The block lives outside the arena: a note in it lets the
            // window draw the block and who uses it.
            auto note = (*run)->arena().make<BlockNote>(kArrayName, m_blockName, n);
            if (!note) return std::unexpected(note.error());
            m_note = *note;
        }
        for (std::size_t i = 0; i < n; ++i) data[i] = initialValue(i);

        const int workers = groupCount("chunk", "workers");
        m_chunks.clear();
        const std::string op(kChunkOpNames[std::size_t(param("op"))]);
        for (int w = 0; w < workers; ++w) {
            const std::size_t start = n / std::size_t(workers) * std::size_t(w);
            const std::size_t end = w == workers - 1 ? n : start + n / std::size_t(workers);
            std::vector<std::string> args{target,
                                          useArray ? std::string(kArrayName) : m_blockName,
                                          "--start", std::to_string(start),
                                          "--end", std::to_string(end),
                                          "--op", op,
                                          "--k", QString::number(param("k"), 'g', 17).toStdString(),
                                          "--rounds", std::to_string(std::int64_t(param("rounds"))),
                                          "--pause-us", std::to_string(std::int64_t(param("pause_us")))};
            if (useArray && param("lock") != 0) args.insert(args.end(), {"--lock", "on"});
            auto slot = (*run)->spawn("chunk", args);
            if (!slot) return std::unexpected(slot.error());
            m_chunks.push_back({*slot, end - start});
        }
        if (!useArray) {
            if (auto ok = unlinkOnceAttached(**run, std::uint32_t(workers)); !ok) return ok;
        }
        return {};
    }

    void stop() override
    {
        Scenario::stop();
        // The creator's duty, should start() have failed half way.
        if (m_block.isOpen() && m_block.ownsName()) (void)m_block.unlink();
    }

    std::vector<Metric> metrics() const override
    {
        std::vector<Metric> out;
        if (!m_run) return out;
        const auto rounds = std::uint64_t(param("rounds"));
        std::uint64_t done = 0;
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < m_chunks.size(); ++i) {
            const std::uint64_t ops = m_run->board().slots[m_chunks[i].slot].ops.load(std::memory_order_relaxed);
            const std::uint64_t want = m_chunks[i].elements * rounds;
            done += ops;
            total += want;
            out.push_back({"chunk" + std::to_string(i) + "_progress", want ? double(ops) / double(want) : 1.0});
        }
        out.push_back({"progress", total ? double(done) / double(total) : 0.0});
        out.push_back({"elements_done", double(done), false}); // progress (0..1) is what is drawn
        return out;
    }

    QJsonObject lessonResult() const override
    {
        QJsonObject o;
        o.insert(QStringLiteral("storage"), param("array") != 0 ? QStringLiteral("array") : QStringLiteral("block"));
        o.insert(QStringLiteral("workers"), int(m_chunks.size()));
        o.insert(QStringLiteral("elements"), double(param("elements")));
        o.insert(QStringLiteral("op"), QString::fromUtf8(kChunkOpNames[std::size_t(param("op"))].data()));
        double progress = 0;
        for (const Metric &m : metrics())
            if (m.key == "progress") progress = m.value;
        o.insert(QStringLiteral("complete"), progress >= 1.0);
        o.insert(QStringLiteral("correct"), correct());
        return o;
    }

private:
    struct Chunk {
        std::uint32_t slot;
        std::size_t elements;
    };

    // Waits for every worker's attach (or its early exit), then unlinks.
    Result<void> unlinkOnceAttached(Run &run, std::uint32_t workers)
    {
        const Deadline deadline(std::chrono::seconds(10));
        while (m_block.attachedCount() < workers) {
            m_note->attached.store(m_block.attachedCount(), std::memory_order_relaxed);
            // A worker that finished its chunk (exit 0) had attached; one
            // that failed or was killed may not have, and would be waited
            // for in vain.
            for (const Chunk &c : m_chunks)
                if (!run.process(c.slot).isAlive() && run.process(c.slot).exitCode().value_or(-1) != 0) {
                    (void)m_block.unlink();
                    return fail(Errc::Closed, "chunk worker #" + std::to_string(c.slot) +
                                                  " exited before attaching block '" + m_blockName + "'");
                }
            if (deadline.expired()) {
                (void)m_block.unlink();
                return fail(Errc::Timeout, "chunk workers did not attach block '" + m_blockName + "' in time");
            }
            usleep(1000);
        }
        m_note->attached.store(m_block.attachedCount(), std::memory_order_relaxed);
        auto unlinked = m_block.unlink();
        if (unlinked) m_note->unlinked.store(1, std::memory_order_relaxed);
        return unlinked;
    }

    // Bit-for-bit equal to the serial computation, once every chunk is done.
    bool correct() const
    {
        if (m_checked) return m_correct;
        std::span<const double> data;
        if (m_array) data = m_array->elements();
        else if (m_block.isOpen()) data = *m_block.view<double>();
        if (data.empty() || !m_run) return false;
        const auto rounds = std::uint64_t(param("rounds"));
        for (const Chunk &c : m_chunks)
            if (m_run->board().slots[c.slot].ops.load(std::memory_order_acquire) != c.elements * rounds)
                return false; // not finished (stopped early, or a worker failed)
        const auto op = ChunkOp(std::uint32_t(param("op")));
        const double k = param("k");
        std::vector<double> serial(data.size());
        for (std::size_t i = 0; i < serial.size(); ++i) serial[i] = initialValue(i);
        for (std::uint64_t r = 0; r < rounds; ++r) transformChunk(op, k, std::span<double>(serial));
        m_correct = std::memcmp(serial.data(), data.data(), data.size() * sizeof(double)) == 0;
        m_checked = true;
        return m_correct;
    }

    SharedMemoryBlock m_block;
    std::string m_blockName;
    SharedArray<double> *m_array = nullptr;
    BlockNote *m_note = nullptr; // block mode: the block's record in the arena, for the window
    std::vector<Chunk> m_chunks;
    mutable bool m_checked = false;
    mutable bool m_correct = false;
};

} // namespace

std::unique_ptr<Scenario> makeSharedMemory() { return std::make_unique<SharedMemoryScenario>(); }

} // namespace ipc::scenarios
