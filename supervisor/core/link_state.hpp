// link_state.hpp - the state of one supervised link and its one transition
// function. Pure: the daemon feeds it inputs and carries out the returned
// action (start pppd, arm a timer...). Nothing here logs.
#pragma once

#include <string_view>

#include "core/exit_status.hpp"

namespace pppkit::supervisor {

enum class LinkState {
    Stopped,        // not started (autostart = no, or not yet)
    WaitingForLan,  // wants to dial; the LAN interface is not up
    Dialling,       // a pppd runs; the link is not (yet, or no longer) up
    Up,             // IPCP or IPV6CP is up
    BackingOff,     // pppd ended; the next dial waits for a timer
    StoppedByUser,  // poff, or "stop": no restart
    FailedAuth,     // authentication failed auth-failures times in a row
    FailedConfig,   // pppd refused its configuration (exit 2...): no restart
};

enum class Input {
    Start,           // autostart or the user: dial when the LAN is up
    Stop,            // the user: take the link down, no restart
    LanUp,           // the LAN interface came up
    LanDown,         // the LAN interface went down
    Hello,           // a pppd for this link reports itself (adopt it)
    NetworkUp,       // ip-up or ipv6-up
    NetworkDown,     // ip-down and no other family up (pppd may redial itself)
    PppdExit,        // the pppd ended; see Machine::on's `end`
    BackoffElapsed,  // the backoff timer fired
    // One attempt of a running pppd, from its plugin's events (a pppd with
    // `persist` redials by itself and may never exit):
    AttemptStarted,     // phase SERIALCONN: pppd's start_link(), a new attempt
    AttemptFailedAuth,  // a phase with status 19 or 11: this attempt failed authentication
};

enum class Action {
    None,
    SpawnPppd,      // start "pppd call NAME nodetach"
    ArmBackoff,     // start the backoff timer (the daemon asks backoff_next)
    CancelBackoff,  // drop a pending backoff timer
    KillPppd,       // SIGTERM the pppd (its later exit changes nothing: it is no longer counted as running)
};

struct Machine {
    LinkState state = LinkState::Stopped;
    int auth_failures = 0;  // consecutive, since the last Start or the last time the link was up
    int auth_limit = 3;     // give up after this many (0: never)
    // The current attempt's failure was counted already (AttemptFailedAuth):
    // the exit status 19 of the same attempt is not counted again.
    bool attempt_counted = false;

    // The one transition function. lan_up: the LAN interface is up now; end:
    // how the pppd ended (PppdExit only).
    Action on(Input in, bool lan_up, ExitClass end = {});

private:
    Action step(Input in, bool lan_up, ExitClass end);
};

[[nodiscard]] std::string_view state_name(LinkState s);
[[nodiscard]] bool has_pppd(LinkState s);

}  // namespace pppkit::supervisor
