// Unit tests of the netlink element batch (plugins/common/nfnl.cpp): the
// bytes the kernel gets, walked back attribute by attribute. That the kernel
// accepts them is proven by tests/load/fakehost.test.sh and the lab.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "common/nfnl.hpp"

using namespace pppkit;

namespace {

struct Msg {
    uint16_t type = 0, flags = 0;
    uint32_t seq = 0;
    uint8_t family = 0;
    uint16_t res_id = 0;
    std::map<uint16_t, std::string> attrs;  // top-level attributes, raw
    std::string key, data;                  // from the one list element
};

// attributes in [p, p+len): type -> payload
std::map<uint16_t, std::string> attrs_of(const uint8_t* p, size_t len)
{
    std::map<uint16_t, std::string> out;
    while (len >= NLA_HDRLEN) {
        nlattr a{};
        std::memcpy(&a, p, sizeof a);
        REQUIRE(a.nla_len >= NLA_HDRLEN);
        REQUIRE(a.nla_len <= len);
        out[a.nla_type & NLA_TYPE_MASK] =
            std::string(reinterpret_cast<const char*>(p + NLA_HDRLEN), a.nla_len - NLA_HDRLEN);
        size_t step = NLA_ALIGN(a.nla_len);
        if (step > len)
            break;
        p += step;
        len -= step;
    }
    return out;
}

std::vector<Msg> walk(const std::vector<uint8_t>& b)
{
    std::vector<Msg> out;
    size_t at = 0;
    while (at < b.size()) {
        nlmsghdr h{};
        REQUIRE(b.size() - at >= sizeof h);
        std::memcpy(&h, b.data() + at, sizeof h);
        REQUIRE(h.nlmsg_len >= NLMSG_HDRLEN + sizeof(nfgenmsg));
        REQUIRE(at + h.nlmsg_len <= b.size());
        nfgenmsg g{};
        std::memcpy(&g, b.data() + at + NLMSG_HDRLEN, sizeof g);
        Msg m{h.nlmsg_type, h.nlmsg_flags, h.nlmsg_seq, g.nfgen_family, ntohs(g.res_id), {}, {}, {}};
        size_t body = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof g);
        m.attrs = attrs_of(b.data() + at + body, h.nlmsg_len - body);
        if (m.attrs.count(NFTA_SET_ELEM_LIST_ELEMENTS)) {
            const auto& list = m.attrs[NFTA_SET_ELEM_LIST_ELEMENTS];
            auto elems = attrs_of(reinterpret_cast<const uint8_t*>(list.data()), list.size());
            REQUIRE(elems.count(NFTA_LIST_ELEM));
            const auto& e = elems[NFTA_LIST_ELEM];
            auto parts = attrs_of(reinterpret_cast<const uint8_t*>(e.data()), e.size());
            if (parts.count(NFTA_SET_ELEM_KEY)) {
                const auto& k = parts[NFTA_SET_ELEM_KEY];
                m.key = attrs_of(reinterpret_cast<const uint8_t*>(k.data()), k.size())[NFTA_DATA_VALUE];
            }
            if (parts.count(NFTA_SET_ELEM_DATA)) {
                const auto& d = parts[NFTA_SET_ELEM_DATA];
                m.data = attrs_of(reinterpret_cast<const uint8_t*>(d.data()), d.size())[NFTA_DATA_VALUE];
            }
        }
        out.push_back(m);
        at += NLMSG_ALIGN(h.nlmsg_len);
    }
    return out;
}

std::string z(const char* s, size_t n) { return {s, n}; }
// s NUL-padded to IFNAMSIZ (16) bytes
std::string pad16(const std::string& s) { return s + std::string(16 - s.size(), '\0'); }

}  // namespace

TEST_SUITE("nfnl")
{
    TEST_CASE("a batch is BEGIN, one message per change, END; all in table pppkit_mss")
    {
        std::vector<nfnl::Change> c = {
            {false, "mss4", "ppp0", std::nullopt},
            {true, "mss4", "ppp0", 1414},
            {true, "pmtu6", "wan-ppp.1", std::nullopt},
        };
        auto m = walk(nfnl::encode_batch("pppkit_mss", c, 40));
        REQUIRE(m.size() == 5);
        CHECK(m[0].type == NFNL_MSG_BATCH_BEGIN);
        CHECK(m[0].res_id == NFNL_SUBSYS_NFTABLES);
        CHECK(m[0].seq == 40);
        CHECK(m[4].type == NFNL_MSG_BATCH_END);
        CHECK(m[4].res_id == NFNL_SUBSYS_NFTABLES);
        CHECK(m[4].seq == 44);

        struct Row {
            int line;
            size_t at;
            uint16_t type;
            uint16_t flags;
            std::string set, key, data;
        };
        const uint16_t add = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, del = NLM_F_REQUEST | NLM_F_ACK;
        const std::vector<Row> rows = {
            {__LINE__, 1, NFT_MSG_DELSETELEM, del, "mss4", pad16("ppp0"), ""},
            {__LINE__, 2, NFT_MSG_NEWSETELEM, add, "mss4", pad16("ppp0"), z("\x05\x86", 2)},  // 1414, big-endian
            {__LINE__, 3, NFT_MSG_NEWSETELEM, add, "pmtu6", pad16("wan-ppp.1"), ""},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            const auto& x = m[r.at];
            CHECK(x.type == ((NFNL_SUBSYS_NFTABLES << 8) | r.type));
            CHECK(x.flags == r.flags);
            CHECK(x.seq == 40 + r.at);
            CHECK(x.family == NFPROTO_INET);
            CHECK(x.attrs.at(NFTA_SET_ELEM_LIST_TABLE) == z("pppkit_mss", 11));  // with its NUL
            CHECK(x.attrs.at(NFTA_SET_ELEM_LIST_SET) == r.set + std::string(1, '\0'));
            CHECK(x.key == r.key);  // IFNAMSIZ bytes, NUL-padded, like nft's ifname type
            CHECK(x.data == r.data);
        }
    }
}
