#include "shared_value.h"

#include "posix_call.h"

#include <cerrno>
#include <ctime>

namespace ipc {

std::string_view elementTypeName(ElementType t) noexcept
{
    switch (t) {
    case ElementType::Int32: return "int32";
    case ElementType::Int64: return "int64";
    case ElementType::Double: return "double";
    case ElementType::Int16: return "int16";
    case ElementType::Char: return "char";
    }
    return "unknown";
}

char elementTypecode(ElementType t) noexcept
{
    switch (t) {
    case ElementType::Int16: return 'h';
    case ElementType::Int32: return 'i';
    case ElementType::Int64: return 'q';
    case ElementType::Double: return 'd';
    case ElementType::Char: return 'c';
    }
    return '?';
}

Result<ElementType> typecodeElement(char typecode)
{
    switch (typecode) {
    case 'h': return ElementType::Int16;
    case 'i': return ElementType::Int32;
    case 'l':
    case 'q': return ElementType::Int64;
    case 'd': return ElementType::Double;
    case 'c': return ElementType::Char;
    default: break;
    }
    const bool printable = typecode > ' ' && typecode < 127;
    return fail(Errc::InvalidArgument, "typecode " + (printable ? "'" + std::string(1, typecode) + "'"
                                                                : "0x" + std::to_string(int(static_cast<unsigned char>(typecode)))) +
                                           " is not one of 'h' 'i' 'l' 'q' 'd' 'c'");
}

void sleepMicroseconds(std::uint32_t us) noexcept
{
    timespec ts{time_t(us / 1'000'000u), long(us % 1'000'000u) * 1000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

void pauseMicroseconds(std::uint32_t us) noexcept
{
    const std::uint64_t until = monotonicNs() + std::uint64_t(us) * 1000u;
    while (monotonicNs() < until) __builtin_ia32_pause();
}

} // namespace ipc
