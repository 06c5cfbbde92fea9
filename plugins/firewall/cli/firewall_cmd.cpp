// pppkit firewall check|show|apply|up|down|status|import (see
// plugins/firewall/README.md and pppkit-firewall(8)).
//
// The same core (firewall/core) and nft::Context as pppkit-firewall.so:
//   apply  is what pppkit-firewall.service runs at boot, and what the plugin's
//          configure() does when the table is missing: the full ruleset, fail
//          closed (previous ruleset kept, else the failsafe);
//   up/down are exactly the plugin's per-link ip-up / ip-down transactions:
//          only that link's elements change, every other link's stay.
// Exit status: 0 done, 1 nftables refused or the table is not loaded,
// 2 usage or configuration problem (with file:line messages on stderr).
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/cli.hpp"
#include "common/ifname.hpp"
#include "common/nfnl.hpp"
#include "common/nft.hpp"
#include "firewall/core/firewall.hpp"
#include "firewall/core/lifecycle.hpp"
#include "registry.hpp"

namespace pppkit::cli {

// pppkit firewall import FILE ...: import_cmd.cpp
int firewall_import(const Args& in);

namespace {

using namespace pppkit::firewall;

int usage()
{
    std::fprintf(stderr, "usage: pppkit [--config FILE] firewall COMMAND\n"
                         "  check                     validate the config and dry-run the ruleset in the kernel\n"
                         "  show [--wan IFNAME] [--public-address A] [--link NAME] ...\n"
                         "                            print the generated ruleset (the Nth --wan pairs with the Nth\n"
                         "                            --public-address and --link: one link each)\n"
                         "  apply                     load the full ruleset (boot); fails closed\n"
                         "  up IFNAME ADDRESS [--link NAME]\n"
                         "                            the plugin's ip-up update of one link: WAN interface and public\n"
                         "                            address (NAME: its [link NAME]); other links are kept\n"
                         "  down IFNAME               the plugin's ip-down update: that link's elements removed\n"
                         "  status                    what is loaded now, every link\n"
                         "  import FILE ...           translate an iptables script or iptables-save file\n");
    return 2;
}

bool valid_ifname(const std::string& n) { return ifname::valid_name(n); }

bool valid_ipv4(const std::string& a)
{
    in_addr in{};
    return inet_pton(AF_INET, a.c_str(), &in) == 1;
}

void print_problems(const std::vector<std::string>& problems)
{
    for (const auto& p : problems)
        std::fprintf(stderr, "%s\n", p.c_str());
}

// Loads and validates; prints the problems. nullopt: exit 2.
std::optional<Settings> settings_or_report(const std::string& path, bool explicit_path)
{
    auto p = prepare(path, explicit_path);
    if (!p.settings) {
        print_problems(p.problems);
        std::fprintf(stderr, "pppkit firewall: %zu problem%s\n", p.problems.size(), p.problems.size() == 1 ? "" : "s");
    }
    return p.settings;
}

int check(const std::string& path, bool explicit_path)
{
    auto p = prepare(path, explicit_path);
    if (!p.settings) {
        print_problems(p.problems);
        std::fprintf(stderr, "pppkit firewall: %zu problem%s\n", p.problems.size(), p.problems.size() == 1 ? "" : "s");
        return 2;
    }
    // The same dry run apply starts with, in a child process.
    if (auto err = check_isolated(p)) {
        std::fprintf(stderr, "%s\n", err->c_str());
        return 2;
    }
    const Settings& s = *p.settings;
    std::printf("pppkit firewall: configuration OK, nft accepts the ruleset (%zu forward%s%s%s)\n", s.forwards.size(),
                s.forwards.size() == 1 ? "" : "s", s.extras ? ", extras " : "", s.extras ? s.extras->c_str() : "");
    return 0;
}

int show(const std::string& path, bool explicit_path, const Args& args)
{
    std::vector<std::string> wans, addrs, names;
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--public-address" && i + 1 < args.size() && valid_ipv4(args[i + 1])) {
            addrs.push_back(args[++i]);
        } else if (args[i] == "--wan" && i + 1 < args.size() && valid_ifname(args[i + 1])) {
            wans.push_back(args[++i]);
        } else if (args[i] == "--link" && i + 1 < args.size() && !args[i + 1].empty()) {
            names.push_back(args[++i]);
        } else {
            std::fprintf(stderr, "pppkit firewall show: bad argument '%s'\n", args[i].c_str());
            return usage();
        }
    }
    auto s = settings_or_report(path, explicit_path);
    if (!s)
        return 2;
    Dynamic d;
    for (size_t i = 0; i < std::max({wans.size(), addrs.size(), names.size()}); ++i)
        d.links.push_back(WanLink{i < wans.size() ? wans[i] : "ppp" + std::to_string(i),
                                  i < addrs.size() ? std::optional<std::string>(addrs[i]) : std::nullopt,
                                  i < names.size() ? names[i] : ""});
    std::printf("%s", full_ruleset(*s, d).c_str());
    return 0;
}

int apply_cmd(const std::string& path, bool explicit_path)
{
    auto p = prepare(path, explicit_path);
    if (!p.configured) {
        // Not an error: pppkit may be installed for its other plugins only.
        // A config that has [firewall] but is invalid fails closed below.
        std::printf("pppkit firewall: no [firewall] section in %s: nothing loaded, table inet %s left as it is\n",
                    path.c_str(), std::string(kTable).c_str());
        return 0;
    }
    // An extras file's child check (a fork) first: the dynamic part is read
    // right before the commit, so that a link ending meanwhile is not
    // written back (review 28 F1).
    if (p.settings && p.extras)
        (void)check_isolated(p);
    nft::Context nft;
    nfnl::Socket gen;
    // A reload while a link is up keeps what ip-up set (what is still live);
    // after a flush the plugins' records of their links give it back; a
    // pppd's update committed meanwhile makes it load again (apply_current).
    int loads = 0;
    auto r = apply_current(
        nft, p, [&] { return dynamic_to_load(nft); }, [&] { return gen.generation(); }, &loads);
    print_problems(r.problems);
    switch (r.outcome) {
    case Outcome::Applied:
        std::printf("pppkit firewall: ruleset loaded (table inet %s, %zu forward%s, digest %s)\n",
                    std::string(kTable).c_str(), p.settings->forwards.size(),
                    p.settings->forwards.size() == 1 ? "" : "s", p.settings->digest().c_str());
        if (loads > 1)
            std::printf("pppkit firewall: another commit came between reading the links and loading: loaded %d "
                        "times\n",
                        loads);
        for (const auto& l : describe(set_forwarding(*p.settings)))
            std::fprintf(l.warn ? stderr : stdout, "pppkit firewall: %s%s\n", l.warn ? "warning: " : "",
                         l.text.c_str());
        return 0;
    case Outcome::KeptPrevious:
        std::fprintf(stderr, "pppkit firewall: NOT applied; the previous ruleset stays in force\n");
        break;
    case Outcome::KeptFailsafe:
        std::fprintf(stderr, "pppkit firewall: NOT applied; the failsafe ruleset stays (input only from loopback and "
                             "the LAN interfaces, no forwarding)\n");
        break;
    case Outcome::FailsafeApplied:
        std::fprintf(stderr, "pppkit firewall: NOT applied; no ruleset was loaded, so the failsafe is now loaded "
                             "(input only from loopback and the LAN interfaces, no forwarding)\n");
        break;
    case Outcome::FailsafeFailed:
        std::fprintf(stderr, "pppkit firewall: NOT applied, and even the constant failsafe could not be loaded: THERE "
                             "IS NO FIREWALL\n");
        return 1;
    }
    return p.settings ? 1 : 2;
}

// up/down: one link's elements. The config gives the links forwards name
// (their sets): the table must hold that configuration's ruleset.
int dynamic(const std::string& path, bool explicit_path, const Args& in)
{
    Args args = in;
    std::string name;
    for (size_t i = 1; i + 1 < args.size(); ++i)
        if (args[i] == "--link") {
            name = args[i + 1];
            args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
            break;
        }
    const std::string& verb = args[0];
    if ((verb == "up" && args.size() != 3) || (verb == "down" && args.size() != 2) || (verb == "down" && !name.empty()))
        return usage();
    if (!valid_ifname(args[1])) {
        std::fprintf(stderr, "pppkit firewall %s: unusable interface name '%s'\n", verb.c_str(), args[1].c_str());
        return 2;
    }
    std::optional<WanLink> now;
    if (verb == "up") {
        if (!valid_ipv4(args[2])) {
            std::fprintf(stderr, "pppkit firewall up: not an IPv4 address '%s'\n", args[2].c_str());
            return 2;
        }
        now = WanLink{args[1], args[2], name};
    }
    auto p = prepare(path, explicit_path);
    Settings s = p.settings ? *p.settings : Settings{};
    if (!name.empty() && std::find(s.links.begin(), s.links.end(), name) == s.links.end())
        std::fprintf(stderr, "pppkit firewall up: note: no forward names link '%s'\n", name.c_str());
    nft::Context nft;
    Loaded l = inspect(nft, "");
    if (l == Loaded::Missing || l == Loaded::Failsafe) {
        std::fprintf(stderr,
                     "pppkit firewall %s: table inet %s holds %s, not a full ruleset (run pppkit firewall "
                     "apply)\n",
                     verb.c_str(), std::string(kTable).c_str(), l == Loaded::Missing ? "nothing" : "the failsafe");
        return 1;
    }
    auto gone = superseded(read_dynamic(nft), now ? *now : WanLink{args[1], std::nullopt, ""});
    nfnl::Socket nl;
    auto r = update_link(nft, nl, s, s.digest(), gone, now);
    // the update's sets are numbered by this configuration (link_changes)
    if (!r.ok && (!p.settings || inspect(nft, s.digest()) != Loaded::Current)) {
        std::fprintf(stderr,
                     "pppkit firewall %s: table inet %s holds a ruleset other than %s's%s: run pppkit firewall "
                     "apply first\n",
                     verb.c_str(), std::string(kTable).c_str(), path.c_str(),
                     p.settings ? "" : " (which has problems: see pppkit check)");
        return 1;
    }
    if (!r.ok) {
        std::fprintf(stderr, "pppkit firewall %s: the update was refused: %s\n", verb.c_str(), r.error.c_str());
        return 1;
    }
    if (verb == "up")
        std::printf("pppkit firewall: %s is WAN, public address %s%s\n", args[1].c_str(), args[2].c_str(),
                    name.empty() ? "" : (" (link " + name + ")").c_str());
    else
        std::printf("pppkit firewall: %s down, its elements removed, rules and other links kept\n", args[1].c_str());
    return 0;
}

int status(const std::string& path, bool explicit_path)
{
    auto p = prepare(path, explicit_path);
    nft::Context nft;
    Loaded l = inspect(nft, p.settings ? p.settings->digest() : "-");
    std::printf("table inet %s: %s\n", std::string(kTable).c_str(), std::string(to_string(l)).c_str());
    if (l == Loaded::Current || l == Loaded::Stale) {
        Dynamic d = read_dynamic(nft);
        std::printf("links: %zu\n", d.links.size());
        for (const auto& w : d.links)
            std::printf("  %-15s public address %-15s %s\n", w.ifname.c_str(),
                        w.public4 ? w.public4->c_str() : "(none)", w.name.empty() ? "" : ("link " + w.name).c_str());
    }
    if (!p.settings)
        std::printf("config: %zu problem%s (pppkit firewall check)\n", p.problems.size(),
                    p.problems.size() == 1 ? "" : "s");
    else if (l == Loaded::Stale)
        std::printf("config: changed since the ruleset was loaded (pppkit firewall apply)\n");
    return l == Loaded::Current ? 0 : 1;
}

}  // namespace

int firewall_dry_run(const std::string& path, bool explicit_path)
{
    auto p = prepare(path, explicit_path);
    if (!p.configured)
        return 0;
    print_problems(p.problems);
    if (!p.settings)
        return static_cast<int>(p.problems.size());
    if (auto err = check_isolated(p)) {
        if (geteuid() != 0 && err->find("Operation not permitted") != std::string::npos) {
            std::fprintf(stderr, "pppkit: note: the firewall ruleset was not dry-run in nft (needs root)\n");
            return 0;
        }
        std::fprintf(stderr, "%s\n", err->c_str());
        return 1;
    }
    return 0;
}

int firewall(const Args& in)
{
    Args args = in;
    bool explicit_path = false;
    std::string path = take_config(args, explicit_path);
    if (args.empty())
        return usage();
    const std::string& verb = args[0];
    if (verb == "import")
        return firewall_import(args);  // args[0] is "import"; --config already taken
    if (verb == "check" && args.size() == 1)
        return check(path, explicit_path);
    if (verb == "show")
        return show(path, explicit_path, args);
    if (verb == "apply" && args.size() == 1)
        return apply_cmd(path, explicit_path);
    if (verb == "up" || verb == "down")
        return dynamic(path, explicit_path, args);
    if (verb == "status" && args.size() == 1)
        return status(path, explicit_path);
    return usage();
}

constinit const Plugin firewall_plugin{.name = "firewall",
                                       .usage = "check|show|...",
                                       .summary = "the firewall (see pppkit-firewall(8))",
                                       .command = &firewall,
                                       .check = &firewall_dry_run};

}  // namespace pppkit::cli
