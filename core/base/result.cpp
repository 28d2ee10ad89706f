#include "result.h"

#include <cstring>

namespace ipc {

std::string_view errcName(Errc code) noexcept
{
    switch (code) {
    case Errc::Full: return "Full";
    case Errc::Empty: return "Empty";
    case Errc::Timeout: return "Timeout";
    case Errc::Closed: return "Closed";
    case Errc::EndOfFile: return "EndOfFile";
    case Errc::BrokenBarrier: return "BrokenBarrier";
    case Errc::OwnerDied: return "OwnerDied";
    case Errc::NotOwner: return "NotOwner";
    case Errc::WouldDeadlock: return "WouldDeadlock";
    case Errc::NotFound: return "NotFound";
    case Errc::AlreadyExists: return "AlreadyExists";
    case Errc::InvalidArgument: return "InvalidArgument";
    case Errc::TooLarge: return "TooLarge";
    case Errc::Corrupt: return "Corrupt";
    case Errc::ValueError: return "ValueError";
    case Errc::AuthenticationFailed: return "AuthenticationFailed";
    case Errc::System: return "System";
    }
    return "Unknown";
}

std::string Error::toString() const
{
    std::string s(errcName(code));
    if (!message.empty()) {
        s += ": ";
        s += message;
    }
    return s;
}

std::unexpected<Error> failErrno(std::string_view what, int err)
{
    std::string msg(what);
    msg += ": ";
    msg += std::strerror(err);
    Errc code = Errc::System;
    if (err == ENOENT) code = Errc::NotFound;
    else if (err == EEXIST) code = Errc::AlreadyExists;
    else if (err == EINVAL || err == ENAMETOOLONG) code = Errc::InvalidArgument;
    return fail(code, std::move(msg));
}

} // namespace ipc
