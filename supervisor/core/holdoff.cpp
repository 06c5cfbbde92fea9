#include "core/holdoff.hpp"

#include <algorithm>

namespace pppkit::supervisor {

namespace {
std::string dur(int64_t ms)
{
    const int64_t s = (ms + 999) / 1000;
    if (s >= 3600 && s % 3600 == 0)
        return std::to_string(s / 3600) + "h";
    if (s >= 60 && s % 60 == 0)
        return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}
}  // namespace

HoldoffPlan plan_holdoff(const std::vector<LinkConfig>& links, std::string_view peer, std::optional<int> user_holdoff_s)
{
    HoldoffPlan p;
    p.policy = link_defaults().backoff;  // no section for the peer: [link]'s documented defaults
    p.peer = std::string(peer);
    p.source = peer.empty() ? HoldoffSource::NoPeer : HoldoffSource::Defaults;
    if (!peer.empty()) {
        // the last section of that name wins, as in read_links' users
        for (const auto& l : links)
            if (l.name == peer) {
                p.policy = l.backoff;
                p.source = HoldoffSource::Link;
                p.file = l.file;
                p.line = l.line;
            }
    }
    if (user_holdoff_s && *user_holdoff_s >= 0) {
        p.user_holdoff_s = user_holdoff_s;
        const int64_t user_ms = int64_t{*user_holdoff_s} * 1000;
        p.policy.floor_ms = std::max(p.policy.floor_ms, user_ms);
        p.policy.ceiling_ms = std::max(p.policy.ceiling_ms, p.policy.floor_ms);
    }
    return p;
}

int holdoff_seconds(const Delay& d)
{
    constexpr int64_t kDay = 86400;
    if (d.ms <= 0)
        return 0;
    // to the nearest second (the jitter stays spread), never 0: 0 is "no wait"
    const int64_t s = std::max<int64_t>((d.ms + 500) / 1000, 1);
    return static_cast<int>(std::min(s, kDay));
}

std::string describe(const HoldoffPlan& p)
{
    const auto& b = p.policy;
    std::string s = "redial backoff " + dur(b.floor_ms) + " doubling to " + dur(b.ceiling_ms) +
                    " (+ up to 50% jitter), back to " + dur(b.floor_ms) + " after " + dur(b.stable_after_ms) +
                    " up, at most " + std::to_string(b.max_dials_per_hour) +
                    " dials an hour, instead of pppd's holdoff";
    switch (p.source) {
    case HoldoffSource::Link:
        s += "; from [link \"" + p.peer + "\"] at " + p.file + ":" + std::to_string(p.line);
        break;
    case HoldoffSource::Defaults: s += "; defaults (no [link \"" + p.peer + "\"] section)"; break;
    case HoldoffSource::NoPeer: s += "; defaults (pppd was not started as 'pppd call NAME')"; break;
    }
    if (p.user_holdoff_s && *p.user_holdoff_s > 0)
        s += "; pppd's option 'holdoff " + std::to_string(*p.user_holdoff_s) + "': the floor is at least " +
             std::to_string(*p.user_holdoff_s) + "s";
    else if (p.user_holdoff_s)
        s += "; pppd's option 'holdoff 0' does not switch the backoff off";
    return s;
}

}  // namespace pppkit::supervisor
