#include "shared_memory_block.h"

#include <chrono>
#include <new>
#include <unistd.h>

namespace ipc {

namespace {

std::string plainName(std::string_view name)
{
    if (!name.empty() && name.front() == '/') name.remove_prefix(1);
    return std::string(name);
}

std::string typeText(std::uint32_t type)
{
    if (type == 0) return "untyped bytes";
    return std::string(elementTypeName(ElementType(type)));
}

} // namespace

Result<SharedMemoryBlock> SharedMemoryBlock::create(std::string_view name, std::size_t bytes)
{
    if (bytes == 0) return fail(Errc::InvalidArgument, "block '" + plainName(name) + "' needs at least 1 byte");
    if (bytes > kMaxBytes)
        return fail(Errc::TooLarge, "block '" + plainName(name) + "' of " + std::to_string(bytes) +
                                        " bytes exceeds the limit of " + std::to_string(kMaxBytes));
    auto segment = SharedMemory::create(name, kHeaderBytes + bytes);
    if (!segment) return std::unexpected(segment.error());
    auto *h = ::new (segment->data()) BlockHeader{};
    h->magic = BlockHeader::kMagic;
    h->version = BlockHeader::kVersion;
    h->headerSize = std::uint32_t(kHeaderBytes);
    h->capacity = bytes;
    h->count.store(0, std::memory_order_relaxed);
    h->attached.store(0, std::memory_order_relaxed);
    h->elementType.store(0, std::memory_order_release);
    return SharedMemoryBlock(std::move(*segment), plainName(name), true);
}

Result<SharedMemoryBlock> SharedMemoryBlock::attach(std::string_view name)
{
    auto segment = SharedMemory::open(name);
    if (!segment) {
        if (segment.error().code == Errc::NotFound)
            return fail(Errc::NotFound, "no shared-memory block named '" + plainName(name) +
                                            "' (never created, or already unlinked)");
        return std::unexpected(segment.error());
    }
    const std::string where = "block '" + plainName(name) + "'";
    if (segment->size() < kHeaderBytes)
        return fail(Errc::Corrupt, where + ": segment of " + std::to_string(segment->size()) +
                                       " bytes is too small for a block header");
    const auto *h = static_cast<const BlockHeader *>(segment->data());
    if (h->magic != BlockHeader::kMagic)
        return fail(Errc::Corrupt, where + ": bad magic (a segment, but not an ipc-playground block)");
    if (h->version != BlockHeader::kVersion)
        return fail(Errc::Corrupt, where + ": layout version " + std::to_string(h->version) +
                                       ", this program reads version " +
                                       std::to_string(BlockHeader::kVersion));
    if (h->headerSize != kHeaderBytes)
        return fail(Errc::Corrupt, where + ": header size " + std::to_string(h->headerSize) +
                                       " differs from " + std::to_string(kHeaderBytes));
    if (h->capacity == 0 || h->capacity > segment->size() - kHeaderBytes)
        return fail(Errc::Corrupt, where + ": header claims " + std::to_string(h->capacity) +
                                       " payload bytes, the segment holds " +
                                       std::to_string(segment->size() - kHeaderBytes));
    const std::uint32_t type = h->elementType.load(std::memory_order_acquire);
    if (type > std::uint32_t(ElementType::Double))
        return fail(Errc::Corrupt, where + ": unknown element type " + std::to_string(type));
    if (type != 0) {
        const std::size_t elementSize = ElementType(type) == ElementType::Int32 ? 4 : 8;
        const std::uint64_t count = h->count.load(std::memory_order_relaxed);
        if (count > h->capacity / elementSize)
            return fail(Errc::Corrupt, where + ": " + std::to_string(count) + " " + typeText(type) +
                                           " elements do not fit in " +
                                           std::to_string(h->capacity) + " bytes");
    }
    auto *mutableHeader = static_cast<BlockHeader *>(segment->data());
    mutableHeader->attached.fetch_add(1, std::memory_order_acq_rel);
    return SharedMemoryBlock(std::move(*segment), plainName(name), false);
}

Result<void> SharedMemoryBlock::unlink(std::string_view name)
{
    auto r = SharedMemory::unlink(name);
    if (!r && r.error().code == Errc::NotFound)
        return fail(Errc::NotFound, "block '" + plainName(name) + "' is not linked (already unlinked?)");
    return r;
}

SharedMemoryBlock::SharedMemoryBlock(SharedMemoryBlock &&other) noexcept
    : m_segment(std::move(other.m_segment)), m_name(std::move(other.m_name)),
      m_ownsName(std::exchange(other.m_ownsName, false))
{}

SharedMemoryBlock &SharedMemoryBlock::operator=(SharedMemoryBlock &&other) noexcept
{
    if (this != &other) {
        release();
        m_segment = std::move(other.m_segment);
        m_name = std::move(other.m_name);
        m_ownsName = std::exchange(other.m_ownsName, false);
    }
    return *this;
}

SharedMemoryBlock::~SharedMemoryBlock() { release(); }

void SharedMemoryBlock::release() noexcept
{
    // The creator's guarantee: an error path between create and unlink
    // does not leave the name behind. NotFound (already unlinked) is fine.
    if (m_ownsName && !m_name.empty()) (void)SharedMemory::unlink(m_name);
    m_ownsName = false;
    m_segment = SharedMemory();
}

std::span<std::byte> SharedMemoryBlock::bytes() const noexcept
{
    if (!isOpen()) return {};
    return {payload(), std::size_t(header()->capacity)};
}

std::size_t SharedMemoryBlock::capacity() const noexcept
{
    return isOpen() ? std::size_t(header()->capacity) : 0;
}

ElementType SharedMemoryBlock::elementType() const noexcept
{
    return isOpen() ? ElementType(header()->elementType.load(std::memory_order_acquire))
                    : ElementType(0);
}

std::size_t SharedMemoryBlock::count() const noexcept
{
    return isOpen() ? std::size_t(header()->count.load(std::memory_order_relaxed)) : 0;
}

std::uint32_t SharedMemoryBlock::attachedCount() const noexcept
{
    return isOpen() ? header()->attached.load(std::memory_order_acquire) : 0;
}

Result<void> SharedMemoryBlock::waitForAttached(std::uint32_t n, Duration timeout) const
{
    if (!isOpen()) return fail(Errc::Closed, "block '" + m_name + "' is closed");
    const Deadline deadline(timeout);
    while (attachedCount() < n) {
        if (deadline.expired())
            return fail(Errc::Timeout, "block '" + m_name + "': " + std::to_string(attachedCount()) +
                                           " of " + std::to_string(n) + " processes attached in time");
        usleep(1000);
    }
    return {};
}

Result<void> SharedMemoryBlock::stampType(ElementType type, std::size_t elementSize,
                                          std::size_t n)
{
    if (!isOpen()) return fail(Errc::Closed, "block '" + m_name + "' is closed");
    BlockHeader *h = header();
    const std::uint32_t current = h->elementType.load(std::memory_order_acquire);
    if (current != 0) {
        if (current == std::uint32_t(type) && h->count.load(std::memory_order_relaxed) == n)
            return {};
        return fail(Errc::InvalidArgument,
                    "block '" + m_name + "' already holds " +
                        std::to_string(h->count.load(std::memory_order_relaxed)) + " " +
                        typeText(current) + " elements");
    }
    if (n == 0) return fail(Errc::InvalidArgument, "block '" + m_name + "': element count is 0");
    if (n > h->capacity / elementSize)
        return fail(Errc::TooLarge, "block '" + m_name + "': " + std::to_string(n) + " " +
                                        typeText(std::uint32_t(type)) + " elements need " +
                                        std::to_string(n * elementSize) + " bytes, it has " +
                                        std::to_string(h->capacity));
    h->count.store(n, std::memory_order_relaxed);
    // Publish the type last: a reader that sees it sees the count.
    h->elementType.store(std::uint32_t(type), std::memory_order_release);
    return {};
}

Result<void> SharedMemoryBlock::checkView(ElementType type) const
{
    if (!isOpen()) return fail(Errc::Closed, "block '" + m_name + "' is closed");
    const std::uint32_t current = header()->elementType.load(std::memory_order_acquire);
    if (current == std::uint32_t(type)) return {};
    return fail(Errc::InvalidArgument, "block '" + m_name + "' holds " + typeText(current) +
                                           ", not " + typeText(std::uint32_t(type)) +
                                           (current == 0 ? " (setType it first)" : ""));
}

void SharedMemoryBlock::close() noexcept
{
    // Python's close(): this process lets go; the name is untouched, and the
    // creator keeps its duty to unlink (see the header).
    m_segment = SharedMemory();
}

Result<void> SharedMemoryBlock::unlink()
{
    if (m_name.empty()) return fail(Errc::InvalidArgument, "block has no name");
    m_ownsName = false;
    return unlink(m_name);
}

} // namespace ipc
