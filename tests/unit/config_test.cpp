// Unit tests of the INI loader (plugins/common/config.cpp) and the secrets
// file (plugins/common/secrets.cpp).
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/config.hpp"
#include "common/schema.hpp"
#include "common/secrets.hpp"
#include "registry.hpp"
#include "testutil.hpp"

using namespace pppkit;
using namespace pppkit::config;

namespace {

// The test schema's enum key: its values and their names.
enum class Mode { Fast, Slow };
enum class Other { Fast };
constexpr std::array kModeNames{choice("fast", Mode::Fast), choice("slow", Mode::Slow)};
constexpr Choices kModeChoices = choices_of<Mode>(kModeNames);

// A small schema of its own, so these tests do not depend on the plugins'.
const std::vector<SectionSpec>& test_schema()
{
    static const std::vector<SectionSpec> s = {
        {"alpha",
         SectionSpec::Naming::None,
         {
             {.key = "count", .type = Type::Int, .min = 1, .max = 10},
             {.key = "flag", .type = Type::Bool},
             {.key = "mode", .type = Type::Enum, .choices = &kModeChoices},
             {.key = "text", .type = Type::String},
             {.key = "net", .type = Type::Cidr, .list = true},
             {.key = "port", .type = Type::Port},
             {.key = "ports", .type = Type::PortRange, .list = true},
             {.key = "addr", .type = Type::Address},
             {.key = "to", .type = Type::Endpoint},
             {.key = "ifname", .type = Type::Interface},
             {.key = "every", .type = Type::Duration, .min = 60, .max = 86400},
             {.key = "path", .type = Type::Path},
             {.key = "secret", .type = Type::SecretRef},
             {.key = "allow", .type = Type::String, .repeatable = true},
         }},
        {"beta", SectionSpec::Naming::Required, {{.key = "need", .type = Type::String, .required = true}}},
    };
    return s;
}

LoadResult parse(const std::string& text) { return parse_text(text, "t.conf", test_schema()); }

std::string only_diag(const LoadResult& r)
{
    REQUIRE(r.diags.size() == 1);
    return r.diags[0].str();
}

}  // namespace

TEST_SUITE("config")
{
    TEST_CASE("a valid file parses into sections and entries")
    {
        auto r = parse("# comment\n; also a comment\n[alpha]\ncount = 3\nflag=yes\n\n[beta \"one\"]\nneed = x\n");
        CHECK(r.ok());
        REQUIRE(r.doc.sections.size() == 2);
        CHECK(r.doc.sections[0].get("count")->value == "3");
        CHECK(r.doc.sections[0].get("count")->line == 4);
        CHECK(r.doc.sections[1].name == "one");
        CHECK(r.doc.sections[1].label() == "beta \"one\"");
    }

    TEST_CASE("every kind of diagnostic names file, line, section, key and value")
    {
        struct Row {
            int line;
            std::string text;
            std::string expect;
        };
        const std::vector<Row> rows = {
            {__LINE__, "[alpha]\ncount = 0\n", "t.conf:2: [alpha] count: out of range 1-10 (got '0')"},
            {__LINE__, "[alpha]\ncount = x\n", "t.conf:2: [alpha] count: not an integer (got 'x')"},
            {__LINE__, "[alpha]\nflag = maybe\n", "t.conf:2: [alpha] flag: expected yes or no (got 'maybe')"},
            {__LINE__, "[alpha]\nmode = medium\n", "t.conf:2: [alpha] mode: expected one of fast,slow (got 'medium')"},
            {__LINE__, "[alpha]\nbogus = 1\n", "t.conf:2: [alpha] bogus: unknown key (got '1')"},
            {__LINE__, "[gamma]\n", "t.conf:1: [gamma]: unknown section (known: alpha, beta) "},
            {__LINE__, "[alpha]\nnet = 176.16.0.0/12\n", ""},
            {__LINE__, "[alpha]\nnet = 172.16.1.0/16\n",
             "t.conf:2: [alpha] net: '172.16.1.0/16': host bits set after /16 (did you mean a network address?) "
             "(got '172.16.1.0/16')"},
            {__LINE__, "[alpha]\nnet = 10.0.0.0/33\n",
             "t.conf:2: [alpha] net: '10.0.0.0/33': prefix length must be 0-32 (got '10.0.0.0/33')"},
            {__LINE__, "[alpha]\nnet = 10.0.0.0\n",
             "t.conf:2: [alpha] net: '10.0.0.0': expected a network as address/prefix, e.g. 172.16.0.0/16 (got "
             "'10.0.0.0')"},
            {__LINE__, "[alpha]\nport = 70000\n", "t.conf:2: [alpha] port: not a port number (1-65535) (got '70000')"},
            {__LINE__, "[alpha]\nports = 139-135\n",
             "t.conf:2: [alpha] ports: '139-135': port range is reversed (got '139-135')"},
            {__LINE__, "[alpha]\naddr = 300.1.1.1\n",
             "t.conf:2: [alpha] addr: not an IPv4 or IPv6 address (got '300.1.1.1')"},
            {__LINE__, "[alpha]\nto = 172.16.1.100:99999\n",
             "t.conf:2: [alpha] to: not a port number (1-65535) (got '172.16.1.100:99999')"},
            {__LINE__, "[alpha]\nifname = ppp0 x\n",
             "t.conf:2: [alpha] ifname: not an interface name (letters, digits, '-', '_', '.') (got 'ppp0 x')"},
            {__LINE__, "[alpha]\nevery = 10s\n", "t.conf:2: [alpha] every: out of range 60s-86400s (got '10s')"},
            {__LINE__, "[alpha]\nevery = soon\n",
             "t.conf:2: [alpha] every: not a duration (e.g. 30s, 5m, 24h, 7d) (got 'soon')"},
            {__LINE__, "[alpha]\npath = relative/x\n",
             "t.conf:2: [alpha] path: must be an absolute path (got 'relative/x')"},
            // a secret's name that is no name is likely the secret itself: never echoed
            {__LINE__, "[alpha]\nsecret = a b\n",
             "t.conf:2: [alpha] secret: not a secret name (letters, digits, '-', '_', '.') (the value is not shown: if "
             "it is the secret itself, put it in the secrets file and name it here)"},
            {__LINE__, "[alpha]\nsecret = pw1\nsecret = Hunter2\n",
             "t.conf:3: [alpha] secret: duplicate key (first set at line 2)"},
            // an unknown key that reads like a credential: its value is not echoed; any other is
            {__LINE__, "[alpha]\npasword = Hunter2\n",
             "t.conf:2: [alpha] pasword: unknown key (its value is not shown: it may be a secret)"},
            {__LINE__, "[alpha]\napi-Token = Hunter2\n",
             "t.conf:2: [alpha] api-Token: unknown key (its value is not shown: it may be a secret)"},
            {__LINE__, "[alpha]\ncolour = blue\n", "t.conf:2: [alpha] colour: unknown key (got 'blue')"},
            {__LINE__, "[alpha]\ncount = 1\ncount = 2\n",
             "t.conf:3: [alpha] count: duplicate key (first set at line 2) (got '2')"},
            {__LINE__, "count = 1\n", "t.conf:1: count: key outside of any [section] (got '1')"},
            {__LINE__, "[alpha]\njust words\n", "t.conf:2: [alpha]: expected 'key = value' (got 'just words')"},
            {__LINE__, "[alpha\n", "t.conf:1: section header must end with ']' (got '[alpha')"},
            {__LINE__, "[beta]\nneed = 1\n", "t.conf:1: [beta]: needs a name, as [beta \"name\"]"},
            {__LINE__, "[alpha \"x\"]\n", "t.conf:1: [alpha \"x\"]: takes no name, write [alpha] (got 'x')"},
            {__LINE__, "[beta \"x\"]\n", "t.conf:1: [beta \"x\"] need: missing (required)"},
            // issue 9: n * unit overflowed before the range check (UB); this
            // one wrapped to 128 s and was accepted as "every = 128s"
            {__LINE__, "[alpha]\nevery = 94368760191893771d\n",
             "t.conf:2: [alpha] every: not a duration (e.g. 30s, 5m, 24h, 7d) (got '94368760191893771d')"},
            {__LINE__, "[alpha]\nevery = 999999999999999999d\n",
             "t.conf:2: [alpha] every: not a duration (e.g. 30s, 5m, 24h, 7d) (got '999999999999999999d')"},
            {__LINE__, "[alpha]\nevery = 2562047788015216h\n",
             "t.conf:2: [alpha] every: not a duration (e.g. 30s, 5m, 24h, 7d) (got '2562047788015216h')"},
            {__LINE__, "[alpha]\nevery = 153722867280912931m\n",
             "t.conf:2: [alpha] every: not a duration (e.g. 30s, 5m, 24h, 7d) (got '153722867280912931m')"},
            {__LINE__, "[alpha]\nevery = 999999999999999999s\n",
             "t.conf:2: [alpha] every: out of range 60s-86400s (got '999999999999999999s')"},
            // issue 12 section 2: keys the loader read as another key
            {__LINE__, "[alpha]\ncount ;note = 3\n",
             "t.conf:2: [alpha] count ;note: a key may contain only letters, digits and '-' (got '3')"},
            {__LINE__, "[alpha]\ncount\v= 3\n",
             "t.conf:2: [alpha] count\\x0b: a key may contain only letters, digits and '-' (got '3')"},
            {__LINE__, "[alpha]\ncount\f = 3\n",
             "t.conf:2: [alpha] count\\x0c: a key may contain only letters, digits and '-' (got '3')"},
            {__LINE__, "[alpha]\ncount #x = 3\n",
             "t.conf:2: [alpha] count #x: a key may contain only letters, digits and '-' (got '3')"},
            {__LINE__, "[alpha]\nco_unt = 3\n",
             "t.conf:2: [alpha] co_unt: a key may contain only letters, digits and '-' (got '3')"},
            {__LINE__, "[alpha]\nco.unt = 3\n",
             "t.conf:2: [alpha] co.unt: a key may contain only letters, digits and '-' (got '3')"},
            // issue 12 section 1: control bytes in any value
            {__LINE__, "[alpha]\nnet = 172.16.0.0" + std::string(1, '\0') + "junk/16\n",
             "t.conf:2: [alpha] net: contains a control character (byte 0x00) (got '172.16.0.0\\x00junk/16')"},
            {__LINE__, "[alpha]\ntext = a\rb\n",
             "t.conf:2: [alpha] text: contains a control character (byte 0x0d) (got 'a\\x0db')"},
            {__LINE__, "[alpha]\ntext = \x1b[2Jx\n",
             "t.conf:2: [alpha] text: contains a control character (byte 0x1b) (got '\\x1b[2Jx')"},
            {__LINE__, "[alpha]\ntext = a\x7f\n",
             "t.conf:2: [alpha] text: contains a control character (byte 0x7f) (got 'a\\x7f')"},
            {__LINE__, "[alpha]\ntext = a\vb\n",
             "t.conf:2: [alpha] text: contains a control character (byte 0x0b) (got 'a\\x0bb')"},
            // a diagnostic is printable ASCII: DEL and bytes >= 0x80 of any part escaped (fuzz/config)
            {__LINE__, "[fi\x7f\xffrewall]\n", "t.conf:1: [fi\\x7f\\xffrewall]: "},
            {__LINE__, "[alpha]\ncount\xc2\x9b = 3\n",
             "t.conf:2: [alpha] count\\xc2\\x9b: a key may contain only letters, digits and '-' (got '3')"},
            {__LINE__, "[alpha]\ncount = 3\xff\n", "t.conf:2: [alpha] count: "},
            {__LINE__, "[alpha]\nnet = 10.0.0.0/8\t172.16.0.0/12\n", ""},  // a tab separates list items
            {__LINE__, "[alpha]\ntext = crlf file\r\n", ""},
            {__LINE__, "[beta \"bad name\"]\nneed=1\n",
             "t.conf:1: [beta \"bad name\"]: section name must be 1-64 letters, digits, '-', '_' or '.' (got 'bad "
             "name')"},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            auto r = parse(row.text);
            if (row.expect.empty()) {
                // a valid network that is not what the user meant is not
                // the loader's business; the firewall's tests cover 172.16/12
                CHECK(r.ok());
                continue;
            }
            REQUIRE(r.diags.size() == 1);
            std::string got = r.diags[0].str();
            CHECK(std::all_of(got.begin(), got.end(), [](char c) { return c >= 0x20 && c < 0x7f; }));
            std::string want = row.expect;
            if (!want.empty() && want.back() == ' ') {  // prefix match
                want.pop_back();
                CHECK(got.rfind(want, 0) == 0);
            } else {
                CHECK(got == want);
            }
        }
    }

    TEST_CASE("all problems are reported, not only the first")
    {
        auto r = parse("[alpha]\ncount = 0\nflag = maybe\nbogus = 1\n[gamma]\nx = 1\n");
        CHECK(r.diags.size() == 4);
    }

    TEST_CASE("values are verbatim: long values, ';' and '#' inside")
    {
        std::string longv(600, 'x');
        auto r = parse("[alpha]\ntext = " + longv + "\n");
        CHECK(r.ok());
        CHECK(r.doc.sections[0].get("text")->value == longv);
        r = parse("[alpha]\ntext = https://example.invalid/?a=1;b=2 # not a comment\n");
        CHECK(r.doc.sections[0].get("text")->value == "https://example.invalid/?a=1;b=2 # not a comment");
        r = parse("[alpha]\n    text = indented\n");
        CHECK(r.doc.sections[0].get("text")->value == "indented");
    }

    TEST_CASE("repeatable keys keep every value in order")
    {
        auto r = parse("[alpha]\nallow = a\nallow = b\n");
        CHECK(r.ok());
        auto all = r.doc.sections[0].get_all("allow");
        REQUIRE(all.size() == 2);
        CHECK(all[1]->value == "b");
    }

    TEST_CASE("drop-ins are read in lexical order and override the main file")
    {
        std::filesystem::create_directories("pk.d");
        test::write_file("pk.conf", "[alpha]\ncount = 1\nmode = fast\n");
        test::write_file("pk.d/20-b.conf", "[alpha]\ncount = 3\n");
        test::write_file("pk.d/10-a.conf", "[alpha]\ncount = 2\n[beta \"x\"]\nneed = y\n");
        test::write_file("pk.d/ignored.txt", "[nonsense]\n");
        auto r = load("pk.conf", true, test_schema());
        CHECK(r.ok());
        REQUIRE(r.doc.files.size() == 3);
        CHECK(r.doc.files[1] == "pk.d/10-a.conf");
        CHECK(r.doc.first("alpha")->get("count")->value == "3");
        CHECK(r.doc.first("alpha")->get("count")->file == "pk.d/20-b.conf");
        CHECK(r.doc.first("alpha")->get("mode")->value == "fast");
    }

    TEST_CASE("a diagnostic in a drop-in names the drop-in")
    {
        std::filesystem::create_directories("dd.d");
        test::write_file("dd.conf", "[alpha]\ncount = 1\n");
        test::write_file("dd.d/50-x.conf", "\n\n[alpha]\ncount = 99\n");
        auto r = load("dd.conf", true, test_schema());
        CHECK(only_diag(r) == "dd.d/50-x.conf:4: [alpha] count: out of range 1-10 (got '99')");
    }

    TEST_CASE("a missing default file is empty, a missing explicit file is an error")
    {
        CHECK(load("absent.conf", false, test_schema()).ok());
        auto r = load("absent.conf", true, test_schema());
        CHECK(only_diag(r) == "absent.conf:0: cannot read: No such file or directory");
    }

    TEST_CASE("a file that cannot be read, or is larger than 1 MiB, is an error, never an empty or short file")
    {
        // /proc/self/mem: a regular file whose read() at offset 0 fails with EIO
        CHECK(only_diag(load("/proc/self/mem", true, test_schema())) ==
              "/proc/self/mem:0: cannot read: Input/output error");
        test::write_file("big.conf", "[alpha]\n" + std::string(1 << 20, '#') + "\n");
        CHECK(only_diag(load("big.conf", true, test_schema())) == "big.conf:0: cannot read: File too large");
    }

    TEST_CASE("as root, files others could have written are refused, with file:line (issue 9)")
    {
        if (geteuid() != 0)
            return;  // the owner changes below need root
        std::string cwd = std::filesystem::current_path();
        trust::Policy root_only;  // what the plugins and pppkit use as root
        std::filesystem::create_directories("tr");
        test::write_file("tr/gw.conf", "[alpha]\ncount = 1\n");
        chmod("tr/gw.conf", 0664);
        CHECK(only_diag(load("tr/gw.conf", true, test_schema(), root_only)) ==
              "tr/gw.conf:0: file " + cwd +
                  "/tr/gw.conf is writable by group or others (mode 0664), so it cannot be "
                  "trusted; fix: chmod go-w " +
                  cwd + "/tr/gw.conf");
        // a drop-in directory someone else owns: none of its files is read
        test::write_file("tr/dd.conf", "[alpha]\ncount = 1\n");
        std::filesystem::create_directories("tr/dd.d");
        test::write_file("tr/dd.d/10-x.conf", "[alpha]\ncount = 2\n");
        REQUIRE(chown("tr/dd.d", 65534, 65534) == 0);
        auto r = load("tr/dd.conf", true, test_schema(), root_only);
        CHECK(only_diag(r) == "tr/dd.d:0: directory " + cwd +
                                  "/tr/dd.d is owned by uid 65534, not root, so it cannot "
                                  "be trusted; fix: chown root " +
                                  cwd + "/tr/dd.d");
        CHECK(r.doc.first("alpha")->get("count")->value == "1");
        // a drop-in planted as a symbolic link by someone else
        std::filesystem::create_directories("tr/ln.d");
        test::write_file("tr/ln.conf", "[alpha]\ncount = 1\n");
        test::write_file("tr/real.conf", "[alpha]\ncount = 2\n");
        REQUIRE(symlink((cwd + "/tr/real.conf").c_str(), "tr/ln.d/10-x.conf") == 0);
        REQUIRE(lchown("tr/ln.d/10-x.conf", 65534, 65534) == 0);
        CHECK(only_diag(load("tr/ln.conf", true, test_schema(), root_only)) ==
              "tr/ln.d/10-x.conf:0: " + cwd +
                  "/tr/ln.d/10-x.conf is a symbolic link owned by uid 65534, not root; "
                  "not followed");
        // referenced files: at the line of the key that names them
        test::write_file("tr/secrets", "x = 1\n");
        chmod("tr/secrets", 0600);
        REQUIRE(chown("tr/secrets", 65534, 65534) == 0);
        std::filesystem::create_directories("tr/state");
        chmod("tr/state", 0777);
        test::write_file("tr/ref.conf",
                         "[pppkit]\nsecrets-file = " + cwd + "/tr/secrets\nstate-dir = " + cwd + "/tr/state\n");
        r = load_config("tr/ref.conf", true, root_only);
        REQUIRE(r.diags.size() == 2);
        CHECK(r.diags[0].str().rfind("tr/ref.conf:2: [pppkit] secrets-file: file " + cwd +
                                         "/tr/secrets is owned by uid 65534, not root",
                                     0) == 0);
        CHECK(r.diags[1].str().rfind("tr/ref.conf:3: [pppkit] state-dir: directory " + cwd +
                                         "/tr/state is writable by group or others (mode 0777)",
                                     0) == 0);
        // a missing state directory is created later, not refused now
        test::write_file("tr/ok.conf", "[pppkit]\nstate-dir = " + cwd + "/tr/absent\n");
        CHECK(load_config("tr/ok.conf", true, root_only).ok());
    }

    TEST_CASE("a value is parsed once, at load: each entry keeps its typed value")
    {
        using std::chrono::seconds;
        struct Row {
            int line;
            std::string text;  // one key of [alpha]
            std::optional<long long> integer;
            std::optional<bool> boolean;
            std::optional<seconds> secs;
        };
        const std::vector<Row> rows = {
            {__LINE__, "count = 1", 1, {}, {}},  // Int at its bounds (1-10)
            {__LINE__, "count = 10", 10, {}, {}},
            {__LINE__, "count = 0", {}, {}, {}},  // refused: nothing to read, not a 0
            {__LINE__, "count = 11", {}, {}, {}},
            {__LINE__, "flag = yes", {}, true, {}},
            {__LINE__, "flag = off", {}, false, {}},
            {__LINE__, "flag = 0", {}, false, {}},          // a Bool "0" is false, not the integer 0
            {__LINE__, "flag = maybe", {}, {}, {}},         // refused: not a false
            {__LINE__, "every = 60", {}, {}, seconds(60)},  // Duration at its bounds (60-86400)
            {__LINE__, "every = 1d", {}, {}, seconds(86400)},
            {__LINE__, "every = 59s", {}, {}, {}},
            {__LINE__, "every = 2d", {}, {}, {}},
            {__LINE__, "port = 1", 1, {}, {}},  // a Port is an integer
            {__LINE__, "port = 65535", 65535, {}, {}},
            {__LINE__, "port = 65536", {}, {}, {}},
            {__LINE__, "text = 5", {}, {}, {}},  // a String is text, even when it reads as a number
            {__LINE__, "mode = fast", {}, {}, {}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto res = parse("[alpha]\n" + r.text + "\n");
            const Entry* e = res.doc.sections.at(0).get(r.text.substr(0, r.text.find(' ')));
            REQUIRE(e != nullptr);
            CHECK(res.ok() == (e->integer() || e->boolean() || e->seconds() || r.text.rfind("text", 0) == 0 ||
                               r.text.rfind("mode", 0) == 0));
            CHECK(e->integer() == r.integer);
            CHECK(e->boolean() == r.boolean);
            CHECK(e->seconds() == r.secs);
        }
        // the text stays verbatim, and the other types keep it as the parsed value
        auto res = parse("[alpha]\nmode = fast\nnet = 10.0.0.0/8, 192.168.0.0/16\n");
        REQUIRE(res.ok());
        CHECK(res.doc.sections[0].get("mode")->parsed == Value{EnumValue{&enum_tag<Mode>, 0}});
        CHECK(res.doc.sections[0].get("net")->parsed ==
              Value{std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16"}});
    }

    TEST_CASE("a key with its own parser keeps that parser's value; a list key keeps its items (issue 10)")
    {
        using K = ProbeTarget::Kind;
        struct Row {
            int line;
            std::string conf;  // one section, one key
            std::string key;
            Value want;  // monostate: refused at load, nothing to read
        };
        const std::vector<Row> rows = {
            {__LINE__, "[firewall]\nwan-ping-rate = 3/hour\n", "wan-ping-rate", Rate{3, "hour"}},
            {__LINE__, "[firewall]\nlog-rate = 0/second\n", "log-rate", {}},
            {__LINE__, "[firewall]\nrouter-services = ssh, udp/5000-5001\n", "router-services",
             std::vector<Service>{{Proto::Tcp, {22, 22}}, {Proto::Udp, {5000, 5001}}}},
            {__LINE__, "[firewall]\nwan-services = none\n", "wan-services", std::vector<Service>{}},
            {__LINE__, "[firewall]\nwan-services = tcp/0\n", "wan-services", {}},
            {__LINE__, "[forward \"w\"]\nport = 443, 8000-8010\n", "port",
             std::vector<PortRange>{{443, 443}, {8000, 8010}}},
            {__LINE__, "[forward \"w\"]\nport = 80, 70-90\n", "port", {}},  // overlapping
            {__LINE__, "[forward \"w\"]\nto = 172.16.1.100:8443\n", "to", HostPort{"172.16.1.100", 8443}},
            {__LINE__, "[forward \"w\"]\nto = 172.16.1.100\n", "to", HostPort{"172.16.1.100", std::nullopt}},
            {__LINE__, "[forward \"w\"]\nto = 2001:db8::1\n", "to", {}},
            {__LINE__, "[forward \"w\"]\nto = 172.16.1.100:0\n", "to", {}},
            {__LINE__, "[mss]\nmss = 1400\n", "mss", Mss{MssMode::Fixed, 1400}},
            {__LINE__, "[mss]\nmss = pmtu\n", "mss", Mss{MssMode::Pmtu, 0}},
            {__LINE__, "[mss]\nmss = 535\n", "mss", {}},
            {__LINE__, "[link \"dsl\"]\nprobe = icmp 192.0.2.1, tcp [2001:db8::1]:443\n", "probe",
             std::vector<ProbeTarget>{{K::Icmp, AF_INET, "192.0.2.1", 0}, {K::Tcp, AF_INET6, "2001:db8::1", 443}}},
            {__LINE__, "[link \"dsl\"]\nprobe = udp 192.0.2.1\n", "probe", {}},
            // a list with its own parser: every item checked, then the whole list parsed once
            {__LINE__, "[pppkitd]\nstatus-listen = 192.168.1.1, [fd00::1]:9000\n", "status-listen",
             std::vector<HostPort>{{"192.168.1.1", 939}, {"fd00::1", 9000}}},
            {__LINE__, "[pppkitd]\nstatus-listen = 192.168.1.1, 0.0.0.0\n", "status-listen", {}},
            {__LINE__, "[firewall]\nwan = ppp*, wwan0\n", "wan", std::vector<std::string>{"ppp*", "wwan0"}},
            {__LINE__, "[firewall]\nwan = ppp*, a\"b\n", "wan", {}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto res = parse_text(r.conf, "t.conf", schema());
            const Entry* e = res.doc.sections.at(0).get(r.key);
            REQUIRE(e != nullptr);
            CHECK(e->parsed == r.want);
            const bool refused = std::holds_alternative<std::monostate>(r.want);
            CHECK(std::any_of(res.diags.begin(), res.diags.end(),
                              [&](const Diagnostic& d) { return d.key == r.key; }) == refused);
            CHECK((e->list() != nullptr) == std::holds_alternative<std::vector<std::string>>(r.want));
        }
    }

    TEST_CASE("an entry no schema checked reads as nothing, never as 0 or false")
    {
        // [gamma] is foreign: accepted as it is, its values not parsed here
        const std::vector<SectionSpec> with_foreign = {
            {"alpha", SectionSpec::Naming::None, {{.key = "count", .type = Type::Int}}},
            {.type = "gamma", .foreign = true},
        };
        auto r = parse_text("[alpha]\ncount = 0\n[gamma]\ncount = 7\nflag = yes\n", "t.conf", with_foreign);
        REQUIRE(r.ok());
        CHECK(r.doc.sections[0].get("count")->integer() == 0LL);
        const Section& g = r.doc.sections[1];
        CHECK(std::holds_alternative<std::monostate>(g.get("count")->parsed));
        CHECK_FALSE(g.get("count")->integer());
        CHECK_FALSE(g.get("flag")->boolean());
        // an unknown section: reported, and not parsed either
        r = parse_text("[delta]\ncount = 7\n", "t.conf", with_foreign);
        CHECK_FALSE(r.ok());
        CHECK_FALSE(r.doc.sections[0].get("count")->integer());
    }

    TEST_CASE("an enum key parses once, by its table, to the core's enum (issue 10)")
    {
        struct Row {
            int line;
            std::string text;
            std::optional<Mode> mode;  // as<Mode>()
            std::string diag;          // the loader's, or empty
        };
        const std::vector<Row> rows = {
            {__LINE__, "mode = fast", Mode::Fast, ""},
            {__LINE__, "mode = slow", Mode::Slow, ""},
            {__LINE__, "mode = Slow", {}, "t.conf:2: [alpha] mode: expected one of fast,slow (got 'Slow')"},
            {__LINE__, "mode = fast,slow", {}, "t.conf:2: [alpha] mode: expected one of fast,slow (got 'fast,slow')"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto res = parse("[alpha]\n" + r.text + "\n");
            const Entry* e = res.doc.sections.at(0).get("mode");
            REQUIRE(e != nullptr);
            CHECK(e->as<Mode>() == r.mode);
            CHECK_FALSE(e->as<Other>().has_value());  // another enum's reader gets nothing, not a 0
            CHECK(res.diags.size() == (r.diag.empty() ? 0U : 1U));
            if (!res.diags.empty())
                CHECK(res.diags[0].str() == r.diag);
        }
        // an entry no schema parsed has no enum value, whatever its text
        Entry raw{.key = "mode", .value = "slow"};
        CHECK_FALSE(raw.as<Mode>().has_value());
        CHECK(kModeChoices.name(Mode::Slow) == "slow");
        CHECK(kModeChoices.joined('|') == "fast|slow");
    }

    TEST_CASE("every enum key of the schema has a table, and each of its names parses to its value")
    {
        for (const auto& sec : schema())
            for (const auto& ks : sec.keys) {
                if (ks.type != Type::Enum)
                    continue;
                CAPTURE(sec.type);
                CAPTURE(ks.key);
                REQUIRE(ks.choices != nullptr);
                CHECK_FALSE(ks.choices->names.empty());
                for (const Choice& c : ks.choices->names) {
                    auto r = check_value(ks, c.name);
                    REQUIRE(std::holds_alternative<Value>(r));
                    CHECK(std::get<Value>(r) == Value{EnumValue{ks.choices->type, c.value}});
                    CHECK(ks.choices->name(c.value) == c.name);  // one name per value
                }
            }
    }

    TEST_CASE("check_value: the problem, or the typed value")
    {
        const KeySpec every{.key = "every", .type = Type::Duration, .min = 1, .max = 3600};
        CHECK(std::get<Value>(check_value(every, "5m")) == Value{std::chrono::seconds(300)});
        CHECK(std::get<Problem>(check_value(every, "2h")).what == "out of range 1s-3600s");
        const KeySpec ports{.key = "p", .type = Type::Port, .list = true};
        CHECK(std::get<Value>(check_value(ports, "80 443")) == Value{std::vector<std::string>{"80", "443"}});
        CHECK(std::get<Problem>(check_value(ports, "80, 0")).what == "'0': not a port number (1-65535)");
        CHECK(std::get<Problem>(check_value(ports, " ")).what == "empty list");
    }

    TEST_CASE("every documented default passes its own key's check (the cores read it with the same parser)")
    {
        for (const auto& sec : schema())
            for (const auto& ks : sec.keys) {
                if (ks.def.empty())
                    continue;
                CAPTURE(sec.type);
                CAPTURE(ks.key);
                CAPTURE(ks.def);
                auto r = check_value(ks, ks.def);
                CHECK(std::holds_alternative<Value>(r));
                if (std::holds_alternative<Value>(r))
                    CHECK(documented_default(sec, ks.key) == std::get<Value>(r));
            }
        CHECK(std::holds_alternative<std::monostate>(documented_default(test_schema()[0], "count")));  // no def
        CHECK(std::holds_alternative<std::monostate>(documented_default(test_schema()[0], "nope")));
    }

    TEST_CASE("dropin_dir")
    {
        CHECK(dropin_dir("/etc/ppp/pppkit.conf") == "/etc/ppp/pppkit.d");
        CHECK(dropin_dir("/x/lab") == "/x/lab.d");
    }

    TEST_CASE("the real schema accepts the shipped example")
    {
        auto r = parse_text("[pppkit]\nsecrets-file = /etc/ppp/pppkit-secrets\n[mss]\nmss = auto\nipv6 = no\n",
                            "x.conf", schema());
        CHECK(r.ok());
        r = parse_text("[mss]\nmss = 100\n", "x.conf", schema());
        CHECK(only_diag(r) == "x.conf:2: [mss] mss: MSS must be 536-65495 (got '100')");
        // issue 12's inputs, with the real schema: both were "OK"
        r = parse_text("[mss]\nmss ;note = 1400\n", "x.conf", schema());
        CHECK(only_diag(r) == "x.conf:2: [mss] mss ;note: a key may contain only letters, digits and '-' (got '1400')");
        r = parse_text("[firewall]\nwan\v= ppp0\n", "x.conf", schema());
        CHECK(only_diag(r) == "x.conf:2: [firewall] wan\\x0b: a key may contain only letters, digits and '-' (got "
                              "'ppp0')");
        r = parse_text("[firewall]\nlan-networks = 172.16.0.0" + std::string(1, '\0') + "junk/16\n", "x.conf",
                       schema());
        CHECK(only_diag(r) == "x.conf:2: [firewall] lan-networks: contains a control character (byte 0x00) (got "
                              "'172.16.0.0\\x00junk/16')");
    }
}

TEST_SUITE("secrets")
{
    TEST_CASE("a configuration file that is the secrets file is refused, none of it shown (review B F4)")
    {
        // Its "name = value" lines are keys outside a section, or unknown
        // keys: each problem quoted the value, "(got 'TokenValue123')".
        const std::string cwd = std::filesystem::current_path();
        std::filesystem::create_directories("f4/pk.d");
        struct Row {
            int line;
            std::string main;     // the main file's text
            std::string dropin;   // f4/pk.d/10-s.conf's text, "" for none
            std::string refused;  // the file refused
        };
        const std::string self = "[pppkit]\nsecrets-file = " + cwd + "/f4/pk.conf\ncf = TokenValue123\n";
        const std::vector<Row> rows = {
            // pppkit --config SECRETS check: the secrets file names no other
            {__LINE__, self, "", "f4/pk.conf"},
            // a drop-in that secrets-file names
            {__LINE__, "[pppkit]\nsecrets-file = " + cwd + "/f4/pk.d/10-s.conf\n", "cf = TokenValue123\n",
             "f4/pk.d/10-s.conf"},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            std::filesystem::remove("f4/pk.d/10-s.conf");
            test::write_file("f4/pk.conf", row.main);
            chmod("f4/pk.conf", 0600);
            if (!row.dropin.empty()) {
                test::write_file("f4/pk.d/10-s.conf", row.dropin);
                chmod("f4/pk.d/10-s.conf", 0600);
            }
            const std::string secrets = cwd + "/" + row.refused;
            for (const auto& r : {load_config("f4/pk.conf", true), load_plugin_config("f4/pk.conf", true, nullptr)}) {
                REQUIRE(r.diags.size() == 1);
                CHECK(r.diags[0].str() == row.refused + ":0: this is the secrets file (" + secrets +
                                              "), not a configuration file: refused, nothing of it shown");
                CHECK(r.unread);
                CHECK(r.doc.sections.empty());
            }
        }
        // a configuration that names another secrets file is read as before
        test::write_file("f4/other", "cf = TokenValue123\n");
        test::write_file("f4/pk.conf", "[pppkit]\nsecrets-file = " + cwd + "/f4/other\n");
        std::filesystem::remove("f4/pk.d/10-s.conf");
        CHECK(load_config("f4/pk.conf", true).ok());
    }

    TEST_CASE("a root-owned 0600 file loads; values are found by name")
    {
        test::write_file("s1", "# pppkit secrets\nmydns = pa ss;word\nother=x\n");
        chmod("s1", 0600);
        auto r = secrets::load("s1", getuid());
        REQUIRE(std::holds_alternative<secrets::Secrets>(r));
        const auto& s = std::get<secrets::Secrets>(r);
        CHECK(*s.get("mydns") == "pa ss;word");
        CHECK(s.get("nope") == nullptr);
    }

    TEST_CASE("group- or world-readable files are refused with the fix, and no value")
    {
        for (mode_t m : {0640, 0604, 0660, 0666}) {
            CAPTURE(m);
            test::write_file("s2", "mydns = hunter2\n");
            chmod("s2", m);
            auto r = secrets::load("s2", getuid());
            REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
            auto d = std::get<std::vector<Diagnostic>>(r)[0].str();
            CHECK(d.find("chmod 600 s2") != std::string::npos);
            CHECK(d.find("hunter2") == std::string::npos);
        }
    }

    TEST_CASE("a file owned by someone else is refused")
    {
        test::write_file("s3", "mydns = hunter2\n");
        chmod("s3", 0600);
        auto r = secrets::load("s3", getuid() + 1);
        REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
        CHECK(std::get<std::vector<Diagnostic>>(r)[0].str().find("must be owned by root") != std::string::npos);
    }

    TEST_CASE("bad lines are reported by line, without the value")
    {
        test::write_file("s4", "ok = 1\nno equals hunter2\nok = 2\n");
        chmod("s4", 0600);
        auto r = secrets::load("s4", getuid());
        REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
        const auto& d = std::get<std::vector<Diagnostic>>(r);
        REQUIRE(d.size() == 2);
        CHECK(d[0].str() == "s4:2: expected 'name = value' (value not shown)");
        CHECK(d[1].str() == "s4:3: secret 'ok' is defined twice");
        for (const auto& x : d)
            CHECK(x.str().find("hunter2") == std::string::npos);
    }

    TEST_CASE("a line whose name is not valid is refused by line, none of it printed (review B F2)")
    {
        // the text before the first '=' of another format is mostly the secret
        struct Row {
            int line;
            std::string text;    // the whole line
            std::string secret;  // what must not appear
        };
        const std::vector<Row> rows = {
            {__LINE__, "cf SuperSecretTokenValue12345==", "SuperSecret"},
            {__LINE__, "cf: s3cr3t-P4ss=word", "s3cr3t"},
            {__LINE__, "\"dsluser@isp\" * \"MyPpp=Passw0rd\" *", "MyPpp"},
            {__LINE__, "token\x01Leak = v", "Leak"},
            {__LINE__, "= nameless", "nameless"},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            test::write_file("s7", "ok = 1\n" + row.text + "\n");
            chmod("s7", 0600);
            auto r = secrets::load("s7", getuid());
            REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
            const auto& d = std::get<std::vector<Diagnostic>>(r);
            REQUIRE(d.size() == 1);
            CHECK(d[0].str() == "s7:2: bad secret name, line not shown (expected 'name = value', the name of letters, "
                                "digits, '-', '_', '.')");
            CHECK(d[0].str().find(row.secret) == std::string::npos);
        }
    }

    TEST_CASE("control bytes in a secret are refused by line and name, never printed (issue 12)")
    {
        struct Row {
            int line;
            std::string value;
        };
        const std::vector<Row> rows = {
            {__LINE__, "tok\rX-Injected: 1"},  // CR alone: the LF would end the line
            {__LINE__, std::string("hunter") + '\0' + "2"},
            {__LINE__, "a\x1b[2Jb"},
            {__LINE__, "a\vb"},
            {__LINE__, "a\tb"},
            {__LINE__, "a\x7f"},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            test::write_file("s5", "ok = 1\ntoken = " + row.value + "\n");
            chmod("s5", 0600);
            auto r = secrets::load("s5", getuid());
            REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
            const auto& d = std::get<std::vector<Diagnostic>>(r);
            REQUIRE(d.size() == 1);
            CHECK(d[0].str() ==
                  "s5:2: secret 'token' contains a control character (CR, LF, NUL, ...); value not shown");
        }
        // a CR LF in the middle makes two lines: the second is refused too
        test::write_file("s5", "token = tok\r\nX-Injected: 1\n");
        chmod("s5", 0600);
        auto r = secrets::load("s5", getuid());
        REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
        CHECK(std::get<std::vector<Diagnostic>>(r)[0].str().rfind("s5:2: ", 0) == 0);
    }

    TEST_CASE("a missing file is an error")
    {
        auto r = secrets::load("absent", getuid());
        REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
    }

    TEST_CASE("a file that cannot be read, or is too large, is an error, never an empty or short file")
    {
        // /proc/self/mem: a regular 0600 file of this user whose read() at
        // offset 0 fails with EIO
        auto r = secrets::load("/proc/self/mem", geteuid());
        REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
        CHECK(std::get<std::vector<Diagnostic>>(r)[0].str() ==
              "/proc/self/mem:0: cannot read secrets file: Input/output error");

        test::write_file("s6", "token = " + std::string(1000, 'a') + "\n" + std::string(70000, '#') + "\n");
        chmod("s6", 0600);
        r = secrets::load("s6", getuid());
        REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(r));
        CHECK(std::get<std::vector<Diagnostic>>(r)[0].str() == "s6:0: secrets file is larger than 64 KiB");
    }
}
