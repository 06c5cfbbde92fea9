// Unit tests of common/ifname.cpp: the one check of interface names and
// patterns (length as nft counts it, the characters Linux and nft accept).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/ifname.hpp"
#include "common/nfnl.hpp"

using namespace pppkit;

TEST_SUITE("ifname")
{
    TEST_CASE("names and patterns: 15 bytes as nft counts them, the '*' included")
    {
        struct Row {
            int line;
            std::string v;
            bool name;     // valid as a name
            bool pattern;  // valid as a pattern
        };
        const std::vector<Row> rows = {
            {__LINE__, "ppp0", true, true},
            {__LINE__, "ppp*", false, true},
            {__LINE__, "br-lan", true, true},
            {__LINE__, "eth0.100", true, true},
            {__LINE__, "wg_0", true, true},
            {__LINE__, "enx00e04c680123", true, true},     // 15 bytes
            {__LINE__, "enx00e04c68012*", false, true},    // 15 with the '*'
            {__LINE__, "enx00e04c680123*", false, false},  // 16 with the '*': the pattern
            {__LINE__, "enx00e04c6801234", false, false},  // 16
            {__LINE__, "", false, false},
            {__LINE__, "*", false, false},
            {__LINE__, "ppp**", false, false},
            {__LINE__, "p*p", false, false},
            {__LINE__, ".", false, false},
            {__LINE__, "..", false, false},
            {__LINE__, "x}y", false, false},
            {__LINE__, "x{y", false, false},
            {__LINE__, "a\"b", false, false},
            {__LINE__, "a\\b", false, false},
            {__LINE__, "a/b", false, false},
            {__LINE__, "a:b", false, false},
            {__LINE__, "a b", false, false},
            {__LINE__, "a\tb", false, false},
            {__LINE__, "a\nb", false, false},
            {__LINE__, std::string("a\0b", 3), false, false},
            {__LINE__, "a\x1b[2J", false, false},
            {__LINE__, "caf\xc3\xa9", false, false},
            {__LINE__, "a;b", false, false},
            {__LINE__, "a$b", false, false},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(ifname::valid_name(r.v) == r.name);
            CHECK(ifname::valid_pattern(r.v) == r.pattern);
        }
        CHECK(*ifname::check_pattern("enx00e04c680123*") ==
              "longer than 15 bytes (16, the '*' included): Linux and nft hold at most 15, so it can never match");
    }

    TEST_CASE("the nfnetlink batch refuses a key that is no interface name, before sending anything")
    {
        nfnl::Socket s;
        if (!s.valid())
            return;  // no netlink socket here: the check is before any I/O anyway, but needs an open socket
        for (const std::string& bad : {std::string("x}y"), std::string("enx00e04c6801234"), std::string("a\0b", 3)}) {
            CAPTURE(bad);
            CHECK(s.commit("pppkit_none", {nfnl::Change{nfnl::Op::Add, "s", nfnl::Ifname{bad}, uint16_t{1400}}}) ==
                  EINVAL);
        }
    }
}
