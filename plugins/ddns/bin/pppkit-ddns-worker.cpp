// pppkit-ddns-worker - one DDNS attempt for one profile, in its own process.
//
//   pppkit-ddns-worker --config FILE --profile NAME [--ifname IF] [--address ADDR]
//                      [--family 4|6] [--generation N] [--cancel-fd FD] [--force] [--verbose]
//
// Started by pppkit-ddns.so (ip-up, ipv6-up, keep-alive and retry timers) and by
// `pppkit ddns update`. It reads the configuration and the secrets file itself:
// no secret is ever on its command line or in its environment. Every request
// leaves by --ifname (SO_BINDTODEVICE) and by the family being announced; if
// binding fails nothing is sent. One syslog line per attempt (and stderr with
// --verbose), secrets redacted. The state file is updated atomically, under
// the profile's flock: "in flight" before the request is sent, the answer after.
//
// Exit status: 0 updated, unchanged or nothing due; 1 transient failure (or
// cancelled, or deadline); 2 fatal answer, profile suspended; 3 configuration
// or usage error. When --cancel-fd's other end closes, the worker exits at
// once (status 1) without writing more state: the attempt stays in flight,
// and the next worker, under the lock, counts it as a transient failure.
// A profile lock still held by another worker at the deadline: status 1.
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/schema.hpp"
#include "common/secrets.hpp"
#include "ddns/core/address.hpp"
#include "ddns/core/http.hpp"
#include "ddns/core/profile.hpp"
#include "ddns/core/state.hpp"
#include "ddns/io/attempt.hpp"
#include "ddns/io/curl.hpp"
#include "ddns/io/fingerprint_key.hpp"
#include "ddns/io/http.hpp"
#include "ddns/io/log.hpp"
#include "ddns/io/pop3.hpp"
#include "ddns/io/privilege.hpp"
#include "ddns/io/rtnl.hpp"

namespace {

using namespace pppkit;
using namespace pppkit::ddns;
using namespace pppkit::ddns::io;

constexpr int kExitOk = 0, kExitTransient = 1, kExitFatal = 2, kExitUsage = 3;

struct Options {
    std::string config = "/etc/ppp/pppkit.conf";
    bool config_explicit = false;
    std::string profile;
    std::string ifname;
    std::string address;
    int family = 0;  // 0: the profile's
    std::string generation;
    int cancel_fd = -1;
    bool force = false;
    bool verbose = false;
};

Options g_opt;
std::mutex g_state_mutex;  // held while the state file is written; cancel waits for it
Clock::time_point g_hard_deadline = Clock::time_point::max();  // the watcher's

// The system user the worker runs as once it has read its secrets (created
// by the package: etc/sysusers.d/pppkit.conf).
constexpr const char* kWorkerUser = "pppkit-ddns";

[[noreturn]] void usage(const char* why)
{
    std::fprintf(stderr,
                 "pppkit-ddns-worker: %s\n"
                 "usage: pppkit-ddns-worker --config FILE --profile NAME [--ifname IF] [--address ADDR]\n"
                 "                          [--family 4|6] [--generation N] [--cancel-fd FD] [--force] [--verbose]\n",
                 why);
    std::exit(kExitUsage);
}

void parse_args(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        if (a == "--config") {
            g_opt.config = val();
            g_opt.config_explicit = true;
        } else if (a == "--profile") {
            g_opt.profile = val();
        } else if (a == "--ifname" || a == "--interface") {
            g_opt.ifname = val();
        } else if (a == "--address") {
            g_opt.address = val();
        } else if (a == "--family") {
            std::string f = val();
            if (f == "4" || f == "ipv4")
                g_opt.family = 4;
            else if (f == "6" || f == "ipv6")
                g_opt.family = 6;
            else
                usage("--family takes 4 or 6");
        } else if (a == "--generation") {
            g_opt.generation = val();
        } else if (a == "--cancel-fd") {
            auto n = config::parse_int(val());
            if (!n || *n < 0 || *n > 65535)
                usage("--cancel-fd takes a file descriptor number");
            g_opt.cancel_fd = static_cast<int>(*n);
        } else if (a == "--force") {
            g_opt.force = true;
        } else if (a == "--verbose" || a == "-v") {
            g_opt.verbose = true;
        } else if (a == "--help" || a == "-h") {
            usage("help");
        } else {
            usage(("unknown argument " + a).c_str());
        }
    }
    if (g_opt.profile.empty())
        usage("--profile is required");
}

// The watcher: exits the process the moment the cancel fd's other end closes,
// and is the backstop for the hard deadline (a blocking getaddrinfo, say).
void start_watcher(int cancel_fd, Clock::time_point hard_deadline)
{
    std::thread([cancel_fd, hard_deadline] {
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(hard_deadline - Clock::now()).count();
            if (left <= 0) {
                std::lock_guard<std::mutex> lock(g_state_mutex);
                log_line(LOG_ERR, "profile " + g_opt.profile + ": hard deadline exceeded, giving up");
                _exit(kExitTransient);
            }
            pollfd p{cancel_fd, POLLIN, 0};
            int n = ::poll(&p, cancel_fd >= 0 ? 1 : 0, static_cast<int>(std::min<long long>(left, 1000)));
            if (n > 0) {
                char c;
                ssize_t r = ::read(cancel_fd, &c, 1);
                if (r <= 0 || (p.revents & (POLLHUP | POLLERR))) {
                    std::lock_guard<std::mutex> lock(g_state_mutex);
                    log_line(LOG_NOTICE, "profile " + g_opt.profile + ": cancelled (link went down)" +
                                             (g_opt.generation.empty() ? "" : ", generation " + g_opt.generation));
                    _exit(kExitTransient);
                }
            }
        }
    }).detach();
}

double jitter()
{
    static std::random_device rd;
    return std::uniform_real_distribution<double>(0.0, 1.0)(rd);
}

int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One family of one profile: decide, send, record. Returns the exit status.
// The profile's lock, waited for (another worker's attempt ends within its
// timeout) as long as this worker's own attempt still fits before the watcher's
// hard deadline. Busy at the end: nothing sent, a transient failure (the
// plugin looks again), never "nothing due".
ProfileLock wait_for_lock(const Profile& p, const std::string& state_file)
{
    const auto until = g_hard_deadline - std::chrono::seconds(p.timeout_s + 2);
    for (;;) {
        ProfileLock l = lock_profile(state_file);
        if (l.status != ProfileLock::Status::Busy || Clock::now() >= until)
            return l;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

int run_family(const Profile& p, Family fam, const std::string& state_file, const std::string& state_dir_path,
               const std::string& fp, Creds& creds, const std::string& ca_blob)
{
    const std::string tag = "profile " + p.name + " " + std::string(family_name(fam));
    std::string address;
    if (!g_opt.address.empty()) {
        bool v6 = g_opt.address.find(':') != std::string::npos;
        if (v6 == (fam == Family::V6))
            address = g_opt.address;
    }
    std::string ifname = g_opt.ifname;
    if (address.empty() && fam == Family::V4 && !ifname.empty())
        address = interface_ipv4(ifname);
    if (address.empty() && fam == Family::V6) {
        std::string where = !p.ipv6_interface.empty() ? p.ipv6_interface : ifname;
        if (where.empty()) {
            log_line(LOG_ERR, tag + ": no IPv6 address to announce: give --address, --interface, or ipv6-interface");
            return kExitUsage;
        }
        auto a = wait_ipv6(where, p.ipv6_wait_s);
        if (!a) {
            log_line(LOG_ERR, tag + ": no usable global IPv6 address on " + where + " within " +
                                  std::to_string(p.ipv6_wait_s) +
                                  "s (ULA, temporary and deprecated addresses skipped)");
            return kExitTransient;
        }
        address = *a;
    }
    bool needs_address = p.pre().source == AddressSource::Sent && p.provider != Provider::Dyndns2 &&
                         p.provider != Provider::Noip && !(p.provider == Provider::Duckdns && fam == Family::V4);
    if (address.empty() && needs_address) {
        log_line(LOG_ERR, tag + ": no address to announce: give --address or --interface");
        return kExitUsage;
    }
    if (!address.empty()) {
        AddrClass k = classify_address(address);
        if (k == AddrClass::Invalid) {
            log_line(LOG_ERR, tag + ": '" + address + "' is not an address");
            return kExitUsage;
        }
        if (!publishable(k))
            log_line(LOG_WARNING, tag + ": " + address + " is " + std::string(addr_class_name(k)) +
                                      ": DDNS cannot make this host reachable from the Internet");
    }

    // one attempt per profile at a time, from before the state is read until
    // it is written; taken after the IPv6 wait, released when this returns
    ProfileLock lock = wait_for_lock(p, state_file);
    struct Unlock {
        int fd;
        ~Unlock()
        {
            if (fd >= 0)
                ::close(fd);
        }
    } unlock{lock.fd};
    if (lock.status == ProfileLock::Status::Busy) {
        log_line(LOG_WARNING, tag + ": another worker still holds " + state_dir_path + "/" + state_file +
                                  ".lock, nothing sent; to be tried again");
        return kExitTransient;
    }
    if (lock.status != ProfileLock::Status::Held) {
        log_line(LOG_ERR, tag + ": " + lock.error + ", nothing sent");
        return kExitTransient;
    }
    bool corrupt = false;
    State st = read_state(state_file, &corrupt);
    if (corrupt)
        log_line(LOG_WARNING, tag + ": " + state_file + " is unreadable or corrupt; starting from an unknown state");
    // We hold the lock: an attempt still in flight is one whose worker is
    // gone (cancelled, killed, out of time). It counts as a transient failure.
    {
        std::lock_guard<std::mutex> guard(g_state_mutex);
        bool lost = false;
        for (Family f : {Family::V4, Family::V6})
            if (lose(st, p, f, jitter())) {
                lost = true;
                log_line(LOG_NOTICE, "profile " + p.name + " " + std::string(family_name(f)) +
                                         ": the previous attempt got no answer (cancelled or its worker ended): "
                                         "counted as failure " +
                                         std::to_string(st.of(f).failures));
            }
        if (lost) {
            if (auto err = write_state(state_file, st)) {
                log_line(LOG_ERR, tag + ": " + *err + ", nothing sent");
                return kExitTransient;
            }
        }
    }
    Decision d = decide(p, st, fam, address, fp, unix_now(), g_opt.force);
    if (d.action == Action::Suspended) {
        log_line(LOG_ERR, tag + ": SUSPENDED after a fatal answer (" + st.suspended_why +
                              "); fix the profile or its secret, or run 'pppkit ddns update --force --profile " +
                              p.name + "'");
        return kExitFatal;
    }
    if (d.action != Action::Send) {
        std::string when = d.at > 0 ? ", next in " + std::to_string(std::max<int64_t>(0, d.at - unix_now())) + "s" : "";
        log_line(LOG_INFO, tag + ": nothing due (" + std::string(reason_name(d.reason)) + ")" + when);
        return kExitOk;
    }

    // In flight, before anything is sent: if this worker is cancelled or
    // killed, the next one finds the attempt and backs off. Not fsynced (two
    // of the update's four fsyncs, about 1 ms of CPU): the page cache outlives
    // the worker, and a machine that goes down takes the link with it. The
    // answer below is written durably.
    {
        std::lock_guard<std::mutex> guard(g_state_mutex);
        begin(st, p, fam, address, unix_now());
        if (auto err = write_state(state_file, st, false)) {
            log_line(LOG_ERR, tag + ": " + *err + ", nothing sent");
            return kExitTransient;
        }
    }

    Ctx c;
    c.p = &p;
    c.fam = fam;
    c.ifname = ifname;
    // the provider records the connection's source: it must be the address we chose and record
    if (p.pre().source == AddressSource::ConnectionSource)
        c.source = address;
    c.ca_blob = ca_blob;
    c.deadline = Clock::now() + std::chrono::seconds(p.timeout_s);
    c.creds = creds;  // copied: the protocol code may move from it
    c.stls_pinned = st.pop3_stls;
    auto t0 = Clock::now();
    Answer a = p.pre().protocol == Protocol::Pop3 ? pop3_notify(c) : http_notify(c, address);
    secrets::wipe(c.creds.password);
    secrets::wipe(c.creds.token);
    // the classifiers redact the server's text; this also covers the texts of io/ (transport, POP3)
    a.detail = redact(a.detail, log_state().hidden);
    long ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());

    if (a.echoed && !address.empty() && !same_address(*a.echoed, address))
        log_line(LOG_WARNING, tag + ": the provider recorded " + *a.echoed + " but we announced " + address +
                                  " (another route or NAT?)");
    {
        // the profile's flock is held since before read_state() above
        std::lock_guard<std::mutex> state_guard(g_state_mutex);
        State fresh = read_state(state_file);
        record(fresh, p, fam, address, a, fp, unix_now(), jitter());
        if (auto err = write_state(state_file, fresh))
            log_line(LOG_ERR, tag + ": " + *err);
        st = fresh;
    }
    std::string line = tag + (address.empty() ? "" : " " + address) + ": " + std::string(outcome_name(a.outcome)) +
                       (a.detail.empty() ? "" : " (" + a.detail + ")") +
                       (endpoint(p, fam).host.empty() ? "" : " via " + endpoint(p, fam).host) +
                       (ifname.empty() ? "" : " on " + ifname) + " in " + std::to_string(ms) + " ms [" +
                       std::string(reason_name(d.reason)) + "]";
    if (is_success(a.outcome)) {
        log_line(LOG_NOTICE, line);
        return kExitOk;
    }
    if (is_fatal(a.outcome)) {
        log_line(LOG_ERR, line + "; profile SUSPENDED until its config or secrets change");
        return kExitFatal;
    }
    const FamilyState& fs = st.of(fam);
    log_line(LOG_WARNING, line + "; retry in " + std::to_string(std::max<int64_t>(0, fs.next_attempt - unix_now())) +
                              "s (failure " + std::to_string(fs.failures) + ")");
    return kExitTransient;
}

// Contract: runs as root (from pppd or `pppkit ddns update`). With privilege
// it reads the config, the secrets (keeping only this profile's; the file
// only when the profile names a secret), and the pinned CA file (through the
// trusted reader), and makes the state directory belong to the worker user;
// then it drops privilege for good. Everything that talks to the network or
// parses what it sends (and the state file, which the worker user owns and
// writes atomically itself) runs unprivileged.
int run(const config::LoadResult& cfg)
{
    auto profiles = load_profiles(cfg.doc);
    const auto& diags = cfg.diags;  // load_config() includes the [ddns] cross-key checks
    if (!diags.empty()) {
        for (const auto& d : diags)
            log_line(LOG_ERR, d.str());
        return kExitUsage;
    }
    const Profile* p = profiles.find(g_opt.profile);
    if (!p) {
        log_line(LOG_ERR, "no [ddns \"" + g_opt.profile + "\"] in " + g_opt.config);
        return kExitUsage;
    }
    if (!p->enabled) {
        log_line(LOG_INFO, "profile " + p->name + ": enabled = no, nothing sent");
        return kExitOk;
    }
    Creds creds;
    creds.username = p->username;
    // the fingerprint's key, root's alone: read (or made) before privilege is dropped
    auto fkey = fingerprint_key(state_dir(cfg.doc));
    if (const auto* e = std::get_if<1>(&fkey)) {
        log_line(LOG_ERR, "profile " + p->name + ": " + *e);
        return kExitUsage;
    }
    const std::string& key = std::get<0>(fkey);
    std::string fp;
    // A profile that names no secret needs no secrets file (pppkit check
    // does not read it then either): a missing one is no error.
    if (!names_secret(*p)) {
        fp = fingerprint(*p, secrets::Secrets{}, key);
    } else {
        // every secret of the file is in here: it is wiped when this block ends
        auto sec = secrets::load(secrets_path(cfg.doc), ::geteuid());
        if (auto* d = std::get_if<std::vector<config::Diagnostic>>(&sec)) {
            for (const auto& x : *d)
                log_line(LOG_ERR, x.str());
            return kExitUsage;
        }
        const auto& secrets = std::get<secrets::Secrets>(sec);
        for (auto [ref, out] : {std::pair{&p->password_ref, &creds.password}, std::pair{&p->token_ref, &creds.token}}) {
            if (ref->empty())
                continue;
            const std::string* v = secrets.get(*ref);
            if (!v) {
                log_line(LOG_ERR, "profile " + p->name + ": secret '" + *ref + "' is not in " + secrets_path(cfg.doc));
                return kExitUsage;
            }
            *out = *v;
            log_state().hidden.secrets.push_back(*v);
        }
        fp = fingerprint(*p, secrets, key);
        log_state().hidden = hidden(*p, creds);  // with the user names of HTTP Basic
    }
    // through the trusted reader, as root: a CA file someone else owns or
    // could write, or reached by their link, is refused (as pppkit check does)
    std::string ca_blob;
    if (auto d = read_ca_file(cfg.doc, *p, ca_blob)) {
        log_line(LOG_ERR, d->str());
        return kExitUsage;
    }
    std::string state_file = state_path(state_dir(cfg.doc), p->name);

    const passwd* user = nullptr;
    if (::geteuid() == 0) {
        user = ::getpwnam(kWorkerUser);
        if (!user) {
            log_line(LOG_ERR, std::string("system user ") + kWorkerUser +
                                  " does not exist (the package creates it: systemd-sysusers pppkit.conf); "
                                  "refusing to talk to a server as root");
            return kExitUsage;
        }
    }
    if (auto e = prepare_state_dir(state_file, user ? static_cast<long>(user->pw_uid) : -1,
                                   user ? static_cast<long>(user->pw_gid) : -1)) {
        log_line(LOG_ERR, "profile " + p->name + ": " + *e);
        return kExitUsage;
    }
    // The state directory becomes the working directory and the state file a
    // name in it: the worker user needs no access to the directories above
    // (state-dir stays root's, 0700).
    auto slash = state_file.rfind('/');
    std::string state_dir_path = slash == std::string::npos ? "." : state_file.substr(0, slash);
    if (::chdir(state_dir_path.c_str()) != 0) {
        log_line(LOG_ERR, "profile " + p->name + ": cannot enter " + state_dir_path + ": " + std::strerror(errno));
        return kExitUsage;
    }
    state_file = state_file.substr(slash + 1);
    // No controlling terminal once unprivileged: a terminal left on a
    // descriptor (the worker run by hand) takes no TIOCSTI from a process of
    // another session. EPERM: already a session leader (the plugin's and the
    // CLI's spawn make it one).
    (void)::setsid();
    if (auto e = drop_privileges(user)) {
        log_line(LOG_ERR, std::string("cannot drop privileges, nothing sent: ") + *e);
        return kExitUsage;
    }
    g_hard_deadline = Clock::now() + std::chrono::seconds(5 + p->ipv6_wait_s + 2 * p->timeout_s);
    start_watcher(g_opt.cancel_fd, g_hard_deadline);

    std::vector<Family> fams;
    if (g_opt.family == 4 || (g_opt.family == 0 && p->wants(Family::V4)))
        fams.push_back(Family::V4);
    if (g_opt.family == 6 || (g_opt.family == 0 && p->wants(Family::V6)))
        fams.push_back(Family::V6);
    int status = kExitOk;
    for (Family f : fams) {
        if (!p->wants(f)) {
            log_line(LOG_INFO, "profile " + p->name + " announces " + std::string(family_name(p->family)) + ", not " +
                                   std::string(family_name(f)));
            continue;
        }
        int s = run_family(*p, f, state_file, state_dir_path, fp, creds, ca_blob);
        if (s == kExitUsage || status == kExitUsage)
            status = kExitUsage;
        else
            status = std::max(status, s);
    }
    secrets::wipe(creds.password);
    secrets::wipe(creds.token);
    return status;
}

}  // namespace

int main(int argc, char** argv)
{
    ::signal(SIGPIPE, SIG_IGN);
    prepare_curl_load();  // before any thread: it sets the environment
    parse_args(argc, argv);
    log_state().verbose = g_opt.verbose;
    openlog("pppkit-ddns-worker", LOG_PID, LOG_DAEMON);
    // The watcher (cancel fd, hard deadline: the IPv6 wait plus two attempts,
    // plus slack) starts in run() once privilege is gone. Per-attempt
    // deadlines are enforced where the I/O happens.
    int status = kExitTransient;
    try {
        status = run(load_config(g_opt.config, g_opt.config_explicit));
    } catch (const std::exception& e) {
        log_line(LOG_ERR, std::string("internal error: ") + e.what());
    }
    if (g_opt.cancel_fd >= 0) {
        // tell the plugin how it went: the reason of a failure (one line, for
        // pppd's log), then the status as the last byte; EOF when we exit
        std::lock_guard<std::mutex> lock(g_state_mutex);
        std::string msg;
        if (status != kExitOk && !log_state().last_error.empty())
            msg = log_state().last_error.substr(0, 400) + "\n";
        msg += static_cast<char>(static_cast<unsigned char>(status));
        (void)!::write(g_opt.cancel_fd, msg.data(), msg.size());
    }
    // No libcurl or OpenSSL teardown at exit (4 % of an update's instructions):
    // the kernel reclaims the process; syslog and stderr are unbuffered.
    std::fflush(nullptr);
    ::_exit(status);
}
