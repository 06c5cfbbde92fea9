// The [firewall] and [forward "name"] parts of the pppkit.conf schema (see
// plugins/common/config.hpp). Per-value checks live here; checks that
// involve several keys are in firewall.cpp (from_config), reported on the
// line of the key at fault. docs/pppkit.conf.5 documents every key.
#include "firewall/core/firewall.hpp"
#include "registry.hpp"

namespace pppkit::firewall {
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
    for (char c : v)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
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
                        .choices = "drop|accept",
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
                KeySpec{.key = "log", .type = Type::Bool, .def = "yes", .help = "log drops (rate-limited)"},
                KeySpec{.key = "log-level",
                        .type = Type::Enum,
                        .def = "warn",
                        .choices = "emerg|alert|crit|err|warn|notice|info|debug"},
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
                        .def = "/etc/ppp/pppkit-firewall.nft",
                        .help = "raw nft included into table inet pppkit_fw",
                        .check = check_extras_path},
            },
            "the router firewall (pppkit-firewall.so, pppkit firewall)",
        },
        config::SectionSpec{
            "forward",
            config::SectionSpec::Naming::Required,
            {
                KeySpec{.key = "proto", .type = Type::Enum, .choices = "tcp|udp|both", .required = true},
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

}  // namespace pppkit::firewall
