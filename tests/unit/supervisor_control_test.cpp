// Unit tests of the control socket's pure parts (supervisor/core/control.cpp):
// the request parser and the reload diff of old vs new [link] sections.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/control.hpp"

using namespace pppkit::supervisor;
using namespace pppkit::supervisor::control;

namespace {
using Parsed = std::variant<Request, ParseError>;

LinkConfig link(const std::string& name, int line = 1)
{
    LinkConfig c = link_defaults();
    c.name = name;
    c.file = "/etc/ppp/pppkit.conf";
    c.line = line;
    return c;
}
}  // namespace

TEST_SUITE("supervisor")
{
    TEST_CASE("control request: v1 VERB [NAME], the unversioned status of the first pppkit status")
    {
        struct Row {
            int line;
            std::string in;
            Parsed want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "status\n", Request{Verb::Status, ""}},
            {__LINE__, "status dsl\n", Request{Verb::Status, "dsl"}},
            {__LINE__, "status dsl\r\n", Request{Verb::Status, "dsl"}},
            {__LINE__, "v1 status\n", Request{Verb::Status, ""}},
            {__LINE__, "v1 start dsl\n", Request{Verb::Start, "dsl"}},
            {__LINE__, "v1 stop dsl\n", Request{Verb::Stop, "dsl"}},
            {__LINE__, "v1 restart dsl\n", Request{Verb::Restart, "dsl"}},
            {__LINE__, "v1 reload\n", Request{Verb::Reload, ""}},
            {__LINE__, "v1 start dsl\nv1 stop dsl\n", Request{Verb::Start, "dsl"}},  // one request per connection
            {__LINE__, "v1 start " + std::string(64, 'x') + "\n", Request{Verb::Start, std::string(64, 'x')}},
            {__LINE__, "start dsl\n", ParseError::Verb},  // commands need the version
            {__LINE__, "v2 start dsl\n", ParseError::Version},
            {__LINE__, "v10 status\n", ParseError::Version},
            {__LINE__, "v status\n", ParseError::Verb},
            {__LINE__, "v1 poweroff\n", ParseError::Verb},
            {__LINE__, "v1 START dsl\n", ParseError::Verb},
            {__LINE__, "v1\n", ParseError::Verb},
            {__LINE__, "\n", ParseError::Verb},
            {__LINE__, "v1 start\n", ParseError::Name},
            {__LINE__, "v1 stop \n", ParseError::Name},
            {__LINE__, "v1 reload dsl\n", ParseError::Name},
            {__LINE__, "v1 start a b\n", ParseError::Name},
            {__LINE__, "v1 start  dsl\n", ParseError::Name},
            {__LINE__, "v1 start .hidden\n", ParseError::Name},
            {__LINE__, "v1 start ../x\n", ParseError::Name},
            {__LINE__, "v1 start " + std::string(65, 'x') + "\n", ParseError::Name},
            {__LINE__, std::string("v1 start d\0l\n", 13), ParseError::Name},
            {__LINE__, "v1 start d\x1bl\n", ParseError::Name},
            {__LINE__, "v1 start dsl", ParseError::Incomplete},
            {__LINE__, "", ParseError::Incomplete},
            {__LINE__, std::string(kMaxRequest, 'x') + "\n", ParseError::Incomplete},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(parse_request(r.in) == r.want);
        }
        for (const Request& q :
             {Request{Verb::Status, ""}, Request{Verb::Status, "dsl"}, Request{Verb::Start, "dsl"},
              Request{Verb::Stop, "dsl"}, Request{Verb::Restart, "dsl"}, Request{Verb::Reload, ""}}) {
            CAPTURE(verb_name(q.verb));
            CHECK(parse_request(format_request(q)) == Parsed(q));
        }
        CHECK_FALSE(needs_root(Verb::Status));
        for (Verb v : {Verb::Start, Verb::Stop, Verb::Restart, Verb::Reload})
            CHECK(needs_root(v));
    }

    TEST_CASE("control group: group pppkit's gid from /etc/group's text, without NSS")
    {
        struct Row {
            int line;
            std::string file;
            std::optional<gid_t> want;
        };
        const std::string many(8000, 'm');  // one member list longer than the parser's first buffer
        const std::vector<Row> rows = {
            {__LINE__, "root:x:0:\npppkit:x:998:alice,bob\n", 998},
            {__LINE__, "pppkit:x:998:", 998},  // no newline at the end
            {__LINE__, "root:x:0:\nusers:x:100:\n", std::nullopt},
            {__LINE__, "", std::nullopt},
            {__LINE__, "pppkitd:x:5:\nppp:x:6:\n", std::nullopt},  // names are whole, not prefixes
            {__LINE__, "pppkit:x:0:\n", std::nullopt},             // root's gid: root only
            {__LINE__, "# a comment\n\nbroken line\npppkit:x:997:\n", 997},
            {__LINE__, "big:x:50:" + many + "\npppkit:x:996:\n", 996},
            {__LINE__, "big:x:50:" + many + "\n", std::nullopt},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(control_group(r.file, "pppkit") == r.want);
        }
    }

    TEST_CASE("reload diff: which links are added, removed, changed")
    {
        auto with = [](LinkConfig c, auto f) {
            f(c);
            return c;
        };
        const LinkConfig dsl = link("dsl"), lte = link("lte"), lab = link("lab");
        struct Row {
            int line;
            std::vector<LinkConfig> before, after;
            LinkDiff want;
        };
        const std::vector<Row> rows = {
            {__LINE__, {}, {}, {}},
            {__LINE__, {dsl}, {dsl}, {}},
            {__LINE__, {dsl}, {link("dsl", 40)}, {}},  // moved in the file: the same settings
            {__LINE__, {dsl}, {dsl, lte}, {{"lte"}, {}, {}}},
            {__LINE__, {dsl, lte}, {dsl}, {{}, {"lte"}, {}}},
            {__LINE__, {dsl, lte}, {lab}, {{"lab"}, {"dsl", "lte"}, {}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.autostart = false; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.lan_interface = "br0"; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.backoff.floor_ms = 5000; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.backoff.ceiling_ms = 5000; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.backoff.stable_after_ms = 1; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.backoff.max_dials_per_hour = 1; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.auth_failures = 0; })}, {{}, {}, {"dsl"}}},
            {__LINE__,
             {dsl},
             {with(dsl,
                   [](auto& c) {
                       c.probes = {probe::Target{probe::Kind::Icmp, 2, "192.0.2.1", 0}};
                   })},
             {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.probe_interval_ms = 1000; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.probe_timeout_ms = 1000; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl}, {with(dsl, [](auto& c) { c.probe_failures = 1; })}, {{}, {}, {"dsl"}}},
            {__LINE__, {dsl, lte}, {with(lte, [](auto& c) { c.auth_failures = 9; }), lab}, {{"lab"}, {"dsl"}, {"lte"}}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(diff_links(r.before, r.after) == r.want);
        }
    }
}
