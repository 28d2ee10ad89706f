// Arena: one shared-memory segment per scenario run, holding every shared
// object of that run (locks, values, arrays, queues, the telemetry board, the
// control block) by offset, never by pointer, so that every process may map
// it at a different address.
//
// Layout (all offsets from the start of the segment):
//
//   0                       ArenaHeader
//     magic      u64        "IPCARENA" (kMagic); anything else is refused
//     version    u32        kVersion; a different layout is refused
//     headerSize u32        sizeof(ArenaHeader) of the creator
//     size       u64        bytes in the segment; must equal the mapping
//     used       u64        bump pointer: first free byte (>= headerSize)
//     count      u32        directory entries in use (<= kMaxObjects)
//     entries[kMaxObjects]  DirectoryEntry { name[48], kind, offset, size }
//   headerSize ...          objects, each aligned to kObjectAlign (64, one
//                           cache line, so neighbours never false-share)
//   ... size                free space
//
// Creation and lookup: the creating process (the engine) makes every object
// before it hands the arena to its workers; make() is not safe against a
// concurrent make() in another process. find() is safe from any process at
// any time once the creator is done. Objects live as long as the segment:
// there is no free.
//
// Attaching validates the header (magic, version, size, bounds of every
// entry) and reports a foreign or damaged segment as Errc::Corrupt with the
// field at fault, never by crashing.
#pragma once

#include "result.h"
#include "shared_memory.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace ipc {

// What a directory entry holds; find<T>() checks it against T::kKind.
enum class ObjectKind : std::uint32_t {
    Free = 0,
    Raw,
    Board,
    Control,
    Lock,
    RLock,
    Semaphore,
    Event,
    Condition,
    Barrier,
    Value,
    Array,
    Queue,
    JoinableQueue,
    PipeStats,
    Scenario, // per-run extras an engine keeps for itself
    Manager,  // a manager server's address, key and telemetry (manager/manager_info.h)
    BlockNote, // the arena's record of a named SharedMemory block (shared_memory_block.h)
    RawValue,  // a Value without a lock (shared_value.h)
    RawArray,  // an Array without a lock
    SimpleQueue, // a Queue with Python's SimpleQueue's members only (queue.h)
    Trace,       // one event ring per process of a traced run (trace.h)
};

[[nodiscard]] std::string_view objectKindName(ObjectKind kind) noexcept;

inline constexpr std::uint32_t kNoObject = 0xffffffffu;

struct DirectoryEntry {
    static constexpr std::size_t kNameSize = 48;
    char name[kNameSize]; // NUL-terminated
    ObjectKind kind;
    std::uint32_t reserved;
    std::uint64_t offset;
    std::uint64_t size;
};

struct ArenaHeader {
    static constexpr std::uint64_t kMagic = 0x414e455241435049ull; // "IPCARENA" little-endian
    static constexpr std::uint32_t kVersion = 1;
    static constexpr std::uint32_t kMaxObjects = 64;

    std::uint64_t magic;
    std::uint32_t version;
    std::uint32_t headerSize;
    std::uint64_t size;
    std::atomic<std::uint64_t> used;
    std::atomic<std::uint32_t> count;
    std::uint32_t reserved;
    DirectoryEntry entries[kMaxObjects];
};

class Arena {
public:
    static constexpr std::size_t kObjectAlign = 64;
    static constexpr std::size_t kDefaultSize = std::size_t(8) << 20;

    // A new anonymous arena (memfd); workers attach with attachFd().
    [[nodiscard]] static Result<Arena> create(std::size_t size = kDefaultSize);
    // A new named arena (for attach by name); the caller unlinks it.
    [[nodiscard]] static Result<Arena> createNamed(std::string_view name, std::size_t size);
    [[nodiscard]] static Result<Arena> attachFd(int fd);
    [[nodiscard]] static Result<Arena> attachNamed(std::string_view name);
    // Validates an already mapped segment (used by the attach calls; public for tests).
    [[nodiscard]] static Result<Arena> adopt(SharedMemory segment);

    Arena() = default;
    Arena(Arena &&) noexcept = default;
    Arena &operator=(Arena &&) noexcept = default;

    // Reserve size bytes under name; returns the offset. AlreadyExists,
    // TooLarge (arena full), InvalidArgument (name), Full (directory).
    [[nodiscard]] Result<std::uint64_t> allocate(std::string_view name, ObjectKind kind,
                                                 std::size_t size);
    [[nodiscard]] Result<const DirectoryEntry *> lookup(std::string_view name) const;

    // Construct a T in the arena. T declares `static constexpr ObjectKind
    // kKind`, and either is sized by sizeof(T) or declares
    // `static std::size_t bytesFor(Args...)` for trailing storage; such a
    // T also declares `static Result<void> checkArguments(Args...)`, which
    // refuses a length over its limit before bytesFor's arithmetic could
    // overflow.
    template <class T, class... Args>
    [[nodiscard]] Result<T *> make(std::string_view name, Args &&...args)
    {
        static_assert(alignof(T) <= kObjectAlign);
        if constexpr (requires { T::checkArguments(args...); })
            if (auto ok = T::checkArguments(args...); !ok) return std::unexpected(ok.error());
        std::size_t bytes = sizeof(T);
        if constexpr (requires { T::bytesFor(args...); }) bytes = T::bytesFor(args...);
        auto off = allocate(name, T::kKind, bytes);
        if (!off) return std::unexpected(off.error());
        T *object = ::new (base() + *off) T(std::forward<Args>(args)...);
        // Objects that report telemetry learn their directory index, so a
        // board slot can say "blocked on object #3".
        const std::uint32_t index = header()->count.load(std::memory_order_relaxed) - 1;
        if constexpr (requires { object->setObjectIndex(index); })
            object->setObjectIndex(index); // it has parts that report too (a Value's lock)
        else if constexpr (requires { object->objectIndex; })
            object->objectIndex = index;
        return object;
    }

    template <class T>
    [[nodiscard]] Result<T *> find(std::string_view name) const
    {
        auto e = lookup(name);
        if (!e) return std::unexpected(e.error());
        if ((*e)->kind != T::kKind)
            return fail(Errc::InvalidArgument,
                        "object '" + std::string(name) + "' is a " +
                            std::string(objectKindName((*e)->kind)) + ", not a " +
                            std::string(objectKindName(T::kKind)));
        T *object = reinterpret_cast<T *>(base() + (*e)->offset);
        // Typed objects (Value<int32> vs Value<double>) check their own tag.
        if constexpr (requires { object->typeError(name); })
            if (auto bad = object->typeError(name); !bad) return std::unexpected(bad.error());
        return object;
    }

    template <class T>
    [[nodiscard]] T *at(std::uint64_t offset) const noexcept
    {
        return reinterpret_cast<T *>(base() + offset);
    }

    // Directory index of an object (for telemetry: "blocked on object #3").
    [[nodiscard]] std::uint32_t indexOf(const void *object) const noexcept;
    [[nodiscard]] std::span<const DirectoryEntry> objects() const noexcept;

    [[nodiscard]] bool isValid() const noexcept { return m_segment.isValid(); }
    [[nodiscard]] int fd() const noexcept { return m_segment.fd(); }
    [[nodiscard]] std::size_t size() const noexcept { return m_segment.size(); }
    [[nodiscard]] std::size_t used() const noexcept;
    [[nodiscard]] const std::string &name() const noexcept { return m_segment.name(); }
    [[nodiscard]] const SharedMemory &segment() const noexcept { return m_segment; }

private:
    explicit Arena(SharedMemory segment) noexcept : m_segment(std::move(segment)) {}
    [[nodiscard]] static Result<Arena> format(SharedMemory segment);
    [[nodiscard]] std::byte *base() const noexcept
    {
        return static_cast<std::byte *>(m_segment.data());
    }
    [[nodiscard]] ArenaHeader *header() const noexcept
    {
        return reinterpret_cast<ArenaHeader *>(m_segment.data());
    }

    SharedMemory m_segment;
};

} // namespace ipc
