// text.hpp - the string helpers the cores share, and the one way to read a
// whole file descriptor: bounded, and a failed read() is an error, never an
// early end of file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pppkit::text {

// s without blanks (' ', '\t') and carriage returns at either end.
[[nodiscard]] std::string_view trim(std::string_view s);

// The parts of s between any of the separator characters, each trimmed;
// empty parts are dropped: split("a, b,,c", ",") is {"a", "b", "c"},
// split(" x  y ", " \t") is {"x", "y"}.
[[nodiscard]] std::vector<std::string> split(std::string_view s, std::string_view separators);

// The items with sep between them.
[[nodiscard]] std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

// Reads fd to its end into out (cleared first), retrying EINTR. Returns 0,
// the errno of the read() that failed (EISDIR, EIO, EAGAIN on an empty
// non-blocking pipe, ...), or EFBIG when fd holds more than limit bytes.
// On an error out keeps what was read (a caller holding secrets wipes it).
// It reads straight into out's storage with no buffer of its own, so a
// caller that reserves limit + 1 bytes first leaves no copy in freed memory.
[[nodiscard]] int read_all(int fd, std::string& out, std::size_t limit);

// read_all of the file at path, opened read-only and close-on-exec (a small
// file of /proc, /run or /etc, without a stream and its locale). Returns 0,
// open()'s errno, or read_all's.
[[nodiscard]] int read_path(const std::string& path, std::string& out, std::size_t limit);

}  // namespace pppkit::text
