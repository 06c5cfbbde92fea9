#include "pppkitd/daemon.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "common/schema.hpp"
#include "common/text.hpp"
#include "core/control.hpp"
#include "core/peer_options.hpp"
#include "pppkitd/auth_failure.hpp"
#include "pppkitd/drift.hpp"
#include "pppkitd/journal.hpp"
#include "pppkitd/online.hpp"
#include "pppkitd/probe.hpp"
#include "pppkitd/rtnl.hpp"
#include "pppkitd/stream_client.hpp"

namespace pppkit::supervisor {

struct Daemon::Client : StreamClient {
    Daemon* d = nullptr;
    Door door = Door::Status;  // where it connected: commands only through Control (reload.cpp)
};

namespace {

constexpr uint64_t kSec = 1000000;
constexpr uint64_t kClientTimeout = 2 * kSec;  // a control client must ask within this
constexpr size_t kMaxRequest = 256;
// Clients at once, per socket: the status socket's (group pppkit) are bounded
// so that they cannot take pppkitd's file descriptors (pidfds, probes, the
// PADT socket); root's control socket has a bound of its own, which the
// status socket's clients never count against (each holds an fd up to
// kClientTimeout).
constexpr size_t kMaxStatusClients = 16;
constexpr size_t kMaxControlClients = 48;
constexpr int kBacklog = 16;                  // per socket
constexpr uint64_t kDropWindow = 10 * kSec;   // at most one "dropped" line per window
constexpr uint64_t kStopTimeout = 10 * kSec;  // SIGTERM: how long our pppd may take to end
// /etc/group past this is read as naming no group pppkit (the status socket stays root's)
constexpr size_t kEtcGroupMax = size_t{16} << 20;

std::string ip4(const std::array<uint8_t, 4>& a)
{
    char b[INET_ADDRSTRLEN] = "";
    inet_ntop(AF_INET, a.data(), b, sizeof b);
    return b;
}

std::string ip6(const std::array<uint8_t, 16>& a)
{
    char b[INET6_ADDRSTRLEN] = "";
    inet_ntop(AF_INET6, a.data(), b, sizeof b);
    return b;
}

std::string mac(const std::array<uint8_t, 6>& a)
{
    char b[18];
    std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
    return b;
}

std::string hhmm(std::time_t t)
{
    char b[16] = "";
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(b, sizeof b, "%H:%M", &tm);
    return b;
}

// The event socket's queue. The kernel gives a datagram socket the
// net.unix.max_dgram_qlen of its network namespace when it is made (10 by
// the kernel's default), and a plugin's send that finds the queue full is
// dropped: pppd never waits. At ip-up three plugins send within a
// millisecond, while pppkitd may be busy reading nftables for the drift
// watch. systemd (PID 1) raises the value to 512 at boot; pppkitd does the
// same in its namespace when it finds less, before it makes the socket.
// Under the shipped unit (ProtectKernelTunables=) the write is refused, and
// systemd has raised it already.
constexpr int kEventQueue = 512;
void raise_event_queue()
{
    const char* path = "/proc/sys/net/unix/max_dgram_qlen";
    std::string value;
    long now = 0;
    if (text::read_path(path, value, 64) == 0) {
        const std::string_view v = text::trim(value);
        std::from_chars(v.data(), v.data() + v.size(), now);
    }
    if (now >= kEventQueue)
        return;
    const std::string want = std::to_string(kEventQueue) + "\n";
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    const bool ok = fd >= 0 && ::write(fd, want.data(), want.size()) == static_cast<ssize_t>(want.size());
    const int err = errno;
    if (fd >= 0)
        ::close(fd);
    if (ok)
        jlog::plain(LOG_INFO, "net.unix.max_dgram_qlen raised from " + std::to_string(now) + " to " +
                                  std::to_string(kEventQueue) + " (as systemd does): the event socket's queue");
    else
        jlog::plain(LOG_WARNING, "the event socket holds " + std::to_string(now) +
                                     " messages (net.unix.max_dgram_qlen), and a burst beyond that is lost; " +
                                     "cannot raise it: " + std::strerror(err));
}

int bind_unix(const std::string& path, int type, mode_t mode)
{
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    ::unlink(path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::chmod(path.c_str(), mode) != 0) {
        int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

}  // namespace

Daemon::Daemon(Options o) : opt_(std::move(o)) {}

Daemon::~Daemon()
{
    drift_.reset();   // its sources belong to ev_
    online_.reset();  // so do its
    rtnl_.reset();
    sd_event_source_unref(sweep_);
    for (auto& l : links_)
        l->prober.reset();
    clients_.clear();
    for (auto& l : links_) {
        sd_event_source_unref(l->child);
        sd_event_source_unref(l->timer);
        if (l->pidfd >= 0)
            ::close(l->pidfd);
    }
    if (event_fd_ >= 0)
        ::close(event_fd_);
    for (int fd : {control_fd_, status_fd_})
        if (fd >= 0)
            ::close(fd);
    sd_event_unref(ev_);
}

uint64_t Daemon::now_usec() const
{
    uint64_t t = 0;
    sd_event_now(ev_, CLOCK_MONOTONIC, &t);
    return t;
}

int Daemon::run()
{
    auto cfg = load_config(opt_.config, opt_.config_explicit);
    if (!cfg.ok()) {
        for (const auto& d : cfg.diags)
            jlog::config_problem(d);
        jlog::plain(LOG_ERR, "invalid configuration (" + std::to_string(cfg.diags.size()) + " problems), not starting");
        return 2;
    }
    if (!opt_.state_dir_explicit)  // the same directory as the plugins' and `pppkit ddns`
        opt_.state_dir = state_dir(cfg.doc);
    if (cfg.absent)
        jlog::plain(LOG_WARNING, opt_.config + " is missing or empty: no links until it is back and pppkitd is "
                                               "reloaded; the drift repair keeps pppkit's firewall closed meanwhile");
    for (auto& lc : read_links(cfg.doc)) {
        auto l = std::make_unique<Link>();
        l->owner = this;
        l->cfg = std::move(lc);
        l->machine.auth_limit = l->cfg.auth_failures;
        l->since = std::time(nullptr);
        links_.push_back(std::move(l));
    }

    sigset_t mask;
    sigemptyset(&mask);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD})
        sigaddset(&mask, s);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    if (int r = sd_event_default(&ev_); r < 0) {
        jlog::plain(LOG_ERR, std::string("sd_event_default: ") + std::strerror(-r));
        return 1;
    }
    for (int s : {SIGTERM, SIGINT, SIGHUP})
        sd_event_add_signal(ev_, nullptr, s, on_signal, this);
    sd_event_set_watchdog(ev_, 1);  // WATCHDOG=1 at half of WatchdogSec, from the loop itself
    if (!setup_sockets())
        return 1;
    start_drift_watch();
    if (!start_rtnl_watch())
        return 1;
    for (auto& l : links_)
        if (!l->cfg.probes.empty())
            l->prober = std::make_unique<Prober>(ev_, *l);
    start_online(cfg.doc);

    adopt_running();
    take_over();
    clear_stale_sessions();
    if (drift_)
        drift_->load_if_missing();  // no dial without pppkit's firewall
    start_links();
    for (auto& l : links_)
        online_changed(*l);  // systemd learns each target's state (after a restart too)
    sd_notify(0, "READY=1");
    notify_status();
    jlog::plain(LOG_INFO,
                "started, " + std::to_string(links_.size()) + " link(s), runtime directory " + opt_.runtime_dir);
    int r = sd_event_loop(ev_);
    return r < 0 ? 1 : r;
}

bool Daemon::setup_sockets()
{
    ::mkdir(opt_.runtime_dir.c_str(), 0755);
    // Event socket: root's only (0600; pppd runs as root, a setuid one with
    // euid 0). A user who could send could also keep its small queue full
    // and make pppd's non-blocking sends fail. The credentials are checked
    // too: only messages that say uid 0 are read. The plugins claim their
    // effective uid (a setuid pppd's real uid is the user's who ran pon),
    // which the kernel allows only a process with uid 0 among its real,
    // effective and saved uids.
    const std::string evp = opt_.runtime_dir + "/event";
    raise_event_queue();
    event_fd_ = bind_unix(evp, SOCK_DGRAM, 0600);
    int one = 1;
    if (event_fd_ < 0 || ::setsockopt(event_fd_, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) {
        jlog::plain(LOG_ERR, "cannot listen on " + evp + ": " + std::strerror(errno));
        return false;
    }
    // Control socket: root's alone (0600, and the peer's uid is checked), for
    // every request. Status socket: root, or group pppkit when /etc/group
    // lists it (read without NSS: control::control_group), for status alone.
    // Root's listener and clients run before the status socket's on the loop.
    const std::string cp = opt_.runtime_dir + "/control";
    control_fd_ = bind_unix(cp, SOCK_STREAM, 0600);
    if (control_fd_ < 0 || ::listen(control_fd_, kBacklog) != 0) {
        jlog::plain(LOG_ERR, "cannot listen on " + cp + ": " + std::strerror(errno));
        return false;
    }
    const std::string sp = opt_.runtime_dir + "/status";
    std::string groups;
    if (text::read_path("/etc/group", groups, kEtcGroupMax) != 0)
        groups.clear();  // as if it had no group pppkit
    control_gid_ = control::control_group(groups, "pppkit").value_or(0);
    status_fd_ = bind_unix(sp, SOCK_STREAM, control_gid_ != 0 ? 0660 : 0600);
    if (status_fd_ < 0 || (control_gid_ != 0 && ::chown(sp.c_str(), 0, control_gid_) != 0) ||
        ::listen(status_fd_, kBacklog) != 0) {
        jlog::plain(LOG_ERR, "cannot listen on " + sp + ": " + std::strerror(errno));
        return false;
    }
    sd_event_add_io(ev_, nullptr, event_fd_, EPOLLIN, on_event_socket, this);
    add_listener(ev_, nullptr, control_fd_, on_control_accept, this, SD_EVENT_PRIORITY_IMPORTANT);
    add_listener(ev_, nullptr, status_fd_, on_status_accept, this);
    return true;
}

void Daemon::start_links()
{
    for (auto& l : links_)
        if (l->cfg.autostart)
            feed(*l, Input::Start);
}

bool Daemon::lan_up(const Link& l) const
{
    if (l.cfg.lan_interface.empty())
        return true;
    const rtnl::Iface* f = rtnl_ ? rtnl_->view().find(l.cfg.lan_interface) : nullptr;
    return f != nullptr && f->up_running();
}

// The one place a link's state changes: the pure machine decides, act() does.
void Daemon::feed(Link& l, Input in, ExitClass end)
{
    const LinkState before = l.machine.state;
    Action a = l.machine.on(in, lan_up(l), end);
    if (l.machine.state != before) {
        l.since = std::time(nullptr);
        if (l.machine.state == LinkState::WaitingForLan)
            jlog::link(LOG_INFO, jlog::kWaitingLan, l, "waiting for " + l.cfg.lan_interface + " to come up");
    }
    act(l, a);
    if (l.prober && (before == LinkState::Up) != (l.machine.state == LinkState::Up)) {
        if (l.machine.state == LinkState::Up)
            l.prober->link_up();
        else
            l.prober->link_down();
    }
    online_changed(l);
    notify_status();
}

void Daemon::act(Link& l, Action a)
{
    switch (a) {
    case Action::None: break;
    case Action::SpawnPppd: spawn(l); break;
    case Action::ArmBackoff: arm_backoff(l); break;
    case Action::CancelBackoff: cancel_backoff(l); break;
    case Action::KillPppd: signal_pppd(l, SIGTERM); break;
    }
}

namespace {

// What "pppd call NAME" reads: DIR/options, DIR/peers/NAME and the files
// they name ("file", "call"), at most 16, merged (scan_options): a pppkit
// plugin in any of them; debug in any of them; show-password as the last
// word of its kind in any of them. nullopt when the peer file cannot be
// read (pppd will say why).
std::optional<OptionsScan> scan_peer(const std::string& dir, const std::string& name)
{
    constexpr std::size_t kLimit = 1 << 16;
    std::vector<std::string> todo = {dir + "/peers/" + name, dir + "/options"};
    OptionsScan all;
    for (std::size_t i = 0; i < todo.size() && i < 16; ++i) {
        std::string text;
        if (text::read_path(todo[i], text, kLimit) != 0) {
            if (i == 0)
                return std::nullopt;
            continue;
        }
        OptionsScan s = scan_options(text);
        all.pppkit_plugin = all.pppkit_plugin || s.pppkit_plugin;
        all.debug = all.debug || s.debug;
        if (s.show_password.value_or(false))
            all.show_password = true;
        todo.insert(todo.end(), s.files.begin(), s.files.end());
        for (const auto& c : s.calls)
            todo.push_back(dir + "/peers/" + c);
    }
    return all;
}

}  // namespace

void Daemon::spawn(Link& l)
{
    clear_stale_session(l, "left open by an earlier pppd");  // a PADT that failed before
    // Exactly what pon runs, so that "poff NAME" finds and stops it.
    std::vector<std::string> args = {opt_.pppd, "call", l.cfg.name, "nodetach"};
    // A pppd without a pppkit plugin sends no events: a persist one would
    // redial by itself, unseen, at pppd's own pace (holdoff 30 s, maxfail
    // 10), its authentication failures counted only when it exits. With
    // maxfail 1 (after the peer file's, so it wins) each failed attempt
    // ends it, and pppkitd counts its exit status under its own backoff
    // and hourly bound. A link that was up still redials once by itself.
    const std::optional<OptionsScan> peer = scan_peer(opt_.ppp_dir, l.cfg.name);
    const std::optional<bool> plain = peer ? std::optional<bool>(!peer->pppkit_plugin) : std::nullopt;
    if (plain.value_or(false)) {
        args.emplace_back("maxfail");
        args.emplace_back("1");
    }
    if (plain && plain != l.plain)
        jlog::link(LOG_INFO, jlog::kDial, l,
                   *plain ? "its peer file loads no pppkit plugin: pppd runs with maxfail 1, so that each failed "
                            "attempt ends it and pppkitd counts it (no events from that pppd)"
                          : "its peer file loads a pppkit plugin: pppd's attempts are followed by its events");
    l.plain = plain;
    // pppd's debug output goes to the same journal as everything else and is
    // kept: say once per link what it exposes (core/peer_options.hpp)
    const bool debug = peer && peer->debug;
    if (debug && !l.warned_debug)
        jlog::link(
            LOG_WARNING, jlog::kDial, l,
            std::string("its peer options turn on pppd's debug: pppd logs the CHAP challenge and response "
                        "(enough to guess the password offline)") +
                (peer->show_password.value_or(false) ? " and, with show-password, a PAP password in clear" : "") +
                "; remove debug once the link works");
    l.warned_debug = debug;
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE})
        sigaddset(&dfl, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    l.dial_gen = kernel_gen();
    int r = posix_spawn(&pid, opt_.pppd.c_str(), nullptr, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    backoff_dialled(l.backoff, static_cast<int64_t>(now_usec() / 1000));
    ++l.dials;
    if (r != 0) {
        jlog::link(LOG_ERR, jlog::kRedial, l, "cannot start " + opt_.pppd + ": " + std::strerror(r));
        l.pid = 0;
        // as if pppd failed at once: the backoff bounds the retries
        l.last_end = ProcessEnd{false, 1};
        l.last_reason = std::string("cannot start pppd: ") + std::strerror(r);
        l.machine.state = LinkState::Dialling;
        feed(l, Input::PppdExit, classify_exit({false, 1}));
        return;
    }
    l.pid = pid;
    l.own_child = true;
    l.events = 0;
    l.gate.new_pppd();
    l.exit_status_reported.reset();
    l.problem.clear();
    sd_event_add_child(ev_, &l.child, pid, WEXITED, on_child, &l);
    jlog::link(LOG_NOTICE, l.dials > 1 ? jlog::kRedial : jlog::kDial, l,
               (l.dials > 1 ? "redialling: " : "dialling: ") + opt_.pppd + " call " + l.cfg.name + " nodetach" +
                   (plain.value_or(false) ? " maxfail 1" : "") + " (pid " + std::to_string(pid) + ")");
}

void Daemon::arm_backoff(Link& l)
{
    cancel_backoff(l);
    static std::mt19937 rng{std::random_device{}()};
    const auto now_ms = static_cast<int64_t>(now_usec() / 1000);
    Delay d = backoff_next(l.cfg.backoff, l.backoff, now_ms, static_cast<uint32_t>(rng()));
    l.timer_due = now_usec() + static_cast<uint64_t>(d.ms) * 1000;
    sd_event_add_time(ev_, &l.timer, CLOCK_MONOTONIC, l.timer_due, 10000, on_backoff, &l);
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f", static_cast<double>(d.ms) / 1000.0);
    jlog::link(LOG_INFO, jlog::kRedial, l,
               std::string("next dial in ") + secs + " s" +
                   (d.hourly_bound
                        ? " (max-dials-per-hour " + std::to_string(l.cfg.backoff.max_dials_per_hour) + " reached)"
                        : ""));
}

void Daemon::cancel_backoff(Link& l)
{
    l.timer = sd_event_source_disable_unref(l.timer);
    l.timer_due = 0;
}

bool signal_pppd(const Link& l, int sig)
{
    if (l.pid <= 0 || (!l.own_child && l.pidfd < 0)) {
        errno = ESRCH;
        return false;
    }
    if (l.own_child)
        return ::kill(l.pid, sig) == 0;
    return ::syscall(SYS_pidfd_send_signal, l.pidfd, sig, nullptr, 0) == 0;
}

void Daemon::watch_adopted(Link& l, pid_t pid, int pidfd)
{
    forget_pppd(l);
    l.pid = pid;
    l.own_child = false;
    l.events = 0;
    l.gate.new_pppd();
    l.exit_status_reported.reset();
    l.problem.clear();
    l.pidfd = pidfd;
    sd_event_add_io(ev_, &l.child, l.pidfd, EPOLLIN, on_pidfd, &l);
    jlog::link(LOG_NOTICE, jlog::kAdopt, l, "adopted pppd pid " + std::to_string(pid) + " started outside pppkitd");
}

void Daemon::forget_pppd(Link& l)
{
    l.child = sd_event_source_disable_unref(l.child);
    if (l.pidfd >= 0)
        ::close(l.pidfd);
    l.pidfd = -1;
    l.pid = 0;
    l.in_holdoff = false;
    l.handed_over = false;
}

void Daemon::clear_addresses(Link& l)
{
    l.local4.clear();
    l.remote4.clear();
    l.local6.clear();
    l.remote6.clear();
}

unsigned Daemon::redials(const Link& l) { return (l.dials > 0 ? l.dials - 1 : 0) + l.pppd_redials; }

// A persist pppd dials again by itself: HOLDOFF (its holdoff_hook answered a
// delay), DORMANT when the holdoff ends, then SERIALCONN for the next dial
// (ESTABLISH or INITIALIZE on other channels). Such a dial counts as a redial
// and toward max-dials-per-hour of pppkitd's own restarts, whoever dialled.
// (Phases without HOLDOFF before them are a dial pppkitd counted at spawn.)
void Daemon::pppd_phase(Link& l, int phase)
{
    using P = event::PppPhase;
    const auto p = static_cast<P>(phase);
    if (p == P::Holdoff) {
        l.in_holdoff = true;
        return;
    }
    if (!l.in_holdoff || p == P::Dormant)
        return;
    l.in_holdoff = false;
    if (p != P::Initialize && p != P::Serialconn && p != P::Establish)
        return;  // DEAD: asked to quit during the holdoff
    ++l.pppd_redials;
    backoff_dialled(l.backoff, static_cast<int64_t>(now_usec() / 1000));
    jlog::link(LOG_NOTICE, jlog::kRedial, l, "pppd " + std::to_string(l.pid) + " redials by itself (persist)");
}

void Daemon::pppd_ended(Link& l, ProcessEnd end)
{
    // What pppd's plugins said last (the Problem of a refusal, the Exit
    // status) was queued on the event socket before pppd exited; the loop
    // may hand us the exit first (one source per iteration). Read those
    // messages now, while they still find this link by its pid.
    if (event_fd_ >= 0)
        on_event_socket(nullptr, event_fd_, EPOLLIN, this);
    const pid_t pid = l.pid;
    forget_pppd(l);
    ExitClass c = classify_exit(end);
    l.last_end = end;
    l.last_reason = std::string(c.reason);
    l.last_problem = std::exchange(l.problem, std::string());
    const bool was_up = l.machine.state == LinkState::Up;
    clear_addresses(l);
    l.phase = -1;
    l.gate.down();
    std::string how =
        end.signalled ? "killed by signal " + std::to_string(end.code) : "exit status " + std::to_string(end.code);
    int prio = c.action == ExitAction::Restart ? LOG_WARNING : LOG_NOTICE;
    const char* id = c.action == ExitAction::AuthFailure ? jlog::kAuthFailure : jlog::kPppdExit;
    if (c.action == ExitAction::StopConfig || c.action == ExitAction::AuthFailure)
        prio = LOG_ERR;
    jlog::link(prio, id, l,
               "pppd " + std::to_string(pid) + " ended (" + how + ": " + std::string(c.reason) + ")" +
                   (was_up ? ", the link is down" : ""));
    if (was_up)  // no ip-down came (kill -9, crash): the link-down entry is this one
        jlog::link(LOG_NOTICE, jlog::kLinkDown, l, "link down on " + l.ifname + " (pppd ended)");
    session_ended(l, c.unclean);  // the PADT of a session pppd left open, before any redial
    if (stopping_) {
        l.machine.state = LinkState::Stopped;  // no restart; the target goes with the link
        online_changed(l);
        exit_when_children_gone();
        return;
    }
    const int auth_before = l.machine.auth_failures;
    feed(l, Input::PppdExit, c);
    if (l.machine.auth_failures != auth_before) {
        l.auth_status = end.code;
        l.auth_at = std::time(nullptr);
    }
    if (l.machine.state == LinkState::FailedAuth && l.machine.auth_failures != auth_before)
        jlog::link(LOG_ERR, jlog::kAuthFailure, l, auth_giving_up(l));
    else if (l.machine.state == LinkState::FailedConfig)
        jlog::link(LOG_ERR, jlog::kPppdExit, l,
                   "not restarting: pppd refused its configuration" +
                       (l.last_problem.empty() ? std::string(" (see its log above)") : ": " + l.last_problem));
}

void Daemon::notify_status()
{
    std::string s;
    for (auto& l : links_) {
        if (!s.empty())
            s += "; ";
        s += l->cfg.name + " " + std::string(state_name(l->machine.state));
        if (l->machine.state == LinkState::Up && !l->local4.empty())
            s += " " + l->local4;
        s += " since " + hhmm(l->since);
        if (l->machine.state == LinkState::FailedAuth)
            s += " (authentication failed " + std::to_string(l->machine.auth_failures) +
                 " times in a row: " + auth_reason(*l) + "; no redial)";
        if (l->machine.state == LinkState::FailedConfig && !l->last_problem.empty())
            s += " (" + l->last_problem + "; no redial)";
        s += ", " + std::to_string(redials(*l)) + " redials";
    }
    if (s.empty())
        s = "no links configured";
    if (s == last_status_)
        return;
    last_status_ = s;
    sd_notify(0, ("STATUS=" + s).c_str());
}

void Daemon::drop_event(const std::string& why)
{
    const uint64_t now = now_usec();
    if (now - drop_window_start_ >= kDropWindow) {
        drop_window_start_ = now;
        drops_in_window_ = 0;
    }
    if (drops_in_window_++ == 0) {
        std::string msg = "dropped an event message: " + why;
        if (drops_suppressed_ > 0)
            msg += " (" + std::to_string(drops_suppressed_) + " more dropped since the last report)";
        drops_suppressed_ = 0;
        jlog::event_dropped(msg);
    } else {
        ++drops_suppressed_;
    }
}

void Daemon::handle_event(const event::Message& m)
{
    using event::MsgType;
    Link* l = nullptr;
    for (auto& x : links_)
        if (x->pid != 0 && static_cast<uint32_t>(x->pid) == m.pid)
            l = x.get();
    if (l == nullptr)
        for (auto& x : links_)
            if (!m.peer.empty() && x->cfg.name == m.peer)
                l = x.get();
    if (l == nullptr)
        return;  // a pppd pppkitd does not supervise
    if (l->pid == 0 && m.type == MsgType::Exit)
        return;  // the end of a pppd not adopted (a user's, or one gone before its hello was read)
    if (l->pid == 0) {
        // pon NAME, or a pppd that outlived a previous pppkitd: adopted only
        // when it still runs root's "pppd call NAME" of this link (any root
        // process may send a message naming a link; a sender that ended
        // before this read would leave a pid nothing watches or may signal)
        const auto pid = static_cast<pid_t>(m.pid);
        const CheckedPppd c = open_pppd(pid, l->cfg.name);
        if (c.check == PppdCheck::Gone) {  // also the late message of a pppd that just ended
            jlog::link(LOG_DEBUG, jlog::kAdopt, *l,
                       "pid " + std::to_string(pid) + " ended before its message was read: not adopted");
            return;
        }
        if (c.check == PppdCheck::NotPppd) {
            drop_event("pid " + std::to_string(pid) + " names link " + l->cfg.name + " but is not root's pppd call " +
                       l->cfg.name + ": not adopted");
            return;
        }
        watch_adopted(*l, pid, c.pidfd);
        feed(*l, Input::Hello);
    } else if (static_cast<uint32_t>(l->pid) != m.pid) {
        // rate-limited like any dropped message: a member of group dip can
        // start pppd call NAME as often as they like
        drop_event("a second pppd (pid " + std::to_string(m.pid) + ") runs for link " + l->cfg.name +
                   "; pppkitd follows pid " + std::to_string(l->pid));
        return;
    }
    if (m.type != MsgType::Applied && m.type != MsgType::Problem)
        ++l->events;  // one per pppd event; Applied comes once per plugin, Problem from the one that refuses
    const bool moved =
        (!m.ifname.empty() && m.ifname != l->ifname) || (!m.eth_ifname.empty() && m.eth_ifname != l->eth_ifname);
    if (!m.ifname.empty() && m.ifname != l->ifname) {
        l->ifname = m.ifname;
        l->ifindex = 0;
        bind_ifindex(*l);
    }
    if (!m.eth_ifname.empty())
        l->eth_ifname = m.eth_ifname;
    if (moved && online_)  // a status-listen socket on this link's carrier (or interface) answers the WAN side
        online_->recheck_listeners();
    if (m.session)
        l->session = m.session;
    if (m.ac_mac)
        l->ac_mac = mac(*m.ac_mac);
    if (m.mtu)
        l->mtu = *m.mtu;
    if (m.phase) {
        l->phase = *m.phase;
        pppd_phase(*l, *m.phase);
    }
    session_seen(*l, m);
    if (m.type == MsgType::Phase &&
        l->phase == static_cast<int>(event::PppPhase::Dead))  // the channel ended its session
        session_closed(*l);
    l->gate.expect(m.plugins);  // Hello and ip-up say which plugins will say Applied
    switch (m.type) {
    case MsgType::Phase: attempt_phase(*l, m); [[fallthrough]];
    case MsgType::Hello: notify_status(); break;
    case MsgType::LinkDown:
        l->gate.down();
        notify_status();
        break;
    case MsgType::Applied:
        // a plugin's ip-up handler returned (online.hpp)
        l->gate.applied(m.plugin, *m.up_type, *m.outcome == 0);
        if (*m.outcome != 0)
            jlog::link(LOG_WARNING, jlog::kOnline, *l,
                       "pppkit-" + m.plugin + " could not put its rules in place for " + m.ifname +
                           ": pppkit-online@ waits (see pppd's log)");
        online_changed(*l);
        break;
    case MsgType::IpUp:
    case MsgType::Ipv6Up: {
        if (m.type == MsgType::IpUp) {
            l->local4 = m.local4 ? ip4(*m.local4) : "";
            l->remote4 = m.remote4 ? ip4(*m.remote4) : "";
        } else {
            l->local6 = m.local6 ? ip6(*m.local6) : "";
            l->remote6 = m.remote6 ? ip6(*m.remote6) : "";
        }
        const bool was_up = l->machine.state == LinkState::Up;
        backoff_link_up(l->backoff, static_cast<int64_t>(now_usec() / 1000));
        feed(*l, Input::NetworkUp);
        const std::string addr = m.type == MsgType::IpUp ? l->local4 : l->local6;
        jlog::link(LOG_NOTICE, was_up ? jlog::kAddress : jlog::kLinkUp, *l,
                   std::string(m.type == MsgType::IpUp ? "IPv4" : "IPv6") + " up on " + l->ifname + ": " + addr +
                       (l->mtu ? ", MTU " + std::to_string(l->mtu) : ""));
        break;
    }
    case MsgType::IpDown:
    case MsgType::Ipv6Down: {
        if (m.type == MsgType::IpDown) {
            l->local4.clear();
            l->remote4.clear();
        } else {
            l->local6.clear();
            l->remote6.clear();
        }
        if (l->local4.empty() && l->local6.empty() && l->machine.state == LinkState::Up) {
            l->gate.down();
            feed(*l, Input::NetworkDown);
            jlog::link(LOG_NOTICE, jlog::kLinkDown, *l, "link down on " + l->ifname);
        } else {
            notify_status();
        }
        break;
    }
    case MsgType::Problem:
        // a plugin refuses the link: pppd exits 2 next; the first one is why
        if (l->problem.empty()) {
            l->problem = m.text;
            jlog::link_problem(*l, m.text);
        }
        break;
    case MsgType::Exit:
        // pppd's own word; for a child of pppkitd, SIGCHLD brings the status
        if (m.exit_status)
            l->exit_status_reported = *m.exit_status;
        break;
    }
}

std::string Daemon::status_json(const std::string& only) const
{
    using nlohmann::json;
    json links = json::array();
    const uint64_t now = now_usec();
    for (const auto& lp : links_) {
        const Link& l = *lp;
        if (!only.empty() && l.cfg.name != only)
            continue;
        json j = {
            {"name", l.cfg.name},
            {"state", state_name(l.machine.state)},
            {"since", iso(l.since)},
            {"pid", l.pid != 0 ? json(l.pid) : json(nullptr)},
            {"adopted", l.pid != 0 && !l.own_child},
            {"handed_over", l.pid != 0 && l.handed_over},
            {"ifname", l.ifname.empty() ? json(nullptr) : json(l.ifname)},
            {"ipv4",
             {{"local", l.local4.empty() ? json(nullptr) : json(l.local4)},
              {"remote", l.remote4.empty() ? json(nullptr) : json(l.remote4)}}},
            {"ipv6",
             {{"local", l.local6.empty() ? json(nullptr) : json(l.local6)},
              {"remote", l.remote6.empty() ? json(nullptr) : json(l.remote6)}}},
            {"mtu", l.mtu != 0 ? json(l.mtu) : json(nullptr)},
            {"pppoe",
             {{"session", l.session ? json(*l.session) : json(nullptr)},
              {"ac_mac", l.ac_mac.empty() ? json(nullptr) : json(l.ac_mac)},
              {"ethernet", l.eth_ifname.empty() ? json(nullptr) : json(l.eth_ifname)}}},
            {"dials", l.dials},
            {"redials", redials(l)},
            {"pppd_redials", l.pppd_redials},
            {"auth_failures", l.machine.auth_failures},
            {"last_auth_failure", auth_failure_json(l)},
            {"backoff_left_ms", l.timer_due > now ? json((l.timer_due - now) / 1000) : json(nullptr)},
            {"lan_interface", l.cfg.lan_interface.empty() ? json(nullptr) : json(l.cfg.lan_interface)},
            {"autostart", l.cfg.autostart},
            {"events", l.events},
            {"online", OnlineWatch::status(l)},
        };
        if (l.last_padt)
            j["pppoe"]["last_padt"] = {
                {"at", iso(l.last_padt->at)},
                {"session", l.last_padt->session.id},
                {"ac_mac", pppoe::format_mac(l.last_padt->session.ac_mac)},
                {"ethernet", l.last_padt->session.ethernet},
                {"reason", l.last_padt->why},
                {"error", l.last_padt->error.empty() ? json(nullptr) : json(l.last_padt->error)}};
        else
            j["pppoe"]["last_padt"] = nullptr;
        j["probes"] = l.prober ? l.prober->status() : json(nullptr);
        if (const rtnl::Iface* f = rtnl_ && l.ifindex != 0 ? rtnl_->view().find(l.ifindex) : nullptr) {
            json addrs = json::array();
            for (const auto& a : f->addrs)
                addrs.push_back(a.local + "/" + std::to_string(a.prefix) + (a.peer.empty() ? "" : " peer " + a.peer));
            j["kernel"] = {{"ifindex", l.ifindex},
                           {"up", (f->flags & IFF_UP) != 0},
                           {"running", (f->flags & IFF_RUNNING) != 0},
                           {"addresses", std::move(addrs)}};
        } else {
            j["kernel"] = nullptr;
        }
        if (l.last_end)
            j["last_exit"] = {{"signal", l.last_end->signalled ? json(l.last_end->code) : json(nullptr)},
                              {"status", l.last_end->signalled ? json(nullptr) : json(l.last_end->code)},
                              {"reason", l.last_reason},
                              {"problem", l.last_problem.empty() ? json(nullptr) : json(l.last_problem)}};
        else
            j["last_exit"] = nullptr;
        links.push_back(std::move(j));
    }
    return json{{"version", 1}, {"links", std::move(links)}, {"firewall", drift_ ? drift_->status() : json(nullptr)}}
        .dump();
}

void Daemon::start_drift_watch()
{
    DriftWatch::Hooks h;
    h.links_up = [this] {
        std::vector<drift::LinkView> up;
        for (const auto& l : links_)
            if (l->machine.state == LinkState::Up && !l->ifname.empty())
                up.push_back({l->ifname, l->local4, l->cfg.name});
        return up;
    };
    h.pppd_pids = [this] {
        std::vector<uint32_t> pids;
        for (const auto& l : links_)
            if (l->pid > 0)
                pids.push_back(static_cast<uint32_t>(l->pid));
        return pids;
    };
    h.carriers = [this] {
        std::vector<std::string> eth;
        for (const auto& l : links_) {
            if (!l->eth_ifname.empty())
                eth.push_back(l->eth_ifname);
            if (l->saved_session)  // a session before this pppkitd, maybe not cleared yet
                eth.push_back(l->saved_session->ethernet);
        }
        return eth;
    };
    drift_ = std::make_unique<DriftWatch>(ev_, opt_.config, opt_.config_explicit, std::move(h));
    // without the watch (logged) it still loads a missing firewall before the first dial
    (void)drift_->start();
}

void Daemon::stop_all()
{
    sd_notify(0, "STOPPING=1");
    jlog::plain(LOG_INFO, "stopping");
    if (stopping_)
        return;
    stopping_ = true;
    // Our pppd end their sessions (LCP terminate, PADT) on SIGTERM; wait for
    // them, a bounded time, so that systemd does not SIGKILL them mid-way.
    for (auto& l : links_)
        if (l->pid > 0 && (l->own_child || l->handed_over))
            signal_pppd(*l, SIGTERM);
    sd_event_add_time_relative(ev_, nullptr, CLOCK_MONOTONIC, kStopTimeout, 100000, on_stop_timeout, this);
    exit_when_children_gone();
}

void Daemon::exit_when_children_gone()
{
    for (auto& l : links_)
        if (l->pid > 0 && (l->own_child || l->handed_over))
            return;
    sd_event_exit(ev_, 0);
}

int Daemon::on_stop_timeout(sd_event_source*, uint64_t, void* ud)
{
    jlog::plain(LOG_WARNING, "pppd did not end within 10 s of SIGTERM; leaving it to systemd");
    sd_event_exit(static_cast<Daemon*>(ud)->ev_, 0);
    return 0;
}

// ---------------------------------------------------------------- callbacks

int Daemon::on_signal(sd_event_source*, const signalfd_siginfo* si, void* ud)
{
    auto* d = static_cast<Daemon*>(ud);
    if (si->ssi_signo == SIGHUP) {
        jlog::plain(LOG_NOTICE, "SIGHUP: reloading the configuration");
        (void)d->reload();
        return 0;
    }
    if (si->ssi_signo == SIGTERM && !d->stopping_ && d->hand_over())
        return 0;
    d->stop_all();
    return 0;
}

int Daemon::on_event_socket(sd_event_source*, int fd, uint32_t, void* ud)
{
    auto* d = static_cast<Daemon*>(ud);
    for (int n = 0; n < 64; ++n) {  // a burst at most, then back to the loop
        uint8_t buf[event::kMaxMessage + 1];
        alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(ucred))];
        iovec iov{buf, sizeof buf};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof cbuf;
        ssize_t len = ::recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
        if (len < 0)
            break;
        const ucred* cred = nullptr;
        for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
                cred = reinterpret_cast<const ucred*>(CMSG_DATA(c));
            else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                // nobody passes descriptors here: close what was sent
                auto* fds = reinterpret_cast<int*>(CMSG_DATA(c));
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); ++i)
                    ::close(fds[i]);
            }
        }
        if (cred == nullptr) {
            d->drop_event("no sender credentials");
            continue;
        }
        if (cred->uid != 0) {
            d->drop_event("sender uid " + std::to_string(cred->uid) + " (pid " + std::to_string(cred->pid) +
                          ") is not root");
            continue;
        }
        if ((mh.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(len) > event::kMaxMessage) {
            d->drop_event("oversized (" + std::to_string(len) + " bytes) from pid " + std::to_string(cred->pid));
            continue;
        }
        auto r = event::decode(std::span<const uint8_t>(buf, static_cast<size_t>(len)));
        if (const auto* e = std::get_if<event::DecodeError>(&r)) {
            d->drop_event("malformed (" + std::string(event::error_name(*e)) + ") from pid " +
                          std::to_string(cred->pid));
            continue;
        }
        const auto& m = std::get<event::Message>(r);
        if (m.pid != static_cast<uint32_t>(cred->pid)) {
            d->drop_event("pid " + std::to_string(cred->pid) + " speaks for pid " + std::to_string(m.pid));
            continue;
        }
        d->handle_event(m);
    }
    return 0;
}

// Whether the peer of the unix socket c is in group g: its primary group
// (SO_PEERCRED) or a supplementary one (SO_PEERGROUPS, as `usermod -aG pppkit`
// makes it), both as the kernel took them at connect().
static bool peer_in_group(int c, const ucred& cr, gid_t g)
{
    if (g == 0)
        return false;
    if (cr.gid == g)
        return true;
    std::vector<gid_t> groups(64);
    for (int tries = 0; tries < 2; ++tries) {
        auto len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (::getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
            groups.resize(len / sizeof(gid_t));
            return std::find(groups.begin(), groups.end(), g) != groups.end();
        }
        if (errno != ERANGE)
            return false;
        groups.resize(len / sizeof(gid_t) + 1);  // len: the size needed
    }
    return false;
}

int Daemon::on_control_accept(sd_event_source*, int fd, uint32_t, void* ud)
{
    static_cast<Daemon*>(ud)->accept_client(fd, Door::Control);
    return 0;
}

int Daemon::on_status_accept(sd_event_source*, int fd, uint32_t, void* ud)
{
    static_cast<Daemon*>(ud)->accept_client(fd, Door::Status);
    return 0;
}

// One connection on the control socket (root only) or the status socket
// (root or group pppkit), each bounded by its own count of clients.
void Daemon::accept_client(int fd, Door door)
{
    int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0)
        return;
    ucred cr{};
    socklen_t n = sizeof cr;
    const bool known = ::getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &n) == 0;
    if (!known || !(cr.uid == 0 || (door == Door::Status && peer_in_group(c, cr, control_gid_)))) {
        const char* no = "{\"error\":\"permission denied\"}\n";
        (void)::send(c, no, std::strlen(no), MSG_DONTWAIT | MSG_NOSIGNAL);
        ::close(c);
        return;
    }
    const auto here = static_cast<size_t>(
        std::count_if(clients_.begin(), clients_.end(), [door](const auto& kv) { return kv.second->door == door; }));
    if (here >= (door == Door::Control ? kMaxControlClients : kMaxStatusClients)) {
        const char* busy = "{\"error\":\"busy: too many clients at once on this socket, try again\"}\n";
        (void)::send(c, busy, std::strlen(busy), MSG_DONTWAIT | MSG_NOSIGNAL);
        ::close(c);
        return;
    }
    auto cl = std::make_unique<Client>();
    cl->d = this;
    cl->fd = c;
    cl->door = door;
    sd_event_add_io(ev_, &cl->io, c, EPOLLIN, on_client, cl.get());
    if (door == Door::Control)
        sd_event_source_set_priority(cl->io, SD_EVENT_PRIORITY_IMPORTANT);
    sd_event_add_time_relative(ev_, &cl->timeout, CLOCK_MONOTONIC, kClientTimeout, 100000, on_client_timeout, cl.get());
    clients_[c] = std::move(cl);
}

int Daemon::on_client(sd_event_source*, int fd, uint32_t, void* ud)
{
    auto* cl = static_cast<Client*>(ud);
    Daemon* d = cl->d;
    char buf[kMaxRequest];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n > 0)
        cl->buf.append(buf, static_cast<size_t>(n));
    auto nl = cl->buf.find('\n');
    if (nl == std::string::npos && n > 0 && cl->buf.size() < kMaxRequest)
        return 0;
    std::string reply = d->control_reply(cl->buf, cl->door);
    reply += '\n';
    (void)::send(fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    d->clients_.erase(fd);  // the connection ends; cl is gone
    return 0;
}

int Daemon::on_client_timeout(sd_event_source*, uint64_t, void* ud)
{
    auto* cl = static_cast<Client*>(ud);
    cl->d->clients_.erase(cl->fd);
    return 0;
}

int Daemon::on_child(sd_event_source*, const siginfo_t* si, void* ud)
{
    auto* l = static_cast<Link*>(ud);
    const bool signalled = si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED;
    l->owner->pppd_ended(*l, ProcessEnd{signalled, si->si_status});
    return 0;
}

// An adopted pppd (not our child) ended: its plugin's exit message, if one
// came, tells how; without one it died without running its exit notifiers.
int Daemon::on_pidfd(sd_event_source*, int, uint32_t, void* ud)
{
    auto* l = static_cast<Link*>(ud);
    ProcessEnd end{true, SIGKILL};
    if (l->exit_status_reported)
        end = ProcessEnd{false, *l->exit_status_reported};
    l->owner->pppd_ended(*l, end);
    return 0;
}

int Daemon::on_backoff(sd_event_source*, uint64_t, void* ud)
{
    auto* l = static_cast<Link*>(ud);
    l->owner->cancel_backoff(*l);
    l->owner->feed(*l, Input::BackoffElapsed);
    return 0;
}

}  // namespace pppkit::supervisor
