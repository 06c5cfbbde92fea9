// trust.hpp - opening the files the configuration names, only when they are
// safe to trust (chrony's model: the secrets file and the directories above
// it must belong to root and be writable by nobody else).
//
// When pppkit runs as root, a path is trusted when:
//   - a relative path is taken from the working directory, and the
//     directories above it are checked too; ".." goes back to a directory
//     already checked on the way (a path may not end in "..");
//   - every directory on the way (from "/") is owned by root (or the
//     policy's owner, for tests) and not writable by group or others, unless it has the sticky
//     bit (/tmp), where nobody else can rename or remove what root owns;
//   - a symbolic link on the way is followed only when root owns it (and
//     the directory holding it is trusted): a link planted by someone else
//     is refused, never followed;
//   - the target itself is of the expected kind (regular file or directory),
//     owned by root and not writable by group or others (a sticky target
//     directory is refused too).
// The walk uses openat() on each component with O_NOFOLLOW, and the checks
// run on the opened descriptors (fstat), so nothing is swapped in between
// the check and the open.
//
// When not running as root (a user's `pppkit check`), nothing is enforced:
// the files are opened with the user's own rights.
//
// Pure: nothing here logs. Problems are returned as text without the path's
// content; callers wrap them in a config::Diagnostic (file:line).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pppkit::trust {

struct Policy {
    bool enforce = true;  // false: open plainly, no owner/mode/symlink checks
    unsigned owner = 0;   // besides root, the uid that may own the checked files, directories and links
};

// The policy for this process: enforced, owner root, when the effective uid
// is 0; not enforced otherwise.
[[nodiscard]] Policy current();

enum class Kind { File, Directory };

// An opened, trusted file or directory. Move-only; closes its descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    ~Fd();
    [[nodiscard]] int get() const { return fd_; }
    int release() noexcept
    {
        int f = fd_;
        fd_ = -1;
        return f;
    }

private:
    int fd_ = -1;
};

struct Opened {
    Fd fd;                // valid (>= 0) on success
    std::string problem;  // on failure: what is wrong, naming the offending path
    int err = 0;          // on failure from the OS: its errno (ENOENT: the path does not exist)
    [[nodiscard]] bool ok() const { return fd.get() >= 0; }
};

// Opens path (O_RDONLY, O_CLOEXEC) after the checks above. A Directory is
// opened with O_DIRECTORY (usable with fdopendir/openat).
[[nodiscard]] Opened open(const std::string& path, Kind kind, const Policy& policy = current());

// Checks path without keeping it open; returns the problem, if any.
// A missing path is a problem ("does not exist", err ENOENT).
[[nodiscard]] std::optional<std::string> check(const std::string& path, Kind kind, const Policy& policy = current(),
                                               int* err = nullptr);

// Reads a whole trusted regular file of at most kMaxFileSize bytes into out.
// Returns the problem, if any (err receives the errno for OS errors, EFBIG
// for a larger file, 0 for trust problems).
inline constexpr std::size_t kMaxFileSize = std::size_t{1} << 20;
[[nodiscard]] std::optional<std::string> read_file(const std::string& path, std::string& out,
                                                   const Policy& policy = current(), int* err = nullptr);

// The environment block a process was exec'd with, [start, end): fields 50
// and 51 (env_start, env_end; proc(5)) of its /proc/PID/stat line, counted after the
// ")" that ends the command name (which may hold spaces and parentheses).
// A variable whose string lies in it came from whoever ran the process;
// setenv() puts its copies elsewhere (the heap). nullopt: not such a line.
struct EnvBlock {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    [[nodiscard]] bool holds(const void* p) const
    {
        const auto a = reinterpret_cast<std::uintptr_t>(p);
        return a >= start && a < end;
    }
};
[[nodiscard]] std::optional<EnvBlock> env_block(std::string_view proc_stat);
// Field n (proc(5) numbering, n >= 3) of a /proc/PID/stat line, counted the
// same way, as a number (e.g. 22: starttime). nullopt: no such number.
[[nodiscard]] std::optional<std::uint64_t> stat_field(std::string_view proc_stat, int n);

}  // namespace pppkit::trust
