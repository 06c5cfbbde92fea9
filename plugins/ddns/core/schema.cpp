// The [ddns "name"] part of the pppkit.conf schema (see plugins/common/config.hpp).
// Per-key checks live here; checks that span keys (a provider's required keys,
// tls modes a protocol cannot use) are in profile.cpp, load_profiles().
#include "ddns/core/profile.hpp"
#include "registry.hpp"

namespace pppkit::ddns {
namespace {

std::vector<config::SectionSpec> sections()
{
    using config::KeySpec;
    using config::Type;
    return {
        config::SectionSpec{
            "ddns",
            config::SectionSpec::Naming::Required,
            {
                KeySpec{.key = "provider",
                        .type = Type::Enum,
                        .choices = &provider_choices(),
                        .required = true,
                        .help = "provider preset (protocol, endpoint, keep-alive, answers)"},
                KeySpec{
                    .key = "enabled", .type = Type::Bool, .def = "yes", .help = "no: keep the profile, send nothing"},
                KeySpec{.key = "username",
                        .type = Type::String,
                        .max = 256,
                        .help = "login name at the provider (not a secret)",
                        .check = ddns::check_request_value},
                KeySpec{.key = "password", .type = Type::SecretRef, .help = "name of the password in the secrets file"},
                KeySpec{.key = "token",
                        .type = Type::SecretRef,
                        .help = "name of the API token in the secrets file (duckdns, desec, cloudflare, custom)"},
                KeySpec{.key = "hostname",
                        .type = Type::String,
                        .list = true,
                        .help = "host name(s) to update, where the provider takes them",
                        .check = ddns::check_hostname},
                KeySpec{.key = "family",
                        .type = Type::Enum,
                        .def = "ipv4",
                        .choices = &kFamilyChoices,
                        .help = "address family or families this profile announces"},
                KeySpec{.key = "links",
                        .type = Type::Interface,
                        .def = "ppp*",
                        .list = true,
                        .help = "ifname patterns of the PPP links this profile follows"},
                KeySpec{.key = "ipparam",
                        .type = Type::String,
                        .def = "*",
                        .max = 256,
                        .help = "pppd ipparam pattern ('*' matches any, a trailing '*' a prefix)"},
                KeySpec{.key = "server",
                        .type = Type::String,
                        .max = 300,
                        .help = "host[:port] of the endpoint instead of the provider's",
                        .check = ddns::check_server},
                KeySpec{.key = "path",
                        .type = Type::String,
                        .max = 512,
                        .help = "dyndns2: request path (default /nic/update)",
                        .check = ddns::check_path},
                KeySpec{.key = "tls",
                        .type = Type::Enum,
                        .def = "auto",
                        .choices = &kTlsChoices,
                        .help = "transport: provider default, POP3 plain/STLS/POP3S, or HTTPS/HTTP"},
                KeySpec{.key = "ca-file",
                        .type = Type::Path,
                        .help = "CA bundle to verify the server (default: system)",
                        .trust = KeySpec::Trust::File},
                KeySpec{.key = "insecure-skip-verify",
                        .type = Type::Bool,
                        .def = "no",
                        .help = "yes: do not verify TLS certificates (warned on every request)"},
                KeySpec{.key = "pop3-auth",
                        .type = Type::Enum,
                        .def = "auto",
                        .choices = &kPop3AuthChoices,
                        .help = "POP3 login: APOP when offered, APOP only, or USER/PASS only"},
                KeySpec{.key = "keepalive",
                        .type = Type::Duration,
                        .min = 0,
                        .max = 90LL * 86400,
                        .help = "resend an unchanged address after this long (0: never); default per provider"},
                KeySpec{.key = "min-interval",
                        .type = Type::Duration,
                        .def = "0",
                        .min = 0,
                        .max = 86400,
                        .help = "least time between two successful updates"},
                KeySpec{.key = "timeout",
                        .type = Type::Duration,
                        .def = "20s",
                        .min = 1,
                        .max = 300,
                        .help = "hard deadline of one attempt"},
                KeySpec{.key = "ipv6-interface",
                        .type = Type::Interface,
                        .help = "interface holding the global IPv6 to announce (default: the PPP interface)"},
                KeySpec{.key = "ipv6-wait",
                        .type = Type::Duration,
                        .def = "30s",
                        .min = 0,
                        .max = 600,
                        .help = "how long the worker waits for a usable global IPv6 address"},
                KeySpec{.key = "url",
                        .type = Type::String,
                        .max = 2048,
                        .help = "custom: URL template ({hostname} {address} {username} {password} {token} {family})",
                        .check = ddns::check_url_template},
                KeySpec{
                    .key = "success", .type = Type::String, .list = true, .help = "custom: answers meaning updated"},
                KeySpec{.key = "unchanged",
                        .type = Type::String,
                        .list = true,
                        .help = "custom: answers meaning unchanged"},
                KeySpec{.key = "auth-failed",
                        .type = Type::String,
                        .list = true,
                        .help = "custom: answers meaning bad credentials"},
                KeySpec{.key = "bad-host",
                        .type = Type::String,
                        .list = true,
                        .help = "custom: answers meaning unknown host"},
                KeySpec{.key = "abuse", .type = Type::String, .list = true, .help = "custom: answers meaning blocked"},
                KeySpec{
                    .key = "retry", .type = Type::String, .list = true, .help = "custom: answers meaning try later"},
                KeySpec{.key = "zone",
                        .type = Type::String,
                        .max = 253,
                        .help = "cloudflare: zone name",
                        .check = ddns::check_hostname},
                KeySpec{.key = "record",
                        .type = Type::String,
                        .max = 253,
                        .help = "cloudflare: record name (FQDN)",
                        .check = ddns::check_hostname},
            },
            "a dynamic DNS profile (pppkit-ddns.so, pppkit ddns)",
        },
    };
}

// Problems between keys of [ddns "name"] sections (a provider's required keys...).
std::vector<config::Diagnostic> cross_check(const config::Document& doc) { return load_profiles(doc).diags; }

}  // namespace

const config::SectionSpec& ddns_spec()
{
    static const std::vector<config::SectionSpec> specs = sections();
    return specs.front();
}

constinit const SchemaPart kSchema{.plugin = "ddns", .sections = &sections, .cross_check = &cross_check};

}  // namespace pppkit::ddns
