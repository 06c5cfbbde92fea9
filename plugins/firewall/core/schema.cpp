// The [firewall] and [forward "name"] parts of the pppkit.conf schema (see
// plugins/common/config.hpp). Per-value checks and parsers live here (not in
// firewall.cpp, so that a program that only loads the configuration, the
// DDNS worker, links none of the rule generator or its netlink code); checks that
// involve several keys are in firewall.cpp (from_config), reported on the
// line of the key at fault. docs/pppkit.conf.5 documents every key.
#include "firewall/core/firewall.hpp"
#include "registry.hpp"

#include "common/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace pppkit::firewall {
namespace {

using text::trim;

struct Named {
    std::string_view name;
    Proto proto;
    int port;
};
// The names router-services and wan-services accept (docs/pppkit.conf.5).
constexpr std::array<Named, 6> kNamed = {{
    {"ssh", Proto::Tcp, 22},
    {"dns", Proto::Both, 53},
    {"dhcp", Proto::Udp, 67},
    {"ntp", Proto::Udp, 123},
    {"http", Proto::Tcp, 80},
    {"https", Proto::Tcp, 443},
}};

std::optional<PortRange> parse_range(std::string_view v, std::string* problem)
{
    auto dash = v.find('-');
    auto lo = config::parse_int(v.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : config::parse_int(v.substr(dash + 1));
    if (!lo || !hi || *lo < 1 || *lo > 65535 || *hi < 1 || *hi > 65535) {
        *problem = "'" + std::string(v) + "': not a port or port range (1-65535, e.g. 8000-8010)";
        return std::nullopt;
    }
    if (*hi < *lo) {
        *problem = "'" + std::string(v) + "': port range is reversed";
        return std::nullopt;
    }
    return PortRange{static_cast<int>(*lo), static_cast<int>(*hi)};
}

}  // namespace

bool overlaps(const PortRange& a, const PortRange& b) { return a.lo <= b.hi && b.lo <= a.hi; }

std::string range_str(const PortRange& r)
{
    return r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + "-" + std::to_string(r.hi);
}

std::optional<std::vector<Service>> parse_services(std::string_view v, std::string* problem)
{
    std::string dummy;
    std::string& pr = problem != nullptr ? *problem : dummy;
    std::vector<Service> out;
    v = trim(v);
    if (v.empty() || v == "none")
        return out;
    auto items = config::split_list(v);
    for (const auto& it : items) {
        if (it == "none") {
            pr = "'none' cannot be combined with other services";
            return std::nullopt;
        }
        auto slash = it.find('/');
        if (slash == std::string::npos) {
            auto named = std::find_if(kNamed.begin(), kNamed.end(), [&](const Named& n) { return n.name == it; });
            if (named == kNamed.end()) {
                pr = "'" + it +
                     "': unknown service (use proto/port such as tcp/8080, or one of ssh, dns, dhcp, "
                     "ntp, http, https)";
                return std::nullopt;
            }
            out.push_back(Service{named->proto, PortRange{named->port, named->port}});
            continue;
        }
        std::string_view proto = std::string_view(it).substr(0, slash);
        Service sv;
        if (proto == "tcp")
            sv.proto = Proto::Tcp;
        else if (proto == "udp")
            sv.proto = Proto::Udp;
        else if (proto == "tcp+udp" || proto == "udp+tcp" || proto == "both")
            sv.proto = Proto::Both;
        else {
            pr = "'" + it + "': protocol must be tcp, udp or tcp+udp";
            return std::nullopt;
        }
        auto r = parse_range(std::string_view(it).substr(slash + 1), &pr);
        if (!r) {
            pr = "'" + it + "': " + pr.substr(pr.find(": ") + 2);
            return std::nullopt;
        }
        sv.ports = *r;
        out.push_back(sv);
    }
    return out;
}

std::optional<std::vector<PortRange>> parse_ports(std::string_view v, std::string* problem)
{
    std::string dummy;
    std::string& pr = problem != nullptr ? *problem : dummy;
    auto items = config::split_list(v);
    if (items.empty()) {
        pr = "expected a port, a range or a list (443 | 8000-8010 | 443,80,25)";
        return std::nullopt;
    }
    std::vector<PortRange> out;
    for (const auto& it : items) {
        auto r = parse_range(it, &pr);
        if (!r)
            return std::nullopt;
        for (const auto& prev : out)
            if (overlaps(prev, *r)) {
                pr = "'" + it + "': overlaps '" + range_str(prev) + "' in the same list";
                return std::nullopt;
            }
        out.push_back(*r);
    }
    return out;
}

std::optional<Rate> parse_rate(std::string_view v, std::string* problem)
{
    std::string dummy;
    std::string& pr = problem != nullptr ? *problem : dummy;
    auto slash = v.find('/');
    const std::string want = "expected N/second, N/minute, N/hour or N/day (e.g. 10/minute)";
    if (slash == std::string_view::npos) {
        pr = want;
        return std::nullopt;
    }
    auto n = config::parse_int(v.substr(0, slash));
    std::string unit(v.substr(slash + 1));
    if (!n || (unit != "second" && unit != "minute" && unit != "hour" && unit != "day")) {
        pr = want;
        return std::nullopt;
    }
    if (*n < 1 || *n > 1000000) {
        pr = "rate must be 1-1000000 per " + unit;
        return std::nullopt;
    }
    return Rate{static_cast<int>(*n), unit};
}

std::optional<std::string> check_network(std::string_view v)
{
    for (char c : v)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return std::string("control byte in the value");
    auto slash = v.find('/');
    if (slash == std::string_view::npos)
        return std::string("expected a network as address/prefix, e.g. 172.16.0.0/16");
    std::string addr(v.substr(0, slash));
    std::string_view plen = v.substr(slash + 1);
    unsigned char buf[16];
    int bits = addr.find(':') != std::string::npos ? 128 : 32;
    if (inet_pton(bits == 128 ? AF_INET6 : AF_INET, addr.c_str(), buf) != 1)
        return std::string("not an IPv4 or IPv6 network");
    // nft reads "024" as octal and "-0" as something else again: only plain
    // decimal, no sign, no leading zero.
    bool digits = !plen.empty() && plen.size() <= 3 &&
                  std::all_of(plen.begin(), plen.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || (plen.size() > 1 && plen.front() == '0'))
        return "prefix length must be a plain decimal number 0-" + std::to_string(bits) + " (no sign, no leading zero)";
    if (std::stoi(std::string(plen)) > bits)
        return "prefix length must be 0-" + std::to_string(bits);
    return std::nullopt;
}

namespace {

// The keys with a domain type: the parser from_config would otherwise run
// again, its result kept in Entry::parsed (config::KeySpec::parse).
template <auto Parse>
std::variant<config::Value, config::Problem> parsed(std::string_view v)
{
    std::string problem;
    if (auto r = Parse(v, &problem))
        return config::Value{std::move(*r)};
    return config::Problem{problem};
}

std::optional<std::string> check_prefix(std::string_view v)
{
    if (v.empty() || v.size() > 32)
        return "must be 1-32 characters";
    for (char c : v)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return "only letters, digits, '-', '_' and '.' (it becomes \"[" + std::string(v) + " drop input] \")";
    return std::nullopt;
}

// The extras path goes into the ruleset as `include "PATH"` (pppkit firewall
// show; nft's include string has no escape): a '"' or '\\' would end or
// bend the quoting and let the path's rest be read as nft statements.
std::optional<std::string> check_extras_path(std::string_view v)
{
    if (v.find_first_of("\"\\") != std::string_view::npos)
        return "must not hold '\"' or '\\' (the path is quoted in the ruleset's include)";
    return std::nullopt;
}

// A link a forward names goes into a set comment ("link NAME"): only
// peer-file-like names. Whether the link exists is from_config's check.
std::optional<std::string> check_link_name(std::string_view v)
{
    if (v.empty() || v.size() > 64)
        return "a link name is 1-64 characters";
    if (!valid_link_name(v))
        return "a link name has only letters, digits, '-', '_' and '.'";
    return std::nullopt;
}

// "a.b.c.d" or "a.b.c.d:port": the internal host of a forward.
std::variant<config::Value, config::Problem> parse_target(std::string_view v)
{
    config::KeySpec ep{.key = "to", .type = config::Type::Endpoint};
    if (!v.empty() && v.front() == '[')
        return config::Problem{"forwards go to an IPv4 host (IPv6 needs no port forward: open it with extras)"};
    if (std::holds_alternative<config::Problem>(config::check_value(ep, v)))
        return config::Problem{
            "expected an IPv4 address, optionally with :port (e.g. 172.16.1.100 or 172.16.1.100:8443)"};
    const auto colon = v.find(':');
    if (colon != std::string_view::npos && colon != v.rfind(':'))
        return config::Problem{"forwards go to an IPv4 host (IPv6 needs no port forward: open it with extras)"};
    config::HostPort to{std::string(v.substr(0, colon)), std::nullopt};
    if (colon != std::string_view::npos)
        to.port = static_cast<int>(*config::parse_int(v.substr(colon + 1)));  // checked by Endpoint
    return config::Value{std::move(to)};
}

std::vector<config::SectionSpec> sections()
{
    using config::KeySpec;
    using config::Type;
    return {
        config::SectionSpec{
            "firewall",
            config::SectionSpec::Naming::None,
            {
                KeySpec{.key = "wan",
                        .type = Type::Interface,
                        .def = "ppp*",
                        .list = true,
                        .help = "WAN interface names; a trailing * matches a prefix"},
                KeySpec{.key = "lan-interfaces",
                        .type = Type::Interface,
                        .list = true,
                        .help = "LAN interface names (with lan-networks: both must match)"},
                KeySpec{.key = "lan-networks",
                        .type = Type::Cidr,
                        .list = true,
                        .help = "LAN networks, IPv4 and/or IPv6 CIDR",
                        .check = firewall::check_network},
                KeySpec{.key = "router-services",
                        .type = Type::String,
                        .def = "ssh, dns",
                        .help = "LAN -> router: proto/port[-port] or ssh, dns, dhcp, ntp, http, https; none",
                        .parse = parsed<parse_services>},
                KeySpec{.key = "lan-icmp", .type = Type::Bool, .def = "yes", .help = "all ICMP from the LAN"},
                KeySpec{.key = "lan-default",
                        .type = Type::Enum,
                        .def = "drop",
                        .choices = &kLanDefaultChoices,
                        .help = "other LAN -> router traffic"},
                KeySpec{.key = "wan-ping", .type = Type::Bool, .def = "yes", .help = "ICMP echo from the WAN"},
                KeySpec{.key = "wan-ping-rate",
                        .type = Type::String,
                        .def = "5/second",
                        .help = "N/second|minute|hour|day",
                        .parse = parsed<parse_rate>},
                KeySpec{.key = "wan-services",
                        .type = Type::String,
                        .def = "none",
                        .help = "router services open to the WAN",
                        .parse = parsed<parse_services>},
                KeySpec{.key = "forward-block",
                        .type = Type::String,
                        .def = "tcp/135, udp/135, tcp/137-139, udp/137-139, tcp/445, udp/445",
                        .help = "LAN -> WAN ports dropped; none",
                        .parse = parsed<parse_services>},
                KeySpec{.key = "masquerade", .type = Type::Bool, .def = "yes", .help = "masquerade LAN -> WAN"},
                KeySpec{.key = "reflection", .type = Type::Bool, .def = "yes", .help = "NAT reflection for forwards"},
                KeySpec{.key = "egress-guard",
                        .type = Type::Bool,
                        .def = "yes",
                        .help = "drop WAN egress to private and reserved ranges"},
                KeySpec{.key = "ipv6",
                        .type = Type::Bool,
                        .def = "yes",
                        .help = "IPv6 rules; no: drop all IPv6 but loopback"},
                KeySpec{.key = "forwarding",
                        .type = Type::Bool,
                        .def = "yes",
                        .help = "turn on IPv4 forwarding once the ruleset is loaded; no: leave it as it is"},
                KeySpec{.key = "log", .type = Type::Bool, .def = "yes", .help = "log drops (rate-limited)"},
                KeySpec{.key = "log-level", .type = Type::Enum, .def = "warn", .choices = &kLogLevelChoices},
                KeySpec{.key = "log-group",
                        .type = Type::Int,
                        .def = "0",
                        .min = 0,
                        .max = 65535,
                        .help = "> 0: nflog group instead of the kernel log"},
                KeySpec{.key = "log-rate", .type = Type::String, .def = "10/minute", .parse = parsed<parse_rate>},
                KeySpec{.key = "log-prefix", .type = Type::String, .def = "pppkit", .check = check_prefix},
                KeySpec{.key = "extras",
                        .type = Type::Path,
                        .def = kDefaultExtras,
                        .help = "raw nft included into table inet pppkit_fw",
                        .check = check_extras_path},
            },
            "the router firewall (pppkit-firewall.so, pppkit firewall)",
        },
        config::SectionSpec{
            "forward",
            config::SectionSpec::Naming::Required,
            {
                KeySpec{.key = "proto", .type = Type::Enum, .choices = &kProtoChoices, .required = true},
                KeySpec{.key = "port",
                        .type = Type::String,
                        .required = true,
                        .help = "443 | 8000-8010 | 443,80,25",
                        .parse = parsed<parse_ports>},
                KeySpec{.key = "to",
                        .type = Type::String,
                        .required = true,
                        .help = "internal IPv4 host[:port]",
                        .parse = parse_target},
                KeySpec{.key = "from",
                        .type = Type::Cidr,
                        .list = true,
                        .help = "allowed sources (any)",
                        .check = firewall::check_network},
                KeySpec{.key = "reflection", .type = Type::Bool, .help = "overrides [firewall] reflection"},
                KeySpec{.key = "link",
                        .type = Type::String,
                        .list = true,
                        .help = "the links it arrives on: [link NAME] or a wan interface (every link)",
                        .check = check_link_name},
            },
            "one published service: WAN port(s) -> internal host",
        },
    };
}

}  // namespace

const config::SectionSpec& firewall_spec()
{
    static const std::vector<config::SectionSpec> specs = sections();
    return specs.front();
}

constinit const SchemaPart kSchema{.plugin = "firewall", .sections = &sections};

bool valid_link_name(std::string_view v)
{
    if (v.empty() || v.size() > 64)
        return false;
    for (char c : v)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    return true;
}

}  // namespace pppkit::firewall
