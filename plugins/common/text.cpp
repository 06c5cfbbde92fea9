// text.cpp - see text.hpp.
#include "common/text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace pppkit::text {

std::string_view trim(std::string_view s)
{
    constexpr std::string_view kBlank = " \t\r";
    const auto first = s.find_first_not_of(kBlank);
    if (first == std::string_view::npos)
        return {};
    return s.substr(first, s.find_last_not_of(kBlank) - first + 1);
}

std::vector<std::string> split(std::string_view s, std::string_view separators)
{
    std::vector<std::string> out;
    for (;;) {
        const auto end = s.find_first_of(separators);
        if (auto part = trim(s.substr(0, end)); !part.empty())
            out.emplace_back(part);
        if (end == std::string_view::npos)
            return out;
        s.remove_prefix(end + 1);
    }
}

std::string join(const std::vector<std::string>& items, std::string_view sep)
{
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0)
            out += sep;
        out += items[i];
    }
    return out;
}

int read_all(int fd, std::string& out, std::size_t limit)
{
    constexpr std::size_t kChunk = 16384;
    out.clear();
    for (;;) {
        // one byte past the limit tells a file of exactly `limit` bytes from a larger one
        const std::size_t have = out.size();
        const std::size_t want = std::min(kChunk, limit + 1 - have);
        out.resize(have + want);
        const ssize_t n = ::read(fd, out.data() + have, want);
        const int err = errno;
        out.resize(have + (n > 0 ? static_cast<std::size_t>(n) : 0));
        if (n < 0 && err == EINTR)
            continue;
        if (n < 0)
            return err;
        if (n == 0)
            return 0;
        if (out.size() > limit)
            return EFBIG;
    }
}

int read_path(const std::string& path, std::string& out, std::size_t limit)
{
    out.clear();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno;
    const int err = read_all(fd, out, limit);
    ::close(fd);
    return err;
}

}  // namespace pppkit::text
