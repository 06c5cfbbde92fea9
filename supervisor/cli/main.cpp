// pppkit - the command line: validate the configuration, and the plugins'
// commands (pppkit firewall ..., pppkit ddns ...).
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <variant>

#include "cli/commands.hpp"
#include "common/schema.hpp"
#include "common/secrets.hpp"
#include "common/text.hpp"
#include "core/host_name.hpp"
#include "core/online.hpp"
#include "registry.hpp"

namespace pppkit::cli {

namespace {

// The plugins that have a subcommand, pppkit <name> ... (plugins/registry.hpp).
std::span<const Plugin* const> plugins()
{
#define PPPKIT_CLI_PTR(name, ...) &name##_plugin,
    static constexpr const Plugin* kPlugins[] = {PPPKIT_PLUGINS(PPPKIT_CLI_PTR)};
#undef PPPKIT_CLI_PTR
    return kPlugins;
}

int usage(FILE* to)
{
    std::fprintf(to, "usage: pppkit [--config FILE] COMMAND ...\n"
                     "  check                    validate pppkit.conf, its drop-ins and the secrets file\n");
    for (const auto* p : plugins()) {  // each plugin's line, from its cli/
        const std::string left = std::string(p->name) + " " + std::string(p->usage);
        std::fprintf(to, "  %-*s  %.*s\n", left.size() < 23 ? 23 : 0, left.c_str(), static_cast<int>(p->summary.size()),
                     p->summary.data());
    }
    std::fprintf(to, "  status [NAME] [--json|--prometheus]  the links as pppkitd sees them (see pppkitd(8))\n"
                     "  start NAME               dial a link now (root)\n"
                     "  stop NAME                stop a link's pppd, as poff, no redial (root)\n"
                     "  restart NAME             stop, then start once its pppd ended (root)\n"
                     "  reload                   pppkitd re-reads pppkit.conf; prints the problems if refused (root)\n"
                     "  wait-online [NAME] [--timeout S] [--remote HOST[:PORT]]\n"
                     "                           wait until the link is online (firewall and MSS in place)\n"
                     "  version\n");
    return to == stdout ? 0 : 2;
}

// pppkit check: the whole configuration, as every plugin would read it.
int check(Args args)
{
    bool explicit_path = false;
    std::string path = take_config(args, explicit_path);
    auto r = load_config(path, explicit_path);
    for (const auto& d : r.diags)
        std::fprintf(stderr, "%s\n", d.str().c_str());
    int problems = static_cast<int>(r.diags.size());
    // the keys that name a secret: each name must be in the secrets file
    std::vector<std::pair<const config::Section*, const config::Entry*>> refs;
    for (const auto& s : r.doc.sections)
        for (const auto& e : s.entries)
            for (const auto& spec : schema())
                if (spec.type == s.type)
                    if (const auto* ks = spec.key(e.key); ks && ks->type == config::Type::SecretRef)
                        refs.emplace_back(&s, &e);
    if (!refs.empty()) {
        const std::string sec_path = secrets_path(r.doc);
        auto sec = secrets::load(sec_path);
        if (auto* d = std::get_if<std::vector<config::Diagnostic>>(&sec)) {
            for (const auto& x : *d)
                std::fprintf(stderr, "%s\n", x.str().c_str());
            problems += static_cast<int>(d->size());
        } else if (r.diags.empty()) {
            // the name is not shown: a value that is no secret's name may be the secret itself
            for (const auto& [s, e] : refs)
                if (!std::get<secrets::Secrets>(sec).has(e->value)) {
                    config::Diagnostic missing;
                    missing.file = e->file;
                    missing.line = e->line;
                    missing.section = s->label();
                    missing.key = e->key;
                    missing.problem = "names a secret that " + sec_path +
                                      " does not hold (the value is not shown: if it is the secret itself, put it in "
                                      "the secrets file and name it here)";
                    std::fprintf(stderr, "%s\n", missing.str().c_str());
                    ++problems;
                }
        }
    }
    if (r.diags.empty())
        for (const auto* p : plugins())
            if (p->check != nullptr)
                problems += p->check(path, explicit_path);
    if (problems != 0) {
        std::fprintf(stderr, "pppkit: %d problem%s\n", problems, problems == 1 ? "" : "s");
        return 2;
    }
    // Warnings: the configuration is taken as it is, but may not do what the admin expects.
    std::ifstream port_start("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    const std::string ps((std::istreambuf_iterator<char>(port_start)), std::istreambuf_iterator<char>());
    for (const auto& w : supervisor::online::listen_warnings(r.doc, supervisor::online::unprivileged_port_start(ps)))
        std::fprintf(stderr, "%s\n", w.str().c_str());
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) == 0) {
        std::string hosts;
        std::string nsswitch;
        (void)text::read_path("/etc/hosts", hosts, 1 << 20);  // unreadable: empty, and the warning says so
        (void)text::read_path("/etc/nsswitch.conf", nsswitch, 1 << 16);
        if (!supervisor::host_name::resolves_locally(name.data(), hosts, nsswitch))
            std::fprintf(stderr, "%s\n", supervisor::host_name::warning(name.data()).c_str());
    }
    std::printf("pppkit: configuration OK (%zu file%s)\n", r.doc.files.size(), r.doc.files.size() == 1 ? "" : "s");
    return 0;
}

}  // namespace
}  // namespace pppkit::cli

int main(int argc, char** argv)
{
    using namespace pppkit::cli;
    Args args(argv + 1, argv + argc);
    // a leading --config FILE applies to every command
    std::string config;
    if (!args.empty() && (args[0] == "--config" || args[0].rfind("--config=", 0) == 0)) {
        bool ex = false;
        Args head(args.begin(), args.begin() + (args[0] == "--config" && args.size() > 1 ? 2 : 1));
        config = take_config(head, ex);
        args.erase(args.begin(), args.begin() + (args[0] == "--config" && args.size() > 1 ? 2 : 1));
    }
    if (args.empty())
        return usage(stderr);
    std::string cmd = args[0];
    args.erase(args.begin());
    if (!config.empty()) {
        args.insert(args.begin(), config);
        args.insert(args.begin(), "--config");
    }
    try {
        if (cmd == "check")
            return check(args);
        for (const auto* p : plugins())
            if (cmd == p->name)
                return p->command(args);
        if (cmd == "status")
            return status(args);
        if (cmd == "start" || cmd == "stop" || cmd == "restart" || cmd == "reload")
            return control(cmd, args);
        if (cmd == "wait-online")
            return wait_online(args);
        if (cmd == "version" || cmd == "--version") {
            std::printf("pppkit %s\n", PPPKIT_VERSION);
            return 0;
        }
        if (cmd == "help" || cmd == "--help" || cmd == "-h")
            return usage(stdout);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pppkit %s: %s\n", cmd.c_str(), e.what());
        return 1;
    }
    std::fprintf(stderr, "pppkit: unknown command '%s'\n", cmd.c_str());
    return usage(stderr);
}
