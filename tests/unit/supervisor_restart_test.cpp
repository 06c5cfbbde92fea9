// Unit tests of what pppkitd does with its pppd on SIGTERM, and of the
// handover file (supervisor/core/restart.cpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/restart.hpp"

using namespace pppkit::supervisor;

TEST_SUITE("supervisor")
{
    TEST_CASE("stop outcome: only a restart job on pppkitd's unit keeps the links")
    {
        struct Row {
            int line;
            std::string job_type;
            StopOutcome want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "restart", StopOutcome::KeepLinks},      // systemctl restart, try-restart
            {__LINE__, "try-restart", StopOutcome::KeepLinks},  // as asked, not collapsed
            {__LINE__, "stop", StopOutcome::StopLinks},         // systemctl stop, shutdown
            {__LINE__, "", StopOutcome::StopLinks},             // no job: kill, not systemd
            {__LINE__, "start", StopOutcome::StopLinks},
            {__LINE__, "reload", StopOutcome::StopLinks},
            {__LINE__, "reload-or-start", StopOutcome::StopLinks},
            {__LINE__, "verify-active", StopOutcome::StopLinks},
            {__LINE__, "nop", StopOutcome::StopLinks},
            {__LINE__, "Restart", StopOutcome::StopLinks},   // systemd's names are lower case
            {__LINE__, "restart ", StopOutcome::StopLinks},  // exactly
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(stop_outcome(r.job_type) == r.want);
        }
    }

    TEST_CASE("handover file: one 'PID NAME' line per pppd, anything else skipped")
    {
        struct Row {
            int line;
            std::string text;
            std::vector<Handover> want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "", {}},
            {__LINE__, "1234 lab\n", {{1234, "lab"}}},
            {__LINE__, "1234 lab\n77 lab2\n", {{1234, "lab"}, {77, "lab2"}}},
            {__LINE__, "1234 lab", {{1234, "lab"}}},  // no final newline
            {__LINE__, "1234\n", {}},
            {__LINE__, "1234 \n", {}},
            {__LINE__, "0 lab\n-5 lab\n", {}},
            {__LINE__, "12x4 lab\n 12 lab\n", {}},
            {__LINE__, "12 a b\n", {{12, "a b"}}},                   // the rest of the line
            {__LINE__, "12999999999999 lab\n4294968543 lab\n", {}},  // beyond pid_t: refused, not cut to a pid (fuzz)
            {__LINE__, "99999999999999999999 lab\n", {}},            // out of range
            {__LINE__, "garbage\n5 ok\n", {{5, "ok"}}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(parse_handover(r.text) == r.want);
        }
        const std::vector<Handover> two = {{1234, "lab"}, {77, "lab 2"}};
        CHECK(format_handover(two) == "1234 lab\n77 lab 2\n");
        CHECK(parse_handover(format_handover(two)) == two);
    }

    TEST_CASE("handover fate: adopted, stopped when its link was removed, or not ours")
    {
        struct Row {
            int line;
            Handover h;
            bool configured;
            std::string running_peer;
            HandoverFate want;
        };
        const std::vector<Row> rows = {
            {__LINE__, {747, "lab"}, true, "lab", HandoverFate::Adopt},
            // [link "lab"] removed before the restart: that pppd would run on
            // with nobody to stop it or redial it (was: left alone)
            {__LINE__, {747, "lab"}, false, "lab", HandoverFate::StopUnconfigured},
            {__LINE__, {747, "lab"}, false, "", HandoverFate::NotOurs},       // ended meanwhile
            {__LINE__, {747, "lab"}, true, "", HandoverFate::NotOurs},        // ended meanwhile
            {__LINE__, {747, "lab"}, false, "other", HandoverFate::NotOurs},  // pid reused by another pppd
            {__LINE__, {747, "lab"}, true, "lab2", HandoverFate::NotOurs},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(handover_fate(r.h, r.configured, r.running_peer) == r.want);
        }
    }
}
