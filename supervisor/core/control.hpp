// control.hpp - the control socket's request (pppkit -> pppkitd, one line
// per connection) and what a reload changes. Pure: nothing here logs or
// touches a socket or a process.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/link_config.hpp"

namespace pppkit::supervisor::control {

// ---- the request -----------------------------------------------------------
// "v1 VERB [NAME]\n"; the unversioned "status [NAME]\n" of the first pppkit
// status is v1 status. NAME: 1-64 printable ASCII bytes, no space, no '/',
// not starting with '.'. At most kMaxRequest bytes with the newline.
inline constexpr size_t kMaxRequest = 256;
inline constexpr int kVersion = 1;

enum class Verb { Status, Start, Stop, Restart, Reload };

struct Request {
    Verb verb = Verb::Status;
    std::string name;  // "" with status: every link; required by start/stop/restart; none with reload
    bool operator==(const Request&) const = default;
};

enum class ParseError {
    Incomplete,  // no newline within kMaxRequest bytes
    Version,     // "vN" other than v1
    Verb,        // not a known verb
    Name,        // a missing, extra or malformed NAME
};

[[nodiscard]] std::variant<Request, ParseError> parse_request(std::string_view bytes);
[[nodiscard]] std::string format_request(const Request& r);  // "v1 start dsl\n"
[[nodiscard]] std::string_view verb_name(Verb v);
[[nodiscard]] std::string_view error_text(ParseError e);
// Verbs that change something: root only (group pppkit may ask status).
[[nodiscard]] bool needs_root(Verb v);

// ---- who may connect -------------------------------------------------------
// The control socket's group: the gid of group `name` (pppkit) as the text of
// /etc/group lists it, read with glibc's own parser (fgetgrent_r), not
// through NSS: pppkitd loads no NSS module (libnss_systemd and its
// dependencies, ~0.3 MB of RSS for one lookup). `addgroup --system pppkit`
// and `groupadd --system pppkit` write the group there; a group only a
// network directory knows is not seen. nullopt: no such group, or gid 0
// (root's group: the socket stays root's alone). Lines the parser cannot
// read are skipped, as NSS's files module skips them.
[[nodiscard]] std::optional<gid_t> control_group(std::string_view group_file, std::string_view name);

// ---- reload: old links vs new ----------------------------------------------
struct LinkDiff {
    std::vector<std::string> added, removed, changed;  // names, in file order (removed: old order)
    bool operator==(const LinkDiff&) const = default;
};

// Same settings, whatever file and line they are on.
[[nodiscard]] bool same_settings(const LinkConfig& a, const LinkConfig& b);
[[nodiscard]] LinkDiff diff_links(const std::vector<LinkConfig>& before, const std::vector<LinkConfig>& after);

}  // namespace pppkit::supervisor::control
