// Unit tests of stale PPPoE sessions (supervisor/core/pppoe.cpp): the PADT
// frame byte by byte, the session as pppd's channel reports it, the state
// file pppkitd keeps per link, and the session's TLVs in the event codec.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/event_codec.hpp"
#include "core/pppoe.hpp"

using namespace pppkit::supervisor;
using pppoe::Mac;
using Bytes = std::vector<uint8_t>;

namespace {
const Mac kAc = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
const Mac kOurs = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
}  // namespace

TEST_SUITE("supervisor")
{
    TEST_CASE("pppoe: the PADT frame, byte by byte (RFC 2516 5.5)")
    {
        const pppoe::Session s{0x1234, kAc, "wan0"};
        const Bytes head = {
            0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,  // destination: the AC
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55,  // source: our interface
            0x88, 0x63,                          // PPPoE discovery
            0x11,                                // VER 1, TYPE 1
            0xa7,                                // CODE PADT
            0x12, 0x34,                          // SESSION_ID
        };
        SUBCASE("without a tag: LENGTH 0, zero padding to 60 bytes")
        {
            Bytes want = head;
            want.insert(want.end(), {0x00, 0x00});
            want.resize(60, 0);
            CHECK(pppoe::padt_frame(s, kOurs, "") == want);
        }
        SUBCASE("with a Generic-Error tag")
        {
            Bytes want = head;
            want.insert(want.end(), {0x00, 0x07, 0x02, 0x03, 0x00, 0x03, 'b', 'y', 'e'});
            want.resize(60, 0);
            CHECK(pppoe::padt_frame(s, kOurs, "bye") == want);
        }
        SUBCASE("a long tag: cut at 64 bytes, no padding past the minimum")
        {
            const std::string text(100, 'x');
            Bytes want = head;
            want.insert(want.end(), {0x00, 68, 0x02, 0x03, 0x00, 64});
            want.insert(want.end(), 64, 'x');
            const auto f = pppoe::padt_frame(s, kOurs, text);
            CHECK(f.size() == 14 + 6 + 68);
            CHECK(f == want);
        }
        SUBCASE("session ids at both ends")
        {
            CHECK(pppoe::padt_frame({1, kAc, "e"}, kOurs, "")[16] == 0x00);
            CHECK(pppoe::padt_frame({1, kAc, "e"}, kOurs, "")[17] == 0x01);
            CHECK(pppoe::padt_frame({0xfffe, kAc, "e"}, kOurs, "")[16] == 0xff);
            CHECK(pppoe::padt_frame({0xfffe, kAc, "e"}, kOurs, "")[17] == 0xfe);
        }
    }

    TEST_CASE("pppoe: MAC addresses as pppd writes them")
    {
        struct Row {
            int line;
            std::string in;
            bool ok;
        };
        const std::vector<Row> rows = {
            {__LINE__, "52:54:00:AB:CD:EF", true},  // rp-pppoe.so's remote_number
            {__LINE__, "52:54:00:ab:cd:ef", true},
            {__LINE__, "52:54:00:ab:cd", false},
            {__LINE__, "52:54:00:ab:cd:ef:", false},
            {__LINE__, "52-54-00-ab-cd-ef", false},
            {__LINE__, "52:54:00:ab:cd:eg", false},
            {__LINE__, "5254.00ab.cdef.00", false},
            {__LINE__, "", false},
            {__LINE__, "0123456789", false},  // a telephone number (a modem's remote_number)
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto m = pppoe::parse_mac(r.in);
            CHECK(m.has_value() == r.ok);
            if (m)
                CHECK(*m == kAc);
        }
        CHECK(pppoe::format_mac(kAc) == "52:54:00:ab:cd:ef");
    }

    TEST_CASE("pppoe: the session of pppd's channel is taken only when valid")
    {
        struct Row {
            int line;
            long id;
            std::string mac, dev;
            bool ok;
        };
        const std::vector<Row> rows = {
            {__LINE__, 1, "52:54:00:AB:CD:EF", "wan0", true},
            {__LINE__, 0xfffe, "52:54:00:AB:CD:EF", "enp1s0.100", true},
            {__LINE__, 0, "52:54:00:AB:CD:EF", "wan0", false},       // not connected
            {__LINE__, 0xffff, "52:54:00:AB:CD:EF", "wan0", false},  // reserved
            {__LINE__, -1, "52:54:00:AB:CD:EF", "wan0", false},
            {__LINE__, 70000, "52:54:00:AB:CD:EF", "wan0", false},
            {__LINE__, 5, "", "wan0", false},
            {__LINE__, 5, "00:00:00:00:00:00", "wan0", false},  // no address
            {__LINE__, 5, "FF:FF:FF:FF:FF:FF", "wan0", false},  // broadcast
            {__LINE__, 5, "01:00:5E:00:00:01", "wan0", false},  // multicast
            {__LINE__, 5, "52:54:00:AB:CD:EF", "/dev/ttyS0", false},
            {__LINE__, 5, "52:54:00:AB:CD:EF", "", false},
            {__LINE__, 5, "52:54:00:AB:CD:EF", "a-name-too-long-for-linux", false},
            {__LINE__, 5, "52:54:00:AB:CD:EF", "nic-wan0 x", false},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto s = pppoe::from_pppd(r.id, r.mac, r.dev);
            CHECK(s.has_value() == r.ok);
            if (s) {
                CHECK(s->id == r.id);
                CHECK(s->ac_mac == kAc);
                CHECK(s->ethernet == r.dev);
            }
        }
    }

    TEST_CASE("pppoe: the state file, written and read back")
    {
        const pppoe::Saved saved{{4711, kAc, "wan0"}, 2081};
        const std::string text = pppoe::format_state(saved);
        CHECK(text.find("session=4711\nac-mac=52:54:00:ab:cd:ef\nethernet=wan0\npid=2081\n") != std::string::npos);
        auto back = pppoe::parse_state(text);
        REQUIRE(std::holds_alternative<pppoe::Saved>(back));
        CHECK(std::get<pppoe::Saved>(back) == saved);
        const pppoe::Saved nopid{{1, kAc, "e"}, 0};
        auto back2 = pppoe::parse_state(pppoe::format_state(nopid));
        REQUIRE(std::holds_alternative<pppoe::Saved>(back2));
        CHECK(std::get<pppoe::Saved>(back2) == nopid);
    }

    TEST_CASE("pppoe: a state file that is not pppkitd's own is refused")
    {
        struct Row {
            int line;
            std::string in;
            std::string problem;  // a part of it; "" accepted
        };
        const std::string ok = "session=7\nac-mac=52:54:00:ab:cd:ef\nethernet=wan0\n";
        const std::vector<Row> rows = {
            {__LINE__, ok, ""},
            {__LINE__, "# comment\n\n" + ok + "pid=9", ""},  // no final newline
            {__LINE__, "", "required"},
            {__LINE__, "session=7\nethernet=wan0\n", "required"},
            {__LINE__, "session=0\nac-mac=52:54:00:ab:cd:ef\nethernet=wan0\n", "line 1: invalid session"},
            {__LINE__, "session=65535\nac-mac=52:54:00:ab:cd:ef\nethernet=wan0\n", "invalid session"},
            {__LINE__, "session=7x\nac-mac=52:54:00:ab:cd:ef\nethernet=wan0\n", "invalid session"},
            {__LINE__, "session=\nac-mac=52:54:00:ab:cd:ef\nethernet=wan0\n", "invalid session"},
            {__LINE__, "session=-7\nac-mac=52:54:00:ab:cd:ef\nethernet=wan0\n", "invalid session"},
            {__LINE__, "session=7\nac-mac=ff:ff:ff:ff:ff:ff\nethernet=wan0\n", "line 2: invalid ac-mac"},
            {__LINE__, "session=7\nac-mac=52:54:00:ab:cd:ef\nethernet=../x\n", "line 3: invalid ethernet"},
            {__LINE__, ok + "session=8\n", "line 4: duplicate key session"},
            {__LINE__, ok + "pid=0\n", "invalid pid"},
            {__LINE__, ok + "colour=blue\n", "line 4: unknown key"},
            {__LINE__, ok + "garbage\n", "line 4: not key=value"},
            {__LINE__, " session=7\nac-mac=52:54:00:ab:cd:ef\nethernet=wan0\n", "unknown key"},
            {__LINE__, ok + std::string(pppoe::kMaxStateFile, '#'), "longer than"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto p = pppoe::parse_state(r.in);
            if (r.problem.empty()) {
                CHECK(std::holds_alternative<pppoe::Saved>(p));
            } else {
                REQUIRE(std::holds_alternative<std::string>(p));
                CHECK(std::get<std::string>(p).find(r.problem) != std::string::npos);
            }
        }
    }

    TEST_CASE("event codec: the PPPoE session's TLVs, byte by byte")
    {
        event::Message m;
        m.type = event::MsgType::IpUp;
        m.pid = 42;
        m.session = 0x1234;
        m.ac_mac = kAc;
        m.eth_ifname = "wan0";
        const Bytes want = {'P', 'K', 1,    3,    0,    24,                // header: ip-up, 24 bytes
                            1,   4,   0,    0,    0,    42,                // pid
                            10,  2,   0x12, 0x34,                          // session
                            11,  6,   0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,  // AC MAC
                            12,  4,   'w',  'a',  'n',  '0'};              // Ethernet interface
        CHECK(event::encode(m) == want);
        auto d = event::decode(want);
        REQUIRE(std::holds_alternative<event::Message>(d));
        CHECK(std::get<event::Message>(d) == m);

        struct Row {
            int line;
            Bytes tlv;
            event::DecodeError want;
        };
        const std::vector<Row> bad = {
            {__LINE__, {10, 3, 0, 0, 1}, event::DecodeError::BadTlvSize},              // session of 3 bytes
            {__LINE__, {11, 5, 1, 2, 3, 4, 5}, event::DecodeError::BadTlvSize},        // MAC of 5 bytes
            {__LINE__, {12, 0}, event::DecodeError::BadTlvSize},                       // empty interface
            {__LINE__, {12, 4, 'w', '/', 'n', '0'}, event::DecodeError::BadString},    // a path
            {__LINE__, {10, 2, 0, 1, 10, 2, 0, 2}, event::DecodeError::DuplicateTag},  // two sessions
        };
        for (const auto& r : bad) {
            CAPTURE(r.line);
            Bytes b = {'P', 'K', 1, 3, 0, static_cast<uint8_t>(6 + r.tlv.size()), 1, 4, 0, 0, 0, 42};
            b.insert(b.end(), r.tlv.begin(), r.tlv.end());
            auto e = event::decode(b);
            REQUIRE(std::holds_alternative<event::DecodeError>(e));
            CHECK(event::error_name(std::get<event::DecodeError>(e)) == event::error_name(r.want));
        }
    }
}
