#include "mss/core/mss.hpp"

#include "common/ifname.hpp"

#include <algorithm>

namespace pppkit::mss {

Settings from_config(const config::Document& doc)
{
    const config::Section* sec = doc.first("mss");
    // the value parsed at load, else (the key unset, or no [mss]) the key's
    // documented default; a value the schema refused was reported there and
    // leaves out as it is
    auto value = [&]<class T>(std::string_view key, T& out) {
        const config::Entry* e = sec != nullptr ? sec->get(key) : nullptr;
        const config::Value v = e != nullptr ? e->parsed : config::documented_default(mss_spec(), key);
        if (const T* t = config::value_as<T>(v))
            out = *t;
    };
    Settings s;
    config::Mss m{s.mode, s.fixed};
    value("mss", m);
    s.mode = m.mode;
    s.fixed = m.fixed;
    value("ipv4", s.ipv4);
    value("ipv6", s.ipv6);
    value("enabled", s.enabled);
    return s;
}

Settings defaults() { return from_config(config::Document{}); }

Clamp compute(const Settings& s, int mtu)
{
    Clamp c;
    switch (s.mode) {
    case Mode::Pmtu: break;
    case Mode::Fixed:
        c.mss4 = s.fixed;
        c.mss6 = std::max(kMinMss, s.fixed - 20);
        break;
    case Mode::Auto:
        // An unknown or absurd MTU cannot give a safe number: let the kernel
        // use the route MTU instead.
        if (mtu >= 576 + 20) {
            c.mss4 = mtu - 40;
            c.mss6 = std::max(kMinMss, mtu - 60);
        }
        break;
    }
    return c;
}

Fit fit(const Settings& s, const Clamp& c, int mtu)
{
    if (mtu <= 0)
        return Fit::Unknown;
    if ((s.ipv4 && c.mss4 && *c.mss4 > mtu - 40) || (s.ipv6 && c.mss6 && *c.mss6 > mtu - 60))
        return Fit::AboveMtu;
    return Fit::Fits;
}

std::string above_mtu(std::string_view ifname, const Settings& s, int mtu)
{
    return std::string(ifname) + ": fixed MSS " + std::to_string(s.fixed) + " is above what MTU " +
           std::to_string(mtu) + " carries (IPv4 MSS at most " + std::to_string(mtu - 40) + ", IPv6 " +
           std::to_string(mtu - 60) + "): SYNs are not clamped below it";
}

bool valid_ifname(std::string_view ifname) { return ifname::valid_name(ifname); }

std::string_view slot_name(Slot s)
{
    switch (s) {
    case Slot::Mss4: return "mss4";
    case Slot::Mss6: return "mss6";
    case Slot::Pmtu4: return "pmtu4";
    case Slot::Pmtu6: return "pmtu6";
    }
    return "mss4";
}

std::vector<Entry> entries(const Settings& s, const Clamp& c)
{
    std::vector<Entry> out;
    if (!s.enabled)
        return out;
    if (s.ipv4)
        out.push_back(c.mss4 ? Entry{Slot::Mss4, *c.mss4} : Entry{Slot::Pmtu4, 0});
    if (s.ipv6)
        out.push_back(c.mss6 ? Entry{Slot::Mss6, *c.mss6} : Entry{Slot::Pmtu6, 0});
    return out;
}

std::string base_table()
{
    // The kernel's TCP option set never raises an MSS (nft_exthdr.c: an
    // increase "can cause connection to stall"), so a SYN that already
    // carries a smaller value passes unchanged without a "size > N" guard.
    // A lookup that misses ends the rule: interfaces in no slot are untouched.
    return "table inet pppkit_mss {\n"
           "    map mss4 {\n"
           "        typeof oifname : tcp option maxseg size\n"
           "    }\n"
           "    map mss6 {\n"
           "        typeof oifname : tcp option maxseg size\n"
           "    }\n"
           "    set pmtu4 {\n"
           "        typeof oifname\n"
           "    }\n"
           "    set pmtu6 {\n"
           "        typeof oifname\n"
           "    }\n"
           "    chain forward {\n"
           "        type filter hook forward priority mangle; policy accept;\n"
           "        tcp flags & (syn | rst) == syn jump clamp\n"
           "    }\n"
           "    chain clamp {\n"
           "        meta nfproto ipv4 tcp option maxseg size set oifname map @mss4\n"
           "        meta nfproto ipv4 tcp option maxseg size set iifname map @mss4\n"
           "        meta nfproto ipv6 tcp option maxseg size set oifname map @mss6\n"
           "        meta nfproto ipv6 tcp option maxseg size set iifname map @mss6\n"
           "        meta nfproto ipv4 oifname @pmtu4 tcp option maxseg size set rt mtu\n"
           "        meta nfproto ipv4 iifname @pmtu4 tcp option maxseg size set rt mtu\n"
           "        meta nfproto ipv6 oifname @pmtu6 tcp option maxseg size set rt mtu\n"
           "        meta nfproto ipv6 iifname @pmtu6 tcp option maxseg size set rt mtu\n"
           "    }\n"
           "}\n";
}

std::string base_ruleset()
{
    // "add" of an existing table, chain, map or set changes nothing and keeps
    // its elements; the flushes then leave the block's rules as the only
    // ones. One transaction: never a moment without a clamp, or with two.
    return "add table inet pppkit_mss\n"
           "add chain inet pppkit_mss forward { type filter hook forward priority mangle; policy accept; }\n"
           "add chain inet pppkit_mss clamp\n"
           "flush chain inet pppkit_mss forward\n"
           "flush chain inet pppkit_mss clamp\n" +
           base_table();
}

namespace {

std::string element_lines(std::string_view verb, std::string_view ifname, const std::vector<Entry>& e)
{
    std::string out;
    for (const auto& x : e) {
        out += verb;
        out += " element inet pppkit_mss ";
        out += slot_name(x.slot);
        out += " { \"";
        out += ifname;
        out += '"';
        if (verb == "add" && (x.slot == Slot::Mss4 || x.slot == Slot::Mss6))
            out += " : " + std::to_string(x.mss);
        out += " }\n";
    }
    return out;
}

}  // namespace

std::string add_entries(std::string_view ifname, const std::vector<Entry>& e)
{
    return element_lines("add", ifname, e);
}

std::string delete_entries(std::string_view ifname, const std::vector<Entry>& e)
{
    return element_lines("delete", ifname, e);
}

std::vector<nfnl::Change> changes(std::string_view ifname, const std::vector<Entry>& before,
                                  const std::vector<Entry>& now)
{
    std::vector<nfnl::Change> out;
    for (const auto& e : before)
        out.push_back({nfnl::Op::Delete, std::string(slot_name(e.slot)), nfnl::Ifname{std::string(ifname)}, {}});
    for (const auto& e : now) {
        bool map = e.slot == Slot::Mss4 || e.slot == Slot::Mss6;
        out.push_back({nfnl::Op::Add, std::string(slot_name(e.slot)), nfnl::Ifname{std::string(ifname)},
                       map ? nfnl::Value(static_cast<uint16_t>(e.mss)) : nfnl::Value()});
    }
    return out;
}

std::string delete_slot(std::string_view ifname, Slot s) { return element_lines("delete", ifname, {Entry{s, 0}}); }

std::string removal() { return "add table inet pppkit_mss\ndelete table inet pppkit_mss\n"; }

std::string describe(std::string_view ifname, const Settings& s, const Clamp& c, int mtu)
{
    auto one = [](const std::optional<int>& m) { return m ? std::to_string(*m) : std::string("route MTU"); };
    std::string out(ifname);
    out += ":";
    if (s.ipv4)
        out += " IPv4 MSS " + one(c.mss4);
    if (s.ipv4 && s.ipv6)
        out += ",";
    if (s.ipv6)
        out += " IPv6 MSS " + one(c.mss6);
    out += " (";
    out += s.mode == Mode::Auto ? "auto" : s.mode == Mode::Pmtu ? "pmtu" : "fixed";
    out += ", MTU " + std::to_string(mtu) + ", both directions)";
    return out;
}

}  // namespace pppkit::mss
