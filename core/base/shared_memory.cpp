#include "shared_memory.h"

#include "posix_call.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ipc {

namespace {

std::string shmPath(std::string_view name)
{
    if (!name.empty() && name.front() == '/') name.remove_prefix(1);
    return "/" + std::string(name);
}

Result<void> validateSize(std::size_t size)
{
    if (size == 0) return fail(Errc::InvalidArgument, "segment size must be at least 1 byte");
    if (size > SharedMemory::kMaxSize)
        return fail(Errc::TooLarge, "segment size " + std::to_string(size) +
                                        " exceeds the limit of " +
                                        std::to_string(SharedMemory::kMaxSize) + " bytes");
    return {};
}

} // namespace

Result<void> SharedMemory::validateName(std::string_view name)
{
    if (!name.empty() && name.front() == '/') name.remove_prefix(1);
    if (name.empty()) return fail(Errc::InvalidArgument, "segment name is empty");
    if (name.size() > kMaxNameLength)
        return fail(Errc::InvalidArgument, "segment name is longer than " +
                                               std::to_string(kMaxNameLength) + " characters");
    if (name.front() == '.')
        return fail(Errc::InvalidArgument, "segment name '" + std::string(name) +
                                               "' must not start with '.'");
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok)
            return fail(Errc::InvalidArgument,
                        "segment name '" + std::string(name) + "' has a character not allowed at position " +
                            std::to_string(i) + " (allowed: letters, digits, '.', '_', '-')");
    }
    return {};
}

Result<SharedMemory> SharedMemory::map(int fd, std::string name, std::string_view what)
{
    struct stat st{};
    if (fstat(fd, &st) != 0) {
        const int err = errno;
        close(fd);
        return failErrno(std::string("fstat ") + std::string(what), err);
    }
    if (st.st_size <= 0 || std::size_t(st.st_size) > kMaxSize) {
        close(fd);
        return fail(Errc::Corrupt, std::string(what) + " has an unusable size of " +
                                       std::to_string(st.st_size) + " bytes");
    }
    const auto size = std::size_t(st.st_size);
    void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        const int err = errno;
        close(fd);
        return failErrno(std::string("mmap ") + std::string(what), err);
    }
    return SharedMemory(fd, p, size, std::move(name));
}

Result<SharedMemory> SharedMemory::create(std::string_view name, std::size_t size)
{
    if (auto ok = validateName(name); !ok) return std::unexpected(ok.error());
    if (auto ok = validateSize(size); !ok) return std::unexpected(ok.error());
    const std::string path = shmPath(name);
    const int fd = retryOnEintr([&] {
        return shm_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    });
    if (fd < 0) return failErrno("create segment '" + path + "'", errno);
    if (retryOnEintr([&] { return ftruncate(fd, off_t(size)); }) != 0) {
        const int err = errno;
        close(fd);
        shm_unlink(path.c_str());
        return failErrno("size segment '" + path + "'", err);
    }
    auto seg = map(fd, path, "segment '" + path + "'");
    if (!seg) shm_unlink(path.c_str());
    return seg;
}

Result<SharedMemory> SharedMemory::open(std::string_view name)
{
    if (auto ok = validateName(name); !ok) return std::unexpected(ok.error());
    const std::string path = shmPath(name);
    const int fd =
        retryOnEintr([&] { return shm_open(path.c_str(), O_RDWR | O_CLOEXEC, 0600); });
    if (fd < 0) return failErrno("open segment '" + path + "'", errno);
    return map(fd, path, "segment '" + path + "'");
}

Result<SharedMemory> SharedMemory::openOrCreate(std::string_view name, std::size_t size)
{
    // Create first: of two racing callers exactly one creates; the other
    // sees AlreadyExists and attaches.
    auto created = create(name, size);
    if (created || created.error().code != Errc::AlreadyExists) return created;
    return open(name);
}

Result<void> SharedMemory::unlink(std::string_view name)
{
    if (auto ok = validateName(name); !ok) return std::unexpected(ok.error());
    const std::string path = shmPath(name);
    if (shm_unlink(path.c_str()) != 0) return failErrno("unlink segment '" + path + "'", errno);
    return {};
}

Result<SharedMemory> SharedMemory::anonymous(std::size_t size, std::string_view debugName)
{
    if (auto ok = validateSize(size); !ok) return std::unexpected(ok.error());
    const std::string label(debugName.empty() ? std::string_view("ipc") : debugName);
    const int fd = memfd_create(label.c_str(), MFD_CLOEXEC);
    if (fd < 0) return failErrno("memfd_create", errno);
    if (retryOnEintr([&] { return ftruncate(fd, off_t(size)); }) != 0) {
        const int err = errno;
        close(fd);
        return failErrno("size anonymous segment", err);
    }
    return map(fd, std::string(), "anonymous segment");
}

Result<SharedMemory> SharedMemory::fromFd(int fd)
{
    if (fd < 0) return fail(Errc::InvalidArgument, "descriptor " + std::to_string(fd) + " is negative");
    if (fcntl(fd, F_GETFD) == -1)
        return fail(Errc::NotFound, "descriptor " + std::to_string(fd) + " is not open in this process");
    // Ours now: keep it from leaking into grandchildren.
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return map(fd, std::string(), "inherited descriptor " + std::to_string(fd));
}

SharedMemory::SharedMemory(SharedMemory &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_data(std::exchange(other.m_data, nullptr)),
      m_size(std::exchange(other.m_size, 0)), m_name(std::move(other.m_name))
{}

SharedMemory &SharedMemory::operator=(SharedMemory &&other) noexcept
{
    if (this != &other) {
        release();
        m_fd = std::exchange(other.m_fd, -1);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_name = std::move(other.m_name);
    }
    return *this;
}

SharedMemory::~SharedMemory() { release(); }

void SharedMemory::release() noexcept
{
    if (m_data) munmap(m_data, m_size);
    if (m_fd >= 0) close(m_fd);
    m_data = nullptr;
    m_fd = -1;
    m_size = 0;
}

} // namespace ipc
