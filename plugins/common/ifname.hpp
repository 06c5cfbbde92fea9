// ifname.hpp - the one check of interface names and name patterns, for every
// place where a name enters pppkit: the config schemas (firewall wan and
// lan-interfaces), the names pppd hands the plugins, the command line, and
// before a name reaches an nfnetlink element batch or ruleset text.
//
// What passes is a name both Linux and nft take as it is:
//   - 1-15 bytes, as nft counts them: IFNAMSIZ (16) minus the terminating
//     NUL. In a pattern the trailing '*' is one of the 15 ("ppp*" is 4);
//   - only ASCII letters, digits, '-', '_' and '.' ("." and ".." refused:
//     Linux reserves them). Everything else - '}', '"', '\\', '/', ':',
//     whitespace, control and non-ASCII bytes - is refused where it enters;
//     quoting such names for nft is never needed.
// A pattern is a name, or a prefix of at least one byte followed by '*'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pppkit::ifname {

inline constexpr size_t kMaxLen = 15;  // IFNAMSIZ - 1

// nullopt when v is a valid interface name, else the problem (for
// "file:line: [section] key: problem (got 'value')").
std::optional<std::string> check_name(std::string_view v);
// The same for a name or a "prefix*" pattern.
std::optional<std::string> check_pattern(std::string_view v);

inline bool valid_name(std::string_view v) { return !check_name(v); }
inline bool valid_pattern(std::string_view v) { return !check_pattern(v); }

}  // namespace pppkit::ifname
