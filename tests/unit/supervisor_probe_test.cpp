// Unit tests of the upstream probes (supervisor/core/probe.cpp): the
// targets, the redial decision, the ICMP echo bytes, and the probe keys of
// [link NAME] (supervisor/core/schema.cpp).
#include <doctest/doctest.h>

#include <netinet/in.h>

#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/schema.hpp"
#include "core/link_config.hpp"
#include "core/probe.hpp"

using namespace pppkit;
using namespace pppkit::supervisor;
using probe::Result;
using probe::Verdict;

TEST_SUITE("supervisor")
{
    TEST_CASE("probe: targets")
    {
        struct Row {
            int line;
            std::string in;
            std::string want;  // texts joined by "|", or "!" + the start of the problem
        };
        const std::vector<Row> rows = {
            {__LINE__, "icmp 192.0.2.1", "icmp 192.0.2.1"},
            {__LINE__, "icmp 192.0.2.1, tcp 198.51.100.7:443", "icmp 192.0.2.1|tcp 198.51.100.7:443"},
            {__LINE__, " tcp [2001:DB8::1]:443 ,icmp 2001:db8:0::7", "tcp [2001:db8::1]:443|icmp 2001:db8::7"},
            {__LINE__, "icmp", "!'icmp ADDRESS' or 'tcp ADDRESS:PORT' expected"},
            {__LINE__, "udp 192.0.2.1:53", "!unknown probe kind 'udp'"},
            {__LINE__, "icmp example.com", "!not an IP address: 'example.com'"},
            {__LINE__, "tcp 192.0.2.1", "!'tcp ADDRESS:PORT' expected"},
            {__LINE__, "tcp 192.0.2.1:0", "!not a port (1-65535): '0'"},
            {__LINE__, "tcp 192.0.2.1:65536", "!not a port"},
            {__LINE__, "tcp 192.0.2.1:44x", "!not a port"},
            {__LINE__, "tcp 2001:db8::1:443", "!'tcp ADDRESS:PORT' expected (an IPv6 address in brackets)"},
            {__LINE__, "tcp [192.0.2.1]:443", "!not an IP address: '192.0.2.1'"},
            {__LINE__, "icmp 192.0.2.1,", "!an empty target"},
            {__LINE__, "icmp 192.0.2.1,,icmp 192.0.2.2", "!an empty target"},
            {__LINE__,
             "icmp 1.1.1.1,icmp 1.1.1.2,icmp 1.1.1.3,icmp 1.1.1.4,icmp 1.1.1.5,icmp 1.1.1.6,icmp 1.1.1.7,icmp 1.1.1.8",
             "icmp 1.1.1.1|icmp 1.1.1.2|icmp 1.1.1.3|icmp 1.1.1.4|icmp 1.1.1.5|icmp 1.1.1.6|icmp 1.1.1.7|icmp 1.1.1.8"},
            {__LINE__,
             "icmp 1.1.1.1,icmp 1.1.1.2,icmp 1.1.1.3,icmp 1.1.1.4,icmp 1.1.1.5,icmp 1.1.1.6,icmp 1.1.1.7,icmp "
             "1.1.1.8,icmp 1.1.1.9",
             "!more than 8 targets"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto got = probe::parse_targets(r.in);
            std::string s;
            if (const auto* e = std::get_if<std::string>(&got)) {
                s = "!" + *e;
                CHECK(s.rfind(r.want, 0) == 0);
            } else {
                for (const auto& t : std::get<std::vector<probe::Target>>(got))
                    s += (s.empty() ? "" : "|") + t.text();
                CHECK(s == r.want);
            }
            CAPTURE(s);
        }
    }

    TEST_CASE("probe: the redial decision, round by round")
    {
        // One link, probe-failures = 3; each row is one round (or a new link).
        struct Row {
            int line;
            bool new_link;  // ip-up of a new session before this row
            bool link_up;
            std::vector<Result> results;
            Verdict want;
            unsigned failed_rounds;  // after the row
            unsigned redials;
        };
        const auto T = Result::Timeout, O = Result::Ok, R = Result::Refused, U = Result::Unreachable, E = Result::Error;
        const std::vector<Row> rows = {
            {__LINE__, false, true, {O, O}, Verdict::Fine, 0, 0},
            {__LINE__, false, true, {T, O}, Verdict::Fine, 0, 0},  // one target answers: fine
            {__LINE__, false, true, {T, T}, Verdict::Failing, 1, 0},
            {__LINE__, false, true, {U, E}, Verdict::Failing, 2, 0},
            {__LINE__, false, true, {T, R}, Verdict::Fine, 0, 0},  // a TCP RST is an answer: reset
            {__LINE__, false, true, {T, T}, Verdict::Failing, 1, 0},
            {__LINE__, false, true, {T, T}, Verdict::Failing, 2, 0},
            {__LINE__, false, false, {T, T}, Verdict::Fine, 2, 0},    // ended after ip-down: does not count
            {__LINE__, false, true, {T, T}, Verdict::Redial, 0, 1},   // the third in a row
            {__LINE__, false, true, {T, T}, Verdict::Failing, 1, 1},  // pppd ignored SIGHUP: count again
            {__LINE__, true, true, {T, T}, Verdict::Failing, 1, 1},   // a new link starts from 0
            {__LINE__, false, true, {T, T}, Verdict::Failing, 2, 1},
            {__LINE__, false, true, {T, T}, Verdict::Redial, 0, 2},
            {__LINE__, false, true, {}, Verdict::Failing, 1, 2},  // no result at all is no answer
        };
        probe::State s;
        for (const auto& r : rows) {
            CAPTURE(r.line);
            if (r.new_link)
                probe::on_link_up(s);
            CHECK(probe::on_round(s, 3, r.link_up, r.results) == r.want);
            CHECK(s.failed_rounds == r.failed_rounds);
            CHECK(s.redials == r.redials);
        }
    }

    TEST_CASE("probe: probe-failures = 1 redials on the first failed round")
    {
        probe::State s;
        const std::vector<Result> none = {Result::Timeout};
        CHECK(probe::on_round(s, 1, true, none) == Verdict::Redial);
        CHECK(probe::on_round(s, 1, true, none) == Verdict::Redial);
        CHECK(s.redials == 2);
    }

    TEST_CASE("probe: ICMP echo request and reply")
    {
        const auto req = probe::echo_request(AF_INET, 0x1234, 7);
        REQUIRE(req.size() == 16);
        CHECK(req[0] == 8);
        CHECK(req[4] == 0x12);
        CHECK(req[7] == 7);
        // the checksum makes the one's complement sum 0xffff
        uint32_t sum = 0;
        for (size_t i = 0; i < req.size(); i += 2)
            sum += static_cast<uint32_t>(req[i] << 8 | req[i + 1]);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        CHECK(sum == 0xffff);
        CHECK(probe::echo_request(AF_INET6, 1, 2)[0] == 128);

        std::vector<uint8_t> reply = req;
        reply[0] = 0;
        std::vector<uint8_t> ip(20, 0);
        ip[0] = 0x45;
        ip[9] = IPPROTO_ICMP;
        std::vector<uint8_t> raw = ip;
        raw.insert(raw.end(), reply.begin(), reply.end());
        std::vector<uint8_t> v6 = probe::echo_request(AF_INET6, 0x1234, 7);
        v6[0] = 129;
        struct Row {
            int line;
            std::vector<uint8_t> pkt;
            int family;
            bool ip_header, check_id;
            bool want;
        };
        std::vector<uint8_t> other_id = reply;
        other_id[5] = 0x35;
        std::vector<uint8_t> other_seq = reply;
        other_seq[7] = 8;
        std::vector<uint8_t> tcp_in_ip = raw;
        tcp_in_ip[9] = IPPROTO_TCP;
        std::vector<uint8_t> bad_ihl = raw;
        bad_ihl[0] = 0x4f;  // 60 bytes of header, longer than the packet... almost
        const std::vector<Row> rows = {
            {__LINE__, reply, AF_INET, false, false, true},       // ping socket
            {__LINE__, reply, AF_INET, false, true, true},        //
            {__LINE__, raw, AF_INET, true, true, true},           // raw socket: IP header first
            {__LINE__, req, AF_INET, false, true, false},         // our own request
            {__LINE__, other_id, AF_INET, true, true, false},     // raw: another pinger's reply
            {__LINE__, other_id, AF_INET, false, false, true},    // ping socket: the kernel matched the id
            {__LINE__, other_seq, AF_INET, false, false, false},  // an earlier round's late reply
            {__LINE__, tcp_in_ip, AF_INET, true, true, false},
            {__LINE__, bad_ihl, AF_INET, true, true, false},
            {__LINE__, std::vector<uint8_t>(reply.begin(), reply.begin() + 7), AF_INET, false, false, false},
            {__LINE__, {}, AF_INET, true, true, false},
            {__LINE__, v6, AF_INET6, false, true, true},
            {__LINE__, reply, AF_INET6, false, true, false},  // an ICMPv4 reply type on a v6 socket
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(probe::is_echo_reply(r.pkt, r.family, r.ip_header, r.check_id, 0x1234, 7) == r.want);
        }
    }

    TEST_CASE("probe: an ICMP error ends a probe only when it quotes our echo request")
    {
        // the error queue's data: the offending packet from its ICMP header on
        const auto req = probe::echo_request(AF_INET, 0x1234, 7);
        const auto req6 = probe::echo_request(AF_INET6, 0x1234, 7);
        auto other_id = req;
        other_id[5] = 0x35;
        auto other_seq = req;
        other_seq[7] = 8;
        auto reply = req;
        reply[0] = 0;
        auto code = req;
        code[1] = 1;
        struct Row {
            int line;
            std::vector<uint8_t> quoted;
            int family;
            bool check_id;
            bool want;
        };
        const std::vector<Row> rows = {
            {__LINE__, req, AF_INET, true, true},          // raw socket: our id and sequence
            {__LINE__, req, AF_INET, false, true},         // ping socket
            {__LINE__, other_id, AF_INET, true, false},    // raw: a forged (or another pinger's) id
            {__LINE__, other_id, AF_INET, false, true},    // ping socket: the kernel matched its id
            {__LINE__, other_seq, AF_INET, true, false},   // another sequence: a forgery or an old round
            {__LINE__, other_seq, AF_INET, false, false},  //
            {__LINE__, reply, AF_INET, true, false},       // quotes an echo reply, not our request
            {__LINE__, code, AF_INET, true, false},        // echo request code is 0
            {__LINE__, req6, AF_INET6, true, true},        // ICMPv6 echo request (128)
            {__LINE__, req, AF_INET6, true, false},        // an ICMPv4 request on a v6 socket
            {__LINE__, req6, AF_INET, true, false},        // and the other way round
            {__LINE__, std::vector<uint8_t>(req.begin(), req.begin() + 7), AF_INET, true, false},  // short
            {__LINE__, {}, AF_INET, false, false},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(probe::quotes_echo_request(r.quoted, r.family, r.check_id, 0x1234, 7) == r.want);
        }
    }

    TEST_CASE("[link NAME] probe keys: problems read file:line: [section] key: problem")
    {
        struct Row {
            int line;
            std::string text;
            std::string want;  // the first diagnostic; "" none
        };
        const std::vector<Row> rows = {
            {__LINE__, "[link \"dsl\"]\nprobe = icmp 192.0.2.1, tcp 198.51.100.7:443\nprobe-interval = 10s\n", ""},
            {__LINE__, "[link \"dsl\"]\nprobe = ping 192.0.2.1\n",
             "pppkit.conf:2: [link \"dsl\"] probe: unknown probe kind 'ping' (icmp or tcp) (got 'ping 192.0.2.1')"},
            {__LINE__, "[link \"dsl\"]\nprobe = tcp 192.0.2.1\n",
             "pppkit.conf:2: [link \"dsl\"] probe: 'tcp ADDRESS:PORT'"},
            {__LINE__, "[link \"dsl\"]\nprobe = icmp 192.0.2.1\nprobe-interval = 0\n",
             "pppkit.conf:3: [link \"dsl\"] probe-interval:"},
            {__LINE__, "[link \"dsl\"]\nprobe = icmp 192.0.2.1\nprobe-failures = 0\n",
             "pppkit.conf:3: [link \"dsl\"] probe-failures:"},
            {__LINE__, "[link \"dsl\"]\nprobe = icmp 192.0.2.1\nprobe-interval = 5s\nprobe-timeout = 10s\n",
             "pppkit.conf:4: [link \"dsl\"] probe-timeout: must not be longer than probe-interval (got '10s')"},
            {__LINE__, "[link \"dsl\"]\nprobe-interval = 5s\n",
             "pppkit.conf:2: [link \"dsl\"] probe-interval: has no effect without probe (got '5s')"},
            {__LINE__, "[link \"dsl\"]\nprobe-failures = 5\n",
             "pppkit.conf:2: [link \"dsl\"] probe-failures: has no effect without probe"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto res = config::parse_text(r.text, "pppkit.conf", schema());
            for (auto& d : link_cross_check(res.doc))
                res.diags.push_back(std::move(d));
            if (r.want.empty()) {
                CHECK(res.diags.empty());
                continue;
            }
            REQUIRE_FALSE(res.diags.empty());
            CAPTURE(res.diags[0].str());
            CHECK(res.diags[0].str().rfind(r.want, 0) == 0);
        }
    }

    TEST_CASE("[link NAME] probe keys: values and defaults")
    {
        auto r = config::parse_text("[link \"dsl\"]\nprobe = icmp 192.0.2.1, tcp [2001:db8::1]:443\n"
                                    "probe-interval = 2s\nprobe-failures = 5\n[link \"v6\"]\n",
                                    "pppkit.conf", schema());
        REQUIRE(r.diags.empty());
        const auto links = read_links(r.doc);
        REQUIRE(links.size() == 2);
        REQUIRE(links[0].probes.size() == 2);
        CHECK(links[0].probes[1].text() == "tcp [2001:db8::1]:443");
        CHECK(links[0].probe_interval_ms == 2000);
        CHECK(links[0].probe_timeout_ms == 2000);  // the 5 s default, within the interval
        CHECK(links[0].probe_failures == 5);
        CHECK(links[1].probes.empty());  // off by default
        CHECK(links[1].probe_interval_ms == 30000);
        CHECK(links[1].probe_timeout_ms == 5000);
        CHECK(links[1].probe_failures == 3);
    }
}
