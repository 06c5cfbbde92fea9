// profile.hpp - DDNS profiles ([ddns "name"] sections) and the provider
// presets they start from. Pure: nothing here logs or touches the network.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"
#include "common/secrets.hpp"

namespace pppkit::ddns {

enum class Provider { MydnsPop3, MydnsHttp, MydnsDirectip, Dyndns2, Noip, Duckdns, Desec, Cloudflare, Custom };
// The protocol module that speaks for a provider (one file each in core/).
enum class Protocol { Pop3, Mydns, Dyndns2, Duckdns, Cloudflare, Custom };
enum class Family { V4, V6, Both };
enum class Tls { Auto, None, Stls, Pop3s, Https, Http };
enum class Pop3Auth { Auto, Apop, User };
// What a provider records: the address we send, or the connection's source.
enum class AddressSource { Sent, ConnectionSource };

// The names of the enum keys' values (config::Choices): the schema parses
// family =, tls = and pop3-auth = by them, family_name() writes by them.
inline constexpr std::array kFamilyNames{config::choice("ipv4", Family::V4), config::choice("ipv6", Family::V6),
                                         config::choice("both", Family::Both)};
inline constexpr config::Choices kFamilyChoices = config::choices_of<Family>(kFamilyNames);
inline constexpr std::array kTlsNames{config::choice("auto", Tls::Auto),   config::choice("none", Tls::None),
                                      config::choice("stls", Tls::Stls),   config::choice("pop3s", Tls::Pop3s),
                                      config::choice("https", Tls::Https), config::choice("http", Tls::Http)};
inline constexpr config::Choices kTlsChoices = config::choices_of<Tls>(kTlsNames);
inline constexpr std::array kPop3AuthNames{config::choice("auto", Pop3Auth::Auto),
                                           config::choice("apop", Pop3Auth::Apop),
                                           config::choice("user", Pop3Auth::User)};
inline constexpr config::Choices kPop3AuthChoices = config::choices_of<Pop3Auth>(kPop3AuthNames);

// A provider preset: data, not code. Hosts may be empty where the provider
// has one host for both families.
struct Preset {
    Provider provider;
    std::string_view name;
    Protocol protocol;
    std::string_view host4;  // endpoint for IPv4 updates
    std::string_view host6;  // endpoint for IPv6 updates
    std::string_view path;   // HTTP path
    Tls tls;                 // what Tls::Auto means
    long keepalive_s;        // default keep-alive (0: never resend unchanged)
    long retry_floor_s;      // least wait after the provider's "try later" (911)
    AddressSource source;
    bool needs_username, needs_password, needs_token, needs_hostname;
};

[[nodiscard]] const Preset& preset(Provider p);
// The least non-zero keepalive a profile may set (0 is off): a day for the
// dyndns2 family (dyndns2, noip, desec: Dyn and No-IP block hosts for repeated
// nochg), an hour for any other provider. A shorter value is a config error.
[[nodiscard]] long keepalive_floor_s(Provider p);
// Every preset's name with its Provider, in the presets' order: the table
// the schema parses provider = by (one list of providers, the presets table).
[[nodiscard]] const config::Choices& provider_choices();
[[nodiscard]] std::string_view family_name(Family f);  // "ipv4", "ipv6"

struct CustomTokens {
    std::vector<std::string> success, unchanged, auth_failed, bad_host, abuse, retry;
};

// A profile as load_profiles() reads it: every key from its section or
// the key's documented default (the schema's def, ddns_spec()). Profile has
// no defaults of its own (its initial values are zeros, not defaults), so
// the schema is the one list of them; keepalive's default is the preset's.
struct Profile {
    std::string name;
    Provider provider = Provider::Dyndns2;
    bool enabled = false;
    std::string username;
    std::string password_ref;  // secret names, never values
    std::string token_ref;
    std::vector<std::string> hostnames;
    Family family = Family::V4;
    std::vector<std::string> links;
    std::string ipparam;
    std::string server_host;  // empty: the preset's host
    int server_port = 0;      // 0: the protocol's default port
    std::string path;         // empty: the preset's
    Tls tls = Tls::Auto;
    std::string ca_file;
    bool insecure = false;
    Pop3Auth pop3_auth = Pop3Auth::Auto;
    long keepalive_s = 0;
    long min_interval_s = 0;
    long timeout_s = 0;
    std::string ipv6_interface;
    long ipv6_wait_s = 0;
    std::string url;
    CustomTokens tokens;
    std::string zone, record;
    std::string canonical;  // the profile's settings as text, for the fingerprint

    [[nodiscard]] const Preset& pre() const { return preset(provider); }
    [[nodiscard]] bool wants(Family f) const { return family == Family::Both || family == f; }
};

struct Profiles {
    std::vector<Profile> list;
    std::vector<config::Diagnostic> diags;  // cross-key problems, file:line of the section
    [[nodiscard]] const Profile* find(std::string_view name) const;
};

// [ddns "name"]'s spec, for its documented defaults (schema.cpp).
const config::SectionSpec& ddns_spec();

// Reads every [ddns "name"] of a document that passed the schema.
Profiles load_profiles(const config::Document& doc);

// Shell-like patterns as used by links/ipparam: '*' alone matches anything,
// a trailing '*' matches a prefix, anything else must match exactly.
[[nodiscard]] bool pattern_match(std::string_view pattern, std::string_view s);
[[nodiscard]] bool matches_link(const Profile& p, std::string_view ifname, std::string_view ipparam);

// Where one attempt goes: host, port and transport after the preset and the
// profile's overrides are applied.
struct Endpoint {
    std::string host;
    int port = 0;
    Tls tls = Tls::Https;  // never Auto
};
[[nodiscard]] Endpoint endpoint(const Profile& p, Family f);

// A short keyed hash of the profile's settings and the values of the secrets
// it names: HMAC-SHA256 under key (the installation's random key, root's
// alone: <state-dir>/ddns.key, read by the worker before it drops privilege),
// 64 bits in hex. A suspension holds until this changes. Keyed because the
// state file it is kept in belongs to the worker's user, like every other
// profile's: an unkeyed hash of a human-chosen password would let one
// profile's worker, taken over by a server, guess another profile's secret
// offline. Defined in fingerprint.cpp, so that only its caller, the worker,
// links libcrypto.
[[nodiscard]] std::string fingerprint(const Profile& p, const secrets::Secrets& s, std::string_view key);

// Whether p names a secret (password or token): only then does its worker
// read the secrets file, as `pppkit check` reads it only when a key names one.
[[nodiscard]] inline bool names_secret(const Profile& p) { return !p.password_ref.empty() || !p.token_ref.empty(); }

// The worker's whole environment, whoever starts it (the plugin inside
// pppd, `pppkit ddns update` from a shell or the keep-alive timer): a fixed
// PATH and, from env (a NULL-terminated "K=V" array), only the sanitizer
// runtimes' options (ASAN_, UBSAN_, LSAN_OPTIONS: the sanitized test tier's
// report files). Nothing else crosses: libcurl and OpenSSL read variables
// such as SSLKEYLOGFILE, https_proxy or CURL_CA_BUNDLE. Pure.
[[nodiscard]] std::vector<std::string> worker_environment(const char* const* env);

// Reads p's ca-file into out (nothing when p has none) through
// trust::read_file: under the policy (root's: trust::current() as root), a
// file or a directory above it that someone else owns or others can write,
// or a symbolic link someone else planted, is refused, and what is read is
// what was checked (no second open by path). A missing or empty file is
// refused too: it would not verify anything. Returns the problem at the
// ca-file key's line of doc, "FILE:LINE: [ddns "NAME"] ca-file: cannot
// read: WHY (got 'PATH')". Used by the worker before it drops privilege and
// by `pppkit check`, so both judge the file alike. Defined in ca_file.cpp.
[[nodiscard]] std::optional<config::Diagnostic> read_ca_file(const config::Document& doc, const Profile& p,
                                                             std::string& out,
                                                             const trust::Policy& policy = trust::current());

// Checks for the schema (per value). Every value that goes into a request
// (URL, request line, header, POP3 command) refuses CR, LF, NUL and every
// other control byte, so that no value can add a line to a protocol.
std::optional<std::string> check_request_value(std::string_view v);  // username
std::optional<std::string> check_hostname(std::string_view v);
std::optional<std::string> check_server(std::string_view v);
std::optional<std::string> check_path(std::string_view v);
std::optional<std::string> check_url_template(std::string_view v);

}  // namespace pppkit::ddns
