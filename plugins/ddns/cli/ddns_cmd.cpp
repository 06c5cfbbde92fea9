// pppkit ddns ... (see plugins/ddns/README.md, pppkit-ddns(8))
//
//   pppkit [--config F] ddns update [--profile P] [--family 4|6] [--interface IF | --address A] [--force]
//                               [--verbose]   (the protocol dialogue on stderr; credentials masked)
//   pppkit [--config F] ddns status [--profile P]
//
// update runs pppkit-ddns-worker (found next to this binary, else in
// /usr/libexec/pppkit) once per profile and waits for it: the network code
// lives only in the worker. Its exit status is the worst of the workers'
// (0 ok, 1 transient, 2 fatal, 3 usage/config). status reads the state files.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "common/cli.hpp"
#include "common/schema.hpp"
#include "ddns/core/profile.hpp"
#include "ddns/core/state.hpp"
#include "registry.hpp"

namespace pppkit::cli {
namespace {

using namespace pppkit::ddns;

int usage()
{
    std::fprintf(
        stderr, "usage: pppkit [--config FILE] ddns update [--profile P] [--family 4|6] [--interface IF | --address A] "
                "[--force] [--verbose]\n"
                "       pppkit [--config FILE] ddns status [--profile P]\n");
    return 2;
}

std::string worker_path()
{
    char self[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        std::string dir(self);
        dir.resize(dir.rfind('/'));
        std::string local = dir + "/pppkit-ddns-worker";
        if (::access(local.c_str(), X_OK) == 0)
            return local;
    }
    return "/usr/libexec/pppkit/pppkit-ddns-worker";
}

std::string ago(int64_t t, int64_t now)
{
    if (t <= 0)
        return "never";
    char buf[64];
    auto tt = static_cast<time_t>(t);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&tt));
    int64_t d = now - t;
    std::string rel = d >= 0 ? std::to_string(d) + "s ago" : "in " + std::to_string(-d) + "s";
    return std::string(buf) + " (" + rel + ")";
}

// Starts the worker as the plugin does (plugins/ddns/plugin.cpp): a session
// of its own, stdin and stdout on /dev/null, nothing else of this process
// open. Its stderr (the --verbose trace, problems) is a pipe this process
// copies to its own stderr until the worker closes it: the worker, which
// parses what servers send and runs unprivileged, never holds the caller's
// terminal (TIOCSTI into root's shell, reading what root types) or any other
// descriptor the caller had open. Returns the pid, -1 (no pipe or spawn) or
// -3 (the worker cannot be run).
pid_t spawn_worker(char* const* argv, char* const* envp)
{
    int err[2];
    if (::pipe2(err, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
    posix_spawn_file_actions_adddup2(&fa, 0, 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
    pid_t pid = -1;
    const int r = ::posix_spawn(&pid, argv[0], &fa, &at, argv, envp);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    ::close(err[1]);
    if (r != 0) {
        ::close(err[0]);
        std::fprintf(stderr, "pppkit ddns: cannot run %s: %s\n", argv[0], std::strerror(r));
        return -3;
    }
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(err[0], buf, sizeof buf);
        if (n > 0) {
            if (::write(STDERR_FILENO, buf, static_cast<size_t>(n)) < 0 && errno != EINTR) {
                // our stderr is gone: keep draining so the worker never blocks
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    ::close(err[0]);
    return pid;
}

int update(const Args& a, const std::string& config, bool config_explicit)
{
    std::string profile, family, iface, address;
    bool force = false, verbose = false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto val = [&]() -> std::string { return i + 1 < a.size() ? a[++i] : std::string(); };
        if (a[i] == "--profile")
            profile = val();
        else if (a[i] == "--family")
            family = val();
        else if (a[i] == "--interface")
            iface = val();
        else if (a[i] == "--address")
            address = val();
        else if (a[i] == "--force")
            force = true;
        else if (a[i] == "--verbose" || a[i] == "-v")
            verbose = true;
        else
            return usage();
    }
    if ((!family.empty() && family != "4" && family != "6") || (!iface.empty() && !address.empty()))
        return usage();
    auto cfg = load_config(config, config_explicit);
    auto profiles = load_profiles(cfg.doc);
    bool bad = false;
    for (const auto& d : cfg.diags) {
        std::fprintf(stderr, "%s\n", d.str().c_str());
        bad = true;
    }
    if (bad)
        return 3;
    std::vector<std::string> names;
    for (const auto& p : profiles.list)
        if ((profile.empty() && p.enabled) || p.name == profile)
            names.push_back(p.name);
    if (names.empty()) {
        std::fprintf(stderr, "pppkit ddns: %s\n",
                     profile.empty() ? "no enabled [ddns] profile" : ("no [ddns \"" + profile + "\"]").c_str());
        return 3;
    }
    std::string worker = worker_path();
    int worst = 0;
    for (const auto& n : names) {
        std::vector<std::string> args = {worker, "--config", config, "--profile", n};
        if (verbose)  // the keep-alive timer runs without: its stderr is the journal
            args.emplace_back("--verbose");
        if (!family.empty())
            args.insert(args.end(), {"--family", family});
        if (!iface.empty())
            args.insert(args.end(), {"--ifname", iface});
        if (!address.empty())
            args.insert(args.end(), {"--address", address});
        if (force)
            args.emplace_back("--force");
        std::vector<char*> argv;
        for (auto& s : args)
            argv.push_back(s.data());
        argv.push_back(nullptr);
        // the worker's own environment, not the caller's shell's (as inside pppd)
        std::vector<std::string> env = worker_environment(environ);
        std::vector<char*> envp;
        for (auto& e : env)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        std::fflush(nullptr);
        const pid_t pid = spawn_worker(argv.data(), envp.data());
        int st = 0;
        if (pid < 0 || ::waitpid(pid, &st, 0) < 0) {
            worst = std::max(worst, pid == -3 ? 3 : 1);
            continue;
        }
        int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
        worst = rc == 3 || worst == 3 ? 3 : std::max(worst, rc);
    }
    return worst;
}

int status(const Args& a, const std::string& config, bool config_explicit)
{
    std::string profile;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--profile" && i + 1 < a.size())
            profile = a[++i];
        else
            return usage();
    }
    auto cfg = load_config(config, config_explicit);
    for (const auto& d : cfg.diags)
        std::fprintf(stderr, "%s\n", d.str().c_str());
    auto profiles = load_profiles(cfg.doc);
    std::string dir = state_dir(cfg.doc);
    auto now = static_cast<int64_t>(::time(nullptr));
    int shown = 0;
    bool suspended = false;
    for (const auto& p : profiles.list) {
        if (!profile.empty() && p.name != profile)
            continue;
        ++shown;
        bool corrupt = false;
        std::string path = state_path(dir, p.name);
        State st = read_state(path, &corrupt);
        std::printf("%s: %s, %s%s, links %s\n", p.name.c_str(), std::string(p.pre().name).c_str(),
                    std::string(family_name(p.family)).c_str(), p.enabled ? "" : " (disabled)",
                    [&] {
                        std::string l;
                        for (const auto& x : p.links)
                            l += (l.empty() ? "" : ",") + x;
                        return l;
                    }()
                        .c_str());
        if (corrupt)
            std::printf("  state: %s is corrupt (treated as unknown)\n", path.c_str());
        if (st.suspended) {
            suspended = true;
            std::printf(
                "  SUSPENDED: %s\n  (fix the profile or its secret, or: pppkit ddns update --force --profile %s)\n",
                st.suspended_why.c_str(), p.name.c_str());
        }
        for (Family f : {Family::V4, Family::V6}) {
            if (!p.wants(f))
                continue;
            const FamilyState& fs = st.of(f);
            std::printf("  %s: address %s, outcome %s%s\n", std::string(family_name(f)).c_str(),
                        fs.address.empty() ? "-" : fs.address.c_str(),
                        fs.outcome ? std::string(outcome_name(*fs.outcome)).c_str() : "none",
                        fs.detail.empty() ? "" : (" (" + fs.detail + ")").c_str());
            std::printf("    state: %s\n", describe(st, f, now).c_str());
            std::printf("    last success %s, last attempt %s, failures %d\n", ago(fs.last_success, now).c_str(),
                        ago(fs.last_attempt, now).c_str(), fs.failures);
            if (int64_t next = next_wakeup(p, st, f); next > 0)
                std::printf("    next %s %s\n", fs.outcome && !is_success(*fs.outcome) ? "retry" : "keep-alive",
                            ago(next, now).c_str());
        }
    }
    if (shown == 0) {
        std::fprintf(stderr, "pppkit ddns: %s\n", profile.empty() ? "no [ddns] profile" : "no such profile");
        return 2;
    }
    return suspended ? 1 : 0;
}

// pppkit check's part: the CA file of every enabled profile, read as its
// worker reads it (read_ca_file: trusted, present, not empty). Returns the
// number of problems printed.
int ddns_check(const std::string& path, bool explicit_path)
{
    auto cfg = load_config(path, explicit_path);
    int problems = 0;
    std::string blob;
    for (const auto& p : load_profiles(cfg.doc).list) {
        if (!p.enabled)
            continue;  // its worker reads nothing
        if (auto d = read_ca_file(cfg.doc, p, blob)) {
            std::fprintf(stderr, "%s\n", d->str().c_str());
            ++problems;
        }
    }
    return problems;
}

}  // namespace

int ddns(const Args& args_in)
{
    Args args = args_in;
    bool config_explicit = false;
    std::string config = take_config(args, config_explicit);
    if (args.empty())
        return usage();
    std::string sub = args[0];
    args.erase(args.begin());
    if (sub == "update")
        return update(args, config, config_explicit);
    if (sub == "status")
        return status(args, config, config_explicit);
    return usage();
}

constinit const Plugin ddns_plugin{.name = "ddns",
                                   .usage = "update|status|...",
                                   .summary = "dynamic DNS (see pppkit-ddns(8))",
                                   .command = &ddns,
                                   .check = &ddns_check};

}  // namespace pppkit::cli
