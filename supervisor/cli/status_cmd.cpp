// pppkit status [NAME] [--json|--prometheus] [--socket PATH]: the links as
// pppkitd sees them, over its control socket as root, else its status socket
// (group pppkit; commands.hpp status_socket()). --json
// prints the daemon's answer unchanged (schema: supervisor/README.md);
// --prometheus the same in the Prometheus text format (core/prometheus.hpp),
// and pppkit_daemon_up 0 when pppkitd does not answer.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "core/prometheus.hpp"

namespace pppkit::cli {

namespace {

std::string str(const nlohmann::json& j, const char* key)
{
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

void print_link(const nlohmann::json& l)
{
    std::printf("%s: %s since %s", str(l, "name").c_str(), str(l, "state").c_str(), str(l, "since").c_str());
    if (l["ifname"].is_string())
        std::printf(" (%s)", str(l, "ifname").c_str());
    std::printf("\n");
    for (const char* fam : {"ipv4", "ipv6"}) {
        const auto& f = l[fam];
        if (f["local"].is_string())
            std::printf("  %s %s peer %s\n", fam[3] == '4' ? "IPv4" : "IPv6", str(f, "local").c_str(),
                        f["remote"].is_string() ? str(f, "remote").c_str() : "?");
    }
    if (l["mtu"].is_number())
        std::printf("  MTU %d\n", l["mtu"].get<int>());
    const auto& p = l["pppoe"];
    if (p["session"].is_number())
        std::printf("  PPPoE session %d on %s, AC %s\n", p["session"].get<int>(),
                    p["ethernet"].is_string() ? str(p, "ethernet").c_str() : "?",
                    p["ac_mac"].is_string() ? str(p, "ac_mac").c_str() : "?");
    if (p.contains("last_padt") && p["last_padt"].is_object()) {
        const auto& t = p["last_padt"];
        std::printf("  last PADT %s: session %d on %s, AC %s (%s)%s%s\n", str(t, "at").c_str(), t["session"].get<int>(),
                    str(t, "ethernet").c_str(), str(t, "ac_mac").c_str(), str(t, "reason").c_str(),
                    t["error"].is_string() ? ": not sent: " : "", str(t, "error").c_str());
    }
    if (l["pid"].is_number())
        std::printf("  pppd pid %d%s\n", l["pid"].get<int>(), l["adopted"].get<bool>() ? " (adopted)" : "");
    std::printf("  %u redials", l["redials"].get<unsigned>());
    if (l["auth_failures"].get<int>() > 0)
        std::printf(", %d authentication failures in a row", l["auth_failures"].get<int>());
    std::printf("\n");
    if (const auto a = l.find("last_auth_failure"); a != l.end() && a->is_object()) {
        // pppkitd's auth_failure.hpp: the last attempt that failed authentication
        std::printf("  last authentication failure %s: status %d (%s)\n", str(*a, "at").c_str(),
                    (*a)["status"].get<int>(), str(*a, "reason").c_str());
        if (str(l, "state") == "failed-auth")
            std::printf("  gave up: no redial; fix the secret, then restart the link\n");
    }
    if (l["last_exit"].is_object()) {
        const auto& e = l["last_exit"];
        if (e["signal"].is_number())
            std::printf("  last exit: killed by signal %d (%s)\n", e["signal"].get<int>(), str(e, "reason").c_str());
        else
            std::printf("  last exit: status %d (%s)\n", e["status"].get<int>(), str(e, "reason").c_str());
        if (e.contains("problem") && e["problem"].is_string())  // the plugin's refusal, "FILE:LINE: ..."
            std::printf("  refused: %s\n", e["problem"].get<std::string>().c_str());
    }
    if (const auto o = l.find("online"); o != l.end() && o->is_object()) {
        // pppkit-online@NAME.target (supervisor/pppkitd/online.hpp)
        std::string more;
        for (const char* k : {"waiting_for", "failed"})
            if ((*o)[k].is_array() && !(*o)[k].empty()) {
                std::string names;
                for (const auto& n : (*o)[k])
                    names += (names.empty() ? "" : ", ") + (n.is_string() ? "pppkit-" + n.get<std::string>() : "?");
                more += std::string(more.empty() ? " (" : "; ") + (k[0] == 'w' ? "waiting for " : "failed: ") + names;
            }
        if (!more.empty())
            more += ")";
        if (o->value("reached", false))
            std::printf("  online: %s reached since %s\n", str(*o, "target").c_str(), str(*o, "since").c_str());
        else
            std::printf("  online: %s not reached%s\n", str(*o, "target").c_str(), more.c_str());
    }
    if (l["backoff_left_ms"].is_number())
        std::printf("  next dial in %.1f s\n", l["backoff_left_ms"].get<double>() / 1000.0);
    if (l["lan_interface"].is_string() && str(l, "state") == "waiting-for-lan")
        std::printf("  waiting for %s to come up\n", str(l, "lan_interface").c_str());
    if (const auto pr = l.find("probes"); pr != l.end() && pr->is_object()) {
        // upstream probes (supervisor/pppkitd/probe.hpp)
        std::printf("  probes: %u of %u rounds failed in a row, %u redials;", pr->value("failures_in_row", 0U),
                    pr->value("failures", 0U), pr->value("redials", 0U));
        for (const auto& x : (*pr)["targets"]) {
            std::printf(" %s %s", str(x, "target").c_str(), str(x, "result").c_str());
            if (x["rtt_ms"].is_number())
                std::printf(" %.1f ms", x["rtt_ms"].get<double>());
            std::printf(",");
        }
        std::printf("\n");
    }
}

}  // namespace

int status(const Args& in)
{
    Args args = in;
    bool ignored = false;
    (void)take_config(args, ignored);  // accepted for symmetry; the daemon has its own
    bool json = false;
    bool prometheus = false;
    std::string name;
    std::string sock = status_socket();
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json")
            json = true;
        else if (args[i] == "--prometheus")
            prometheus = true;
        else if (args[i] == "--socket" && i + 1 < args.size())
            sock = args[++i];
        else if (!args[i].empty() && args[i][0] != '-' && name.empty())
            name = args[i];
        else {
            std::fprintf(stderr, "usage: pppkit status [NAME] [--json|--prometheus] [--socket PATH]\n");
            return 2;
        }
    }
    if (json && prometheus) {
        std::fprintf(stderr, "pppkit status: --json and --prometheus exclude each other\n");
        return 2;
    }
    auto answer = ask_pppkitd(sock, "status" + (name.empty() ? "" : " " + name) + "\n", "pppkit status", 5);
    auto j = answer ? nlohmann::json::parse(*answer, nullptr, false) : nlohmann::json(nullptr);
    if (answer && (j.is_discarded() || !j.is_object()))
        std::fprintf(stderr, "pppkit status: pppkitd answered something that is not JSON\n");
    if (!j.is_object()) {
        // the textfile collector should see "down", not a stale file
        if (prometheus)
            std::fputs(supervisor::prometheus_daemon_down().c_str(), stdout);
        return 1;
    }
    if (j.contains("error")) {
        std::fprintf(stderr, "pppkit status: pppkitd: %s\n", str(j, "error").c_str());
        return 1;
    }
    if (!name.empty() && j["links"].empty()) {
        std::fprintf(stderr, "pppkit status: pppkitd has no link '%s'\n", name.c_str());
        return 1;
    }
    if (json) {
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    if (prometheus) {
        std::fputs(supervisor::to_prometheus(j).c_str(), stdout);
        return 0;
    }
    if (j["links"].empty())
        std::printf("pppkitd supervises no links ([link NAME] in pppkit.conf)\n");
    for (const auto& l : j["links"])
        print_link(l);
    if (const auto f = j.find("firewall"); f != j.end() && f->is_object()) {
        // pppkitd's drift repair (supervisor/pppkitd/drift.hpp)
        const auto& fw = *f;
        std::printf("firewall: %s, %u drift repair%s", str(fw, "loaded").c_str(), fw.value("repairs", 0U),
                    fw.value("repairs", 0U) == 1 ? "" : "s");
        if (fw.value("repairs", 0U) != 0)
            std::printf(", last %s in %.1f ms: %s", str(fw, "last_repair").c_str(), fw.value("last_repair_ms", 0.0),
                        str(fw, "last_change").c_str());
        std::printf("; flush guard %s\n", fw.value("guard", false) ? "on" : "off");
    }
    return 0;
}

}  // namespace pppkit::cli
