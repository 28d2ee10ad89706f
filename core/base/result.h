// Errors are values: every fallible core call returns Result<T>.
//
// Result<T> is std::expected<T, Error>, marked [[nodiscard]] so that an
// ignored failure is a compiler warning. Error carries a code a program can
// branch on and a sentence a person can read ("what and where").
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace ipc {

enum class Errc {
    Full,            // non-blocking put on a full queue
    Empty,           // non-blocking get on an empty queue
    Timeout,         // a blocking call ran out of time
    Closed,          // the object (queue, connection) was closed
    EndOfFile,       // every writer of a pipe has gone
    BrokenBarrier,   // the barrier was aborted or reset while waiting
    OwnerDied,       // a lock holder died (only where it is a failure, see Lock)
    NotOwner,        // releasing a lock this process does not hold
    WouldDeadlock,   // acquiring a non-recursive lock this process already holds
    NotFound,        // no segment / object of that name
    AlreadyExists,   // create-only on a name that exists
    InvalidArgument, // bad argument: a name, a count, a size
    TooLarge,        // message or segment over its limit
    Corrupt,         // foreign or damaged shared memory, malformed bytes
    ValueError,      // over-release of a bounded semaphore, task_done too often
    AuthenticationFailed, // the peer does not hold the same authentication key
    System,          // an OS call failed; the message has errno's text
};

[[nodiscard]] std::string_view errcName(Errc code) noexcept;

struct Error {
    Errc code;
    std::string message;

    // "Timeout: lock 'counter' not acquired within 100 ms"
    [[nodiscard]] std::string toString() const;
};

template <class T = void>
class [[nodiscard]] Result : public std::expected<T, Error> {
public:
    using std::expected<T, Error>::expected;
    Result(const std::expected<T, Error> &e) : std::expected<T, Error>(e) {}
    Result(std::expected<T, Error> &&e) : std::expected<T, Error>(std::move(e)) {}
};

[[nodiscard]] inline std::unexpected<Error> fail(Errc code, std::string message)
{
    return std::unexpected<Error>(Error{code, std::move(message)});
}

// An OS failure with errno's text: fail(Errc::System, "open /x: No such file").
[[nodiscard]] std::unexpected<Error> failErrno(std::string_view what, int err);

} // namespace ipc
