#include "core/online.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "common/ifname.hpp"
#include "common/text.hpp"

namespace pppkit::supervisor::online {

// ---------------------------------------------------------------- Gate

void Gate::new_pppd()
{
    expected.reset();
    got.clear();
}

void Gate::down() { got.clear(); }

void Gate::expect(std::string_view list)
{
    if (list.empty())
        return;
    const auto names = text::split(list, ",");
    expected = std::set<std::string>(names.begin(), names.end());
}

void Gate::applied(const std::string& plugin, int up_type, bool in_place) { got[{plugin, up_type}] = in_place; }

bool Gate::ready() const
{
    if (!expected)
        return true;
    for (int t : {3, 5}) {  // MsgType::IpUp, MsgType::Ipv6Up
        bool all = true;
        for (const auto& p : *expected) {
            auto it = got.find({p, t});
            all = all && it != got.end() && it->second;
        }
        if (all)
            return true;
    }
    return false;
}

std::vector<std::string> Gate::pending() const
{
    std::vector<std::string> best;
    if (!expected)
        return best;
    bool first = true;
    for (int t : {3, 5}) {
        std::vector<std::string> miss;
        for (const auto& p : *expected)
            if (got.find({p, t}) == got.end())
                miss.push_back(p);
        if (first || miss.size() < best.size())
            best = std::move(miss);
        first = false;
    }
    return best;
}

std::vector<std::string> Gate::failed() const
{
    std::set<std::string> f;
    for (const auto& [k, ok] : got)
        if (!ok)
            f.insert(k.first);
    return {f.begin(), f.end()};
}

// ---------------------------------------------------------------- [pppkitd]

std::optional<ListenAddr> parse_listen(std::string_view v)
{
    ListenAddr out;
    std::string_view host = v, port;
    if (!v.empty() && v.front() == '[') {
        const auto close = v.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        host = v.substr(1, close - 1);
        std::string_view rest = v.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return std::nullopt;
            port = rest.substr(1);
            if (port.empty())
                return std::nullopt;
        }
    } else if (std::count(v.begin(), v.end(), ':') == 1) {
        host = v.substr(0, v.find(':'));
        port = v.substr(v.find(':') + 1);
        if (port.empty())
            return std::nullopt;
    }
    const std::string h(host);
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, h.c_str(), &a4) != 1 && inet_pton(AF_INET6, h.c_str(), &a6) != 1)
        return std::nullopt;
    out.address = h;
    if (!port.empty()) {
        unsigned p = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
            return std::nullopt;
        out.port = static_cast<uint16_t>(p);
    }
    return out;
}

std::optional<std::string> check_listen(std::string_view v)
{
    auto l = parse_listen(v);
    if (!l)
        return "not ADDRESS[:PORT] (IPv6 as [ADDRESS]:PORT)";
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, l->address.c_str(), &a4) == 1) {
        const uint32_t h = ntohl(a4.s_addr);
        if (h == 0 || h == 0xffffffffU || (h >> 28) == 0xe)
            return "a LAN address of this router, not a wildcard, broadcast or multicast address";
    } else if (inet_pton(AF_INET6, l->address.c_str(), &a6) == 1) {
        if (IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_MULTICAST(&a6) || IN6_IS_ADDR_V4MAPPED(&a6))
            return "a LAN address of this router, not a wildcard or multicast address";
    }
    return std::nullopt;
}

namespace {
// status-listen, once every item passed check_listen: the addresses, read by read_listen.
std::variant<config::Value, config::Problem> parse_listens(std::string_view v)
{
    std::vector<config::HostPort> out;
    for (const auto& item : config::split_list(v))
        if (auto l = parse_listen(item))
            out.push_back({l->address, l->port});
    return config::Value{std::move(out)};
}
}  // namespace

std::vector<config::SectionSpec> pppkitd_sections()
{
    return {config::SectionSpec{
        "pppkitd",
        config::SectionSpec::Naming::None,
        {
            config::KeySpec{.key = "status-listen",
                            .type = config::Type::Endpoint,
                            .list = true,
                            .help = "LAN addresses (ADDRESS[:PORT], port 939 by default) where pppkitd answers "
                                    "'is link NAME online' for other hosts (pppkit wait-online --remote); "
                                    "off when absent",
                            .check = check_listen,
                            .parse = parse_listens},
        },
        "settings of the supervisor itself",
    }};
}

std::vector<ListenAddr> read_listen(const config::Document& doc)
{
    std::vector<ListenAddr> out;
    for (const auto* s : doc.of_type("pppkitd"))
        if (const auto* e = s->get("status-listen"); e != nullptr && e->as<std::vector<config::HostPort>>() != nullptr)
            for (const auto& a : *e->as<std::vector<config::HostPort>>())
                if (ListenAddr l{a.address, static_cast<uint16_t>(a.port.value_or(kDefaultPort))};
                    std::find(out.begin(), out.end(), l) == out.end())
                    out.push_back(l);
    return out;
}

std::vector<config::Diagnostic> listen_warnings(const config::Document& doc, unsigned unprivileged_from)
{
    std::vector<config::Diagnostic> out;
    for (const auto* s : doc.of_type("pppkitd")) {
        const auto* e = s->get("status-listen");
        if (e == nullptr)
            continue;
        for (const auto& item : config::split_list(e->value)) {
            const auto l = parse_listen(item);
            if (!l || l->port < unprivileged_from)
                continue;
            config::Diagnostic d;
            d.file = e->file;
            d.line = e->line;
            d.section = s->label();
            d.key = e->key;
            d.problem = "port " + std::to_string(l->port) + " is unprivileged: any local user can bind it first";
            d.value = item;
            d.has_value = true;
            out.push_back(std::move(d));
        }
    }
    return out;
}

unsigned unprivileged_port_start(std::string_view t)
{
    while (!t.empty() && (t.back() == '\n' || t.back() == ' '))
        t.remove_suffix(1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v > 65536)
        return kUnprivilegedPortStart;
    return v;
}

// ---------------------------------------------------------------- wire format

namespace {
bool good_name(std::string_view n)
{
    return !n.empty() && n.size() <= 64 && n.front() != '.' &&
           std::all_of(n.begin(), n.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f && c != '/'; });
}
}  // namespace

std::optional<std::string> parse_request(std::string_view b)
{
    if (b.size() > kMaxRequest || b.empty() || b.back() != '\n')
        return std::nullopt;
    b.remove_suffix(1);
    if (!b.empty() && b.back() == '\r')
        b.remove_suffix(1);
    if (b == "online")
        return std::string();
    constexpr std::string_view word = "online ";
    if (b.substr(0, word.size()) != word)
        return std::nullopt;
    const std::string_view name = b.substr(word.size());
    if (!good_name(name))
        return std::nullopt;
    return std::string(name);
}

std::string request(const std::string& name) { return name.empty() ? "online\n" : "online " + name + "\n"; }

std::string_view answer_line(Answer a)
{
    switch (a) {
    case Answer::Online: return "online\n";
    case Answer::Offline: return "offline\n";
    case Answer::Unknown: return "unknown\n";
    case Answer::Busy: return "busy\n";
    case Answer::Error: return "error\n";
    }
    return "error\n";
}

std::optional<Answer> parse_answer(std::string_view b)
{
    for (Answer a : {Answer::Online, Answer::Offline, Answer::Unknown, Answer::Busy, Answer::Error})
        if (b == answer_line(a))
            return a;
    return std::nullopt;
}

// ---------------------------------------------------------------- rate limit

namespace {
bool take(Bucket& b, double burst, double per_s, int64_t now_ms)
{
    if (b.tokens < 0) {  // new
        b.tokens = burst;
        b.at_ms = now_ms;
    }
    if (now_ms > b.at_ms) {
        b.tokens = std::min(burst, b.tokens + per_s * static_cast<double>(now_ms - b.at_ms) / 1000.0);
        b.at_ms = now_ms;
    }
    if (b.tokens < 1)
        return false;
    b.tokens -= 1;
    return true;
}
}  // namespace

std::optional<SourceKey> source_key(std::string_view address)
{
    const std::string a(address);
    SourceKey k;
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, a.c_str(), &a4) == 1) {
        std::memcpy(k.net.data(), &a4, 4);
        return k;
    }
    if (inet_pton(AF_INET6, a.c_str(), &a6) != 1)
        return std::nullopt;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        std::memcpy(k.net.data(), &a6.s6_addr[12], 4);
        return k;
    }
    k.v6 = true;
    std::memcpy(k.net.data(), a6.s6_addr, 8);
    return k;
}

Verdict RateLimiter::allow(const SourceKey& source, int64_t now_ms)
{
    auto it = std::find_if(sources_.begin(), sources_.end(), [&](const Entry& e) { return e.key == source; });
    if (it == sources_.end()) {
        if (p_.max_sources == 0)
            return Verdict::SourceLimited;
        if (sources_.size() >= p_.max_sources) {
            it = std::min_element(sources_.begin(), sources_.end(),
                                  [](const Entry& x, const Entry& y) { return x.seen_ms < y.seen_ms; });
            *it = Entry{source, Bucket{-1, now_ms}, now_ms};
        } else {
            sources_.push_back(Entry{source, Bucket{-1, now_ms}, now_ms});
            it = sources_.end() - 1;
        }
    }
    it->seen_ms = now_ms;
    // the source's own bucket first: one noisy source does not use up everyone's
    if (!take(it->bucket, p_.per_source_burst, p_.per_source_per_s, now_ms))
        return Verdict::SourceLimited;
    if (!take(all_, p_.all_burst, p_.all_per_s, now_ms)) {
        it->bucket.tokens += 1;  // not answered: the source keeps its token
        return Verdict::AllLimited;
    }
    return Verdict::Allowed;
}

// ---------------------------------------------------------------- Slots

std::optional<AddressKey> address_key(std::string_view address)
{
    const std::string a(address);
    AddressKey k;
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, a.c_str(), &a4) == 1) {
        std::memcpy(k.bytes.data(), &a4, 4);
        return k;
    }
    if (inet_pton(AF_INET6, a.c_str(), &a6) != 1)
        return std::nullopt;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        std::memcpy(k.bytes.data(), &a6.s6_addr[12], 4);
        return k;
    }
    k.v6 = true;
    std::memcpy(k.bytes.data(), a6.s6_addr, 16);
    return k;
}

SlotVerdict Slots::check(const AddressKey& a) const
{
    if (open_from(a) >= p_.per_address)
        return SlotVerdict::AddressFull;
    if (open_ >= p_.total)
        return SlotVerdict::AllFull;
    return SlotVerdict::Free;
}

SlotVerdict Slots::take(const AddressKey& a)
{
    const SlotVerdict v = check(a);
    if (v == SlotVerdict::Free) {
        ++by_address_[a];
        ++open_;
    }
    return v;
}

void Slots::release(const AddressKey& a)
{
    auto it = by_address_.find(a);
    if (it == by_address_.end())
        return;
    --open_;
    if (--it->second == 0)
        by_address_.erase(it);
}

size_t Slots::open_from(const AddressKey& a) const
{
    auto it = by_address_.find(a);
    return it == by_address_.end() ? 0 : it->second;
}

bool ifname_matches(std::string_view pattern, std::string_view name)
{
    if (!pattern.empty() && pattern.back() == '*')
        return name.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
    return !name.empty() && pattern == name;
}

ListenSide listen_side(std::string_view ifname, const InterfaceRoles& roles)
{
    auto any = [&](const std::vector<std::string>& patterns) {
        return std::any_of(patterns.begin(), patterns.end(),
                           [&](const std::string& p) { return ifname_matches(p, ifname); });
    };
    if (!ifname::valid_name(ifname))
        return ListenSide::NoName;
    if (ifname_matches("ppp*", ifname))
        return ListenSide::Ppp;
    if (any(roles.wan))
        return ListenSide::FirewallWan;
    if (std::find(roles.links.begin(), roles.links.end(), ifname) != roles.links.end())
        return ListenSide::LinkInterface;
    if (std::find(roles.carriers.begin(), roles.carriers.end(), ifname) != roles.carriers.end())
        return ListenSide::Carrier;
    if (!roles.lan.empty() && !any(roles.lan))
        return ListenSide::NotInLan;
    return ListenSide::Lan;
}

std::string_view listen_side_text(ListenSide s)
{
    switch (s) {
    case ListenSide::Lan: return "";
    case ListenSide::Ppp: return "a PPP interface (ppp*), WAN";
    case ListenSide::FirewallWan: return "WAN ([firewall] wan matches it)";
    case ListenSide::LinkInterface: return "a supervised link's interface, WAN";
    case ListenSide::Carrier: return "a link's PPPoE carrier, WAN";
    case ListenSide::NotInLan: return "not LAN ([firewall] lan-interfaces does not match it)";
    case ListenSide::NoName: return "not an interface name";
    }
    return "?";
}

}  // namespace pppkit::supervisor::online
