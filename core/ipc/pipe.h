// Pipe and Connection: multiprocessing.Pipe / Connection between real
// processes.
//
//   Connection::pipe(true)  -> two duplex ends over socketpair(AF_UNIX, SOCK_STREAM)
//   Connection::pipe(false) -> (reader, writer) over pipe(2); the reader
//                              cannot send and the writer cannot receive
//                              (InvalidArgument, never a crash).
// A worker gets its end as an inherited descriptor (Run::spawn's
// SpawnOptions::inheritFds, `--pipe-fd N`) and wraps it with adopt(); the
// engine closes its own copy after spawning, or EndOfFile never comes.
//
// Framing: every message is a frame = u32 little-endian payload length,
// then the payload. send()/recv() carry CBOR messages (message.h);
// sendBytes()/recvBytes() carry raw bytes in the same frames. A frame
// header announcing more than maxMessageBytes() is refused with TooLarge
// before anything is allocated, and the connection is then unusable (the
// stream cannot be resynchronised): every later recv repeats the error.
//
// Errors
//   Closed           this Connection was closed, or send to a peer that
//                    has closed its end (broken pipe)
//   EndOfFile        recv when every writer has closed (or died) and
//                    nothing is left to read
//   Corrupt          the peer vanished in the middle of a frame; a
//                    message that does not decode (recv)
//   TooLarge         send of more than maxMessageBytes(); an announced
//                    frame over the limit; recvBytes(maxLength) or
//                    recvBytesInto with too little room -- in these two
//                    cases the message stays and the next recv gets it
//   InvalidArgument  sendBytes offset/size outside the buffer; send on a
//                    read-only end, recv on a write-only end
//   Timeout          nothing (complete) arrived in time; a send that could
//                    not finish in time (see below)
// A send that times out after part of its frame went out keeps the rest
// and sends it before anything else (next send or flush()), so the stream
// never carries a torn frame; pendingSendBytes() says how much is left.
// A recv that times out mid-frame keeps what arrived for the next recv.
//
// Threads and processes: a Connection is used by one thread of one
// process. Receiving reads ahead into a 256 KiB buffer, so do not hand the
// descriptor to another process after receiving on it.
//
// Telemetry: a blocking send/recv/wait marks the caller's board slot
// BlockedSend / BlockedRecv (object = the PipeStats' directory index when
// attached); with a board attached the first attempt never blocks, so the
// state is set only when the call really waits. Counters go to the
// caller's board slot (MessagesSent/Received, BytesSent/Received) and, when
// attachStats() was called, to that end of a PipeStats in the arena,
// which the GUI reads lock-free.
//
// SIGPIPE: creating or adopting a Connection sets SIGPIPE to ignored in
// this process if it was at its default (as Python does), so a write to a
// pipe with no reader is an error value, not a dead process.
#pragma once

#include "arena.h"
#include "message.h"
#include "posix_call.h"
#include "result.h"
#include "trace.h"

#include <sys/types.h>
#include <sys/uio.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

// The Qt adapters below are declared here and defined in qt_message.cpp,
// so that this class compiles and links without QtCore.
class QByteArray;
class QCborValue;

namespace ipc {

// Telemetry of one pipe in the arena: one End per connection end. Each
// End is written only by the process using that end (relaxed stores) and
// read lock-free by the GUI.
struct PipeStats {
    static constexpr ObjectKind kKind = ObjectKind::PipeStats;

    struct alignas(64) End {
        std::atomic<std::int32_t> pid{0};  // the process using this end
        std::atomic<std::uint32_t> open{0}; // 1 while adopted and not closed
        std::atomic<std::uint64_t> messagesSent{0};
        std::atomic<std::uint64_t> bytesSent{0}; // payload bytes
        std::atomic<std::uint64_t> messagesReceived{0};
        std::atomic<std::uint64_t> bytesReceived{0};
        // FIONREAD on this end's descriptor, sampled when the end blocks
        // and every 128 messages: for a reading end, the bytes waiting for
        // it in the kernel; for a pipe's write end, the bytes it wrote that
        // the reader has not read yet.
        std::atomic<std::uint64_t> kernelQueued{0};
        std::atomic<std::uint64_t> kernelSampledNs{0};
    };

    std::uint32_t objectIndex = kNoObject;
    // What the ends are, written by attachStats from the descriptor itself
    // (so no engine can declare it wrong): 1 = a socket pair, where each
    // end's FIONREAD counts what waits for *that* end; 0 = a one-way pipe,
    // where both ends see the one kernel buffer.
    std::atomic<std::uint32_t> socketPair{0};
    End ends[2];
};

// What one end moved (also kept without an arena).
struct ConnectionCounters {
    std::uint64_t messagesSent = 0;
    std::uint64_t bytesSent = 0;
    std::uint64_t messagesReceived = 0;
    std::uint64_t bytesReceived = 0;
};

class Connection {
public:
    enum class Mode : std::uint8_t { Duplex, ReadOnly, WriteOnly };
    // The receive buffer. Each read from a full pipe wakes its writer, which
    // on one CPU then refills what was read: the read size is the batch
    // between two context switches (docs/architecture.md, Pipe framing).
    static constexpr std::size_t kReadAhead = 256 * 1024;

    // Python's Pipe(duplex): duplex -> (a, b) both ways; one-way ->
    // (reader, writer). Descriptors are close-on-exec; pass them with
    // SpawnOptions::inheritFds.
    [[nodiscard]] static Result<std::pair<Connection, Connection>>
    pipe(bool duplex = true, std::size_t maxMessageBytes = kMaxMessageBytes);
    // Wraps an inherited descriptor (takes ownership). InvalidArgument if
    // fd is not open or not a pipe/socket in a mode that fits.
    [[nodiscard]] static Result<Connection> adopt(int fd, Mode mode,
                                                  std::size_t maxMessageBytes = kMaxMessageBytes);

    Connection() = default;
    Connection(Connection &&other) noexcept;
    Connection &operator=(Connection &&other) noexcept;
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;
    ~Connection();

    // Report this end's traffic into stats->ends[end] (end 0 or 1).
    void attachStats(PipeStats *stats, int end) noexcept;

    // Messages (message.h), Python's send(obj) / recv().
    [[nodiscard]] Result<void> send(const Message &message, Duration timeout = kForever);
    [[nodiscard]] Result<Message> recv(Duration timeout = kForever, DecodeLimits limits = {});

    // Python's send_bytes(buf, offset, size): size defaults to the rest.
    [[nodiscard]] Result<void> sendBytes(std::span<const std::byte> buffer, std::size_t offset = 0,
                                         std::optional<std::size_t> size = std::nullopt,
                                         Duration timeout = kForever);
    // Python's recv_bytes(maxlength) into `out` (resized to the message):
    // TooLarge (message kept) if longer.
    [[nodiscard]] Result<void> recvBytes(Bytes &out, std::optional<std::size_t> maxLength = std::nullopt,
                                         Duration timeout = kForever);
    // Python's recv_bytes_into(buffer, offset): writes at buffer[offset..],
    // returns the message length; TooLarge (message kept) if it does not fit.
    [[nodiscard]] Result<std::size_t> recvBytesInto(std::span<std::byte> buffer,
                                                    std::size_t offset = 0,
                                                    Duration timeout = kForever);

    // Qt adapters (qt_message.h): the same with QCborValue and QByteArray.
    [[nodiscard]] Result<void> sendCbor(const QCborValue &message, Duration timeout = kForever);
    [[nodiscard]] Result<QCborValue> recvCbor(Duration timeout = kForever, DecodeLimits limits = {});
    [[nodiscard]] Result<void> sendBytes(const QByteArray &buffer, Duration timeout = kForever);
    [[nodiscard]] Result<QByteArray> recvBytes(std::optional<std::size_t> maxLength = std::nullopt,
                                               Duration timeout = kForever);

    // Python's poll(timeout): true when there is something to read (a
    // message, part of one, or the end of the stream). It only looks: it
    // never reads from the kernel, so a process polling a reader it shares
    // with another takes nothing from it. Default: do not wait.
    [[nodiscard]] Result<bool> poll(Duration timeout = kNoWait);
    // Finish a send that timed out half way.
    [[nodiscard]] Result<void> flush(Duration timeout = kForever);
    [[nodiscard]] std::size_t pendingSendBytes() const noexcept
    {
        return std::size_t(m_pendingOut.size()) - m_pendingPos;
    }

    void close() noexcept;
    [[nodiscard]] bool isClosed() const noexcept { return m_fd < 0; }
    [[nodiscard]] int fd() const noexcept { return m_fd; }
    [[nodiscard]] Mode mode() const noexcept { return m_mode; }
    [[nodiscard]] bool readable() const noexcept { return m_mode != Mode::WriteOnly; }
    [[nodiscard]] bool writable() const noexcept { return m_mode != Mode::ReadOnly; }
    [[nodiscard]] std::size_t maxMessageBytes() const noexcept { return m_maxMessageBytes; }
    [[nodiscard]] const ConnectionCounters &counters() const noexcept { return m_counters; }
    // The attached PipeStats' directory index (board "blocked on object #"),
    // or kNoObject.
    [[nodiscard]] std::uint32_t objectIndex() const noexcept
    {
        return m_stats ? m_stats->objectIndex : kNoObject;
    }
    // FIONREAD on the descriptor now (see PipeStats::End::kernelQueued).
    [[nodiscard]] std::uint64_t kernelQueued() const noexcept;

    // For wait(): a complete frame (or the end of the stream) is buffered.
    [[nodiscard]] bool hasBufferedMessage() const noexcept;

private:
    Connection(int fd, Mode mode, bool isSocket, std::size_t maxMessageBytes) noexcept;

    [[nodiscard]] Result<void> checkUsable(bool forSend) const;
    void countSent(std::size_t n, bool sample) noexcept;
    void traceMessage(TraceKind kind) const noexcept;

    // Receiving.
    // One read or write on the descriptor; block = false never waits.
    [[nodiscard]] ssize_t readFd(std::byte *dst, std::size_t cap, bool block) noexcept;
    [[nodiscard]] ssize_t writeFd(const iovec *iov, int count, bool block) noexcept;
    [[nodiscard]] Result<std::uint32_t> frameHeader(Duration timeout, std::optional<Deadline> &dl);
    [[nodiscard]] Result<void> frameBody(std::byte *dst, Duration timeout, std::optional<Deadline> &dl);
    [[nodiscard]] Result<std::size_t> readSome(std::byte *dst, std::size_t cap, Duration timeout,
                                               std::optional<Deadline> &dl);
    void finishReceive(std::size_t n) noexcept;
    [[nodiscard]] std::size_t buffered() const noexcept { return m_inEnd - m_inBegin; }
    [[nodiscard]] std::size_t readSize(std::size_t room, std::size_t needed) noexcept;

    // Sending.
    [[nodiscard]] Result<void> sendFrame(std::span<const std::byte> payload, Duration timeout);
    [[nodiscard]] Result<void> flushPending(Duration timeout, std::optional<Deadline> &dl);
    [[nodiscard]] Result<bool> waitWritable(Duration timeout, std::optional<Deadline> &dl);
    // The one write loop: writes `parts` in order until every byte is out,
    // waiting for room (BlockedSend) when the kernel's buffer is full.
    // Returns how many bytes went out: all, or fewer if the reader took
    // none within the timeout. `blocked` tells whether it had to wait.
    [[nodiscard]] Result<std::size_t> writeAll(std::span<const std::span<const std::byte>> parts, bool blockDirect,
                                               Duration timeout, std::optional<Deadline> &dl, bool &blocked);
    void sampleKernel() noexcept;

    int m_fd = -1;
    Mode m_mode = Mode::Duplex;
    bool m_isSocket = false;
    // The descriptor blocks; calls that must not wait say so per call.
    bool m_blocking = false;
    bool m_receiveWaited = false; // the last receive found nothing at its first look
    std::size_t m_maxMessageBytes = kMaxMessageBytes;

    std::vector<std::byte> m_in; // read-ahead buffer, [m_inBegin, m_inEnd) unparsed
    std::size_t m_inBegin = 0;
    std::size_t m_inEnd = 0;
    std::optional<std::uint32_t> m_frameLength; // header consumed, body pending
    std::size_t m_lastFrameBytes = 0;          // header + body of the last frame received
    std::uint64_t m_lastReadNs = 0;            // when readSize last sized a read
    Bytes m_body;                              // a large body begun before a timeout (else empty)
    std::size_t m_bodyFilled = 0;
    bool m_eof = false;
    std::optional<Error> m_broken; // unrecoverable stream error, repeated

    Bytes m_pendingOut; // rest of a frame whose send timed out
    std::vector<std::byte> m_frameOut; // a small frame, header and body, for one write
    std::size_t m_pendingPos = 0;

    ConnectionCounters m_counters;
    PipeStats *m_stats = nullptr;
    PipeStats::End *m_statsEnd = nullptr;
};

// multiprocessing.connection.wait(): which of `connections` can recv
// without blocking (a message or the end of the stream) and which of
// `processFds` (pidfds, Process::pidfd()) have exited. Empty lists when the
// timeout passes first (as Python). Closed if a connection is closed.
// Board: BlockedRecv while waiting.
struct WaitReady {
    std::vector<std::size_t> connections; // indices into `connections`
    std::vector<std::size_t> processes;   // indices into `processFds`
    [[nodiscard]] bool empty() const noexcept { return connections.empty() && processes.empty(); }
};
[[nodiscard]] Result<WaitReady> wait(std::span<Connection *const> connections,
                                     std::span<const int> processFds = {},
                                     Duration timeout = kForever);

} // namespace ipc
