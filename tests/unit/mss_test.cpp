// Unit tests of the MSS core (plugins/mss/core/mss.cpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/schema.hpp"
#include "mss/core/mss.hpp"

using namespace pppkit;
using namespace pppkit::mss;

TEST_SUITE("mss")
{
    TEST_CASE("compute: auto, pmtu and fixed, by MTU")
    {
        struct Row {
            int line;
            std::string mode;
            int mtu;
            std::optional<int> v4, v6;
        };
        const std::vector<Row> rows = {
            {__LINE__, "auto", 1454, 1414, 1394},  // the user's PPPoE line
            {__LINE__, "auto", 1492, 1452, 1432},  // PPPoE's usual MTU
            {__LINE__, "auto", 1500, 1460, 1440},
            {__LINE__, "auto", 1280, 1240, 1220},                 // IPv6 minimum MTU
            {__LINE__, "auto", 0, std::nullopt, std::nullopt},    // unknown: route MTU
            {__LINE__, "auto", 500, std::nullopt, std::nullopt},  // absurd: route MTU
            {__LINE__, "pmtu", 1454, std::nullopt, std::nullopt},
            {__LINE__, "1412", 1454, 1412, 1392},
            {__LINE__, "536", 1454, 536, 536},  // IPv6 never below the floor
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Settings s;
            REQUIRE_FALSE(parse_mode(r.mode, s));
            auto c = compute(s, r.mtu);
            CHECK(c.mss4 == r.v4);
            CHECK(c.mss6 == r.v6);
        }
    }

    TEST_CASE("parse_mode rejects what is not auto, pmtu or 536-65495")
    {
        struct Row {
            int line;
            std::string in;
            std::string problem;
        };
        const std::vector<Row> rows = {
            {__LINE__, "535", "MSS must be 536-65495 (got '535')"},
            {__LINE__, "65496", "MSS must be 536-65495 (got '65496')"},
            {__LINE__, "clamp", "expected auto, pmtu or a number 536-65495 (got 'clamp')"},
            {__LINE__, "", "expected auto, pmtu or a number 536-65495 (got '')"},
            {__LINE__, "-1400", "MSS must be 536-65495 (got '-1400')"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Settings s;
            auto p = parse_mode(r.in, s);
            REQUIRE(p);
            CHECK(*p == r.problem);
        }
    }

    TEST_CASE("the ruleset clamps both directions and both families, in one table")
    {
        Settings s;
        auto text = ruleset("ppp0", s, compute(s, 1454));
        CHECK(text ==
              "add table inet pppkit_mss_ppp0\n"
              "delete table inet pppkit_mss_ppp0\n"
              "table inet pppkit_mss_ppp0 {\n"
              "    chain forward {\n"
              "        type filter hook forward priority mangle; policy accept;\n"
              "        oifname \"ppp0\" meta nfproto ipv4 tcp flags & (syn | rst) == syn tcp option maxseg size > "
              "1414 tcp option maxseg size set 1414\n"
              "        iifname \"ppp0\" meta nfproto ipv4 tcp flags & (syn | rst) == syn tcp option maxseg size > "
              "1414 tcp option maxseg size set 1414\n"
              "        oifname \"ppp0\" meta nfproto ipv6 tcp flags & (syn | rst) == syn tcp option maxseg size > "
              "1394 tcp option maxseg size set 1394\n"
              "        iifname \"ppp0\" meta nfproto ipv6 tcp flags & (syn | rst) == syn tcp option maxseg size > "
              "1394 tcp option maxseg size set 1394\n"
              "    }\n"
              "}\n");
    }

    TEST_CASE("families can be turned off; pmtu uses the route MTU")
    {
        Settings s;
        s.ipv6 = false;
        REQUIRE_FALSE(parse_mode("pmtu", s));
        auto text = ruleset("ppp1", s, compute(s, 1492));
        CHECK(text.find("ipv6") == std::string::npos);
        CHECK(text.find("oifname \"ppp1\" meta nfproto ipv4 tcp flags & (syn | rst) == syn tcp option maxseg size "
                        "set rt mtu") != std::string::npos);
        CHECK(text.find("iifname \"ppp1\"") != std::string::npos);
    }

    TEST_CASE("each interface has its own table, so links do not touch each other")
    {
        CHECK(table_name("ppp0") == "pppkit_mss_ppp0");
        CHECK(table_name("ppp1") == "pppkit_mss_ppp1");
        CHECK(table_name("wan-ppp.1") == "pppkit_mss_wan_ppp_1");
        CHECK(removal("ppp1") == "add table inet pppkit_mss_ppp1\ndelete table inet pppkit_mss_ppp1\n");
    }

    TEST_CASE("interface names nft cannot quote are refused")
    {
        CHECK(valid_ifname("ppp0"));
        CHECK(valid_ifname("wan-ppp.1"));
        CHECK_FALSE(valid_ifname(""));
        CHECK_FALSE(valid_ifname("a\"b"));
        CHECK_FALSE(valid_ifname("ppp*"));
        CHECK_FALSE(valid_ifname("sixteen-chars-xx"));
    }

    TEST_CASE("[mss] in pppkit.conf sets the defaults the options may override")
    {
        auto r = config::parse_text("[mss]\nmss = 1400\nipv6 = no\n", "p.conf", schema());
        REQUIRE(r.ok());
        Settings s;
        apply_config(r.doc, s);
        CHECK(s.mode == Mode::Fixed);
        CHECK(s.fixed == 1400);
        CHECK_FALSE(s.ipv6);
        CHECK(s.ipv4);
    }

    TEST_CASE("describe says what was installed")
    {
        Settings s;
        CHECK(describe("ppp0", s, compute(s, 1454), 1454) ==
              "ppp0: IPv4 MSS 1414, IPv6 MSS 1394 (auto, MTU 1454, both directions)");
    }
}
