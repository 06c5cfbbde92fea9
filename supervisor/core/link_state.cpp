#include "core/link_state.hpp"

namespace pppkit::supervisor {

bool has_pppd(LinkState s) { return s == LinkState::Dialling || s == LinkState::Up; }

namespace {

// One more authentication failure in a row: true when that was the last one allowed.
bool count_auth_failure(Machine& m)
{
    ++m.auth_failures;
    return m.auth_limit > 0 && m.auth_failures >= m.auth_limit;
}

}  // namespace

Action Machine::on(Input in, bool lan_up, ExitClass end)
{
    const Action a = step(in, lan_up, end);
    if (a == Action::SpawnPppd)
        attempt_counted = false;  // a new pppd, a new attempt
    return a;
}

Action Machine::step(Input in, bool lan_up, ExitClass end)
{
    using S = LinkState;
    const bool running = has_pppd(state);
    switch (in) {
    case Input::Start:
        if (running)
            return Action::None;
        auth_failures = 0;
        if (state == S::BackingOff || !lan_up) {
            // a pending backoff keeps its timer: Start never skips it
            if (state != S::BackingOff)
                state = S::WaitingForLan;
            return Action::None;
        }
        state = S::Dialling;
        return Action::SpawnPppd;
    case Input::Stop:
        if (running) {
            state = S::StoppedByUser;
            return Action::KillPppd;
        }
        if (state == S::BackingOff || state == S::WaitingForLan) {
            state = S::StoppedByUser;
            return Action::CancelBackoff;
        }
        return Action::None;
    case Input::LanUp:
        if (state != S::WaitingForLan)
            return Action::None;
        state = S::Dialling;
        return Action::SpawnPppd;
    case Input::LanDown:
        if (state != S::BackingOff)
            return Action::None;
        state = S::WaitingForLan;
        return Action::CancelBackoff;
    case Input::Hello:
        if (running)
            return Action::None;
        {
            const bool timer = state == S::BackingOff;
            attempt_counted = false;
            state = S::Dialling;
            return timer ? Action::CancelBackoff : Action::None;
        }
    case Input::NetworkUp: {
        // from a pppd not seen before (started by hand, or before a restart
        // of the daemon): adopted like Hello
        const bool timer = state == S::BackingOff;
        state = S::Up;
        auth_failures = 0;
        return timer ? Action::CancelBackoff : Action::None;
    }
    case Input::NetworkDown:
        if (state == S::Up)
            state = S::Dialling;
        return Action::None;
    case Input::PppdExit:
        if (!running)
            return Action::None;
        switch (end.action) {
        case ExitAction::StopUser: state = S::StoppedByUser; return Action::None;
        case ExitAction::StopConfig: state = S::FailedConfig; return Action::None;
        case ExitAction::AuthFailure:
            if (attempt_counted)  // its plugin told (AttemptFailedAuth): counted once
                break;
            if (count_auth_failure(*this)) {
                state = S::FailedAuth;
                return Action::None;
            }
            break;
        case ExitAction::Restart: break;
        }
        state = S::BackingOff;
        return Action::ArmBackoff;
    case Input::AttemptStarted: attempt_counted = false; return Action::None;
    case Input::AttemptFailedAuth:
        if (!running || attempt_counted)
            return Action::None;
        attempt_counted = true;
        if (!count_auth_failure(*this))
            return Action::None;  // pppd redials by itself (persist), or exits: PppdExit
        // a persist pppd would dial on for ever: stop it; its exit (status 5)
        // finds the link no longer running and changes nothing
        state = S::FailedAuth;
        return Action::KillPppd;
    case Input::BackoffElapsed:
        if (state != S::BackingOff)
            return Action::None;
        if (!lan_up) {
            state = S::WaitingForLan;
            return Action::None;
        }
        state = S::Dialling;
        return Action::SpawnPppd;
    }
    return Action::None;
}

std::string_view state_name(LinkState s)
{
    switch (s) {
    case LinkState::Stopped: return "stopped";
    case LinkState::WaitingForLan: return "waiting-for-lan";
    case LinkState::Dialling: return "dialling";
    case LinkState::Up: return "up";
    case LinkState::BackingOff: return "backing-off";
    case LinkState::StoppedByUser: return "stopped-by-user";
    case LinkState::FailedAuth: return "failed-auth";
    case LinkState::FailedConfig: return "failed-config";
    }
    return "?";
}

}  // namespace pppkit::supervisor
