// exit_status.hpp - what pppkitd does when a pppd it watches ends.
// Pure: the classification of pppd's exit status (pppd(8) EXIT STATUS) or the
// signal that killed it. Nothing here logs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pppkit::supervisor {

enum class ExitAction {
    Restart,      // dial again after the backoff
    StopUser,     // the user asked for it (poff, SIGTERM): no restart
    StopConfig,   // the configuration or the host is wrong: no restart
    AuthFailure,  // count it; give up after [link] auth-failures
};

// How a process ended: its exit status, or the signal that killed it.
struct ProcessEnd {
    bool signalled = false;
    int code = 0;  // exit status 0-255, or the signal number when signalled
};

struct ExitClass {
    ExitAction action = ExitAction::Restart;
    // true when pppd could not close the session itself (killed, crashed):
    // the PPPoE session may still be open at the access concentrator.
    bool unclean = false;
    std::string_view reason;  // pppd(8)'s meaning, in words
};

[[nodiscard]] ExitClass classify_exit(ProcessEnd end);
[[nodiscard]] std::string_view action_name(ExitAction a);

// Where a plugin's refusal (the event channel's Problem text) points:
// "pppkit-mss: /etc/ppp/pppkit.conf:7: [mss] ..." -> {"/etc/ppp/pppkit.conf", 7},
// for the journal's CONFIG_FILE= and CONFIG_LINE=. nullopt when the text
// names no absolute FILE:LINE after its "pppkit-NAME: " prefix.
struct ConfigLocation {
    std::string file;
    int line = 0;
    bool operator==(const ConfigLocation&) const = default;
};
[[nodiscard]] std::optional<ConfigLocation> problem_location(std::string_view text);

}  // namespace pppkit::supervisor
