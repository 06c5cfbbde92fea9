// Answer classification for every provider, from recorded answers
// (plugins/ddns/core/{dyndns2,duckdns,mydns,custom,cloudflare,pop3}.cpp).
// Bodies starting with '@' are files in tests/ddns-fixtures/.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ddns/core/http.hpp"
#include "ddns/core/pop3.hpp"

using namespace pppkit::ddns;

namespace {

std::string fixture_dir()
{
    // unit-tests runs in a temporary directory; the fixtures live in the source
    // tree, above the build directory that holds the binary (build/, build/abi-2.5/san/, ...).
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    std::string dir = n > 0 ? std::string(self, static_cast<size_t>(n)) : std::string();
    while (!dir.empty()) {
        dir.resize(dir.rfind('/'));
        std::string d = (dir.empty() ? "" : dir) + "/tests/ddns-fixtures";
        struct stat st {};
        if (::stat(d.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            return d;
    }
    return "tests/ddns-fixtures";
}

std::string body_of(const std::string& spec)
{
    if (spec.empty() || spec[0] != '@')
        return spec;
    std::ifstream in(fixture_dir() + "/" + spec.substr(1), std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing fixture " << spec);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

enum class Kind { Dyndns2, Duckdns, Mydns, Custom, CfZone, CfRecord, CfUpdate };

struct Row {
    int line;
    Kind kind;
    Provider provider;
    long status;
    std::string body;
    Outcome want;
    std::string echoed;  // expected echoed address (empty: none)
    long floor = -1;     // expected floor (-1 = don't care)
    size_t hosts = 1;
    std::string sent = "203.0.113.50";
};

Answer run(const Row& r, const CustomTokens& tokens)
{
    HttpAnswer a{r.status, body_of(r.body)};
    switch (r.kind) {
    case Kind::Dyndns2: return classify_dyndns2(r.provider, a, r.hosts, r.sent);
    case Kind::Duckdns: return classify_duckdns(a);
    case Kind::Mydns: return classify_mydns(a);
    case Kind::Custom: return classify_custom(tokens, a);
    case Kind::CfZone: {
        auto z = cloudflare::parse_zone(a);
        if (auto* s = std::get_if<std::string>(&z)) {
            Answer ok;
            ok.outcome = Outcome::Updated;  // "the lookup worked" for the table
            ok.detail = *s;
            return ok;
        }
        return std::get<Answer>(z);
    }
    case Kind::CfRecord: {
        auto rec = cloudflare::parse_record(a);
        if (auto* s = std::get_if<cloudflare::Record>(&rec)) {
            Answer ok;
            ok.outcome = Outcome::Updated;
            ok.echoed = s->content;
            return ok;
        }
        return std::get<Answer>(rec);
    }
    case Kind::CfUpdate: return cloudflare::classify_update(a);
    }
    return {};
}

}  // namespace

TEST_SUITE("ddns_classify")
{
    TEST_CASE("every provider's recorded answers map to one outcome, by exact tokens")
    {
        using O = Outcome;
        using P = Provider;
        const std::vector<Row> rows = {
            // dyndns2 (help.dyn.com return codes)
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 203.0.113.50", O::Updated, "203.0.113.50"},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 203.0.113.50\r\n", O::Updated, "203.0.113.50"},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "nochg 203.0.113.50", O::Unchanged, "203.0.113.50"},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 198.51.100.9", O::Updated,
             "198.51.100.9"},  // echo differs: a warning, still updated
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 401, "badauth", O::AuthFailed},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "badauth", O::AuthFailed},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "!donator", O::AuthFailed},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "notfqdn", O::BadHost},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "nohost", O::BadHost},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "numhost", O::BadHost},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "!yours", O::BadHost},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "abuse", O::Abuse},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "badagent", O::Abuse},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 127.0.0.1", O::Abuse},  // Dyn's "agent refused"
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "dnserr", O::RetryLater, "", 600},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 500, "911", O::RetryLater, "", 600},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 503, "", O::RetryLater},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 502, "<html>Bad Gateway</html>", O::RetryLater},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "@proxy-error.html",
             O::ProtocolError},  // tokens inside HTML are not answers
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "goodness 203.0.113.50", O::ProtocolError},  // no substrings
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "GOOD 203.0.113.50",
             O::ProtocolError},  // tokens are case-sensitive
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 203.0.113.50\nnochg 203.0.113.50", O::Updated,
             "203.0.113.50", -1, 2},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 203.0.113.50\nnohost", O::BadHost, "", -1, 2},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "badauth", O::AuthFailed, "", -1,
             3},  // account-level: once for all hosts
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 203.0.113.50\ngood 203.0.113.50", O::ProtocolError, "", -1,
             3},
            // No-IP (noip.com/integrate/response): 911 means at least 30 minutes
            {__LINE__, Kind::Dyndns2, P::Noip, 200, "good 203.0.113.50", O::Updated, "203.0.113.50"},
            {__LINE__, Kind::Dyndns2, P::Noip, 200, "nochg 203.0.113.50", O::Unchanged, "203.0.113.50"},
            {__LINE__, Kind::Dyndns2, P::Noip, 200, "911", O::RetryLater, "", 1800},
            {__LINE__, Kind::Dyndns2, P::Noip, 500, "911", O::RetryLater, "", 1800},
            {__LINE__, Kind::Dyndns2, P::Noip, 200, "badagent", O::Abuse},
            {__LINE__, Kind::Dyndns2, P::Noip, 200, "abuse", O::Abuse},
            {__LINE__, Kind::Dyndns2, P::Noip, 401, "badauth", O::AuthFailed},
            {__LINE__, Kind::Dyndns2, P::Noip, 200, "nohost", O::BadHost},
            // deSEC (dyndns2 tokens, HTTP status on errors)
            {__LINE__, Kind::Dyndns2, P::Desec, 200, "good", O::Updated},
            {__LINE__, Kind::Dyndns2, P::Desec, 401, "badauth", O::AuthFailed},
            {__LINE__, Kind::Dyndns2, P::Desec, 404, "nohost", O::BadHost},
            {__LINE__, Kind::Dyndns2, P::Desec, 429, "{\"detail\":\"Request was throttled.\"}", O::RetryLater, "", 300},
            {__LINE__, Kind::Dyndns2, P::Desec, 401, "", O::RetryLater, "", 3600},  // no badauth: review 19 §2
            // DuckDNS (spec.jsp, verbose=true)
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "OK\n203.0.113.50\n\nUPDATED", O::Updated, "203.0.113.50"},
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "OK\n203.0.113.50\n\nNOCHANGE", O::Unchanged, "203.0.113.50"},
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "OK\n\n2001:db8::5\nUPDATED", O::Updated, "2001:db8::5"},
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, std::string("OK\n203.0.113.50\0\0\n\nUPDATED", 26), O::Updated,
             ""},  // NUL bytes after an address: not an address, not echoed (fuzz/ddns_duckdns)
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "OK", O::Updated},
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "KO", O::AuthFailed},
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "OK\n203.0.113.50\n\nMAYBE", O::ProtocolError},
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "OKAY", O::ProtocolError},
            {__LINE__, Kind::Duckdns, P::Duckdns, 503, "", O::RetryLater},
            // MyDNS HTTP-BASIC / DIRECTIP
            {__LINE__, Kind::Mydns, P::MydnsHttp, 200, "@mydns-login-ok.html", O::Updated},
            {__LINE__, Kind::Mydns, P::MydnsHttp, 200, "@mydns-login-ng.html", O::AuthFailed},
            {__LINE__, Kind::Mydns, P::MydnsHttp, 200, "@mydns-plain.html", O::ProtocolError},  // no marker: §4
            {__LINE__, Kind::Mydns, P::MydnsHttp, 401, "<html>401 Authorization Required</html>", O::RetryLater, "",
             3600},  // a proxy's 401 too: review 19 §2
            {__LINE__, Kind::Mydns, P::MydnsHttp, 401, "@mydns-login-ng.html", O::AuthFailed},  // MyDNS's own refusal
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 200, "", O::ProtocolError},  // no marker: review 19 §4
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 500, "", O::RetryLater},
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 404, "not found", O::ProtocolError},
            {__LINE__, Kind::Mydns, P::MydnsHttp, 200, "login_status_x = 0", O::ProtocolError},  // not the token
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 200, "@mydns-login-ng.html", O::AuthFailed},
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 200, "<DT>notify NG</DT>", O::AuthFailed},
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 200, "<DT>notify OK</DT>", O::Updated},
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 401, "", O::RetryLater, "", 3600},
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 429, "", O::RetryLater},
            // custom (success = good, unchanged = nochg, auth-failed = badauth, retry = 911 wait)
            {__LINE__, Kind::Custom, P::Custom, 200, "good", O::Updated},
            {__LINE__, Kind::Custom, P::Custom, 200, "good 203.0.113.50", O::Updated},
            {__LINE__, Kind::Custom, P::Custom, 200, "nochg", O::Unchanged},
            {__LINE__, Kind::Custom, P::Custom, 200, "badauth", O::AuthFailed},
            {__LINE__, Kind::Custom, P::Custom, 200, "wait", O::RetryLater},
            {__LINE__, Kind::Custom, P::Custom, 200, "goodbye", O::ProtocolError},
            {__LINE__, Kind::Custom, P::Custom, 500, "oops", O::RetryLater},
            {__LINE__, Kind::Custom, P::Custom, 403, "forbidden", O::RetryLater, "", 3600},  // not an auth-failed token
            {__LINE__, Kind::Custom, P::Custom, 403, "badauth", O::AuthFailed},
            // review 19 §2: a 401/403 alone (a WAF, a rate limiter, a CDN) is retried an hour later, never a
            // suspension; only the provider's own auth answer is AuthFailed
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 403, "<html><h1>Access denied</h1> (WAF)</html>", O::RetryLater, "",
             3600},
            {__LINE__, Kind::Dyndns2, P::Noip, 401, "", O::RetryLater, "", 3600},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 403, "badauth", O::AuthFailed},
            {__LINE__, Kind::Duckdns, P::Duckdns, 401, "", O::RetryLater, "", 3600},
            {__LINE__, Kind::Duckdns, P::Duckdns, 403, "<html>Rate limited</html>", O::RetryLater, "", 3600},
            {__LINE__, Kind::Duckdns, P::Duckdns, 401, "KO", O::AuthFailed},
            {__LINE__, Kind::CfZone, P::Cloudflare, 403, "<html>Attention Required! | Cloudflare</html>", O::RetryLater,
             "", 3600},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 401, "", O::RetryLater, "", 3600},
            {__LINE__, Kind::CfZone, P::Cloudflare, 403,
             R"({"success":false,"errors":[{"code":10000,"message":"Authentication error"}]})", O::AuthFailed},
            // review 19 §4: MyDNS success needs its marker (a captive portal's 200 is no update); a 5xx is
            // RetryLater whatever the body
            {__LINE__, Kind::Mydns, P::MydnsHttp, 200, "<html><title>Hotel WiFi login</title>Welcome</html>",
             O::ProtocolError},
            {__LINE__, Kind::Mydns, P::MydnsHttp, 200, "<!-- login_status = 1 -->\nLogin and IP address notify OK.",
             O::Updated},  // the local fake provider's page (tests/ddns/fake_provider.py)
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 200, "IP address notify OK. 203.0.113.50", O::Updated},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 500, "good 203.0.113.50", O::RetryLater},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 503, "nochg 203.0.113.50", O::RetryLater},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 502, "badauth", O::RetryLater},
            {__LINE__, Kind::Dyndns2, P::Noip, 503, "911", O::RetryLater, "", 1800},  // keeps the provider floor
            {__LINE__, Kind::Duckdns, P::Duckdns, 500, "OK", O::RetryLater},
            {__LINE__, Kind::Duckdns, P::Duckdns, 503, "OK\n203.0.113.50\n\nUPDATED", O::RetryLater},
            {__LINE__, Kind::Duckdns, P::Duckdns, 500, "KO", O::RetryLater},
            // review 29 F5: the same for custom, MyDNS and Cloudflare: a token, a marker or a known code
            // sent with a 5xx is not the provider's word (never updated, never a suspension)
            {__LINE__, Kind::Custom, P::Custom, 503, "good", O::RetryLater},
            {__LINE__, Kind::Custom, P::Custom, 500, "good 203.0.113.50", O::RetryLater},
            {__LINE__, Kind::Custom, P::Custom, 503, "nochg", O::RetryLater},
            {__LINE__, Kind::Custom, P::Custom, 502, "badauth", O::RetryLater},
            {__LINE__, Kind::Custom, P::Custom, 504, "wait", O::RetryLater},  // a retry token stays one
            {__LINE__, Kind::Mydns, P::MydnsHttp, 502, "<!-- login_status = 0 -->", O::RetryLater},
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 503, "<DT>notify NG</DT>", O::RetryLater},
            {__LINE__, Kind::Mydns, P::MydnsDirectip, 503, "<DT>notify OK</DT>", O::RetryLater},
            {__LINE__, Kind::CfZone, P::Cloudflare, 502,
             R"({"success":false,"errors":[{"code":10000,"message":"Authentication error"}]})", O::RetryLater},
            {__LINE__, Kind::CfRecord, P::Cloudflare, 503, R"({"success":false,"errors":[{"code":81044}]})",
             O::RetryLater},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 500, "@cloudflare-patch-ok.json", O::RetryLater},
            // Cloudflare API v4
            {__LINE__, Kind::CfZone, P::Cloudflare, 200, "@cloudflare-zone-ok.json", O::Updated},
            {__LINE__, Kind::CfZone, P::Cloudflare, 200, "@cloudflare-zone-empty.json", O::BadHost},
            {__LINE__, Kind::CfZone, P::Cloudflare, 403, "@cloudflare-auth-error.json", O::AuthFailed},
            {__LINE__, Kind::CfZone, P::Cloudflare, 400, "@cloudflare-bad-token.json", O::AuthFailed},
            {__LINE__, Kind::CfZone, P::Cloudflare, 502, "@cloudflare-5xx.html", O::RetryLater},
            {__LINE__, Kind::CfZone, P::Cloudflare, 200, "{\"success\":true,\"result\":[",
             O::ProtocolError},  // truncated
            {__LINE__, Kind::CfRecord, P::Cloudflare, 200, "@cloudflare-record-ok.json", O::Updated, "198.51.100.4"},
            {__LINE__, Kind::CfRecord, P::Cloudflare, 200, "@cloudflare-record-empty.json", O::BadHost},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 200, "@cloudflare-patch-ok.json", O::Updated, "203.0.113.50"},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 400, "@cloudflare-invalid-content.json",
             O::ProtocolError},  // 9005: not a host problem (review 19 §3)
            // review 19 §3: only known codes are fatal; any other well-formed 4xx is what its status says
            {__LINE__, Kind::CfRecord, P::Cloudflare, 404,
             R"({"success":false,"errors":[{"code":7003,"message":"Could not route to /zones/x"},{"code":7000}]})",
             O::BadHost},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 404,
             R"({"success":false,"errors":[{"code":81044,"message":"Record does not exist."}]})", O::BadHost},
            {__LINE__, Kind::CfZone, P::Cloudflare, 400,
             R"({"success":false,"errors":[{"code":1003,"message":"Invalid or missing zone id."}]})", O::BadHost},
            {__LINE__, Kind::CfZone, P::Cloudflare, 400, R"({"success":false,"errors":[{"code":7003},{"code":9109}]})",
             O::AuthFailed},  // auth first
            {__LINE__, Kind::CfZone, P::Cloudflare, 400, R"({"success":false,"errors":[{"code":1234}]})",
             O::ProtocolError},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 400, R"({"success":false,"errors":[{"code":7000}]})",
             O::ProtocolError},
            {__LINE__, Kind::CfZone, P::Cloudflare, 404, R"({"success":false,"errors":[]})", O::ProtocolError},
            {__LINE__, Kind::CfRecord, P::Cloudflare, 409, R"({"success":false,"errors":[{"code":81057}]})",
             O::ProtocolError},
            {__LINE__, Kind::CfZone, P::Cloudflare, 403, R"({"success":false,"errors":[{"code":1234}]})", O::RetryLater,
             "", 3600},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 429,
             "{\"success\":false,\"errors\":[{\"code\":971,\"message\":\"Please wait\"}]}", O::RetryLater},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 200, "{\"success\":\"yes\"}", O::ProtocolError},
        };
        CustomTokens tokens;
        tokens.success = {"good"};
        tokens.unchanged = {"nochg"};
        tokens.auth_failed = {"badauth"};
        tokens.retry = {"911", "wait"};
        CHECK(rows.size() >= 40);
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CAPTURE(r.body);
            Answer a = run(r, tokens);
            CHECK(outcome_name(a.outcome) == outcome_name(r.want));
            CHECK(a.echoed.value_or("") == r.echoed);
            if (r.floor >= 0)
                CHECK(a.floor_s == r.floor);
            CHECK(a.detail.size() <= 200);
        }
    }

    // Review 19 §4: Retry-After (seconds; libcurl makes a date relative) on a
    // 429 or 503 is the floor, at most a day; other statuses ignore it.
    TEST_CASE("Retry-After on 429/503 is the floor, bounded; a provider's own floor stays when longer")
    {
        struct RRow {
            int line;
            Kind kind;
            Provider provider;
            long status;
            std::string body;
            long retry_after;
            long floor;
        };
        using P = Provider;
        const std::vector<RRow> rows = {
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 503, "", 7200, 7200},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 429, "slow down", 900, 900},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 429, "slow down", 60, 300},  // never below the 429 floor
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 503, "", 999999999, 86400},  // bounded: a day
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 500, "", 7200, 0},           // only 429 and 503
            {__LINE__, Kind::Dyndns2, P::Noip, 503, "911", 3600, 3600},        // longer than No-IP's 1800
            {__LINE__, Kind::Dyndns2, P::Noip, 503, "911", 60, 1800},
            {__LINE__, Kind::Duckdns, P::Duckdns, 503, "OK", 1200, 1200},
            {__LINE__, Kind::Mydns, P::MydnsHttp, 429, "", 1000, 1000},
            {__LINE__, Kind::CfZone, P::Cloudflare, 429,
             R"({"success":false,"errors":[{"code":971,"message":"Please wait"}]})", 1500, 1500},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 503, "<html>busy</html>", 2000, 2000},
            {__LINE__, Kind::Custom, P::Custom, 503, "wait", 1800, 1800},  // a custom retry token too
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 503, "", -1, 0},
        };
        CustomTokens tokens;
        tokens.retry = {"wait"};
        for (const auto& r : rows) {
            CAPTURE(r.line);
            HttpAnswer a{r.status, r.body};
            a.retry_after_s = r.retry_after;
            Answer got;
            switch (r.kind) {
            case Kind::Dyndns2: got = classify_dyndns2(r.provider, a, 1, "203.0.113.7"); break;
            case Kind::Duckdns: got = classify_duckdns(a); break;
            case Kind::Mydns: got = classify_mydns(a); break;
            case Kind::Custom: got = classify_custom(tokens, a); break;
            case Kind::CfZone: got = std::get<Answer>(cloudflare::parse_zone(a)); break;
            default: got = cloudflare::classify_update(a); break;
            }
            CHECK(outcome_name(got.outcome) == outcome_name(Outcome::RetryLater));
            CHECK(got.floor_s == r.floor);
        }
    }

    TEST_CASE("POP3 replies: +OK after the password is an update; response codes decide the failures")
    {
        struct PRow {
            int line;
            pop3::Stage stage;
            std::string reply;
            Outcome want;
        };
        using S = pop3::Stage;
        const std::vector<PRow> rows = {
            {__LINE__, S::Pass, "+OK Logged in.", Outcome::Updated},
            {__LINE__, S::Pass, "+OK maildrop has 0 messages (0 octets)", Outcome::Updated},
            {__LINE__, S::Pass, "-ERR [AUTH] Authentication failed.", Outcome::AuthFailed},
            {__LINE__, S::Pass, "-ERR invalid password", Outcome::AuthFailed},
            {__LINE__, S::Pass, "-ERR [SYS/TEMP] Temporary authentication failure.", Outcome::RetryLater},
            {__LINE__, S::Pass, "-ERR [IN-USE] Mailbox locked", Outcome::RetryLater},
            {__LINE__, S::Pass, "-ERR [LOGIN-DELAY] wait", Outcome::RetryLater},
            {__LINE__, S::Pass, "-ERR [SYS/PERM] account disabled", Outcome::Abuse},
            {__LINE__, S::User, "-ERR no such user", Outcome::AuthFailed},
            {__LINE__, S::Greeting, "-ERR server busy", Outcome::RetryLater},
            {__LINE__, S::Stls, "-ERR TLS not available", Outcome::ProtocolError},
            {__LINE__, S::Pass, "+OKAY", Outcome::ProtocolError},
            {__LINE__, S::Pass, "* OK IMAP4 ready", Outcome::ProtocolError},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(outcome_name(pop3::classify(r.stage, pop3::parse_reply(r.reply), {}).outcome) ==
                  outcome_name(r.want));
        }
    }

    TEST_CASE("outcome names round-trip and rank several hosts' answers")
    {
        for (auto o : {Outcome::Updated, Outcome::Unchanged, Outcome::AuthFailed, Outcome::BadHost, Outcome::Abuse,
                       Outcome::RetryLater, Outcome::ProtocolError})
            CHECK(parse_outcome(outcome_name(o)) == o);
        CHECK_FALSE(parse_outcome("good"));
        CHECK(exit_status(Outcome::Unchanged) == 0);
        CHECK(exit_status(Outcome::ProtocolError) == 1);
        CHECK(exit_status(Outcome::Abuse) == 2);
        Answer up{Outcome::Updated}, fatal{Outcome::BadHost}, retry{Outcome::RetryLater};
        CHECK(worse(up, fatal).outcome == Outcome::BadHost);
        CHECK(worse(retry, up).outcome == Outcome::RetryLater);
        CHECK(worse(fatal, retry).outcome == Outcome::BadHost);
    }
}

namespace {
// No byte a terminal or syslog would act on.
bool printable(const std::string& s)
{
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
            return false;
    return true;
}
}  // namespace

TEST_SUITE("ddns_classify")
{
    // Issue 12 §5: what servers send never reaches a log, the state file or
    // `pppkit ddns status` raw, is bounded, and its numbers are range-checked.
    TEST_CASE("hostile answers: control bytes escaped, echoes only addresses, long answers bounded, huge numbers")
    {
        using O = Outcome;
        using P = Provider;
        const std::string longecho = "good 203.0.113.7" + std::string(5000, 'A');
        const std::vector<Row> rows = {
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 203.0.113.7\x1b[2J", O::Updated, ""},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, longecho, O::Updated, ""},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "@dyndns2-escape.txt", O::Updated, ""},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "@dyndns2-long-echo.txt", O::Updated, ""},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 200, "@cloudflare-content-newline.json", O::Updated, ""},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 400, "@cloudflare-code-1e300.json", O::ProtocolError, ""},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "nochg 203.0.113.7\x07\x7f", O::Unchanged, ""},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "\x1b]0;pwned\x07", O::ProtocolError, ""},
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "OK\n203.0.113.7\x1b[31m\n\nUPDATED", O::Updated, ""},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 200,
             R"({"success":true,"result":{"content":"203.0.113.7\nJan 01 00:00:00 router pppkit: fake line"}})",
             O::Updated, ""},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 200, R"({"success":true,"result":{"content":"203.0.113.7"}})",
             O::Updated, "203.0.113.7"},
            {__LINE__, Kind::CfRecord, P::Cloudflare, 200,
             R"({"success":true,"result":[{"id":"0123abcd","content":"x\u001b[2J"}]})", O::Updated, ""},
            {__LINE__, Kind::CfRecord, P::Cloudflare, 200,
             R"({"success":true,"result":[{"id":"../../zones\r\nX: 1","content":"203.0.113.7"}]})", O::ProtocolError,
             ""},  // an id goes back into a URL path
            {__LINE__, Kind::CfRecord, P::Cloudflare, 200, R"({"success":true,"result":[{"id":"..","content":""}]})",
             O::ProtocolError, ""},  // no dot segment
            {__LINE__, Kind::CfZone, P::Cloudflare, 200, R"({"success":true,"result":[{"id":"zid-example.com"}]})",
             O::Updated, ""},
            {__LINE__, Kind::CfZone, P::Cloudflare, 400, R"({"success":false,"errors":[{"code":1e300}]})",
             O::ProtocolError, ""},
            {__LINE__, Kind::CfZone, P::Cloudflare, 400, R"({"success":false,"errors":[{"code":-1e300}]})",
             O::ProtocolError, ""},
            {__LINE__, Kind::CfZone, P::Cloudflare, 400,
             R"({"success":false,"errors":[{"code":18446744073709551615}]})", O::ProtocolError, ""},
            {__LINE__, Kind::CfZone, P::Cloudflare, 400, R"({"success":false,"errors":[{"code":9103.0}]})",
             O::AuthFailed, ""},
            {__LINE__, Kind::CfZone, P::Cloudflare, 400, R"({"success":false,"errors":[{"code":"9103"}]})",
             O::ProtocolError, ""},  // a string is no code
            {__LINE__, Kind::CfZone, P::Cloudflare, 200, R"({"success":true,"result":[{"id":"\ud800"}]})",
             O::ProtocolError, ""},  // a lone surrogate: not JSON
            {__LINE__, Kind::CfZone, P::Cloudflare, 200, std::string(100000, '['), O::ProtocolError, ""},
            {__LINE__, Kind::CfZone, P::Cloudflare, 200, R"({"success":true,"result":[{"id":01}]})", O::ProtocolError,
             ""},  // malformed number
        };
        CustomTokens tokens;
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Answer a = run(r, tokens);
            CHECK(outcome_name(a.outcome) == outcome_name(r.want));
            CHECK(a.echoed.value_or("") == r.echoed);
            CHECK(a.detail.size() <= kServerTextMax);
            CHECK(printable(a.detail));
        }
        std::string pop3_line = body_of("@pop3-err-escape.txt");
        pop3_line.resize(pop3_line.find('\n'));
        Answer p = pop3::classify(pop3::Stage::Pass, pop3::parse_reply(pop3_line), {});
        CHECK(p.outcome == Outcome::AuthFailed);
        CHECK(printable(p.detail));
        CHECK(p.detail.find("\\x1b[31m") != std::string::npos);
        Answer d = classify_dyndns2(Provider::Dyndns2, {200, "good 203.0.113.7\x1b[2J"}, 1, "203.0.113.7");
        CHECK(d.detail == "good 203.0.113.7\\x1b[2J");
    }

    TEST_CASE("server_text: escapes every non-printable byte, bounds the result, never cuts an escape")
    {
        struct R {
            int line;
            std::string in;
            size_t max;
            std::string want;
        };
        const std::vector<R> rows = {
            {__LINE__, "good 203.0.113.7", 200, "good 203.0.113.7"},
            {__LINE__, "a\x1b[2Jb", 200, "a\\x1b[2Jb"},
            {__LINE__, std::string("n\0l", 3), 200, "n\\x00l"},
            {__LINE__, "\r\n\t\x7f\xff", 200, "\\x0d\\x0a\\x09\\x7f\\xff"},
            {__LINE__, "caf\xc3\xa9", 200, "caf\\xc3\\xa9"},  // non-ASCII escaped too
            {__LINE__, std::string(300, 'A'), 10, "AAAAAAA..."},
            {__LINE__, "AAAAA\x1b", 10, "AAAAA\\x1b"},  // the last escape fits exactly
            {__LINE__,
             "AAAAAA\x1b"
             "B",
             10, "AAAAAA..."},                           // an escape is never cut
            {__LINE__, "AAAAAAAAAA", 10, "AAAAAAAAAA"},  // exactly fits
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            std::string out = server_text(r.in, r.max);
            CHECK(out == r.want);
            CHECK(out.size() <= r.max);
            CHECK(server_text(out, r.max) == out);  // idempotent
        }
    }
}
