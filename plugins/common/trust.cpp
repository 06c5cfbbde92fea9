// trust.cpp - see trust.hpp.
#include "common/trust.hpp"

#include "common/text.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <vector>

namespace pppkit::trust {
namespace {

constexpr int kMaxLinks = 32;

std::string owner_name(unsigned uid) { return uid == 0 ? "root" : "uid " + std::to_string(uid); }

bool trusted_owner(uid_t uid, const Policy& policy) { return uid == 0 || uid == policy.owner; }

std::string mode_str(mode_t m)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

Opened fail(std::string problem, int err = 0)
{
    Opened o;
    o.problem = std::move(problem);
    o.err = err;
    return o;
}

Opened os_fail(const std::string& path, int err)
{
    if (err == ENOENT)
        return fail(path + " does not exist", err);
    if (err == ENOTDIR)
        return fail(path + " is not a directory", err);
    return fail(path + ": " + std::strerror(err), err);
}

// Pushes the components of p onto a stack (the first component on top).
void push_components(std::vector<std::string>& todo, std::string_view p)
{
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string_view::npos)
            j = p.size();
        if (j > i)
            parts.emplace_back(p.substr(i, j - i));
        i = j + 1;
    }
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
}

// The owner and mode rules for one opened object (see trust.hpp).
std::optional<std::string> judge(const struct stat& st, const std::string& path, bool target, Kind kind,
                                 const Policy& policy)
{
    bool dir = !target || kind == Kind::Directory;
    if (dir && !S_ISDIR(st.st_mode))
        return path + " is not a directory";
    if (!dir && !S_ISREG(st.st_mode))
        return path + " is not a regular file";
    const char* what = S_ISDIR(st.st_mode) ? "directory " : "file ";
    if (!trusted_owner(st.st_uid, policy))
        return std::string(what) + path + " is owned by " + owner_name(st.st_uid) + ", not " +
               owner_name(policy.owner) + ", so it cannot be trusted; fix: chown " + owner_name(policy.owner) + " " +
               path;
    bool sticky_ok = !target && (st.st_mode & S_ISVTX) != 0;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky_ok)
        return std::string(what) + path + " is writable by group or others (mode " + mode_str(st.st_mode) +
               "), so it cannot be trusted; fix: chmod go-w " + path;
    return std::nullopt;
}

Opened open_plain(const std::string& path, Kind kind)
{
    // a FIFO or device is refused before it is opened (see open()), and
    // again after: the entry may change in between
    struct stat before {};
    if (kind == Kind::File && ::stat(path.c_str(), &before) == 0 && !S_ISREG(before.st_mode))
        return fail(path + " is not a regular file");
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | (kind == Kind::Directory ? O_DIRECTORY : O_NONBLOCK);
    Fd fd(::open(path.c_str(), flags));
    if (fd.get() < 0)
        return os_fail(path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return os_fail(path, errno);
    if (kind == Kind::File && !S_ISREG(st.st_mode))
        return fail(path + " is not a regular file");
    if (kind == Kind::File)
        ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    Opened o;
    o.fd = std::move(fd);
    return o;
}

}  // namespace

Fd& Fd::operator=(Fd&& o) noexcept
{
    if (this != &o) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = o.release();
    }
    return *this;
}

Fd::~Fd()
{
    if (fd_ >= 0)
        ::close(fd_);
}

Policy current()
{
    Policy p;
    p.enforce = ::geteuid() == 0;
    p.owner = 0;
    return p;
}

Opened open(const std::string& path, Kind kind, const Policy& policy)
{
    if (path.empty())
        return fail("empty path");
    if (!policy.enforce)
        return open_plain(path, kind);
    // A relative path (pppkit check --config ./x.conf) is walked from "/"
    // through the working directory, whose parents are checked too.
    std::string full = path;
    if (full.front() != '/') {
        char cwd[PATH_MAX];
        if (::getcwd(cwd, sizeof cwd) == nullptr)
            return os_fail(path, errno);
        full = std::string(cwd) + "/" + path;
    }

    std::vector<std::string> todo;
    push_components(todo, full);

    // The directories walked so far, each opened and judged: ".." goes back
    // to one of them, never to a directory that was not checked.
    struct Step {
        Fd fd;
        std::string where;  // "" for "/"
    };
    std::vector<Step> chain;
    chain.push_back({Fd(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)), ""});
    if (chain.back().fd.get() < 0)
        return os_fail("/", errno);
    struct stat st {};
    if (::fstat(chain.back().fd.get(), &st) != 0)
        return os_fail("/", errno);
    if (auto p = judge(st, "/", false, kind, policy))
        return fail(*p);
    int links = 0;
    bool any = false;
    while (!todo.empty()) {
        std::string comp = std::move(todo.back());
        todo.pop_back();
        if (comp.empty() || comp == ".")
            continue;
        bool last = todo.empty();
        if (comp == "..") {
            if (last)
                return fail(full + " ends in '..'; write the path without it");
            if (chain.size() > 1)
                chain.pop_back();
            continue;
        }
        const Fd& dir = chain.back().fd;
        std::string here = chain.back().where + "/" + comp;
        if (::fstatat(dir.get(), comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return os_fail(here, errno);
        if (S_ISLNK(st.st_mode)) {
            // dir is trusted, so only its owner could have put this link here;
            // the link's own owner says who did.
            if (!trusted_owner(st.st_uid, policy))
                return fail(here + " is a symbolic link owned by " + owner_name(st.st_uid) + ", not " +
                            owner_name(policy.owner) + "; not followed");
            if (++links > kMaxLinks)
                return fail(full + ": too many symbolic links", ELOOP);
            char buf[PATH_MAX];
            ssize_t n = ::readlinkat(dir.get(), comp.c_str(), buf, sizeof buf);
            if (n < 0)
                return os_fail(here, errno);
            if (n == static_cast<ssize_t>(sizeof buf))
                return fail(here + ": symbolic link target too long", ENAMETOOLONG);
            std::string_view target(buf, static_cast<size_t>(n));
            if (!target.empty() && target.front() == '/')
                chain.resize(1);  // back to "/"
            push_components(todo, target);
            continue;
        }
        // The last component is judged before it is opened too (type, owner,
        // mode): a device or a FIFO in place of a file is never opened (an
        // open has effects: a FIFO's writer is let go, a tape rewinds). The
        // judgement after the open stays: the entry may change in between.
        if (last)
            if (auto p = judge(st, here, last, kind, policy))
                return fail(*p);
        int flags = O_NOFOLLOW | O_CLOEXEC;
        if (!last)
            flags |= O_PATH | O_DIRECTORY;
        else if (kind == Kind::Directory)
            flags |= O_RDONLY | O_DIRECTORY;
        else
            flags |= O_RDONLY | O_NONBLOCK | O_NOCTTY;  // never block on a FIFO put in its place
        Fd next(::openat(dir.get(), comp.c_str(), flags));
        if (next.get() < 0) {
            if (errno == ELOOP)
                return fail(here + " was replaced by a symbolic link while it was opened; not followed", ELOOP);
            return os_fail(here, errno);
        }
        if (::fstat(next.get(), &st) != 0)
            return os_fail(here, errno);
        if (S_ISLNK(st.st_mode))
            return fail(here + " was replaced by a symbolic link while it was opened; not followed", ELOOP);
        if (auto p = judge(st, here, last, kind, policy))
            return fail(*p);
        if (last && kind == Kind::File)
            ::fcntl(next.get(), F_SETFL, ::fcntl(next.get(), F_GETFL) & ~O_NONBLOCK);
        chain.push_back({std::move(next), here});
        any = last;
    }
    if (!any)
        return fail(full + " names no file");
    Opened o;
    o.fd = std::move(chain.back().fd);
    return o;
}

std::optional<std::string> check(const std::string& path, Kind kind, const Policy& policy, int* err)
{
    auto o = open(path, kind, policy);
    if (err != nullptr)
        *err = o.err;
    if (o.ok())
        return std::nullopt;
    return o.problem;
}

std::optional<std::string> read_file(const std::string& path, std::string& out, const Policy& policy, int* err)
{
    auto o = open(path, Kind::File, policy);
    if (err != nullptr)
        *err = o.err;
    if (!o.ok())
        return o.problem;
    if (int e = text::read_all(o.fd.get(), out, kMaxFileSize); e != 0) {
        if (err != nullptr)
            *err = e;
        return path + ": " + std::strerror(e);
    }
    return std::nullopt;
}

std::optional<EnvBlock> env_block(std::string_view proc_stat)
{
    const size_t close = proc_stat.rfind(')');
    if (close == std::string_view::npos)
        return std::nullopt;
    std::string_view rest = proc_stat.substr(close + 1);
    // field 3 (state) is the first after ")"; env_start is 50, env_end 51
    std::uintptr_t v[2] = {0, 0};
    int field = 2;
    for (size_t a = rest.find_first_not_of(' '); a != std::string_view::npos && field < 51;
         a = rest.find_first_not_of(' ', a)) {
        const size_t e = std::min(rest.find(' ', a), rest.size());
        if (++field >= 50) {
            auto r = std::from_chars(rest.data() + a, rest.data() + e, v[field - 50]);
            if (r.ec != std::errc() || r.ptr != rest.data() + e)
                return std::nullopt;
        }
        a = e;
    }
    if (field != 51 || v[0] == 0 || v[1] <= v[0])
        return std::nullopt;
    return EnvBlock{v[0], v[1]};
}

std::optional<std::uint64_t> stat_field(std::string_view proc_stat, int n)
{
    const size_t close = proc_stat.rfind(')');
    if (close == std::string_view::npos || n < 3)
        return std::nullopt;
    std::string_view rest = proc_stat.substr(close + 1);
    int field = 2;  // field 3 (state) is the first after ")"
    for (size_t a = rest.find_first_not_of(" \n"); a != std::string_view::npos; a = rest.find_first_not_of(" \n", a)) {
        const size_t e = std::min(rest.find_first_of(" \n", a), rest.size());
        if (++field == n) {
            std::uint64_t v = 0;
            auto r = std::from_chars(rest.data() + a, rest.data() + e, v);
            if (r.ec != std::errc() || r.ptr != rest.data() + e)
                return std::nullopt;
            return v;
        }
        a = e;
    }
    return std::nullopt;
}

}  // namespace pppkit::trust
