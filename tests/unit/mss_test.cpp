// Unit tests of the MSS core (plugins/mss/core/mss.cpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/nfnl.hpp"
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

    TEST_CASE("fit: a fixed MSS above what the MTU carries (IPv4 MTU - 40, IPv6 MTU - 60) is flagged")
    {
        struct Row {
            int line;
            std::string mode;
            int mtu;
            bool ipv4, ipv6;
            Fit want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "1460", 1454, true, true, Fit::AboveMtu},   // review 24: mss = 1460 on PPPoE
            {__LINE__, "1415", 1454, true, false, Fit::AboveMtu},  // IPv4 one above 1414
            {__LINE__, "1414", 1454, true, true, Fit::Fits},       // exactly MTU - 40 (IPv6 1394 = MTU - 60)
            {__LINE__, "1415", 1454, false, true, Fit::AboveMtu},  // IPv6 1395 > 1394
            {__LINE__, "1460", 1454, false, false, Fit::Fits},     // no family clamped
            {__LINE__, "1460", 1500, true, true, Fit::Fits},       // Ethernet MTU
            {__LINE__, "1460", 0, true, true, Fit::Unknown},       // pppd did not say
            {__LINE__, "536", 576, true, false, Fit::Fits},        // the floor on the smallest MTU, IPv4
            {__LINE__, "536", 576, false, true, Fit::AboveMtu},    // IPv6 floor 536 > 516
            {__LINE__, "auto", 1454, true, true, Fit::Fits},       // auto follows the MTU
            {__LINE__, "auto", 500, true, true, Fit::Fits},        // absurd MTU: the route MTU
            {__LINE__, "auto", 0, true, true, Fit::Unknown},
            {__LINE__, "pmtu", 1454, true, true, Fit::Fits},  // the route MTU always fits
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Settings s;
            REQUIRE_FALSE(parse_mode(r.mode, s));
            s.ipv4 = r.ipv4;
            s.ipv6 = r.ipv6;
            CHECK(fit(s, compute(s, r.mtu), r.mtu) == r.want);
        }
        Settings s;
        REQUIRE_FALSE(parse_mode("1460", s));
        CHECK(above_mtu("ppp0", s, 1454) == "ppp0: fixed MSS 1460 is above what MTU 1454 carries (IPv4 MSS at most "
                                            "1414, IPv6 1394): SYNs are not clamped below it");
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

    TEST_CASE("the shared table clamps both directions and both families by lookup")
    {
        auto t = base_table();
        CHECK(t.rfind("table inet pppkit_mss {\n", 0) == 0);
        struct Row {
            int line;
            std::string rule;
        };
        const std::vector<Row> rows = {
            {__LINE__, "type filter hook forward priority mangle; policy accept;"},
            {__LINE__, "tcp flags & (syn | rst) == syn jump clamp"},
            {__LINE__, "meta nfproto ipv4 tcp option maxseg size set oifname map @mss4"},
            {__LINE__, "meta nfproto ipv4 tcp option maxseg size set iifname map @mss4"},
            {__LINE__, "meta nfproto ipv6 tcp option maxseg size set oifname map @mss6"},
            {__LINE__, "meta nfproto ipv6 tcp option maxseg size set iifname map @mss6"},
            {__LINE__, "meta nfproto ipv4 oifname @pmtu4 tcp option maxseg size set rt mtu"},
            {__LINE__, "meta nfproto ipv4 iifname @pmtu4 tcp option maxseg size set rt mtu"},
            {__LINE__, "meta nfproto ipv6 oifname @pmtu6 tcp option maxseg size set rt mtu"},
            {__LINE__, "meta nfproto ipv6 iifname @pmtu6 tcp option maxseg size set rt mtu"},
            {__LINE__, "map mss4 {\n        typeof oifname : tcp option maxseg size\n    }"},
            {__LINE__, "map mss6 {\n        typeof oifname : tcp option maxseg size\n    }"},
            {__LINE__, "set pmtu4 {\n        typeof oifname\n    }"},
            {__LINE__, "set pmtu6 {\n        typeof oifname\n    }"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(t.find(r.rule) != std::string::npos);
        }
        // no rule names an interface: links are elements, not rules
        CHECK(t.find("\"ppp") == std::string::npos);
    }

    TEST_CASE("the base script keeps other links' elements and never doubles a rule")
    {
        auto b = base_ruleset();
        CHECK(b == "add table inet pppkit_mss\n"
                   "add chain inet pppkit_mss forward { type filter hook forward priority mangle; policy accept; }\n"
                   "add chain inet pppkit_mss clamp\n"
                   "flush chain inet pppkit_mss forward\n"
                   "flush chain inet pppkit_mss clamp\n" +
                       base_table());
        // it never deletes the table, a map or a set (that would drop the elements)
        CHECK(b.find("delete") == std::string::npos);
        CHECK(removal() == "add table inet pppkit_mss\ndelete table inet pppkit_mss\n");
    }

    TEST_CASE("a link is one element per enabled family")
    {
        struct Row {
            int line;
            std::string mode;
            bool v4, v6;
            int mtu;
            std::string add;
            std::string del;
        };
        const std::vector<Row> rows = {
            {__LINE__, "auto", true, true, 1454,
             "add element inet pppkit_mss mss4 { \"ppp0\" : 1414 }\n"
             "add element inet pppkit_mss mss6 { \"ppp0\" : 1394 }\n",
             "delete element inet pppkit_mss mss4 { \"ppp0\" }\n"
             "delete element inet pppkit_mss mss6 { \"ppp0\" }\n"},
            {__LINE__, "auto", true, false, 1492, "add element inet pppkit_mss mss4 { \"ppp0\" : 1452 }\n",
             "delete element inet pppkit_mss mss4 { \"ppp0\" }\n"},
            {__LINE__, "auto", false, true, 1492, "add element inet pppkit_mss mss6 { \"ppp0\" : 1432 }\n",
             "delete element inet pppkit_mss mss6 { \"ppp0\" }\n"},
            {__LINE__, "pmtu", true, true, 1454,
             "add element inet pppkit_mss pmtu4 { \"ppp0\" }\n"
             "add element inet pppkit_mss pmtu6 { \"ppp0\" }\n",
             "delete element inet pppkit_mss pmtu4 { \"ppp0\" }\n"
             "delete element inet pppkit_mss pmtu6 { \"ppp0\" }\n"},
            {__LINE__, "auto", true, true, 0,  // unknown MTU: the route MTU
             "add element inet pppkit_mss pmtu4 { \"ppp0\" }\n"
             "add element inet pppkit_mss pmtu6 { \"ppp0\" }\n",
             "delete element inet pppkit_mss pmtu4 { \"ppp0\" }\n"
             "delete element inet pppkit_mss pmtu6 { \"ppp0\" }\n"},
            {__LINE__, "1300", true, true, 1454,
             "add element inet pppkit_mss mss4 { \"ppp0\" : 1300 }\n"
             "add element inet pppkit_mss mss6 { \"ppp0\" : 1280 }\n",
             "delete element inet pppkit_mss mss4 { \"ppp0\" }\n"
             "delete element inet pppkit_mss mss6 { \"ppp0\" }\n"},
            {__LINE__, "auto", false, false, 1454, "", ""},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Settings s = defaults();
            REQUIRE_FALSE(parse_mode(r.mode, s));
            s.ipv4 = r.v4;
            s.ipv6 = r.v6;
            auto e = entries(s, compute(s, r.mtu));
            CHECK(add_entries("ppp0", e) == r.add);
            CHECK(delete_entries("ppp0", e) == r.del);
        }
        Settings off = defaults();
        off.enabled = false;
        CHECK(entries(off, compute(off, 1454)).empty());
        CHECK(delete_slot("ppp1", Slot::Pmtu6) == "delete element inet pppkit_mss pmtu6 { \"ppp1\" }\n");
    }

    TEST_CASE("changes(): the ip-up transaction as netlink changes, deletes first, then adds")
    {
        std::vector<Entry> before = {{Slot::Mss4, 1414}, {Slot::Mss6, 1394}};
        std::vector<Entry> now = {{Slot::Pmtu4, 0}, {Slot::Mss6, 1432}};
        auto c = changes("ppp0", before, now);
        const std::vector<nfnl::Change> want = {
            {nfnl::Op::Delete, "mss4", nfnl::Ifname{"ppp0"}, {}},
            {nfnl::Op::Delete, "mss6", nfnl::Ifname{"ppp0"}, {}},
            {nfnl::Op::Add, "pmtu4", nfnl::Ifname{"ppp0"}, {}},
            {nfnl::Op::Add, "mss6", nfnl::Ifname{"ppp0"}, uint16_t{1432}},
        };
        CHECK(c == want);
        CHECK(changes("ppp0", {}, {}).empty());
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
        const Settings s = from_config(r.doc);
        CHECK(s.mode == Mode::Fixed);
        CHECK(s.fixed == 1400);
        CHECK_FALSE(s.ipv6);
        CHECK(s.ipv4);
    }

    TEST_CASE("[mss]: from_config reads the values parsed at load; an unset key, or no [mss] at all, is its "
              "documented default")
    {
        auto def = [](std::string_view key) { return config::documented_default(mss_spec(), key); };
        const config::Mss mode = std::get<config::Mss>(def("mss"));
        const Settings documented{.mode = mode.mode,
                                  .fixed = mode.fixed,
                                  .ipv4 = std::get<bool>(def("ipv4")),
                                  .ipv6 = std::get<bool>(def("ipv6")),
                                  .enabled = std::get<bool>(def("enabled"))};
        // as the README and pppkit-mss(8) document them
        CHECK(documented == Settings{.mode = Mode::Auto, .fixed = 0, .ipv4 = true, .ipv6 = true, .enabled = true});
        auto with = [&](auto f) {
            Settings s = documented;
            f(s);
            return s;
        };
        struct Row {
            int line;
            std::string text;
            Settings want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "", documented},                                  // no configuration: no [mss]
            {__LINE__, "[link \"dsl\"]\nautostart = no\n", documented},  // other sections only
            {__LINE__, "[mss]\n", documented},                           // the section, no key set
            {__LINE__, "[mss]\nmss = 1400\n", with([](Settings& s) {
                 s.mode = Mode::Fixed;
                 s.fixed = 1400;
             })},
            {__LINE__, "[mss]\nipv6 = no\n", with([](Settings& s) { s.ipv6 = false; })},
            {__LINE__, "[mss]\nenabled = no\n", with([](Settings& s) { s.enabled = false; })},
            {__LINE__,
             "[mss]\nmss = pmtu\nipv4 = off\nipv6 = 0\nenabled = false\n",
             {.mode = Mode::Pmtu, .fixed = 0, .ipv4 = false, .ipv6 = false, .enabled = false}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto l = config::parse_text(r.text, "p.conf", schema());
            REQUIRE(l.ok());
            CHECK(from_config(l.doc) == r.want);
        }
        CHECK(defaults() == documented);  // the plugin's settings without [mss]
    }

    TEST_CASE("mss::Settings has no defaults of its own: one not read from a document is zeros")
    {
        // the old header repeated the schema's yes, yes, yes
        const Settings bare{};
        struct Row {
            int line;
            std::string member;
            bool value;
        };
        const std::vector<Row> rows = {
            {__LINE__, "ipv4", bare.ipv4},
            {__LINE__, "ipv6", bare.ipv6},
            {__LINE__, "enabled", bare.enabled},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CAPTURE(r.member);
            CHECK_FALSE(r.value);
        }
        CHECK(bare.fixed == 0);
    }

    TEST_CASE("describe says what was installed")
    {
        const Settings s = defaults();
        CHECK(describe("ppp0", s, compute(s, 1454), 1454) ==
              "ppp0: IPv4 MSS 1414, IPv6 MSS 1394 (auto, MTU 1454, both directions)");
    }
}
