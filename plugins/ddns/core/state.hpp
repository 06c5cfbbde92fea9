// state.hpp - a profile's persistent state (<state-dir>/ddns/<profile>.state)
// and the policy that decides when to send. Pure apart from read/write of
// the state file (no logging). Times are Unix seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ddns/core/outcome.hpp"
#include "ddns/core/profile.hpp"

namespace pppkit::ddns {

// The policy state of one family of a profile. Exactly one holds; step() is
// the only function that moves between them:
//
//   Idle --trigger: Send--> (InFlight) --success--> Idle
//                                      --transient/protocol error--> BackingOff
//                                      --fatal--> Suspended (both families)
//                                      --lost (cancelled, killed, deadline)--> BackingOff
//   BackingOff --next_attempt passed, or an address different from the last
//                attempt's (never inside floor_until)--> Send
//   Suspended --fingerprint changed, or force--> Send; a non-fatal answer lifts it
enum class Phase {
    Idle,        // nothing pending: never tried, or the last answer was taken
    BackingOff,  // a transient failure: wait until next_attempt (and always floor_until)
    Suspended,   // a fatal answer: nothing is sent until the profile's fingerprint changes
    InFlight,    // an attempt started (recorded before sending, under the profile's lock); with
                 // the lock free, its worker is gone: the attempt is lost, a transient failure
};
[[nodiscard]] std::string_view phase_name(Phase p);  // "idle", "backing off", "suspended", "in flight"

struct FamilyState {
    Phase phase = Phase::Idle;
    std::string address;    // the last address the provider took (empty: none)
    std::string attempted;  // the address of the last attempt, whatever came of it (empty: none or unknown)
    int64_t last_success = 0;
    int64_t last_attempt = 0;
    std::optional<Outcome> outcome;  // of the last attempt
    int failures = 0;                // consecutive transient failures
    int64_t next_attempt = 0;        // BackingOff: not before (a new address may come sooner)
    int64_t floor_until = 0;         // the provider's least wait (911, 429): nothing is sent before it, ever
    std::string detail;              // the provider's last answer, through server_text(); never a secret
};

struct State {
    std::string fingerprint;  // of config + secrets when suspended
    bool suspended = false;   // a fatal answer; holds until fingerprint changes (both families Suspended)
    std::string suspended_why;
    FamilyState v4, v6;
    // POP3: the server ("host:port") where an attempt once took STLS. With
    // tls = auto, a CAPA there that no longer lists STLS is refused (someone
    // on the path may have removed it to read the password) instead of
    // logging in in plain text; tls = none says the server really dropped it.
    std::string pop3_stls;

    [[nodiscard]] FamilyState& of(Family f) { return f == Family::V6 ? v6 : v4; }
    [[nodiscard]] const FamilyState& of(Family f) const { return f == Family::V6 ? v6 : v4; }
};

// "key=value" lines. parse_state never fails: an unreadable, truncated or
// garbled file is an unknown (default) state; corrupt reports that it was.
// Keys added after format 1's first release (ipv4-state, ipv4-attempted,
// ipv4-floor-until, ...) sit outside the "ipv4." prefix, which older readers
// check strictly, so an older pppkit still reads a newer file. A file without
// them (written by an older pppkit) is migrated on reading: its phase is
// derived from suspended/outcome, and the attempted address is unknown, so
// its backoff holds until it ends.
[[nodiscard]] std::string serialize_state(const State& s);
[[nodiscard]] State parse_state(std::string_view text, bool* corrupt = nullptr);

[[nodiscard]] std::string state_path(const std::string& state_dir, std::string_view profile);
// Reads path; a missing file is the empty state (corrupt false).
[[nodiscard]] State read_state(const std::string& path, bool* corrupt = nullptr);
// Writes path atomically (temp file 0600, fsync, rename, fsync dir); creates
// the directory (0700) if needed. Returns the problem, if any. sync false:
// atomic but not fsynced, for a record that only has to outlive its process
// (any later process reads it from the page cache), not the machine.
[[nodiscard]] std::optional<std::string> write_state(const std::string& path, const State& s, bool sync = true);

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
enum class Reason {
    NewAddress,      // differs from what the provider has (or from the last attempt, when backing off)
    KeepAlive,       // the provider's keep-alive is due
    Retry,           // the backoff after a transient failure ended
    Forced,          // a user asked
    Unknown,         // nothing was ever sent
    ProfileChanged,  // a suspension is lifted: config or secrets changed
    Backoff,         // waiting out a transient failure
    ProviderFloor,   // waiting out the provider's least wait (911, 429)
    MinInterval,     // waiting out the profile's min-interval
    InFlight,        // another attempt is running
    UpToDate,
    Fatal,
};

struct Decision {
    Action action = Action::Skip;
    Reason reason = Reason::UpToDate;
    int64_t at = 0;
};
[[nodiscard]] std::string_view reason_name(Reason r);

// What can happen to a profile's family.
struct Trigger {               // ip-up, a timer, the keep-alive command, a user
    std::string_view address;  // to announce (empty: the provider records the source, or not known yet)
    std::string_view fp;       // the profile's current fingerprint
    int64_t now = 0;
    bool force = false;  // a user asked: lifts a suspension and the backoff, never the provider's floor
};
struct Start {  // an attempt begins (under the profile's lock)
    std::string_view address;
    int64_t now = 0;
};
struct Result {  // an attempt's answer
    std::string_view address;
    const Answer* answer = nullptr;
    std::string_view fp;
    int64_t now = 0;
    double u = 0;  // jitter in [0,1)
};
struct Lost {      // an InFlight attempt whose worker is gone (found under the profile's lock)
    double u = 0;  // jitter in [0,1)
};
using Event = std::variant<Trigger, Start, Result, Lost>;

struct Step {
    State next;         // a Trigger never changes the state
    Decision decision;  // meaningful for a Trigger; {Skip, UpToDate} otherwise
};
// THE transition function of the send policy: pure, total, no clock.
[[nodiscard]] Step step(const Profile& p, const State& s, Family f, const Event& e);

// The phase of a family as step() sees it (Suspended while the profile is).
[[nodiscard]] Phase phase_of(const State& s, Family f);

// Shorthands over step().
[[nodiscard]] Decision decide(const Profile& p, const State& s, Family f, std::string_view address, std::string_view fp,
                              int64_t now, bool force);
void begin(State& s, const Profile& p, Family f, std::string_view address, int64_t now);
void record(State& s, const Profile& p, Family f, std::string_view address, const Answer& a, std::string_view fp,
            int64_t now, double u);
// An InFlight family whose worker is gone becomes a transient failure of its
// attempt (failures + 1, the retry delay from the attempt's start); a
// suspended profile stays suspended. Anything else is left alone. True: changed.
bool lose(State& s, const Profile& p, Family f, double u);

// When the plugin should look at this family again while the link stays up.
// BackingOff: the later of next_attempt and floor_until (never 0); Idle: the
// next keep-alive (0: none); Suspended: 0, nothing happens until the profile
// changes; InFlight: when the attempt, if lost, may be retried (as if it had
// failed: the next retry delay from its start, never inside floor_until).
[[nodiscard]] int64_t next_wakeup(const Profile& p, const State& s, Family f);

// One line for `pppkit ddns status`: the phase with its reason and deadline,
// e.g. "backing off after retry-later (failure 2), next attempt in 540s".
[[nodiscard]] std::string describe(const State& s, Family f, int64_t now);

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
