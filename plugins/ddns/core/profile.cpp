// profile.cpp - provider presets (data) and [ddns "name"] sections to Profiles.
#include "ddns/core/profile.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <chrono>

namespace pppkit::ddns {
namespace {

// keep-alive defaults: MyDNS deletes hosts not notified for a week and logs an
// unchanged address only after 24 h; the dyndns2 family calls repeated nochg
// abuse, so 0 (never). No-IP asks for >= 30 min after 911; Dyn-style 10 min.
constexpr long kDay = 86400;
constexpr std::array<Preset, 9> kPresets = {{
    {Provider::MydnsPop3, "mydns-pop3", Protocol::Pop3, "pop.mydns.jp", "pop.mydns.jp", "", Tls::None, kDay, 600,
     AddressSource::ConnectionSource, true, true, false, false},
    {Provider::MydnsHttp, "mydns-http", Protocol::Mydns, "ipv4.mydns.jp", "ipv6.mydns.jp", "/login.html", Tls::Https,
     kDay, 600, AddressSource::ConnectionSource, true, true, false, false},
    {Provider::MydnsDirectip, "mydns-directip", Protocol::Mydns, "www.mydns.jp", "www.mydns.jp", "/directip.html",
     Tls::Https, kDay, 600, AddressSource::Sent, true, true, false, false},
    {Provider::Dyndns2, "dyndns2", Protocol::Dyndns2, "members.dyndns.org", "members.dyndns.org", "/nic/update",
     Tls::Https, 0, 600, AddressSource::Sent, true, true, false, true},
    {Provider::Noip, "noip", Protocol::Dyndns2, "dynupdate.no-ip.com", "dynupdate.no-ip.com", "/nic/update", Tls::Https,
     0, 1800, AddressSource::Sent, true, true, false, true},
    {Provider::Duckdns, "duckdns", Protocol::Duckdns, "www.duckdns.org", "www.duckdns.org", "/update", Tls::Https, 0,
     600, AddressSource::Sent, false, false, true, true},
    {Provider::Desec, "desec", Protocol::Dyndns2, "update.dedyn.io", "update6.dedyn.io", "/", Tls::Https, 0, 600,
     AddressSource::Sent, false, false, true, true},
    {Provider::Cloudflare, "cloudflare", Protocol::Cloudflare, "api.cloudflare.com", "api.cloudflare.com", "/client/v4",
     Tls::Https, 0, 300, AddressSource::Sent, false, false, true, false},
    {Provider::Custom, "custom", Protocol::Custom, "", "", "", Tls::Https, 0, 600, AddressSource::Sent, false, false,
     false, false},
}};

config::Diagnostic diag(const config::Section& s, const config::Entry* e, std::string key, std::string problem)
{
    config::Diagnostic d;
    d.file = e ? e->file : s.file;
    d.line = e ? e->line : s.line;
    d.section = s.label();
    d.key = std::move(key);
    d.problem = std::move(problem);
    if (e) {
        d.value = e->value;
        d.has_value = true;
    }
    return d;
}

bool split_host_port(std::string_view v, std::string& host, int& port)
{
    port = 0;
    if (v.empty())
        return false;
    if (v.front() == '[') {
        auto close = v.find(']');
        if (close == std::string_view::npos)
            return false;
        host = std::string(v.substr(1, close - 1));
        in6_addr a{};
        if (inet_pton(AF_INET6, host.c_str(), &a) != 1)
            return false;
        v.remove_prefix(close + 1);
        if (v.empty())
            return true;
        if (v.front() != ':')
            return false;
        v.remove_prefix(1);
    } else {
        auto colon = v.rfind(':');
        if (colon != std::string_view::npos && v.find(':') != colon)
            return false;  // a bare IPv6 address needs brackets
        host = std::string(v.substr(0, colon));
        if (colon == std::string_view::npos)
            return !check_hostname(host).has_value();
        if (check_hostname(host))
            return false;
        v.remove_prefix(colon + 1);
    }
    auto n = config::parse_int(v);
    if (!n || *n < 1 || *n > 65535)
        return false;
    port = static_cast<int>(*n);
    return true;
}

}  // namespace

const Preset& preset(Provider p) { return kPresets[static_cast<size_t>(p)]; }

// The presets' names, derived from the presets table.
constexpr std::array<config::Choice, kPresets.size()> kProviderNames = [] {
    std::array<config::Choice, kPresets.size()> out{};
    for (size_t i = 0; i < kPresets.size(); ++i)
        out[i] = config::choice(kPresets[i].name, kPresets[i].provider);
    return out;
}();
constexpr config::Choices kProviderChoices = config::choices_of<Provider>(kProviderNames);

const config::Choices& provider_choices() { return kProviderChoices; }

std::string_view family_name(Family f)
{
    const std::string_view n = kFamilyChoices.name(f);
    return n.empty() ? "?" : n;
}

namespace {
// The first control byte (C0 or DEL) of v, described; nullopt if none.
std::optional<std::string> control_byte(std::string_view v)
{
    for (char ch : v) {
        auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c != 0x7f)
            continue;
        static constexpr char kHex[] = "0123456789abcdef";
        std::string name = c == '\r' ? " (CR)" : c == '\n' ? " (LF)" : c == 0 ? " (NUL)" : c == 0x1b ? " (ESC)" : "";
        return std::string("control character 0x") + kHex[c >> 4] + kHex[c & 15] + name +
               ": this value goes into a request";
    }
    return std::nullopt;
}

// Bytes outside printable ASCII in a URL or path (percent-encode them).
std::optional<std::string> non_ascii(std::string_view v)
{
    for (char ch : v)
        if (static_cast<unsigned char>(ch) > 0x7e)
            return std::string("only printable ASCII in a URL (percent-encode other bytes)");
    return std::nullopt;
}
}  // namespace

std::optional<std::string> check_request_value(std::string_view v) { return control_byte(v); }

std::optional<std::string> check_hostname(std::string_view v)
{
    if (auto c = control_byte(v))
        return c;
    if (v.empty() || v.size() > 253)
        return "not a host name (1-253 characters)";
    size_t label = 0;
    for (char c : v) {
        if (c == '.') {
            if (label == 0)
                return "not a host name (empty label)";
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '*'))
            return "not a host name (letters, digits, '-', '_', '.')";
        if (++label > 63)
            return "not a host name (label longer than 63)";
    }
    return std::nullopt;
}

std::optional<std::string> check_server(std::string_view v)
{
    if (auto c = control_byte(v))
        return c;
    std::string host;
    int port = 0;
    if (!split_host_port(v, host, port))
        return "expected host[:port], a.b.c.d[:port] or [IPv6][:port]";
    return std::nullopt;
}

std::optional<std::string> check_path(std::string_view v)
{
    if (auto c = control_byte(v))
        return c;
    if (auto c = non_ascii(v))
        return c;
    if (v.empty() || v.front() != '/')
        return "must start with '/'";
    for (char c : v)
        if (static_cast<unsigned char>(c) <= ' ' || c == '#' || c == '?')
            return "no spaces, '?' or '#' (the query is built by pppkit)";
    return std::nullopt;
}

std::optional<std::string> check_url_template(std::string_view v)
{
    if (auto c = control_byte(v))
        return c;
    if (auto c = non_ascii(v))
        return c;
    if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0)
        return "must start with https:// or http://";
    size_t i = 0;
    while ((i = v.find('{', i)) != std::string_view::npos) {
        auto close = v.find('}', i);
        if (close == std::string_view::npos)
            return "unclosed '{'";
        auto name = v.substr(i + 1, close - i - 1);
        if (name != "hostname" && name != "address" && name != "username" && name != "password" && name != "token" &&
            name != "family" && name != "ipv4" && name != "ipv6")
            return "unknown variable {" + std::string(name) +
                   "} (known: hostname, address, ipv4, ipv6, family, username, password, token)";
        i = close + 1;
    }
    for (char c : v)
        if (static_cast<unsigned char>(c) <= ' ')
            return "no spaces or control characters";
    return std::nullopt;
}

long keepalive_floor_s(Provider p) { return preset(p).protocol == Protocol::Dyndns2 ? kDay : 3600; }

const Profile* Profiles::find(std::string_view name) const
{
    for (const auto& p : list)
        if (p.name == name)
            return &p;
    return nullptr;
}

Profiles load_profiles(const config::Document& doc)
{
    Profiles out;
    for (const config::Section* s : doc.of_type("ddns")) {
        Profile p;
        p.name = s->name;
        auto str = [&](std::string_view k) -> std::string {
            const auto* e = s->get(k);
            return e ? e->value : std::string();
        };
        auto list = [&](std::string_view k) {
            const auto* e = s->get(k);
            return e != nullptr && e->list() != nullptr ? *e->list() : std::vector<std::string>{};
        };
        // The value parsed at load, else the key's documented default (a key
        // without one leaves to as it is). A value the schema refused
        // (nullopt) was reported there ("pppkit check" runs this on such a
        // document, for the cross-key checks) and leaves to as it is.
        auto value = [&]<class T>(std::string_view k, T& to) {
            const auto* e = s->get(k);
            const config::Value v = e != nullptr ? e->parsed : config::documented_default(ddns_spec(), k);
            if (auto t = config::value_as<T>(v))  // a pointer, or for an enum key an optional
                to = *t;
        };
        auto seconds = [&](std::string_view k, long& to) {
            std::chrono::seconds v{to};
            value(k, v);
            to = static_cast<long>(v.count());
        };
        const auto* prov_e = s->get("provider");
        const auto prov = prov_e != nullptr ? prov_e->as<Provider>() : std::nullopt;
        if (!prov || s->name.empty())
            continue;  // the schema already reported it
        p.provider = *prov;
        const Preset& pre = preset(p.provider);
        value("enabled", p.enabled);
        p.username = str("username");
        p.password_ref = str("password");
        p.token_ref = str("token");
        p.hostnames = list("hostname");
        value("family", p.family);
        value("links", p.links);
        value("ipparam", p.ipparam);
        if (const auto* e = s->get("server"))
            split_host_port(e->value, p.server_host, p.server_port);
        p.path = str("path");
        value("tls", p.tls);
        p.ca_file = str("ca-file");
        value("insecure-skip-verify", p.insecure);
        value("pop3-auth", p.pop3_auth);
        p.keepalive_s = pre.keepalive_s;
        seconds("keepalive", p.keepalive_s);
        seconds("min-interval", p.min_interval_s);
        seconds("timeout", p.timeout_s);
        p.ipv6_interface = str("ipv6-interface");
        seconds("ipv6-wait", p.ipv6_wait_s);
        p.url = str("url");
        p.tokens = {list("success"),  list("unchanged"), list("auth-failed"),
                    list("bad-host"), list("abuse"),     list("retry")};
        p.zone = str("zone");
        p.record = str("record");

        // Cross-key checks.
        auto need = [&](bool cond, std::string_view key, const std::string& why) {
            if (cond && s->get(key) == nullptr)
                out.diags.push_back(diag(*s, nullptr, std::string(key), "missing (" + why + ")"));
        };
        const std::string pn(pre.name);
        need(pre.needs_username, "username", "provider " + pn + " needs it");
        need(pre.needs_password, "password", "provider " + pn + " needs it");
        need(pre.needs_token, "token", "provider " + pn + " needs it");
        need(pre.needs_hostname, "hostname", "provider " + pn + " needs it");
        if (p.provider == Provider::Cloudflare) {
            need(true, "zone", "provider cloudflare needs it");
            need(true, "record", "provider cloudflare needs it");
        }
        if (p.provider == Provider::Custom) {
            need(true, "url", "provider custom needs it");
            need(true, "success", "provider custom needs the answers that mean success");
        }
        const auto* tls_e = s->get("tls");
        bool pop3 = pre.protocol == Protocol::Pop3;
        if (tls_e && p.tls != Tls::Auto) {
            bool ok = pop3 ? (p.tls == Tls::None || p.tls == Tls::Stls || p.tls == Tls::Pop3s)
                           : (p.tls == Tls::Https || p.tls == Tls::Http);
            if (!ok)
                out.diags.push_back(diag(
                    *s, tls_e, "tls", pop3 ? "POP3 takes none, stls or pop3s" : "HTTP providers take https or http"));
        }
        if (p.provider == Provider::Custom && tls_e && p.tls != Tls::Auto)
            out.diags.push_back(diag(*s, tls_e, "tls", "custom: the scheme comes from url"));
        if (const auto* e = s->get("pop3-auth"); e && !pop3)
            out.diags.push_back(diag(*s, e, "pop3-auth", "only for provider mydns-pop3"));
        // APOP's timestamp is in the greeting, which STLS leaves in plain text
        // before TLS: anyone on the path can forge it (review 29 F2).
        if (const auto* e = s->get("pop3-auth");
            e && pop3 && p.pop3_auth == Pop3Auth::Apop && p.tls != Tls::None && p.tls != Tls::Pop3s)
            out.diags.push_back(diag(*s, e, "pop3-auth",
                                     "apop needs tls = none or pop3s: after STLS (tls = stls or auto) its timestamp "
                                     "would come from the plain-text greeting, which anyone on the path can forge"));
        if (p.provider == Provider::MydnsPop3 || p.provider == Provider::MydnsHttp) {
            if (const auto* e = s->get("hostname"))
                out.diags.push_back(diag(*s, e, "hostname",
                                         "mydns records the login's source address for the account; "
                                         "it takes no host names"));
        }
        for (std::string_view k : {"url", "success", "unchanged", "auth-failed", "bad-host", "abuse", "retry"})
            if (const auto* e = s->get(k); e && p.provider != Provider::Custom)
                out.diags.push_back(diag(*s, e, std::string(k), "only for provider custom"));
        for (std::string_view k : {"zone", "record"})
            if (const auto* e = s->get(k); e && p.provider != Provider::Cloudflare)
                out.diags.push_back(diag(*s, e, std::string(k), "only for provider cloudflare"));
        if (const auto* e = s->get("path"); e && pre.protocol != Protocol::Dyndns2)
            out.diags.push_back(diag(*s, e, "path", "only for dyndns2-style providers"));
        if (const auto* e = s->get("server"); e && p.provider == Provider::Custom)
            out.diags.push_back(diag(*s, e, "server", "custom: the host comes from url"));
        // keepalive: 0 is off; any other value resends an unchanged address that
        // often, so it has a floor (review 29 F4, keepalive_floor_s()).
        if (const auto* e = s->get("keepalive");
            e && p.keepalive_s > 0 && p.keepalive_s < keepalive_floor_s(p.provider))
            out.diags.push_back(
                diag(*s, e, "keepalive",
                     pre.protocol == Protocol::Dyndns2
                         ? "0 (off) or at least 1d for provider " + pn + " (repeated nochg is abuse there)"
                         : "0 (off) or at least 1h (a shorter keep-alive hammers the provider)"));

        // canonical: every entry that shapes the request, in schema order.
        for (const auto& e : s->entries)
            p.canonical += e.key + "=" + e.value + "\n";
        out.list.push_back(std::move(p));
    }
    return out;
}

bool pattern_match(std::string_view pattern, std::string_view s)
{
    if (pattern == "*")
        return true;
    if (!pattern.empty() && pattern.back() == '*')
        return s.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
    return pattern == s;
}

bool matches_link(const Profile& p, std::string_view ifname, std::string_view ipparam)
{
    if (!pattern_match(p.ipparam, ipparam))
        return false;
    return std::any_of(p.links.begin(), p.links.end(), [&](const std::string& l) { return pattern_match(l, ifname); });
}

Endpoint endpoint(const Profile& p, Family f)
{
    const Preset& pre = p.pre();
    Endpoint e;
    e.tls = p.tls == Tls::Auto ? pre.tls : p.tls;
    e.host = p.server_host.empty() ? std::string(f == Family::V6 ? pre.host6 : pre.host4) : p.server_host;
    if (p.server_port != 0)
        e.port = p.server_port;
    else
        switch (e.tls) {
        case Tls::None:
        case Tls::Stls: e.port = 110; break;
        case Tls::Pop3s: e.port = 995; break;
        case Tls::Http: e.port = 80; break;
        default: e.port = 443; break;
        }
    return e;
}

std::vector<std::string> worker_environment(const char* const* env)
{
    std::vector<std::string> out = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    for (const char* const* e = env; e != nullptr && *e != nullptr; ++e) {
        const std::string_view v(*e);
        for (std::string_view keep : {"ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS="})
            if (v.starts_with(keep))
                out.emplace_back(v);
    }
    return out;
}

}  // namespace pppkit::ddns
