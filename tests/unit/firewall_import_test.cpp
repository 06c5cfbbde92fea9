// Unit tests of the iptables import core (plugins/firewall/cli/core/import.cpp):
// shell words, statement decoding, the mapping of the user's script
// (tests/firewall/seed-iptables.sh) and of an iptables-save file with
// leftovers (tests/firewall/extra-rules.save), the extras rendering from
// recorded translator output, and that the INI it writes passes the real
// schema and firewall::from_config.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "common/config.hpp"
#include "common/schema.hpp"
#include "firewall/cli/core/import.hpp"
#include "firewall/core/firewall.hpp"

using namespace pppkit;
namespace imp = pppkit::firewall::import;

namespace {

// The fixtures live in tests/firewall/. The unit tests run in a temporary
// directory, so the tree is found from $PPPKIT_TOP or by walking up from
// $PWD (the directory unit-tests was started from: the repo or a build dir in it).
std::string fixture(const std::string& name)
{
    std::vector<std::filesystem::path> starts;
    if (const char* top = std::getenv("PPPKIT_TOP"))
        starts.emplace_back(top);
    if (const char* pwd = std::getenv("PWD"))
        starts.emplace_back(pwd);
    for (auto dir : starts)
        for (int up = 0; up < 6 && !dir.empty(); ++up, dir = dir.parent_path()) {
            auto p = dir / "tests" / "firewall" / name;
            if (std::filesystem::exists(p)) {
                std::ifstream f(p);
                std::stringstream ss;
                ss << f.rdbuf();
                return ss.str();
            }
            if (dir == dir.parent_path())
                break;
        }
    FAIL("fixture tests/firewall/" << name << " not found from $PPPKIT_TOP or $PWD");
    return {};
}

const imp::Note* note_at(const std::vector<imp::Note>& notes, int line)
{
    for (const auto& n : notes)
        if (n.line == line)
            return &n;
    return nullptr;
}

bool contains(const std::vector<std::string>& v, const std::string& x)
{
    return std::find(v.begin(), v.end(), x) != v.end();
}

int line_of(const std::string& text, const std::string& needle)
{
    std::istringstream in(text);
    std::string l;
    for (int n = 1; std::getline(in, l); ++n)
        if (l.find(needle) != std::string::npos)
            return n;
    return 0;
}

}  // namespace

TEST_SUITE("firewall_import")
{
    TEST_CASE("shell words: quotes, variables, comments")
    {
        const std::vector<imp::Var> vars = {{"nic", "ppp0"}, {"any", "0.0.0.0/0"}, {"two", "a b"}};
        struct Row {
            int line;
            std::string in;
            std::vector<std::string> want;
            std::string error;  // non-empty: expected failure
        };
        const std::vector<Row> rows = {
            {__LINE__,
             "iptables -A INPUT -i $nic -j ACCEPT",
             {"iptables", "-A", "INPUT", "-i", "ppp0", "-j", "ACCEPT"},
             ""},
            {__LINE__, "x ${nic}:1 \"$any\" '$nic'", {"x", "ppp0:1", "0.0.0.0/0", "$nic"}, ""},
            {__LINE__,
             "--log-prefix \"[IPT BLOCK I] \" -m limit",
             {"--log-prefix", "[IPT BLOCK I] ", "-m", "limit"},
             ""},
            {__LINE__, "a # a comment $unset", {"a"}, ""},
            {__LINE__, "a#b", {"a#b"}, ""},
            {__LINE__, "x $two", {"x", "a", "b"}, ""},   // unquoted: split
            {__LINE__, "x \"$two\"", {"x", "a b"}, ""},  // quoted: one word
            {__LINE__, "x \\\"y", {"x", "\"y"}, ""},
            {__LINE__, "x $", {"x", "$"}, ""},
            {__LINE__, "x $nope", {}, "unset variable $nope"},
            {__LINE__, "x 'open", {}, "unterminated single quote"},
            {__LINE__, "x \"open", {}, "unterminated double quote"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            std::string err;
            auto w = imp::shell_words(r.in, vars, err);
            if (r.error.empty()) {
                REQUIRE(w);
                CHECK(*w == r.want);
            } else {
                CHECK_FALSE(w);
                CHECK(err == r.error);
            }
        }
    }

    TEST_CASE("statements are decoded, with iptables spellings normalised")
    {
        struct Row {
            int line;
            std::string cmd;
            imp::Op op;
            std::string table, chain, proto, target;
            std::vector<std::string> dports;
            std::string extra;  // one more field to check, "name=value"
        };
        const std::vector<Row> rows = {
            {__LINE__,
             "iptables -t nat -A PREROUTING -p tcp -i ppp0 --dport 443 -j DNAT --to-destination 10.1.1.1:443",
             imp::Op::Append,
             "nat",
             "PREROUTING",
             "tcp",
             "DNAT",
             {"443"},
             "to=10.1.1.1:443"},
            {__LINE__,
             "iptables -A FORWARD -p udp -m multiport --dports 135,137:139,445 -j DROP",
             imp::Op::Append,
             "filter",
             "FORWARD",
             "udp",
             "DROP",
             {"135", "137-139", "445"},
             ""},
            {__LINE__,
             "iptables -I INPUT 3 -p TCP --dport 1000: -j ACCEPT",
             imp::Op::Insert,
             "filter",
             "INPUT",
             "tcp",
             "ACCEPT",
             {"1000-65535"},
             ""},
            {__LINE__, "iptables -P INPUT drop", imp::Op::Policy, "filter", "INPUT", "", "", {}, "policy=DROP"},
            {__LINE__, "iptables -N LOGGING_I", imp::Op::NewChain, "filter", "LOGGING_I", "", "", {}, ""},
            {__LINE__, "iptables -t nat -F", imp::Op::Flush, "nat", "", "", "", {}, ""},
            {__LINE__,
             "iptables -A INPUT -m state --state ESTABLISHED,related -j ACCEPT",
             imp::Op::Append,
             "filter",
             "INPUT",
             "",
             "ACCEPT",
             {},
             "states=ESTABLISHED,RELATED"},
            {__LINE__,
             "iptables -A L -j LOG --log-level warning --log-prefix \"[X] \" -m limit",
             imp::Op::Append,
             "filter",
             "L",
             "",
             "LOG",
             {},
             "limit=3/hour"},
            {__LINE__,
             "iptables -A INPUT -p tcp ! --dport 22 -j DROP",
             imp::Op::Append,
             "filter",
             "INPUT",
             "tcp",
             "DROP",
             {"22"},
             "unknown=!"},
            {__LINE__,
             "iptables -A INPUT -m recent --set -j DROP",
             imp::Op::Append,
             "filter",
             "INPUT",
             "",
             "DROP",
             {},
             "unknown=-m recent"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto p = imp::parse(r.cmd + "\n");
            REQUIRE(p.rules.size() == 1);
            const auto& x = p.rules[0];
            CHECK(x.op == r.op);
            CHECK(x.table == r.table);
            CHECK(x.chain == r.chain);
            CHECK(x.proto == r.proto);
            CHECK(x.target == r.target);
            CHECK(x.dports == r.dports);
            if (r.extra == "to=10.1.1.1:443")
                CHECK(x.to_destination == "10.1.1.1:443");
            if (r.extra == "policy=DROP")
                CHECK(x.policy == "DROP");
            if (r.extra == "states=ESTABLISHED,RELATED")
                CHECK(x.states == std::vector<std::string>{"ESTABLISHED", "RELATED"});
            if (r.extra == "limit=3/hour") {
                CHECK(x.limit);
                CHECK(x.limit_rate.empty());
                CHECK(x.log_prefix == "[X] ");
                CHECK(x.log_level == "warning");
            }
            if (r.extra.starts_with("unknown="))
                CHECK(contains(x.unknown, r.extra.substr(8)));
        }
    }

    TEST_CASE("format detection and line numbers")
    {
        auto s = imp::parse("#!/bin/sh\nreadonly wan='ppp0'\n\niptables -A INPUT -i $wan -j DROP\necho done\n");
        CHECK(s.format == imp::Format::Script);
        REQUIRE(s.rules.size() == 1);
        CHECK(s.rules[0].line == 4);
        CHECK(s.rules[0].in_if == "ppp0");
        REQUIRE(s.notes.size() == 1);
        CHECK(s.notes[0].line == 5);
        CHECK(s.notes[0].outcome == imp::Outcome::Ignored);

        auto v = imp::parse("*filter\n:INPUT DROP [0:0]\n:X - [0:0]\n[3:180] -A INPUT -i lo -j ACCEPT\nCOMMIT\n");
        CHECK(v.format == imp::Format::Save);
        REQUIRE(v.rules.size() == 3);
        CHECK(v.rules[0].op == imp::Op::Policy);
        CHECK(v.rules[0].policy == "DROP");
        CHECK(v.rules[1].op == imp::Op::NewChain);
        CHECK(v.rules[2].line == 4);
        CHECK(v.rules[2].in_if == "lo");

        auto bad = imp::parse("iptables -A INPUT -s $nowhere -j DROP\n");
        CHECK(bad.rules.empty());
        REQUIRE(bad.notes.size() == 1);
        CHECK(bad.notes[0].outcome == imp::Outcome::Failed);
    }

    TEST_CASE("egress ranges: inside the guard, and typos of it")
    {
        struct Row {
            int line;
            std::string net;
            std::string inside;  // "" = not inside
            std::string typo;    // "" = no typo suspected
        };
        const std::vector<Row> rows = {
            {__LINE__, "176.16.0.0/12", "", "172.16.0.0/12"},  // the seed's typo
            {__LINE__, "172.16.0.0/12", "172.16.0.0/12", ""},
            {__LINE__, "172.31.255.0/24", "172.16.0.0/12", ""},  // the guard's last /24
            {__LINE__, "172.32.0.0/16", "", ""},                 // just outside, not a typo (other length)
            {__LINE__, "10.0.0.0/8", "10.0.0.0/8", ""},
            {__LINE__, "192.186.0.0/16", "", "192.168.0.0/16"},
            {__LINE__, "127.0.0.1", "127.0.0.0/8", ""},
            {__LINE__, "100.64.0.0/10", "100.64.0.0/10", ""},
            {__LINE__, "100.128.0.0/10", "", ""},  // next to CGNAT, far in text
            {__LINE__, "8.8.8.0/24", "", ""},
            {__LINE__, "not-a-net", "", ""},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(imp::guard_range_of(r.net).value_or("") == r.inside);
            CHECK(imp::typo_of_guard_range(r.net).value_or("") == r.typo);
        }
    }

    TEST_CASE("the user's script: eight forwards, masquerade, LAN services, the typo flagged")
    {
        std::string text = fixture("seed-iptables.sh");
        auto p = imp::parse(text);
        CHECK(p.format == imp::Format::Script);
        auto m = imp::map(p);

        struct Fw {
            int line;
            std::string name, proto, port, to;
        };
        const std::vector<Fw> want = {
            {__LINE__, "https", "tcp", "443", "172.16.1.100"},
            {__LINE__, "http", "tcp", "80", "172.16.1.100"},
            {__LINE__, "smtp", "tcp", "25", "172.16.1.100"},
            {__LINE__, "http-server2", "tcp", "18080", "172.16.1.101"},
            {__LINE__, "rtmp", "tcp", "1935", "172.16.1.100"},
            {__LINE__, "l2tp", "udp", "1701", "172.16.1.100"},
            {__LINE__, "isakmp", "udp", "500", "172.16.1.100"},
            {__LINE__, "ipsec-nat-traversal", "udp", "4500", "172.16.1.100"},
        };
        REQUIRE(m.forwards.size() == want.size());
        for (size_t i = 0; i < want.size(); ++i) {
            CAPTURE(want[i].line);
            CHECK(m.forwards[i].name == want[i].name);
            CHECK(m.forwards[i].proto == want[i].proto);
            CHECK(m.forwards[i].port == want[i].port);
            CHECK(m.forwards[i].to == want[i].to);
            CHECK(m.forwards[i].accept_line != 0);
            CHECK(m.forwards[i].from.empty());
        }
        CHECK(m.wan == std::vector<std::string>{"ppp0"});
        CHECK(m.lan_interfaces == std::vector<std::string>{"ens160"});
        CHECK(m.lan_networks == std::vector<std::string>{"172.16.0.0/16"});
        CHECK(m.masquerade);
        CHECK(m.router_services == std::vector<std::string>{"udp/53", "tcp/22"});
        CHECK(m.forward_block ==
              std::vector<std::string>{"tcp/135", "tcp/137-139", "tcp/445", "udp/135", "udp/137-139", "udp/445"});
        CHECK(m.lan_icmp);
        CHECK(m.wan_ping);
        CHECK(m.egress_guard);
        CHECK_FALSE(m.lan_default_accept);
        CHECK(m.wan_services.empty());
        CHECK(m.log);
        CHECK(m.log_level == "warn");
        CHECK(m.log_rate == "3/hour");
        CHECK(m.leftovers.empty());  // everything of the seed maps, or is covered, or is flagged

        // the typo, on its own line, and nothing else suspicious or lost
        int typo_line = line_of(text, "-d 176.16.0.0/12");
        REQUIRE(typo_line > 0);
        const auto* n = note_at(m.notes, typo_line);
        REQUIRE(n);
        CHECK(n->outcome == imp::Outcome::Suspicious);
        CHECK(n->what.find("typo for 172.16.0.0/12") != std::string::npos);
        for (const auto& x : m.notes) {
            CAPTURE(x.line);
            CAPTURE(x.what);
            CHECK(x.outcome != imp::Outcome::Failed);
            if (x.line != typo_line)
                CHECK(x.outcome != imp::Outcome::Suspicious);
        }
        // every iptables statement of the script got an outcome
        for (const auto& r : p.rules) {
            CAPTURE(r.line);
            CHECK(note_at(m.notes, r.line) != nullptr);
        }
        auto report = imp::render_report(p, m, imp::render_extras(p, m, {}), "seed-iptables.sh");
        CHECK(report.find("seed-iptables.sh:" + std::to_string(typo_line) + ": SUSPICIOUS: 176.16.0.0/12") !=
              std::string::npos);
        CHECK(report.find("8 forwards, masquerade yes, router-services: udp/53, tcp/22") != std::string::npos);
    }

    TEST_CASE("the INI written for the user's script passes the schema and from_config")
    {
        auto p = imp::parse(fixture("seed-iptables.sh"));
        auto m = imp::map(p);
        auto ini = imp::render_ini(m, "seed-iptables.sh", "");
        CHECK(ini.find("extras") == std::string::npos);
        auto r = config::parse_text(ini, "pppkit.conf", schema());
        for (const auto& d : r.diags)
            CAPTURE(d.str());
        REQUIRE(r.ok());
        auto s = firewall::from_config(r.doc);
        if (auto* d = std::get_if<std::vector<config::Diagnostic>>(&s)) {
            for (const auto& x : *d)
                MESSAGE(x.str());
            FAIL("from_config rejected the imported INI");
        }
        const auto& set = std::get<firewall::Settings>(s);
        CHECK(set.forwards.size() == 8);
        CHECK(set.masquerade);
        CHECK(set.wan == std::vector<std::string>{"ppp0"});
        CHECK(set.router_services.size() == 2);
        CHECK(set.log_rate.str() == "3/hour");
        CHECK(set.egress_guard);
    }

    TEST_CASE("the import's egress ranges are exactly those the generated ruleset guards")
    {
        auto r = config::parse_text("[firewall]\nlan-networks = 172.16.0.0/16\n", "pppkit.conf", schema());
        REQUIRE(r.ok());
        auto s = firewall::from_config(r.doc);
        REQUIRE(std::holds_alternative<firewall::Settings>(s));
        auto text = firewall::full_ruleset(std::get<firewall::Settings>(s), {});
        for (const auto& g : imp::guard_ranges()) {
            CAPTURE(g);
            CHECK(text.find(g) != std::string::npos);
        }
    }

    TEST_CASE("an iptables-save file: leftovers go to the translator, and into extras chains")
    {
        auto p = imp::parse(fixture("extra-rules.save"));
        CHECK(p.format == imp::Format::Save);
        auto m = imp::map(p);
        REQUIRE(m.forwards.size() == 3);
        CHECK(m.forwards[0].name == "tcp-8443");
        CHECK(m.forwards[0].to == "192.168.7.10:443");
        CHECK(m.forwards[1].port == "27015-27030");
        CHECK(m.forwards[2].accept_line == 0);  // DNAT without FORWARD accept: not published
        CHECK(m.wan == std::vector<std::string>{"ppp+"});
        CHECK(m.wan_services == std::vector<std::string>{"tcp/51413"});
        CHECK(m.router_services == std::vector<std::string>{"udp/67", "tcp/53", "udp/53"});
        auto ini = imp::render_ini(m, "extra-rules.save", "/etc/ppp/pppkit-firewall.nft");
        CHECK(ini.find("wan = ppp*\n") != std::string::npos);
        CHECK(ini.find("# [forward \"tcp-2222\"]\n") != std::string::npos);
        CHECK(ini.find("forward-block = none\n") != std::string::npos);

        // leftovers, in file order, with the translator's command lines
        std::vector<int> lines;
        for (auto i : m.leftovers)
            lines.push_back(p.rules[i].line);
        CHECK(lines == std::vector<int>{24, 25, 26, 27, 32, 39});
        std::vector<imp::Translation> none(m.leftovers.size());
        CHECK(imp::translator_run(p, m, imp::Family::V6, none).leftovers.empty());

        // each one's share of iptables-restore-translate 1.8.9's output (the fourth: the run failed)
        std::vector<imp::Translation> t = {
            {"# -t filter -A INPUT -i ppp+ -p tcp -m tcp --dport 22 -m recent --update --seconds 60", ""},
            {"add rule ip filter INPUT ip saddr 203.0.113.66 counter jump BLOCKLIST", ""},
            {"add rule ip filter INPUT tcp dport != 22 tcp flags syn / fin,syn,rst,ack limit rate 50/second "
             "burst 5 packets counter accept",
             ""},
            {std::nullopt, "iptables-restore-translate: No such file or directory"},
            {"add rule ip filter FORWARD iifname \"br0\" oifname \"ppp*\" tcp dport 25 counter reject with tcp "
             "reset",
             ""},
            {"add rule ip mangle FORWARD oifname \"ppp*\" tcp flags syn / syn,rst counter tcp option maxseg size "
             "set rt mtu",
             ""},
        };
        auto x = imp::render_extras(p, m, t);
        struct Want {
            int line;
            int rule_line;
            imp::Outcome outcome;
            std::string text;  // in the note (or the extras text for Extras)
        };
        const std::vector<Want> want = {
            {__LINE__, 24, imp::Outcome::Failed, "no nft equivalent"},
            {__LINE__, 25, imp::Outcome::Extras,
             "ip saddr 203.0.113.66 counter jump import_filter_blocklist  # line 25"},
            {__LINE__, 26, imp::Outcome::Extras, "an accept there opens nothing"},
            {__LINE__, 27, imp::Outcome::Failed, "iptables-restore-translate: No such file or directory"},
            {__LINE__, 32, imp::Outcome::Extras,
             "iifname \"br0\" oifname \"ppp*\" tcp dport 25 counter reject with tcp reset"},
            {__LINE__, 39, imp::Outcome::Extras,
             "chain import_mangle_forward {\n        type filter hook forward priority mangle - 5;"},
        };
        for (const auto& w : want) {
            CAPTURE(w.line);
            const auto* n = note_at(x.notes, w.rule_line);
            REQUIRE(n);
            CHECK(n->outcome == w.outcome);
            bool in_note = n->what.find(w.text) != std::string::npos;
            bool in_text = x.text.find(w.text) != std::string::npos;
            CHECK((in_note || in_text));
        }
        CHECK(x.text.find("chain import_filter_input {\n        type filter hook input priority filter - 5;") !=
              std::string::npos);
        // the failed ones are nowhere in the extras
        CHECK(x.text.find("line 24") == std::string::npos);
        CHECK(x.text.find("line 27") == std::string::npos);
        // D1's text check accepts the file's shape (chain definitions only)
        CHECK_FALSE(firewall::check_extras_text(x.text));
    }

    // Issue 10: one iptables-restore-translate run a family, every leftover
    // followed by a marker rule that ends its share of the output.
    TEST_CASE("the translator: one run for the file's leftovers, each rule's output found by its marker")
    {
        auto p = imp::parse(fixture("extra-rules.save"));
        auto m = imp::map(p);
        std::vector<imp::Translation> t;
        auto run = imp::translator_run(p, m, imp::Family::V4, t);
        CHECK(run.argv == std::vector<std::string>{"iptables-restore-translate", "-f", "/dev/stdin"});
        CHECK(run.leftovers == std::vector<size_t>{0, 1, 2, 3, 4, 5});
        const std::string input =
            "*filter\n"
            "-A INPUT -i ppp+ -p tcp -m tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name ssh "
            "--rsource -j DROP\n"
            "-A INPUT -m comment --comment pppkit-import-0\n"
            "-A INPUT -s 203.0.113.66/32 -j BLOCKLIST\n"
            "-A INPUT -m comment --comment pppkit-import-1\n"
            "-A INPUT -p tcp -m tcp ! --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -m limit --limit 50/sec -j ACCEPT\n"
            "-A INPUT -m comment --comment pppkit-import-2\n"
            "-A BLOCKLIST -j REJECT --reject-with icmp-port-unreachable\n"
            "-A BLOCKLIST -m comment --comment pppkit-import-3\n"
            "-A FORWARD -i br0 -o ppp+ -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset\n"
            "-A FORWARD -m comment --comment pppkit-import-4\n"
            "COMMIT\n"
            "*mangle\n"
            "-A FORWARD -o ppp+ -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
            "-A FORWARD -m comment --comment pppkit-import-5\n"
            "COMMIT\n";
        CHECK(run.input == input);

        // recorded output of iptables-restore-translate 1.8.9 for that input
        const std::string out =
            "# Translated by iptables-restore-translate v1.8.9 on Mon Nov 30 17:33:26 2026\n"
            "add table ip filter\n"
            "# -t filter -A INPUT -i ppp+ -p tcp -m tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 "
            "--name ssh --rsource -j DROP \n"
            "add rule ip filter INPUT counter comment \"pppkit-import-0\"\n"
            "add rule ip filter INPUT ip saddr 203.0.113.66 counter jump BLOCKLIST\n"
            "add rule ip filter INPUT counter comment \"pppkit-import-1\"\n"
            "add rule ip filter INPUT tcp dport != 22 tcp flags syn / fin,syn,rst,ack limit rate 50/second burst 5 "
            "packets counter accept\n"
            "add rule ip filter INPUT counter comment \"pppkit-import-2\"\n"
            "add rule ip filter BLOCKLIST counter reject\n"
            "add rule ip filter BLOCKLIST counter comment \"pppkit-import-3\"\n"
            "add rule ip filter FORWARD iifname \"br0\" oifname \"ppp*\" tcp dport 25 counter reject with tcp reset\n"
            "add rule ip filter FORWARD counter comment \"pppkit-import-4\"\n"
            "add table ip mangle\n"
            "add rule ip mangle FORWARD oifname \"ppp*\" tcp flags syn / syn,rst counter tcp option maxseg size set "
            "rt mtu\n"
            "add rule ip mangle FORWARD counter comment \"pppkit-import-5\"\n"
            "# Completed on Mon Nov 30 17:33:26 2026\n";
        imp::take_translation(run, true, out, t);
        REQUIRE(t.size() == 6);
        CHECK(t[0].output == "# -t filter -A INPUT -i ppp+ -p tcp -m tcp --dport 22 -m recent --update --seconds 60 "
                             "--hitcount 4 --name ssh --rsource -j DROP");
        CHECK(t[1].output == "add rule ip filter INPUT ip saddr 203.0.113.66 counter jump BLOCKLIST");
        CHECK(t[3].output == "add rule ip filter BLOCKLIST counter reject");
        CHECK(imp::translator_run(p, m, imp::Family::V4, t).leftovers.empty());  // all decided
        auto x = imp::render_extras(p, m, t);
        CHECK(note_at(x.notes, 24)->what.find("no nft equivalent") != std::string::npos);
        CHECK(x.text.find("ip saddr 203.0.113.66 counter jump import_filter_blocklist  # line 25") !=
              std::string::npos);
        CHECK(x.text.find("counter reject  # line 27") != std::string::npos);
        CHECK(x.text.find("tcp option maxseg size set rt mtu  # line 39") != std::string::npos);
    }

    TEST_CASE("the translator: a rule it refuses is left out of the next run; quoting; a rule made two")
    {
        const std::string script =
            "iptables -N BLOCK\n"
            "iptables -A INPUT -s 198.51.100.1,198.51.100.2 -m comment --comment 'two \"hosts\"' "
            "-j BLOCK\n"
            "iptables -A INPUT -p tcp --dport 22 --bogus -j DROP\n"
            "iptables -t nat -P OUTPUT DROP\n";
        auto p = imp::parse(script);
        auto m = imp::map(p);
        std::vector<imp::Translation> t;
        auto run = imp::translator_run(p, m, imp::Family::V4, t);
        std::vector<int> lines;
        for (size_t k : run.leftovers)
            lines.push_back(p.rules[m.leftovers[k]].line);
        CHECK(lines == std::vector<int>{2, 3});  // the policy (line 4) is no restore rule; BLOCK is map()'s
        REQUIRE(t.size() == m.leftovers.size());
        CHECK(t.back().error == "the translator does not translate chain policies");
        CHECK(run.input == "*filter\n"
                           "-A INPUT -s 198.51.100.1,198.51.100.2 -m comment --comment \"two \\\"hosts\\\"\" -j BLOCK\n"
                           "-A INPUT -m comment --comment pppkit-import-0\n"
                           "-A INPUT -p tcp --dport 22 --bogus -j DROP\n"
                           "-A INPUT -m comment --comment pppkit-import-1\n"
                           "COMMIT\n");
        // iptables-restore-translate 1.8.9 stops at the bad line: only that rule is blamed
        imp::take_translation(run, false,
                              "# Translated by iptables-restore-translate v1.8.9\nadd table ip filter\n"
                              "iptables-translate-restore v1.8.9 (nf_tables): unknown option \"--bogus\"\n"
                              "Error occurred at line: 4\n"
                              "Try `iptables-translate-restore -h' or 'iptables-translate-restore --help' for more "
                              "information.\n",
                              t);
        CHECK(t[1].error == "iptables-translate-restore v1.8.9 (nf_tables): unknown option \"--bogus\"");
        CHECK_FALSE(t[0].output);
        CHECK(t[0].error.empty());
        // the next run goes on without it
        run = imp::translator_run(p, m, imp::Family::V4, t);
        CHECK(run.leftovers == std::vector<size_t>{0});
        imp::take_translation(run, true,
                              "add table ip filter\n"
                              "add rule ip filter INPUT ip saddr 198.51.100.1 counter jump BLOCK comment \"x\"\n"
                              "add rule ip filter INPUT ip saddr 198.51.100.2 counter jump BLOCK comment \"x\"\n"
                              "add rule ip filter INPUT counter comment \"pppkit-import-0\"\n",
                              t);
        CHECK(t[0].output == "add rule ip filter INPUT ip saddr 198.51.100.1 counter jump BLOCK comment \"x\"\n"
                             "add rule ip filter INPUT ip saddr 198.51.100.2 counter jump BLOCK comment \"x\"");
        // a run that fails without naming a line: every rule in it gets the error
        std::vector<imp::Translation> u;
        run = imp::translator_run(p, m, imp::Family::V4, u);
        imp::take_translation(run, false, "iptables-restore-translate: No such file or directory (install it)", u);
        for (size_t k : run.leftovers)
            CHECK(u[k].error == "iptables-restore-translate: No such file or directory (install it)");
    }

    // Issue 12 §4: idioms the importer used to carry over with another
    // meaning. Each row is one iptables line in a small script whose WAN is
    // ppp0 (a DNAT from it) and whose LAN is lan0; the written INI must say
    // what the line did (or leave it out with a NOT IMPORTED / extras note),
    // and pass the schema and from_config.
    TEST_CASE("named ports, interface wildcards, one masqueraded host: same meaning or refused")
    {
        struct Row {
            int line;
            std::string rule;                  // after "iptables "
            std::vector<std::string> want;     // INI lines that must be there
            std::vector<std::string> absent;   // INI text that must not be there
            std::optional<imp::Outcome> note;  // the rule's note from map(), if any
        };
        using O = imp::Outcome;
        const std::vector<Row> rows = {
            {__LINE__,
             "-A INPUT -i lan0 -p tcp --dport ssh -j ACCEPT",
             {"router-services = tcp/22"},
             {"ssh"},
             O::Mapped},
            {__LINE__,
             "-A INPUT -i lan0 -p udp --dport domain -j ACCEPT",
             {"router-services = udp/53"},
             {"domain"},
             O::Mapped},
            {__LINE__, "-A INPUT -i lan0 -p tcp --dport domain -j ACCEPT", {"router-services = tcp/53"}, {}, O::Mapped},
            {__LINE__,
             "-A INPUT -i lan0 -p tcp -m multiport --dports ssh,domain -j ACCEPT",
             {"router-services = tcp/22, tcp/53"},
             {},
             O::Mapped},
            {__LINE__,
             "-A INPUT -i lan0 -p tcp --dport ftp-data:ftp -j ACCEPT",
             {"router-services = tcp/20-21"},
             {},
             O::Mapped},
            {__LINE__, "-A INPUT -i ppp0 -p tcp --dport https -j ACCEPT", {"wan-services = tcp/443"}, {}, O::Mapped},
            {__LINE__,
             "-A FORWARD -i lan0 -o ppp0 -p udp -m multiport --dports netbios-ns:netbios-dgm -j DROP",
             {"forward-block = udp/137-138"},
             {},
             O::Mapped},
            {__LINE__,
             "-A INPUT -i lan0 -p tcp --dport no-such-service -j ACCEPT",
             {"router-services = none"},
             {"no-such-service"},
             O::Failed},
            {__LINE__,
             "-A INPUT -i lan0 -p tcp --dport 70000 -j ACCEPT",
             {"router-services = none"},
             {"70000"},
             O::Failed},
            {__LINE__, "-A FORWARD -i br+ -o ppp0 -j ACCEPT", {"lan-interfaces = lan0, br*"}, {"br+"}, O::Covered},
            {__LINE__,
             "-A INPUT -i eth+ -p tcp --dport 22 -j ACCEPT",
             {"lan-interfaces = lan0, eth*", "router-services = tcp/22"},
             {"eth+"},
             O::Mapped},
            // a pattern that also matches the WAN is no LAN interface
            {__LINE__,
             "-A FORWARD -i ppp+ -o ppp0 -j ACCEPT",
             {"lan-interfaces = lan0"},
             {"ppp+", "ppp*"},
             std::nullopt},
            {__LINE__, "-A FORWARD -i + -o ppp0 -j ACCEPT", {"lan-interfaces = lan0"}, {"= lan0, "}, std::nullopt},
            // a name the loader refuses is never written: '*' is a byte of a name to iptables (fuzz/import)
            {__LINE__,
             "-t nat -A PREROUTING -i ppp*nat -p tcp --dport 80 -j DNAT --to-destination 192.168.1.9",
             {"wan = ppp0"},
             {"ppp*nat"},
             std::nullopt},
            {__LINE__, "-t nat -A POSTROUTING -o ppp\"x -j MASQUERADE", {"wan = ppp0"}, {"ppp\"x"}, std::nullopt},
            {__LINE__, "-A FORWARD -i br*x -o ppp0 -j ACCEPT", {"lan-interfaces = lan0"}, {"br*x"}, std::nullopt},
            {__LINE__,
             "-t nat -A POSTROUTING -s 192.168.1.1 -o ppp0 -j MASQUERADE",
             {"masquerade = no"},
             {"lan-networks"},
             O::Extras},
            {__LINE__,
             "-t nat -A POSTROUTING -s 192.168.1.1/32 -o ppp0 -j MASQUERADE",
             {"masquerade = no"},
             {"lan-networks"},
             O::Extras},
            {__LINE__,
             "-t nat -A POSTROUTING -s 192.168.1.0/24 -o ppp0 -j MASQUERADE",
             {"masquerade = yes", "lan-networks = 192.168.1.0/24"},
             {},
             O::Mapped},
            {__LINE__,
             "-t nat -A POSTROUTING -s 192.168.1.1/24 -o ppp0 -j MASQUERADE",
             {"masquerade = yes", "lan-networks = 192.168.1.0/24"},
             {"192.168.1.1/24"},
             O::Mapped},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            CAPTURE(row.rule);
            std::string text = "iptables -t nat -A PREROUTING -i ppp0 -p tcp --dport 8443 -j DNAT --to-destination "
                               "192.168.1.10\n"
                               "iptables -A FORWARD -i lan0 -o ppp0 -j ACCEPT\n"
                               "iptables " +
                               row.rule + "\n";
            auto p = imp::parse(text);
            auto m = imp::map(p);
            auto ini = imp::render_ini(m, "t.sh", "");
            CAPTURE(ini);
            std::set<std::string> lines;
            std::istringstream in(ini);
            for (std::string l; std::getline(in, l);)
                lines.insert(l);
            for (const auto& w : row.want)
                CHECK_MESSAGE(lines.contains(w), "missing INI line: " << w);
            for (const auto& a : row.absent)
                CHECK_MESSAGE(ini.find(a) == std::string::npos, "unexpected in the INI: " << a);
            const imp::Note* n = note_at(m.notes, 3);
            if (row.note) {
                REQUIRE(n != nullptr);
                CAPTURE(n->what);
                CHECK(imp::outcome_name(n->outcome) == imp::outcome_name(*row.note));
            }
            if (row.note == O::Failed)
                CHECK(std::find(m.leftovers.begin(), m.leftovers.end(), 2u) == m.leftovers.end());
            if (row.note == O::Extras)  // handed to the translator, which keeps its meaning
                CHECK(std::find(m.leftovers.begin(), m.leftovers.end(), 2u) != m.leftovers.end());
            auto r = config::parse_text(ini, "pppkit.conf", schema());
            for (const auto& d : r.diags)
                FAIL_CHECK("the schema refuses the INI: " << d.str());
            if (!r.ok())
                continue;
            auto s = firewall::from_config(r.doc);
            if (auto* d = std::get_if<std::vector<config::Diagnostic>>(&s))
                for (const auto& x : *d)
                    FAIL_CHECK("from_config: " << x.str());
        }
    }

    TEST_CASE("a port forwarded twice, or forwarded and opened on the router, is imported once (fuzz/import)")
    {
        const std::string fwd = "iptables -t nat -A PREROUTING -i ppp0 -p tcp --dport 8443 -j DNAT --to-destination "
                                "192.168.1.10:443\n"
                                "iptables -A FORWARD -i ppp0 -d 192.168.1.10 -p tcp --dport 443 -j ACCEPT\n";
        struct Row {
            int line;
            std::string text;
            int forwards;
            std::string wan_services;  // the INI line
        };
        const std::vector<Row> rows = {
            {__LINE__, fwd + fwd, 1, "wan-services"},  // the file applied twice
            {__LINE__,
             fwd + "iptables -t nat -A PREROUTING -i ppp0 -p tcp --dport 8000:9000 -j DNAT --to-destination "
                   "192.168.1.11\niptables -A FORWARD -i ppp0 -p tcp --dport 8000:9000 -j ACCEPT\n",
             1, "wan-services"},
            {__LINE__, fwd + "iptables -A INPUT -i ppp0 -p tcp --dport 8443 -j ACCEPT\n", 1, "wan-services"},
            {__LINE__, fwd + "iptables -A INPUT -i ppp0 -p udp --dport 8443 -j ACCEPT\n", 1, "wan-services = udp/8443"},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            auto m = imp::map(imp::parse("iptables -A FORWARD -i lan0 -o ppp0 -j ACCEPT\n" + row.text));
            CHECK(std::count_if(m.forwards.begin(), m.forwards.end(),
                                [](const imp::Forward& f) { return f.accept_line != 0; }) == row.forwards);
            auto ini = imp::render_ini(m, "t.sh", "");
            CAPTURE(ini);
            if (row.wan_services == "wan-services")
                CHECK(ini.find("\nwan-services") == std::string::npos);
            else
                CHECK(ini.find("\n" + row.wan_services + "\n") != std::string::npos);
            auto r = config::parse_text(ini, "pppkit.conf", schema());
            for (const auto& d : r.diags)
                FAIL_CHECK("the schema refuses the INI: " << d.str());
            if (!r.ok())
                continue;
            auto v = firewall::from_config(r.doc);
            if (auto* d = std::get_if<std::vector<config::Diagnostic>>(&v))
                for (const auto& x : *d)
                    FAIL_CHECK("from_config: " << x.str());
        }
    }

    // Issue 10: a comment heads the forward under it, not the file or a group.
    TEST_CASE("forward names: the file's header comment and a shared heading name no forward")
    {
        const std::string web = "iptables -t nat -A PREROUTING -i ppp0 -p tcp --dport 443 -j DNAT --to-destination "
                                "192.168.1.10\n"
                                "iptables -A FORWARD -i ppp0 -p tcp -d 192.168.1.10 --dport 443 -j ACCEPT\n"
                                "iptables -t nat -A PREROUTING -i ppp0 -p tcp --dport 80 -j DNAT --to-destination "
                                "192.168.1.10\n"
                                "iptables -A FORWARD -i ppp0 -p tcp -d 192.168.1.10 --dport 80 -j ACCEPT\n";
        struct Row {
            int line;
            std::string text;
            std::vector<std::string> names;
        };
        const std::vector<Row> rows = {
            {__LINE__, "#!/bin/sh\n# The seed's firewall script (pppkit test)\n" + web, {"https", "http"}},
            {__LINE__, "# The seed's firewall script\n" + web, {"https", "http"}},
            {__LINE__, "#!/bin/sh\n# The seed's firewall script\nreadonly lan=192.168.1.10\n" + web, {"https", "http"}},
            // the title after the shebang's blank line, right above a lone forward
            {__LINE__,
             "#!/bin/sh\n\n# The seed's firewall script\n" + web.substr(0, web.find("iptables -t nat", 10)),
             {"https"}},
            {__LINE__, "\n#!/bin/sh\n\n\n# The seed's firewall script\n# (pppkit test)\n" + web, {"https", "http"}},
            {__LINE__, "#!/bin/sh\n# title\n\n# HTTPS\n" + web.substr(0, web.find("iptables -t nat", 10)), {"https"}},
            {__LINE__, "# title\n\n# Web\n" + web.substr(0, web.find("iptables -t nat", 10)), {"web"}},
            {__LINE__, "#!/bin/sh\n# firewall\n\n### Web server\n" + web, {"https", "http"}},
            {__LINE__, "#!/bin/sh\n# firewall\n\n### Web server\nWAN=ppp0\n" + web, {"https", "http"}},
            {__LINE__,
             "#!/bin/sh\n# firewall\n\n### Web\n" + web.substr(0, web.find("iptables -t nat", 10)) +
                 "\n### Plain web\n" + web.substr(web.find("iptables -t nat", 10)),
             {"web", "plain-web"}},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            auto m = imp::map(imp::parse(row.text));
            std::vector<std::string> got;
            for (const auto& f : m.forwards)
                got.push_back(f.name);
            CHECK(got == row.names);
        }
    }
}
