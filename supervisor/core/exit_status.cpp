#include "core/exit_status.hpp"

namespace pppkit::supervisor {

ExitClass classify_exit(ProcessEnd end)
{
    using A = ExitAction;
    if (end.signalled)
        return {A::Restart, true, "killed by a signal"};
    switch (end.code) {
    case 0: return {A::Restart, false, "the link ended normally"};
    case 1: return {A::Restart, true, "fatal error"};
    case 2: return {A::StopConfig, false, "option or configuration error"};
    case 3: return {A::StopConfig, false, "pppd is not running as root"};
    case 4: return {A::StopConfig, false, "the kernel has no PPP support"};
    case 5: return {A::StopUser, false, "stopped by signal (poff or stop)"};
    case 6: return {A::Restart, false, "the serial port could not be locked"};
    case 7: return {A::Restart, false, "the device could not be opened"};
    case 8: return {A::Restart, false, "the connect script failed"};
    case 9: return {A::Restart, false, "the pty command failed"};
    case 10: return {A::Restart, false, "PPP negotiation failed"};
    case 11: return {A::AuthFailure, false, "the peer refused to authenticate itself"};
    case 12: return {A::Restart, false, "idle timeout"};
    case 13: return {A::Restart, false, "connect time limit reached"};
    case 14: return {A::Restart, false, "callback negotiated"};
    case 15: return {A::Restart, false, "the peer stopped answering LCP echoes"};
    case 16: return {A::Restart, false, "hangup"};
    case 17: return {A::Restart, false, "loopback detected"};
    case 18: return {A::Restart, false, "the init script failed"};
    case 19: return {A::AuthFailure, false, "authentication to the peer failed"};
    case 20: return {A::Restart, false, "traffic limit reached"};
    case 21: return {A::AuthFailure, false, "CNID authentication failed"};
    default: return {A::Restart, true, "unknown exit status"};
    }
}

std::string_view action_name(ExitAction a)
{
    switch (a) {
    case ExitAction::Restart: return "restart";
    case ExitAction::StopUser: return "stop-user";
    case ExitAction::StopConfig: return "stop-config";
    case ExitAction::AuthFailure: return "auth-failure";
    }
    return "?";
}

std::optional<ConfigLocation> problem_location(std::string_view text)
{
    if (text.starts_with("pppkit-")) {
        const size_t p = text.find(": ");
        if (p == std::string_view::npos)
            return std::nullopt;
        text.remove_prefix(p + 2);
    }
    if (!text.starts_with('/'))
        return std::nullopt;
    // FILE:LINE: -- the last ':' of FILE is the one followed by digits and ": "
    for (size_t c = text.find(':'); c != std::string_view::npos; c = text.find(':', c + 1)) {
        size_t e = c + 1;
        int line = 0;
        while (e < text.size() && e - c <= 7 && text[e] >= '0' && text[e] <= '9')
            line = line * 10 + (text[e++] - '0');
        if (e > c + 1 && e - c <= 7 && text.substr(e, 2) == ": " && line > 0)
            return ConfigLocation{std::string(text.substr(0, c)), line};
    }
    return std::nullopt;
}

}  // namespace pppkit::supervisor
