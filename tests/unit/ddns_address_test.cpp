// Address sanity and the IPv6 filter (plugins/ddns/core/address.cpp).
#include <doctest/doctest.h>
#include <linux/if_addr.h>

#include <string>
#include <vector>

#include "ddns/core/address.hpp"

using namespace pppkit::ddns;

TEST_SUITE("ddns_address")
{
    TEST_CASE("IPCP addresses that DDNS cannot make reachable are recognised")
    {
        struct Row {
            int line;
            std::string addr;
            AddrClass want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "8.8.8.8", AddrClass::Public},
            {__LINE__, "10.1.2.3", AddrClass::Private},
            {__LINE__, "172.16.0.1", AddrClass::Private},
            {__LINE__, "172.31.255.254", AddrClass::Private},
            {__LINE__, "172.32.0.1", AddrClass::Public},
            {__LINE__, "192.168.1.1", AddrClass::Private},
            {__LINE__, "100.64.0.1", AddrClass::Cgnat},
            {__LINE__, "100.127.255.254", AddrClass::Cgnat},
            {__LINE__, "100.128.0.1", AddrClass::Public},
            {__LINE__, "127.0.0.1", AddrClass::Loopback},
            {__LINE__, "169.254.1.1", AddrClass::LinkLocal},
            {__LINE__, "203.0.113.5", AddrClass::Reserved},
            {__LINE__, "224.0.0.1", AddrClass::Reserved},
            {__LINE__, "2400:4050::1", AddrClass::Public},
            {__LINE__, "fd00::1", AddrClass::Unique},
            {__LINE__, "fe80::1", AddrClass::LinkLocal},
            {__LINE__, "::1", AddrClass::Loopback},
            {__LINE__, "2001:db8::1", AddrClass::Reserved},
            {__LINE__, "ff02::1", AddrClass::Reserved},
            {__LINE__, "ppp0", AddrClass::Invalid},
            // inet_pton stops at a NUL: what follows it must not pass (fuzz/ddns_duckdns, ddns_state)
            {__LINE__, std::string("8.8.8.8\0junk", 12), AddrClass::Invalid},
            {__LINE__, std::string("2400:4050::1\0", 13), AddrClass::Invalid},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(addr_class_name(classify_address(r.addr)) == addr_class_name(r.want));
        }
        CHECK(same_address("2001:db8::1", "2001:0db8:0:0::1"));
        CHECK_FALSE(same_address("203.0.113.1", "203.0.113.10"));
    }

    TEST_CASE("the IPv6 filter skips ULA, temporary, deprecated and tentative addresses")
    {
        const uint32_t forever = 0xffffffffU;
        struct Row {
            int line;
            V6Addr a;
            V6Verdict want;
        };
        const std::vector<Row> rows = {
            {__LINE__, {"2400:4050:1:2::10", 0, IFA_F_PERMANENT, forever, forever}, V6Verdict::Usable},
            {__LINE__, {"2400:4050:1:2:aaaa:bbbb:cccc:dddd", 0, IFA_F_MANAGETEMPADDR, 3600, 7200}, V6Verdict::Usable},
            {__LINE__, {"2400:4050:1:2:1111:2222:3333:4444", 0, IFA_F_TEMPORARY, 3600, 7200}, V6Verdict::Temporary},
            {__LINE__, {"2400:4050:1:2::11", 0, IFA_F_DEPRECATED, 0, 7200}, V6Verdict::Deprecated},
            {__LINE__, {"2400:4050:1:2::12", 0, 0, 0, 7200}, V6Verdict::Deprecated},  // preferred lifetime 0
            {__LINE__, {"2400:4050:1:2::13", 0, IFA_F_TENTATIVE, 3600, 7200}, V6Verdict::Tentative},
            {__LINE__, {"2400:4050:1:2::14", 0, IFA_F_DADFAILED, 3600, 7200}, V6Verdict::Tentative},
            {__LINE__, {"fd12:3456::1", 0, IFA_F_PERMANENT, forever, forever}, V6Verdict::Ula},
            {__LINE__, {"fe80::1", 253, IFA_F_PERMANENT, forever, forever}, V6Verdict::NotGlobal},
            {__LINE__, {"::1", 254, IFA_F_PERMANENT, forever, forever}, V6Verdict::NotGlobal},
            {__LINE__, {"bogus", 0, 0, forever, forever}, V6Verdict::Invalid},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(v6_verdict_name(judge_ipv6(r.a)) == v6_verdict_name(r.want));
        }
    }

    TEST_CASE("pick_ipv6: stable before dynamic, then the longest preferred lifetime")
    {
        const uint32_t forever = 0xffffffffU;
        std::vector<V6Addr> addrs = {
            {"fd00::1", 0, IFA_F_PERMANENT, forever, forever},
            {"2400:4050:1:2:1111:2222:3333:4444", 0, IFA_F_TEMPORARY, 86000, 86400},
            {"2400:4050:1:2::50", 0, 0, 1000, 2000},
            {"2400:4050:1:2::40", 0, 0, 3000, 4000},
            {"fe80::1", 253, IFA_F_PERMANENT, forever, forever},
        };
        CHECK(pick_ipv6(addrs) == std::optional<std::string>("2400:4050:1:2::40"));
        addrs.push_back({"2400:4050:1:2::99", 0, IFA_F_PERMANENT, forever, forever});
        CHECK(pick_ipv6(addrs) == std::optional<std::string>("2400:4050:1:2::99"));
        CHECK_FALSE(pick_ipv6({{"fd00::2", 0, 0, forever, forever}, {"2400::1", 0, IFA_F_TEMPORARY, 10, 10}}));
        CHECK_FALSE(pick_ipv6({}));
    }
}
