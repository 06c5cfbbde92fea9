// Unit tests of the plugin -> pppkitd event codec (supervisor/core/event_codec.cpp).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/event_codec.hpp"

using namespace pppkit::supervisor::event;
using Bytes = std::vector<uint8_t>;

namespace {

Message full()
{
    Message m;
    m.type = MsgType::IpUp;
    m.pid = 0x01020304;
    m.peer = "dsl-provider";
    m.ifname = "ppp0";
    m.eth_ifname = "eth0";
    m.local4 = {{203, 0, 113, 10}};
    m.remote4 = {{203, 0, 113, 1}};
    m.local6 = {{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}};
    m.remote6 = {{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1}};
    m.mtu = 1454;
    m.session = 0x1234;
    m.ac_mac = {{0x02, 0, 0, 0, 0, 0x01}};
    m.phase = 8;
    m.exit_status = 0;
    return m;
}

// A header for payload p, with the length the header should have.
Bytes msg(uint8_t type, const Bytes& payload, uint8_t version = 1)
{
    Bytes b = {
        'P', 'K', version, type, static_cast<uint8_t>(payload.size() >> 8), static_cast<uint8_t>(payload.size())};
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

const Bytes kPid = {1, 4, 0, 0, 0, 42};

Bytes cat(Bytes a, const Bytes& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TEST_SUITE("supervisor")
{
    TEST_CASE("event codec: every field survives encode and decode")
    {
        struct Row {
            int line;
            Message m;
        };
        Message exit_msg;
        exit_msg.type = MsgType::Exit;
        exit_msg.pid = 7;
        exit_msg.exit_status = 19;
        Message phase;
        phase.type = MsgType::Phase;
        phase.pid = 99999;
        phase.phase = 11;
        phase.peer = "flets.v6";
        Message dead = phase;  // the end of one attempt, with its status (persist: pppd redials)
        dead.phase = 0;
        dead.exit_status = 19;
        Message hello;
        hello.pid = 1;
        Message hello_plugins = hello;
        hello_plugins.plugins = "firewall,mss";
        Message applied;
        applied.type = MsgType::Applied;
        applied.pid = 4242;
        applied.ifname = "ppp1";
        applied.plugin = "firewall";
        applied.outcome = 1;
        applied.up_type = static_cast<uint8_t>(MsgType::Ipv6Up);
        Message problem;  // a file:line message: spaces, '/', quotes
        problem.type = MsgType::Problem;
        problem.pid = 4243;
        problem.peer = "dsl-provider";
        problem.text = "pppkit-mss: /etc/ppp/pppkit.conf:7: [mss] clamp: not a number (got 'x y')";
        Message problem_long = problem;  // the longest text there is, beside the longest peer and ifname
        problem_long.peer = std::string(kMaxString, 'p');
        problem_long.ifname = std::string(kMaxString, 'i');
        problem_long.text = std::string(kMaxText, '/');
        const std::vector<Row> rows = {
            {__LINE__, full()},   {__LINE__, hello_plugins}, {__LINE__, applied},
            {__LINE__, exit_msg}, {__LINE__, phase},         {__LINE__, hello},
            {__LINE__, dead},     {__LINE__, problem},       {__LINE__, problem_long},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto b = encode(r.m);
            CHECK(b.size() <= kMaxMessage);
            auto d = decode(b);
            REQUIRE(std::holds_alternative<Message>(d));
            CHECK(std::get<Message>(d) == r.m);
        }
    }

    TEST_CASE("event codec: hostile datagrams are rejected with the reason")
    {
        using E = DecodeError;
        struct Row {
            int line;
            Bytes in;
            E want;
        };
        const Bytes hdr_ok = msg(1, kPid);
        Bytes wrong_len = hdr_ok;
        wrong_len[5] += 1;
        Bytes short_len = hdr_ok;
        short_len[5] -= 1;
        const std::vector<Row> rows = {
            {__LINE__, {}, E::TooShort},
            {__LINE__, {'P', 'K', 1, 1, 0}, E::TooShort},
            {__LINE__, Bytes(kMaxMessage + 1, 0), E::TooLong},
            {__LINE__, Bytes(65535, 'P'), E::TooLong},
            {__LINE__, cat({'X', 'K', 1, 1, 0, 6}, kPid), E::BadMagic},
            {__LINE__, msg(1, kPid, 2), E::BadVersion},
            {__LINE__, msg(1, kPid, 0), E::BadVersion},
            {__LINE__, msg(0, kPid), E::BadType},
            {__LINE__, msg(9, kPid), E::BadType},
            {__LINE__, msg(255, kPid), E::BadType},
            {__LINE__, wrong_len, E::LengthMismatch},
            {__LINE__, short_len, E::LengthMismatch},
            {__LINE__, msg(1, {1}), E::TruncatedTlv},                                      // tag without length
            {__LINE__, msg(1, {1, 4, 0, 0}), E::TruncatedTlv},                             // value cut short
            {__LINE__, msg(1, {2, 255, 'a'}), E::TruncatedTlv},                            // length beyond the datagram
            {__LINE__, msg(1, {1, 2, 0, 1}), E::BadTlvSize},                               // pid of 2 bytes
            {__LINE__, msg(1, cat(kPid, {5, 3, 1, 2, 3})), E::BadTlvSize},                 // IPv4 of 3 bytes
            {__LINE__, msg(1, cat(kPid, {9, 4, 0, 0, 5, 0xdc})), E::BadTlvSize},           // MTU of 4 bytes
            {__LINE__, msg(1, cat(kPid, {2, 0})), E::BadTlvSize},                          // empty peer
            {__LINE__, msg(1, cat(kPid, cat({2, 65}, Bytes(65, 'a')))), E::BadTlvSize},    // peer too long
            {__LINE__, msg(1, cat(kPid, {2, 5, '.', '.', '/', 'x', 'y'})), E::BadString},  // a path
            {__LINE__, msg(1, cat(kPid, {3, 4, 'p', 'p', 'p', 0})), E::BadString},         // NUL
            {__LINE__, msg(1, cat(kPid, {2, 3, 'a', '\n', 'b'})), E::BadString},           // newline in logs
            {__LINE__, msg(1, cat(kPid, {2, 3, 'a', ' ', 'b'})), E::BadString},
            {__LINE__, msg(1, cat(kPid, {2, 2, 0xc3, 0xa9})), E::BadString},  // not ASCII
            {__LINE__, msg(1, cat(kPid, kPid)), E::DuplicateTag},
            {__LINE__, msg(1, cat(kPid, {3, 1, 'a', 3, 1, 'b'})), E::DuplicateTag},
            {__LINE__, msg(1, {}), E::MissingField},                  // no pid
            {__LINE__, msg(1, {1, 4, 0, 0, 0, 0}), E::MissingField},  // pid 0
            {__LINE__, msg(2, kPid), E::MissingField},                // phase without the phase
            {__LINE__, msg(8, kPid), E::MissingField},                // exit without the status
            // version 2: Applied only, with its three fields in range
            {__LINE__, msg(9, kPid, 2), E::MissingField},
            {__LINE__, msg(9, cat(kPid, {15, 3, 'm', 's', 's', 16, 1, 0}), 2), E::MissingField},        // no up type
            {__LINE__, msg(9, cat(kPid, {15, 3, 'm', 's', 's', 16, 1, 2, 17, 1, 3}), 2), E::BadValue},  // outcome 2
            {__LINE__, msg(9, cat(kPid, {15, 3, 'm', 's', 's', 16, 1, 0, 17, 1, 4}), 2), E::BadValue},  // ip-down
            {__LINE__, msg(9, cat(kPid, {15, 3, 'm', 's', 's', 16, 2, 0, 0, 17, 1, 3}), 2), E::BadTlvSize},
            {__LINE__, msg(3, kPid, 2), E::BadVersion},  // ip-up is a version 1 message
            {__LINE__, msg(11, kPid, 2), E::BadType},
            // Problem: version 2 only, its text required, printable ASCII (spaces and '/' allowed)
            {__LINE__, msg(10, cat(kPid, {18, 3, 'a', ' ', '/'}), 1), E::BadType},
            {__LINE__, msg(10, kPid, 2), E::MissingField},
            {__LINE__, msg(10, cat(kPid, {18, 0}), 2), E::BadTlvSize},
            {__LINE__, msg(10, cat(kPid, {18, 3, 'a', '\n', 'b'}), 2), E::BadString},  // a forged log line
            {__LINE__, msg(10, cat(kPid, {18, 2, 'a', 0}), 2), E::BadString},
            {__LINE__, msg(10, cat(kPid, {18, 2, 0xc3, 0xa9}), 2), E::BadString},
            {__LINE__, msg(10, cat(kPid, {18, 2, 'a', 0x7f}), 2), E::BadString},
            {__LINE__, msg(10, cat(kPid, {18, 1, 'a', 18, 1, 'b'}), 2), E::DuplicateTag},
            {__LINE__, msg(1, cat(kPid, {18, 2, 'a', '\t'})), E::BadString},  // Text is checked on any type
            {__LINE__, msg(9, cat(kPid, {15, 3, 'm', 's', 's', 16, 1, 0, 17, 1, 3}), 1), E::BadType},
            {__LINE__, msg(1, cat(kPid, {14, 4, 'm', '/', 's', 's'})), E::BadString},  // plugins list
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto d = decode(r.in);
            REQUIRE(std::holds_alternative<DecodeError>(d));
            CHECK(error_name(std::get<DecodeError>(d)) == error_name(r.want));
        }
    }

    TEST_CASE("event codec: only Applied and Problem are written as version 2; the others stay version 1")
    {
        for (auto t : {MsgType::Hello, MsgType::Phase, MsgType::IpUp, MsgType::IpDown, MsgType::Ipv6Up,
                       MsgType::Ipv6Down, MsgType::LinkDown, MsgType::Exit, MsgType::Applied, MsgType::Problem}) {
            CAPTURE(type_name(t));
            Message m = full();
            m.type = t;
            m.plugins = "firewall,mss";  // a tag an older daemon skips
            m.plugin = "mss";
            m.outcome = 0;
            m.up_type = 3;
            m.text = "a problem";
            auto b = encode(m);
            CHECK(b[2] == (t == MsgType::Applied || t == MsgType::Problem ? 2 : 1));
            CHECK(std::holds_alternative<Message>(decode(b)));
        }
    }

    TEST_CASE("event codec: printable() makes any text one a decoder takes")
    {
        struct Row {
            int line;
            std::string in, want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "file:1: [mss] clamp: bad (got 'x')", "file:1: [mss] clamp: bad (got 'x')"},
            {__LINE__, "a\nb\tc", "a?b?c"},
            {__LINE__, "caf\xc3\xa9", "caf??"},
            {__LINE__, std::string(300, 'x'), std::string(kMaxText, 'x')},
            {__LINE__, std::string("a\0b", 3), "a?b"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(printable(r.in) == r.want);
            Message m;
            m.type = MsgType::Problem;
            m.pid = 1;
            m.text = printable(r.in);
            auto d = decode(encode(m));
            REQUIRE(std::holds_alternative<Message>(d));
            CHECK(std::get<Message>(d).text == r.want);
        }
    }

    TEST_CASE("event codec: Phase DEAD carries the attempt's status as a version 1 message, byte for byte")
    {
        // what every daemon since version 1 reads: ExitStatus (13) is a known
        // 1-byte tag on any type; a daemon that does not count per attempt ignores it
        Message m;
        m.type = MsgType::Phase;
        m.pid = 42;
        m.phase = 0;
        m.exit_status = 19;
        const Bytes want = msg(2, cat(kPid, {4, 1, 0, 13, 1, 19}));
        CHECK(encode(m) == want);
        auto d = decode(want);
        REQUIRE(std::holds_alternative<Message>(d));
        CHECK(std::get<Message>(d).exit_status == 19);
        CHECK(std::get<Message>(d).phase == 0);
    }

    TEST_CASE("event codec: unknown tags of a later plugin are skipped, known ones still read")
    {
        auto d = decode(msg(2, cat(kPid, {200, 3, 1, 2, 3, 4, 1, 8})));
        REQUIRE(std::holds_alternative<Message>(d));
        CHECK(std::get<Message>(d).pid == 42);
        CHECK(std::get<Message>(d).phase == 8);
    }

    TEST_CASE("event codec: every prefix and every single-byte change of a valid message decodes or fails cleanly")
    {
        const auto good = encode(full());
        for (size_t n = 0; n < good.size(); ++n) {
            CAPTURE(n);
            CHECK(std::holds_alternative<DecodeError>(decode(std::span(good.data(), n))));
        }
        for (size_t i = 0; i < good.size(); ++i)
            for (int v : {0x00, 0x20, 0x2f, 0x7f, 0xff}) {
                auto b = good;
                b[i] = static_cast<uint8_t>(v);
                (void)decode(b);  // must not crash or read out of bounds (ASan in SANITIZE=1)
            }
    }
}
