// Unit tests of [link NAME] in pppkit.conf (supervisor/core/schema.cpp).
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <variant>
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
            // the cross-checks read an unset key as its documented default (5m, 30s)
            {__LINE__, "[link \"dsl\"]\nbackoff-floor = 301s\n",
             "pppkit.conf:2: [link \"dsl\"] backoff-floor: backoff-ceiling must not be below backoff-floor (301s)"},
            {__LINE__, "[link \"dsl\"]\nprobe = icmp 192.0.2.1\nprobe-timeout = 31s\n",
             "pppkit.conf:3: [link \"dsl\"] probe-timeout: must not be longer than probe-interval"},
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

    TEST_CASE("[link NAME]: a section with no key set, and a peer with no section, are exactly the documented "
              "defaults; LinkConfig has no second copy of them")
    {
        const auto sections = supervisor::link_sections();
        const config::SectionSpec& spec = sections.front();
        // a key's documented default as a number: a duration in ms, a flag 0/1
        auto documented = [&](std::string_view key) -> long long {
            const config::Value v = config::documented_default(spec, key);
            if (const auto* d = std::get_if<std::chrono::seconds>(&v))
                return std::chrono::milliseconds(*d).count();
            if (const auto* b = std::get_if<bool>(&v))
                return *b ? 1 : 0;
            return std::get<long long>(v);
        };
        auto r = parse("[link \"dsl\"]\n");
        REQUIRE(r.diags.empty());
        const supervisor::LinkConfig unset = supervisor::read_links(r.doc).at(0);
        const supervisor::LinkConfig none = supervisor::link_defaults();  // pppd's holdoff without a section
        const supervisor::LinkConfig bare{};
        using Field = long long (*)(const supervisor::LinkConfig&);
        struct Row {
            int line;
            std::string key;
            Field field;
            long long want;  // as pppkitd(8) and the README document it
        };
        const std::vector<Row> rows = {
            {__LINE__, "autostart", [](const supervisor::LinkConfig& l) -> long long { return l.autostart; }, 1},
            {__LINE__, "backoff-floor", [](const supervisor::LinkConfig& l) -> long long { return l.backoff.floor_ms; },
             2000},
            {__LINE__, "backoff-ceiling",
             [](const supervisor::LinkConfig& l) -> long long { return l.backoff.ceiling_ms; }, 300000},
            {__LINE__, "stable-after",
             [](const supervisor::LinkConfig& l) -> long long { return l.backoff.stable_after_ms; }, 60000},
            {__LINE__, "auth-failures", [](const supervisor::LinkConfig& l) -> long long { return l.auth_failures; },
             3},
            {__LINE__, "max-dials-per-hour",
             [](const supervisor::LinkConfig& l) -> long long { return l.backoff.max_dials_per_hour; }, 30},
            {__LINE__, "probe-interval",
             [](const supervisor::LinkConfig& l) -> long long { return l.probe_interval_ms; }, 30000},
            {__LINE__, "probe-timeout", [](const supervisor::LinkConfig& l) -> long long { return l.probe_timeout_ms; },
             5000},
            {__LINE__, "probe-failures", [](const supervisor::LinkConfig& l) -> long long { return l.probe_failures; },
             3},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            CAPTURE(row.key);
            CHECK(documented(row.key) == row.want);
            CHECK(row.field(unset) == row.want);
            CHECK(row.field(none) == row.want);
            // the defaults are the schema's only: a LinkConfig not read from
            // a document has none (the old header repeated yes, 2s, 5m ...)
            CHECK(row.field(bare) == 0);
        }
        CHECK(unset.lan_interface.empty());  // no default: dial without waiting
        CHECK(unset.probes.empty());         // none by default
        CHECK(none.lan_interface.empty());
        CHECK(none.probes.empty());
    }

    TEST_CASE("[link NAME]: a key not set is its documented default, read from the schema")
    {
        const auto sections = supervisor::link_sections();
        const config::SectionSpec& spec = sections.front();
        auto secs = [&](std::string_view key) {
            return std::chrono::milliseconds(std::get<std::chrono::seconds>(config::documented_default(spec, key)))
                .count();
        };
        auto num = [&](std::string_view key) { return std::get<long long>(config::documented_default(spec, key)); };
        auto r = parse("[link \"dsl\"]\nprobe = icmp 192.0.2.1\n");
        REQUIRE(r.diags.empty());
        const auto links = supervisor::read_links(r.doc);
        REQUIRE(links.size() == 1);
        const auto& l = links[0];
        CHECK(l.autostart == std::get<bool>(config::documented_default(spec, "autostart")));
        CHECK(l.backoff.floor_ms == secs("backoff-floor"));
        CHECK(l.backoff.ceiling_ms == secs("backoff-ceiling"));
        CHECK(l.backoff.stable_after_ms == secs("stable-after"));
        CHECK(l.auth_failures == num("auth-failures"));
        CHECK(l.backoff.max_dials_per_hour == num("max-dials-per-hour"));
        CHECK(l.probe_interval_ms == secs("probe-interval"));
        CHECK(l.probe_timeout_ms == secs("probe-timeout"));
        CHECK(l.probe_failures == num("probe-failures"));
        // an unset probe-timeout is the default within a shorter interval
        r = parse("[link \"dsl\"]\nprobe = icmp 192.0.2.1\nprobe-interval = 2s\n");
        REQUIRE(r.diags.empty());
        CHECK(supervisor::read_links(r.doc).at(0).probe_timeout_ms == 2000);
        // values at the bounds
        r = parse("[link \"dsl\"]\nbackoff-floor = 3600\nbackoff-ceiling = 1d\nauth-failures = 0\n"
                  "max-dials-per-hour = 3600\nprobe = icmp 192.0.2.1\nprobe-interval = 1h\nprobe-timeout = 60\n"
                  "probe-failures = 100\n");
        REQUIRE(r.diags.empty());
        const auto b = supervisor::read_links(r.doc).at(0);
        CHECK(b.backoff.floor_ms == 3600000);
        CHECK(b.backoff.ceiling_ms == 86400000);
        CHECK(b.auth_failures == 0);
        CHECK(b.backoff.max_dials_per_hour == 3600);
        CHECK(b.probe_interval_ms == 3600000);
        CHECK(b.probe_timeout_ms == 60000);
        CHECK(b.probe_failures == 100);
    }
}
