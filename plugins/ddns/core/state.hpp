// state.hpp - a profile's persistent state (<state-dir>/ddns/<profile>.state)
// and the policy that decides when to send. Pure apart from read/write of
// the state file (no logging). Times are Unix seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ddns/core/outcome.hpp"
#include "ddns/core/profile.hpp"

namespace pppkit::ddns {

struct FamilyState {
    std::string address;  // last address sent (empty: none)
    int64_t last_success = 0;
    int64_t last_attempt = 0;
    std::optional<Outcome> outcome;  // of the last attempt
    int failures = 0;                // consecutive transient failures
    int64_t next_attempt = 0;        // not before (backoff), 0: any time
    std::string detail;              // the provider's last answer, never a secret
};

struct State {
    std::string fingerprint;  // of config + secrets when suspended
    bool suspended = false;   // a fatal answer; holds until fingerprint changes
    std::string suspended_why;
    FamilyState v4, v6;

    [[nodiscard]] FamilyState& of(Family f) { return f == Family::V6 ? v6 : v4; }
    [[nodiscard]] const FamilyState& of(Family f) const { return f == Family::V6 ? v6 : v4; }
};

// "key=value" lines. parse_state never fails: an unreadable, truncated or
// garbled file is an unknown (default) state; corrupt reports that it was.
[[nodiscard]] std::string serialize_state(const State& s);
[[nodiscard]] State parse_state(std::string_view text, bool* corrupt = nullptr);

[[nodiscard]] std::string state_path(const std::string& state_dir, std::string_view profile);
// Reads path; a missing file is the empty state (corrupt false).
[[nodiscard]] State read_state(const std::string& path, bool* corrupt = nullptr);
// Writes path atomically (temp file 0600, fsync, rename, fsync dir); creates
// the directory (0700) if needed. Returns the problem, if any.
[[nodiscard]] std::optional<std::string> write_state(const std::string& path, const State& s);

// ---- policy ----------------------------------------------------------------

// Delay before retrying after the n-th consecutive transient failure (n >= 1):
// DNS failures 1-3 retry after 2, 4, 8 s (at ip-up resolv.conf may not be
// written yet); otherwise 30 s doubling, capped at 1 h, minus up to 20 %
// jitter (u in [0,1)), and never below the provider's floor.
[[nodiscard]] long retry_delay(int failures, Transient why, long floor_s, double u);

enum class Action {
    Send,       // send now
    Wait,       // not yet: at is when to look again
    Skip,       // nothing due (same address, no keep-alive due); at: when keep-alive is due (0: never)
    Suspended,  // a fatal answer holds and config/secrets did not change
};
enum class Reason { NewAddress, KeepAlive, Retry, Forced, Unknown, Backoff, MinInterval, UpToDate, Fatal };

struct Decision {
    Action action = Action::Skip;
    Reason reason = Reason::UpToDate;
    int64_t at = 0;
};
[[nodiscard]] std::string_view reason_name(Reason r);

// address: the address to announce (empty when the provider records the
// connection's source and nothing better is known). fp: the current
// fingerprint. force: a user asked (also lifts a suspension).
[[nodiscard]] Decision decide(const Profile& p, const State& s, Family f, std::string_view address, std::string_view fp,
                              int64_t now, bool force);

// Folds one attempt's answer into the state. u: jitter in [0,1).
void record(State& s, const Profile& p, Family f, std::string_view address, const Answer& a, std::string_view fp,
            int64_t now, double u);

// When the plugin should look at this family again while the link stays up
// (0: never on its own): the backoff, or the next keep-alive.
[[nodiscard]] int64_t next_wakeup(const Profile& p, const State& s, Family f);

// ---- the profile's lock (owned by the worker side; see pppkit-ddns-worker) ----

// Creates the state file's directory (0700, and its parent 0755) and, when
// owner_uid >= 0, makes the directory and the profile's existing state and
// lock files belong to owner_uid/owner_gid (O_NOFOLLOW, fchown: never through
// a link). Run with privilege before the worker drops it. Returns the problem.
[[nodiscard]] std::optional<std::string> prepare_state_dir(const std::string& state_file, long owner_uid,
                                                           long owner_gid);

// One attempt of a profile holds <state file>.lock (flock, exclusive) from
// before it reads the state until after it wrote it: a second worker for the
// same profile finds it Busy and sends nothing.
struct ProfileLock {
    enum class Status { Held, Busy, Error } status = Status::Error;
    int fd = -1;        // Held: the open lock file; released by close() or exit
    std::string error;  // Error: the problem
};
[[nodiscard]] ProfileLock lock_profile(const std::string& state_file);

}  // namespace pppkit::ddns
