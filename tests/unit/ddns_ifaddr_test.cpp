// The worker's RTM_GETADDR dump parser (plugins/ddns/core/ifaddr.cpp).
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ddns/core/ifaddr.hpp"

using namespace pppkit::ddns;

namespace {

// One netlink message appended to a datagram, built with libmnl as the kernel lays it out.
struct Msg {
    uint16_t type = RTM_NEWADDR;
    uint32_t seq = 7;
    uint8_t family = AF_INET6;
    uint32_t index = 3;
    std::string addr = "2001:db8::1";  // IFA_ADDRESS; empty: none
    uint32_t flags = 0;                // IFA_FLAGS when non-zero
    uint32_t preferred = 0;            // IFA_CACHEINFO when non-zero
};

void put(std::vector<uint32_t>& words, const Msg& m)
{
    alignas(nlmsghdr) char buf[512] = {};
    nlmsghdr* h = mnl_nlmsg_put_header(buf);
    h->nlmsg_type = m.type;
    h->nlmsg_seq = m.seq;
    if (m.type == RTM_NEWADDR) {
        auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(h, sizeof(ifaddrmsg)));
        ifa->ifa_family = m.family;
        ifa->ifa_index = m.index;
        if (!m.addr.empty()) {
            unsigned char a[16] = {};
            REQUIRE(inet_pton(m.family, m.addr.c_str(), a) == 1);
            mnl_attr_put(h, IFA_ADDRESS, m.family == AF_INET6 ? 16 : 4, a);
        }
        if (m.flags)
            mnl_attr_put_u32(h, IFA_FLAGS, m.flags);
        if (m.preferred) {
            ifa_cacheinfo ci{m.preferred, m.preferred + 100, 0, 0};
            mnl_attr_put(h, IFA_CACHEINFO, sizeof ci, &ci);
        }
    }
    const auto* w = reinterpret_cast<const uint32_t*>(buf);
    words.insert(words.end(), w, w + NLMSG_ALIGN(h->nlmsg_len) / 4);
}

}  // namespace

TEST_SUITE("ddns_ifaddr")
{
    TEST_CASE("parse_addr_dump keeps the dump's IPv6 addresses of one interface")
    {
        struct Row {
            int line;
            std::vector<Msg> msgs;
            bool want_end;
            std::vector<std::string> want;  // "text flags preferred"
        };
        const std::vector<Row> rows = {
            {__LINE__, {Msg{}}, false, {"2001:db8::1 0 4294967295"}},
            {__LINE__, {Msg{}, Msg{.type = NLMSG_DONE}}, true, {"2001:db8::1 0 4294967295"}},
            {__LINE__, {Msg{.flags = IFA_F_TEMPORARY, .preferred = 600}}, false, {"2001:db8::1 1 600"}},
            {__LINE__, {Msg{.seq = 0}}, false, {}},  // a notification between the dump's parts
            {__LINE__, {Msg{.index = 4}}, false, {}},
            {__LINE__, {Msg{.family = AF_INET, .addr = "192.0.2.1"}}, false, {}},
            {__LINE__, {Msg{.addr = ""}}, false, {}},
            {__LINE__, {Msg{.type = NLMSG_ERROR}, Msg{}}, true, {}},
            {__LINE__,
             {Msg{.addr = "2001:db8::1"}, Msg{.addr = "2001:db8::2"}},
             false,
             {"2001:db8::1 0 4294967295", "2001:db8::2 0 4294967295"}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            std::vector<uint32_t> words;
            for (const auto& m : r.msgs)
                put(words, m);
            std::vector<V6Addr> got;
            bool end = parse_addr_dump({reinterpret_cast<const uint8_t*>(words.data()), words.size() * 4}, 7, 3, got);
            CHECK(end == r.want_end);
            std::vector<std::string> texts;
            for (const auto& a : got)
                texts.push_back(a.text + " " + std::to_string(a.flags) + " " + std::to_string(a.preferred));
            CHECK(texts == r.want);
        }
    }

    TEST_CASE("parse_addr_dump stops at a message that claims more than the datagram holds")
    {
        std::vector<uint32_t> words;
        put(words, Msg{});
        auto* h = reinterpret_cast<nlmsghdr*>(words.data());
        for (uint32_t bad : {h->nlmsg_len + 4, 0x80000000U, 0xffffffffU, 4U}) {
            CAPTURE(bad);
            h->nlmsg_len = bad;
            std::vector<V6Addr> got;
            CHECK(parse_addr_dump({reinterpret_cast<const uint8_t*>(words.data()), words.size() * 4}, 7, 3, got));
            CHECK(got.empty());
        }
    }
}
