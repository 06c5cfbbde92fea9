// address.cpp - see address.hpp.
#include "ddns/core/address.hpp"

#include <arpa/inet.h>
#include <linux/if_addr.h>

#include <algorithm>
#include <cstring>
#include <tuple>

namespace pppkit::ddns {
namespace {

bool in4(uint32_t a, uint32_t net, int plen)
{
    uint32_t mask = plen == 0 ? 0 : ~0U << (32 - plen);
    return (a & mask) == (net & mask);
}

}  // namespace

AddrClass classify_address(std::string_view addr)
{
    // inet_pton reads up to the first NUL: "203.0.113.7\0junk" is not an address.
    if (addr.find('\0') != std::string_view::npos)
        return AddrClass::Invalid;
    std::string s(addr);
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
        uint32_t a = ntohl(a4.s_addr);
        if (in4(a, 0x0A000000, 8) || in4(a, 0xAC100000, 12) || in4(a, 0xC0A80000, 16))
            return AddrClass::Private;
        if (in4(a, 0x64400000, 10))
            return AddrClass::Cgnat;
        if (in4(a, 0x7F000000, 8))
            return AddrClass::Loopback;
        if (in4(a, 0xA9FE0000, 16))
            return AddrClass::LinkLocal;
        if (in4(a, 0, 8) || in4(a, 0xC0000000, 24) || in4(a, 0xC0000200, 24) || in4(a, 0xC6120000, 15) ||
            in4(a, 0xC6336400, 24) || in4(a, 0xCB007100, 24) || in4(a, 0xE0000000, 4) || in4(a, 0xF0000000, 4))
            return AddrClass::Reserved;
        return AddrClass::Public;
    }
    if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
        const uint8_t* b = a6.s6_addr;
        static const uint8_t loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        if (std::memcmp(b, loop, 16) == 0)
            return AddrClass::Loopback;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
            return AddrClass::LinkLocal;
        if ((b[0] & 0xfe) == 0xfc)
            return AddrClass::Unique;
        if ((b[0] & 0xe0) != 0x20)  // outside 2000::/3 (global unicast)
            return AddrClass::Reserved;
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)  // 2001:db8::/32 documentation
            return AddrClass::Reserved;
        return AddrClass::Public;
    }
    return AddrClass::Invalid;
}

std::string_view addr_class_name(AddrClass c)
{
    switch (c) {
    case AddrClass::Public: return "public";
    case AddrClass::Private: return "private (RFC 1918)";
    case AddrClass::Cgnat: return "carrier-grade NAT (100.64.0.0/10)";
    case AddrClass::Loopback: return "loopback";
    case AddrClass::LinkLocal: return "link-local";
    case AddrClass::Unique: return "unique local (fc00::/7)";
    case AddrClass::Reserved: return "reserved or documentation";
    case AddrClass::Invalid: return "not an address";
    }
    return "?";
}

bool same_address(std::string_view a, std::string_view b)
{
    std::string x(a), y(b);
    in6_addr p{}, q{};
    if (inet_pton(AF_INET6, x.c_str(), &p) == 1 && inet_pton(AF_INET6, y.c_str(), &q) == 1)
        return std::memcmp(&p, &q, sizeof p) == 0;
    return x == y;
}

V6Verdict judge_ipv6(const V6Addr& a)
{
    in6_addr x{};
    if (inet_pton(AF_INET6, a.text.c_str(), &x) != 1)
        return V6Verdict::Invalid;
    if ((x.s6_addr[0] & 0xfe) == 0xfc)
        return V6Verdict::Ula;
    if (a.scope != 0 || classify_address(a.text) == AddrClass::LinkLocal ||
        classify_address(a.text) == AddrClass::Loopback)
        return V6Verdict::NotGlobal;
    if (a.flags & IFA_F_TEMPORARY)
        return V6Verdict::Temporary;
    if ((a.flags & IFA_F_DEPRECATED) || a.preferred == 0)
        return V6Verdict::Deprecated;
    if (a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
        return V6Verdict::Tentative;
    return V6Verdict::Usable;
}

std::string_view v6_verdict_name(V6Verdict v)
{
    switch (v) {
    case V6Verdict::Usable: return "usable";
    case V6Verdict::NotGlobal: return "not global";
    case V6Verdict::Ula: return "unique local";
    case V6Verdict::Temporary: return "temporary (privacy)";
    case V6Verdict::Deprecated: return "deprecated";
    case V6Verdict::Tentative: return "tentative";
    case V6Verdict::Invalid: return "invalid";
    }
    return "?";
}

std::optional<std::string> pick_ipv6(const std::vector<V6Addr>& addrs)
{
    const V6Addr* best = nullptr;
    auto key = [](const V6Addr& a) {
        in6_addr x{};
        inet_pton(AF_INET6, a.text.c_str(), &x);
        std::string bytes(reinterpret_cast<const char*>(x.s6_addr), 16);
        return std::make_tuple(a.valid == 0xffffffffU ? 0 : 1, 0xffffffffU - a.preferred, bytes);
    };
    for (const auto& a : addrs) {
        if (judge_ipv6(a) != V6Verdict::Usable)
            continue;
        if (best == nullptr || key(a) < key(*best))
            best = &a;
    }
    if (best == nullptr)
        return std::nullopt;
    return best->text;
}

}  // namespace pppkit::ddns
