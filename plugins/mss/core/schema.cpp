// The [mss] part of the pppkit.conf schema (see plugins/common/config.hpp),
// with the parser of its one domain value: here, not in mss.cpp, so that a
// program that only loads the configuration (the DDNS worker) links none of
// the MSS rules or their netlink code.
#include "mss/core/mss.hpp"
#include "registry.hpp"

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

std::variant<config::Value, config::Problem> check_mode(std::string_view v)
{
    Settings s;
    auto p = parse_mode(v, s);
    if (!p)
        return config::Value{config::Mss{s.mode, s.fixed}};
    // the diagnostic shows the value itself; drop our "(got ...)" tail
    auto cut = p->find(" (got");
    return config::Problem{cut == std::string::npos ? *p : p->substr(0, cut)};
}

namespace {

std::vector<config::SectionSpec> sections()
{
    using config::KeySpec;
    using config::Type;
    return {
        config::SectionSpec{
            "mss",
            config::SectionSpec::Naming::None,
            {
                KeySpec{.key = "mss",
                        .type = Type::String,
                        .def = "auto",
                        .help = "auto (MTU-40/-60), pmtu (route MTU) or a fixed IPv4 MSS",
                        .parse = mss::check_mode},
                KeySpec{.key = "ipv4", .type = Type::Bool, .def = "yes", .help = "clamp IPv4 SYNs"},
                KeySpec{.key = "ipv6", .type = Type::Bool, .def = "yes", .help = "clamp IPv6 SYNs"},
                KeySpec{.key = "enabled",
                        .type = Type::Bool,
                        .def = "yes",
                        .help = "no: load the plugin but install nothing"},
            },
            "TCP MSS clamping on the PPP interface (pppkit-mss.so)",
        },
    };
}

}  // namespace

const config::SectionSpec& mss_spec()
{
    static const std::vector<config::SectionSpec> specs = sections();
    return specs.front();
}

constinit const SchemaPart kSchema{.plugin = "mss", .sections = &sections};

}  // namespace pppkit::mss
