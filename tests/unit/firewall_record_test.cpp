// Unit tests of the plugin's link records (firewall/core/lifecycle.hpp:
// record_of, parse_record), which `pppkit firewall apply` reads after a flush.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "firewall/core/lifecycle.hpp"

using pppkit::firewall::parse_record;
using pppkit::firewall::record_of;
using pppkit::firewall::WanLink;

TEST_SUITE("firewall")
{
    TEST_CASE("firewall records: what record_of writes parses back, the same link")
    {
        struct Row {
            int line;
            WanLink link;
            std::string text;
        };
        const std::vector<Row> rows = {
            {__LINE__, {"ppp0", "203.0.113.7", "dsl-provider"}, "ppp0 203.0.113.7 dsl-provider\n"},
            {__LINE__, {"ppp1", std::nullopt, "flets.v6"}, "ppp1 - flets.v6\n"},  // ESTABLISH, ip-down
            {__LINE__, {"ppp2", "198.51.100.1", ""}, "ppp2 198.51.100.1 -\n"},    // a pppd not started by "call"
            {__LINE__, {"wan-ppp_1", std::nullopt, ""}, "wan-ppp_1 - -\n"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(record_of(r.link) == r.text);
            auto back = parse_record(r.text);
            REQUIRE(back);
            CHECK(*back == r.link);
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
            {__LINE__, "ppp0 203.0.113.7 dsl"},          // no newline: cut short while written
            {__LINE__, "ppp0 203.0.113.7\n"},            // two fields
            {__LINE__, "ppp0 203.0.113.7 dsl extra\n"},  // four
            {__LINE__, "ppp0  203.0.113.7 dsl\n"},       // an empty field
            {__LINE__, "ppp0 203.0.113.7 dsl\n\n"},      // two lines
            {__LINE__, "ppp0 203.0.113.7 dsl\nppp1 - -\n"},
            {__LINE__, "ppp0 203.0.113.256 dsl\n"},  // not an address
            {__LINE__, "ppp0 203.0.113.07 dsl\n"},   // not inet_ntop's form
            {__LINE__, "ppp0 2001:db8::1 dsl\n"},    // IPv4 only
            {__LINE__, "ppp0 203.0.113.7 d\"sl\n"},  // would end the set comment
            {__LINE__, "ppp0 203.0.113.7 " + std::string(65, 'a') + "\n"},
            {__LINE__, ". 203.0.113.7 dsl\n"},              // "." is no interface name
            {__LINE__, "ppp0/x 203.0.113.7 dsl\n"},         // not an interface name
            {__LINE__, "ppp0123456789abcd - -\n"},          // 17 bytes: longer than IFNAMSIZ-1
            {__LINE__, std::string("ppp0 - ds\0l\n", 12)},  // a NUL
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK_FALSE(parse_record(r.text));
        }
    }
}
