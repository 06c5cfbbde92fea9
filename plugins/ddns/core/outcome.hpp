// outcome.hpp - what one DDNS attempt came to. Every protocol module maps the
// provider's answer (or the transport's failure) to exactly one Outcome.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pppkit::ddns {

enum class Outcome {
    Updated,        // the provider took the address
    Unchanged,      // the provider already had it (nochg)
    AuthFailed,     // fatal: credentials refused; the profile is suspended
    BadHost,        // fatal: host unknown, not ours, not an FQDN; suspended
    Abuse,          // fatal: client or host blocked; suspended
    RetryLater,     // transient: 911, 5xx, timeout, DNS, connection; back off
    ProtocolError,  // the answer was not understood; backed off like RetryLater
};

// The most of a server's text pppkit keeps (state file, logs, status).
inline constexpr size_t kServerTextMax = 200;

// Server text made safe to leave the core: every byte outside printable ASCII
// (controls, DEL, escape sequences, non-ASCII) becomes "\xHH", and the result
// is cut to max bytes (never inside an escape), "..." marking the cut. Every
// piece of an answer that reaches a log, the state file, `pppkit ddns status`
// or pppd's log passes through here (Answer::detail, Answer::echoed).
// Idempotent: server_text(server_text(s)) == server_text(s).
[[nodiscard]] std::string server_text(std::string_view s, size_t max = kServerTextMax);

// Why a RetryLater happened, where it changes the schedule.
enum class Transient { None, Dns, Other };

struct Answer {
    Outcome outcome = Outcome::ProtocolError;
    Transient transient = Transient::None;
    long floor_s = 0;    // the provider asks us to wait at least this long
    std::string detail;  // the provider's token or the transport error, through server_text(); never a secret
    std::optional<std::string> echoed;  // the address the provider says it recorded: a valid IPv4/IPv6 address only
    std::string stls_at;                // POP3: "host:port" where this attempt took STLS (the state pins it, see State)
};

[[nodiscard]] bool is_fatal(Outcome o);
[[nodiscard]] bool is_success(Outcome o);
// "updated", "unchanged", "auth-failed", "bad-host", "abuse", "retry-later", "protocol-error"
[[nodiscard]] std::string_view outcome_name(Outcome o);
[[nodiscard]] std::optional<Outcome> parse_outcome(std::string_view s);
// The worker's exit status for an outcome: 0 success, 1 transient, 2 fatal.
[[nodiscard]] int exit_status(Outcome o);
// Of two answers for several hosts, the one that matters more:
// fatal > transient > protocol error > updated > unchanged.
[[nodiscard]] const Answer& worse(const Answer& a, const Answer& b);

}  // namespace pppkit::ddns
