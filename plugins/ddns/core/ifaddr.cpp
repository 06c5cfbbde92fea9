#include "ddns/core/ifaddr.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace pppkit::ddns {

namespace {

void on_addr(const nlmsghdr* h, uint32_t seq, unsigned ifindex, std::vector<V6Addr>& out)
{
    // notifications (sequence 0) interleave with the dump: the next dump sees their address
    if (h->nlmsg_seq != seq || mnl_nlmsg_get_payload_len(h) < sizeof(ifaddrmsg))
        return;
    const auto* m = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(h));
    if (m->ifa_family != AF_INET6 || m->ifa_index != ifindex)
        return;
    V6Addr a;
    a.scope = m->ifa_scope;
    a.flags = m->ifa_flags;
    a.preferred = a.valid = 0xffffffffU;
    mnl_attr_parse(
        h, sizeof(ifaddrmsg),
        [](const nlattr* attr, void* data) -> int {
            auto* v = static_cast<V6Addr*>(data);
            const auto len = mnl_attr_get_payload_len(attr);
            switch (mnl_attr_get_type(attr)) {
            case IFA_ADDRESS:
                if (len == sizeof(in6_addr)) {
                    char t[INET6_ADDRSTRLEN];
                    inet_ntop(AF_INET6, mnl_attr_get_payload(attr), t, sizeof t);
                    v->text = t;
                }
                break;
            case IFA_FLAGS:
                if (len >= sizeof(uint32_t))
                    std::memcpy(&v->flags, mnl_attr_get_payload(attr), sizeof(uint32_t));
                break;
            case IFA_CACHEINFO:
                if (len >= sizeof(ifa_cacheinfo)) {
                    ifa_cacheinfo ci{};
                    std::memcpy(&ci, mnl_attr_get_payload(attr), sizeof ci);
                    v->preferred = ci.ifa_prefered;
                    v->valid = ci.ifa_valid;
                }
                break;
            default: break;
            }
            return MNL_CB_OK;
        },
        &a);
    if (!a.text.empty())
        out.push_back(a);
}

}  // namespace

bool parse_addr_dump(std::span<const uint8_t> datagram, uint32_t seq, unsigned ifindex, std::vector<V6Addr>& out)
{
    int len = static_cast<int>(std::min<size_t>(datagram.size(), INT_MAX));
    const auto* h = reinterpret_cast<const nlmsghdr*>(datagram.data());
    // libmnl 1.0.4's mnl_nlmsg_ok compares nlmsg_len as an int: a length of
    // 2^31 or more passes it, and mnl_nlmsg_next would jump out of the datagram
    for (; mnl_nlmsg_ok(h, len) && h->nlmsg_len <= static_cast<uint32_t>(len); h = mnl_nlmsg_next(h, &len)) {
        if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
            return true;
        if (h->nlmsg_type == RTM_NEWADDR)
            on_addr(h, seq, ifindex, out);
    }
    return len > 0;  // bytes left that are not a whole message: the dump cannot go on
}

}  // namespace pppkit::ddns
