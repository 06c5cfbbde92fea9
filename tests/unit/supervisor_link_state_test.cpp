// Unit tests of the link state machine (supervisor/core/link_state.cpp).
#include <doctest/doctest.h>

#include <vector>

#include "core/link_state.hpp"

using namespace pppkit::supervisor;

TEST_SUITE("supervisor")
{
    TEST_CASE("link state: one transition per row, from the state the row names")
    {
        using S = LinkState;
        using I = Input;
        using Ac = Action;
        const ExitClass restart = classify_exit({false, 16});
        const ExitClass poff = classify_exit({false, 5});
        const ExitClass config = classify_exit({false, 2});
        const ExitClass auth = classify_exit({false, 19});
        const ExitClass killed = classify_exit({true, 9});
        struct Row {
            int line;
            S from;
            I in;
            bool lan_up;
            ExitClass end;
            S to;
            Ac action;
        };
        const std::vector<Row> rows = {
            {__LINE__, S::Stopped, I::Start, true, {}, S::Dialling, Ac::SpawnPppd},
            {__LINE__, S::Stopped, I::Start, false, {}, S::WaitingForLan, Ac::None},
            {__LINE__, S::WaitingForLan, I::LanUp, true, {}, S::Dialling, Ac::SpawnPppd},
            {__LINE__, S::WaitingForLan, I::BackoffElapsed, true, {}, S::WaitingForLan, Ac::None},
            {__LINE__, S::Stopped, I::LanUp, true, {}, S::Stopped, Ac::None},    // not started: stays down
            {__LINE__, S::Dialling, I::Start, true, {}, S::Dialling, Ac::None},  // never twice
            {__LINE__, S::Up, I::Start, true, {}, S::Up, Ac::None},
            {__LINE__, S::Dialling, I::NetworkUp, true, {}, S::Up, Ac::None},
            {__LINE__, S::Up, I::NetworkDown, true, {}, S::Dialling, Ac::None},  // persist redials inside pppd
            {__LINE__, S::Up, I::PppdExit, true, restart, S::BackingOff, Ac::ArmBackoff},
            {__LINE__, S::Up, I::PppdExit, true, killed, S::BackingOff, Ac::ArmBackoff},
            {__LINE__, S::Dialling, I::PppdExit, true, poff, S::StoppedByUser, Ac::None},
            {__LINE__, S::Dialling, I::PppdExit, true, config, S::FailedConfig, Ac::None},
            {__LINE__, S::Dialling, I::PppdExit, true, auth, S::BackingOff, Ac::ArmBackoff},  // 1 of 3
            {__LINE__, S::BackingOff, I::PppdExit, true, restart, S::BackingOff, Ac::None},   // no pppd: ignored
            {__LINE__, S::BackingOff, I::BackoffElapsed, true, {}, S::Dialling, Ac::SpawnPppd},
            {__LINE__, S::BackingOff, I::BackoffElapsed, false, {}, S::WaitingForLan, Ac::None},
            {__LINE__, S::BackingOff, I::LanDown, false, {}, S::WaitingForLan, Ac::CancelBackoff},
            {__LINE__, S::BackingOff, I::Start, true, {}, S::BackingOff, Ac::None},  // Start keeps the backoff
            {__LINE__, S::Dialling, I::LanDown, false, {}, S::Dialling, Ac::None},   // pppd decides
            {__LINE__, S::Up, I::Stop, true, {}, S::StoppedByUser, Ac::KillPppd},
            {__LINE__, S::BackingOff, I::Stop, true, {}, S::StoppedByUser, Ac::CancelBackoff},
            {__LINE__, S::WaitingForLan, I::Stop, false, {}, S::StoppedByUser, Ac::CancelBackoff},
            {__LINE__, S::Stopped, I::Stop, true, {}, S::Stopped, Ac::None},
            {__LINE__, S::StoppedByUser, I::Start, true, {}, S::Dialling, Ac::SpawnPppd},
            {__LINE__, S::FailedAuth, I::Start, true, {}, S::Dialling, Ac::SpawnPppd},
            {__LINE__, S::FailedConfig, I::BackoffElapsed, true, {}, S::FailedConfig, Ac::None},
            {__LINE__, S::StoppedByUser, I::Hello, true, {}, S::Dialling, Ac::None},  // pon: adopted
            {__LINE__, S::BackingOff, I::Hello, true, {}, S::Dialling, Ac::CancelBackoff},
            {__LINE__, S::Up, I::Hello, true, {}, S::Up, Ac::None},
            {__LINE__, S::Stopped, I::NetworkUp, true, {}, S::Up, Ac::None},  // adopted at ip-up
            {__LINE__, S::BackingOff, I::NetworkUp, true, {}, S::Up, Ac::CancelBackoff},
            // an attempt of a running pppd failed authentication (its plugin's phase DEAD): 1 of 3
            {__LINE__, S::Dialling, I::AttemptFailedAuth, true, {}, S::Dialling, Ac::None},
            {__LINE__, S::BackingOff, I::AttemptFailedAuth, true, {}, S::BackingOff, Ac::None},  // no pppd
            {__LINE__, S::FailedAuth, I::AttemptFailedAuth, true, {}, S::FailedAuth, Ac::None},
            {__LINE__, S::Dialling, I::AttemptStarted, true, {}, S::Dialling, Ac::None},
            {__LINE__, S::FailedAuth, I::PppdExit, true, poff, S::FailedAuth, Ac::None},  // the pppd we stopped
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Machine m{.state = r.from};
            CHECK(m.on(r.in, r.lan_up, r.end) == r.action);
            CHECK(state_name(m.state) == state_name(r.to));
        }
    }

    TEST_CASE("link state: authentication failures give up after auth-failures in a row; an up link resets")
    {
        const ExitClass auth = classify_exit({false, 19});
        Machine m{.state = LinkState::Dialling, .auth_limit = 3};
        CHECK(m.on(Input::PppdExit, true, auth) == Action::ArmBackoff);
        CHECK(m.on(Input::BackoffElapsed, true) == Action::SpawnPppd);
        CHECK(m.on(Input::PppdExit, true, auth) == Action::ArmBackoff);
        CHECK(m.on(Input::BackoffElapsed, true) == Action::SpawnPppd);
        CHECK(m.on(Input::NetworkUp, true) == Action::None);  // the password was fixed after all
        CHECK(m.auth_failures == 0);
        for (int i = 1; i <= 3; ++i) {
            CAPTURE(i);
            CHECK(m.on(Input::PppdExit, true, auth) == (i < 3 ? Action::ArmBackoff : Action::None));
            if (i < 3)
                CHECK(m.on(Input::BackoffElapsed, true) == Action::SpawnPppd);
        }
        CHECK(m.state == LinkState::FailedAuth);
        CHECK(m.on(Input::BackoffElapsed, true) == Action::None);
        CHECK(m.on(Input::Start, true) == Action::SpawnPppd);  // the user tries again
        CHECK(m.auth_failures == 0);
    }

    TEST_CASE("link state: a persist pppd's failed attempts are counted per attempt, and it is stopped at the limit")
    {
        // pppd with persist never exits on its own: Dialling throughout, one
        // AttemptStarted (phase SERIALCONN) and AttemptFailedAuth (phase DEAD, 19) per attempt
        struct Row {
            int line;
            Input in;
            ExitClass end;
            LinkState to;
            Action action;
            int failures;
        };
        using I = Input;
        using S = LinkState;
        const ExitClass auth = classify_exit({false, 19});
        const ExitClass poff = classify_exit({false, 5});
        const std::vector<Row> rows = {
            {__LINE__, I::AttemptStarted, {}, S::Dialling, Action::None, 0},
            {__LINE__, I::AttemptFailedAuth, {}, S::Dialling, Action::None, 1},
            {__LINE__, I::AttemptFailedAuth, {}, S::Dialling, Action::None, 1},  // the same attempt: once
            {__LINE__, I::AttemptStarted, {}, S::Dialling, Action::None, 1},
            {__LINE__, I::AttemptFailedAuth, {}, S::Dialling, Action::None, 2},
            {__LINE__, I::AttemptStarted, {}, S::Dialling, Action::None, 2},
            {__LINE__, I::AttemptFailedAuth, {}, S::FailedAuth, Action::KillPppd, 3},  // 3 of 3: stop pppd
            {__LINE__, I::PppdExit, poff, S::FailedAuth, Action::None, 3},  // its exit (5): not stopped-by-user
            {__LINE__, I::BackoffElapsed, {}, S::FailedAuth, Action::None, 3},
            {__LINE__, I::PppdExit, auth, S::FailedAuth, Action::None, 3},
            {__LINE__, I::Start, {}, S::Dialling, Action::SpawnPppd, 0},  // the user tries again
        };
        Machine m{.state = LinkState::Dialling, .auth_limit = 3};
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(m.on(r.in, true, r.end) == r.action);
            CHECK(state_name(m.state) == state_name(r.to));
            CHECK(m.auth_failures == r.failures);
        }
    }

    TEST_CASE("link state: a pppd without persist says the failure, then exits 19: one failure, not two")
    {
        struct Row {
            int line;
            Input in;
            ExitClass end;
            LinkState to;
            Action action;
            int failures;
        };
        using I = Input;
        using S = LinkState;
        const ExitClass auth = classify_exit({false, 19});
        const std::vector<Row> rows = {
            {__LINE__, I::AttemptStarted, {}, S::Dialling, Action::None, 0},
            {__LINE__, I::AttemptFailedAuth, {}, S::Dialling, Action::None, 1},
            {__LINE__, I::PppdExit, auth, S::BackingOff, Action::ArmBackoff, 1},  // the same attempt
            {__LINE__, I::BackoffElapsed, {}, S::Dialling, Action::SpawnPppd, 1},
            {__LINE__, I::PppdExit, auth, S::FailedAuth, Action::None, 2},  // no plugin said it: the exit counts
        };
        Machine m{.state = LinkState::Dialling, .auth_limit = 2};
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(m.on(r.in, true, r.end) == r.action);
            CHECK(state_name(m.state) == state_name(r.to));
            CHECK(m.auth_failures == r.failures);
        }
    }

    TEST_CASE("link state: a new pppd (spawned or adopted) starts a new attempt")
    {
        Machine m{.state = LinkState::Dialling, .auth_limit = 5};
        CHECK(m.on(Input::AttemptFailedAuth, true) == Action::None);
        CHECK(m.on(Input::Stop, true) == Action::KillPppd);
        CHECK(m.on(Input::Hello, true) == Action::None);  // pon: adopted, its first attempt
        CHECK(m.on(Input::AttemptFailedAuth, true) == Action::None);
        CHECK(m.auth_failures == 2);
        CHECK(m.on(Input::PppdExit, true, classify_exit({true, 9})) == Action::ArmBackoff);
        CHECK(m.on(Input::BackoffElapsed, true) == Action::SpawnPppd);
        CHECK(m.on(Input::PppdExit, true, classify_exit({false, 19})) == Action::ArmBackoff);
        CHECK(m.auth_failures == 3);
    }

    TEST_CASE("link state: auth-failures = 0 never gives up")
    {
        Machine m{.state = LinkState::Dialling, .auth_limit = 0};
        for (int i = 0; i < 50; ++i) {
            CHECK(m.on(Input::PppdExit, true, classify_exit({false, 19})) == Action::ArmBackoff);
            CHECK(m.on(Input::BackoffElapsed, true) == Action::SpawnPppd);
        }
    }
}
