// exit_status.hpp - what pppkitd does when a pppd it watches ends.
// Pure: the classification of pppd's exit status (pppd(8) EXIT STATUS) or the
// signal that killed it. Nothing here logs.
#pragma once

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

}  // namespace pppkit::supervisor
