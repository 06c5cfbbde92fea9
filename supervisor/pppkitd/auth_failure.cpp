#include "pppkitd/auth_failure.hpp"

#include "pppkitd/daemon.hpp"
#include "pppkitd/journal.hpp"

namespace pppkit::supervisor {

std::string auth_reason(const Link& l) { return std::string(classify_exit({false, l.auth_status}).reason); }

std::string auth_giving_up(const Link& l)
{
    return "authentication failed " + std::to_string(l.machine.auth_failures) + " times in a row (" + auth_reason(l) +
           "): giving up, no redial (pppkit status; fix the secret, then restart the link)";
}

nlohmann::json auth_failure_json(const Link& l)
{
    if (l.auth_status == 0)
        return nullptr;
    return {{"status", l.auth_status}, {"reason", auth_reason(l)}, {"at", iso(l.auth_at)}};
}

// A pppd with `persist` redials by itself after a failed attempt and may
// never exit: its plugin's Phase events carry pppd's status (event_codec.hpp),
// which the failure sets before LCP closes (phase TERMINATE, then ESTABLISH
// again from link_down() when LCP goes down, DISCONNECT, DEAD, HOLDOFF), and
// SERIALCONN begins the next attempt (start_link(); not ESTABLISH, which
// link_down() also enters: that counted one attempt twice). The machine counts
// each failed attempt once (also against the exit status 19 of a pppd without
// persist: the same attempt) and, at [link] auth-failures, stops the pppd.
void Daemon::attempt_phase(Link& l, const event::Message& m)
{
    if (static_cast<event::PppPhase>(*m.phase) == event::PppPhase::Serialconn) {
        feed(l, Input::AttemptStarted);
        return;
    }
    if (!m.exit_status)
        return;
    const ExitClass c = classify_exit({false, *m.exit_status});
    if (c.action != ExitAction::AuthFailure)
        return;
    const int before = l.machine.auth_failures;
    const pid_t pid = l.pid;
    feed(l, Input::AttemptFailedAuth);
    if (l.machine.auth_failures == before)
        return;  // counted already, or not our running pppd
    l.auth_status = *m.exit_status;
    l.auth_at = std::time(nullptr);
    if (l.machine.state == LinkState::FailedAuth)
        jlog::link(LOG_ERR, jlog::kAuthFailure, l, auth_giving_up(l) + ": stopping pppd " + std::to_string(pid));
    else
        jlog::link(LOG_WARNING, jlog::kAuthFailure, l,
                   "authentication failed (" + auth_reason(l) + "), " + std::to_string(l.machine.auth_failures) +
                       (l.machine.auth_limit > 0 ? " of " + std::to_string(l.machine.auth_limit) : "") + " in a row");
}

}  // namespace pppkit::supervisor
