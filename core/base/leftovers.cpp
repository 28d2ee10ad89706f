#include "leftovers.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ipc {

namespace {

// The prefixes of the names we make: socket directories, and blocks.
constexpr std::array<std::string_view, 2> kDirectoryPrefixes{"ipc-manager-", "ipc-listener-"};
constexpr std::array<std::string_view, 2> kBlockPrefixes{"ipc-cmp-", "ipc-shm-"};

// The owner's pid in "<prefix><pid>-...", or 0 if the name is not ours.
pid_t ownerOf(std::string_view name, std::string_view prefix)
{
    if (!name.starts_with(prefix)) return 0;
    name.remove_prefix(prefix.size());
    pid_t pid = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || end == name.data() || end == name.data() + name.size() || *end != '-' || pid <= 0) return 0;
    return pid;
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// Calls f(name, owner) for every entry of dir that one of the prefixes
// names, owned by this user, whose owner has exited.
template <typename F, std::size_t N>
void forEachOrphan(const std::string &dir, const std::array<std::string_view, N> &prefixes, F &&f)
{
    DIR *d = ::opendir(dir.c_str());
    if (!d) return;
    while (const dirent *e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        for (std::string_view prefix : prefixes) {
            const pid_t owner = ownerOf(name, prefix);
            if (owner == 0 || owner == ::getpid() || alive(owner)) continue;
            struct stat st{};
            if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_uid != ::getuid()) continue;
            f(std::string(name), owner, st);
        }
    }
    ::closedir(d);
}

// A socket directory holds the socket and nothing else we made; anything
// else in it (a directory) keeps it.
bool removeSocketDirectory(const std::string &path)
{
    DIR *d = ::opendir(path.c_str());
    if (!d) return false;
    while (const dirent *e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        if (name == "." || name == "..") continue;
        (void)::unlinkat(::dirfd(d), e->d_name, 0);
    }
    ::closedir(d);
    return ::rmdir(path.c_str()) == 0;
}

} // namespace

std::string ownedName(std::string_view prefix) { return std::string(prefix) + "-" + std::to_string(::getpid()); }

std::string ownedBlockName(std::string_view prefix)
{
    static std::atomic<unsigned> counter{0};
    return ownedName(prefix) + "-" + std::to_string(counter++);
}

std::vector<Leftover> sweepLeftovers()
{
    std::vector<Leftover> removed;
    std::vector<std::string> socketBases{"/tmp"};
    if (const char *xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg && std::string_view(xdg) != "/tmp")
        socketBases.emplace_back(xdg);
    for (const std::string &base : socketBases)
        forEachOrphan(base, kDirectoryPrefixes, [&](const std::string &name, pid_t owner, const struct stat &st) {
            const std::string path = base + "/" + name;
            if (S_ISDIR(st.st_mode) && removeSocketDirectory(path)) removed.push_back({path, owner});
        });
    forEachOrphan("/dev/shm", kBlockPrefixes, [&](const std::string &name, pid_t owner, const struct stat &) {
        if (::shm_unlink(("/" + name).c_str()) == 0) removed.push_back({"/dev/shm/" + name, owner});
    });
    return removed;
}

} // namespace ipc
