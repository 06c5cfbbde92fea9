// Unit tests of [link NAME] in pppkit.conf (supervisor/core/schema.cpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/schema.hpp"
#include "core/link_config.hpp"

using namespace pppkit;

namespace {
config::LoadResult parse(const std::string& text)
{
    auto r = config::parse_text(text, "pppkit.conf", schema());
    for (auto& d : supervisor::link_cross_check(r.doc))
        r.diags.push_back(std::move(d));
    return r;
}
}  // namespace

TEST_SUITE("supervisor")
{
    TEST_CASE("[link NAME]: problems read file:line: [section] key: problem")
    {
        struct Row {
            int line;
            std::string text;
            std::string want;  // the first diagnostic
        };
        const std::vector<Row> rows = {
            {__LINE__, "[link \"dsl\"]\nautostart = maybe\n", "pppkit.conf:2: [link \"dsl\"] autostart:"},
            {__LINE__, "[link \"dsl\"]\nbackoff-floor = 0\n", "pppkit.conf:2: [link \"dsl\"] backoff-floor:"},
            {__LINE__, "[link \"dsl\"]\nbackoff-floor = 10m\nbackoff-ceiling = 1m\n",
             "pppkit.conf:3: [link \"dsl\"] backoff-ceiling: backoff-ceiling must not be below backoff-floor"},
            {__LINE__, "[link \"dsl\"]\nauth-failures = -1\n", "pppkit.conf:2: [link \"dsl\"] auth-failures:"},
            {__LINE__, "[link \"dsl\"]\nmax-dials-per-hour = 0\n", "pppkit.conf:2: [link \"dsl\"] max-dials-per-hour:"},
            {__LINE__, "[link \"dsl\"]\nholdoff = 3\n", "pppkit.conf:2: [link \"dsl\"] holdoff:"},
            {__LINE__, "[link \"dsl\"]\nlan-interface = eth0 eth1\n", "pppkit.conf:2: [link \"dsl\"] lan-interface:"},
            {__LINE__, "[link \"dsl\"]\nlan-interface = eth*\n",
             "pppkit.conf:2: [link \"dsl\"] lan-interface: one interface name, not a pattern"},
            {__LINE__, "[link]\nautostart = yes\n", "pppkit.conf:1:"},
            {__LINE__, "[link \"../x\"]\n", "pppkit.conf:1: [link \"../x\"]"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto res = parse(r.text);
            REQUIRE_FALSE(res.diags.empty());
            CHECK(res.diags[0].str().rfind(r.want, 0) == 0);
            CAPTURE(res.diags[0].str());
        }
    }

    TEST_CASE("[link NAME]: values and defaults")
    {
        auto r = parse("[link \"dsl\"]\nlan-interface = eth1\nbackoff-floor = 1s\nbackoff-ceiling = 10m\n"
                       "auth-failures = 5\nmax-dials-per-hour = 12\nstable-after = 2m\n"
                       "[link \"v6\"]\nautostart = no\n");
        REQUIRE(r.diags.empty());
        auto links = supervisor::read_links(r.doc);
        REQUIRE(links.size() == 2);
        CHECK(links[0].name == "dsl");
        CHECK(links[0].autostart);
        CHECK(links[0].lan_interface == "eth1");
        CHECK(links[0].backoff.floor_ms == 1000);
        CHECK(links[0].backoff.ceiling_ms == 600000);
        CHECK(links[0].backoff.stable_after_ms == 120000);
        CHECK(links[0].backoff.max_dials_per_hour == 12);
        CHECK(links[0].auth_failures == 5);
        CHECK(links[0].line == 1);
        CHECK(links[1].name == "v6");
        CHECK_FALSE(links[1].autostart);
        CHECK(links[1].lan_interface.empty());
        CHECK(links[1].backoff.floor_ms == 2000);
        CHECK(links[1].auth_failures == 3);
    }
}
