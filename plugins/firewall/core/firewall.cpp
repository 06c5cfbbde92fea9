// firewall.cpp - see firewall.hpp. Settings from the config document, and
// the nft text. Pure except read_extras() (reads one file, never logs).
#include "firewall/core/firewall.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <tuple>

#include "common/ifname.hpp"
#include "common/nft.hpp"
#include "common/text.hpp"
#include "common/trust.hpp"

namespace pppkit::firewall {
namespace {

using config::Diagnostic;
using config::Document;
using config::Entry;
using config::Section;

using text::join;

bool proto_overlaps(Proto a, Proto b) { return a == Proto::Both || b == Proto::Both || a == b; }

bool parse_v4(std::string_view a, uint32_t& out)
{
    in_addr in{};
    std::string s(a);
    if (inet_pton(AF_INET, s.c_str(), &in) != 1)
        return false;
    out = ntohl(in.s_addr);
    return true;
}

bool in_network4(std::string_view addr, std::string_view cidr)
{
    auto slash = cidr.find('/');
    uint32_t a = 0, n = 0;
    if (slash == std::string_view::npos || !parse_v4(addr, a) || !parse_v4(cidr.substr(0, slash), n))
        return false;
    auto plen = config::parse_int(cidr.substr(slash + 1)).value_or(33);
    if (plen < 0 || plen > 32)
        return false;
    uint32_t mask = plen == 0 ? 0 : ~uint32_t{0} << (32 - plen);
    return (a & mask) == (n & mask);
}

// Why addr (IPv4) cannot be a forward's target, "" when it can: a forward
// goes to one LAN host. Checked whatever lan-networks says: without IPv4
// lan-networks nothing else bounds the target, and a forward to 127.0.0.1,
// a broadcast or multicast address, or 0.0.0.0/8 is never meant.
std::string not_a_host4(std::string_view addr)
{
    static constexpr std::pair<const char*, const char*> kNot[] = {
        {"0.0.0.0/8", "'this network' (0.0.0.0/8)"},
        {"127.0.0.0/8", "loopback"},
        {"169.254.0.0/16", "link-local"},
        {"224.0.0.0/4", "multicast"},
        {"240.0.0.0/4", "reserved or broadcast (240.0.0.0/4)"},
    };
    for (const auto& [net, what] : kNot)
        if (in_network4(addr, net))
            return what;
    return {};
}

// true when the IPv4 networks a and b ("A/P") share an address: one holds
// the other. false when either is not a valid IPv4 network.
bool networks_overlap4(std::string_view a, std::string_view b)
{
    auto sa = a.find('/'), sb = b.find('/');
    if (sa == std::string_view::npos || sb == std::string_view::npos)
        return false;
    auto pa = config::parse_int(a.substr(sa + 1)).value_or(33), pb = config::parse_int(b.substr(sb + 1)).value_or(33);
    if (pa < 0 || pa > 32 || pb < 0 || pb > 32)
        return false;
    // b's address inside a at the shorter of the two prefixes
    return in_network4(b.substr(0, sb), std::string(a.substr(0, sa)) + "/" + std::to_string(std::min(pa, pb)));
}

Diagnostic diag_at(const Entry& e, const Section& sec, std::string problem, bool with_value = true)
{
    Diagnostic d;
    d.file = e.file;
    d.line = e.line;
    d.section = sec.label();
    d.key = e.key;
    d.problem = std::move(problem);
    d.has_value = with_value;
    if (with_value)
        d.value = e.value;
    return d;
}

Diagnostic diag_section(const Section& sec, std::string key, std::string problem)
{
    Diagnostic d;
    d.file = sec.file;
    d.line = sec.line;
    d.section = sec.label();
    d.key = std::move(key);
    d.problem = std::move(problem);
    return d;
}

// ---- nft text helpers -------------------------------------------------------

std::string quoted_set(const std::vector<std::string>& names)
{
    std::vector<std::string> q;
    for (const auto& n : names)
        q.push_back(nft::quote(n));
    return "{ " + join(q) + " }";
}

// One element bare, more as an anonymous set.
std::string set_expr(const std::vector<std::string>& items)
{
    return items.size() == 1 ? items[0] : "{ " + join(items) + " }";
}

std::string names_expr(const std::vector<std::string>& names)
{
    std::vector<std::string> q;
    for (const auto& n : names)
        q.push_back(nft::quote(n));
    return set_expr(q);
}

std::string ports_expr(const std::vector<PortRange>& ports)
{
    std::vector<std::string> items;
    for (const auto& p : ports)
        items.push_back(range_str(p));
    if (items.size() == 1)
        return items[0];
    return "{ " + join(items) + " }";
}

// Port lists per layer-4 protocol of a service list.
struct ByProto {
    std::vector<PortRange> tcp, udp;
};
ByProto split(const std::vector<Service>& services)
{
    ByProto b;
    for (const auto& sv : services) {
        if (sv.proto != Proto::Udp && std::find(b.tcp.begin(), b.tcp.end(), sv.ports) == b.tcp.end())
            b.tcp.push_back(sv.ports);
        if (sv.proto != Proto::Tcp && std::find(b.udp.begin(), b.udp.end(), sv.ports) == b.udp.end())
            b.udp.push_back(sv.ports);
    }
    return b;
}

std::vector<std::string_view> l4(Proto p)
{
    if (p == Proto::Tcp)
        return {"tcp"};
    if (p == Proto::Udp)
        return {"udp"};
    return {"tcp", "udp"};
}

std::string limit_of(const Rate& r) { return "limit rate " + r.str(); }

// The matches that select LAN traffic by source: interface and/or network.
// v4only: only IPv4 (NAT rules). With networks alone (no lan-interfaces) a
// LAN source must also come in where the route back to it goes out (strict
// reverse path, "fib saddr . iif oif exists"): otherwise a WAN interface the
// wan patterns do not name (a second session's ppp1 under wan = ppp0 and a
// pppd without the plugin, so not in set wan)
// carrying a spoofed LAN source counted as LAN. rpf = false where nft has no
// fib (postrouting: the filter already decided on those packets).
std::vector<std::string> lan_src(const Settings& s, bool v4only, bool rpf = true)
{
    std::string ifpart = s.lan_interfaces.empty() ? (rpf ? "fib saddr . iif oif exists " : "")
                                                  : "iifname " + names_expr(s.lan_interfaces) + " ";
    std::vector<std::string> out;
    bool v6 = s.ipv6 && !v4only && !s.lan_networks6.empty();
    if (s.lan_networks4.empty() && !v6) {
        if (!s.lan_networks6.empty() && !v4only)
            return out;  // IPv6 networks only, and ipv6 = no: nothing is LAN
        if (s.lan_interfaces.empty())
            return out;
        out.push_back(ifpart + (v4only ? "meta nfproto ipv4 " : ""));
        return out;
    }
    if (!s.lan_networks4.empty())
        out.push_back(ifpart + "ip saddr " + set_expr(s.lan_networks4) + " ");
    if (v6)
        out.push_back(ifpart + "ip6 saddr " + set_expr(s.lan_networks6) + " ");
    return out;
}

// The configured wan items without a '*' (set wan's static elements), and
// those with one (a pattern rule of their own: nft 1.0.6's interval ifname
// sets, which would hold them, are unreliable for element adds).
bool plain_name(const std::string& w) { return !w.empty() && w.back() != '*'; }
// The distinct wan items that are plain names (wild false) or wildcard
// patterns such as ppp* (wild true), in their order.
std::vector<std::string> wan_items(const Settings& s, bool wild)
{
    std::vector<std::string> out;
    for (const auto& w : s.wan)
        if (plain_name(w) != wild && std::find(out.begin(), out.end(), w) == out.end())
            out.push_back(w);
    return out;
}
std::vector<std::string> wan_plain(const Settings& s) { return wan_items(s, false); }
std::vector<std::string> wan_wild(const Settings& s) { return wan_items(s, true); }

// The WAN matches, one rule each: set wan (the configured names and every
// link the plugin runs), and the wildcard wan patterns when there are any.
std::vector<std::string> wan_match(const Settings& s, std::string_view dir)
{
    std::vector<std::string> out;
    if (const auto wild = wan_wild(s); !wild.empty())
        out.push_back(std::string(dir) + " " + names_expr(wild) + " ");
    out.push_back(std::string(dir) + " @wan ");
    return out;
}
std::vector<std::string> wan_in(const Settings& s) { return wan_match(s, "iifname"); }
std::vector<std::string> wan_out(const Settings& s) { return wan_match(s, "oifname"); }

const char* const kEgress4[] = {
    "0.0.0.0/8",        // "this network" (RFC 791)
    "10.0.0.0/8",       // private (RFC 1918)
    "100.64.0.0/10",    // shared address space, CGNAT (RFC 6598)
    "127.0.0.0/8",      // loopback
    "169.254.0.0/16",   // link-local (RFC 3927)
    "172.16.0.0/12",    // private (RFC 1918)
    "192.0.2.0/24",     // documentation TEST-NET-1 (RFC 5737)
    "192.168.0.0/16",   // private (RFC 1918)
    "198.18.0.0/15",    // benchmarking (RFC 2544)
    "198.51.100.0/24",  // documentation TEST-NET-2
    "203.0.113.0/24",   // documentation TEST-NET-3
    "224.0.0.0/4",      // multicast
    "240.0.0.0/4",      // reserved, and the limited broadcast address
};
// Link-local (fe80::/10) and multicast (ff00::/8) are left out on purpose:
// neighbour discovery and DHCPv6 on the WAN link use them.
const char* const kEgress6[] = {
    "::/127",          // unspecified and loopback
    "::ffff:0:0/96",   // IPv4-mapped
    "64:ff9b:1::/48",  // local-use NAT64 (RFC 8215)
    "100::/64",        // discard-only (RFC 6666)
    "2001:db8::/32",   // documentation (RFC 3849)
    "fc00::/7",        // unique local (RFC 4193)
    "fec0::/10",       // site-local, deprecated (RFC 3879)
};

// Sources that never arrive by a WAN interface, besides the LAN's own
// networks: the anti-spoofing sets wan_spoof4 and wan_spoof6 (build). A
// packet from the WAN with one of them is dropped before conntrack's accept,
// so it can neither pass for the LAN nor join a flow of a LAN host.
const char* const kSpoof4[] = {
    "0.0.0.0/8",       // "this network"
    "127.0.0.0/8",     // loopback
    "169.254.0.0/16",  // link-local
    "224.0.0.0/4",     // multicast
    "240.0.0.0/4",     // reserved, and the limited broadcast address
};
const char* const kSpoof6[] = {
    "::1/128",   // loopback
    "ff00::/8",  // multicast
};

}  // namespace

bool needs_fresh_context(const Settings& s) { return s.extras.has_value(); }

namespace {

uint64_t fnv1a(std::string_view s)
{
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

struct Builder {
    std::string out;
    void line(std::string_view indent, std::string_view text)
    {
        out += indent;
        out += text;
        out += '\n';
    }
    void rule(std::string_view text) { line("        ", text); }
};

// The flush guard's mark (firewall.hpp): set first in input and forward,
// cleared again after the guard (priority filter + 20), so that nothing
// later on the packet's way sees it, with or without pppkitd's guard.
constexpr std::string_view kGuardSet = "meta mark set meta mark | 0x80000000";
std::string unmark_chains()
{
    std::string out;
    for (const char* hook : {"input", "forward"})
        out += "    chain " + std::string(hook) + "_unmark {\n        type filter hook " + hook +
               " priority filter + 20; policy accept;\n        meta mark set meta mark & 0x7fffffff\n    }\n";
    return out;
}

std::string drop_chain(const Settings& s, std::string_view which)
{
    std::string c = "    chain drop_" + std::string(which) + " {\n";
    if (s.log) {
        std::string log =
            limit_of(s.log_rate) + " log prefix \"[" + s.log_prefix + " drop " + std::string(which) + "] \"";
        if (s.log_group > 0)
            log += " group " + std::to_string(s.log_group);
        else
            log += " level " + std::string(to_string(s.log_level));
        c += "        " + log + "\n";
    }
    c += "        drop\n    }\n";
    return c;
}

// The sets of link N (Settings::links[N]): linkN_wan, linkN_public4.
std::string slot_set(size_t i, std::string_view what) { return "link" + std::to_string(i) + "_" + std::string(what); }

int slot_index(const Settings& s, const std::string& name)
{
    auto it = std::find(s.links.begin(), s.links.end(), name);
    return it == s.links.end() ? -1 : static_cast<int>(it - s.links.begin());
}

// The matches that restrict a forward to its links: one per link, or one
// empty match when the forward takes every link.
std::vector<std::string> link_matches(const Settings& s, const Forward& f, std::string_view match,
                                      std::string_view what)
{
    if (f.links.empty())
        return {""};
    std::vector<std::string> out;
    for (const auto& l : f.links)
        out.push_back(std::string(match) + " @" + slot_set(static_cast<size_t>(slot_index(s, l)), what) + " ");
    return out;
}

// The matches of a forward's DNAT from the WAN: per link, arriving on it
// and addressed to its own public address (linkN_public4: empty before its
// ip-up, so nothing is forwarded then); one empty match when the forward
// takes every link (prerouting's jump to wan_dnat checks @public4).
std::vector<std::string> wan_dnat_matches(const Settings& s, const Forward& f)
{
    if (f.links.empty())
        return {""};
    std::vector<std::string> out;
    for (const auto& l : f.links) {
        auto i = static_cast<size_t>(slot_index(s, l));
        out.push_back("iifname @" + slot_set(i, "wan") + " ip daddr @" + slot_set(i, "public4") + " ");
    }
    return out;
}

// ---- forwards as anonymous sets and maps (issue 10): the forwards that
// take every link and every source differ only in ports and target, so each
// chain gets one rule for all of them instead of one per forward, protocol
// and link (the seed's 8 forwards: 5 rules instead of 40).

// true when the forward takes every link and every source.
bool everywhere(const Forward& f) { return f.from4.empty() && f.links.empty(); }

// true when the forward is reflected: reflection is on for it and, with
// `from`, a LAN source can be inside from. A reflected connection must
// satisfy from as much as one from the WAN (its rules match `ip saddr`), so
// a forward whose from shares no address with lan-networks is not reflected
// at all. Without IPv4 lan-networks (interfaces only) any source may be LAN.
bool reflects(const Settings& s, const Forward& f)
{
    if (!f.reflection)
        return false;
    if (f.from4.empty() || s.lan_networks4.empty())
        return true;
    return std::any_of(f.from4.begin(), f.from4.end(), [&](const std::string& from) {
        return std::any_of(s.lan_networks4.begin(), s.lan_networks4.end(),
                           [&](const std::string& lan) { return networks_overlap4(from, lan); });
    });
}

// The inside of the forwards fs (after DNAT: address, protocol, port) as
// the elements "ADDRESS . PROTO . PORTS" of one set for `ip daddr . meta
// l4proto . th dport`. The set stands for a union, so the ranges of one
// address and protocol are merged (sorted, overlapping and adjacent ones
// joined): an interval set refuses overlapping elements, and two forwards
// may reach one inside port (80 -> .5:8080 and 8080 -> .5).
std::vector<std::string> inside_set(const std::vector<const Forward*>& fs)
{
    struct Group {
        std::string to;
        std::string_view proto;
        std::vector<PortRange> ports;
    };
    std::vector<Group> groups;  // in the order of the forwards
    std::map<std::pair<std::string, std::string_view>, size_t> index;
    for (const Forward* f : fs)
        for (auto p : l4(f->proto)) {
            auto [it, fresh] = index.try_emplace({f->to, p}, groups.size());
            if (fresh)
                groups.push_back({f->to, p, {}});
            auto& ports = groups[it->second].ports;
            if (f->to_port)
                ports.push_back({*f->to_port, *f->to_port});
            else
                ports.insert(ports.end(), f->ports.begin(), f->ports.end());
        }
    std::vector<std::string> items;
    for (auto& g : groups) {
        std::sort(g.ports.begin(), g.ports.end(), [](const PortRange& a, const PortRange& b) { return a.lo < b.lo; });
        std::vector<PortRange> merged;
        for (const auto& r : g.ports)
            if (!merged.empty() && r.lo <= merged.back().hi + 1)
                merged.back().hi = std::max(merged.back().hi, r.hi);
            else
                merged.push_back(r);
        for (const auto& r : merged)
            items.push_back(g.to + " . " + std::string(g.proto) + " . " + range_str(r));
    }
    return items;
}

// The DNAT maps of the forwards fs, from the outside `meta l4proto . th
// dport`: `keep` to the address alone (the port is kept, ranges too),
// `moved` to "ADDRESS . PORT" for the forwards with a target port. The keys
// must be disjoint (from_config refuses forwards whose ports overlap on a
// shared link); nft refuses the ruleset otherwise.
struct DnatMaps {
    std::vector<std::string> keep, moved;
};
DnatMaps dnat_maps(const std::vector<const Forward*>& fs)
{
    DnatMaps m;
    for (const Forward* f : fs)
        for (auto p : l4(f->proto))
            for (const auto& r : f->ports)
                if (f->to_port)
                    m.moved.push_back(std::string(p) + " . " + range_str(r) + " : " + f->to + " . " +
                                      std::to_string(*f->to_port));
                else
                    m.keep.push_back(std::string(p) + " . " + range_str(r) + " : " + f->to);
    return m;
}

// Forward sets and maps used by more than one chain (issue 10): each
// anonymous set is a kernel object of its own, built, checked and committed
// once per use, so a set that the same forwards need in wan_forward,
// lan_reflected and reflect_snat (or a map in wan_dnat and reflect_dnat) is
// declared once as a named set and referenced; one used once stays
// anonymous. The seed's full apply: 3 sets and 2 maps -> 1 and 1, about a
// fifth of its time. Names are fixed per kind: at most one text of a kind
// can be shared (three uses of forward_targets, two of each map).
class Shared {
public:
    struct Kind {
        std::string_view name, type;  // the set's name and its nft type
    };
    static constexpr Kind kTargets{"forward_targets", "ipv4_addr . inet_proto . inet_service"};
    static constexpr Kind kDnat{"forward_dnat", "inet_proto . inet_service : ipv4_addr"};
    static constexpr Kind kDnatPort{"forward_dnat_port", "inet_proto . inet_service : ipv4_addr . inet_service"};

    // Counts one planned use of the elements of kind k (empty: no rule).
    void plan(const Kind& k, const std::vector<std::string>& elems)
    {
        if (!elems.empty())
            ++uses_[{std::string(k.name), join(elems)}];
    }
    // The declarations of the shared ones, for the table's head.
    void declare(Builder& b) const
    {
        for (const auto& [key, n] : uses_) {
            if (n < 2)
                continue;
            const Kind& k = key.first == kTargets.name ? kTargets : key.first == kDnat.name ? kDnat : kDnatPort;
            const bool map = k.name != kTargets.name;
            b.line("    ", std::string(map ? "map " : "set ") + key.first + " {");
            b.line("        ", "type " + std::string(k.type));
            // a port range in a key (addresses here are single IPv4 hosts)
            if (key.second.find('-') != std::string::npos)
                b.line("        ", "flags interval");
            b.line("        ", "elements = { " + key.second + " }");
            b.line("    ", "}");
        }
    }
    // How a rule refers to the elements: "@NAME" when shared, else the
    // anonymous "{ ... }".
    std::string ref(const Kind& k, const std::vector<std::string>& elems) const
    {
        std::string text = join(elems);
        auto it = uses_.find({std::string(k.name), text});
        return it != uses_.end() && it->second >= 2 ? "@" + std::string(k.name) : "{ " + text + " }";
    }

private:
    std::map<std::pair<std::string, std::string>, int> uses_;
};

// The DNAT rules of maps m, with the shared ones by name.
std::vector<std::string> dnat_rules(const Shared& sh, const DnatMaps& m)
{
    std::vector<std::string> out;
    const std::string head = "meta nfproto ipv4 dnat ip to meta l4proto . th dport map ";
    if (!m.keep.empty())
        out.push_back(head + sh.ref(Shared::kDnat, m.keep));
    if (!m.moved.empty())
        out.push_back(head + sh.ref(Shared::kDnatPort, m.moved));
    return out;
}

// The whole ruleset text. digest_comment: the table's comment line ("" for
// the digest computation itself).
std::string build(const Settings& s, const Dynamic& d, const std::string& digest_comment,
                  std::string_view extras_ref = {})
{
    Builder b;
    std::string t = "inet " + std::string(kTable);
    // The variables of the extras file. Only then: libnftables 1.0.6 crashes
    // when one context runs two buffers that both "define" (see
    // needs_fresh_context), and pppkit's own rules need no variables.
    if (s.extras) {
        b.line("", "define wan_ifaces = " + quoted_set(s.wan));
        // the LAN, to match positively: "iifname != $wan_ifaces" is also a
        // second session (WAN through @wan only) and the PPPoE carrier
        if (!s.lan_interfaces.empty())
            b.line("", "define lan_ifaces = " + quoted_set(s.lan_interfaces));
        b.line("", "define public4 = @public4");
    }
    // "add" makes the "delete" valid on a first load; the three are one
    // transaction, so there is no instant without rules and never two copies.
    b.line("", "add table " + t);
    b.line("", "delete table " + t);
    b.line("", "table " + t + " {");
    if (!digest_comment.empty()) {
        b.line("    ", "comment " + nft::quote(digest_comment));
        // the same where a JSON listing shows it (nft 1.0.6 omits a table's comment)
        b.line("    ", "set " + std::string(kMarkSet) + " {");
        b.line("        ", "type ifname");
        b.line("        ", "comment " + nft::quote(digest_comment));
        // what each link update checks (link_changes); digest_comment is
        // "pppkit digest <digest>"
        const std::string_view dg = std::string_view(digest_comment).substr(digest_comment.rfind(' ') + 1);
        b.line("        ", "elements = { " + nft::quote(digest_key(dg)) + " }");
        b.line("    ", "}");
    }

    // dynamic sets: each link's ESTABLISH/ip-up adds its elements, its
    // ip-down removes them (link_update)
    std::vector<std::string> wans, pubs, record;
    // set wan: the configured names (kept for ever), then the links'
    // interfaces that are not among them
    std::vector<std::string> wan_set;
    const auto configured = wan_plain(s);
    for (const auto& w : configured)
        wan_set.push_back(nft::quote(w) + " comment " + nft::quote(kConfiguredWan));
    std::vector<std::vector<std::string>> slot_wan(s.links.size()), slot_pub(s.links.size());
    for (const auto& l : d.links) {
        if (std::find(wans.begin(), wans.end(), l.ifname) == wans.end()) {
            wans.push_back(l.ifname);
            if (std::find(configured.begin(), configured.end(), l.ifname) == configured.end())
                wan_set.push_back(nft::quote(l.ifname));
        }
        int i = link_slot(s, l);
        if (i >= 0)
            slot_wan[static_cast<size_t>(i)].push_back(nft::quote(l.ifname));
        if (!l.public4)
            continue;
        if (std::find(pubs.begin(), pubs.end(), *l.public4) == pubs.end())
            pubs.push_back(*l.public4);
        record.push_back(nft::quote(l.ifname) + " : " + *l.public4);
        if (i >= 0)
            slot_pub[static_cast<size_t>(i)].push_back(*l.public4);
    }
    auto set = [&](const std::string& name, std::string_view type, const std::vector<std::string>& elems,
                   const std::string& comment) {
        b.line("    ", "set " + name + " {");
        b.line("        ", "type " + std::string(type));
        if (!comment.empty())
            b.line("        ", "comment " + nft::quote(comment));
        if (!elems.empty())
            b.line("        ", "elements = { " + join(elems) + " }");
        b.line("    ", "}");
    };
    set(
        "active_wan", "ifname",
        [&] {
            std::vector<std::string> q;
            for (const auto& w : wans)
                q.push_back(nft::quote(w));
            return q;
        }(),
        "");
    set("wan", "ifname", wan_set, "");
    set("public4", "ipv4_addr", pubs, "");
    b.line("    ", "map wan_public4 {");
    b.line("        ", "type ifname : ipv4_addr");
    if (!record.empty())
        b.line("        ", "elements = { " + join(record) + " }");
    b.line("    ", "}");
    for (size_t i = 0; i < s.links.size(); ++i) {
        set(slot_set(i, "wan"), "ifname", slot_wan[i], "link " + s.links[i]);
        set(slot_set(i, "public4"), "ipv4_addr", slot_pub[i], "link " + s.links[i]);
    }
    // anti-spoofing: the LAN's networks and the never-routed sources, one
    // set per family (merged: a LAN network may overlap another one or a
    // constant, and nft refuses overlapping elements without auto-merge)
    auto spoof_set = [&](const std::string& name, std::string_view type, std::vector<std::string> elems,
                         const char* const* more, size_t n) {
        elems.insert(elems.end(), more, more + n);
        b.line("    ", "set " + name + " {");
        b.line("        ", "type " + std::string(type));
        b.line("        ", "flags interval");
        b.line("        ", "elements = { " + join(merge_prefixes(elems)) + " }");
        b.line("    ", "}");
    };
    spoof_set("wan_spoof4", "ipv4_addr", s.lan_networks4, std::begin(kSpoof4), std::size(kSpoof4));
    if (s.ipv6)
        spoof_set("wan_spoof6", "ipv6_addr", s.lan_networks6, std::begin(kSpoof6), std::size(kSpoof6));
    if (s.egress_guard) {
        std::vector<std::string> e4(std::begin(kEgress4), std::end(kEgress4));
        b.line("    ", "set egress4 {");
        b.line("        ", "type ipv4_addr");
        b.line("        ", "flags interval");
        b.line("        ", "elements = { " + join(e4) + " }");
        b.line("    ", "}");
        if (s.ipv6) {
            std::vector<std::string> e6(std::begin(kEgress6), std::end(kEgress6));
            b.line("    ", "set egress6 {");
            b.line("        ", "type ipv6_addr");
            b.line("        ", "flags interval");
            b.line("        ", "elements = { " + join(e6) + " }");
            b.line("    ", "}");
        }
    }

    // The forwards by the rules they need: the ones for every link and
    // source share one set or map per chain; the others (from, link) keep a
    // rule each. Reflection (reflects()) takes from like the WAN side does:
    // only sources inside it; link only picks the public address.
    std::vector<const Forward*> plain, reflected, reflected_any, reflected_plain;
    for (const auto& f : s.forwards) {
        if (everywhere(f))
            plain.push_back(&f);
        if (reflects(s, f))
            reflected.push_back(&f);
        if (reflects(s, f) && f.from4.empty())
            reflected_any.push_back(&f);
        if (reflects(s, f) && f.from4.empty() && f.links.empty())
            reflected_plain.push_back(&f);
    }
    // what wan_forward, lan_reflected and reflect_snat match, and what
    // wan_dnat and reflect_dnat map: a set used twice is declared here once,
    // after the other sets
    const auto targets_wan = inside_set(plain), targets_lan = inside_set(reflected_any),
               targets_snat = inside_set(reflected);
    const auto dnat_wan = dnat_maps(plain), dnat_lan = dnat_maps(reflected_plain);
    Shared shared;
    for (const auto* elems : {&targets_wan, &targets_lan, &targets_snat})
        shared.plan(Shared::kTargets, *elems);
    for (const auto* m : {&dnat_wan, &dnat_lan}) {
        shared.plan(Shared::kDnat, m->keep);
        shared.plan(Shared::kDnatPort, m->moved);
    }
    shared.declare(b);

    // every drop goes through one of these: rate-limited log, then drop
    b.out += drop_chain(s, "input");
    b.out += drop_chain(s, "forward");
    b.out += drop_chain(s, "output");
    // the extras file adds rules to these (jumped early, after conntrack)
    for (const char* c : {"extra_input", "extra_forward", "extra_prerouting", "extra_postrouting"})
        b.line("    ", std::string("chain ") + c + " {\n    }");

    auto lan4 = lan_src(s, true);
    auto lan = lan_src(s, false);
    // The NAT chains' LAN matches never take a packet that came in on a
    // link the plugin runs: a lan-interfaces item matching a WAN link's own
    // interface (the plugin refuses that link; this holds if it did not)
    // would have its inbound forwards masqueraded as if from the LAN, and
    // its traffic to another link's public address reflected. The filter
    // chains match WAN first (goto), so only NAT needs it; one set lookup,
    // on a connection's first packet only.
    auto not_wan = [](std::vector<std::string> v) {
        for (auto& m : v)
            m = "iifname != @wan " + m;
        return v;
    };
    auto lan4_pre = not_wan(lan_src(s, true));          // prerouting
    auto lan4_post = not_wan(lan_src(s, true, false));  // postrouting

    // Anti-spoofing, before conntrack's accept (a forged reply would join a
    // LAN host's flow): from a WAN interface no source of the LAN's networks
    // or of the never-routed ranges (wan_spoof4/6).
    auto anti_spoof = [&](std::string_view drop) {
        for (const auto& w : wan_in(s)) {
            b.rule(w + "ip saddr @wan_spoof4 goto " + std::string(drop));
            if (s.ipv6)
                b.rule(w + "ip6 saddr @wan_spoof6 goto " + std::string(drop));
        }
    };

    // ---- input
    b.line("    ", "chain input {");
    b.rule("type filter hook input priority filter; policy drop;");
    b.rule(kGuardSet);
    // by name: `iif "lo"` makes libnftables dump every interface of the
    // host at each apply (it drops its interface cache after every command):
    // 0.23 ms of a 1.4 ms full apply with 60 interfaces. Same for the failsafe.
    b.rule("iifname \"lo\" accept");
    anti_spoof("drop_input");
    if (!s.ipv6)
        b.rule("meta nfproto ipv6 drop");
    b.rule("ct state established,related accept");
    b.rule("ct state invalid drop");
    b.rule("jump extra_input");
    if (s.ipv6) {
        b.rule("icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept");
        b.rule("ip6 hoplimit 255 icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept");
        b.rule("ip6 saddr fe80::/10 icmpv6 type { mld-listener-query, mld-listener-report, mld2-listener-report } "
               "accept");
        // the DHCPv6 client: a server's answers on the WAN link only (from
        // the LAN they would reach the router's client, e.g. a forged lease)
        for (const auto& w : wan_in(s))
            b.rule(w + "ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept");
    }
    for (const auto& w : wan_in(s))
        b.rule(w + "goto wan_input");
    for (const auto& l : lan)
        b.rule(l + "goto lan_input");
    b.rule("goto drop_input");
    b.line("    ", "}");

    b.line("    ", "chain wan_input {");
    if (s.wan_ping) {
        b.rule("icmp type echo-request " + limit_of(s.wan_ping_rate) + " accept");
        if (s.ipv6)
            b.rule("icmpv6 type echo-request " + limit_of(s.wan_ping_rate) + " accept");
    }
    auto ws = split(s.wan_services);
    if (!ws.tcp.empty())
        b.rule("tcp dport " + ports_expr(ws.tcp) + " accept");
    if (!ws.udp.empty())
        b.rule("udp dport " + ports_expr(ws.udp) + " accept");
    b.rule("goto drop_input");
    b.line("    ", "}");

    b.line("    ", "chain lan_input {");
    // "icmpv6" is nft's own keyword; the name "ipv6-icmp" is looked up in /etc/protocols, which a
    // minbase system (no netbase: containers, debootstrap --variant=minbase) does not have.
    if (s.lan_icmp)
        b.rule(s.ipv6 ? "meta l4proto { icmp, icmpv6 } accept" : "meta l4proto icmp accept");
    auto rs = split(s.router_services);
    if (!rs.tcp.empty())
        b.rule("tcp dport " + ports_expr(rs.tcp) + " accept");
    if (!rs.udp.empty())
        b.rule("udp dport " + ports_expr(rs.udp) + " accept");
    b.rule(s.lan_default == LanDefault::Accept ? "accept" : "goto drop_input");
    b.line("    ", "}");

    // ---- forward
    b.line("    ", "chain forward {");
    b.rule("type filter hook forward priority filter; policy drop;");
    b.rule(kGuardSet);
    anti_spoof("drop_forward");
    if (!s.ipv6)
        b.rule("meta nfproto ipv6 drop");
    if (s.egress_guard)
        for (const auto& w : wan_out(s)) {
            b.rule(w + "ip daddr @egress4 goto drop_forward");
            if (s.ipv6)
                b.rule(w + "ip6 daddr @egress6 goto drop_forward");
        }
    // A DNAT'd connection never leaves by a WAN interface: a forward's
    // target is a LAN host, and one whose `to` is routed out of a WAN (a
    // public address, with no IPv4 lan-networks to refuse it) would make the
    // router relay the internet to the internet. Only the original
    // direction: the replies of a WAN -> LAN forward leave by the WAN.
    // Before conntrack's accept, so no such flow survives a reload; extras
    // cannot send DNAT'd traffic out either (nor a LAN host's, redirected).
    for (const auto& w : wan_out(s))
        b.rule(w + "ct direction original ct status dnat goto drop_forward");
    b.rule("ct state established,related accept");
    b.rule("ct state invalid drop");
    b.rule("jump extra_forward");
    for (const auto& w : wan_in(s))
        b.rule(w + "goto wan_forward");
    for (const auto& l : lan)
        for (const auto& w : wan_out(s))
            b.rule(l + w + "goto lan_to_wan");
    for (const auto& l : lan4)
        b.rule(l + "ct status dnat goto lan_reflected");
    b.rule("goto drop_forward");
    b.line("    ", "}");

    const std::string inside = "ip daddr . meta l4proto . th dport ";

    // accept rules for the DNAT'd connections: after prerouting, daddr and
    // dport are the internal ones. The WAN side of a forward with from or
    // link: restricted to its sources and links.
    // wan: from the WAN (on the forward's links); else reflected (link is
    // for the DNAT alone).
    auto accept_forward = [&](const Forward& f, bool wan) {
        for (const auto& via : wan ? link_matches(s, f, "iifname", "wan") : std::vector<std::string>{""})
            for (auto p : l4(f.proto)) {
                std::string r = via;
                if (!f.from4.empty())
                    r += "ip saddr { " + join(f.from4) + " } ";
                r += "ip daddr " + f.to + " " + std::string(p) + " dport ";
                r += f.to_port ? std::to_string(*f.to_port) : ports_expr(f.ports);
                r += " ct status dnat accept";
                b.rule(r);
            }
    };
    b.line("    ", "chain wan_forward {");
    if (!targets_wan.empty())
        b.rule(inside + shared.ref(Shared::kTargets, targets_wan) + " ct status dnat accept");
    for (const auto& f : s.forwards)
        if (!everywhere(f))
            accept_forward(f, true);
    b.rule("goto drop_forward");
    b.line("    ", "}");

    b.line("    ", "chain lan_to_wan {");
    auto fb = split(s.forward_block);
    if (!fb.tcp.empty())
        b.rule("tcp dport " + ports_expr(fb.tcp) + " goto drop_forward");
    if (!fb.udp.empty())
        b.rule("udp dport " + ports_expr(fb.udp) + " goto drop_forward");
    b.rule("accept");
    b.line("    ", "}");

    b.line("    ", "chain lan_reflected {");
    if (!targets_lan.empty())
        b.rule(inside + shared.ref(Shared::kTargets, targets_lan) + " ct status dnat accept");
    for (const Forward* f : reflected)
        if (!f->from4.empty())
            accept_forward(*f, false);
    b.rule("goto drop_forward");
    b.line("    ", "}");

    // ---- output: policy accept; only the egress guard drops here
    b.line("    ", "chain output {");
    b.rule("type filter hook output priority filter; policy accept;");
    if (s.egress_guard)
        for (const auto& w : wan_out(s)) {
            b.rule(w + "ip daddr @egress4 goto drop_output");
            if (s.ipv6)
                b.rule(w + "ip6 daddr @egress6 goto drop_output");
        }
    b.line("    ", "}");
    b.out += unmark_chains();

    // ---- NAT
    // The DNAT rules of one forward with from or link (the others are in
    // dnat_maps), only for its sources (from) in both cases. wan: from the
    // WAN (on the forward's links); else reflection (to the public addresses
    // of the forward's links).
    auto dnat = [&](const Forward& f, bool wan) {
        for (const auto& via : wan ? wan_dnat_matches(s, f) : link_matches(s, f, "ip daddr", "public4"))
            for (auto p : l4(f.proto)) {
                std::string r = via;
                if (!f.from4.empty())
                    r += "ip saddr { " + join(f.from4) + " } ";
                else
                    r += "meta nfproto ipv4 ";
                r += std::string(p) + " dport " + ports_expr(f.ports) + " dnat ip to " + f.to;
                if (f.to_port)
                    r += ":" + std::to_string(*f.to_port);
                b.rule(r);
            }
    };
    b.line("    ", "chain prerouting {");
    b.rule("type nat hook prerouting priority dstnat; policy accept;");
    b.rule("jump extra_prerouting");
    // from the WAN only to a link's public address (a LAN server's address
    // or any other one routed to the router is not DNAT'd), and nothing
    // before the first ip-up: public4 is empty then. The address must be
    // the arriving interface's own ("fib daddr . iif"): one link does not
    // carry the forwards of another link's address.
    for (const auto& w : wan_in(s))
        b.rule(w + "ip daddr @public4 fib daddr . iif type local goto wan_dnat");
    for (const auto& l : lan4_pre)
        b.rule(l + "ip daddr @public4 goto reflect_dnat");
    b.line("    ", "}");
    b.line("    ", "chain wan_dnat {");
    for (const auto& r : dnat_rules(shared, dnat_wan))
        b.rule(r);
    for (const auto& f : s.forwards)
        if (!everywhere(f))
            dnat(f, true);
    b.line("    ", "}");
    b.line("    ", "chain reflect_dnat {");
    for (const auto& r : dnat_rules(shared, dnat_lan))
        b.rule(r);
    for (const Forward* f : reflected)
        if (!everywhere(*f))
            dnat(*f, false);
    b.line("    ", "}");

    b.line("    ", "chain postrouting {");
    b.rule("type nat hook postrouting priority srcnat; policy accept;");
    b.rule("jump extra_postrouting");
    if (s.masquerade)
        for (const auto& l : lan4_post)
            for (const auto& w : wan_out(s))
                b.rule(l + w + "masquerade");
    // reflection: the LAN client and the server share the LAN, so the
    // server must answer through the router: SNAT to the router's address.
    for (const auto& l : lan4_post)
        b.rule(l + "ct status dnat goto reflect_snat");
    b.line("    ", "}");
    b.line("    ", "chain reflect_snat {");
    if (!targets_snat.empty())
        b.rule(inside + shared.ref(Shared::kTargets, targets_snat) + " masquerade");
    b.line("    ", "}");

    // nft reads the file itself (the sealed copy, see lifecycle.hpp), so its
    // errors name a file and line; $wan_ifaces and $public4 (defined above)
    // are visible inside it, and so are the sets (@wan: every WAN name).
    if (s.extras)
        b.line("    ", "include " + nft::quote(extras_ref.empty() ? std::string_view(*s.extras) : extras_ref));
    b.line("", "}");
    return b.out;
}

}  // namespace

std::string_view to_string(Proto p) { return kProtoChoices.name(p); }

std::string_view to_string(LogLevel l) { return kLogLevelChoices.name(l); }

bool wan_matches(const std::vector<std::string>& patterns, std::string_view ifname)
{
    for (const auto& p : patterns) {
        if (!p.empty() && p.back() == '*') {
            if (ifname.substr(0, p.size() - 1) == std::string_view(p).substr(0, p.size() - 1))
                return true;
        } else if (p == ifname) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> merge_prefixes(const std::vector<std::string>& prefixes)
{
    using u128 = unsigned __int128;
    struct Range {
        int family;  // AF_INET or AF_INET6
        u128 lo, hi;
    };
    const auto host_mask = [](int host_bits) { return host_bits >= 128 ? ~u128{0} : (u128{1} << host_bits) - 1; };
    std::vector<Range> ranges;
    std::vector<std::string> rest;
    for (const auto& p : prefixes) {
        const auto slash = p.find('/');
        const std::string addr = p.substr(0, slash);
        const int family = addr.find(':') == std::string::npos ? AF_INET : AF_INET6;
        const int bits = family == AF_INET ? 32 : 128;
        int len = bits;
        if (slash != std::string::npos) {
            const std::string l = p.substr(slash + 1);
            if (l.empty() || l.size() > 3 ||
                !std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; }) || std::stoi(l) > bits) {
                rest.push_back(p);
                continue;
            }
            len = std::stoi(l);
        }
        unsigned char raw[16] = {};
        if (inet_pton(family, addr.c_str(), raw) != 1) {
            rest.push_back(p);
            continue;
        }
        u128 v = 0;
        for (int i = 0; i < bits / 8; ++i)
            v = (v << 8) | raw[i];
        const u128 host = host_mask(bits - len);
        ranges.push_back({family, v & ~host, v | host});
    }
    std::sort(ranges.begin(), ranges.end(),
              [](const Range& a, const Range& b) { return a.family != b.family ? a.family == AF_INET : a.lo < b.lo; });
    std::vector<Range> merged;
    for (const auto& r : ranges) {
        // overlapping, or adjacent: r starts right after the last one ends
        // (r.lo - 1 cannot wrap: r.lo > the last one's lo >= 0)
        if (!merged.empty() && merged.back().family == r.family &&
            (r.lo <= merged.back().hi || r.lo - 1 == merged.back().hi)) {
            merged.back().hi = std::max(merged.back().hi, r.hi);
            continue;
        }
        merged.push_back(r);
    }
    std::vector<std::string> out;
    for (const auto& r : merged) {
        const int bits = r.family == AF_INET ? 32 : 128;
        for (u128 lo = r.lo;;) {
            // the largest block that starts at lo and ends by r.hi
            int len = 0;
            while ((lo & host_mask(bits - len)) != 0 || host_mask(bits - len) > r.hi - lo)
                ++len;
            unsigned char raw[16] = {};
            for (int i = bits / 8 - 1, shift = 0; i >= 0; --i, shift += 8)
                raw[i] = static_cast<unsigned char>(lo >> shift);
            char text[INET6_ADDRSTRLEN] = {};
            inet_ntop(r.family, raw, text, sizeof text);
            out.push_back(std::string(text) + "/" + std::to_string(len));
            const u128 end = lo | host_mask(bits - len);
            if (end >= r.hi)
                break;
            lo = end + 1;
        }
    }
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

namespace {
// true when some interface name could match both patterns ("ppp*" and
// "pppoe0", "br*" and "br-lan*", ...), compared as text.
bool patterns_overlap(std::string_view a, std::string_view b)
{
    bool wa = !a.empty() && a.back() == '*';
    bool wb = !b.empty() && b.back() == '*';
    if (wa)
        a.remove_suffix(1);
    if (wb)
        b.remove_suffix(1);
    if (wa && wb)
        return a.substr(0, b.size()) == b.substr(0, a.size());
    if (wa)
        return b.substr(0, a.size()) == a;
    if (wb)
        return a.substr(0, b.size()) == b;
    return a == b;
}
}  // namespace

std::variant<Settings, std::vector<Diagnostic>> from_config(const Document& doc)
{
    Settings s;
    std::vector<Diagnostic> diags;
    const Section* fw = doc.first("firewall");
    auto forwards = doc.of_type("forward");
    if (fw == nullptr) {
        Diagnostic d;
        d.file = doc.files.empty() ? "pppkit.conf" : doc.files.front();
        d.section = "firewall";
        d.problem = "missing: the firewall needs a [firewall] section with lan-networks or lan-interfaces";
        if (!forwards.empty()) {
            d.file = forwards.front()->file;
            d.line = forwards.front()->line;
        }
        diags.push_back(d);
        return diags;
    }
    const Section& sec = *fw;
    // The value parsed at load, else the key's documented default: the one
    // source of Settings' values (Settings has no defaults of its own). A
    // value load() refused is reported (the document is not ok()) as
    // problem and leaves out as it is.
    auto parsed = [&]<class T>(const char* key, T& out, const char* problem = "refused at load") {
        const Entry* e = sec.get(key);
        const config::Value v = e != nullptr ? e->parsed : config::documented_default(firewall_spec(), key);
        if (auto t = config::value_as<T>(v))  // a pointer, or for an enum key an optional
            out = *t;
        else if (e != nullptr)
            diags.push_back(diag_at(*e, sec, problem));
    };
    auto flag = [&](const char* key, bool& out) { parsed(key, out, "expected yes or no"); };

    parsed("wan", s.wan);
    parsed("lan-interfaces", s.lan_interfaces);
    if (const Entry* e = sec.get("lan-networks"); e != nullptr && e->list() != nullptr)
        for (const auto& n : *e->list())
            (n.find(':') != std::string::npos ? s.lan_networks6 : s.lan_networks4).push_back(n);
    parsed("router-services", s.router_services);
    flag("lan-icmp", s.lan_icmp);
    parsed("lan-default", s.lan_default);
    flag("wan-ping", s.wan_ping);
    parsed("wan-ping-rate", s.wan_ping_rate);
    parsed("wan-services", s.wan_services);
    parsed("forward-block", s.forward_block);
    flag("masquerade", s.masquerade);
    flag("reflection", s.reflection);
    flag("egress-guard", s.egress_guard);
    flag("ipv6", s.ipv6);
    flag("forwarding", s.forwarding);
    flag("log", s.log);
    parsed("log-level", s.log_level);
    long long group = 0;
    parsed("log-group", group, "not an integer");
    s.log_group = static_cast<int>(group);
    parsed("log-rate", s.log_rate);
    parsed("log-prefix", s.log_prefix);
    if (const Entry* e = sec.get("extras"))
        s.extras = e->value;

    // ---- checks across keys, each on the line of the key at fault
    if (s.lan_interfaces.empty() && s.lan_networks4.empty() && s.lan_networks6.empty())
        diags.push_back(diag_section(sec, "lan-networks",
                                     "set lan-networks and/or lan-interfaces: the firewall must know the LAN"));
    if (!s.ipv6 && !s.lan_networks6.empty())
        diags.push_back(
            diag_at(*sec.get("lan-networks"), sec, "IPv6 network '" + s.lan_networks6.front() + "' but ipv6 = no"));
    // A name both patterns could match would make a WAN interface LAN (its
    // traffic reflected, masqueraded to the router's LAN address): "pp*"
    // against "ppp*" as much as "ppp0" against "ppp*".
    for (const auto& lan : s.lan_interfaces) {
        if (std::any_of(s.wan.begin(), s.wan.end(), [&](const std::string& w) { return patterns_overlap(lan, w); })) {
            diags.push_back(
                diag_at(*sec.get("lan-interfaces"), sec, "'" + lan + "' is also matched by wan = " + join(s.wan)));
            break;
        }
    }

    // The links a forward may name: the [link NAME] sections (pppkitd's
    // peers; pppd's "call NAME") and the interfaces wan lists by exact name.
    std::vector<std::string> known_links;
    for (const Section* l : doc.of_type("link"))
        known_links.push_back(l->name);
    for (const auto& w : s.wan)
        if (!w.empty() && w.back() != '*' && std::find(known_links.begin(), known_links.end(), w) == known_links.end())
            known_links.push_back(w);

    struct Taken {
        Proto proto;
        PortRange ports;
        std::string owner;
        int line;
        std::vector<std::string> links;  // empty: every link
    };
    // Two claims on a port clash unless both name links and share none (one
    // port forwarded to different hosts on different links).
    auto links_overlap = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
        return a.empty() || b.empty() || std::any_of(a.begin(), a.end(), [&](const std::string& x) {
                   return std::find(b.begin(), b.end(), x) != b.end();
               });
    };
    std::vector<Taken> taken;
    if (const Entry* e = sec.get("wan-services"))
        for (const auto& sv : s.wan_services)
            taken.push_back({sv.proto, sv.ports, "[firewall] wan-services", e->line, {}});

    for (const Section* fs : forwards) {
        Forward f;
        f.name = fs->name;
        f.file = fs->file;
        f.line = fs->line;
        f.reflection = s.reflection;
        bool ok = true;
        const Entry* proto = fs->get("proto");
        const Entry* port = fs->get("port");
        const Entry* to = fs->get("to");
        if (proto == nullptr || port == nullptr || to == nullptr) {
            for (const char* k : {"proto", "port", "to"})
                if (fs->get(k) == nullptr)
                    diags.push_back(diag_section(*fs, k, "missing (required)"));
            continue;
        }
        if (auto p = proto->as<Proto>())
            f.proto = *p;
        else {
            diags.push_back(diag_at(*proto, *fs, "expected one of " + kProtoChoices.joined(',')));
            ok = false;
        }
        if (const auto* p = port->as<std::vector<PortRange>>())
            f.ports = *p;
        else {
            diags.push_back(diag_at(*port, *fs, "refused at load"));
            ok = false;
        }
        if (const auto* t = to->as<config::HostPort>()) {
            f.to = t->address;
            f.to_port = t->port;
        } else {
            diags.push_back(diag_at(*to, *fs, "refused at load"));
            ok = false;
        }
        if (ok && f.to_port && (f.ports.size() != 1 || f.ports[0].lo != f.ports[0].hi))
            diags.push_back(diag_at(*to, *fs,
                                    "a target port needs one single external port (port = " + port->value +
                                        "); write the address alone to keep the ports"));
        if (const std::string why = ok ? not_a_host4(f.to) : ""; !why.empty())
            diags.push_back(diag_at(*to, *fs, f.to + " is " + why + ", not a LAN host's address"));
        else if (ok && !s.lan_networks4.empty() &&
                 std::none_of(s.lan_networks4.begin(), s.lan_networks4.end(),
                              [&](const std::string& n) { return in_network4(f.to, n); }))
            diags.push_back(diag_at(*to, *fs, f.to + " is not inside lan-networks (" + join(s.lan_networks4) + ")"));
        if (const Entry* e = fs->get("from"); e != nullptr && e->list() == nullptr) {
            diags.push_back(diag_at(*e, *fs, "refused at load"));
            ok = false;
        } else if (e != nullptr)
            for (const auto& n : *e->list()) {
                if (n.find(':') != std::string::npos) {
                    diags.push_back(diag_at(*e, *fs,
                                            "'" + n +
                                                "': forwards are IPv4 port forwards (DNAT); an IPv6 "
                                                "source never reaches them"));
                    break;
                }
                f.from4.push_back(n);
            }
        if (const Entry* e = fs->get("reflection")) {
            if (auto bv = e->boolean())
                f.reflection = *bv;
            else
                diags.push_back(diag_at(*e, *fs, "expected yes or no"));
        }
        if (const Entry* e = fs->get("link")) {
            for (const auto& n : e->list() != nullptr ? *e->list() : std::vector<std::string>{}) {
                if (std::find(known_links.begin(), known_links.end(), n) == known_links.end()) {
                    diags.push_back(diag_at(*e, *fs,
                                            "unknown link '" + n +
                                                "': name a [link NAME] section or an interface listed in "
                                                "[firewall] wan (known: " +
                                                (known_links.empty() ? std::string("none") : join(known_links)) + ")"));
                    ok = false;
                    break;
                }
                if (std::find(f.links.begin(), f.links.end(), n) == f.links.end())
                    f.links.push_back(n);
            }
            if (ok && f.links.empty()) {
                diags.push_back(diag_at(*e, *fs, "expected one or more link names (leave the key out for every link)"));
                ok = false;
            }
        }
        if (ok) {
            bool clash = false;
            for (const auto& r : f.ports) {
                for (const auto& t : taken)
                    if (proto_overlaps(t.proto, f.proto) && overlaps(t.ports, r) && links_overlap(t.links, f.links)) {
                        diags.push_back(diag_at(*port, *fs,
                                                "port " + range_str(r) + " is already taken by " + t.owner + " (line " +
                                                    std::to_string(t.line) + ")"));
                        clash = true;
                        break;
                    }
                if (clash)
                    break;
            }
            for (const auto& r : f.ports)
                taken.push_back({f.proto, r, "[forward \"" + f.name + "\"]", port->line, f.links});
            for (const auto& l : f.links)
                if (std::find(s.links.begin(), s.links.end(), l) == s.links.end())
                    s.links.push_back(l);
            s.forwards.push_back(std::move(f));
        }
    }
    if (!diags.empty()) {
        auto rank = [&](const Diagnostic& x) {
            return std::find(doc.files.begin(), doc.files.end(), x.file) - doc.files.begin();
        };
        std::stable_sort(diags.begin(), diags.end(), [&](const Diagnostic& x, const Diagnostic& y) {
            return rank(x) != rank(y) ? rank(x) < rank(y) : x.line < y.line;
        });
        return diags;
    }
    return s;
}

bool reserved_name(std::string_view kind, std::string_view name)
{
    // sets and maps: build()'s own, the slots' linkN_wan and linkN_public4,
    // the shared forward sets and maps (Shared), the mark set
    static constexpr std::array<std::string_view, 12> sets = {
        kMarkSet,     "active_wan", "wan",     "public4",         "wan_public4",  "wan_spoof4",
        "wan_spoof6", "egress4",    "egress6", "forward_targets", "forward_dnat", "forward_dnat_port"};
    static constexpr std::array<std::string_view, 18> chains = {
        "input",         "wan_input",  "lan_input",    "forward",     "wan_forward",  "lan_to_wan",
        "lan_reflected", "output",     "prerouting",   "wan_dnat",    "reflect_dnat", "postrouting",
        "reflect_snat",  "drop_input", "drop_forward", "drop_output", kUnmarkChain,   "forward_unmark"};
    if (kind == "chain")
        return std::find(chains.begin(), chains.end(), name) != chains.end();
    if (kind != "set" && kind != "map")
        return false;
    if (std::find(sets.begin(), sets.end(), name) != sets.end())
        return true;
    // linkN_wan, linkN_public4 (slot_set)
    if (name.substr(0, 4) != "link")
        return false;
    size_t i = 4;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9')
        ++i;
    return i > 4 && (name.substr(i) == "_wan" || name.substr(i) == "_public4");
}

std::optional<TextProblem> check_extras_text(std::string_view text)
{
    static constexpr std::array<std::string_view, 9> allowed = {"chain", "set", "map",       "counter", "quota",
                                                                "limit", "ct",  "flowtable", "secmark"};
    int depth = 0;
    int lineno = 0;
    int open_line = 0;  // line of the outermost '{' still open
    size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        ++lineno;
        bool in_str = false;
        bool at_start = true;  // the next word starts a statement
        for (size_t i = 0; i < line.size(); ++i) {
            char c = line[i];
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
                return TextProblem{lineno, "control byte (" + std::to_string(static_cast<unsigned char>(c)) +
                                               "): the file must be plain text"};
            if (in_str) {
                if (c == '"')
                    in_str = false;
                continue;
            }
            if (c == '#')
                break;
            if (c == '"') {
                in_str = true;
                at_start = false;
                continue;
            }
            if (at_start && c != ' ' && c != '\t' && c != '\r' && c != '}' && c != ';' && c != '{') {
                at_start = false;
                size_t end = i;
                while (end < line.size() && ((line[end] >= 'a' && line[end] <= 'z') || line[end] == '_'))
                    ++end;
                std::string_view word = line.substr(i, end - i);
                // pppkit checks and loads exactly the text of this one file:
                // another file read by nft would be text nobody validated.
                if (word == "include")
                    return TextProblem{lineno, "'include' is not allowed in the extras file: put the rules in "
                                               "this file itself"};
                if (depth == 0 && std::find(allowed.begin(), allowed.end(), word) == allowed.end())
                    return TextProblem{lineno, "'" + std::string(word.empty() ? line.substr(i, 1) : word) +
                                                   "' at the top level: the file is included inside table "
                                                   "inet pppkit_fw, so only chain, set, map, counter, quota, "
                                                   "limit, ct, flowtable and secmark definitions go there"};
                if (depth == 0 && (word == "chain" || word == "set" || word == "map")) {
                    // the name, on the same line (quoted or not)
                    size_t b = line.find_first_not_of(" \t", end);
                    std::string_view name;
                    if (b != std::string_view::npos) {
                        size_t e = b;
                        if (line[b] == '"') {
                            e = line.find('"', b + 1);
                            name = e == std::string_view::npos ? std::string_view{} : line.substr(b + 1, e - b - 1);
                        } else {
                            while (e < line.size() && line.find_first_of(" \t{;#", e) != e)
                                ++e;
                            name = line.substr(b, e - b);
                        }
                    }
                    if (reserved_name(word, name))
                        return TextProblem{
                            lineno, std::string(word) + " '" + std::string(name) + "' is pppkit's own: " +
                                        (word == "chain" ? "your rules would come after its final verdict and never "
                                                           "run; put them in chain extra_input, extra_forward, "
                                                           "extra_prerouting or extra_postrouting, or a chain of "
                                                           "your own"
                                                         : "nft would add your elements to it; give yours another "
                                                           "name")};
                }
            }
            if (c == '{') {
                if (depth++ == 0)
                    open_line = lineno;
                at_start = true;
            } else if (c == '}') {
                if (--depth < 0)
                    return TextProblem{lineno, "'}' closes more than was opened (it would close pppkit's table)"};
                at_start = true;
            } else if (c == ';') {
                at_start = true;
            }
        }
        if (in_str)
            return TextProblem{lineno, "unterminated string"};
        if (nl == std::string_view::npos)
            break;
        pos = nl + 1;
    }
    if (depth != 0)
        return TextProblem{open_line, "'{' opened but never closed (" + std::to_string(depth) + " missing '}')"};
    return std::nullopt;
}

std::optional<Diagnostic> read_extras(Settings& s, const Document& doc)
{
    const Section* fw = doc.first("firewall");
    const Entry* e = fw != nullptr ? fw->get("extras") : nullptr;
    std::string path = e != nullptr ? e->value : std::string(kDefaultExtras);
    s.extras_text.clear();
    if (e != nullptr && fw != nullptr && path.find_first_of("\"\\") != std::string::npos)
        return diag_at(*e, *fw, "the path cannot contain '\"' or '\\'");
    // trust::read_file: as root, an extras file (or a directory above it)
    // that others could write, or a symlink they planted, is refused.
    std::string text;
    int err = 0;
    if (auto untrusted = trust::read_file(path, text, trust::current(), &err)) {
        if (e == nullptr && err == ENOENT) {
            s.extras.reset();
            return std::nullopt;
        }
        std::string why = (err != 0 && err != ELOOP) ? std::strerror(err) : *untrusted;
        Diagnostic d;
        if (e != nullptr)
            d = diag_at(*e, *fw, std::string("cannot read: ") + why);
        else {
            d.file = path;
            d.problem = std::string("cannot read the default extras file: ") + why;
        }
        return d;
    }
    s.extras = path;
    s.extras_text = std::move(text);
    if (auto p = check_extras_text(s.extras_text)) {
        Diagnostic d;
        d.file = path;
        d.line = p->line;
        d.section = "firewall";
        d.key = "extras";
        d.problem = p->problem;
        return d;
    }
    return std::nullopt;
}

std::string Settings::digest() const
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(fnv1a(build(*this, Dynamic{}, "") + extras_text)));
    return buf;
}

std::string full_ruleset(const Settings& s, const Dynamic& d, std::string_view extras_ref)
{
    return build(s, d, "pppkit digest " + s.digest(), extras_ref);
}

int link_slot(const Settings& s, const WanLink& l)
{
    int i = l.name.empty() ? -1 : slot_index(s, l.name);
    return i >= 0 ? i : slot_index(s, l.ifname);
}

std::string digest_key(std::string_view digest) { return std::string(digest.substr(0, 15)); }

std::vector<nfnl::Change> link_changes(const Settings& s, std::string_view digest, const std::vector<WanLink>& gone,
                                       const std::optional<WanLink>& now)
{
    using nfnl::Op;
    std::vector<nfnl::Change> out;
    // first: refused (ENOENT), and the whole batch with it, unless the table
    // holds this configuration's ruleset
    auto guarded = [&]() -> std::vector<nfnl::Change> {
        if (!out.empty()) {
            const nfnl::Ifname mark{digest_key(digest)};
            out.insert(out.begin(),
                       {{Op::Delete, std::string(kMarkSet), mark, {}}, {Op::Add, std::string(kMarkSet), mark, {}}});
        }
        return std::move(out);
    };
    // "add" first makes each "delete" valid when the element is already gone
    auto remove = [&](const std::string& set, const nfnl::Value& key, const nfnl::Value& data = {}) {
        out.push_back({Op::Add, set, key, data});
        out.push_back({Op::Delete, set, key, data});
    };
    const auto plain = wan_plain(s);
    for (const auto& g : gone) {
        const nfnl::Ifname ifn{g.ifname};
        const int i = link_slot(s, g);
        remove("active_wan", ifn);
        // a configured name stays WAN, with a link or without
        if (std::find(plain.begin(), plain.end(), g.ifname) == plain.end())
            remove("wan", ifn);
        if (i >= 0)
            remove(slot_set(static_cast<size_t>(i), "wan"), ifn);
        if (g.public4) {
            const nfnl::Ipv4 addr{*g.public4};
            remove("public4", addr);
            // a record with another address fails the add: the caller reads
            // the kernel's state and tries again
            remove("wan_public4", ifn, addr);
            if (i >= 0)
                remove(slot_set(static_cast<size_t>(i), "public4"), addr);
        }
    }
    if (!now)
        return guarded();
    const nfnl::Ifname ifn{now->ifname};
    const int i = link_slot(s, *now);
    if (i >= 0) {  // one link per slot: whatever else is there is stale
        out.push_back({Op::Flush, slot_set(static_cast<size_t>(i), "wan"), {}, {}});
        out.push_back({Op::Flush, slot_set(static_cast<size_t>(i), "public4"), {}, {}});
        out.push_back({Op::Add, slot_set(static_cast<size_t>(i), "wan"), ifn, {}});
    }
    out.push_back({Op::Add, "active_wan", ifn, {}});
    out.push_back({Op::Add, "wan", ifn, {}});  // a configured name's is there already: no change
    if (now->public4) {
        const nfnl::Ipv4 addr{*now->public4};
        out.push_back({Op::Add, "public4", addr, {}});
        out.push_back({Op::Add, "wan_public4", ifn, addr});
        if (i >= 0)
            out.push_back({Op::Add, slot_set(static_cast<size_t>(i), "public4"), addr, {}});
    }
    return guarded();
}

std::string link_update(const Settings& s, std::string_view digest, const std::vector<WanLink>& gone,
                        const std::optional<WanLink>& now)
{
    return nfnl::nft_text(kTable, link_changes(s, digest, gone, now));
}

std::string failsafe_ruleset(const std::vector<std::string>& lan_interfaces,
                             const std::vector<std::string>& lan_networks, const std::vector<std::string>& wan,
                             std::string_view carrier)
{
    // Built from constants; the only configured text that may enter is the
    // LAN interface names, and only when every one passes ifname.hpp (the
    // caller falls back to failsafe_ruleset({}) if nft refuses even that),
    // the LAN networks that pass check_network and the wan patterns that
    // pass ifname.hpp (each one alone: a bad one is left out).
    bool lan = !lan_interfaces.empty() && std::all_of(lan_interfaces.begin(), lan_interfaces.end(),
                                                      [](const std::string& n) { return ifname::valid_pattern(n); });
    std::vector<std::string> wans{"ppp*"};
    for (const auto& w : wan)
        if (ifname::valid_pattern(w) && std::find(wans.begin(), wans.end(), w) == wans.end())
            wans.push_back(w);
    std::vector<std::string> spoof4, spoof6;
    for (const auto& n : lan_networks)
        if (!check_network(n))
            (n.find(':') != std::string::npos ? spoof6 : spoof4).push_back(n);
    spoof4.insert(spoof4.end(), std::begin(kSpoof4), std::end(kSpoof4));
    spoof6.insert(spoof6.end(), std::begin(kSpoof6), std::end(kSpoof6));
    std::string t = "inet " + std::string(kTable);
    std::string out = "add table " + t + "\ndelete table " + t + "\ntable " + t + " {\n";
    out += "    comment \"" + std::string(kFailsafeMark) +
           (lan ? ": no valid ruleset; input only from loopback and the LAN interfaces, no forwarding\"\n"
                : ": no valid ruleset; input only from loopback, no forwarding\"\n");
    // the carrier only when it is an interface name (ifname.hpp: nothing nft
    // could take for anything else)
    out += "    set " + std::string(kMarkSet) + " {\n        type ifname\n        comment \"" +
           std::string(kFailsafeMark) + "\"\n" +
           (ifname::valid_name(carrier) ? "        elements = { \"" + std::string(carrier) + "\" }\n" : "") + "    }\n";
    // the full ruleset's anti-spoofing sets: what a WAN interface never brings
    for (const auto& [name, type, elems] :
         {std::tuple{"wan_spoof4", "ipv4_addr", &spoof4}, std::tuple{"wan_spoof6", "ipv6_addr", &spoof6}})
        out += "    set " + std::string(name) + " {\n        type " + type +
               "\n        flags interval\n        elements = { " + join(merge_prefixes(*elems)) + " }\n    }\n";
    out += "    chain drop_input {\n        limit rate 10/minute log prefix \"[pppkit drop input] \" level warn\n"
           "        drop\n    }\n";
    for (const char* hook : {"input", "forward"}) {
        out += "    chain " + std::string(hook) + " {\n";
        out += "        type filter hook " + std::string(hook) + " priority filter; policy drop;\n";
        out += "        " + std::string(kGuardSet) + "\n";
        if (std::string_view(hook) == "input") {
            out += "        iifname \"lo\" accept\n";
            // anti-spoofing before the replies' accept: a forged reply from
            // the WAN (a LAN or never-routed source) joins no flow
            out += "        iifname " + names_expr(wans) + " ip saddr @wan_spoof4 goto drop_input\n";
            out += "        iifname " + names_expr(wans) + " ip6 saddr @wan_spoof6 goto drop_input\n";
            out += "        ct state established,related accept\n";
            if (lan)
                out += "        iifname " + quoted_set(lan_interfaces) + " accept\n";
        }
        out += "        limit rate 10/minute log prefix \"[pppkit drop " + std::string(hook) + "] \" level warn\n";
        out += "    }\n";
    }
    out += unmark_chains();
    out += "}\n";
    return out;
}

std::string guard_ruleset()
{
    static_assert(kGuardMark == 0x80000000U, "the rules below spell the mark out");
    std::string out = "table inet " + std::string(kGuardTable) + " {\n    flags owner\n";
    out += "    comment \"pppkit flush guard: drops what inet " + std::string(kTable) +
           " has not seen (it is gone); owned by pppkitd\"\n";
    for (const char* hook : {"input", "forward"}) {
        out += "    chain " + std::string(hook) + " {\n";
        out += "        type filter hook " + std::string(hook) + " priority filter + 10; policy accept;\n";
        out += "        meta mark & 0x80000000 != 0 meta mark set meta mark & 0x7fffffff accept\n";
        if (std::string_view(hook) == "input")
            out += "        iif \"lo\" accept\n";
        out += "        counter drop\n";
        out += "    }\n";
    }
    // Empty, so they translate nothing: while they are there, conntrack's
    // and NAT's hooks stay registered when `flush ruleset` takes pppkit_fw
    // (whose nat chains were their last users). Unregistering and
    // registering them again rewrites kernel code (static keys) on every
    // CPU, in the flusher's commit and in the repair's (27 % of pppkitd's
    // samples during repairs; supervisor/README.md has the figures).
    out += "    chain nat_prerouting {\n        type nat hook prerouting priority dstnat + 10; policy accept;\n    }\n";
    out +=
        "    chain nat_postrouting {\n        type nat hook postrouting priority srcnat + 10; policy accept;\n    }\n";
    out += "}\n";
    return out;
}

std::vector<std::string> lan_interfaces(const Document& doc)
{
    const Section* fw = doc.first("firewall");
    const Entry* e = fw != nullptr ? fw->get("lan-interfaces") : nullptr;
    if (e == nullptr)
        return {};
    // the items load() accepted (every one a valid pattern), else none
    if (e->list() == nullptr)
        return {};
    const auto& names = *e->list();
    // The config is broken, so its own cross-checks did not run: a LAN name
    // that any WAN could carry (the wan items as written, valid or not, and
    // pppd's ppp*) would open the failsafe to the WAN.
    std::vector<std::string> wan{"ppp*"};
    if (const Entry* w = fw->get("wan"))
        for (auto& x : config::split_list(w->value))
            wan.push_back(x);
    for (const auto& n : names)
        for (const auto& w : wan)
            if (patterns_overlap(n, w))
                return {};
    return names;
}

namespace {
std::vector<std::string> items_of(const Document& doc, const char* key)
{
    const Section* fw = doc.first("firewall");
    const Entry* e = fw != nullptr ? fw->get(key) : nullptr;
    return e != nullptr ? config::split_list(e->value) : std::vector<std::string>{};
}
}  // namespace

std::vector<std::string> failsafe_networks(const Document& doc) { return items_of(doc, "lan-networks"); }

std::vector<std::string> failsafe_wan(const Document& doc) { return items_of(doc, "wan"); }

std::optional<Diagnostic> carrier_in_lan(const Document& doc, std::string_view carrier)
{
    const Section* fw = doc.first("firewall");
    const Entry* e = fw != nullptr ? fw->get("lan-interfaces") : nullptr;
    if (e == nullptr || !ifname::valid_name(carrier))
        return std::nullopt;
    // every item as written, so that a list load() refused for another
    // item still cannot make the carrier LAN
    for (const auto& item : config::split_list(e->value))
        if (wan_matches({item}, carrier)) {
            Diagnostic d = diag_at(*e, *fw,
                                   "matches the PPPoE device '" + std::string(carrier) +
                                       "' (pppd's devnam, the ISP's side): it is never LAN; name the LAN "
                                       "interfaces so that none matches it");
            d.value = item;
            return d;
        }
    return std::nullopt;
}

std::optional<std::string> link_in_lan(const Settings& s, std::string_view ifname, std::string_view config)
{
    if (!ifname::valid_name(ifname))
        return std::nullopt;
    for (const auto& item : s.lan_interfaces)
        if (wan_matches({item}, ifname))
            return std::string(config) + ": [firewall] lan-interfaces: '" + item + "' matches " + std::string(ifname) +
                   ", this pppd's own interface (the WAN side): a WAN link is never LAN (its inbound "
                   "forwards would be masqueraded as if from the LAN); give this link a fixed unit (pppd "
                   "option 'unit N', a number no LAN-side PPP server takes) or name the LAN interfaces so "
                   "that none matches it";
    return std::nullopt;
}

std::vector<std::string> without_carrier(const std::vector<std::string>& names, std::string_view carrier)
{
    std::vector<std::string> out;
    for (const auto& n : names)
        if (!ifname::valid_name(carrier) || !wan_matches({n}, carrier))
            out.push_back(n);
    return out;
}

ForwardingStep forwarding_step(const Settings& s, std::string_view ip_forward)
{
    const std::string_view v = text::trim(ip_forward);
    if (!v.empty() && v.front() == '1')
        return ForwardingStep::On;
    return s.forwarding ? ForwardingStep::TurnOn : ForwardingStep::LeaveOff;
}

bool ipv6_forwarding_missing(const Settings& s, std::string_view all_forwarding)
{
    const std::string_view v = text::trim(all_forwarding);
    return s.ipv6 && !s.lan_networks6.empty() && !v.empty() && v.front() == '0';
}

}  // namespace pppkit::firewall
