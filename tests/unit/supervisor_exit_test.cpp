// Unit tests of pppd exit-status classification (supervisor/core/exit_status.cpp).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/exit_status.hpp"

using namespace pppkit::supervisor;

TEST_SUITE("supervisor")
{
    TEST_CASE("classify_exit: what pppkitd does for each way pppd ends")
    {
        using A = ExitAction;
        struct Row {
            int line;
            ProcessEnd end;
            A action;
            bool unclean;
        };
        const std::vector<Row> rows = {
            {__LINE__, {false, 0}, A::Restart, false},     // peer terminated a nodetach pppd
            {__LINE__, {false, 1}, A::Restart, true},      // fatal error: session may be left open
            {__LINE__, {false, 2}, A::StopConfig, false},  // option error: a plugin's file:line
            {__LINE__, {false, 3}, A::StopConfig, false},  // not root
            {__LINE__, {false, 4}, A::StopConfig, false},  // no kernel PPP
            {__LINE__, {false, 5}, A::StopUser, false},    // poff
            {__LINE__, {false, 8}, A::Restart, false},     // connect script failed
            {__LINE__, {false, 10}, A::Restart, false},    // negotiation failed
            {__LINE__, {false, 11}, A::AuthFailure, false},
            {__LINE__, {false, 15}, A::Restart, false},  // LCP echo timeout
            {__LINE__, {false, 16}, A::Restart, false},  // hangup
            {__LINE__, {false, 19}, A::AuthFailure, false},
            {__LINE__, {false, 21}, A::AuthFailure, false},
            {__LINE__, {false, 99}, A::Restart, true},  // unknown: restart, rate-limited
            {__LINE__, {true, 9}, A::Restart, true},    // kill -9
            {__LINE__, {true, 11}, A::Restart, true},   // crash
            {__LINE__, {true, 5}, A::Restart, true},    // signal 5 is not exit status 5
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto c = classify_exit(r.end);
            CHECK(c.action == r.action);
            CHECK(c.unclean == r.unclean);
            CHECK_FALSE(c.reason.empty());
        }
    }

    TEST_CASE("problem_location: the file and line a plugin's refusal names, for CONFIG_FILE= and CONFIG_LINE=")
    {
        struct Row {
            int line;
            std::string text;
            std::optional<ConfigLocation> want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "pppkit-mss: /etc/ppp/pppkit.conf:7: [mss] clamp: not a number (got 'x')",
             ConfigLocation{"/etc/ppp/pppkit.conf", 7}},
            {__LINE__, "pppkit-firewall: /etc/ppp/pppkit.d/10-fw.conf:123: [forward \"web\"] to: bad (got 'a:1: b')",
             ConfigLocation{"/etc/ppp/pppkit.d/10-fw.conf", 123}},
            {__LINE__, "/etc/ppp/pppkit.conf:3: [firewall] wan: bad", ConfigLocation{"/etc/ppp/pppkit.conf", 3}},
            {__LINE__, "pppkit-x: /a:b/c.conf:9: k", ConfigLocation{"/a:b/c.conf", 9}},  // ':' inside the path
            {__LINE__, "pppkit-firewall: [firewall] lan-interfaces takes ppp0 for LAN", std::nullopt},
            {__LINE__, "pppkit-mss: the plugin could not initialise (x); pppd stops before dialling", std::nullopt},
            {__LINE__, "pppkit-mss: relative.conf:7: bad", std::nullopt},
            {__LINE__, "pppkit-mss: /etc/ppp/pppkit.conf:0: bad", std::nullopt},
            {__LINE__, "pppkit-mss: /etc/ppp/pppkit.conf:1234567: bad", std::nullopt},  // more than 6 digits
            {__LINE__, "pppkit-mss: /etc/ppp/pppkit.conf:7:no space", std::nullopt},
            {__LINE__, "pppkit-mss: /etc/ppp/pppkit.conf:7", std::nullopt},
            {__LINE__, "pppkit-mss", std::nullopt},
            {__LINE__, "", std::nullopt},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(problem_location(r.text) == r.want);
        }
    }
}
