#include "core/rtnl.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <algorithm>
#include <array>

namespace pppkit::supervisor::rtnl {
namespace {

// The attributes of one message up to type N-1 (later ones are not needed).
template <size_t N>
std::array<const nlattr*, N> attrs(const nlmsghdr* nlh, size_t header)
{
    std::array<const nlattr*, N> tb{};
    mnl_attr_parse(
        nlh, static_cast<unsigned>(header),
        [](const nlattr* a, void* data) {
            auto& t = *static_cast<std::array<const nlattr*, N>*>(data);
            const uint16_t type = mnl_attr_get_type(a);
            if (type < N)
                t[type] = a;
            return static_cast<int>(MNL_CB_OK);
        },
        &tb);
    return tb;
}

bool good_ifname(const nlattr* a, std::string& out)
{
    if (a == nullptr || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
        return false;
    std::string s = mnl_attr_get_str(a);
    if (s.empty() || s.size() >= IFNAMSIZ)
        return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c >= 0x7f || c == '/')
            return false;
    out = std::move(s);
    return true;
}

bool address(const nlattr* a, int family, std::string& out)
{
    const size_t want = family == AF_INET ? 4 : 16;
    if (a == nullptr || mnl_attr_get_payload_len(a) != want)
        return false;
    char b[INET6_ADDRSTRLEN] = "";
    if (inet_ntop(family, mnl_attr_get_payload(a), b, sizeof b) == nullptr)
        return false;
    out = b;
    return true;
}

bool link_msg(const nlmsghdr* nlh, LinkMsg& m)
{
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg))
        return false;
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    if (ifi->ifi_index <= 0)
        return false;
    m.deleted = nlh->nlmsg_type == RTM_DELLINK;
    m.index = ifi->ifi_index;
    m.flags = ifi->ifi_flags;
    const auto tb = attrs<IFLA_IFNAME + 1>(nlh, sizeof(ifinfomsg));
    return good_ifname(tb[IFLA_IFNAME], m.name);
}

bool addr_msg(const nlmsghdr* nlh, AddrMsg& m)
{
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifaddrmsg))
        return false;
    const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    if ((ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) || ifa->ifa_index == 0 ||
        ifa->ifa_index > static_cast<unsigned>(INT32_MAX) ||
        ifa->ifa_prefixlen > (ifa->ifa_family == AF_INET ? 32 : 128))
        return false;
    m.deleted = nlh->nlmsg_type == RTM_DELADDR;
    m.index = static_cast<int>(ifa->ifa_index);
    m.family = ifa->ifa_family;
    m.prefix = ifa->ifa_prefixlen;
    const auto tb = attrs<IFA_LOCAL + 1>(nlh, sizeof(ifaddrmsg));
    std::string local, addr;
    const bool has_local = tb[IFA_LOCAL] != nullptr;
    const bool has_addr = tb[IFA_ADDRESS] != nullptr;
    if ((has_local && !address(tb[IFA_LOCAL], m.family, local)) ||
        (has_addr && !address(tb[IFA_ADDRESS], m.family, addr)) || (!has_local && !has_addr))
        return false;
    // IPv4 gives IFA_LOCAL always and IFA_ADDRESS the peer of a point-to-point
    // address; IPv6 gives IFA_ADDRESS, and IFA_LOCAL only with a peer.
    m.local = has_local ? local : addr;
    m.peer = has_local && has_addr && addr != local ? addr : "";
    return true;
}

}  // namespace

Parsed parse(std::span<const uint8_t> datagram)
{
    Parsed p;
    int len = static_cast<int>(std::min<size_t>(datagram.size(), INT32_MAX));
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(datagram.data());
    // libmnl 1.0.4's mnl_nlmsg_ok compares nlmsg_len as an int: a length of
    // 2^31 or more passes it, and mnl_nlmsg_next jumps out of the datagram
    for (; mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= static_cast<uint32_t>(len); nlh = mnl_nlmsg_next(nlh, &len)) {
        switch (nlh->nlmsg_type) {
        case NLMSG_DONE: p.done = true; return p;
        case NLMSG_ERROR:
            if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) {
                ++p.skipped;
            } else {
                const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
                // INT_MIN has no positive errno
                p.error = e->error < 0 && e->error != INT32_MIN ? -e->error : 0;
            }
            break;
        case RTM_NEWLINK:
        case RTM_DELLINK: {
            LinkMsg m;
            if (link_msg(nlh, m))
                p.msgs.emplace_back(std::move(m));
            else
                ++p.skipped;
            break;
        }
        case RTM_NEWADDR:
        case RTM_DELADDR: {
            AddrMsg m;
            if (addr_msg(nlh, m))
                p.msgs.emplace_back(std::move(m));
            else
                ++p.skipped;
            break;
        }
        default: break;
        }
    }
    return p;
}

bool Iface::up_running() const { return (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0; }

bool Iface::carries() const { return (flags & IFF_UP) != 0 && !addrs.empty(); }

const Address* Iface::first(int family) const
{
    const Address* any = nullptr;
    for (const auto& a : addrs) {
        if (a.family != family)
            continue;
        if (family == AF_INET || a.local.rfind("fe80:", 0) == 0)
            return &a;
        if (any == nullptr)
            any = &a;
    }
    return any;
}

int View::apply(const Msg& m)
{
    if (const auto* l = std::get_if<LinkMsg>(&m)) {
        if (l->deleted) {
            ifaces_.erase(l->index);
            return l->index;
        }
        auto [it, fresh] = ifaces_.try_emplace(l->index);
        if (fresh)
            it->second.gen = ++gen_;
        it->second.name = l->name;
        it->second.flags = l->flags;
        return l->index;
    }
    const auto& a = std::get<AddrMsg>(m);
    const Address addr{a.family, a.prefix, a.local, a.peer};
    if (a.deleted) {
        if (auto it = ifaces_.find(a.index); it != ifaces_.end())
            std::erase_if(it->second.addrs, [&](const Address& x) {
                return x.family == addr.family && x.local == addr.local && x.prefix == addr.prefix;
            });
        return a.index;
    }
    auto [it, fresh] = ifaces_.try_emplace(a.index);  // an address may come before its link
    if (fresh)
        it->second.gen = ++gen_;
    auto& v = it->second.addrs;
    auto same = std::find_if(v.begin(), v.end(), [&](const Address& x) {
        return x.family == addr.family && x.local == addr.local && x.prefix == addr.prefix;
    });
    if (same != v.end())
        *same = addr;
    else
        v.push_back(addr);
    return a.index;
}

std::vector<int> View::resync(const std::vector<Msg>& dump)
{
    std::map<int, Iface> old = std::move(ifaces_);
    ifaces_.clear();
    std::vector<int> touched;
    for (const auto& [i, f] : old)
        touched.push_back(i);
    for (const auto& m : dump) {
        const int i = apply(m);
        if (auto o = old.find(i); o != old.end())
            ifaces_[i].gen = o->second.gen;
        else
            touched.push_back(i);
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    return touched;
}

const Iface* View::find(int index) const
{
    auto it = ifaces_.find(index);
    return it == ifaces_.end() ? nullptr : &it->second;
}

const Iface* View::find(const std::string& name, int* index) const
{
    for (const auto& [i, f] : ifaces_)
        if (f.name == name) {
            if (index != nullptr)
                *index = i;
            return &f;
        }
    return nullptr;
}

}  // namespace pppkit::supervisor::rtnl
