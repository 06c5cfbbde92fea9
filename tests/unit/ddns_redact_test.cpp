// Review 19 §1: a hostile server echoes the profile's secret back, in any form
// a request carried it; none of it (nor a part cut at the excerpt's end)
// reaches Answer::detail or the state file (`pppkit ddns status`).
// plugins/ddns/core/{url,http,dyndns2,duckdns,custom,cloudflare}.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ddns/core/http.hpp"
#include "ddns/core/pop3.hpp"
#include "ddns/core/state.hpp"
#include "ddns/core/url.hpp"

using namespace pppkit::ddns;

namespace {

const std::string kPw = "Pw:s3cr&t/ZZ9";
const std::string kTok = "tok-9f8e7d6c5b4a";
// base64 of "dynuser:Pw:s3cr&t/ZZ9", "home.dedyn.io:tok-9f8e7d6c5b4a" (HTTP Basic; deSEC's user is the host)
const std::string kBasicPw = "ZHludXNlcjpQdzpzM2NyJnQvWlo5";
const std::string kBasicTok = "aG9tZS5kZWR5bi5pbzp0b2stOWY4ZTdkNmM1YjRh";

// No part of a secret worth having: the first 6 characters of each form.
const std::vector<std::string> kForbidden = {
    "Pw:s3c", "Pw%3As3c", "Pw%3as3c", "ZHludXNlcjpQ", "tok-9f", "aG9tZS5kZWR5bi5pbzp0",
};

enum class Kind { Dyndns2, Duckdns, Custom, CfUpdate };

struct Row {
    int line;
    Kind kind;
    Provider provider;
    long status;
    std::string body;
};

Answer classify(const Row& r, const HttpAnswer& a)
{
    CustomTokens tokens;
    tokens.success = {"good"};
    switch (r.kind) {
    case Kind::Dyndns2: return classify_dyndns2(r.provider, a, 1, "203.0.113.7");
    case Kind::Duckdns: return classify_duckdns(a);
    case Kind::Custom: return classify_custom(tokens, a);
    case Kind::CfUpdate: return cloudflare::classify_update(a);
    }
    return {};
}

}  // namespace

TEST_SUITE("ddns_redact")
{
    TEST_CASE("a secret a server echoes (raw, URL-encoded, Basic, Bearer, cut at 80) never reaches the state")
    {
        using P = Provider;
        const std::string pad(70, 'x');  // the excerpt is cut at 80 bytes: the secret straddles the cut
        const std::vector<Row> rows = {
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "wrong password " + kPw + " for dynuser"},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 400, "bad request: pw=Pw%3As3cr%26t%2FZZ9&x=1"},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 400, "bad request: pw=Pw%3as3cr%26t%2fZZ9&x=1"},  // lower-case hex
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 400, "you sent Authorization: Basic " + kBasicPw + " (refused)"},
            {__LINE__, Kind::Dyndns2, P::Desec, 400, "Authorization: Basic " + kBasicTok},
            {__LINE__, Kind::Duckdns, P::Duckdns, 400, "Authorization: Bearer " + kTok},
            {__LINE__, Kind::CfUpdate, P::Cloudflare, 200,
             R"({"success":true,"result":{"content":"Bearer )" + kTok + R"("}})"},
            {__LINE__, Kind::Custom, P::Custom, 500, kTok + " is not a valid token"},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, pad + kPw},       // straddles the 80-byte cut
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, pad + kBasicPw},  // ... in its Basic form
            {__LINE__, Kind::Duckdns, P::Duckdns, 200, "OK\n\n\n" + pad + kTok},
            {__LINE__, Kind::Dyndns2, P::Dyndns2, 200, "good 203.0.113.7 " + kPw},  // in a known token's line
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Profile p;
            p.name = "t";
            p.provider = r.provider;
            p.username = r.provider == P::Desec ? "" : "dynuser";
            p.hostnames = {r.provider == P::Desec ? "home.dedyn.io" : "host.example.jp"};
            Creds c{p.username, kPw, kTok};
            HttpAnswer a{r.status, r.body, hidden(p, c)};
            Answer ans = classify(r, a);
            CAPTURE(ans.detail);
            CHECK(ans.detail.find("***") != std::string::npos);  // redacted, not dropped
            State s;
            record(s, p, Family::V4, "203.0.113.7", ans, "fp", 1800000000, 0.0);
            ans.outcome = Outcome::AuthFailed;  // suspended_why carries the detail too
            record(s, p, Family::V6, "2001:db8::7", ans, "fp", 1800000001, 0.0);
            std::string stored = serialize_state(s);
            for (const auto& f : kForbidden) {
                CAPTURE(f);
                CHECK(ans.detail.find(f) == std::string::npos);
                CHECK(stored.find(f) == std::string::npos);
            }
        }
    }

    // The same for a POP3 server (MyDNS's login): its reply text is cut at 80 bytes.
    TEST_CASE("a POP3 reply echoing the password, whole or across the cut, never reaches the state")
    {
        struct R {
            int line;
            pop3::Stage stage;
            std::string reply;
        };
        const std::string pad(70, 'x');
        const std::vector<R> rows = {
            {__LINE__, pop3::Stage::Pass, "-ERR [AUTH] bad password " + kPw},
            {__LINE__, pop3::Stage::Pass, "-ERR " + pad + kPw},  // straddles the 80-byte cut
            {__LINE__, pop3::Stage::User, "-ERR " + pad + kPw},
            {__LINE__, pop3::Stage::Greeting, "-ERR busy, " + pad + kPw},
            {__LINE__, pop3::Stage::Pass, "-ERR [S" + kPw + "] x"},  // in the response code (fuzz/pop3)
        };
        const Hidden h{{kPw}, {"dynuser"}};
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Answer ans = pop3::classify(r.stage, pop3::parse_reply(r.reply), h);
            CAPTURE(ans.detail);
            CHECK(ans.detail.find("***") != std::string::npos);
            Profile p;
            p.name = "t";
            State s;
            record(s, p, Family::V4, "203.0.113.7", ans, "fp", 1800000000, 0.0);
            std::string stored = serialize_state(s);
            CHECK(stored.find("Pw:s3c") == std::string::npos);
        }
    }

    TEST_CASE("redact: every form of every secret, longest first, in one function")
    {
        struct R {
            int line;
            std::string in;
            std::string want;
        };
        const Hidden h{{kPw, kTok, ""}, {"dynuser"}};
        const std::vector<R> rows = {
            {__LINE__, "a " + kPw + " b", "a *** b"},
            {__LINE__, "pw=Pw%3As3cr%26t%2FZZ9", "pw=***"},
            {__LINE__, "pw=Pw%3as3cr%26t%2fZZ9", "pw=***"},
            {__LINE__, "Basic " + kBasicPw, "Basic ***"},
            {__LINE__, "Basic ZHludXNlcjp0b2stOWY4ZTdkNmM1YjRh", "Basic ***"},  // dynuser:<token>
            {__LINE__, "Authorization: Bearer " + kTok, "Authorization: Bearer ***"},
            {__LINE__, "nothing here", "nothing here"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(redact(r.in, h) == r.want);
        }
    }
}
