#include "ddns/io/fingerprint_key.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pppkit::ddns {

namespace {

constexpr size_t kKeySize = 32;

// Writes a fresh key beside path and links it into place: two workers that
// both find no key end up with the one that was linked first.
std::string make_key(const std::string& path)
{
    unsigned char k[kKeySize];
    if (::getrandom(k, sizeof k, 0) != static_cast<ssize_t>(sizeof k))
        return "cannot get random bytes: " + std::string(std::strerror(errno));
    const std::string tmp = path + ".new." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return "cannot create " + tmp + ": " + std::strerror(errno);
    const bool ok = ::write(fd, k, sizeof k) == static_cast<ssize_t>(sizeof k) && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    std::memset(k, 0, sizeof k);
    if (!ok) {
        ::unlink(tmp.c_str());
        return "cannot write " + tmp + ": " + std::strerror(err);
    }
    const bool linked = ::link(tmp.c_str(), path.c_str()) == 0 || errno == EEXIST;
    const int lerr = errno;
    ::unlink(tmp.c_str());
    return linked ? std::string() : "cannot create " + path + ": " + std::strerror(lerr);
}

}  // namespace

std::variant<std::string, std::string> fingerprint_key(const std::string& state_dir)
{
    if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST)
        return std::variant<std::string, std::string>(std::in_place_index<1>,
                                                      "cannot create " + state_dir + ": " + std::strerror(errno));
    const std::string path = state_dir + "/ddns.key";
    auto fail = [&](const std::string& why) {
        return std::variant<std::string, std::string>(std::in_place_index<1>, path + ": " + why);
    };
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) {
        if (std::string e = make_key(path); !e.empty())
            return fail(e);
        fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    }
    if (fd < 0)
        return fail(std::strerror(errno));
    struct stat st {};
    std::string key(kKeySize, '\0');
    std::string why;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        why = "not a regular file";
    else if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0)
        why = "not the worker's owner's alone (owner root, mode 0600): refused (remove it; a new key is made)";
    else if (st.st_size != static_cast<off_t>(kKeySize) ||
             ::read(fd, key.data(), kKeySize) != static_cast<ssize_t>(kKeySize))
        why = "not " + std::to_string(kKeySize) + " bytes: refused (remove it; a new key is made)";
    ::close(fd);
    if (!why.empty())
        return fail(why);
    return std::variant<std::string, std::string>(std::in_place_index<0>, std::move(key));
}

}  // namespace pppkit::ddns
