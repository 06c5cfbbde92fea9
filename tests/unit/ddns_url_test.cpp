// URL escaping, the custom template, redaction, and the request shapes of
// the HTTP modules: credentials in headers, not URLs, where the provider allows.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "ddns/core/http.hpp"
#include "ddns/core/url.hpp"

using namespace pppkit::ddns;

TEST_SUITE("ddns_url")
{
    TEST_CASE("url_escape keeps RFC 3986 unreserved characters only")
    {
        struct Row {
            int line;
            std::string in, out;
        };
        const std::vector<Row> rows = {
            {__LINE__, "host.example.jp", "host.example.jp"},
            {__LINE__, "a b", "a%20b"},
            {__LINE__, "p&w=d?#", "p%26w%3Dd%3F%23"},
            {__LINE__, "2001:db8::1", "2001%3Adb8%3A%3A1"},
            {__LINE__, "~_-.", "~_-."},
            {__LINE__, "100%", "100%25"},
            {__LINE__, "\xe6\x97\xa5", "%E6%97%A5"},
            {__LINE__, "", ""},
            {__LINE__, "a+b/c", "a%2Bb%2Fc"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(url_escape(r.in) == r.out);
        }
    }

    TEST_CASE("expand_template escapes every variable value")
    {
        std::map<std::string, std::string> vars = {
            {"hostname", "h.example.com"}, {"address", "2001:db8::1"}, {"password", "p&w d"}, {"family", "6"}};
        struct Row {
            int line;
            std::string tmpl, out;
        };
        const std::vector<Row> rows = {
            {__LINE__, "https://x/u?h={hostname}&ip={address}", "https://x/u?h=h.example.com&ip=2001%3Adb8%3A%3A1"},
            {__LINE__, "https://x/u?pw={password}", "https://x/u?pw=p%26w%20d"},
            {__LINE__, "https://x/{family}/{hostname}", "https://x/6/h.example.com"},
            {__LINE__, "https://x/u?t={token}", "https://x/u?t="},           // unknown/empty expands to nothing
            {__LINE__, "https://x/u?a={address", "https://x/u?a={address"},  // unclosed stays literal
            {__LINE__, "https://x/{hostname}{hostname}", "https://x/h.example.comh.example.com"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(expand_template(r.tmpl, vars) == r.out);
        }
    }

    TEST_CASE("redact hides raw and escaped secrets")
    {
        CHECK(redact("GET /u?pw=s3cr%26t&x=s3cr&t", {"s3cr&t"}) == "GET /u?pw=***&x=***");
        CHECK(redact("token tok tok", {"tok", ""}) == "***en *** ***");  // even inside words: never leak
        CHECK(redact("nothing here", {"absent"}) == "nothing here");
    }

    TEST_CASE("request shapes: Basic credentials stay out of the URL; the URL carries what the provider needs")
    {
        Creds c{"mydns123456", "pw&secret", "tok/EN"};
        auto prof = [](Provider pr) {
            Profile p;
            p.name = "t";
            p.provider = pr;
            p.hostnames = {"a.example.org", "b.example.org"};
            return p;
        };
        struct Row {
            int line;
            Provider prov;
            Family fam;
            std::string server;
            int port;
            std::string url;
            bool basic;
            bool any_family = false;  // the connection may use the other family
        };
        const std::vector<Row> rows = {
            {__LINE__, Provider::Dyndns2, Family::V4, "", 0,
             "https://members.dyndns.org/nic/update?hostname=a.example.org,b.example.org&myip=203.0.113.5", true},
            {__LINE__, Provider::Noip, Family::V6, "", 0,
             "https://dynupdate.no-ip.com/nic/update?hostname=a.example.org,b.example.org&myipv6=2001%3Adb8%3A%3A5",
             true, true},  // No-IP: IPv6 as myipv6=, over either family
            {__LINE__, Provider::Noip, Family::V4, "", 0,
             "https://dynupdate.no-ip.com/nic/update?hostname=a.example.org,b.example.org&myip=203.0.113.5", true,
             true},
            {__LINE__, Provider::Dyndns2, Family::V4, "127.0.0.1", 8080,
             "https://127.0.0.1:8080/nic/update?hostname=a.example.org,b.example.org&myip=203.0.113.5", true},
            {__LINE__, Provider::Desec, Family::V4, "", 0,
             "https://update.dedyn.io/?hostname=a.example.org,b.example.org&myipv4=203.0.113.5&myipv6=preserve", true},
            {__LINE__, Provider::Desec, Family::V6, "", 0,
             "https://update6.dedyn.io/?hostname=a.example.org,b.example.org&myipv4=preserve&myipv6=2001%3Adb8%3A%3A5",
             true},
            {__LINE__, Provider::MydnsHttp, Family::V4, "", 0, "https://ipv4.mydns.jp/login.html", true},
            {__LINE__, Provider::MydnsHttp, Family::V6, "", 0, "https://ipv6.mydns.jp/login.html", true},
            {__LINE__, Provider::MydnsHttp, Family::V6, "::1", 8443, "https://[::1]:8443/login.html", true},
            {__LINE__, Provider::MydnsDirectip, Family::V4, "", 0,
             "https://www.mydns.jp/directip.html?MID=mydns123456&PWD=pw%26secret&IPV4ADDR=203.0.113.5", false},
            {__LINE__, Provider::Duckdns, Family::V4, "", 0,
             "https://www.duckdns.org/"
             "update?domains=a.example.org,b.example.org&token=tok%2FEN&ip=203.0.113.5&verbose=true",
             false},
            {__LINE__, Provider::Duckdns, Family::V6, "", 0,
             "https://www.duckdns.org/"
             "update?domains=a.example.org,b.example.org&token=tok%2FEN&ipv6=2001%3Adb8%3A%3A5&verbose=true",
             false, true},  // IPv6 as a parameter, over whatever family connects
            {__LINE__, Provider::MydnsHttp, Family::V6, "", 0, "https://ipv6.mydns.jp/login.html", true,
             false},  // the source address is the update: never the other family
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Profile p = prof(r.prov);
            p.server_host = r.server;
            p.server_port = r.port;
            std::string addr = r.fam == Family::V6 ? "2001:db8::5" : "203.0.113.5";
            HttpRequest q = p.pre().protocol == Protocol::Dyndns2 ? dyndns2_request(p, r.fam, addr, c)
                            : p.pre().protocol == Protocol::Mydns ? mydns_request(p, r.fam, addr, c)
                                                                  : duckdns_request(p, r.fam, addr, c);
            CHECK(q.url == r.url);
            CHECK(q.basic == r.basic);
            CHECK(q.any_family == r.any_family);
            if (r.basic) {
                CHECK(q.url.find("pw") == std::string::npos);
                CHECK_FALSE(q.basic_pass.empty());
            }
        }
        // A unique User-Agent with a contact (No-IP answers badagent otherwise).
        CHECK(user_agent().rfind("pppkit/", 0) == 0);
        CHECK(user_agent().find('@') != std::string::npos);
        // DuckDNS strips its own suffix; deSEC logs in as the domain with the token
        Profile duck = prof(Provider::Duckdns);
        duck.hostnames = {"myhost.duckdns.org"};
        CHECK(duckdns_request(duck, Family::V4, "203.0.113.5", c).url.find("domains=myhost&") != std::string::npos);
        HttpRequest de = dyndns2_request(prof(Provider::Desec), Family::V4, "203.0.113.5", Creds{"", "", "tok"});
        CHECK(de.basic_user == "a.example.org");
        CHECK(de.basic_pass == "tok");
        // Cloudflare: the token only in the Authorization header
        Profile cf = prof(Provider::Cloudflare);
        cf.zone = "example.com";
        cf.record = "host.example.com";
        HttpRequest z = cloudflare::zone_request(cf, c);
        CHECK(z.url == "https://api.cloudflare.com/client/v4/zones?name=example.com");
        CHECK(z.headers == std::vector<std::string>{"Authorization: Bearer tok/EN"});
        HttpRequest rr = cloudflare::record_request(cf, Family::V6, "zid", c);
        CHECK(rr.url == "https://api.cloudflare.com/client/v4/zones/zid/dns_records?type=AAAA&name=host.example.com");
        HttpRequest u = cloudflare::update_request(cf, "zid", "rid", "203.0.113.5", c);
        CHECK(u.method == "PATCH");
        CHECK(u.body == "{\"content\":\"203.0.113.5\"}");
        // custom: Basic auth unless the template asks for {password}
        Profile cu = prof(Provider::Custom);
        cu.url = "https://dyn.example.net/u?h={hostname}&ip={address}";
        HttpRequest x = custom_request(cu, Family::V4, "203.0.113.5", c);
        CHECK(x.url == "https://dyn.example.net/u?h=a.example.org%2Cb.example.org&ip=203.0.113.5");
        CHECK(x.basic);
        cu.url = "https://dyn.example.net/u?pw={password}";
        CHECK_FALSE(custom_request(cu, Family::V4, "203.0.113.5", c).basic);
    }
}
