// [ddns "name"] profiles (plugins/ddns/core/{schema,profile}.cpp): presets,
// cross-key diagnostics in the file:line format, link matching, endpoints.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/schema.hpp"
#include "ddns/core/profile.hpp"
#include "testutil.hpp"

using namespace pppkit;
using namespace pppkit::ddns;

namespace {
struct Loaded {
    std::vector<std::string> diags;
    Profiles profiles;
};
Loaded load(const std::string& text)
{
    auto r = config::parse_text(text, "/etc/ppp/pppkit.conf", schema());
    Loaded l;
    l.profiles = load_profiles(r.doc);
    for (const auto& d : r.diags)
        l.diags.push_back(d.str());
    for (const auto& d : l.profiles.diags)
        l.diags.push_back(d.str());
    return l;
}
}  // namespace

TEST_SUITE("ddns_profile")
{
    TEST_CASE("a MyDNS POP3 profile gets the preset's defaults")
    {
        auto l = load("[ddns \"home\"]\nprovider = mydns-pop3\nusername = mydns123456\npassword = mydns-home\n");
        REQUIRE(l.diags.empty());
        const Profile* p = l.profiles.find("home");
        REQUIRE(p);
        CHECK(p->keepalive_s == 86400);
        CHECK(p->family == Family::V4);
        CHECK(p->links == std::vector<std::string>{"ppp*"});
        Endpoint e = endpoint(*p, Family::V4);
        CHECK(e.tls == Tls::None);
        CHECK(e.port == 110);
        auto l2 = load("[ddns \"x\"]\nprovider = mydns-pop3\nusername = u\npassword = p\ntls = pop3s\n"
                       "server = [::1]:1995\nkeepalive = 12h\nfamily = both\n");
        REQUIRE(l2.diags.empty());
        Endpoint e2 = endpoint(l2.profiles.list.at(0), Family::V6);
        CHECK(e2.host == "::1");
        CHECK(e2.port == 1995);
        CHECK(e2.tls == Tls::Pop3s);
        CHECK(l2.profiles.list.at(0).keepalive_s == 43200);
        CHECK(endpoint(load("[ddns \"y\"]\nprovider = mydns-pop3\nusername = u\npassword = p\ntls = pop3s\n")
                           .profiles.list.at(0),
                       Family::V4)
                  .port == 995);
    }

    TEST_CASE("a profile reads the values parsed at load; unset keys are the documented defaults")
    {
        const config::SectionSpec* spec = nullptr;
        for (const auto& sec : schema())
            if (sec.type == "ddns")
                spec = &sec;
        REQUIRE(spec != nullptr);
        auto def = [&](std::string_view key) { return config::documented_default(*spec, key); };
        auto l = load("[ddns \"d\"]\nprovider = duckdns\ntoken = t\nhostname = x\n");
        REQUIRE(l.diags.empty());
        const Profile& p = l.profiles.list.at(0);
        CHECK(p.enabled == std::get<bool>(def("enabled")));
        CHECK(p.insecure == std::get<bool>(def("insecure-skip-verify")));
        CHECK(p.min_interval_s == std::get<std::chrono::seconds>(def("min-interval")).count());
        CHECK(p.timeout_s == std::get<std::chrono::seconds>(def("timeout")).count());
        CHECK(p.ipv6_wait_s == std::get<std::chrono::seconds>(def("ipv6-wait")).count());
        CHECK(p.links == std::get<std::vector<std::string>>(def("links")));
        CHECK(p.ipparam == std::get<std::string>(def("ipparam")));
        CHECK(p.family == *config::value_as<Family>(def("family")));
        CHECK(p.tls == *config::value_as<Tls>(def("tls")));
        CHECK(p.pop3_auth == *config::value_as<Pop3Auth>(def("pop3-auth")));
        // the defaults are the schema's only: a Profile not read from a
        // document has none (the old one repeated yes, ppp*, *, 20 and 30 s)
        const Profile bare{};
        CHECK_FALSE(bare.enabled);
        CHECK(bare.links.empty());
        CHECK(bare.ipparam.empty());
        CHECK(bare.timeout_s == 0);
        CHECK(bare.ipv6_wait_s == 0);
        l = load("[ddns \"d\"]\nprovider = duckdns\ntoken = t\nhostname = x\nenabled = no\nkeepalive = 7d\n"
                 "min-interval = 5m\ntimeout = 1m\nipv6-wait = 0\n");
        REQUIRE(l.diags.empty());
        const Profile& q = l.profiles.list.at(0);
        CHECK_FALSE(q.enabled);
        CHECK(q.keepalive_s == 604800);
        CHECK(q.min_interval_s == 300);
        CHECK(q.timeout_s == 60);
        CHECK(q.ipv6_wait_s == 0);
    }

    TEST_CASE("provider = takes exactly the presets' names (one list: the presets table)")
    {
        const config::Choices& choices = provider_choices();
        size_t n = 0;
        for (const config::Choice& c : choices.names) {
            const std::string name(c.name);
            CAPTURE(name);
            const auto p = static_cast<Provider>(c.value);
            CHECK(static_cast<size_t>(p) == n++);  // in the presets' order
            CHECK(preset(p).name == name);
            CHECK(preset(p).provider == p);
            // the schema accepts it (a profile that only lacks its keys is not "expected one of")
            const auto r = load("[ddns \"a\"]\nprovider = " + name + "\n");
            for (const auto& d : r.diags)
                CHECK(d.find("expected one of") == std::string::npos);
        }
        CHECK(n == static_cast<size_t>(Provider::Custom) + 1);  // every Provider, once
        const auto r = load("[ddns \"a\"]\nprovider = dyndns3\n");
        REQUIRE_FALSE(r.diags.empty());
        CHECK(r.diags[0].find("expected one of " + choices.joined(',')) != std::string::npos);
    }

    TEST_CASE("config errors read file:line: [section] key: problem (got 'value')")
    {
        struct Row {
            int line;
            std::string text;
            std::string diag;
        };
        const std::vector<Row> rows = {
            {__LINE__, "[ddns \"a\"]\nprovider = dyndns3\n",
             "/etc/ppp/pppkit.conf:2: [ddns \"a\"] provider: expected one of mydns-pop3,mydns-http,mydns-directip,"
             "dyndns2,noip,duckdns,desec,cloudflare,custom (got 'dyndns3')"},
            {__LINE__, "[ddns \"a\"]\nprovider = dyndns2\nusername = u\npassword = p\n",
             "/etc/ppp/pppkit.conf:1: [ddns \"a\"] hostname: missing (provider dyndns2 needs it)"},
            {__LINE__, "[ddns \"a\"]\nprovider = mydns-pop3\nusername = u\npassword = p\ntls = https\n",
             "/etc/ppp/pppkit.conf:5: [ddns \"a\"] tls: POP3 takes none, stls or pop3s (got 'https')"},
            {__LINE__, "[ddns \"a\"]\nprovider = duckdns\ntoken = t\nhostname = h\npop3-auth = user\n",
             "/etc/ppp/pppkit.conf:5: [ddns \"a\"] pop3-auth: only for provider mydns-pop3 (got 'user')"},
            // review 29 F2: APOP's timestamp would come from the plain-text greeting before STLS
            {__LINE__,
             "[ddns \"a\"]\nprovider = mydns-pop3\nusername = u\npassword = p\ntls = stls\npop3-auth = apop\n",
             "/etc/ppp/pppkit.conf:6: [ddns \"a\"] pop3-auth: apop needs tls = none or pop3s: after STLS (tls = stls "
             "or auto) its timestamp would come from the plain-text greeting, which anyone on the path can forge "
             "(got 'apop')"},
            {__LINE__, "[ddns \"a\"]\nprovider = mydns-pop3\nusername = u\npassword = p\npop3-auth = apop\n",
             "/etc/ppp/pppkit.conf:5: [ddns \"a\"] pop3-auth: apop needs tls = none or pop3s: after STLS (tls = stls "
             "or auto) its timestamp would come from the plain-text greeting, which anyone on the path can forge "
             "(got 'apop')"},
            {__LINE__, "[ddns \"a\"]\nprovider = custom\nurl = ftp://x/{hostname}\nsuccess = good\n",
             "/etc/ppp/pppkit.conf:3: [ddns \"a\"] url: must start with https:// or http:// (got "
             "'ftp://x/{hostname}')"},
            {__LINE__, "[ddns \"a\"]\nprovider = custom\nurl = https://x/{host}\nsuccess = good\n",
             "/etc/ppp/pppkit.conf:3: [ddns \"a\"] url: unknown variable {host} (known: hostname, address, ipv4, ipv6, "
             "family, username, password, token) (got 'https://x/{host}')"},
            {__LINE__, "[ddns \"a\"]\nprovider = cloudflare\ntoken = t\nzone = example.com\n",
             "/etc/ppp/pppkit.conf:1: [ddns \"a\"] record: missing (provider cloudflare needs it)"},
            {__LINE__, "[ddns \"a\"]\nprovider = mydns-http\nusername = u\npassword = p\nserver = 2001:db8::1\n",
             "/etc/ppp/pppkit.conf:5: [ddns \"a\"] server: expected host[:port], a.b.c.d[:port] or [IPv6][:port] "
             "(got '2001:db8::1')"},
            {__LINE__, "[ddns \"a\"]\nprovider = mydns-http\nusername = u\npassword = my password\n",
             "/etc/ppp/pppkit.conf:4: [ddns \"a\"] password: not a secret name (letters, digits, '-', '_', '.') "
             "(the value is not shown: if it is the secret itself, put it in the secrets file and name it here)"},
            {__LINE__, "[ddns \"a\"]\nprovider = mydns-http\nusername = u\npassword = p\ntimeout = 10m\n",
             "/etc/ppp/pppkit.conf:5: [ddns \"a\"] timeout: out of range 1s-300s (got '10m')"},
            {__LINE__, "[ddns]\nprovider = noip\n", "/etc/ppp/pppkit.conf:1: [ddns]: needs a name, as [ddns \"name\"]"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto l = load(r.text);
            REQUIRE_FALSE(l.diags.empty());
            CHECK(std::find(l.diags.begin(), l.diags.end(), r.diag) != l.diags.end());
            if (std::find(l.diags.begin(), l.diags.end(), r.diag) == l.diags.end())
                for (const auto& d : l.diags)
                    MESSAGE(d);
        }
        // ... and the combinations that stay accepted
        for (const std::string tls : {"none", "pop3s"})
            CHECK(load("[ddns \"a\"]\nprovider = mydns-pop3\nusername = u\npassword = p\ntls = " + tls +
                       "\npop3-auth = apop\n")
                      .diags.empty());
        for (const std::string tls : {"stls", "auto"})
            for (const std::string auth : {"auto", "user"})
                CHECK(load("[ddns \"a\"]\nprovider = mydns-pop3\nusername = u\npassword = p\ntls = " + tls +
                           "\npop3-auth = " + auth + "\n")
                          .diags.empty());
        // an unnamed [ddns] is reported once, not again for each missing key
        CHECK(load("[ddns]\nprovider = noip\n").diags.size() == 1);
    }

    // review 29 F4: keepalive = 1s resent a dyndns2 profile every few seconds. 0 is off; any other
    // value has a floor: a day for the dyndns2 family (repeated nochg is abuse), an hour otherwise.
    TEST_CASE("keepalive is 0 (off) or at least its provider's floor")
    {
        struct Row {
            int line;
            std::string provider;  // with the keys it needs
            std::string value;
            std::string diag;  // empty: accepted
        };
        const std::string dyn = "dyndns2\nusername = u\npassword = p\nhostname = h.example.net";
        const std::string noip = "noip\nusername = u\npassword = p\nhostname = h.example.net";
        const std::string desec = "desec\ntoken = t\nhostname = h.dedyn.io";
        const std::string mydns = "mydns-pop3\nusername = u\npassword = p";
        const std::string duck = "duckdns\ntoken = t\nhostname = h";
        const std::string custom = "custom\nurl = https://x/{address}\nsuccess = good";
        const std::string at = "/etc/ppp/pppkit.conf:3: [ddns \"a\"] keepalive: ";
        const std::string day = " (repeated nochg is abuse there)";
        const std::string hour = "0 (off) or at least 1h (a shorter keep-alive hammers the provider)";
        const std::vector<Row> rows = {
            {__LINE__, dyn, "1s", at + "0 (off) or at least 1d for provider dyndns2" + day + " (got '1s')"},
            {__LINE__, dyn, "12h", at + "0 (off) or at least 1d for provider dyndns2" + day + " (got '12h')"},
            {__LINE__, noip, "86399", at + "0 (off) or at least 1d for provider noip" + day + " (got '86399')"},
            {__LINE__, desec, "1h", at + "0 (off) or at least 1d for provider desec" + day + " (got '1h')"},
            {__LINE__, mydns, "1s", at + hour + " (got '1s')"},
            {__LINE__, mydns, "59m", at + hour + " (got '59m')"},
            {__LINE__, duck, "10m", at + hour + " (got '10m')"},
            {__LINE__, custom, "3599", at + hour + " (got '3599')"},
            {__LINE__, dyn, "0", ""},
            {__LINE__, dyn, "1d", ""},
            {__LINE__, noip, "25d", ""},
            {__LINE__, mydns, "0", ""},
            {__LINE__, mydns, "1h", ""},
            {__LINE__, duck, "3600", ""},
            {__LINE__, custom, "7d", ""},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto l = load("[ddns \"a\"]\nprovider = " + r.provider.substr(0, r.provider.find('\n')) +
                          "\nkeepalive = " + r.value + r.provider.substr(r.provider.find('\n')) + "\n");
            if (r.diag.empty()) {
                CHECK(l.diags.empty());
                for (const auto& d : l.diags)
                    MESSAGE(d);
                REQUIRE(l.profiles.list.size() == 1);
                CHECK(l.profiles.list[0].keepalive_s >= 0);
            } else {
                REQUIRE(l.diags.size() == 1);
                CHECK(l.diags[0] == r.diag);
            }
        }
    }

    TEST_CASE("links and ipparam patterns choose the profiles of a link")
    {
        Profile p;
        p.links = {"ppp0", "wan*"};
        p.ipparam = "flets*";
        CHECK(matches_link(p, "ppp0", "flets-east"));
        CHECK(matches_link(p, "wan-b", "flets"));
        CHECK_FALSE(matches_link(p, "ppp1", "flets"));
        CHECK_FALSE(matches_link(p, "ppp0", "mobile"));
        p.ipparam = "*";
        CHECK(matches_link(p, "ppp0", ""));
    }

    TEST_CASE("the fingerprint changes with the config, the secret's value and the key, and hides both")
    {
        auto l = load("[ddns \"home\"]\nprovider = mydns-pop3\nusername = mydns123456\npassword = pw\n");
        REQUIRE(l.diags.empty());
        const Profile& p = l.profiles.list.at(0);
        secrets::Secrets a, b;
        a.set("pw", "hunter2");
        b.set("pw", "hunter3");
        const std::string key(32, 'k'), key2(32, 'K');
        std::string fa = fingerprint(p, a, key);
        CHECK(fa.size() == 16);
        CHECK(fa.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(fa == fingerprint(p, a, key));
        CHECK(fa != fingerprint(p, b, key));
        auto l2 = load("[ddns \"home\"]\nprovider = mydns-pop3\nusername = mydns654321\npassword = pw\n");
        CHECK(fa != fingerprint(l2.profiles.list.at(0), a, key));
        CHECK(fa.find("hunter2") == std::string::npos);
        // keyed: without the installation's key (root's alone) the same profile
        // and secret give another value, so the state file's copy cannot be
        // matched against guessed passwords
        CHECK(fa != fingerprint(p, a, key2));
        CHECK(fa != fingerprint(p, a, ""));
    }
}

TEST_SUITE("ddns_profile")
{
    // Issue 12 §6 (DDNS side): no value that goes into a request may carry a
    // control byte; refused at load time as file:line naming the key.
    TEST_CASE("control bytes in request values are refused at load time")
    {
        struct Row {
            int line;
            std::string body;  // the profile's keys after the provider line
            std::string key;   // the key the diagnostic must name
        };
        const std::string dyn = "[ddns \"x\"]\nprovider = dyndns2\npassword = p\n";
        const std::vector<Row> rows = {
            {__LINE__, "provider = mydns-pop3\npassword = p\nusername = mrose\rDELE 1\n", "username"},
            {__LINE__, "provider = mydns-pop3\npassword = p\nusername = mrose\x1b[2J\n", "username"},
            {__LINE__, "provider = mydns-pop3\npassword = p\nusername = mrose\x7f\n", "username"},
            {__LINE__, "provider = dyndns2\npassword = p\nusername = u\nhostname = h\r.example.net\n", "hostname"},
            {__LINE__,
             "provider = dyndns2\npassword = p\nusername = u\nhostname = h.example.net\npath = /nic/\rupdate\n",
             "path"},
            {__LINE__,
             "provider = dyndns2\npassword = p\nusername = u\nhostname = h.example.net\npath = /nic/upd\xc3\xa4te\n",
             "path"},
            {__LINE__, "provider = dyndns2\npassword = p\nusername = u\nhostname = h.example.net\nserver = a\r:80\n",
             "server"},
            {__LINE__, "provider = custom\nurl = https://u.example/?h={hostname}\r\x01X\nsuccess = good\n", "url"},
            {__LINE__, "provider = custom\nurl = https://u.example/\x7f?h={hostname}\nsuccess = good\n", "url"},
            {__LINE__, "provider = cloudflare\ntoken = t\nzone = example.net\nrecord = a\x1b.example.net\n", "record"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto l = load("[ddns \"x\"]\n" + r.body);
            bool named = std::any_of(l.diags.begin(), l.diags.end(), [&](const std::string& d) {
                return d.rfind("/etc/ppp/pppkit.conf:", 0) == 0 && d.find("] " + r.key + ": ") != std::string::npos;
            });
            CAPTURE(l.diags.size());
            CAPTURE(l.diags.empty() ? std::string() : l.diags[0]);
            CHECK(named);
        }
        (void)dyn;
        // The values the file format cannot carry (LF ends the line, NUL the string) are refused by the checks too.
        struct C {
            int line;
            std::string v;
            bool ok;
        };
        const std::vector<C> checks = {
            {__LINE__, "mrose", true},
            {__LINE__, "mrose\r\nDELE 1", false},
            {__LINE__, std::string("mrose\0x", 7), false},
            {__LINE__, "m\trose", false},
            {__LINE__, "m\xc3\xa9rose", true},  // UTF-8 names are fine where a request encodes them
        };
        for (const auto& c : checks) {
            CAPTURE(c.line);
            CHECK(!check_request_value(c.v).has_value() == c.ok);
        }
        CHECK(check_url_template("https://u.example/?h={hostname}\n").has_value());
        CHECK(check_path(std::string("/nic\0/update", 12)).has_value());
    }

    TEST_CASE("a profile names a secret when it has a password or a token (its worker reads the secrets file)")
    {
        struct Row {
            int line;
            std::string keys;
            bool names;
        };
        const std::vector<Row> rows = {
            {__LINE__, "provider = dyndns2\nusername = u\npassword = pw\nhostname = h.example.net\n", true},
            {__LINE__, "provider = duckdns\ntoken = tok\nhostname = h.duckdns.org\n", true},
            {__LINE__,
             "provider = custom\nhostname = h.example.net\ntoken = tok\nsuccess = good\n"
             "url = https://u.example/?h={hostname}&t={token}\n",
             true},
            {__LINE__,
             "provider = custom\nhostname = h.example.net\nsuccess = good\n"
             "url = https://u.example/?h={hostname}&ip={address}\n",
             false},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            auto l = load("[ddns \"x\"]\n" + row.keys);
            REQUIRE(l.diags.empty());
            CHECK(names_secret(l.profiles.list.at(0)) == row.names);
        }
    }

    TEST_CASE("the ca-file is read only when trusted, present and not empty, with file:line (review B F3)")
    {
        // The worker read it by plain path after the loader had checked it
        // only if it existed: a file a user put in a sticky directory between
        // the two was pinned. read_ca_file() is the one read, checked on what
        // it opened.
        if (geteuid() != 0)
            return;  // the owner changes below need root
        const std::string cwd = std::filesystem::current_path();
        const std::string dir = cwd + "/ca";
        std::filesystem::create_directories(dir + "/sticky");
        std::filesystem::create_directories(dir + "/open");
        chmod(dir.c_str(), 0755);
        chmod((dir + "/sticky").c_str(), 01777);
        chmod((dir + "/open").c_str(), 0777);
        const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        auto put = [&](const std::string& name, mode_t mode, unsigned uid, const std::string& text) {
            test::write_file(dir + "/" + name, text);
            REQUIRE(chmod((dir + "/" + name).c_str(), mode) == 0);
            REQUIRE(chown((dir + "/" + name).c_str(), uid, 0) == 0);
        };
        put("good.pem", 0644, 0, pem);
        put("gw.pem", 0666, 0, pem);
        put("other.pem", 0644, 65534, pem);
        put("sticky/planted.pem", 0644, 65534, pem);  // a user's file in /tmp
        put("open/ca.pem", 0644, 0, pem);             // root's, in a directory anyone can write
        put("empty.pem", 0644, 0, "");
        std::filesystem::remove(dir + "/link.pem");
        REQUIRE(symlink((dir + "/good.pem").c_str(), (dir + "/link.pem").c_str()) == 0);
        REQUIRE(lchown((dir + "/link.pem").c_str(), 65534, 65534) == 0);
        std::filesystem::remove(dir + "/fifo.pem");
        REQUIRE(mkfifo((dir + "/fifo.pem").c_str(), 0644) == 0);

        struct Row {
            int line;
            std::string file;  // under dir
            std::string want;  // the problem, after "cannot read: "; empty: read
        };
        const std::vector<Row> rows = {
            {__LINE__, "good.pem", ""},
            {__LINE__, "absent.pem", "No such file or directory"},
            {__LINE__, "gw.pem", "file " + dir + "/gw.pem is writable by group or others (mode 0666)"},
            {__LINE__, "other.pem", "file " + dir + "/other.pem is owned by uid 65534, not root"},
            {__LINE__, "sticky/planted.pem", "file " + dir + "/sticky/planted.pem is owned by uid 65534, not root"},
            {__LINE__, "open/ca.pem", "directory " + dir + "/open is writable by group or others (mode 0777)"},
            {__LINE__, "link.pem", dir + "/link.pem is a symbolic link owned by uid 65534, not root; not followed"},
            {__LINE__, "fifo.pem", dir + "/fifo.pem is not a regular file"},
            {__LINE__, "empty.pem", ""},
        };
        trust::Policy root_only;  // the worker's, as root
        for (const auto& row : rows) {
            CAPTURE(row.line);
            const std::string path = dir + "/" + row.file;
            auto r = config::parse_text("[ddns \"home\"]\nprovider = dyndns2\nusername = u\npassword = pw\n"
                                        "hostname = h.example.net\nca-file = " +
                                            path + "\n",
                                        "/etc/ppp/pppkit.conf", schema());
            REQUIRE(r.diags.empty());
            auto profiles = load_profiles(r.doc);
            REQUIRE(profiles.list.size() == 1);
            std::string blob = "stale";
            auto d = read_ca_file(r.doc, profiles.list[0], blob, root_only);
            const std::string at = "/etc/ppp/pppkit.conf:6: [ddns \"home\"] ca-file: ";
            if (row.file == "good.pem") {
                CHECK_FALSE(d.has_value());
                CHECK(blob == pem);
            } else if (row.file == "empty.pem") {
                REQUIRE(d.has_value());
                CHECK(d->str() == at + "the file is empty (expected the CA certificates in PEM) (got '" + path + "')");
            } else {
                REQUIRE(d.has_value());
                CHECK(blob.empty());
                CHECK(d->str().rfind(at + "cannot read: " + row.want, 0) == 0);
                CHECK(d->str().find("(got '" + path + "')") != std::string::npos);
            }
        }
        // no ca-file: nothing read, no problem
        auto r = config::parse_text(
            "[ddns \"home\"]\nprovider = dyndns2\nusername = u\npassword = pw\nhostname = h.example.net\n",
            "/etc/ppp/pppkit.conf", schema());
        std::string blob = "stale";
        CHECK_FALSE(read_ca_file(r.doc, load_profiles(r.doc).list.at(0), blob, root_only).has_value());
        CHECK(blob.empty());
    }

    TEST_CASE("the worker's environment: a fixed PATH and the sanitizers' options, nothing of the caller's")
    {
        const std::string path = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
        struct Row {
            int line;
            std::vector<const char*> env;  // the caller's, without the NULL
            std::vector<std::string> want;
        };
        const Row rows[] = {
            {__LINE__, {}, {path}},
            {__LINE__, {"PATH=/home/u/bin:/usr/bin"}, {path}},
            {__LINE__, {"SSLKEYLOGFILE=/tmp/keys", "https_proxy=http://p:3128", "CURL_CA_BUNDLE=/tmp/ca"}, {path}},
            {__LINE__, {"LD_PRELOAD=/tmp/x.so", "HOME=/root", "OPENSSL_CONF=/tmp/o.cnf"}, {path}},
            {__LINE__,
             {"ASAN_OPTIONS=log_path=/t/asan", "X=1", "UBSAN_OPTIONS=halt_on_error=1", "LSAN_OPTIONS=a=b"},
             {path, "ASAN_OPTIONS=log_path=/t/asan", "UBSAN_OPTIONS=halt_on_error=1", "LSAN_OPTIONS=a=b"}},
            {__LINE__, {"XASAN_OPTIONS=1", "ASAN_OPTIONS", "asan_options=x"}, {path}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            std::vector<const char*> env = r.env;
            env.push_back(nullptr);
            CHECK(worker_environment(env.data()) == r.want);
        }
        CHECK(worker_environment(nullptr) == std::vector<std::string>{path});
    }
}
