// backoff.hpp - when to dial again: exponential backoff with jitter, reset
// once a link has been stable, and a hard bound on dials per hour.
// Pure and deterministic: time (milliseconds on a monotonic clock) and the
// random value are passed in. Nothing here logs.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace pppkit::supervisor {

// [link NAME]'s backoff-floor, backoff-ceiling, stable-after and
// max-dials-per-hour (read_links(), link_defaults() in link_config.hpp): no
// defaults of its own, its initial values are zeros.
struct BackoffPolicy {
    int64_t floor_ms = 0;         // first delay
    int64_t ceiling_ms = 0;       // no delay is longer (except the hourly bound)
    int64_t stable_after_ms = 0;  // up this long: the next failure starts at floor again
    int max_dials_per_hour = 0;   // whatever the cause
};

struct BackoffState {
    int failures = 0;                 // consecutive ends since the last stable link
    std::optional<int64_t> up_since;  // the link is up since then
    std::deque<int64_t> dials;        // dial times within the last hour, oldest first
};

struct Delay {
    int64_t ms = 0;
    bool hourly_bound = false;  // the delay was raised to respect max_dials_per_hour
};

// The link came up at now.
void backoff_link_up(BackoffState& s, int64_t now);
// The link (or a dial) ended at now: returns the delay before the next dial,
// and counts the failure. rnd is uniform over uint32_t: the jitter adds up to
// half the exponential delay; the result stays within [floor, ceiling] unless
// the hourly bound needs longer.
[[nodiscard]] Delay backoff_next(const BackoffPolicy& p, BackoffState& s, int64_t now, uint32_t rnd);
// A dial starts at now (counts toward max_dials_per_hour).
void backoff_dialled(BackoffState& s, int64_t now);

}  // namespace pppkit::supervisor
