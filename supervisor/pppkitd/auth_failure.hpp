// auth_failure.hpp - authentication failures of a link's pppd, per attempt:
// the journal's words and the `pppkit status --json` field. The counting is
// the machine's (core/link_state.hpp); Daemon::attempt_phase feeds it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pppkit::supervisor {
struct Link;

// The journal's and STATUS='s reason of the last failure, "authentication to the peer failed".
[[nodiscard]] std::string auth_reason(const Link& l);
// The kAuthFailure entry when the link gives up.
[[nodiscard]] std::string auth_giving_up(const Link& l);
// "last_auth_failure": {"status", "reason", "at"}, or null before the first.
[[nodiscard]] nlohmann::json auth_failure_json(const Link& l);

}  // namespace pppkit::supervisor
