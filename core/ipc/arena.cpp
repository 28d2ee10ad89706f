#include "arena.h"

#include <cstring>

namespace ipc {

std::string_view objectKindName(ObjectKind kind) noexcept
{
    switch (kind) {
    case ObjectKind::Free: return "Free";
    case ObjectKind::Raw: return "Raw";
    case ObjectKind::Board: return "Board";
    case ObjectKind::Control: return "Control";
    case ObjectKind::Lock: return "Lock";
    case ObjectKind::RLock: return "RLock";
    case ObjectKind::Semaphore: return "Semaphore";
    case ObjectKind::Event: return "Event";
    case ObjectKind::Condition: return "Condition";
    case ObjectKind::Barrier: return "Barrier";
    case ObjectKind::Value: return "Value";
    case ObjectKind::Array: return "Array";
    case ObjectKind::Queue: return "Queue";
    case ObjectKind::JoinableQueue: return "JoinableQueue";
    case ObjectKind::PipeStats: return "PipeStats";
    case ObjectKind::Scenario: return "Scenario";
    case ObjectKind::Manager: return "Manager";
    case ObjectKind::BlockNote: return "SharedMemory";
    case ObjectKind::RawValue: return "RawValue";
    case ObjectKind::RawArray: return "RawArray";
    case ObjectKind::SimpleQueue: return "SimpleQueue";
    case ObjectKind::Trace: return "Trace";
    }
    return "Unknown";
}

namespace {

constexpr std::size_t alignUp(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }
constexpr std::size_t kHeaderBytes = alignUp(sizeof(ArenaHeader), Arena::kObjectAlign);

} // namespace

Result<Arena> Arena::format(SharedMemory segment)
{
    if (segment.size() < kHeaderBytes + kObjectAlign)
        return fail(Errc::InvalidArgument, "arena size " + std::to_string(segment.size()) +
                                               " is smaller than its header (" +
                                               std::to_string(kHeaderBytes + kObjectAlign) +
                                               " bytes)");
    auto *h = ::new (segment.data()) ArenaHeader{};
    h->magic = ArenaHeader::kMagic;
    h->version = ArenaHeader::kVersion;
    h->headerSize = std::uint32_t(kHeaderBytes);
    h->size = segment.size();
    h->used.store(kHeaderBytes, std::memory_order_relaxed);
    h->count.store(0, std::memory_order_release);
    return Arena(std::move(segment));
}

Result<Arena> Arena::create(std::size_t size)
{
    auto seg = SharedMemory::anonymous(size, "ipc-arena");
    if (!seg) return std::unexpected(seg.error());
    return format(std::move(*seg));
}

Result<Arena> Arena::createNamed(std::string_view name, std::size_t size)
{
    auto seg = SharedMemory::create(name, size);
    if (!seg) return std::unexpected(seg.error());
    auto arena = format(std::move(*seg));
    if (!arena) (void)SharedMemory::unlink(name);
    return arena;
}

Result<Arena> Arena::attachFd(int fd)
{
    auto seg = SharedMemory::fromFd(fd);
    if (!seg) return std::unexpected(seg.error());
    return adopt(std::move(*seg));
}

Result<Arena> Arena::attachNamed(std::string_view name)
{
    auto seg = SharedMemory::open(name);
    if (!seg) return std::unexpected(seg.error());
    return adopt(std::move(*seg));
}

Result<Arena> Arena::adopt(SharedMemory segment)
{
    const std::string where =
        segment.name().empty() ? std::string("arena") : "arena '" + segment.name() + "'";
    if (segment.size() < sizeof(ArenaHeader))
        return fail(Errc::Corrupt, where + ": segment of " + std::to_string(segment.size()) +
                                       " bytes is too small to hold an arena header");
    const auto *h = static_cast<const ArenaHeader *>(segment.data());
    if (h->magic != ArenaHeader::kMagic)
        return fail(Errc::Corrupt, where + ": bad magic (not an ipc-playground arena)");
    if (h->version != ArenaHeader::kVersion)
        return fail(Errc::Corrupt, where + ": layout version " + std::to_string(h->version) +
                                       ", this program reads version " +
                                       std::to_string(ArenaHeader::kVersion));
    if (h->headerSize != kHeaderBytes)
        return fail(Errc::Corrupt, where + ": header size " + std::to_string(h->headerSize) +
                                       " differs from " + std::to_string(kHeaderBytes));
    if (h->size != segment.size())
        return fail(Errc::Corrupt, where + ": header says " + std::to_string(h->size) +
                                       " bytes but the segment has " +
                                       std::to_string(segment.size()));
    const std::uint64_t used = h->used.load(std::memory_order_acquire);
    if (used < kHeaderBytes || used > h->size)
        return fail(Errc::Corrupt, where + ": used size " + std::to_string(used) +
                                       " is outside the segment");
    const std::uint32_t count = h->count.load(std::memory_order_acquire);
    if (count > ArenaHeader::kMaxObjects)
        return fail(Errc::Corrupt, where + ": directory claims " + std::to_string(count) +
                                       " objects, at most " +
                                       std::to_string(ArenaHeader::kMaxObjects) + " fit");
    for (std::uint32_t i = 0; i < count; ++i) {
        const DirectoryEntry &e = h->entries[i];
        if (std::memchr(e.name, '\0', sizeof e.name) == nullptr)
            return fail(Errc::Corrupt, where + ": directory entry " + std::to_string(i) +
                                           " has an unterminated name");
        if (e.offset < kHeaderBytes || e.size > used || e.offset > used - e.size)
            return fail(Errc::Corrupt, where + ": object '" + std::string(e.name) +
                                           "' lies outside the used part of the arena");
    }
    return Arena(std::move(segment));
}

Result<std::uint64_t> Arena::allocate(std::string_view name, ObjectKind kind, std::size_t size)
{
    if (name.empty() || name.size() >= DirectoryEntry::kNameSize)
        return fail(Errc::InvalidArgument, "object name '" + std::string(name) + "' must have 1 to " +
                                               std::to_string(DirectoryEntry::kNameSize - 1) +
                                               " characters");
    if (size == 0) return fail(Errc::InvalidArgument, "object '" + std::string(name) + "' has size 0");
    if (lookup(name)) return fail(Errc::AlreadyExists, "object '" + std::string(name) + "' exists");
    ArenaHeader *h = header();
    const std::uint32_t count = h->count.load(std::memory_order_relaxed);
    if (count >= ArenaHeader::kMaxObjects)
        return fail(Errc::Full, "arena directory is full (" +
                                    std::to_string(ArenaHeader::kMaxObjects) + " objects)");
    const std::uint64_t offset = h->used.load(std::memory_order_relaxed);
    const std::size_t bytes = alignUp(size, kObjectAlign);
    if (bytes < size || bytes > h->size - offset)
        return fail(Errc::TooLarge, "object '" + std::string(name) + "' needs " +
                                        std::to_string(size) + " bytes, the arena has " +
                                        std::to_string(h->size - offset) + " left");
    DirectoryEntry &e = h->entries[count];
    std::memset(&e, 0, sizeof e);
    std::memcpy(e.name, name.data(), name.size());
    e.kind = kind;
    e.offset = offset;
    e.size = bytes;
    h->used.store(offset + bytes, std::memory_order_relaxed);
    // Publish last: a reader that sees the count sees a complete entry.
    h->count.store(count + 1, std::memory_order_release);
    return offset;
}

Result<const DirectoryEntry *> Arena::lookup(std::string_view name) const
{
    if (!isValid()) return fail(Errc::InvalidArgument, "arena is not attached");
    const ArenaHeader *h = header();
    const std::uint32_t count = h->count.load(std::memory_order_acquire);
    for (std::uint32_t i = 0; i < count; ++i)
        if (name == std::string_view(h->entries[i].name)) return &h->entries[i];
    return fail(Errc::NotFound, "no object named '" + std::string(name) + "' in the arena");
}

std::uint32_t Arena::indexOf(const void *object) const noexcept
{
    const auto *p = static_cast<const std::byte *>(object);
    if (!isValid() || p < base()) return kNoObject;
    const auto off = std::uint64_t(p - base());
    const ArenaHeader *h = header();
    const std::uint32_t count = h->count.load(std::memory_order_acquire);
    for (std::uint32_t i = 0; i < count; ++i)
        if (off >= h->entries[i].offset && off < h->entries[i].offset + h->entries[i].size)
            return i;
    return kNoObject;
}

std::span<const DirectoryEntry> Arena::objects() const noexcept
{
    if (!isValid()) return {};
    const ArenaHeader *h = header();
    return {h->entries, h->count.load(std::memory_order_acquire)};
}

std::size_t Arena::used() const noexcept
{
    return isValid() ? std::size_t(header()->used.load(std::memory_order_relaxed)) : 0;
}

} // namespace ipc
