// Fuzz target: the configuration loader with the whole schema ([pppkit],
// [mss], [firewall], [forward], [ddns]) and what each plugin core reads from
// an accepted document.
//
// Oracles: an accepted document's keys are letters, digits and '-', each
// exactly as its line writes it (no part taken for a comment), and its
// values carry no control byte (issue 12 §1-2); every diagnostic is
// printable ASCII (bytes of the input escaped);
// the requests an accepted DDNS profile builds carry no control byte on
// their request line or headers (issue 12 §6).
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/schema.hpp"
#include "ddns/core/http.hpp"
#include "ddns/core/profile.hpp"
#include "firewall/core/firewall.hpp"
#include "mss/core/mss.hpp"
#include "oracle.hpp"
#include "registry.hpp"

namespace {

void expect_key(std::string_view k)
{
    if (k.empty())
        fuzz::fail("an accepted empty key", k);
    for (char c : k)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            fuzz::fail("an accepted key with a byte other than a letter, a digit or '-'", k);
}

// The key as the line at lineno writes it: before the first '=' or ':',
// without the blanks (space, tab) around it.
std::string source_key(std::string_view text, int lineno)
{
    for (int n = 1; n < lineno; ++n) {
        size_t nl = text.find('\n');
        if (nl == std::string_view::npos)
            return {};
        text.remove_prefix(nl + 1);
    }
    std::string_view line = text.substr(0, text.find('\n'));
    if (lineno == 1 && line.substr(0, 3) == "\xEF\xBB\xBF")
        line.remove_prefix(3);
    line = line.substr(0, line.find_first_of("=:"));
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
        line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
        line.remove_suffix(1);
    return std::string(line);
}

void expect_request(const pppkit::ddns::HttpRequest& r)
{
    fuzz::expect_request_text("request method", r.method);
    fuzz::expect_request_text("request URL", r.url);
    for (const auto& h : r.headers)
        fuzz::expect_request_text("request header", h);
    fuzz::expect_request_text("request basic user", r.basic_user);
}

void requests(const pppkit::ddns::Profile& p)
{
    using namespace pppkit::ddns;
    Creds c;
    c.username = p.username;
    c.password = "pw";
    c.token = "tok";
    for (auto f : {Family::V4, Family::V6}) {
        if (!p.wants(f))
            continue;
        std::string_view addr = f == Family::V6 ? "2001:db8::7" : "203.0.113.7";
        (void)endpoint(p, f);
        switch (p.pre().protocol) {
        case Protocol::Dyndns2: expect_request(dyndns2_request(p, f, addr, c)); break;
        case Protocol::Duckdns: expect_request(duckdns_request(p, f, addr, c)); break;
        case Protocol::Mydns: expect_request(mydns_request(p, f, addr, c)); break;
        case Protocol::Custom: expect_request(custom_request(p, f, addr, c)); break;
        case Protocol::Cloudflare:
            expect_request(cloudflare::zone_request(p, c));
            expect_request(cloudflare::record_request(p, f, "zone", c));
            expect_request(cloudflare::update_request(p, "zone", "rec", addr, c));
            break;
        case Protocol::Pop3: fuzz::expect_request_text("POP3 user", p.username); break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = config::parse_text(text, "/etc/ppp/pppkit.conf", schema());
    for (auto& d : ddns::kSchema.cross_check(r.doc))
        r.diags.push_back(std::move(d));
    // A diagnostic goes to a terminal and to pppd's log: the value it
    // quotes must not carry a terminal escape or a line of its own. It is
    // printable ASCII: DEL and bytes >= 0x80 (C1 controls, or UTF-8 only
    // if the locale says so) are written as \xNN too.
    for (const auto& d : r.diags)
        if (!fuzz::printable(d.str()))
            fuzz::fail("a diagnostic carries a byte of the input that is not printable ASCII", d.str());
    if (!r.ok()) {
        if (fuzz::verbose())
            for (const auto& d : r.diags)
                std::fprintf(stderr, "refused: %s\n", d.str().c_str());
        return 0;
    }
    for (const auto& sec : r.doc.sections) {
        if (fuzz::has_control(sec.name))
            fuzz::fail("an accepted section name with a control byte", sec.name);
        for (const auto& e : sec.entries) {
            expect_key(e.key);
            if (auto k = source_key(text, e.line); k != e.key)
                fuzz::fail("an accepted key '" + e.key + "' is not the key its line writes", k);
            if (fuzz::has_control(e.value))
                fuzz::fail("an accepted value with a control byte", e.value);
            // parsed once, at load: every accepted value has its typed form
            if (std::holds_alternative<std::monostate>(e.parsed))
                fuzz::fail("an accepted value that was not parsed at load", e.key);
        }
    }
    (void)mss::from_config(r.doc);
    // a core reads what load() parsed: it never finds an accepted value refused
    const auto fw = firewall::from_config(r.doc);
    if (const auto* d = std::get_if<std::vector<config::Diagnostic>>(&fw))
        for (const auto& x : *d)
            if (x.problem == "refused at load")
                fuzz::fail("from_config found an accepted value not parsed", x.str());
    (void)secrets_path(r.doc);
    (void)state_dir(r.doc);
    auto profiles = ddns::load_profiles(r.doc);
    if (profiles.diags.empty())
        for (const auto& p : profiles.list)
            requests(p);
    return 0;
}
