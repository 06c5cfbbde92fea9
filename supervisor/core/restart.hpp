// restart.hpp - what pppkitd does with the pppd it started itself when it
// gets SIGTERM (issue 8): systemd's job on pppkitd's own unit tells a restart
// (the next pppkitd adopts them: links stay up) from a stop (they end with
// it), and the handover file tells the next pppkitd which of the pppd it
// finds were started by a pppkitd, so that a later stop still ends them.
// Pure: nothing here logs.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace pppkit::supervisor {

enum class StopOutcome {
    StopLinks,  // SIGTERM each pppd pppkitd started, wait for them, exit
    KeepLinks,  // leave them running for the next pppkitd, exit at once
};

// job_type: the JobType of the job systemd runs on pppkitd's unit
// (org.freedesktop.systemd1.Job), "" when there is none. Only a restart
// keeps the links; anything else (stop, a job not known to us, none) stops
// them, as pppkitd always did.
[[nodiscard]] StopOutcome stop_outcome(std::string_view job_type);

// One pppd left running for the next pppkitd.
struct Handover {
    pid_t pid = 0;
    std::string link;
    bool operator==(const Handover&) const = default;
};

// The handover file: one "PID NAME" line each (NAME: the rest of the line).
[[nodiscard]] std::string format_handover(const std::vector<Handover>& pppds);
// Lines that are not "PID NAME" (PID > 0, NAME not empty) are skipped.
[[nodiscard]] std::vector<Handover> parse_handover(std::string_view text);

// What the next pppkitd does with one line of the handover file.
enum class HandoverFate {
    Adopt,             // its link is configured: adopted, and ended when pppkitd stops
    StopUnconfigured,  // its link was removed from the config meanwhile: SIGTERM, as a reload does
    NotOurs,           // the pid no longer runs "pppd call NAME" (ended, or reused): left alone
};
// link_configured: a [link NAME] of h.link is in the config just read;
// running_peer: the NAME of the "pppd call NAME" that h.pid runs now ("" when
// it runs something else or is gone).
[[nodiscard]] HandoverFate handover_fate(const Handover& h, bool link_configured, std::string_view running_peer);

}  // namespace pppkit::supervisor
