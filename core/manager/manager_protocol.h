// The manager's wire protocol, shared by the server and the client.
//
// Transport: one AF_UNIX SOCK_STREAM connection per client process, to a
// socket in a private directory (mode 0700). Every message in both
// directions is a frame: a 4-byte little-endian payload length, then the
// payload. Before authentication a frame may hold at most kMaxAuthFrame
// bytes (an unauthenticated peer cannot make the server allocate); after it,
// at most kMaxMessageBytes (message.h).
//
// Authentication (as multiprocessing.connection does, both ways, with
// HMAC-SHA256 on a shared 32-byte key; see manager_auth.h):
//   server -> client  "#CHALLENGE#" kAuthVersion 32 random bytes
//   client -> server  HMAC(key, that whole challenge)
//   server -> client  "#WELCOME#" or "#FAILURE#" (then closes)
//   client -> server  its own challenge
//   server -> client  HMAC(key, it)
//   client -> server  "#WELCOME#" or "#FAILURE#" (then closes)
// A wrong key therefore fails on whichever side checks first, and a
// process that pretends to be the server without the key is caught by the
// client.
//
// Requests and replies are CBOR (encodeCbor / decodeCbor, qt_message.h):
//   request  [op, objectId, args...]     op: Op below; objectId 0 for Open,
//                                        Ping and Shutdown
//   reply    [0, value]                  success (value null when none)
//            [errc, "message"]           failure; errc = int(Errc) + 1
// One request is outstanding per connection at a time; replies come in
// order. A request that must wait (Lock/RLock/Semaphore acquire, Queue get
// on an empty queue, put on a full one, JoinableQueue join, Event,
// Condition and Barrier wait) is parked at the server and answered when it
// can proceed or its timeout (ns, -1 = forever, 0 = no wait) runs out.
#pragma once

#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QCborArray>
#include <QCborValue>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ipc::manager {

inline constexpr std::size_t kFrameHeaderBytes = 4;
inline constexpr std::size_t kMaxAuthFrame = 1024;
inline constexpr std::string_view kChallengePrefix = "#CHALLENGE#";
inline constexpr std::string_view kAuthVersion = "ipc-manager-1#";
inline constexpr std::string_view kWelcome = "#WELCOME#";
inline constexpr std::string_view kFailure = "#FAILURE#";
inline constexpr std::size_t kChallengeRandomBytes = 32;
inline constexpr std::size_t kKeyBytes = 32;

// Kinds of object the server hosts (Python: SyncManager's typeids).
// Numbers are on the wire: append, never renumber.
enum class Kind : std::int64_t {
    Dict = 1,
    List,
    Namespace,
    Queue,
    Lock,
    Value,
    RLock,
    Semaphore,
    BoundedSemaphore,
    Event,
    Condition,
    Barrier,
    JoinableQueue,
    Array,
};
inline constexpr Kind kLastKind = Kind::Array;

[[nodiscard]] std::string_view kindName(Kind kind) noexcept;

// Operations. A request names one; the object it is sent to must be of a
// kind the comment lists, else InvalidArgument ("'sort' does not apply to
// Queue 'q'"). Timeouts are ns: -1 forever, 0 no wait. Numbers are on the
// wire: append, never renumber.
enum class Op : std::int64_t {
    Ping = 1,     // []                              -> null
    Shutdown,     // []                              -> null; the server then exits
    Open,         // [kind, name, args...]           -> objectId (get or create by name;
                  //                                    the args count only on creation:
                  //   Queue, JoinableQueue  [maxsize]        0 or null: unbounded
                  //   Value                 [initial]
                  //   Semaphore, Bounded..  [value]          null: 1
                  //   Condition             [lockName]       null: its own RLock;
                  //                         else an existing Lock/RLock (checked every time)
                  //   Barrier               [parties, timeoutNs]  timeout -1/null: none
                  //   Array                 [array]          null: empty; length fixed
    // Dict and Namespace (keys of a Namespace are strings)
    Get = 10,     // [key]                           -> value | NotFound
    GetOr,        // [key, default]                  -> value or default
    Set,          // [key, value]                    -> null
    Pop,          // [key]                           -> removed value | NotFound
    Contains,     // [key]                           -> bool
    Keys,         // []                              -> array
    Items,        // []                              -> map (insertion order)
    Update,       // [map]                           -> null
    // Dict only
    Values,       // []                              -> array (insertion order)
    PopItem,      // []                              -> [key, value] last inserted | NotFound
    SetDefault,   // [key, default]                  -> value (default inserted if absent)
    PopOr,        // [key, default]                  -> removed value or default
    // List (At, SetAt, All, Slice also Array; SetSlice on an Array keeps its length)
    Append = 30,  // [value]                         -> null
    At,           // [index] (negative from the end) -> value | InvalidArgument
    SetAt,        // [index, value]                  -> null
    PopAt,        // [index]                         -> value
    Extend,       // [array]                         -> null
    All,          // []                              -> array
    Count,        // [value]                         -> int (Python ==: 1 == 1.0)
    Index,        // [value, start|null, stop|null] -> int | ValueError
    Remove,       // [value]                         -> null | ValueError
    Insert,       // [index, value]                  -> null (index clamped, as Python)
    Reverse,      // []                              -> null
    Sort,         // [reverse(bool)]                 -> null | InvalidArgument (unorderable)
    Slice,        // [start|null, stop|null]         -> array (Python's clamping)
    SetSlice,     // [start|null, stop|null, array]  -> null
    DelSlice,     // [start|null, stop|null]         -> null
    // Dict, Namespace, List, Queue, JoinableQueue, Array (Len); Dict, Namespace, List (Clear)
    Len = 50,     // []                              -> int
    Clear,        // []                              -> null
    // Queue and JoinableQueue
    Put = 60,     // [value, timeoutNs]              -> null | Full | Timeout
    Take,         // [timeoutNs]                     -> value | Empty | Timeout
    TaskDone,     // []                              -> null | ValueError (JoinableQueue)
    Join,         // [timeoutNs]                     -> null | Timeout (JoinableQueue)
    // Lock, RLock, Semaphore, BoundedSemaphore, Condition (its lock)
    Acquire = 70, // [timeoutNs]                     Lock/RLock/Condition: 0 acquired,
                  //                                   1 previous owner died | Timeout;
                  //                                 Semaphore: true, false on timeout
    Release,      // [] (Semaphore: [n])             -> null | NotOwner | ValueError
    // Value; Semaphore (get_value)
    Load = 80,    // []                              -> value
    Store,        // [value]                         -> null
    // Event, Condition, Barrier
    Wait = 90,    // [timeoutNs] (Barrier: null = its own timeout)
                  //   Event     -> the flag (false: timed out)
                  //   Condition -> [notified, ownerDied] | NotOwner; the lock is held again
                  //   Barrier   -> arrival index 0..parties-1 | BrokenBarrier
    Notify,       // [n]                             -> null | NotOwner (Condition)
    NotifyAll,    // []                              -> null | NotOwner (Condition)
    // Event
    SetFlag = 100, // []                             -> null
    ClearFlag,    // []                              -> null
    IsSet,        // []                              -> bool
    // Barrier
    Abort = 110,  // []                              -> null
    Reset,        // []                              -> null
    BarrierState, // []                              -> [parties, nWaiting, broken]
};

// "sort", "acquire", ...; empty for a number that is no operation.
[[nodiscard]] std::string_view opName(Op op) noexcept;

// ---- frames of requests and replies ------------------------------------
// Each appends one whole frame (length and payload) to out, written in
// place: a call costs no value or buffer of its own beyond out, which the
// sender keeps from call to call. On failure out is as it was.

// Empties a buffer of frames for the next ones: it keeps its memory up to
// 64 KiB, so that a call allocates nothing, and lets go of more, so that
// one large request or reply does not pin its size for a connection's life.
void resetFrameBuffer(QByteArray &frames);

// [op, objectId, args...]; InvalidArgument for a value CBOR cannot carry,
// TooLarge over kMaxMessageBytes.
[[nodiscard]] Result<void> appendRequestFrame(QByteArray &out, Op op, std::int64_t objectId,
                                              std::initializer_list<QCborValue> args);
// [0, value]; as appendRequestFrame.
[[nodiscard]] Result<void> appendReplyFrame(QByteArray &out, const QCborValue &value);
// [int(code) + 1, message]
void appendErrorFrame(QByteArray &out, Errc code, std::string_view message);

// A request taken apart: its items [op, objectId, args...], each a value,
// in a buffer that the server reads every request into (no array is built
// and, once the buffer has grown, nothing is allocated for numbers). at()
// past the end is undefined, as QCborArray's.
class Request {
public:
    Request() = default;
    Request(const QCborArray &items); // NOLINT(google-explicit-constructor): a request made in-process

    // Corrupt, TooLarge: not a well-formed message (decodeCbor's errors);
    // InvalidArgument: well-formed, but not [op, objectId, ...] with two
    // integers.
    [[nodiscard]] Result<void> read(QByteArrayView payload);

    [[nodiscard]] qsizetype size() const noexcept { return qsizetype(m_items.size()); }
    [[nodiscard]] const QCborValue &at(qsizetype i) const noexcept;
    [[nodiscard]] Op op() const noexcept { return Op(at(0).toInteger()); }
    [[nodiscard]] std::int64_t objectId() const noexcept { return at(1).toInteger(); }

private:
    std::vector<QCborValue> m_items;
};

// A reply's payload taken apart. Every status fits CBOR's one-byte
// integers, so a reply starts with the two bytes 0x82 (an array of two)
// and its status; the value is the rest. Corrupt for anything else.
struct Reply {
    std::int64_t status = 0; // 0: success, else int(Errc) + 1
    QCborValue value;        // the result, or the error's message
};
[[nodiscard]] Result<Reply> readReply(QByteArrayView payload);

} // namespace ipc::manager
