// import.cpp - see import.hpp.
#include "firewall/cli/core/import.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "common/ifname.hpp"
#include "common/text.hpp"
#include "firewall/core/firewall.hpp"

namespace pppkit::firewall::import {
namespace {

using text::join;
using text::trim;

std::string lower(std::string_view s)
{
    std::string r(s);
    for (char& c : r)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return r;
}

std::string upper(std::string_view s)
{
    std::string r(s);
    for (char& c : r)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return r;
}

bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// iptables port "137:139" -> "137-139"; ":139" -> "1-139"; "137:" -> "137-65535"
std::string port_text(std::string_view p)
{
    auto colon = p.find(':');
    if (colon == std::string_view::npos)
        return std::string(p);
    std::string lo(p.substr(0, colon)), hi(p.substr(colon + 1));
    if (lo.empty())
        lo = "1";
    if (hi.empty())
        hi = "65535";
    return lo + "-" + hi;
}

// One port as iptables reads it: a number 0-65535 or a service name of the
// rule's protocol, resolved like iptables does (getservbyname, i.e. the
// services database). nullopt with why set when neither.
std::optional<unsigned> port_number(std::string_view p, std::string_view proto, std::string& why)
{
    if (!p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (p.size() <= 5) {
            unsigned v = 0;
            for (char c : p)
                v = v * 10 + static_cast<unsigned>(c - '0');
            if (v >= 1 && v <= 65535)
                return v;
        }
        why = "port " + std::string(p) + " is not one pppkit takes (1-65535)";
        return std::nullopt;
    }
    if (proto != "tcp" && proto != "udp" && proto != "sctp" && proto != "dccp") {
        why = "named port '" + std::string(p) + "' without -p tcp or udp";
        return std::nullopt;
    }
    std::string name(p), pr(proto);
    servent se{};
    servent* res = nullptr;
    std::array<char, 1024> buf{};
    if (p.empty() || getservbyname_r(name.c_str(), pr.c_str(), &se, buf.data(), buf.size(), &res) != 0 || !res) {
        why = "'" + name + "' is not a " + pr +
              " service name in /etc/services (iptables would refuse it); write the "
              "port number";
        return std::nullopt;
    }
    return static_cast<unsigned>(ntohs(static_cast<uint16_t>(res->s_port)));
}

// "ssh" -> "22", "ftp-data-ftp" stays a range of two resolved ends: the
// pppkit spelling ("20-21") of what port_text() made of the iptables text.
// A port that cannot be resolved is kept as written and why goes to refused.
std::string resolve_ports(const std::string& p, std::string_view proto, std::vector<std::string>& refused)
{
    std::string why;
    if (auto v = port_number(p, proto, why))
        return std::to_string(*v);
    // a range: both ends separated by the '-' port_text() put there (service
    // names may contain '-', so try every split)
    for (size_t dash = p.find('-'); dash != std::string::npos; dash = p.find('-', dash + 1)) {
        std::string w1, w2;
        auto lo = port_number(std::string_view(p).substr(0, dash), proto, w1);
        auto hi = port_number(std::string_view(p).substr(dash + 1), proto, w2);
        if (lo && hi) {
            if (*lo > *hi) {
                refused.push_back("port range " + p + " is empty (first > last)");
                return p;
            }
            return std::to_string(*lo) + "-" + std::to_string(*hi);
        }
    }
    refused.push_back(why);
    return p;
}

// ---- parsing ---------------------------------------------------------------

// Decodes iptables arguments into r. Returns false only for an unusable
// command line (no command at all).
void decode(Rule& r)
{
    const auto& a = r.args;
    // a control byte in any argument: no value of it may reach pppkit.conf
    for (const auto& arg : a)
        if (std::any_of(arg.begin(), arg.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
            r.unknown.emplace_back("an argument with a control byte");
            break;
        }
    static const std::set<std::string, std::less<>> kKnownMatches = {"state", "conntrack", "multiport", "tcp",
                                                                     "udp",   "icmp",      "comment",   "limit"};
    bool negate = false;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& o = a[i];
        auto next = [&]() -> std::string {
            if (i + 1 < a.size())
                return a[++i];
            r.unknown.push_back(o + " (no value)");
            return {};
        };
        auto optional_chain = [&]() {
            if (i + 1 < a.size() && !a[i + 1].empty() && a[i + 1][0] != '-')
                r.chain = a[++i];
        };
        if (o == "!") {
            negate = true;
            r.unknown.emplace_back("!");
            continue;
        }
        if (negate) {
            negate = false;  // the negated option is decoded but the rule stays unmappable
        }
        if (o == "-t" || o == "--table") {
            r.table = next();
            r.has_table_arg = true;
        } else if (o == "-A" || o == "--append") {
            r.op = Op::Append;
            r.chain = next();
        } else if (o == "-I" || o == "--insert") {
            r.op = Op::Insert;
            r.chain = next();
            if (i + 1 < a.size() && !a[i + 1].empty() &&
                std::all_of(a[i + 1].begin(), a[i + 1].end(), [](char c) { return c >= '0' && c <= '9'; }))
                ++i;
        } else if (o == "-P" || o == "--policy") {
            r.op = Op::Policy;
            r.chain = next();
            r.policy = upper(next());
        } else if (o == "-N" || o == "--new-chain") {
            r.op = Op::NewChain;
            r.chain = next();
        } else if (o == "-F" || o == "--flush") {
            r.op = Op::Flush;
            optional_chain();
        } else if (o == "-X" || o == "--delete-chain") {
            r.op = Op::DeleteChain;
            optional_chain();
        } else if (o == "-Z" || o == "--zero") {
            r.op = Op::Zero;
            optional_chain();
        } else if (o == "-D" || o == "--delete" || o == "-R" || o == "--replace" || o == "-E" ||
                   o == "--rename-chain" || o == "-L" || o == "--list" || o == "-S" || o == "--list-rules") {
            r.op = Op::Other;
            optional_chain();
        } else if (o == "-p" || o == "--protocol") {
            r.proto = lower(next());
        } else if (o == "-s" || o == "--source" || o == "--src") {
            r.src = next();
        } else if (o == "-d" || o == "--destination" || o == "--dst") {
            r.dst = next();
        } else if (o == "-i" || o == "--in-interface") {
            r.in_if = next();
        } else if (o == "-o" || o == "--out-interface") {
            r.out_if = next();
        } else if (o == "-j" || o == "--jump") {
            r.target = next();
        } else if (o == "-m" || o == "--match") {
            std::string m = next();
            if (!kKnownMatches.contains(m))
                r.unknown.push_back("-m " + m);
        } else if (o == "--dport" || o == "--destination-port") {
            r.dports = {port_text(next())};
        } else if (o == "--sport" || o == "--source-port") {
            r.sports = {port_text(next())};
        } else if (o == "--dports" || o == "--destination-ports") {
            r.dports.clear();
            for (const auto& p : text::split(next(), ","))
                r.dports.push_back(port_text(p));
        } else if (o == "--sports" || o == "--source-ports") {
            r.sports.clear();
            for (const auto& p : text::split(next(), ","))
                r.sports.push_back(port_text(p));
        } else if (o == "--state" || o == "--ctstate") {
            r.states = text::split(upper(next()), ",");
        } else if (o == "--icmp-type") {
            r.icmp_type = lower(next());
        } else if (o == "--comment") {
            r.comment = next();
        } else if (o == "--limit") {
            r.limit = true;
            r.limit_rate = next();
        } else if (o == "--limit-burst") {
            r.limit = true;
            r.limit_burst = next();
        } else if (o == "--to-destination" || o == "--to") {
            r.to_destination = next();
        } else if (o == "--log-prefix") {
            r.log_prefix = next();
        } else if (o == "--log-level") {
            r.log_level = lower(next());
        } else if (o == "-c" || o == "--set-counters") {
            next();
            next();
        } else {
            r.unknown.push_back(o);
        }
        if (o == "-m" || o == "--match") {
            // "-m limit" alone means iptables' default 3/hour, burst 5
            if (i < a.size() && a[i] == "limit")
                r.limit = true;
        }
    }
    for (auto* ports : {&r.dports, &r.sports})
        for (auto& p : *ports)
            p = resolve_ports(p, r.proto, r.refused);
}

bool is_iptables_command(std::string_view word, Family& fam)
{
    auto slash = word.rfind('/');
    if (slash != std::string_view::npos)
        word.remove_prefix(slash + 1);
    static constexpr std::array<std::string_view, 3> v4 = {"iptables", "iptables-nft", "iptables-legacy"};
    static constexpr std::array<std::string_view, 3> v6 = {"ip6tables", "ip6tables-nft", "ip6tables-legacy"};
    if (std::find(v4.begin(), v4.end(), word) != v4.end()) {
        fam = Family::V4;
        return true;
    }
    if (std::find(v6.begin(), v6.end(), word) != v6.end()) {
        fam = Family::V6;
        return true;
    }
    return false;
}

// "a=b", "readonly a=b", "export a=b", "local a=b": the assignments of one line (words already expanded).
bool assignment(const std::vector<std::string>& words, std::vector<Var>& vars)
{
    size_t i = 0;
    if (!words.empty() && (words[0] == "readonly" || words[0] == "export" || words[0] == "local" ||
                           words[0] == "declare" || words[0] == "typeset"))
        i = 1;
    if (i >= words.size())
        return false;
    for (size_t k = i; k < words.size(); ++k) {
        auto eq = words[k].find('=');
        if (eq == 0 || eq == std::string::npos)
            return false;
        if (!std::all_of(words[k].begin(), words[k].begin() + static_cast<long>(eq), is_name_char))
            return false;
    }
    for (size_t k = i; k < words.size(); ++k) {
        auto eq = words[k].find('=');
        std::string name = words[k].substr(0, eq), value = words[k].substr(eq + 1);
        auto it = std::find_if(vars.begin(), vars.end(), [&](const Var& v) { return v.name == name; });
        if (it != vars.end())
            it->value = value;
        else
            vars.push_back({name, value});
    }
    return true;
}

// A comment usable as a heading: "### HTTPS" -> "HTTPS"; not rulers, not commented-out commands.
std::optional<std::string> heading_of(std::string_view line)
{
    line = trim(line);
    if (line.empty() || line[0] != '#' || line.starts_with("#!"))
        return std::nullopt;
    while (!line.empty() && line[0] == '#')
        line.remove_prefix(1);
    line = trim(line);
    if (line.empty() || line.find("iptables") != std::string_view::npos || line.starts_with("---") ||
        line.starts_with("==="))
        return std::nullopt;
    return std::string(line);
}

Parsed parse_script(std::string_view text)
{
    Parsed p;
    p.format = Format::Script;
    std::vector<Var> vars;
    std::istringstream in{std::string(text)};
    std::string raw;
    int lineno = 0;
    std::string heading;
    int heading_line = 0;
    // The file's leading comment block is its title, never a heading; the
    // shebang and blank lines before that block do not end it.
    bool header = true;
    bool title_seen = false;
    while (std::getline(in, raw)) {
        ++lineno;
        int first = lineno;
        std::string line = raw;
        while (!line.empty() && line.back() == '\\' && std::getline(in, raw)) {
            ++lineno;
            line.pop_back();
            line += " " + raw;
        }
        auto t = trim(line);
        if (t.empty()) {
            heading.clear();  // a heading names the rules of its own paragraph
            header = header && !title_seen;
            continue;
        }
        if (t[0] == '#') {
            title_seen = title_seen || !t.starts_with("#!");
            if (auto h = heading_of(t); h && !header) {
                heading = *h;
                heading_line = first;
            }
            continue;
        }
        header = false;
        std::string err;
        auto words = shell_words(t, vars, err);
        if (!words) {
            p.notes.push_back({first, Outcome::Failed, err + ": " + std::string(t)});
            heading.clear();
            continue;
        }
        if (words->empty())
            continue;
        if (assignment(*words, vars)) {
            heading.clear();  // a heading is about the rules right under it
            continue;
        }
        Family fam = Family::V4;
        if (!is_iptables_command((*words)[0], fam)) {
            p.notes.push_back({first, Outcome::Ignored, "not an iptables command: " + std::string(t)});
            heading.clear();
            continue;
        }
        Rule r;
        r.line = first;
        r.family = fam;
        r.args.assign(words->begin() + 1, words->end());
        r.text = join(*words, " ");
        r.heading = heading;
        r.heading_line = heading.empty() ? 0 : heading_line;
        decode(r);
        p.rules.push_back(std::move(r));
    }
    return p;
}

Parsed parse_save(std::string_view text)
{
    Parsed p;
    p.format = Format::Save;
    std::istringstream in{std::string(text)};
    std::string raw;
    int lineno = 0;
    std::string table;
    std::string heading;
    int heading_line = 0;
    while (std::getline(in, raw)) {
        ++lineno;
        auto t = trim(raw);
        if (t.empty()) {
            heading.clear();
            continue;
        }
        if (t[0] == '#') {
            if (auto h = heading_of(t); h && !h->starts_with("Generated by") && !h->starts_with("Completed on")) {
                heading = *h;
                heading_line = lineno;
            }
            continue;
        }
        if (t[0] == '*') {
            table = std::string(trim(t.substr(1)));
            heading.clear();
            continue;
        }
        if (t == "COMMIT")
            continue;
        if (t[0] == ':') {
            // ":CHAIN POLICY [packets:bytes]"
            auto words = text::split(t.substr(1), " ");
            Rule r;
            r.line = lineno;
            r.table = table.empty() ? "filter" : table;
            r.chain = words.empty() ? "" : words[0];
            r.text = std::string(t);
            if (words.size() >= 2 && words[1] != "-") {
                r.op = Op::Policy;
                r.policy = upper(words[1]);
            } else {
                r.op = Op::NewChain;
            }
            p.rules.push_back(std::move(r));
            continue;
        }
        std::string_view body = t;
        if (body[0] == '[') {  // "[packets:bytes] -A ..." (iptables-save -c)
            auto close = body.find(']');
            body = close == std::string_view::npos ? std::string_view{} : trim(body.substr(close + 1));
        }
        std::string err;
        auto words = shell_words(body, {}, err);
        if (!words || words->empty() || table.empty()) {
            p.notes.push_back({lineno, Outcome::Failed,
                               (table.empty() ? std::string("rule outside a *table") : err) + ": " + std::string(t)});
            continue;
        }
        Rule r;
        r.line = lineno;
        r.args = *words;
        r.text = std::string(body);
        r.heading = heading;
        r.heading_line = heading.empty() ? 0 : heading_line;
        decode(r);
        r.table = table;  // the *table line rules
        p.rules.push_back(std::move(r));
    }
    return p;
}

// ---- address helpers -----------------------------------------------------

struct Net4 {
    uint32_t addr = 0;
    int len = 0;
};

std::optional<Net4> net4(std::string_view s)
{
    std::string a(s);
    int len = 32;
    if (auto slash = a.find('/'); slash != std::string::npos) {
        try {
            size_t used = 0;
            len = std::stoi(a.substr(slash + 1), &used);
            if (used != a.size() - slash - 1)
                return std::nullopt;
        } catch (...) {
            return std::nullopt;
        }
        a.resize(slash);
    }
    in_addr ia{};
    if (len < 0 || len > 32 || inet_pton(AF_INET, a.c_str(), &ia) != 1)
        return std::nullopt;
    return Net4{ntohl(ia.s_addr), len};
}

uint32_t mask(int len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

bool inside(const Net4& inner, const Net4& outer)
{
    return inner.len >= outer.len && (inner.addr & mask(outer.len)) == (outer.addr & mask(outer.len));
}

bool is_any(std::string_view s) { return s.empty() || s == "0.0.0.0/0" || s == "0/0" || s == "::/0"; }

// The special-purpose IPv4 ranges pppkit's egress guard drops on the WAN: the
// same list as kEgress4 in firewall.cpp (a unit test checks that the
// generated ruleset carries each of them).
constexpr std::array<std::string_view, 13> kGuard = {
    "0.0.0.0/8",      "10.0.0.0/8",   "100.64.0.0/10",  "127.0.0.0/8",   "169.254.0.0/16",
    "172.16.0.0/12",  "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4",  "240.0.0.0/4"};

int edit_distance(std::string_view a, std::string_view b)
{
    std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        prev[j] = static_cast<int>(j);
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = static_cast<int>(i);
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// ---- mapping -------------------------------------------------------------

std::string level_name(std::string_view lvl)
{
    // iptables: emerg alert crit error warning notice info debug, or 0-7
    static const std::map<std::string, std::string, std::less<>> names = {
        {"emerg", "emerg"},  {"alert", "alert"}, {"crit", "crit"},     {"error", "err"}, {"err", "err"},
        {"warning", "warn"}, {"warn", "warn"},   {"notice", "notice"}, {"info", "info"}, {"debug", "debug"},
        {"0", "emerg"},      {"1", "alert"},     {"2", "crit"},        {"3", "err"},     {"4", "warn"},
        {"5", "notice"},     {"6", "info"},      {"7", "debug"}};
    auto it = names.find(lvl);
    return it == names.end() ? std::string() : it->second;
}

// "3/hour" from iptables "3/h", "3/hour", "10/min", "5/sec", "2/day".
std::string rate_name(std::string_view r)
{
    if (r.empty())
        return "3/hour";  // iptables' default for -m limit
    auto slash = r.find('/');
    if (slash == std::string_view::npos)
        return std::string(r) + "/second";
    std::string n(r.substr(0, slash));
    std::string u = lower(r.substr(slash + 1));
    if (u.starts_with("s"))
        u = "second";
    else if (u.starts_with("m"))
        u = "minute";
    else if (u.starts_with("h"))
        u = "hour";
    else if (u.starts_with("d"))
        u = "day";
    return n + "/" + u;
}

std::string slug(std::string_view s)
{
    std::string r;
    for (char c : s) {
        char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
        if (ok)
            r += l;
        else if (!r.empty() && r.back() != '-')
            r += '-';
    }
    while (!r.empty() && r.back() == '-')
        r.pop_back();
    if (r.size() > 40) {
        r.resize(40);
        while (!r.empty() && r.back() == '-')
            r.pop_back();
    }
    return r;
}

std::string port_service_name(std::string_view port)
{
    static const std::map<std::string, std::string, std::less<>> names = {
        {"20", "ftp-data"},    {"21", "ftp"},         {"22", "ssh"},    {"25", "smtp"},          {"53", "dns"},
        {"80", "http"},        {"110", "pop3"},       {"143", "imap"},  {"443", "https"},        {"465", "smtps"},
        {"500", "isakmp"},     {"587", "submission"}, {"993", "imaps"}, {"995", "pop3s"},        {"1194", "openvpn"},
        {"1701", "l2tp"},      {"1935", "rtmp"},      {"3389", "rdp"},  {"4500", "ipsec-nat-t"}, {"8080", "http-alt"},
        {"51820", "wireguard"}};
    auto it = names.find(port);
    return it == names.end() ? std::string() : it->second;
}

struct LogChain {
    bool valid = true;  // only LOG rules followed by one DROP/REJECT, no matches
    bool has_drop = false;
    std::string prefix, level, rate;
    bool limited = false;
    std::vector<size_t> rules;
};

bool only_matches(const Rule& r, std::initializer_list<std::string_view> allowed)
{
    auto has = [&](std::string_view what) { return std::find(allowed.begin(), allowed.end(), what) != allowed.end(); };
    if (!r.unknown.empty() || !r.refused.empty())
        return false;
    if (!r.proto.empty() && !has("proto"))
        return false;
    if (!r.in_if.empty() && !has("in"))
        return false;
    if (!r.out_if.empty() && !has("out"))
        return false;
    if (!is_any(r.src) && !has("src"))
        return false;
    if (!is_any(r.dst) && !has("dst"))
        return false;
    if (!r.dports.empty() && !has("dports"))
        return false;
    if (!r.sports.empty() && !has("sports"))
        return false;
    if (!r.icmp_type.empty() && !has("icmp"))
        return false;
    if (!r.states.empty() && !has("state"))
        return false;
    if (r.limit && !has("limit"))
        return false;
    return true;
}

bool is_established_related(const Rule& r)
{
    if (r.states.empty())
        return false;
    return std::all_of(r.states.begin(), r.states.end(),
                       [](const std::string& s) { return s == "ESTABLISHED" || s == "RELATED"; });
}

// iptables interface patterns: "eth0", or "br+" for every name starting with "br".
bool covers(std::string_view pattern, std::string_view name_or_pattern)
{
    if (pattern == name_or_pattern)
        return true;
    return !pattern.empty() && pattern.back() == '+' &&
           name_or_pattern.starts_with(pattern.substr(0, pattern.size() - 1));
}

// Some interface name matches both patterns.
bool overlaps(std::string_view a, std::string_view b) { return covers(a, b) || covers(b, a); }

// ifname (a name or a pattern) lies wholly inside the WAN patterns.
bool matches_wan(const std::vector<std::string>& wan, std::string_view ifname)
{
    return std::any_of(wan.begin(), wan.end(), [&](const std::string& w) { return covers(w, ifname); });
}

void add_unique(std::vector<std::string>& v, const std::string& x)
{
    if (!x.empty() && std::find(v.begin(), v.end(), x) == v.end())
        v.push_back(x);
}

// iptables "ppp+" -> pppkit "ppp*"
std::string iface_name(std::string_view n)
{
    std::string r(n);
    if (!r.empty() && r.back() == '+')
        r.back() = '*';
    return r;
}

// An iptables interface (a name, or a prefix and a trailing '+') that
// pppkit.conf can hold: its pppkit spelling passes the loader's one check
// (common/ifname.hpp). '*' is no wildcard to iptables, only a byte of a name.
bool writable_iface(std::string_view n)
{
    return n.find('*') == std::string_view::npos && ifname::valid_pattern(iface_name(n));
}

std::vector<std::string> proto_ports(const Rule& r)
{
    std::vector<std::string> out;
    for (const auto& p : r.dports)
        out.push_back(r.proto + "/" + p);
    return out;
}

}  // namespace

// ---- public --------------------------------------------------------------

std::string_view outcome_name(Outcome o)
{
    switch (o) {
    case Outcome::Mapped: return "mapped";
    case Outcome::Covered: return "covered";
    case Outcome::Ignored: return "ignored";
    case Outcome::Changed: return "changed";
    case Outcome::Suspicious: return "SUSPICIOUS";
    case Outcome::Extras: return "extras";
    case Outcome::Failed: return "NOT IMPORTED";
    }
    return "?";
}

std::optional<std::vector<std::string>> shell_words(std::string_view line, const std::vector<Var>& vars,
                                                    std::string& error)
{
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    auto lookup = [&](std::string_view name, std::string& out) -> bool {
        // the latest assignment wins
        auto it = std::find_if(vars.rbegin(), vars.rend(), [&](const auto& v) { return v.name == name; });
        if (it != vars.rend()) {
            out = it->value;
            return true;
        }
        return false;
    };
    // reads $NAME or ${NAME} at line[i] ('$'); appends the value; i ends on the last char used
    auto expand = [&](size_t& i, std::string& into, bool& ok) -> bool {
        size_t j = i + 1;
        std::string name;
        if (j < line.size() && line[j] == '{') {
            auto close = line.find('}', j);
            if (close == std::string_view::npos) {
                error = "unterminated ${";
                ok = false;
                return true;
            }
            name = std::string(line.substr(j + 1, close - j - 1));
            i = close;
        } else {
            while (j < line.size() && is_name_char(line[j]))
                name += line[j++];
            if (name.empty())
                return false;  // a lone '$'
            i = j - 1;
        }
        std::string v;
        if (!lookup(name, v)) {
            error = "unset variable $" + name;
            ok = false;
            return true;
        }
        into += v;
        return true;
    };
    bool ok = true;
    for (size_t i = 0; i < line.size() && ok; ++i) {
        char c = line[i];
        if (c == ' ' || c == '\t') {
            if (in_word) {
                words.push_back(cur);
                cur.clear();
                in_word = false;
            }
            continue;
        }
        if (c == '#' && !in_word)
            break;
        if (c == '\'') {
            auto close = line.find('\'', i + 1);
            if (close == std::string_view::npos) {
                error = "unterminated single quote";
                return std::nullopt;
            }
            cur += line.substr(i + 1, close - i - 1);
            in_word = true;
            i = close;
            continue;
        }
        if (c == '"') {
            in_word = true;
            size_t j = i + 1;
            for (; j < line.size() && line[j] != '"' && ok; ++j) {
                if (line[j] == '\\' && j + 1 < line.size() &&
                    (line[j + 1] == '"' || line[j + 1] == '\\' || line[j + 1] == '$' || line[j + 1] == '`')) {
                    cur += line[++j];
                } else if (line[j] == '$') {
                    if (!expand(j, cur, ok))
                        cur += '$';
                } else {
                    cur += line[j];
                }
            }
            if (!ok)
                return std::nullopt;
            if (j >= line.size()) {
                error = "unterminated double quote";
                return std::nullopt;
            }
            i = j;
            continue;
        }
        if (c == '\\' && i + 1 < line.size()) {
            cur += line[++i];
            in_word = true;
            continue;
        }
        if (c == '$') {
            std::string v;
            if (!expand(i, v, ok)) {
                cur += '$';
                in_word = true;
                continue;
            }
            if (!ok)
                return std::nullopt;
            // unquoted expansion: split on blanks
            for (char vc : v) {
                if (vc == ' ' || vc == '\t') {
                    if (in_word) {
                        words.push_back(cur);
                        cur.clear();
                        in_word = false;
                    }
                } else {
                    cur += vc;
                    in_word = true;
                }
            }
            continue;
        }
        cur += c;
        in_word = true;
    }
    if (!ok)
        return std::nullopt;
    if (in_word)
        words.push_back(cur);
    return words;
}

Parsed parse(std::string_view text)
{
    std::istringstream in{std::string(text)};
    std::string raw;
    while (std::getline(in, raw)) {
        auto t = trim(raw);
        if (t == "COMMIT" || t == "*filter" || t == "*nat" || t == "*mangle" || t == "*raw" || t == "*security")
            return parse_save(text);
    }
    return parse_script(text);
}

std::vector<std::string> guard_ranges() { return {kGuard.begin(), kGuard.end()}; }

std::optional<std::string> guard_range_of(std::string_view net)
{
    auto n = net4(net);
    if (!n)
        return std::nullopt;
    for (auto g : kGuard) {
        auto gn = net4(g);
        if (gn && inside(*n, *gn))
            return std::string(g);
    }
    return std::nullopt;
}

std::optional<std::string> typo_of_guard_range(std::string_view net)
{
    auto n = net4(net);
    if (!n || guard_range_of(net))
        return std::nullopt;
    for (auto g : kGuard) {
        auto gn = net4(g);
        if (gn && gn->len == n->len && edit_distance(net, g) <= 2)
            return std::string(g);
    }
    return std::nullopt;
}

Mapping map(const Parsed& p)
{
    Mapping m;
    const auto& rules = p.rules;
    std::vector<std::vector<Note>> per(rules.size());
    std::vector<bool> done(rules.size(), false);
    auto note = [&](size_t i, Outcome o, std::string what) {
        per[i].push_back({rules[i].line, o, std::move(what)});
        done[i] = true;
    };

    for (const auto& r : rules)
        if (r.family == Family::V6)
            m.has_v6 = true;

    // 1. Interfaces: the WAN is where masquerade leaves and DNAT enters.
    for (const auto& r : rules) {
        // a name the loader would refuse is never written (its rule stays a leftover)
        if (r.family != Family::V4 || !r.unknown.empty())
            continue;
        if (r.table == "nat" && r.chain == "POSTROUTING" && r.target == "MASQUERADE" && writable_iface(r.out_if))
            add_unique(m.wan, r.out_if);
        if (r.table == "nat" && r.chain == "PREROUTING" && r.target == "DNAT" && writable_iface(r.in_if))
            add_unique(m.wan, r.in_if);
    }
    if (m.wan.empty())
        for (const auto& r : rules)  // no NAT: interfaces named ppp*
            for (const auto* i : {&r.in_if, &r.out_if})
                if (i->starts_with("ppp") && writable_iface(*i))
                    add_unique(m.wan, *i);
    auto is_wan = [&](const std::string& i) { return !i.empty() && matches_wan(m.wan, i); };
    // LAN: an interface (or pattern, "br+") that can match neither a WAN
    // interface nor loopback; "+" (every interface) is no LAN.
    auto is_lan_if = [&](const std::string& i) {
        return !i.empty() && writable_iface(i) && !overlaps(i, "lo") &&
               std::none_of(m.wan.begin(), m.wan.end(), [&](const std::string& w) { return overlaps(w, i); });
    };

    // 2. Log chains: user chains holding only LOG (+limit) and a final DROP/REJECT.
    std::map<std::string, LogChain> logchains;
    std::set<std::string> user_chains;
    for (const auto& r : rules) {
        if (r.op == Op::NewChain)
            user_chains.insert(r.table + "/" + r.chain);
    }
    for (size_t i = 0; i < rules.size(); ++i) {
        const auto& r = rules[i];
        if ((r.op != Op::Append && r.op != Op::Insert) || !user_chains.contains(r.table + "/" + r.chain))
            continue;
        auto& lc = logchains[r.table + "/" + r.chain];
        lc.rules.push_back(i);
        if (r.target == "LOG" && only_matches(r, {"limit"}) && !lc.has_drop) {
            lc.prefix = r.log_prefix;
            lc.level = r.log_level.empty() ? "warning" : r.log_level;
            lc.limited = r.limit;
            lc.rate = r.limit ? rate_name(r.limit_rate) : "";
        } else if ((r.target == "DROP" || r.target == "REJECT") && only_matches(r, {}) && !lc.has_drop) {
            lc.has_drop = true;
        } else {
            lc.valid = false;
        }
    }
    for (auto it = logchains.begin(); it != logchains.end();)
        it = (it->second.valid && it->second.has_drop) ? std::next(it) : logchains.erase(it);
    auto drops = [&](const Rule& r) {
        return r.target == "DROP" || r.target == "REJECT" || logchains.contains(r.table + "/" + r.target);
    };
    // which built-in chains end in a log-drop catch-all
    std::set<std::string> logged_chains;

    // 3. Final policies (the last -P of each chain).
    std::map<std::string, size_t> last_policy;
    for (size_t i = 0; i < rules.size(); ++i)
        if (rules[i].op == Op::Policy)
            last_policy[rules[i].table + "/" + rules[i].chain] = i;

    // 4. DNAT rules and their FORWARD accepts.
    struct Dnat {
        size_t idx;
        std::string host, port;  // port: "" when the DNAT keeps the port
    };
    std::vector<Dnat> dnats;
    for (size_t i = 0; i < rules.size(); ++i) {
        const auto& r = rules[i];
        if (r.family != Family::V4 || r.table != "nat" || r.chain != "PREROUTING" || r.target != "DNAT" ||
            (r.op != Op::Append && r.op != Op::Insert))
            continue;
        if (!only_matches(r, {"proto", "in", "src", "dst", "dports"}) || (r.proto != "tcp" && r.proto != "udp") ||
            r.dports.empty() || r.to_destination.empty() || (!r.in_if.empty() && !is_wan(r.in_if)))
            continue;
        std::string host = r.to_destination, port;
        if (auto c = host.find(':'); c != std::string::npos) {
            port = host.substr(c + 1);
            host.resize(c);
        }
        if (!net4(host) || host.find('-') != std::string::npos || port.find('-') != std::string::npos)
            continue;
        if (!port.empty() && r.dports.size() == 1 && port == r.dports[0])
            port.clear();  // "443 -> host:443" is "443 -> host"
        if (!port.empty() && (r.dports.size() != 1 || r.dports[0].find('-') != std::string::npos))
            continue;  // a port map needs a single external port
        dnats.push_back({i, host, port});
    }
    // A heading names a forward only when it heads that forward alone: a
    // comment above several DNAT rules is about all of them (or the file).
    std::map<int, int> dnats_under;
    for (const auto& d : dnats)
        if (rules[d.idx].heading_line != 0)
            ++dnats_under[rules[d.idx].heading_line];
    // The ports of the forwards written so far: the loader refuses two
    // forwards (or a forward and a wan-service) on one port and protocol.
    struct Held {
        std::string proto;
        PortRange ports;
        std::string owner;
        int line;
    };
    std::vector<Held> held;
    auto clash = [&](const std::string& proto, const std::string& ports) -> const Held* {
        auto rs = parse_ports(ports, nullptr);
        if (!rs)
            return nullptr;
        for (const auto& h : held)
            for (const auto& r : *rs)
                if (h.proto == proto && h.ports.lo <= r.hi && r.lo <= h.ports.hi)
                    return &h;
        return nullptr;
    };
    std::set<std::string> used_names;
    for (const auto& d : dnats) {
        const auto& r = rules[d.idx];
        // the FORWARD accept that lets it through
        std::optional<size_t> accept;
        for (size_t i = 0; i < rules.size() && !accept; ++i) {
            const auto& f = rules[i];
            if (done[i] || f.family != Family::V4 || f.table != "filter" || f.chain != "FORWARD" ||
                f.target != "ACCEPT" || !only_matches(f, {"proto", "in", "dst", "dports", "src"}))
                continue;
            if (f.proto != r.proto || (!f.in_if.empty() && !is_wan(f.in_if)))
                continue;
            if (!is_any(f.dst) && f.dst != d.host && f.dst != d.host + "/32")
                continue;
            std::vector<std::string> want = d.port.empty() ? r.dports : std::vector<std::string>{d.port};
            if (f.dports != want)
                continue;
            accept = i;
        }
        Forward fw;
        fw.line = r.line;
        fw.proto = r.proto;
        fw.port = join(r.dports, ",");
        fw.to = d.port.empty() ? d.host : d.host + ":" + d.port;
        if (!is_any(r.src))
            fw.from.push_back(r.src);
        // a name: the rule's comment, its heading, the service's name, proto-port
        std::vector<std::string> candidates;
        const std::string no_heading;
        const std::string* heading = dnats_under[r.heading_line] == 1 ? &r.heading : &no_heading;
        for (const auto* txt : {&r.comment, heading}) {
            if (txt->empty())
                continue;
            auto paren = txt->find('(');
            candidates.push_back(slug(txt->substr(0, paren)));
            candidates.push_back(slug(*txt));
        }
        if (r.dports.size() == 1)
            candidates.push_back(port_service_name(r.dports[0]));
        candidates.push_back(r.proto + "-" + slug(fw.port));
        for (const auto& c : candidates)
            if (!c.empty() && !used_names.contains(c)) {
                fw.name = c;
                break;
            }
        if (fw.name.empty()) {
            std::string base = r.proto + "-" + slug(fw.port);
            for (int n = 2; fw.name.empty(); ++n)
                if (!used_names.contains(base + "-" + std::to_string(n)))
                    fw.name = base + "-" + std::to_string(n);
        }
        used_names.insert(fw.name);
        if (!accept) {
            note(d.idx, Outcome::Changed,
                 "DNAT without a FORWARD accept (the original never let it through): written as a commented-out "
                 "[forward \"" +
                     fw.name + "\"]; enable it only if you mean to publish it");
            fw.accept_line = 0;
            m.forwards.push_back(fw);
            continue;
        }
        if (const Held* h = clash(r.proto, join(r.dports, ","))) {
            note(d.idx, Outcome::Failed,
                 r.proto + " " + join(r.dports, ",") + " overlaps " + h->owner + " (line " + std::to_string(h->line) +
                     "): pppkit forwards a port once; merge the two by hand");
            continue;
        }
        if (auto rs = parse_ports(join(r.dports, ","), nullptr))
            for (const auto& pr : *rs)
                held.push_back({r.proto, pr, "[forward \"" + fw.name + "\"]", r.line});
        fw.accept_line = rules[*accept].line;
        std::string extra;
        if (!is_any(r.dst))
            extra = "; the match on destination " + r.dst + " is dropped (pppkit forwards what reaches the WAN)";
        note(d.idx, Outcome::Mapped,
             "[forward \"" + fw.name + "\"] " + fw.proto + " " + fw.port + " -> " + fw.to + extra);
        note(*accept, Outcome::Mapped,
             "the FORWARD accept of [forward \"" + fw.name + "\"] (line " + std::to_string(r.line) + ")");
        m.forwards.push_back(fw);
    }

    // 5. Everything else, rule by rule.
    for (size_t i = 0; i < rules.size(); ++i) {
        if (done[i])
            continue;
        const auto& r = rules[i];
        const std::string key = r.table + "/" + r.chain;
        switch (r.op) {
        case Op::Flush:
        case Op::DeleteChain:
        case Op::Zero:
            note(i, Outcome::Ignored, "pppkit replaces only its own table (inet pppkit_fw), atomically");
            continue;
        case Op::Other: note(i, Outcome::Ignored, "not a ruleset statement"); continue;
        case Op::NewChain:
            if (logchains.contains(key))
                note(i, Outcome::Covered, "log-and-drop chain: pppkit logs its drops itself ([firewall] log)");
            else if (user_chains.contains(key))
                note(i, Outcome::Extras, "user chain, with its rules in the extras file");
            continue;
        case Op::Policy: {
            bool last = last_policy[key] == i;
            if (!last) {
                note(i, Outcome::Ignored, "superseded by a later policy for " + r.chain);
            } else if (r.table == "filter" && (r.chain == "INPUT" || r.chain == "FORWARD")) {
                if (r.policy == "DROP")
                    note(i, Outcome::Covered, "pppkit drops " + lower(r.chain) + " by default");
                else
                    note(i, Outcome::Changed,
                         r.chain + " policy " + r.policy + ": pppkit always drops by default what is not allowed");
            } else if (r.table == "filter" && r.chain == "OUTPUT") {
                if (r.policy == "ACCEPT")
                    note(i, Outcome::Covered, "pppkit accepts output (only the egress guard drops)");
                else
                    note(i, Outcome::Changed,
                         "OUTPUT policy " + r.policy + ": pppkit accepts output; only the egress guard drops");
            } else if (r.policy == "ACCEPT") {
                note(i, Outcome::Covered, "accept policy of " + r.table + " " + r.chain);
            } else {
                m.leftovers.push_back(i);
                done[i] = true;
            }
            continue;
        }
        case Op::Append:
        case Op::Insert: break;
        }
        if (!r.refused.empty()) {
            note(i, Outcome::Failed, join(r.refused, "; ") + ": " + r.text);
            continue;
        }
        if (r.family == Family::V6 || !r.unknown.empty()) {
            m.leftovers.push_back(i);
            done[i] = true;
            continue;
        }
        if (logchains.contains(key)) {
            const auto& lc = logchains[key];
            if (r.target == "LOG") {
                m.log = true;
                if (m.log_level.empty())
                    m.log_level = level_name(lc.level);
                if (lc.limited && m.log_rate.empty())
                    m.log_rate = lc.rate;
                std::string what = "log level " + lc.level + " -> log-level = " + level_name(lc.level);
                if (lc.limited)
                    what += ", limit " + lc.rate + " -> log-rate";
                if (!lc.prefix.empty())
                    what += "; the prefix '" + lc.prefix +
                            "' becomes pppkit's \"[pppkit drop <chain>] \" (see docs/firewall-logs.md)";
                if (lc.limited && r.limit_rate.empty())
                    what += "; note: a bare -m limit is iptables' default 3/hour, burst 5";
                note(i, Outcome::Mapped, what);
            } else {
                note(i, Outcome::Covered, "the drop after the log: pppkit's chains end the same way");
            }
            continue;
        }
        // established/related, loopback
        if (is_established_related(r) && r.target == "ACCEPT" && only_matches(r, {"state", "in", "out"})) {
            note(i, Outcome::Covered, "pppkit accepts established and related traffic first");
            continue;
        }
        if (r.target == "ACCEPT" &&
            ((r.chain == "INPUT" && r.in_if == "lo") || (r.chain == "OUTPUT" && r.out_if == "lo")) &&
            only_matches(r, {"in", "out"})) {
            note(i, Outcome::Covered, "pppkit accepts loopback");
            continue;
        }
        if (r.table == "nat" && r.chain == "POSTROUTING" && r.target == "MASQUERADE" &&
            only_matches(r, {"out", "src"}) && (r.out_if.empty() || is_wan(r.out_if))) {
            // pppkit masquerades the whole LAN (lan-interfaces and lan-networks):
            // a source network becomes lan-networks, but one host cannot (it
            // would shrink the LAN, and everything the LAN may do, to that host).
            std::optional<Net4> src;
            if (!is_any(r.src))
                src = net4(r.src);
            if (!is_any(r.src) && (!src || src->len == 32)) {
                m.leftovers.push_back(i);
                done[i] = true;
                per[i].push_back(
                    {r.line, Outcome::Extras,
                     "masquerading " + r.src +
                         " only: not masquerade = yes, which would masquerade the whole LAN (and lan-networks = " +
                         r.src + " would shrink the LAN to it); kept as a rule of its own in the extras file"});
                continue;
            }
            std::string net;
            if (src) {  // iptables masks host bits away (192.168.1.1/24 is 192.168.1.0/24)
                in_addr ia{htonl(src->addr & mask(src->len))};
                std::array<char, INET_ADDRSTRLEN> txt{};
                inet_ntop(AF_INET, &ia, txt.data(), txt.size());
                net = std::string(txt.data()) + "/" + std::to_string(src->len);
                add_unique(m.lan_networks, net);
            }
            m.masquerade = true;
            note(i, Outcome::Mapped, "masquerade = yes" + (net.empty() ? std::string() : ", lan-networks += " + net));
            continue;
        }
        if (r.table != "filter") {
            m.leftovers.push_back(i);
            done[i] = true;
            continue;
        }
        if (r.chain == "FORWARD") {
            if (is_lan_if(r.in_if) && is_wan(r.out_if) && r.target == "ACCEPT" && only_matches(r, {"in", "out"})) {
                add_unique(m.lan_interfaces, r.in_if);
                note(i, Outcome::Covered, "pppkit forwards LAN -> WAN (lan-interfaces += " + r.in_if + ")");
                continue;
            }
            if (drops(r) && (r.proto == "tcp" || r.proto == "udp") && !r.dports.empty() &&
                (r.in_if.empty() || is_lan_if(r.in_if)) && is_wan(r.out_if) &&
                only_matches(r, {"in", "out", "proto", "dports"})) {
                if (!r.in_if.empty())
                    add_unique(m.lan_interfaces, r.in_if);
                for (const auto& pp : proto_ports(r))
                    add_unique(m.forward_block, pp);
                note(i, Outcome::Mapped, "forward-block += " + join(proto_ports(r), ", "));
                continue;
            }
            if (drops(r) && only_matches(r, {})) {
                logged_chains.insert("FORWARD");
                note(i, Outcome::Covered,
                     std::string("catch-all drop at the end of FORWARD: pppkit's forward chain ends in a ") +
                         (logchains.contains(r.table + "/" + r.target) ? "logged " : "") + "drop");
                continue;
            }
        }
        if (r.chain == "INPUT") {
            if (r.target == "ACCEPT" && r.proto == "icmp" && (r.icmp_type.empty() || r.icmp_type == "any") &&
                is_lan_if(r.in_if) && only_matches(r, {"in", "proto", "icmp", "dst"})) {
                m.lan_icmp = true;
                add_unique(m.lan_interfaces, r.in_if);
                note(i, Outcome::Mapped, "lan-icmp = yes");
                continue;
            }
            if (r.target == "ACCEPT" && r.proto == "icmp" && (r.icmp_type == "echo-request" || r.icmp_type == "8") &&
                (r.in_if.empty() || is_wan(r.in_if)) && only_matches(r, {"in", "proto", "icmp", "limit"})) {
                m.wan_ping = true;
                note(i, Outcome::Mapped, "wan-ping = yes (pppkit rate-limits it: wan-ping-rate, default 5/second)");
                continue;
            }
            if (r.target == "ACCEPT" && r.proto == "icmp" &&
                (r.icmp_type == "echo-reply" || r.icmp_type == "0" || r.icmp_type == "destination-unreachable" ||
                 r.icmp_type == "time-exceeded") &&
                only_matches(r, {"in", "proto", "icmp"})) {
                note(i, Outcome::Covered,
                     "ICMP " + r.icmp_type + " answers the router's own traffic: accepted as established/related");
                continue;
            }
            if (r.target == "ACCEPT" && (r.proto == "tcp" || r.proto == "udp") && !r.dports.empty() &&
                is_lan_if(r.in_if) && only_matches(r, {"in", "proto", "dports", "dst"})) {
                add_unique(m.lan_interfaces, r.in_if);
                for (const auto& pp : proto_ports(r))
                    add_unique(m.router_services, pp);
                std::string what = "router-services += " + join(proto_ports(r), ", ");
                if (!is_any(r.dst))
                    what += "; pppkit allows it to any of the router's addresses, not only " + r.dst;
                note(i, Outcome::Mapped, what);
                continue;
            }
            if (r.target == "ACCEPT" && (r.proto == "tcp" || r.proto == "udp") && !r.dports.empty() &&
                (r.in_if.empty() || is_wan(r.in_if)) && only_matches(r, {"in", "proto", "dports"})) {
                if (const Held* h = clash(r.proto, join(r.dports, ","))) {
                    note(i, Outcome::Ignored,
                         h->owner + " (line " + std::to_string(h->line) + ") takes " + r.proto + " " +
                             join(r.dports, ",") + ": its DNAT sends it on before INPUT sees it (not imported)");
                    continue;
                }
                for (const auto& pp : proto_ports(r))
                    add_unique(m.wan_services, pp);
                note(i, Outcome::Mapped,
                     "wan-services += " + join(proto_ports(r), ", ") +
                         (r.in_if.empty() ? " (the original allowed it from every interface)" : ""));
                continue;
            }
            if (r.target == "ACCEPT" && is_lan_if(r.in_if) && only_matches(r, {"in"})) {
                add_unique(m.lan_interfaces, r.in_if);
                m.lan_default_accept = true;
                note(i, Outcome::Mapped, "lan-default = accept");
                continue;
            }
            if (drops(r) && only_matches(r, {})) {
                logged_chains.insert("INPUT");
                note(i, Outcome::Covered,
                     std::string("catch-all drop at the end of INPUT: pppkit's input chain ends in a ") +
                         (logchains.contains(r.table + "/" + r.target) ? "logged " : "") + "drop");
                continue;
            }
        }
        if (r.chain == "OUTPUT") {
            if (drops(r) && is_wan(r.out_if) && !is_any(r.dst) && only_matches(r, {"out", "dst"})) {
                if (auto g = guard_range_of(r.dst)) {
                    m.egress_guard = true;
                    note(i, Outcome::Mapped,
                         "egress-guard = yes (covers " + r.dst + (*g == r.dst ? std::string() : " inside " + *g) + ")");
                } else if (auto t = typo_of_guard_range(r.dst)) {
                    m.egress_guard = true;
                    note(i, Outcome::Suspicious,
                         r.dst + " is public address space, not a private range: probably a typo for " + *t +
                             ". The original never guarded " + *t +
                             "; pppkit's egress guard does. "
                             "This rule is NOT imported (it would drop traffic to real public hosts)");
                } else {
                    m.leftovers.push_back(i);
                    done[i] = true;
                    per[i].push_back({r.line, Outcome::Extras,
                                      r.dst + " is not a special-purpose range; kept as an extra drop rule"});
                }
                continue;
            }
            if (drops(r) && only_matches(r, {})) {
                note(i, Outcome::Changed,
                     "catch-all drop on OUTPUT: it would cut every outbound packet although the policy is ACCEPT; "
                     "not imported (pppkit accepts output, only the egress guard drops)");
                continue;
            }
        }
        m.leftovers.push_back(i);
        done[i] = true;
    }
    // The loader refuses a forward whose target lies outside the IPv4
    // lan-networks, which are known only now: such a forward is not imported.
    std::vector<Net4> lan4;
    for (const auto& n : m.lan_networks)
        if (auto net = net4(n))
            lan4.push_back(*net);
    if (!lan4.empty())
        std::erase_if(m.forwards, [&](const Forward& f) {
            if (f.accept_line == 0)
                return false;  // written commented out: the loader never sees it
            auto host = net4(f.to.substr(0, f.to.find(':')));
            if (host && std::any_of(lan4.begin(), lan4.end(), [&](const Net4& n) { return inside(*host, n); }))
                return false;
            m.notes.push_back({f.line, Outcome::Failed,
                               "forward to " + f.to + " lies outside lan-networks (" + join(m.lan_networks, ", ") +
                                   "), which pppkit refuses: not imported; add its network to lan-networks by hand"});
            return true;
        });
    // Derived settings and whole-file notes.
    if (auto it = last_policy.find("filter/INPUT"); it != last_policy.end() && rules[it->second].policy == "ACCEPT")
        m.lan_default_accept = true;
    if (m.lan_interfaces.empty() && m.lan_networks.empty())
        m.notes.push_back({0, Outcome::Failed,
                           "no LAN interface or network found: set [firewall] lan-interfaces or lan-networks by hand"});
    if (m.wan.empty())
        m.notes.push_back({0, Outcome::Changed, "no WAN interface found: wan = ppp* (pppkit's default)"});
    if (m.egress_guard) {
        std::vector<std::string> missing;
        for (auto g : kGuard) {
            bool had = false;
            for (const auto& r : rules)
                if (r.chain == "OUTPUT" && !r.dst.empty() && r.dst == g)
                    had = true;
            if (!had)
                missing.emplace_back(g);
        }
        if (!missing.empty())
            m.notes.push_back(
                {0, Outcome::Changed, "the egress guard also drops (and logs) WAN egress to " + join(missing, ", ")});
    }
    if (!m.forwards.empty())
        m.notes.push_back({0, Outcome::Changed,
                           "reflection = yes: LAN hosts reach the forwards through the public address too "
                           "(the original had no hairpin NAT)"});
    if (!m.has_v6)
        m.notes.push_back({0, Outcome::Changed,
                           "the file has no IPv6 rules: pppkit's IPv6 defaults apply (input and forward dropped, "
                           "ICMPv6 essentials allowed); set ipv6 = no to leave IPv6 alone"});
    for (size_t i = 0; i < rules.size(); ++i)
        for (auto& n : per[i])
            m.notes.push_back(std::move(n));
    std::stable_sort(m.notes.begin(), m.notes.end(), [](const Note& a, const Note& b) { return a.line < b.line; });
    return m;
}

namespace {

// One word of an iptables-restore line: quoted when it holds a blank or a quote.
std::string restore_word(std::string_view w)
{
    if (!w.empty() && w.find_first_of(" \t\"'\\") == std::string_view::npos)
        return std::string(w);
    std::string q = "\"";
    for (char c : w) {
        if (c == '"' || c == '\\')
            q += '\\';
        q += c;
    }
    return q + "\"";
}

constexpr std::string_view kMarker = "pppkit-import-";

}  // namespace

TranslatorRun translator_run(const Parsed& p, const Mapping& m, Family f, std::vector<Translation>& done)
{
    TranslatorRun run;
    run.argv = {f == Family::V6 ? "ip6tables-restore-translate" : "iptables-restore-translate", "-f", "/dev/stdin"};
    done.resize(m.leftovers.size());
    std::string table;
    auto add = [&](const std::string& line, size_t k) {
        run.input += line + "\n";
        run.owner.push_back(k);
    };
    for (size_t k = 0; k < m.leftovers.size(); ++k) {
        const Rule& r = p.rules[m.leftovers[k]];
        if (r.family != f || done[k].output || !done[k].error.empty())
            continue;
        std::string line;
        if (r.op == Op::NewChain) {
            line = ":" + r.chain + " - [0:0]";
        } else if (r.op == Op::Append || r.op == Op::Insert) {
            for (size_t i = 0; i < r.args.size(); ++i) {
                if (r.args[i] == "-t" || r.args[i] == "--table") {
                    ++i;  // a restore file names the table in its "*table" line
                    continue;
                }
                line += (line.empty() ? "" : " ") + restore_word(r.args[i]);
            }
        } else {
            done[k].error = "the translator does not translate " +
                            std::string(r.op == Op::Policy ? "chain policies" : "this command");
            continue;
        }
        if (r.table != table) {
            if (!table.empty())
                add("COMMIT", SIZE_MAX);
            table = r.table;
            add("*" + table, SIZE_MAX);
        }
        add(line, k);
        add("-A " + restore_word(r.chain) + " -m comment --comment " + std::string(kMarker) + std::to_string(k), k);
        run.leftovers.push_back(k);
    }
    if (!table.empty())
        add("COMMIT", SIZE_MAX);
    return run;
}

void take_translation(const TranslatorRun& run, bool ok, std::string_view output, std::vector<Translation>& done)
{
    if (!ok) {
        // "iptables-translate-restore v1.8.9 (nf_tables): unknown option "--bogus"" and
        // "Error occurred at line: 3"
        std::string why;
        size_t blamed = SIZE_MAX;
        for (const auto& raw : text::split(output, "\n")) {
            std::string_view l = raw;
            if (l.starts_with("Error occurred at line: ")) {
                long n = std::strtol(std::string(l.substr(24)).c_str(), nullptr, 10);
                if (n >= 1 && static_cast<size_t>(n) <= run.owner.size())
                    blamed = run.owner[static_cast<size_t>(n) - 1];
            } else if (why.empty() && !l.starts_with("#") && !l.starts_with("add ") && !l.starts_with("insert ") &&
                       !l.starts_with("Try ")) {
                why = raw;
            }
        }
        if (why.empty())
            why = run.argv[0] + " failed";
        if (blamed != SIZE_MAX) {
            done[blamed].error = why;
            return;
        }
        for (size_t k : run.leftovers)
            done[k].error = why;
        return;
    }
    std::string cur;
    for (const auto& raw : text::split(output, "\n")) {
        std::string_view l = raw;
        if (l.starts_with("# Translated by") || l.starts_with("# Completed on") || l.starts_with("add table "))
            continue;
        auto at = l.rfind(std::string("comment \"") + std::string(kMarker));
        if (at != std::string_view::npos && l.starts_with("add rule ") && l.back() == '"') {
            auto num = l.substr(at + 9 + kMarker.size());
            num.remove_suffix(1);
            size_t k = 0;
            auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), k);
            if (ec == std::errc() && ptr == num.data() + num.size() && k < done.size()) {
                done[k].output = cur;
                cur.clear();
                continue;
            }
        }
        cur += (cur.empty() ? "" : "\n") + raw;
    }
    for (size_t k : run.leftovers)
        if (!done[k].output && done[k].error.empty())
            done[k].error = run.argv[0] + " printed nothing for it";
}

namespace {

// The pppkit chain a translated iptables chain goes into, and its header.
struct ChainPlace {
    std::string name;
    std::string header;  // "" for a regular (non-base) chain
};

ChainPlace place_of(std::string_view family, std::string_view table, std::string_view chain)
{
    std::string fam = family == "ip6" ? "6" : "";
    std::string base = "import" + fam + "_" + lower(table) + "_" + lower(chain);
    // base chains run just before pppkit's own (priority - 5): a drop there is
    // final, an accept only ends this chain and pppkit's chain still decides.
    static const std::map<std::string, std::string, std::less<>> hooks = {
        {"filter/INPUT", "type filter hook input priority filter - 5; policy accept;"},
        {"filter/FORWARD", "type filter hook forward priority filter - 5; policy accept;"},
        {"filter/OUTPUT", "type filter hook output priority filter - 5; policy accept;"},
        {"nat/PREROUTING", "type nat hook prerouting priority dstnat - 5; policy accept;"},
        {"nat/POSTROUTING", "type nat hook postrouting priority srcnat - 5; policy accept;"},
        {"nat/OUTPUT", "type nat hook output priority -105; policy accept;"},
        {"mangle/PREROUTING", "type filter hook prerouting priority mangle - 5; policy accept;"},
        {"mangle/FORWARD", "type filter hook forward priority mangle - 5; policy accept;"},
        {"mangle/POSTROUTING", "type filter hook postrouting priority mangle - 5; policy accept;"},
        {"mangle/OUTPUT", "type route hook output priority mangle - 5; policy accept;"},
        {"mangle/INPUT", "type filter hook input priority mangle - 5; policy accept;"},
        {"raw/PREROUTING", "type filter hook prerouting priority raw - 5; policy accept;"},
        {"raw/OUTPUT", "type filter hook output priority raw - 5; policy accept;"},
    };
    auto it = hooks.find(std::string(table) + "/" + std::string(chain));
    return {base, it == hooks.end() ? std::string() : it->second};
}

// One translated line: "add rule ip filter INPUT tcp dport 22 counter accept".
struct NftLine {
    std::string verb;  // "rule", "chain", "policy", "other"
    std::string family, table, chain, body;
};

std::optional<NftLine> parse_nft_line(std::string_view line)
{
    std::istringstream in{std::string(trim(line))};
    std::string w1, w2, fam, table, chain;
    in >> w1 >> w2 >> fam >> table >> chain;
    if (w1 != "add" && w1 != "insert")
        return std::nullopt;
    NftLine n;
    n.family = fam;
    n.table = table;
    n.chain = chain;
    std::string rest;
    std::getline(in, rest);
    n.body = std::string(trim(rest));
    if (w2 == "rule")
        n.verb = w1 == "insert" ? "insert" : "rule";
    else if (w2 == "chain")
        n.verb = "chain";
    else
        return std::nullopt;
    return n;
}

}  // namespace

Extras render_extras(const Parsed& p, const Mapping& m, const std::vector<Translation>& translations)
{
    Extras x;
    // chain name -> ordered rule lines
    std::vector<std::string> order;
    std::map<std::string, ChainPlace> places;
    std::map<std::string, std::vector<std::string>> bodies;
    // iptables user chain name -> pppkit chain name, for jump/goto rewriting
    std::map<std::string, std::string> renames;
    for (size_t idx : m.leftovers) {
        const Rule& r = p.rules[idx];
        if (r.op == Op::NewChain || (r.op != Op::Append && r.op != Op::Insert && r.op != Op::Policy))
            continue;
        std::string fam = r.family == Family::V6 ? "ip6" : "ip";
        renames[r.table + "/" + r.chain] = place_of(fam, r.table, r.chain).name;
    }
    for (size_t k = 0; k < m.leftovers.size(); ++k) {
        const Rule& r = p.rules[m.leftovers[k]];
        const Translation* t = k < translations.size() ? &translations[k] : nullptr;
        if (!t || !t->output) {
            x.notes.push_back({r.line, Outcome::Failed,
                               "the translator failed" + (t && !t->error.empty() ? ": " + t->error : std::string()) +
                                   "; rewrite it by hand in the extras file: " + r.text});
            continue;
        }
        std::istringstream in(*t->output);
        std::string line;
        int used = 0;
        while (std::getline(in, line)) {
            auto n = parse_nft_line(line);
            if (!n)
                continue;
            auto place = place_of(n->family, n->table, n->chain);
            if (!places.contains(place.name)) {
                places[place.name] = place;
                order.push_back(place.name);
            }
            if (n->verb == "rule" || n->verb == "insert") {
                std::string body = n->body;
                // jumps to user chains: their pppkit names
                for (const auto* kw : {"jump ", "goto "}) {
                    auto pos = body.find(kw);
                    if (pos == std::string::npos)
                        continue;
                    auto start = pos + std::string_view(kw).size();
                    auto end = body.find(' ', start);
                    std::string target = body.substr(start, end == std::string::npos ? std::string::npos : end - start);
                    auto ren = renames.find(n->table + "/" + target);
                    std::string to = ren != renames.end() ? ren->second : place_of(n->family, n->table, target).name;
                    body.replace(start, target.size(), to);
                }
                auto& b = bodies[place.name];
                std::string text = "        " + body + "  # line " + std::to_string(r.line);
                if (n->verb == "insert")
                    b.insert(b.begin(), text);
                else
                    b.push_back(text);
            }
            ++used;
        }
        if (used == 0) {
            std::string said(trim(*t->output));
            std::replace(said.begin(), said.end(), '\n', ' ');
            if (said.starts_with("# "))  // the translator's "cannot translate" echo of the rule
                said = "no nft equivalent";
            x.notes.push_back({r.line, Outcome::Failed,
                               "the translator gave no rule (" + said + "); rewrite it by hand in the extras file"});
            continue;
        }
        auto pl = place_of(r.family == Family::V6 ? "ip6" : "ip", r.table, r.chain);
        std::string what = "translated into chain " + pl.name + " of the extras file";
        if (!pl.header.empty() && (r.target == "ACCEPT" || r.policy == "ACCEPT"))
            what += " (an accept there opens nothing pppkit drops: use wan-services, router-services or a forward)";
        x.notes.push_back({r.line, Outcome::Extras, what});
    }
    if (order.empty())
        return x;
    std::ostringstream o;
    o << "# pppkit firewall extras, written by `pppkit firewall import` from iptables rules that\n"
         "# pppkit.conf cannot express. Included into pppkit's table (inet pppkit_fw); variables:\n"
         "# $wan_ifaces (the wan patterns; a second session is WAN through @wan, match it too),\n"
         "# $lan_ifaces (lan-interfaces), $public4 (the current public address).\n"
         "# Base chains here run just before pppkit's own (priority - 5): their drops are final,\n"
         "# their accepts are not (pppkit's chains still decide). Review before use.\n";
    for (const auto& name : order) {
        const auto& pl = places[name];
        o << "\nchain " << name << " {\n";
        if (!pl.header.empty())
            o << "        " << pl.header << "\n";
        for (const auto& b : bodies[name])
            o << b << "\n";
        o << "}\n";
    }
    x.text = o.str();
    return x;
}

std::string render_ini(const Mapping& m, std::string_view source_name, std::string_view extras_path)
{
    std::ostringstream o;
    auto list = [](const std::vector<std::string>& v) { return join(v, ", "); };
    o << "# pppkit.conf - imported by `pppkit firewall import` from " << source_name << ".\n"
      << "# Read the import report before use; `pppkit --config THIS check` validates it.\n\n"
      << "[firewall]\n";
    std::vector<std::string> wan;
    for (const auto& w : m.wan)
        wan.push_back(iface_name(w));
    o << "wan = " << (wan.empty() ? "ppp*" : list(wan)) << "\n";
    std::vector<std::string> lan;
    for (const auto& l : m.lan_interfaces)
        lan.push_back(iface_name(l));
    if (!lan.empty())
        o << "lan-interfaces = " << list(lan) << "\n";
    if (!m.lan_networks.empty())
        o << "lan-networks = " << list(m.lan_networks) << "\n";
    o << "router-services = " << (m.router_services.empty() ? "none" : list(m.router_services)) << "\n";
    o << "lan-icmp = " << (m.lan_icmp ? "yes" : "no") << "\n";
    o << "lan-default = " << (m.lan_default_accept ? "accept" : "drop") << "\n";
    o << "wan-ping = " << (m.wan_ping ? "yes" : "no") << "\n";
    if (!m.wan_services.empty())
        o << "wan-services = " << list(m.wan_services) << "\n";
    o << "forward-block = " << (m.forward_block.empty() ? "none" : list(m.forward_block)) << "\n";
    o << "masquerade = " << (m.masquerade ? "yes" : "no") << "\n";
    o << "reflection = yes\n";
    o << "egress-guard = " << (m.egress_guard ? "yes" : "no") << "\n";
    o << "ipv6 = yes\n";
    o << "log = " << (m.log ? "yes" : "no") << "\n";
    if (!m.log_level.empty())
        o << "log-level = " << m.log_level << "\n";
    if (!m.log_rate.empty())
        o << "log-rate = " << m.log_rate << "\n";
    if (!extras_path.empty())
        o << "extras = " << extras_path << "\n";
    for (const auto& f : m.forwards) {
        std::string pre = f.accept_line == 0 ? "# " : "";
        o << "\n";
        if (f.accept_line == 0)
            o << "# DNAT without FORWARD accept in the original (line " << f.line << "): not published\n";
        else
            o << "# lines " << f.line << " and " << f.accept_line << "\n";
        o << pre << "[forward \"" << f.name << "\"]\n"
          << pre << "proto = " << f.proto << "\n"
          << pre << "port = " << f.port << "\n"
          << pre << "to = " << f.to << "\n";
        if (!f.from.empty())
            o << pre << "from = " << list(f.from) << "\n";
    }
    return o.str();
}

std::string render_report(const Parsed& p, const Mapping& m, const Extras& x, std::string_view source_name)
{
    std::vector<Note> all = p.notes;
    all.insert(all.end(), m.notes.begin(), m.notes.end());
    all.insert(all.end(), x.notes.begin(), x.notes.end());
    // A leftover's "Extras" note from map() and its translation note from render_extras():
    // keep both; order by line.
    std::stable_sort(all.begin(), all.end(), [](const Note& a, const Note& b) { return a.line < b.line; });
    std::map<Outcome, int> count;
    for (const auto& n : all)
        if (n.line != 0)
            ++count[n.outcome];
    size_t published = 0;
    for (const auto& f : m.forwards)
        published += f.accept_line != 0 ? 1 : 0;
    std::ostringstream o;
    o << "pppkit firewall import: " << source_name << " ("
      << (p.format == Format::Save ? "iptables-save file" : "shell script") << ", " << p.rules.size()
      << " iptables statements)\n";
    o << "  " << published << " forward" << (published == 1 ? "" : "s") << ", masquerade "
      << (m.masquerade ? "yes" : "no")
      << ", router-services: " << (m.router_services.empty() ? "none" : join(m.router_services, ", ")) << "\n";
    o << "  mapped " << count[Outcome::Mapped] << ", covered by pppkit's policy " << count[Outcome::Covered]
      << ", ignored " << count[Outcome::Ignored] << ", changed on purpose " << count[Outcome::Changed]
      << ", into extras " << count[Outcome::Extras] << ", suspicious " << count[Outcome::Suspicious]
      << ", not imported " << count[Outcome::Failed] << "\n";
    bool warned = false;
    for (const auto& n : all) {
        if (n.outcome != Outcome::Suspicious && n.outcome != Outcome::Failed)
            continue;
        if (!warned)
            o << "\nWarnings:\n";
        warned = true;
        o << source_name << ":" << n.line << ": " << outcome_name(n.outcome) << ": " << n.what << "\n";
    }
    o << "\nNotes:\n";
    for (const auto& n : all)
        if (n.line == 0)
            o << "- " << outcome_name(n.outcome) << ": " << n.what << "\n";
    o << "\nEvery statement:\n";
    for (const auto& n : all)
        if (n.line != 0)
            o << source_name << ":" << n.line << ": " << outcome_name(n.outcome) << ": " << n.what << "\n";
    return o.str();
}

}  // namespace pppkit::firewall::import
