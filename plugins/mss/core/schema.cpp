// The [mss] part of the pppkit.conf schema (see plugins/common/config.hpp).
#include "mss/core/mss.hpp"
#include "registry.hpp"

namespace pppkit::mss {
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

constinit const SchemaPart kSchema{.plugin = "mss", .sections = &sections};

}  // namespace pppkit::mss
