// Unit tests of pppd's redial delay plan (supervisor/core/holdoff.cpp).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/holdoff.hpp"

using namespace pppkit::supervisor;

namespace {
LinkConfig link_named(const std::string& name, int64_t floor_ms, int64_t ceiling_ms, int line)
{
    LinkConfig l = link_defaults();
    l.name = name;
    l.backoff.floor_ms = floor_ms;
    l.backoff.ceiling_ms = ceiling_ms;
    l.file = "/etc/ppp/pppkit.conf";
    l.line = line;
    return l;
}
}  // namespace

TEST_SUITE("supervisor")
{
    TEST_CASE("holdoff plan: the peer's [link] section, else the defaults; the user's holdoff is the floor")
    {
        const std::vector<LinkConfig> links = {link_named("dsl", 1000, 60000, 3), link_named("v6", 5000, 600000, 9)};
        struct Row {
            int line;
            std::string peer;
            std::optional<int> user;
            HoldoffSource source;
            int64_t floor_ms, ceiling_ms;
        };
        const std::vector<Row> rows = {
            {__LINE__, "dsl", std::nullopt, HoldoffSource::Link, 1000, 60000},
            {__LINE__, "v6", std::nullopt, HoldoffSource::Link, 5000, 600000},
            {__LINE__, "other", std::nullopt, HoldoffSource::Defaults, 2000, 300000},  // [link]'s documented
            {__LINE__, "", std::nullopt, HoldoffSource::NoPeer, 2000, 300000},
            {__LINE__, "dsl", 30, HoldoffSource::Link, 30000, 60000},     // holdoff 30: the floor
            {__LINE__, "dsl", 120, HoldoffSource::Link, 120000, 120000},  // above the ceiling: raises it
            {__LINE__, "dsl", 0, HoldoffSource::Link, 1000, 60000},       // holdoff 0: the floor stays
            {__LINE__, "other", 10, HoldoffSource::Defaults, 10000, 300000},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            const auto p = plan_holdoff(links, r.peer, r.user);
            CHECK(p.source == r.source);
            CHECK(p.policy.floor_ms == r.floor_ms);
            CHECK(p.policy.ceiling_ms == r.ceiling_ms);
            CHECK(p.user_holdoff_s == r.user);
        }
    }

    TEST_CASE("holdoff plan: a later section of the same name wins; its file:line is kept")
    {
        const std::vector<LinkConfig> links = {link_named("dsl", 1000, 60000, 3), link_named("dsl", 4000, 60000, 20)};
        const auto p = plan_holdoff(links, "dsl", std::nullopt);
        CHECK(p.policy.floor_ms == 4000);
        CHECK(p.line == 20);
    }

    TEST_CASE("holdoff seconds: to the nearest second, never 0 for a delay, at most a day")
    {
        struct Row {
            int line;
            int64_t ms;
            int want;
        };
        const std::vector<Row> rows = {
            {__LINE__, 0, 0},        {__LINE__, -5, 0},           {__LINE__, 1, 1},
            {__LINE__, 1499, 1},     {__LINE__, 1500, 2},         {__LINE__, 2999, 3},
            {__LINE__, 300000, 300}, {__LINE__, 86400000, 86400}, {__LINE__, 3600000000, 86400},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(holdoff_seconds(Delay{r.ms, false}) == r.want);
        }
    }

    TEST_CASE("holdoff describe: one line naming the numbers and where they come from")
    {
        struct Row {
            int line;
            std::string peer;
            std::optional<int> user;
            std::string want;  // a part of the line
        };
        const std::vector<LinkConfig> links = {link_named("dsl", 1000, 600000, 7)};
        const std::vector<Row> rows = {
            {__LINE__, "dsl", std::nullopt,
             "redial backoff 1s doubling to 10m (+ up to 50% jitter), back to 1s after 1m up"},
            {__LINE__, "dsl", std::nullopt, "from [link \"dsl\"] at /etc/ppp/pppkit.conf:7"},
            {__LINE__, "x", std::nullopt, "defaults (no [link \"x\"] section)"},
            {__LINE__, "", std::nullopt, "defaults (pppd was not started as 'pppd call NAME')"},
            {__LINE__, "dsl", 30, "redial backoff 30s doubling to 10m"},
            {__LINE__, "dsl", 30, "pppd's option 'holdoff 30': the floor is at least 30s"},
            {__LINE__, "dsl", 0, "pppd's option 'holdoff 0' does not switch the backoff off"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            const auto s = describe(plan_holdoff(links, r.peer, r.user));
            CAPTURE(s);
            CHECK(s.find(r.want) != std::string::npos);
        }
    }
}
