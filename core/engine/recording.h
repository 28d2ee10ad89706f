// Recording: a run kept in one file -- which lesson with which parameters,
// every sample the sampler took, the event trace, the step schedule, and
// the machine it ran on -- so that it can be looked at again with no
// process started (`ipc-playground replay FILE`).
//
// The file is CBOR (RFC 8949), one map; docs/recording-format.md describes
// every field. It opens with "format": "ipc-playground recording" and a
// version; a reader refuses another format, a newer version, a damaged or
// truncated file, with the file, the place (the byte offset, or the sample
// and field) and the problem, and never crashes on any bytes.
//
// Threads: any; a Recording is a plain value.
#pragma once

#include "result.h"
#include "snapshot.h"
#include "trace_log.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ipc {

class Scenario;

struct RecordedSample {
    double seconds = 0; // since the run began
    // Its processes, objects, metrics and bars, and the deadlock standing
    // then, if any; read back, its wait-for graph and the deadlock's edges
    // are derived again from these and the recording's links.
    Snapshot snapshot;
};

// The samples of a run as a recording keeps them: every one up to kMax,
// then every other one (the first and the newest kept), and so on, so an
// hour's lecture stays some tens of MB.
class SampleLog {
public:
    static constexpr std::size_t kMax = 8192; // as many ticks as the History keeps

    void clear() { *this = SampleLog(); }
    void add(RecordedSample sample);
    [[nodiscard]] const std::vector<RecordedSample> &samples() const noexcept { return m_samples; }

private:
    std::vector<RecordedSample> m_samples;
    std::size_t m_stride = 1;  // keep one sample in this many
    std::size_t m_skipped = 0; // since the last kept
};

struct RecordedProcess {
    std::uint32_t slot = 0;
    std::int32_t pid = 0;
    std::string role;
};

struct Recording {
    static constexpr const char *kFormat = "ipc-playground recording";
    static constexpr std::int64_t kVersion = 1;

    std::string program;  // the version of the program that recorded it
    std::string machine;  // "2 CPUs, Linux 6.1.0-..."
    std::string lesson;   // the lesson's name
    std::string title;
    std::string scenarioFile; // a lecturer's scenario file's JSON; empty for a built-in lesson
    std::map<std::string, double> params;
    LessonTexts texts; // as rendered for the run, its answer from its result
    std::uint64_t startNs = 0; // CLOCK_MONOTONIC when the run began (sample times count from it)
    std::vector<RecordedSample> samples;
    std::vector<RecordedProcess> processes; // the trace's
    std::vector<std::string> objects;       // the arena's names, by directory index
    std::vector<TracedEvent> events;        // in time order
    std::uint64_t droppedEvents = 0;
    std::vector<std::uint32_t> schedule;    // step mode: the steps taken, in order
    std::vector<Link> links;                // who uses which object, as the run ended (the diagram's lines)
    bool drawsOnlyLinkedObjects = false;

    // The trace up to untilNs as a TraceLog (pairs, intervals, hand-offs),
    // for the pictures.
    [[nodiscard]] TraceLog traceLog(std::uint64_t untilNs = UINT64_MAX) const;
};

// What the machine is, for the file: CPUs and kernel.
[[nodiscard]] std::string describeMachine();
// The scenario's run so far: its lesson and parameters, the trace; the
// samples are the caller's (the sampler's or the CLI's).
[[nodiscard]] Recording recordingOf(const Scenario &scenario, std::uint64_t startNs,
                                    std::vector<RecordedSample> samples);

[[nodiscard]] QByteArray encodeRecording(const Recording &recording);
// `where` names the source in messages ("recording 'run.ipcrec'").
[[nodiscard]] Result<Recording> decodeRecording(const QByteArray &bytes, const std::string &where);

[[nodiscard]] Result<void> saveRecording(const Recording &recording, const QString &path);
[[nodiscard]] Result<Recording> loadRecording(const QString &path);

} // namespace ipc
