#include "core/backoff.hpp"

#include <algorithm>

namespace pppkit::supervisor {

namespace {
constexpr int64_t kHour = int64_t{3600} * 1000;

void expire(BackoffState& s, int64_t now)
{
    while (!s.dials.empty() && s.dials.front() <= now - kHour)
        s.dials.pop_front();
}
}  // namespace

void backoff_link_up(BackoffState& s, int64_t now) { s.up_since = now; }

Delay backoff_next(const BackoffPolicy& p, BackoffState& s, int64_t now, uint32_t rnd)
{
    if (s.up_since && now - *s.up_since >= p.stable_after_ms)
        s.failures = 0;
    s.up_since.reset();
    const int64_t floor = std::max<int64_t>(p.floor_ms, 0);
    const int64_t ceiling = std::max(p.ceiling_ms, floor);
    int64_t base = floor;
    for (int i = 0; i < s.failures && base < ceiling; ++i)
        base *= 2;
    base = std::min(base, ceiling);
    if (s.failures < 62)
        ++s.failures;
    const auto jitter = static_cast<int64_t>((static_cast<unsigned __int128>(base / 2) * rnd) >> 32);
    Delay d{std::min(base + jitter, ceiling), false};
    expire(s, now);
    if (p.max_dials_per_hour > 0 && static_cast<int>(s.dials.size()) >= p.max_dials_per_hour) {
        // the dial that leaves the window makes room
        const int64_t oldest = s.dials[s.dials.size() - static_cast<size_t>(p.max_dials_per_hour)];
        const int64_t wait = oldest + kHour - now;
        if (wait > d.ms)
            d = {wait, true};
    }
    return d;
}

void backoff_dialled(BackoffState& s, int64_t now)
{
    expire(s, now);
    s.dials.push_back(now);
}

}  // namespace pppkit::supervisor
