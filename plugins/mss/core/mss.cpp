#include "mss/core/mss.hpp"

#include <algorithm>

namespace pppkit::mss {

std::optional<std::string> parse_mode(std::string_view v, Settings& out)
{
    if (v == "auto") {
        out.mode = Mode::Auto;
        return std::nullopt;
    }
    if (v == "pmtu") {
        out.mode = Mode::Pmtu;
        return std::nullopt;
    }
    auto n = config::parse_int(v);
    if (!n)
        return "expected auto, pmtu or a number " + std::to_string(kMinMss) + "-" + std::to_string(kMaxMss) +
               " (got '" + std::string(v) + "')";
    if (*n < kMinMss || *n > kMaxMss)
        return "MSS must be " + std::to_string(kMinMss) + "-" + std::to_string(kMaxMss) + " (got '" + std::string(v) +
               "')";
    out.mode = Mode::Fixed;
    out.fixed = static_cast<int>(*n);
    return std::nullopt;
}

std::optional<std::string> check_mode(std::string_view v)
{
    Settings s;
    auto p = parse_mode(v, s);
    if (!p)
        return std::nullopt;
    // the diagnostic shows the value itself; drop our "(got ...)" tail
    auto cut = p->find(" (got");
    return cut == std::string::npos ? *p : p->substr(0, cut);
}

void apply_config(const config::Document& doc, Settings& s)
{
    const auto* sec = doc.first("mss");
    if (sec == nullptr)
        return;
    if (const auto* e = sec->get("mss"))
        parse_mode(e->value, s);
    if (const auto* e = sec->get("ipv4"))
        s.ipv4 = config::to_bool(e->value);
    if (const auto* e = sec->get("ipv6"))
        s.ipv6 = config::to_bool(e->value);
    if (const auto* e = sec->get("enabled"))
        s.enabled = config::to_bool(e->value);
}

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

bool valid_ifname(std::string_view ifname)
{
    if (ifname.empty() || ifname.size() > 15)
        return false;
    return std::none_of(ifname.begin(), ifname.end(), [](char c) {
        return c == '"' || c == '\\' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '*';
    });
}

std::string table_name(std::string_view ifname)
{
    std::string t = "pppkit_mss_";
    for (char c : ifname) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        t += ok ? c : '_';
    }
    return t;
}

namespace {

std::string rule(std::string_view dir, std::string_view ifname, std::string_view family, const std::optional<int>& mss)
{
    // SYN (and SYN/ACK) without RST, like iptables --tcp-flags SYN,RST SYN.
    std::string r = "        ";
    r += dir;
    r += " \"";
    r += ifname;
    r += "\" meta nfproto ";
    r += family;
    r += " tcp flags & (syn | rst) == syn ";
    if (mss) {
        auto n = std::to_string(*mss);
        // never raise an MSS: only rewrite larger values
        r += "tcp option maxseg size > " + n + " tcp option maxseg size set " + n;
    } else {
        r += "tcp option maxseg size set rt mtu";
    }
    r += "\n";
    return r;
}

}  // namespace

std::string ruleset(std::string_view ifname, const Settings& s, const Clamp& c)
{
    std::string t = table_name(ifname);
    // "add table" makes the "delete" valid when the table does not exist yet;
    // the whole script is one transaction, so there is never a moment with
    // no clamp or with two copies.
    std::string out = "add table inet " + t + "\ndelete table inet " + t + "\n";
    out += "table inet " + t + " {\n";
    out += "    chain forward {\n";
    out += "        type filter hook forward priority mangle; policy accept;\n";
    if (s.ipv4) {
        out += rule("oifname", ifname, "ipv4", c.mss4);
        out += rule("iifname", ifname, "ipv4", c.mss4);
    }
    if (s.ipv6) {
        out += rule("oifname", ifname, "ipv6", c.mss6);
        out += rule("iifname", ifname, "ipv6", c.mss6);
    }
    out += "    }\n}\n";
    return out;
}

std::string removal(std::string_view ifname)
{
    std::string t = table_name(ifname);
    return "add table inet " + t + "\ndelete table inet " + t + "\n";
}

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
