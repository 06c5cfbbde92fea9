// holdoff.hpp - pppd's own redial delay (its holdoff_hook, inside pppd)
// from the backoff policy of the peer's [link NAME] section, the same policy
// pppkitd uses to restart pppd. Pure: nothing here logs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backoff.hpp"
#include "core/link_config.hpp"

namespace pppkit::supervisor {

enum class HoldoffSource {
    Link,      // the [link NAME] section of the peer pppd was called with
    Defaults,  // no such section: [link NAME]'s documented defaults (link_defaults())
    NoPeer,    // pppd was not started as "pppd call NAME": the same defaults
};

struct HoldoffPlan {
    BackoffPolicy policy;
    HoldoffSource source = HoldoffSource::Defaults;
    std::string peer;
    std::string file;  // where the [link] section is (source Link)
    int line = 0;
    // pppd's "holdoff N", when the user gave it (peer file, options, command
    // line): it is the floor (the first redial waits at least N s), and it
    // raises the ceiling when it is above it.
    std::optional<int> user_holdoff_s;
};

// links: read_links() of the configuration (empty when there is none).
[[nodiscard]] HoldoffPlan plan_holdoff(const std::vector<LinkConfig>& links, std::string_view peer,
                                       std::optional<int> user_holdoff_s);

// pppd's holdoff_hook answers whole seconds: the delay to the nearest second,
// at least 1 when there is a delay, at most a day.
[[nodiscard]] int holdoff_seconds(const Delay& d);

// One line for pppd's log, saying which holdoff this pppd uses and why.
[[nodiscard]] std::string describe(const HoldoffPlan& p);

}  // namespace pppkit::supervisor
