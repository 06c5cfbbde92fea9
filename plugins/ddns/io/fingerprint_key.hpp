// fingerprint_key.hpp - the installation's key for the profile fingerprint
// (core/profile.hpp fingerprint()): 32 random bytes in <state-dir>/ddns.key,
// root's alone (0600). The worker reads it, or makes it the first time, as
// root, before it drops privilege; the worker's user cannot read it.
#pragma once

#include <string>
#include <variant>

namespace pppkit::ddns {

// The key, or why there is none ("<path>: problem"). A key file that is not a
// regular file of the current user's, readable by others, or not 32 bytes is
// refused, never used or replaced.
[[nodiscard]] std::variant<std::string, std::string> fingerprint_key(const std::string& state_dir);

}  // namespace pppkit::ddns
