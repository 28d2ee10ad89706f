// SharedMemoryBlock: Python's multiprocessing.shared_memory.SharedMemory --
// a named block of bytes that unrelated processes attach by name and view as
// an array (Python: np.ndarray(shape, dtype, buffer=shm.buf)).
//
// Unlike Python's raw buffer, the block starts with a small header that
// records what the bytes are, so that a process viewing the block as the
// wrong element type, or attaching a segment that is not a block at all, is
// refused instead of misreading memory.
//
// Layout (offsets from the start of the segment, which is page-aligned):
//
//   0   BlockHeader (64 bytes)
//         magic       u64  "IPCSHMBK" (kMagic); anything else -> Corrupt
//         version     u32  kVersion; another layout -> Corrupt
//         headerSize  u32  64
//         capacity    u64  payload bytes; header + capacity <= segment size
//         elementType u32  0 = untyped bytes, else ElementType (int32, int64, double)
//         reserved    u32
//         count       u64  elements; count * sizeof(element) <= capacity
//         attached    u32  atomic: attach() calls so far (see "Cleanup")
//         padding ...
//   64  payload: capacity bytes, aligned for every element type
//
// Calls and errors (every call returns a value, none throws):
//   create(name, bytes)        AlreadyExists (name collision), InvalidArgument
//                              (name, zero size), TooLarge
//   createArray<T>(name, n)    the same, typed from the start
//   attach(name)               NotFound (never created, or unlinked),
//                              Corrupt (not a block, or a damaged header)
//   view<T>()                  InvalidArgument (the block holds another
//                              element type or untyped bytes), Closed
//   setType<T>(n)              types an untyped block once (creator, before
//                              handing the name out); InvalidArgument if it is
//                              already typed differently, TooLarge if n does
//                              not fit
//   close()                    unmaps (Python's close); the object is then
//                              Closed for every call; idempotent
//   unlink()/unlink(name)      removes the name (Python's unlink); existing
//                              mappings stay valid; NotFound the second time
//
// Processes: any process may create, attach, view, close, unlink. A block
// object is not meant to be shared between threads. The bytes themselves
// have no lock: disjoint chunks need none (the SharedMemory lesson); anything
// else brings its own synchronisation.
//
// Cleanup. A named segment outlives every process that maps it until it is
// unlinked; if the creating process is SIGKILLed it never runs a destructor
// and the name stays in /dev/shm. Three things keep that from happening:
//   1. The creator should unlink as soon as every process that needs the
//      block has attached (waitForAttached(n, timeout) counts attach() calls
//      in the header). After that the memory lives exactly as long as its
//      mappings: a SIGKILL of anyone leaks nothing. The scenario and the
//      tests do this.
//   2. The creating object owns the name: destroying it unlinks the name if
//      it is still linked (an early return or an error path cannot leak).
//      Attached objects never unlink on destruction.
//   3. Only between create() and the last attach can a SIGKILL of the
//      creator leak the name; names from the scenario carry the creator's
//      pid ("ipc-shm-<pid>-..."), so a leftover is traceable.
#pragma once

#include "arena.h"
#include "result.h"
#include "shared_memory.h"
#include "shared_value.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ipc {

struct BlockHeader {
    static constexpr std::uint64_t kMagic = 0x4b424d4853435049ull; // "IPCSHMBK" little-endian
    static constexpr std::uint32_t kVersion = 1;

    std::uint64_t magic;
    std::uint32_t version;
    std::uint32_t headerSize;
    std::uint64_t capacity;
    std::atomic<std::uint32_t> elementType; // 0 = untyped
    std::uint32_t reserved;
    std::atomic<std::uint64_t> count;
    std::atomic<std::uint32_t> attached;
    std::uint8_t padding[20];
};
static_assert(sizeof(BlockHeader) == 64, "the payload starts at 64: keep the header one cache line");

// BlockNote: a run's record, in its arena, of a named block its processes
// use. The block is a segment of its own, outside the arena; the note lets
// the window draw it (and the processes that use it) like any shared
// object. Written by the engine that created the block, read lock-free.
struct BlockNote {
    static constexpr ObjectKind kKind = ObjectKind::BlockNote;
    static constexpr std::size_t kSegmentSize = 64;

    std::uint32_t objectIndex = kNoObject;
    char segment[kSegmentSize]{}; // the name processes attach, NUL-terminated (cut if longer)
    std::uint64_t count = 0;      // elements
    std::atomic<std::uint32_t> attached{0}; // processes attached so far
    std::atomic<std::uint32_t> unlinked{0}; // 1 once the name is gone from /dev/shm

    BlockNote(std::string_view name, std::uint64_t elements) noexcept : count(elements)
    {
        name.copy(segment, std::min(name.size(), kSegmentSize - 1));
    }
};

class SharedMemoryBlock {
public:
    static constexpr std::size_t kHeaderBytes = sizeof(BlockHeader);
    static constexpr std::size_t kMaxBytes = SharedMemory::kMaxSize - kHeaderBytes;

    [[nodiscard]] static Result<SharedMemoryBlock> create(std::string_view name, std::size_t bytes);
    template <SharedScalar T>
    [[nodiscard]] static Result<SharedMemoryBlock> createArray(std::string_view name,
                                                               std::size_t count)
    {
        if (count == 0) return fail(Errc::InvalidArgument, "array block needs at least one element");
        if (count > kMaxBytes / sizeof(T))
            return fail(Errc::TooLarge, std::to_string(count) + " elements exceed the block limit");
        auto block = create(name, count * sizeof(T));
        if (!block) return block;
        if (auto typed = block->setType<T>(count); !typed) return std::unexpected(typed.error());
        return block;
    }
    [[nodiscard]] static Result<SharedMemoryBlock> attach(std::string_view name);
    [[nodiscard]] static Result<void> unlink(std::string_view name);

    SharedMemoryBlock() = default;
    SharedMemoryBlock(SharedMemoryBlock &&other) noexcept;
    SharedMemoryBlock &operator=(SharedMemoryBlock &&other) noexcept;
    SharedMemoryBlock(const SharedMemoryBlock &) = delete;
    SharedMemoryBlock &operator=(const SharedMemoryBlock &) = delete;
    ~SharedMemoryBlock();

    // The payload as bytes (Python's buf); empty once closed.
    [[nodiscard]] std::span<std::byte> bytes() const noexcept;
    [[nodiscard]] std::size_t capacity() const noexcept; // payload bytes; 0 once closed
    [[nodiscard]] ElementType elementType() const noexcept; // ElementType(0) if untyped
    [[nodiscard]] bool typed() const noexcept { return std::uint32_t(elementType()) != 0; }
    [[nodiscard]] std::size_t count() const noexcept;
    [[nodiscard]] const std::string &name() const noexcept { return m_name; }
    [[nodiscard]] bool isOpen() const noexcept { return m_segment.isValid(); }
    [[nodiscard]] bool ownsName() const noexcept { return m_ownsName; }
    // How many attach() calls the block has seen (the creator's is not one).
    [[nodiscard]] std::uint32_t attachedCount() const noexcept;
    // Waits until attachedCount() >= n; Timeout otherwise (polls every ms).
    [[nodiscard]] Result<void> waitForAttached(std::uint32_t n, Duration timeout) const;

    template <SharedScalar T>
    [[nodiscard]] Result<void> setType(std::size_t count)
    {
        return stampType(elementTypeOf<T>(), sizeof(T), count);
    }
    template <SharedScalar T>
    [[nodiscard]] Result<std::span<T>> view() const
    {
        auto ok = checkView(elementTypeOf<T>());
        if (!ok) return std::unexpected(ok.error());
        return std::span<T>(reinterpret_cast<T *>(payload()), count());
    }

    // Unmaps; the name stays (Python's close). Idempotent.
    void close() noexcept;
    // Removes the name (Python's unlink). The mapping stays usable.
    [[nodiscard]] Result<void> unlink();

private:
    SharedMemoryBlock(SharedMemory segment, std::string name, bool ownsName) noexcept
        : m_segment(std::move(segment)), m_name(std::move(name)), m_ownsName(ownsName)
    {}
    [[nodiscard]] BlockHeader *header() const noexcept
    {
        return static_cast<BlockHeader *>(m_segment.data());
    }
    [[nodiscard]] std::byte *payload() const noexcept
    {
        return static_cast<std::byte *>(m_segment.data()) + kHeaderBytes;
    }
    [[nodiscard]] Result<void> stampType(ElementType type, std::size_t elementSize,
                                         std::size_t count);
    [[nodiscard]] Result<void> checkView(ElementType type) const;
    void release() noexcept;

    SharedMemory m_segment;
    std::string m_name;     // as given, without a leading '/'
    bool m_ownsName = false; // the creator: unlink on destruction if still linked
};

} // namespace ipc
