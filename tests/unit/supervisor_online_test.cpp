// Unit tests of boot ordering's pure parts (supervisor/core/online.cpp): when
// a link is online, [pppkitd] status-listen, the LAN answer's wire format and
// its rate limiter and connection slots.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/schema.hpp"
#include "core/online.hpp"

using namespace pppkit;
using namespace pppkit::supervisor::online;

TEST_SUITE("supervisor")
{
    TEST_CASE("online gate: online only once every loaded plugin said Applied, in place, for one kind of up")
    {
        struct Step {
            const char* plugin;  // nullptr: down()
            int up;
            bool ok;
        };
        struct Row {
            int line;
            std::optional<std::string> expect;  // nullopt: the plugins did not say (older plugin, adopted)
            std::vector<Step> steps;
            bool ready;
            std::vector<std::string> pending, failed;
        };
        const std::vector<Row> rows = {
            {__LINE__, std::nullopt, {}, true, {}, {}},
            {__LINE__, "firewall,mss", {}, false, {"firewall", "mss"}, {}},
            {__LINE__, "firewall,mss", {{"mss", 3, true}}, false, {"firewall"}, {}},
            {__LINE__, "firewall,mss", {{"mss", 3, true}, {"firewall", 3, true}}, true, {}, {}},
            {__LINE__, "firewall,mss", {{"firewall", 3, true}, {"mss", 3, false}}, false, {}, {"mss"}},
            // the firewall in place for ip-up, the MSS only for ipv6-up: not one kind of up complete
            {__LINE__, "firewall,mss", {{"firewall", 3, true}, {"mss", 5, true}}, false, {"mss"}, {}},
            {__LINE__, "firewall,mss", {{"firewall", 5, true}, {"mss", 5, true}}, true, {}, {}},
            {__LINE__, "ddns,firewall,mss", {{"firewall", 3, true}, {"mss", 3, true}}, false, {"ddns"}, {}},
            // a later Applied replaces an earlier failure (the next ip-up)
            {__LINE__, "mss", {{"mss", 3, false}, {"mss", 3, true}}, true, {}, {}},
            // down: the next up starts over
            {__LINE__, "mss", {{"mss", 3, true}, {nullptr, 0, false}}, false, {"mss"}, {}},
            // a plugin not loaded saying Applied changes nothing
            {__LINE__, "mss", {{"firewall", 3, false}}, false, {"mss"}, {"firewall"}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Gate g;
            g.new_pppd();
            if (r.expect)
                g.expect(*r.expect);
            for (const auto& s : r.steps) {
                if (s.plugin == nullptr)
                    g.down();
                else
                    g.applied(s.plugin, s.up, s.ok);
            }
            CHECK(g.ready() == r.ready);
            CHECK(g.pending() == r.pending);
            CHECK(g.failed() == r.failed);
        }
    }

    TEST_CASE("online gate: an empty plugin list keeps what is known; a new pppd forgets it")
    {
        Gate g;
        g.expect("firewall");
        g.expect("");
        CHECK_FALSE(g.ready());
        g.new_pppd();
        CHECK(g.ready());
    }

    TEST_CASE("status-listen: ADDRESS[:PORT], never a wildcard")
    {
        struct Row {
            int line;
            std::string in;
            std::optional<ListenAddr> want;
            bool check_ok;
        };
        const std::vector<Row> rows = {
            {__LINE__, "192.168.1.1", ListenAddr{"192.168.1.1", 939}, true},
            {__LINE__, "192.168.1.1:9000", ListenAddr{"192.168.1.1", 9000}, true},
            {__LINE__, "[fd00::1]:9000", ListenAddr{"fd00::1", 9000}, true},
            {__LINE__, "[fd00::1]", ListenAddr{"fd00::1", 939}, true},
            {__LINE__, "fd00::1", ListenAddr{"fd00::1", 939}, true},
            {__LINE__, "0.0.0.0:8639", ListenAddr{"0.0.0.0", 8639}, false},
            {__LINE__, "[::]:8639", ListenAddr{"::", 8639}, false},
            {__LINE__, "224.0.0.1", ListenAddr{"224.0.0.1", 939}, false},
            {__LINE__, "255.255.255.255", ListenAddr{"255.255.255.255", 939}, false},
            {__LINE__, "192.168.1.1:0", std::nullopt, false},
            {__LINE__, "192.168.1.1:65536", std::nullopt, false},
            {__LINE__, "192.168.1.1:", std::nullopt, false},
            {__LINE__, "192.168.1.1:80x", std::nullopt, false},
            {__LINE__, "router.lan:8639", std::nullopt, false},
            {__LINE__, "[fd00::1]x", std::nullopt, false},
            {__LINE__, "[fd00::1", std::nullopt, false},
            {__LINE__, "", std::nullopt, false},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(parse_listen(r.in) == r.want);
            CHECK(check_listen(r.in).has_value() == !r.check_ok);
        }
    }

    TEST_CASE("[pppkitd] status-listen: problems read file:line, values in order")
    {
        struct Row {
            int line;
            std::string text;
            std::string want;  // the first diagnostic, "" for none
        };
        const std::vector<Row> rows = {
            {__LINE__, "[pppkitd]\nstatus-listen = 192.168.1.1:8639, [fd00::1]:8639\n", ""},
            {__LINE__, "[pppkitd]\n\nstatus-listen = 0.0.0.0:8639\n",
             "pppkit.conf:3: [pppkitd] status-listen: '0.0.0.0:8639': a LAN address of this router"},
            {__LINE__, "[pppkitd]\nstatus-listen = 192.168.1.1:99999\n", "pppkit.conf:2: [pppkitd] status-listen:"},
            {__LINE__, "[pppkitd]\nstatus-listen = lan\n", "pppkit.conf:2: [pppkitd] status-listen:"},
            {__LINE__, "[pppkitd]\nlisten = 192.168.1.1\n", "pppkit.conf:2: [pppkitd] listen:"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto res = config::parse_text(r.text, "pppkit.conf", schema());
            if (r.want.empty()) {
                CHECK(res.diags.empty());
                continue;
            }
            REQUIRE_FALSE(res.diags.empty());
            CAPTURE(res.diags[0].str());
            CHECK(res.diags[0].str().rfind(r.want, 0) == 0);
        }
        auto ok = config::parse_text("[pppkitd]\nstatus-listen = 192.168.1.1, [fd00::1]:9000 192.168.1.1:8639\n",
                                     "pppkit.conf", schema());
        REQUIRE(ok.diags.empty());
        CHECK(read_listen(ok.doc) ==
              std::vector<ListenAddr>{{"192.168.1.1", 939}, {"fd00::1", 9000}, {"192.168.1.1", 8639}});
        auto none = config::parse_text("[link \"dsl\"]\n", "pppkit.conf", schema());
        CHECK(read_listen(none.doc).empty());  // off by default
    }

    TEST_CASE("status-listen: the default port is privileged, an unprivileged one is warned about")
    {
        CHECK(kDefaultPort < kUnprivilegedPortStart);
        struct Row {
            int line;
            std::string text;
            unsigned unprivileged_from;
            std::vector<std::string> want;  // the warnings, in order
        };
        const std::vector<Row> rows = {
            {__LINE__, "[pppkitd]\nstatus-listen = 192.168.1.1\n", 1024, {}},
            {__LINE__, "[pppkitd]\nstatus-listen = 192.168.1.1:1023, [fd00::1]:80\n", 1024, {}},
            {__LINE__,
             "[pppkitd]\n\nstatus-listen = 192.168.1.1:8639\n",
             1024,
             {"pppkit.conf:3: [pppkitd] status-listen: port 8639 is unprivileged: any local user can bind it first "
              "(got '192.168.1.1:8639')"}},
            {__LINE__,
             "[pppkitd]\nstatus-listen = 192.168.1.1:1024, 192.168.1.2, [fd00::1]:9000\n",
             1024,
             {"pppkit.conf:2: [pppkitd] status-listen: port 1024 is unprivileged: any local user can bind it first "
              "(got '192.168.1.1:1024')",
              "pppkit.conf:2: [pppkitd] status-listen: port 9000 is unprivileged: any local user can bind it first "
              "(got '[fd00::1]:9000')"}},
            // net.ipv4.ip_unprivileged_port_start lowered to 0 (some container setups): every port is anyone's
            {__LINE__,
             "[pppkitd]\nstatus-listen = 192.168.1.1\n",
             0,
             {"pppkit.conf:2: [pppkitd] status-listen: port 939 is unprivileged: any local user can bind it first "
              "(got '192.168.1.1')"}},
            {__LINE__, "[link \"dsl\"]\n", 0, {}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto res = config::parse_text(r.text, "pppkit.conf", schema());
            REQUIRE(res.diags.empty());  // warnings, never problems
            std::vector<std::string> got;
            for (const auto& d : listen_warnings(res.doc, r.unprivileged_from))
                got.push_back(d.str());
            CHECK(got == r.want);
        }
    }

    TEST_CASE("ip_unprivileged_port_start: the number, else Linux's default")
    {
        struct Row {
            int line;
            std::string text;
            unsigned want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "1024\n", 1024}, {__LINE__, "0\n", 0},    {__LINE__, "80", 80},
            {__LINE__, "", 1024},       {__LINE__, "x\n", 1024}, {__LINE__, "-1\n", 1024},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(unprivileged_port_start(r.text) == r.want);
        }
    }

    TEST_CASE("LAN answer: one request line in, one word out; anything else is not a request")
    {
        struct Row {
            int line;
            std::string in;
            std::optional<std::string> name;
        };
        const std::vector<Row> rows = {
            {__LINE__, "online dsl-provider\n", "dsl-provider"},
            {__LINE__, "online dsl\r\n", "dsl"},
            {__LINE__, "online\n", ""},
            {__LINE__, "online dsl", std::nullopt},  // no newline
            {__LINE__, "status dsl\n", std::nullopt},
            {__LINE__, "online ../etc\n", std::nullopt},
            {__LINE__, "online .x\n", std::nullopt},
            {__LINE__, "online a b\n", std::nullopt},
            {__LINE__, "online \n", std::nullopt},
            {__LINE__, "online " + std::string(65, 'x') + "\n", std::nullopt},
            {__LINE__, "online " + std::string(64, 'x') + "\n", std::string(64, 'x')},
            {__LINE__, std::string(kMaxRequest + 1, '\n'), std::nullopt},
            {__LINE__, "online dsl\nonline x\n", std::nullopt},
            {__LINE__, std::string("online d\0l\n", 11), std::nullopt},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(parse_request(r.in) == r.name);
        }
        for (auto a : {Answer::Online, Answer::Offline, Answer::Unknown, Answer::Busy, Answer::Error})
            CHECK(parse_answer(answer_line(a)) == a);
        for (const char* bad : {"", "online", "online\n\n", "ONLINE\n", "online\nextra", "onlinex\n"})
            CHECK_FALSE(parse_answer(bad).has_value());
        CHECK(parse_request(request("dsl")) == std::optional<std::string>("dsl"));
        CHECK(parse_request(request("")) == std::optional<std::string>(""));
    }

    TEST_CASE("rate limiter: a source is an IPv4 address or an IPv6 /64")
    {
        struct Row {
            int line;
            std::string a, b;
            bool same;
        };
        const std::vector<Row> rows = {
            {__LINE__, "192.168.1.10", "192.168.1.10", true},
            {__LINE__, "192.168.1.10", "192.168.1.11", false},
            {__LINE__, "::ffff:192.168.1.10", "192.168.1.10", true},  // IPv4-mapped: the IPv4 address
            {__LINE__, "fd00::1", "fd00::ffff:1:2:3", true},          // one /64
            {__LINE__, "fd00:0:0:1::1", "fd00::1", false},            // the next /64
            {__LINE__, "fe80::1", "fe80::2", true},
            {__LINE__, "::c0a8:10a", "192.168.1.10", false},  // IPv4-compatible is IPv6
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            REQUIRE(source_key(r.a).has_value());
            REQUIRE(source_key(r.b).has_value());
            CHECK((*source_key(r.a) == *source_key(r.b)) == r.same);
        }
        for (const char* bad : {"", "router.lan", "192.168.1", "fd00::1/64", "[fd00::1]"})
            CHECK_FALSE(source_key(bad).has_value());
    }

    TEST_CASE("rate limiter: per source, refilled over time; a flood from some sources never starves another")
    {
        using V = Verdict;
        struct Step {
            int line;
            std::string source;
            int64_t at_ms;
            int times;  // the same request this many times
            V want;     // each time
        };
        struct Row {
            int line;
            RateLimiter::Policy policy;
            std::vector<Step> steps;
            size_t sources_after;
        };
        const RateLimiter::Policy def{};
        const RateLimiter::Policy small{
            .per_source_burst = 3, .per_source_per_s = 1, .all_burst = 5, .all_per_s = 10, .max_sources = 2};
        std::vector<Step> eleven;  // review 23 #4: eleven sources at their burst
        for (int i = 1; i <= 11; ++i)
            eleven.push_back({__LINE__, "192.168.1." + std::to_string(100 + i), 1000, 5, V::Allowed});
        for (int i = 1; i <= 11; ++i)
            eleven.push_back({__LINE__, "192.168.1." + std::to_string(100 + i), 1000, 1, V::SourceLimited});
        eleven.push_back({__LINE__, "192.168.1.10", 1000, 5, V::Allowed});  // another host is answered
        // and at their rate (2 a second each, 22 in all) for 10 s: still answered
        for (int64_t t = 1500; t <= 11000; t += 500) {
            for (int i = 1; i <= 11; ++i)
                eleven.push_back({__LINE__, "192.168.1." + std::to_string(100 + i), t, 1, V::Allowed});
            eleven.push_back({__LINE__, "192.168.1.10", t, 1, V::Allowed});
        }
        const std::vector<Row> rows = {
            {__LINE__,
             small,
             {
                 {__LINE__, "10.0.0.1", 1000, 3, V::Allowed},
                 {__LINE__, "10.0.0.1", 1000, 1, V::SourceLimited},  // its burst is used
                 {__LINE__, "10.0.0.2", 1000, 2, V::Allowed},        // another has its own
                 {__LINE__, "10.0.0.2", 1000, 1, V::AllLimited},     // the overall burst (5) is used
                 {__LINE__, "10.0.0.1", 1500, 1, V::SourceLimited},
                 {__LINE__, "10.0.0.1", 2000, 1, V::Allowed},  // one token a second
                 {__LINE__, "10.0.0.1", 2000, 1, V::SourceLimited},
                 {__LINE__, "10.0.0.2", 2000, 1, V::Allowed},  // AllLimited took none of its tokens
             },
             2},
            {__LINE__,
             small,
             {
                 // the table holds 2: a third source replaces the least recently seen
                 {__LINE__, "10.0.0.1", 1000, 3, V::Allowed},
                 {__LINE__, "10.0.0.2", 2000, 1, V::Allowed},
                 {__LINE__, "10.0.0.3", 2500, 1, V::Allowed},  // 10.0.0.1 forgotten
                 {__LINE__, "10.0.0.2", 3000, 1, V::Allowed},  // still known: its bucket, not a new one
                 {__LINE__, "10.0.0.1", 3000, 1, V::Allowed},  // back, with a full bucket (10.0.0.3 forgotten)
             },
             2},
            {__LINE__,
             def,
             {
                 // one /64: every address of it is one source
                 {__LINE__, "fd00::1", 1000, 2, V::Allowed},
                 {__LINE__, "fd00::2", 1000, 2, V::Allowed},
                 {__LINE__, "fd00::3", 1000, 1, V::Allowed},
                 {__LINE__, "fd00::4", 1000, 1, V::SourceLimited},
                 {__LINE__, "fd00:0:0:1::1", 1000, 5, V::Allowed},  // the next /64 has its own
                 {__LINE__, "192.168.1.10", 1000, 5, V::Allowed},
             },
             3},
            {__LINE__, def, eleven, 12},
            {__LINE__,
             def,
             {
                 // one request a second from one source is always answered
                 {__LINE__, "192.168.1.10", 1000, 5, V::Allowed},
                 {__LINE__, "192.168.1.10", 2000, 2, V::Allowed},
                 {__LINE__, "192.168.1.10", 3000, 2, V::Allowed},
                 {__LINE__, "192.168.1.10", 3000, 1, V::SourceLimited},
             },
             1},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            RateLimiter rl(r.policy);
            for (const auto& st : r.steps) {
                CAPTURE(st.line);
                auto k = source_key(st.source);
                REQUIRE(k.has_value());
                for (int i = 0; i < st.times; ++i) {
                    CAPTURE(i);
                    CHECK(rl.allow(*k, st.at_ms) == st.want);
                }
            }
            CHECK(rl.sources() == r.sources_after);
        }
        // the table never grows beyond max_sources
        RateLimiter rl;
        for (int i = 0; i < 1000; ++i)
            (void)rl.allow(*source_key("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256)), 1000 + i);
        CHECK(rl.sources() == RateLimiter::Policy{}.max_sources);
    }

    TEST_CASE("connection slots: the key is the whole address (IPv4, IPv6 /128)")
    {
        struct Row {
            int line;
            std::string a, b;
            bool same;
        };
        const std::vector<Row> rows = {
            {__LINE__, "192.168.1.10", "192.168.1.10", true},
            {__LINE__, "192.168.1.10", "192.168.1.11", false},
            {__LINE__, "::ffff:192.168.1.10", "192.168.1.10", true},  // IPv4-mapped: the IPv4 address
            {__LINE__, "fd00::1", "fd00:0::1", true},                 // spelled differently
            {__LINE__, "fd00::1", "fd00::2", false},                  // one /64, two addresses: two keys
            {__LINE__, "fe80::1", "fe80::2", false},
            {__LINE__, "::c0a8:10a", "192.168.1.10", false},  // IPv4-compatible is IPv6
            {__LINE__, "0.0.0.0", "::", false},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            REQUIRE(address_key(r.a).has_value());
            REQUIRE(address_key(r.b).has_value());
            CHECK((*address_key(r.a) == *address_key(r.b)) == r.same);
        }
        for (const char* bad : {"", "router.lan", "192.168.1", "fd00::1/64", "[fd00::1]", "192.168.1.10:939"})
            CHECK_FALSE(address_key(bad).has_value());
    }

    TEST_CASE("connection slots: at most per_address from one address, total from all; a refusal holds none")
    {
        using S = SlotVerdict;
        enum Op { Take, Release, Check };
        struct Step {
            int line;
            Op op;
            std::string address;
            int times;
            S want;  // each time (Take, Check); ignored for Release
        };
        struct Row {
            int line;
            Slots::Policy policy;
            std::vector<Step> steps;
            size_t open_after, addresses_after;
            std::string probe;  // open_from(probe) after the steps
            size_t probe_open;
        };
        const Slots::Policy def{};
        const Slots::Policy small{.total = 4, .per_address = 2};
        // the review's case: one host with 14 addresses, each opening 4 connections
        // that send nothing; another host still finds a slot
        std::vector<Step> fourteen;
        for (int i = 1; i <= 14; ++i) {
            const std::string a = "192.168.1." + std::to_string(100 + i);
            fourteen.push_back({__LINE__, Take, a, 2, S::Free});
            fourteen.push_back({__LINE__, Take, a, 2, S::AddressFull});
        }
        fourteen.push_back({__LINE__, Take, "192.168.1.10", 2, S::Free});
        fourteen.push_back({__LINE__, Take, "192.168.1.10", 1, S::AddressFull});
        fourteen.push_back({__LINE__, Take, "192.168.1.20", 2, S::Free});  // 32: every slot
        fourteen.push_back({__LINE__, Take, "192.168.1.21", 1, S::AllFull});
        fourteen.push_back({__LINE__, Release, "192.168.1.101", 1, S::Free});
        fourteen.push_back({__LINE__, Take, "192.168.1.21", 1, S::Free});
        const std::vector<Row> rows = {
            {__LINE__, def, {{__LINE__, Check, "192.168.1.10", 1, S::Free}}, 0, 0, "192.168.1.10", 0},
            {__LINE__,
             def,
             {
                 {__LINE__, Take, "192.168.1.10", 2, S::Free},
                 {__LINE__, Take, "192.168.1.10", 3, S::AddressFull},  // refused: not counted
                 {__LINE__, Check, "192.168.1.10", 1, S::AddressFull},
                 {__LINE__, Check, "::ffff:192.168.1.10", 1, S::AddressFull},  // the same address
                 {__LINE__, Take, "192.168.1.11", 1, S::Free},
             },
             3,
             2,
             "192.168.1.10",
             2},
            {__LINE__,
             def,
             {
                 // released: the address may open again
                 {__LINE__, Take, "192.168.1.10", 2, S::Free},
                 {__LINE__, Release, "192.168.1.10", 1, S::Free},
                 {__LINE__, Take, "192.168.1.10", 1, S::Free},
                 {__LINE__, Take, "192.168.1.10", 1, S::AddressFull},
                 {__LINE__, Release, "192.168.1.10", 2, S::Free},
                 {__LINE__, Release, "192.168.1.10", 1, S::Free},  // holding none: a no-op
                 {__LINE__, Release, "192.168.1.99", 1, S::Free},  // never seen: a no-op
             },
             0,
             0,
             "192.168.1.10",
             0},
            {__LINE__,
             def,
             {
                 // IPv6: per address, not per /64 (a LAN's hosts share its /64)
                 {__LINE__, Take, "fd00::10", 2, S::Free},
                 {__LINE__, Take, "fd00::10", 1, S::AddressFull},
                 {__LINE__, Take, "fd00::11", 2, S::Free},
                 {__LINE__, Take, "192.168.1.10", 2, S::Free},
             },
             6,
             3,
             "fd00::10",
             2},
            {__LINE__,
             small,
             {
                 {__LINE__, Take, "10.0.0.1", 2, S::Free},
                 {__LINE__, Take, "10.0.0.2", 2, S::Free},
                 {__LINE__, Take, "10.0.0.3", 1, S::AllFull},
                 {__LINE__, Take, "10.0.0.1", 1, S::AddressFull},  // its own cap first
                 {__LINE__, Release, "10.0.0.2", 1, S::Free},
                 {__LINE__, Take, "10.0.0.3", 1, S::Free},
                 {__LINE__, Take, "10.0.0.3", 1, S::AllFull},
             },
             4,
             3,
             "10.0.0.2",
             1},
            {__LINE__, def, fourteen, 32, 17, "192.168.1.101", 1},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Slots s(r.policy);
            for (const auto& st : r.steps) {
                CAPTURE(st.line);
                auto k = address_key(st.address);
                REQUIRE(k.has_value());
                for (int i = 0; i < st.times; ++i) {
                    CAPTURE(i);
                    if (st.op == Take)
                        CHECK(s.take(*k) == st.want);
                    else if (st.op == Check)
                        CHECK(s.check(*k) == st.want);
                    else
                        s.release(*k);
                }
            }
            CHECK(s.open() == r.open_after);
            CHECK(s.addresses() == r.addresses_after);
            CHECK(s.open_from(*address_key(r.probe)) == r.probe_open);
        }
    }

    TEST_CASE("connection slots: a client's time to ask is short enough that the overall rate cannot hold them all")
    {
        // once the overall burst is spent, at most all_per_s connections a
        // second are accepted, each held kRequestMs at most
        const RateLimiter::Policy rate{};
        const Slots::Policy slots{};
        CHECK(kRequestMs >= 200);  // a LAN client's line has time to arrive
        CHECK(kRequestMs <= 1000);
        CHECK(rate.all_per_s * static_cast<double>(kRequestMs) / 1000.0 < static_cast<double>(slots.total));
        CHECK(slots.per_address == 2);
    }

    TEST_CASE("status-listen: the interface holding the address is bound only when it is LAN")
    {
        const InterfaceRoles none{};
        const InterfaceRoles fw{{"eth1", "wwan*"}, {}, {"ppp0"}, {"eth0"}};
        const InterfaceRoles lan{{}, {"br-lan", "lan*"}, {"wan9"}, {"eth0"}};
        struct Row {
            int line;
            std::string ifname;
            InterfaceRoles roles;
            ListenSide want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "lan0", none, ListenSide::Lan},
            {__LINE__, "ppp0", none, ListenSide::Ppp},  // IPCP gave ppp0 the address: never bound
            {__LINE__, "ppp1", none, ListenSide::Ppp},  // any PPP interface, even without a link on it
            {__LINE__, "pppoe-wan", none, ListenSide::Ppp},
            {__LINE__, "eth1", fw, ListenSide::FirewallWan},     // [firewall] wan, exact
            {__LINE__, "wwan0", fw, ListenSide::FirewallWan},    // [firewall] wan, a pattern
            {__LINE__, "wwan", fw, ListenSide::FirewallWan},     // "wwan*" matches the prefix alone
            {__LINE__, "eth10", fw, ListenSide::Lan},            // "eth1" is a name, not a prefix
            {__LINE__, "eth0", fw, ListenSide::Carrier},         // the PPPoE carrier: the ISP's segment
            {__LINE__, "ppp0", fw, ListenSide::Ppp},             // ppp* first
            {__LINE__, "wan9", lan, ListenSide::LinkInterface},  // a link's interface not named ppp*
            {__LINE__, "eth0", lan, ListenSide::Carrier},        // before lan-interfaces: a carrier is never LAN
            {__LINE__, "br-lan", lan, ListenSide::Lan},          // lan-interfaces, exact
            {__LINE__, "lan3", lan, ListenSide::Lan},            // lan-interfaces, a pattern
            {__LINE__, "eth2", lan, ListenSide::NotInLan},       // lan-interfaces set and not matching
            {__LINE__, "eth2", none, ListenSide::Lan},           // lan-interfaces not set: any other interface
            {__LINE__, "", none, ListenSide::NoName},
            {__LINE__, "a/b", none, ListenSide::NoName},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(listen_side(r.ifname, r.roles) == r.want);
            CHECK(listen_side_text(r.want).empty() == (r.want == ListenSide::Lan));
        }
        CHECK(ifname_matches("ppp*", "ppp"));
        CHECK_FALSE(ifname_matches("ppp*", "pp"));
        CHECK_FALSE(ifname_matches("", ""));
        CHECK_FALSE(ifname_matches("eth1", "eth12"));
    }
}
