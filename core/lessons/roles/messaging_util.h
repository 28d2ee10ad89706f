// What the messaging roles share: connections from inherited descriptors,
// pacing at the control block's rate, simulated work, payload messages.
//
// A connection is passed to a worker as a group of options named after it
// (ConnectionOptions, role_options.h; the role decides the name: "pipe",
// "left", "right"):
//   --NAME-fd N                    the inherited descriptor (required)
//   --NAME-mode duplex|read|write  default duplex
//   --NAME-stats OBJ --NAME-end K  report traffic to end K of PipeStats OBJ
// connectionEnd() fills them on the engine side, connectionFrom() opens the
// connection in the worker.
#pragma once

#include "pipe.h"
#include "queue.h"
#include "role_options.h"
#include "worker.h"

#include <string>
#include <string_view>
#include <vector>

namespace ipc::roles {

// Engine side: the options for one end; traffic counted on end `statsEnd`
// of the PipeStats `statsObject` when one is named.
[[nodiscard]] ConnectionOptions connectionEnd(const Connection &end, std::string_view statsObject = {},
                                              int statsEnd = 0);
// Worker side: adopts the descriptor. Errors name the option (--NAME-fd).
[[nodiscard]] Result<Connection> connectionFrom(WorkerContext &ctx, const ConnectionOptions &options,
                                                std::string_view name);

// Sleeps control->workUs microseconds (the lesson's "work" per item), in
// slices, board state Sleeping; false when a stop was requested meanwhile.
[[nodiscard]] bool simulateWork(const WorkerContext &ctx) noexcept;

// Item `seq` of producer `id`: [id, seq, <payload bytes>], the payload
// sized control->payloadBytes (capped at maxPayload).
[[nodiscard]] Message payloadMessage(std::int64_t id, std::int64_t seq, std::uint32_t payloadBytes);
struct PayloadId {
    std::int64_t id;
    std::int64_t seq;
};
// Checks the shape and the payload's pattern; nullopt if damaged.
[[nodiscard]] std::optional<PayloadId> checkPayload(const Message &message);

// A blocking put/send that wakes every `slice` to honour a stop request:
// Timeout retries, anything else is returned. `stopped` set on a stop.
[[nodiscard]] Result<void> putUntilStopped(const WorkerContext &ctx, Queue &queue,
                                           const Message &message, bool &stopped);
// In step mode (step_gate.h) the send is a step named `step` ("send
// request 3"); a stop at the gate sets `stopped`.
[[nodiscard]] Result<void> sendUntilStopped(const WorkerContext &ctx, Connection &conn,
                                            const Message &message, bool &stopped, std::string_view step);
// Receives, retrying timeouts until a message, an error or a stop (then
// `stopped` is set and the result is Timeout). A step named `step` in step
// mode, like the send.
[[nodiscard]] Result<Message> recvUntilStopped(const WorkerContext &ctx, Connection &conn,
                                                  bool &stopped, std::string_view step);

inline constexpr auto kStopSlice = std::chrono::milliseconds(100);

} // namespace ipc::roles
