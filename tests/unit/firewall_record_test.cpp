// Unit tests of the plugin's link records (firewall/core/lifecycle.hpp:
// record_of, parse_record), which `pppkit firewall apply` reads after a
// flush, and of trust::stat_field, which reads a pppd's start time.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/trust.hpp"
#include "firewall/core/lifecycle.hpp"

using pppkit::firewall::parse_record;
using pppkit::firewall::Record;
using pppkit::firewall::record_of;

TEST_SUITE("firewall")
{
    TEST_CASE("firewall records: what record_of writes parses back, the same record")
    {
        struct Row {
            int line;
            Record record;
            std::string text;
        };
        const std::vector<Row> rows = {
            {__LINE__,
             {{"ppp0", "203.0.113.7", "dsl-provider"}, 7, 123456, 4026531840},
             "ppp0 203.0.113.7 dsl-provider 7 123456 4026531840\n"},
            {__LINE__,
             {{"ppp1", std::nullopt, "flets.v6"}, 12, 99, 4026532001},  // ESTABLISH, ip-down
             "ppp1 - flets.v6 12 99 4026532001\n"},
            {__LINE__,
             {{"ppp2", "198.51.100.1", ""}, 3, 1, 1},  // a pppd not started by "call"
             "ppp2 198.51.100.1 - 3 1 1\n"},
            {__LINE__,
             {{"wan-ppp_1", std::nullopt, ""}, 4294967295U, 18446744073709551615ULL, 2},
             "wan-ppp_1 - - 4294967295 18446744073709551615 2\n"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(record_of(r.record) == r.text);
            auto back = parse_record(r.text);
            REQUIRE(back);
            CHECK(*back == r.record);
        }
    }

    TEST_CASE("firewall records: only what pppkit could have written is read back")
    {
        struct Row {
            int line;
            std::string text;
        };
        const std::vector<Row> rows = {
            {__LINE__, ""},
            {__LINE__, "ppp0 203.0.113.7 dsl 7 1 2"},      // no newline: cut short while written
            {__LINE__, "ppp0 203.0.113.7 dsl\n"},          // the first format: no owner, never trusted
            {__LINE__, "ppp0 203.0.113.7 dsl 7 1\n"},      // five fields
            {__LINE__, "ppp0 203.0.113.7 dsl 7 1 2 3\n"},  // seven
            {__LINE__, "ppp0  203.0.113.7 dsl 7 1 2\n"},   // an empty field
            {__LINE__, "ppp0 203.0.113.7 dsl 7 1 2\n\n"},  // two lines
            {__LINE__, "ppp0 203.0.113.7 dsl 7 1 2\nppp1 - - 8 1 2\n"},
            {__LINE__, "ppp0 203.0.113.256 dsl 7 1 2\n"},  // not an address
            {__LINE__, "ppp0 203.0.113.07 dsl 7 1 2\n"},   // not inet_ntop's form
            {__LINE__, "ppp0 2001:db8::1 dsl 7 1 2\n"},    // IPv4 only
            {__LINE__, "ppp0 203.0.113.7 d\"sl 7 1 2\n"},  // would end the set comment
            {__LINE__, "ppp0 203.0.113.7 " + std::string(65, 'a') + " 7 1 2\n"},
            {__LINE__, ". 203.0.113.7 dsl 7 1 2\n"},              // "." is no interface name
            {__LINE__, "ppp0/x 203.0.113.7 dsl 7 1 2\n"},         // not an interface name
            {__LINE__, "ppp0123456789abcd - - 7 1 2\n"},          // 17 bytes: longer than IFNAMSIZ-1
            {__LINE__, std::string("ppp0 - ds\0l 7 1 2\n", 18)},  // a NUL
            {__LINE__, "ppp0 - - 0 1 2\n"},                       // no interface has index 0
            {__LINE__, "ppp0 - - 7 0 2\n"},                       // no start time
            {__LINE__, "ppp0 - - 7 1 0\n"},                       // no namespace
            {__LINE__, "ppp0 - - 07 1 2\n"},                      // not the decimal record_of writes
            {__LINE__, "ppp0 - - -7 1 2\n"},
            {__LINE__, "ppp0 - - 7x 1 2\n"},
            {__LINE__, "ppp0 - - 4294967296 1 2\n"},            // beyond an interface index
            {__LINE__, "ppp0 - - 7 18446744073709551616 2\n"},  // beyond 64 bits
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK_FALSE(parse_record(r.text));
        }
    }

    TEST_CASE("trust::stat_field: a /proc/PID/stat field by proc(5)'s number, after the command name")
    {
        // fields 3 (state) to 22 (starttime) of a real line, command names that hold ") " and spaces
        const std::string tail = " S 1 1234 1234 0 -1 4194560 300 0 0 0 5 3 0 0 20 0 1 0 987654 12345678 300\n";
        struct Row {
            int line;
            std::string stat;
            int n;
            std::optional<std::uint64_t> want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "4242 (pppd)" + tail, 22, 987654},
            {__LINE__, "4242 (pppd)" + tail, 4, 1},
            {__LINE__, "4242 (pppd)" + tail, 24, 300},  // the last, before the newline
            {__LINE__, "4242 (pp) 9 9 9 d)" + tail, 22, 987654},
            {__LINE__, "4242 (a b (c))" + tail, 22, 987654},
            {__LINE__, "4242 (pppd)" + tail, 3, std::nullopt},   // "S": not a number
            {__LINE__, "4242 (pppd)" + tail, 25, std::nullopt},  // no such field
            {__LINE__, "4242 (pppd)" + tail, 2, std::nullopt},   // the name is no number field
            {__LINE__, "4242 pppd S 1", 4, std::nullopt},        // no ")"
            {__LINE__, "", 22, std::nullopt},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(pppkit::trust::stat_field(r.stat, r.n) == r.want);
        }
    }
}
