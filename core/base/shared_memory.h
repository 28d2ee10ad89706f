// A mapped shared-memory segment: named (shm_open) or anonymous (memfd).
//
// Named segments exist for the SharedMemory lesson (attach by name); a
// scenario run's arena is anonymous and reaches its workers as an inherited
// file descriptor, so a killed parent leaves nothing in /dev/shm.
//
// Names: 1..kMaxNameLength characters of [A-Za-z0-9._-], not starting with
// '.'; a leading '/' is accepted and ignored. Segments are created mode 0600.
// Sizes: 1..kMaxSize bytes.
//
// A SharedMemory object owns its mapping and descriptor and releases both
// when destroyed; it never unlinks the name (call unlink, as Python's
// SharedMemory.unlink). Any process may use these calls; an object is not
// meant to be shared between threads.
#pragma once

#include "result.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace ipc {

class SharedMemory {
public:
    static constexpr std::size_t kMaxNameLength = 200;
    static constexpr std::size_t kMaxSize = std::size_t(4) << 30; // 4 GiB

    // Create a new named segment; AlreadyExists if the name is taken.
    [[nodiscard]] static Result<SharedMemory> create(std::string_view name, std::size_t size);
    // Attach an existing named segment; NotFound if there is none.
    [[nodiscard]] static Result<SharedMemory> open(std::string_view name);
    // Attach if it exists (its size wins), otherwise create with size.
    [[nodiscard]] static Result<SharedMemory> openOrCreate(std::string_view name,
                                                           std::size_t size);
    // Remove the name; mappings stay valid until their owners let go.
    [[nodiscard]] static Result<void> unlink(std::string_view name);
    // Anonymous segment (memfd, close-on-exec). Hand fd() to a child through
    // Process's inherited descriptors; the child calls fromFd().
    [[nodiscard]] static Result<SharedMemory> anonymous(std::size_t size,
                                                        std::string_view debugName = "ipc");
    // Map a descriptor inherited from the parent; takes ownership of fd.
    [[nodiscard]] static Result<SharedMemory> fromFd(int fd);

    // Checks a name without touching the system; the message says what is wrong.
    [[nodiscard]] static Result<void> validateName(std::string_view name);

    SharedMemory() = default;
    SharedMemory(SharedMemory &&other) noexcept;
    SharedMemory &operator=(SharedMemory &&other) noexcept;
    SharedMemory(const SharedMemory &) = delete;
    SharedMemory &operator=(const SharedMemory &) = delete;
    ~SharedMemory();

    [[nodiscard]] void *data() const noexcept { return m_data; }
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] int fd() const noexcept { return m_fd; }
    [[nodiscard]] const std::string &name() const noexcept { return m_name; } // "" if anonymous
    [[nodiscard]] bool isValid() const noexcept { return m_data != nullptr; }

private:
    SharedMemory(int fd, void *data, std::size_t size, std::string name) noexcept
        : m_fd(fd), m_data(data), m_size(size), m_name(std::move(name))
    {}
    [[nodiscard]] static Result<SharedMemory> map(int fd, std::string name,
                                                  std::string_view what);
    void release() noexcept;

    int m_fd = -1;
    void *m_data = nullptr;
    std::size_t m_size = 0;
    std::string m_name;
};

} // namespace ipc
