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
// Requests and replies are CBOR (encodeMessage / decodeMessage):
//   request  [op, objectId, args...]     op: Op below; objectId 0 for Open,
//                                        Ping and Shutdown
//   reply    [0, value]                  success (value null when none)
//            [errc, "message"]           failure; errc = int(Errc) + 1
// One request is outstanding per connection at a time; replies come in
// order. A request that must wait (Lock acquire, Queue get on an empty
// queue, put on a full one) is parked at the server and answered when it
// can proceed or its timeout (ns, -1 = forever, 0 = no wait) runs out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

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
enum class Kind : std::int64_t { Dict = 1, List, Namespace, Queue, Lock, Value };

[[nodiscard]] std::string_view kindName(Kind kind) noexcept;

enum class Op : std::int64_t {
    Ping = 1,     // []                              -> null
    Shutdown,     // []                              -> null; the server then exits
    Open,         // [kind, name, arg]               -> objectId (get or create by name;
                  //                                    arg: Queue maxsize, Value initial)
    // Dict and Namespace (keys of a Namespace are strings)
    Get = 10,     // [key]                           -> value | NotFound
    GetOr,        // [key, default]                  -> value or default
    Set,          // [key, value]                    -> null
    Pop,          // [key]                           -> removed value | NotFound
    Contains,     // [key]                           -> bool
    Keys,         // []                              -> array
    Items,        // []                              -> map
    Update,       // [map]                           -> null
    // List
    Append = 30,  // [value]                         -> null
    At,           // [index] (negative from the end) -> value | InvalidArgument
    SetAt,        // [index, value]                  -> null
    PopAt,        // [index]                         -> value
    Extend,       // [array]                         -> null
    All,          // []                              -> array
    // Dict, Namespace, List, Queue
    Len = 50,     // []                              -> int
    Clear,        // []                              -> null
    // Queue
    Put = 60,     // [value, timeoutNs]              -> null | Full | Timeout
    Take,         // [timeoutNs]                     -> value | Empty | Timeout
    // Lock
    Acquire = 70, // [timeoutNs]                     -> 0 acquired, 1 previous owner died
    Release,      // []                              -> null | NotOwner
    // Value
    Load = 80,    // []                              -> value
    Store,        // [value]                         -> null
};

} // namespace ipc::manager
