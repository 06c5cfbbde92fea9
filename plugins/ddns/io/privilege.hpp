// privilege.hpp - the worker's one-way drop from root to its system user.
#pragma once

#include <pwd.h>

#include <optional>
#include <string>

namespace pppkit::ddns::io {

// Gives up root for good: no supplementary groups, the worker user's uid and
// gid (real, effective, saved), an empty capability bounding set, no
// capabilities, no_new_privs, not dumpable (no core, no ptrace by the same
// uid). Without root only the last four apply. Returns the problem.
std::optional<std::string> drop_privileges(const passwd* user);

}  // namespace pppkit::ddns::io
