// mss_bench - time from the ip-up notifier to the MSS clamp live in the
// kernel, several ways, in the current network namespace (tests/bench/
// mss.bench.sh runs it in a fresh one that has an interface named ppp0):
//   pppkit      mss::install_link() through the plugin's mss::Kernel (a
//               netlink socket and a libnftables context opened in
//               configure(), which also loads the table: untimed), exactly
//               what pppkit-mss.so does in on_ip_up();
//   pppkit-cold the same with a new mss::Kernel per run;
//   libnftables the same elements as nft text through the warmed context
//               (what the netlink fast path saves);
//   iptables    pppoeconf's /etc/ppp/ip-up.d/0clampmss way: one exec of
//               iptables -t mangle ... -j TCPMSS --clamp-mss-to-pmtu;
//   nft -f      one exec of nft -f with pppkit's ip-up transaction, and one
//               with the whole table and the elements, from nothing;
//   per-link table  the design pppkit-mss had before: one table per link,
//               replaced by one libnftables transaction of four rules;
//   ip-up.d     pppoeconf's script as pppd runs it: sh ip-up -> run-parts ->
//               0clampmss -> iptables (what a seed router really does).
// "Live" means the call returned: the kernel has committed the transaction.
// Between runs the clamp is removed (not timed), so each run is a first
// install, like an ip-up after an ip-down. After every timed run the clamp
// is looked up in the kernel (not timed); a run that left none fails the
// bench.
//
// usage: mss_bench RUNS
// Output (tab separated, read by tests/bench/run.sh):
//   ROW <table> <label> <median> <unit> <runs> <min> <max>   (first row: the reference)
//   VERDICT <table> PASS|FAIL <text>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/nft.hpp"
#include "mss/core/apply.hpp"
#include "mss/core/mss.hpp"

extern char** environ;

namespace {

using namespace pppkit;

constexpr const char* kTable = "ip-up -> MSS rules live (ppp0, MTU 1454)";

double now_us()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// fork+exec argv and wait; returns the exit status (-1 if it could not run).
int run_cmd(const std::vector<std::string>& args, bool quiet = true)
{
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int st = 0;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void settle()
{
    timespec ts{0, 20 * 1000 * 1000};
    nanosleep(&ts, nullptr);
}

struct Stats {
    double median = 0, min = 0, max = 0;
};

Stats stats(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2], v.front(), v.back()};
}

struct Method {
    std::string label;
    std::function<void()> prepare;   // not timed: the state before ip-up
    std::function<bool()> install;   // timed
    std::function<bool()> live;      // not timed: are the rules in the kernel?
    std::function<void()> teardown;  // not timed
};

int count_in(const std::string& listing, const std::string& needle)
{
    int n = 0;
    for (size_t p = listing.find(needle); p != std::string::npos; p = listing.find(needle, p + 1))
        ++n;
    return n;
}

}  // namespace

int main(int argc, char** argv)
{
    int runs = argc > 1 ? std::atoi(argv[1]) : 25;
    if (runs < 1 || runs > 1000) {
        std::fprintf(stderr, "usage: mss_bench RUNS (1-1000)\n");
        return 2;
    }
    const mss::Settings settings = mss::defaults();
    const auto clamp = mss::compute(settings, 1454);
    const auto want = mss::entries(settings, clamp);
    const std::string rules = mss::add_entries("ppp0", want);  // pppkit's ip-up transaction
    const std::string whole = mss::base_ruleset() + rules;     // the same from nothing
    // The design before: a table per link with four literal rules.
    const std::string per_link =
        "add table inet pppkit_bench_old\ndelete table inet pppkit_bench_old\n"
        "table inet pppkit_bench_old {\n chain forward {\n"
        "  type filter hook forward priority mangle; policy accept;\n"
        "  oifname \"ppp0\" meta nfproto ipv4 tcp flags & (syn | rst) == syn tcp option maxseg "
        "size > 1414 tcp option maxseg size set 1414\n"
        "  iifname \"ppp0\" meta nfproto ipv4 tcp flags & (syn | rst) == syn tcp option maxseg "
        "size > 1414 tcp option maxseg size set 1414\n"
        "  oifname \"ppp0\" meta nfproto ipv6 tcp flags & (syn | rst) == syn tcp option maxseg "
        "size > 1394 tcp option maxseg size set 1394\n"
        "  iifname \"ppp0\" meta nfproto ipv6 tcp flags & (syn | rst) == syn tcp option maxseg "
        "size > 1394 tcp option maxseg size set 1394\n"
        " }\n}\n";

    // The plugin's context: created in configure(), which loads the table.
    mss::Kernel ctx;
    if (!ctx.nft.valid() || !ctx.nl.valid() || !mss::install_base(ctx).ok()) {
        std::fprintf(stderr, "mss_bench: nftables cannot take the MSS table\n");
        return 1;
    }
    mss::Kernel probe;  // for the untimed checks, so ctx sees only what the plugin does
    auto pppkit_live = [&] {
        auto m4 = probe.nft.run("list map inet pppkit_mss mss4");
        auto m6 = probe.nft.run("list map inet pppkit_mss mss6");
        return m4.ok && m6.ok && count_in(m4.output, "\"ppp0\" : 1414") == 1 &&
               count_in(m6.output, "\"ppp0\" : 1394") == 1;
    };
    auto pppkit_down = [&] { mss::purge(probe, "ppp0"); };
    auto old_live = [&] {
        auto r = probe.nft.run("list table inet pppkit_bench_old");
        return r.ok && count_in(r.output, "maxseg size set 1414") == 2 &&
               count_in(r.output, "maxseg size set 1394") == 2;
    };
    auto old_down = [&] { probe.nft.run("add table inet pppkit_bench_old\ndelete table inet pppkit_bench_old\n"); };

    char tmpl[] = "/tmp/pppkit-mss-bench.XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return 1;
    close(fd);
    const std::string file = tmpl;
    std::ofstream(file) << rules;
    const std::string file_whole = file + ".whole";
    std::ofstream(file_whole) << whole;

    // Debian's /etc/ppp/ip-up is a sh script that runs run-parts on ip-up.d,
    // where pppoeconf puts 0clampmss (the iptables line below).
    char dtmpl[] = "/tmp/pppkit-mss-bench-ipup.XXXXXX";
    if (mkdtemp(dtmpl) == nullptr)
        return 1;
    const std::string ipup = dtmpl;
    std::string mkdir_cmd = ipup + "/ip-up.d";
    ::mkdir(mkdir_cmd.c_str(), 0755);
    std::ofstream(ipup + "/ip-up") << "PPP_IFACE=ppp0; export PPP_IFACE\nrun-parts " << ipup << "/ip-up.d\n";
    {
        std::ofstream f(ipup + "/ip-up.d/0clampmss");
        f << "#!/bin/sh\niptables -t mangle -o \"$PPP_IFACE\" --insert FORWARD 1 -p tcp --tcp-flags SYN,RST SYN "
             "-m tcpmss --mss 1400:65495 -j TCPMSS --clamp-mss-to-pmtu\n";
    }
    ::chmod((ipup + "/ip-up.d/0clampmss").c_str(), 0755);

    const std::vector<std::string> ipt_add = {"iptables",    "-t",         "mangle", "-o",     "ppp0",
                                              "--insert",    "FORWARD",    "1",      "-p",     "tcp",
                                              "--tcp-flags", "SYN,RST",    "SYN",    "-m",     "tcpmss",
                                              "--mss",       "1400:65495", "-j",     "TCPMSS", "--clamp-mss-to-pmtu"};
    std::vector<std::string> ipt_check = ipt_add;
    ipt_check[5] = "-C";
    ipt_check.erase(ipt_check.begin() + 7);  // -C FORWARD <rule>, no position
    std::vector<std::string> ipt_del = ipt_check;
    ipt_del[5] = "-D";

    auto none = [] {};
    std::vector<Method> methods = {
        {"pppkit (netlink element batch, socket opened at configure)", none,
         [&] { return mss::install_link(ctx, "ppp0", {}, want).ok(); }, pppkit_live, pppkit_down},
        {"pppkit, new socket and libnftables context each time", none,
         [&] {
             mss::Kernel cold;
             return mss::install_link(cold, "ppp0", {}, want).ok();
         },
         pppkit_live, pppkit_down},
        {"pppoeconf: exec iptables -j TCPMSS", none, [&] { return run_cmd(ipt_add) == 0; },
         [&] { return run_cmd(ipt_check) == 0; }, [&] { run_cmd(ipt_del); }},
        {"exec nft -f (pppkit's ip-up transaction)", none,
         [&] {
             return run_cmd({"nft", "-f", file}) == 0;
         },
         pppkit_live, pppkit_down},
        {"pppoeconf as pppd runs it: sh ip-up, run-parts, 0clampmss", none,
         [&] {
             return run_cmd({"sh", ipup + "/ip-up"}) == 0;
         },
         [&] { return run_cmd(ipt_check) == 0; }, [&] { run_cmd(ipt_del); }},
        {"exec nft -f (the whole table and elements, from nothing)", [&] { probe.nft.run(mss::removal()); },
         [&] {
             return run_cmd({"nft", "-f", file_whole}) == 0;
         },
         pppkit_live, pppkit_down},
        {"per-link table of 4 rules (pppkit-mss before), warmed context", none,
         [&] { return ctx.nft.run(per_link).ok; }, old_live, old_down},
        {"the same elements as nft text, warmed libnftables context", none, [&] { return ctx.nft.run(rules).ok; },
         pppkit_live, pppkit_down},
    };

    // Runs interleave the methods (one of each per round), so that load from
    // other processes on this shared machine falls on all of them alike.
    for (auto& m : methods) {
        m.teardown();
        m.prepare();
        m.install();  // untimed warm-up: page cache, first exec of each binary
        m.teardown();
        settle();
    }
    int failed = 0;
    std::vector<std::vector<double>> t(methods.size());
    for (int i = 0; i < runs; ++i) {
        for (size_t k = 0; k < methods.size(); ++k) {
            auto& m = methods[k];
            m.prepare();
            double t0 = now_us();
            bool ok = m.install();
            double t1 = now_us();
            if (!ok || !m.live()) {
                std::fprintf(stderr, "mss_bench: %s: run %d did not install the clamp\n", m.label.c_str(), i);
                ++failed;
            }
            t[k].push_back((t1 - t0) / 1000.0);
            m.teardown();
            // Let the kernel finish the teardown's deferred work (freeing a
            // deleted base chain waits for an RCU grace period) so that it is
            // not billed to the next method. A real ip-up comes seconds
            // after the ip-down.
            settle();
        }
    }
    // The same ip-up on a router whose firewall holds 10,000 rules in another
    // table: libnftables must not fetch that table's rules for our transaction.
    std::string big = "table inet pppkit_bench_big {\n chain forward {\n"
                      "  type filter hook forward priority 0; policy accept;\n";
    for (int i = 0; i < 10000; ++i)
        big += "  ip daddr 10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".1 tcp dport " +
               std::to_string(1000 + i) + " accept\n";
    big += " }\n}\n";
    std::vector<double> t_big;
    if (probe.nft.run(big).ok) {
        settle();
        for (int i = 0; i < runs; ++i) {
            double t0 = now_us();
            bool ok = mss::install_link(ctx, "ppp0", {}, want).ok();
            double t1 = now_us();
            if (!ok || !pppkit_live()) {
                std::fprintf(stderr, "mss_bench: beside 10,000 rules: run %d did not install the clamp\n", i);
                ++failed;
            }
            t_big.push_back((t1 - t0) / 1000.0);
            pppkit_down();
            settle();
        }
        probe.nft.run("delete table inet pppkit_bench_big");
    } else {
        std::fprintf(stderr, "mss_bench: could not load the 10,000-rule table\n");
        ++failed;
    }

    std::vector<Stats> results;
    for (size_t k = 0; k < methods.size(); ++k) {
        results.push_back(stats(t[k]));
        std::printf("ROW\t%s\t%s\t%.3f\tms\t%d\t%.3f\t%.3f\n", kTable, methods[k].label.c_str(), results.back().median,
                    runs, results.back().min, results.back().max);
    }
    if (!t_big.empty()) {
        auto b = stats(t_big);
        std::printf("ROW\t%s\t%s\t%.3f\tms\t%d\t%.3f\t%.3f\n", kTable, "pppkit, beside a 10,000-rule firewall table",
                    b.median, runs, b.min, b.max);
    }
    std::remove(file.c_str());
    std::remove(file_whole.c_str());
    probe.nft.run(mss::removal());
    std::remove((ipup + "/ip-up.d/0clampmss").c_str());
    std::remove((ipup + "/ip-up.d").c_str());
    std::remove((ipup + "/ip-up").c_str());
    std::remove(ipup.c_str());
    double ratio = results[2].median / results[0].median;
    std::printf("VERDICT\t%s\t%s\tpppkit is %.1fx faster than one exec of iptables (target >= 10x)\n", kTable,
                ratio >= 10 ? "PASS" : "FAIL", ratio);
    double ratio_script = results[4].median / results[0].median;
    std::printf("VERDICT\t%s\t%s\tpppkit is %.1fx faster than pppoeconf's ip-up.d path (target >= 10x)\n", kTable,
                ratio_script >= 10 ? "PASS" : "FAIL", ratio_script);
    if (failed != 0) {
        std::printf("VERDICT\t%s\tFAIL\t%d runs did not leave the clamp in the kernel\n", kTable, failed);
        return 1;
    }
    return 0;
}
