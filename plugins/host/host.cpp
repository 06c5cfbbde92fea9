// host.cpp - the C++ side of the pppd boundary: turns pk_host.h calls from
// pppd_shim.c into Plugin callbacks, catches every exception, measures how
// long each callback holds pppd's loop, and owns timers and options.
#include "host/host.hpp"

#include <arpa/inet.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "common/trust.hpp"
#include "core/padt_send.hpp"
#include "core/pppoe.hpp"
#include "host/events.hpp"
#include "host/holdoff.hpp"
#include "host/pk_host.h"

namespace pppkit::host {
namespace {

std::unique_ptr<Plugin> g_plugin;
bool g_configured = false;
bool g_config_failed = false;
// stop_pppd() was called: pk_cxx_event stops pppd after the callback.
std::optional<std::string> g_stop;
// The PPPoE session of a pppd 2.4.9 that stop_pppd stops: pppd 2.4.9's
// rp-pppoe.so sends no PADT when it ends a session (it closed its discovery
// socket after the PADS; in the lab neither poff nor this stop sent one), so
// the access concentrator kept a session refused before LCP opened until its
// own LCP gave up (~30 s of Config-Requests). The host sends that PADT
// itself once pppd reached PHASE_DEAD (its PPPoE socket is released by
// then). pppd 2.5's channel sends its own.
std::optional<supervisor::pppoe::Session> g_stop_session;
// plugin_init could not finish: the first event stops pppd with this text.
bool g_init_failed = false;
char g_init_problem[256] = "";
// The interface exists (from ip-up/ipv6-up until link-down): only then is
// the kernel asked for its MTU.
bool g_iface_live = false;
std::optional<Link> g_last;  // the last snapshot taken while it existed
CallbackStats g_stats;

// "pppkit-config FILE" is registered by every pppkit plugin, but pppd hands
// an option to the first table that has it; the first plugin records the
// value here, in the process environment, where the others find it. pppd
// builds its scripts' environment itself, so this never reaches scripts.
constexpr const char* kConfigEnv = "PPPKIT_CONFIG_FILE";
constexpr const char* kOwnerEnv = "PPPKIT_HOST_PID";
constexpr const char* kDefaultConfig = "/etc/ppp/pppkit.conf";

// PPPKIT_* variables are how the pppkit plugins of one pppd share state
// (each .so has its own copy of this host): the path an earlier plugin's
// "pppkit-config" set, which copy sends the events, which plugins are
// loaded. A value inherited from whoever ran pppd is none of that, and for
// Debian's setuid pppd (4754 root:dip) that is any member of group dip: it
// named a root-only file as the configuration, whose lines the diagnostics
// quoted. So each plugin_init first removes those shared variables whose
// string lies in the environment block pppd was exec'd with (setenv's copies
// live on the heap). When pppd runs with more privilege than its caller
// (AT_SECURE) every inherited PPPKIT_* variable goes, PPPKIT_EVENT_SOCKET
// too (tests point a root pppd at their own pppkitd with it); without /proc
// to tell, AT_SECURE drops them all.
void drop_inherited_env()
{
    const bool secure = ::getauxval(AT_SECURE) != 0;
    std::optional<trust::EnvBlock> block;
    if (FILE* f = std::fopen("/proc/self/stat", "re")) {
        char line[1024];
        if (std::fgets(line, sizeof line, f) != nullptr)
            block = trust::env_block(line);
        std::fclose(f);
    }
    std::vector<std::string> drop;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view v = *e;
        if (v.rfind("PPPKIT_", 0) != 0)
            continue;
        const std::string name(v.substr(0, v.find('=')));
        const bool inherited = block ? block->holds(*e) : secure;
        const bool shared =
            name == kConfigEnv || name == kOwnerEnv || name == "PPPKIT_EVENT_SENDER" || name == "PPPKIT_EVENT_PLUGINS";
        if (inherited && (secure || shared))
            drop.push_back(name);
    }
    for (const auto& n : drop)
        ::unsetenv(n.c_str());
}

struct OptionSlot {
    OptionParser parse;
};
std::vector<std::unique_ptr<OptionSlot>> g_options;

struct Timer {
    std::function<void()> fn;
};
std::map<TimerId, Timer> g_timers;
TimerId g_next_timer = 1;

double now_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

const char* event_name(pk_event ev)
{
    switch (ev) {
    case PK_EV_PHASE: return "phase-change";
    case PK_EV_IP_UP: return "ip-up";
    case PK_EV_IP_DOWN: return "ip-down";
    case PK_EV_IPV6_UP: return "ipv6-up";
    case PK_EV_IPV6_DOWN: return "ipv6-down";
    case PK_EV_LINK_DOWN: return "link-down";
    case PK_EV_EXIT: return "exit";
    }
    return "?";
}

// Logs "<plugin>: <what> failed: <detail>" without allocating: callable from
// a catch block, where nothing may throw.
void log_failure(const char* what, const char* detail) noexcept
{
    char buf[512];
    std::snprintf(buf, sizeof buf, "%s: %s failed%s%s", g_plugin ? g_plugin->name() : "pppkit", what,
                  detail != nullptr ? ": " : "", detail != nullptr ? detail : "");
    pk_log(PK_ERROR, buf);
}

// pppd's "debug" logs every control packet: CHAP's challenge and response
// (MD5 over the id, the password and the challenge: enough to guess the
// password offline) and, with show-password, a PAP password in clear. Guides
// say to add it when a link will not come up; it tends to stay. Said once per
// pppd, before the first dial, by the copy that sends the events (one line
// however many pppkit plugins are loaded); pppkitd says it of its own dials
// from the peer's options (supervisor/core/peer_options.hpp).
void warn_debug() noexcept
{
    try {
        if (pk_debug_on() != 0 && pppkit::host::events::sends())
            log(Level::Warn, "pppd's debug is on: pppd logs the CHAP challenge and response (enough to guess the "
                             "password offline) and, with show-password, a PAP password in clear; remove debug once "
                             "the link works");
    } catch (...) {  // a log line is not worth failing pppd for
    }
}

// Records why plugin_init failed and says so now (pppd is still parsing
// options: the message reaches the terminal or the log at once).
void init_failed(const char* detail) noexcept
{
    g_init_failed = true;
    std::snprintf(g_init_problem, sizeof g_init_problem,
                  "%s: the plugin could not initialise (%s); pppd stops before dialling",
                  g_plugin ? g_plugin->name() : "pppkit", detail != nullptr ? detail : "unknown error");
    pk_log(PK_ERROR, g_init_problem);
}

void record(const char* what, double start) noexcept
{
    double took = now_ms() - start;
    ++g_stats.calls;
    if (took > g_stats.max_ms) {
        g_stats.max_ms = took;
        g_stats.max_event = what;
    }
}

int option_trampoline(void* ctx, const char* value, char* err, size_t errlen) noexcept
{
    try {
        auto* slot = static_cast<OptionSlot*>(ctx);
        auto problem = slot->parse(value ? std::string_view(value) : std::string_view());
        if (!problem)
            return 1;
        // the parser's message starts with the option's name
        std::snprintf(err, errlen, "%s", problem->c_str());
    } catch (const std::exception& e) {
        std::snprintf(err, errlen, "pppkit: internal error parsing option: %s", e.what());
    } catch (...) {
        std::snprintf(err, errlen, "pppkit: internal error parsing option");
    }
    return 0;
}

void timer_trampoline(void* arg) noexcept
{
    auto id = static_cast<TimerId>(reinterpret_cast<uintptr_t>(arg));
    auto it = g_timers.find(id);
    if (it == g_timers.end())
        return;
    auto fn = std::move(it->second.fn);
    g_timers.erase(it);
    double start = now_ms();
    try {
        fn();
    } catch (const std::exception& e) {
        log_failure("timer callback", e.what());
    } catch (...) {
        log_failure("timer callback", nullptr);
    }
    record("timer", start);
}

std::string ntoa(uint32_t a)
{
    char buf[INET_ADDRSTRLEN] = "";
    in_addr in{};
    in.s_addr = a;
    inet_ntop(AF_INET, &in, buf, sizeof buf);
    return buf;
}

// pppd 2.4.9 only (see g_stop_session): the session to end at PHASE_DEAD.
void remember_stop_session() noexcept
{
    try {
        if (std::string_view(pk_pppd_version()).rfind("2.4.", 0) != 0)
            return;
        pk_link raw{};
        pk_get_link(&raw, 0);
        g_stop_session = supervisor::pppoe::from_pppd(raw.session, raw.remote_number, raw.devnam);
    } catch (...) {
        g_stop_session.reset();
    }
}

// Once, before dialling: a plugin that cannot configure itself stops pppd.
void run_configure() noexcept
{
    g_configured = true;
    std::vector<std::string> problems;
    size_t n = 0;
    try {
        problems = g_plugin->configure();
        n = problems.size();
        for (const auto& p : problems)
            log(Level::Error, p);
    } catch (const std::exception& e) {
        log_failure("configure", e.what());
        n = 1;
    } catch (...) {
        log_failure("configure", nullptr);
        n = 1;
    }
    if (n == 0)
        return;
    g_config_failed = true;
    try {  // pppkitd's reason for the failed-config state: the first problem
        std::string why = std::string(g_plugin->name()) + ": " +
                          (problems.empty() ? std::string("configure failed (see pppd's log)") : problems.front());
        if (n > 1)
            why += " (and " + std::to_string(n - 1) + " more in pppd's log)";
        pppkit::host::events::problem(why);
    } catch (...) {
    }
    char msg[256];
    std::snprintf(msg, sizeof msg, "%s: invalid configuration (%zu problem%s), not bringing the link up",
                  g_plugin->name(), n, n == 1 ? "" : "s");
    pk_die_option_error(msg);
}

// The link as pppd sees it. The kernel is asked for the MTU only while the
// interface exists; otherwise the last snapshot's MTU (same interface) or 0.
Link snapshot()
{
    pk_link raw{};
    pk_get_link(&raw, g_iface_live ? 1 : 0);
    Link l;
    l.ifname = raw.ifname;
    l.unit = raw.unit;
    l.ipparam = raw.ipparam;
    l.local4 = raw.local4;
    l.remote4 = raw.remote4;
    l.ourid6 = raw.ourid6;
    l.hisid6 = raw.hisid6;
    l.mtu = raw.mtu;
    l.persist = raw.persist != 0;
    l.devnam = raw.devnam;
    if (!g_iface_live && g_last && g_last->ifname == l.ifname)
        l.mtu = g_last->mtu;
    if (g_iface_live)
        g_last = l;
    return l;
}

}  // namespace

std::string Link::local4_str() const { return ntoa(local4); }
std::string Link::remote4_str() const { return ntoa(remote4); }

void log(Level level, std::string_view msg)
{
    std::string line = g_plugin ? g_plugin->name() : "pppkit";
    line += ": ";
    line += msg;
    pk_level l = PK_ERROR;
    switch (level) {
    case Level::Debug: l = PK_DEBUG; break;
    case Level::Info: l = PK_INFO; break;
    case Level::Notice: l = PK_NOTICE; break;
    case Level::Warn: l = PK_WARN; break;
    case Level::Error: l = PK_ERROR; break;
    }
    pk_log(l, line.c_str());
}

Link link() { return snapshot(); }

std::string_view pppd_version() { return pk_pppd_version(); }

void add_option(const char* name, const char* description, bool takes_arg, OptionParser parse, bool hidden)
{
    g_options.push_back(std::make_unique<OptionSlot>(OptionSlot{std::move(parse)}));
    if (pk_add_option(name, description, takes_arg ? 1 : 0, hidden ? 1 : 0, option_trampoline,
                      g_options.back().get()) != 0)
        throw std::runtime_error(std::string("too many options, cannot register ") + name);
}

TimerId after(std::chrono::milliseconds delay, std::function<void()> fn)
{
    TimerId id = g_next_timer++;
    g_timers[id] = Timer{std::move(fn)};
    pk_timeout(timer_trampoline, reinterpret_cast<void*>(static_cast<uintptr_t>(id)), static_cast<int>(delay.count()));
    return id;
}

void cancel(TimerId id)
{
    if (g_timers.erase(id) != 0)
        pk_untimeout(timer_trampoline, reinterpret_cast<void*>(static_cast<uintptr_t>(id)));
}

void die_option_error(const std::string& msg)
{
    pk_die_option_error(msg.c_str());
    std::exit(2);  // not reached: die() exits
}

void stop_pppd(std::string msg) { g_stop = std::move(msg); }

std::string config_path()
{
    const char* p = std::getenv(kConfigEnv);
    return (p != nullptr && *p != '\0') ? std::string(p) : std::string(kDefaultConfig);
}

bool config_path_explicit()
{
    const char* p = std::getenv(kConfigEnv);
    return p != nullptr && *p != '\0';
}

const CallbackStats& callback_stats() { return g_stats; }

}  // namespace pppkit::host

using namespace pppkit::host;

extern "C" void pk_cxx_plugin_init(void) noexcept
{
    try {
        drop_inherited_env();
        // The first pppkit plugin in this pppd drops a PPPKIT_CONFIG_FILE
        // inherited from the caller's environment; later ones keep what an
        // earlier "pppkit-config" option set. All plugin_init calls happen in
        // one process, before pppd detaches.
        std::string pid = std::to_string(::getpid());
        const char* owner = std::getenv(kOwnerEnv);
        if (owner == nullptr || pid != owner) {
            ::unsetenv(kConfigEnv);
            ::setenv(kOwnerEnv, pid.c_str(), 1);
        }
        g_plugin.reset(pppkit_make_plugin());
        if (!g_plugin) {
            init_failed("no plugin object");
            return;
        }
        add_option("pppkit-config", "pppkit configuration file (default /etc/ppp/pppkit.conf)", true,
                   [](std::string_view v) -> std::optional<std::string> {
                       if (v.empty() || v.front() != '/')
                           return "pppkit-config needs an absolute path (got '" + std::string(v) + "')";
                       ::setenv(kConfigEnv, std::string(v).c_str(), 1);
                       return std::nullopt;
                   });
        g_plugin->register_options();
        pppkit::host::events::loaded(g_plugin->name());
        pk_commit_options();
        log(Level::Info, std::string("loaded (pppd ") + pk_pppd_version() + ")");
    } catch (const std::exception& e) {
        init_failed(e.what());
    } catch (...) {
        init_failed("an exception that is not a std::exception");
    }
}

extern "C" void pk_cxx_event(pk_event ev, int arg) noexcept
{
    pppkit::host::events::forward(ev, arg);  // to pppkitd, whatever this plugin does with it
    pppkit::host::holdoff::on_event(ev, arg);
    if (g_stop_session && ev == PK_EV_PHASE && arg == PK_PHASE_DEAD) {
        try {
            const auto s = *g_stop_session;
            g_stop_session.reset();
            const std::string err = pppkit::supervisor::pppoe::send_padt(s, "pppkit: link refused");
            char buf[240];
            std::snprintf(buf, sizeof buf, "%s: %s%s (session %u, %s on %s)", g_plugin ? g_plugin->name() : "pppkit",
                          err.empty() ? "sent the PADT pppd 2.4.9 does not send" : "could not send the PADT: ",
                          err.c_str(), static_cast<unsigned>(s.id),
                          pppkit::supervisor::pppoe::format_mac(s.ac_mac).c_str(), s.ethernet.c_str());
            pk_log(err.empty() ? PK_INFO : PK_WARN, buf);
        } catch (...) {
            g_stop_session.reset();
        }
    }
    if (g_init_failed) {
        // Stop before the link is dialled: the first event after the options
        // were parsed (PHASE_INITIALIZE comes before them; exit is too late
        // to matter). Once only: die() fires the exit notifiers again.
        if (ev == PK_EV_EXIT || (ev == PK_EV_PHASE && arg == PK_PHASE_INITIALIZE) || g_config_failed)
            return;
        g_config_failed = true;
        pppkit::host::events::problem(g_init_problem);
        pk_die_option_error(g_init_problem);
        return;
    }
    if (!g_plugin || g_config_failed)
        return;
    // Configuration is loaded once, before the link is dialled; it is timed
    // apart from the event callbacks (it happens before LCP runs).
    if (!g_configured && ev != PK_EV_EXIT && !(ev == PK_EV_PHASE && arg == PK_PHASE_INITIALIZE)) {
        double t0 = now_ms();
        run_configure();
        g_stats.configure_ms = now_ms() - t0;
        if (g_config_failed)
            return;
        pppkit::host::holdoff::configure();  // the hook's owner only; before the first dial
        warn_debug();
    }
    double start = now_ms();
    try {
        switch (ev) {
        case PK_EV_PHASE: g_plugin->on_phase(static_cast<Phase>(arg)); break;
        case PK_EV_IP_UP:
            g_iface_live = true;
            g_plugin->on_ip_up(snapshot());
            break;
        case PK_EV_IP_DOWN: g_plugin->on_ip_down(snapshot()); break;
        case PK_EV_IPV6_UP:
            g_iface_live = true;
            g_plugin->on_ipv6_up(snapshot());
            break;
        case PK_EV_IPV6_DOWN: g_plugin->on_ipv6_down(snapshot()); break;
        case PK_EV_LINK_DOWN:
            // From here on the interface may be gone: asking the kernel
            // for it costs a module-loader run per call (issue 13).
            g_iface_live = false;
            g_plugin->on_link_down(snapshot());
            break;
        case PK_EV_EXIT:
            g_iface_live = false;
            if (g_configured)
                g_plugin->on_exit(g_last ? *g_last : snapshot(), arg);
            break;
        }
        // after this plugin's rules for the link are in place (or not): pppkitd's online target
        pppkit::host::events::applied(ev, g_plugin->name(), g_plugin->in_place());
    } catch (const std::exception& e) {
        log_failure(event_name(ev), e.what());
        pppkit::host::events::applied(ev, g_plugin->name(), false);
    } catch (...) {
        log_failure(event_name(ev), nullptr);
        pppkit::host::events::applied(ev, g_plugin->name(), false);
    }
    record(event_name(ev), start);
    if (g_stop && ev != PK_EV_EXIT) {
        // pppd ends the link (TermReq, PADT) from its main loop and exits 2;
        // no later event, exit neither, reaches the plugin
        g_config_failed = true;
        char msg[512];
        std::snprintf(msg, sizeof msg, "%s: %s", g_plugin->name(), g_stop->c_str());
        pppkit::host::events::problem(msg);
        remember_stop_session();
        pk_stop_pppd(msg);
        return;
    }
    if (ev == PK_EV_EXIT && g_stats.calls > 0) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s: longest callback %.3f ms (%s), %u callbacks; configure %.3f ms",
                      g_plugin->name(), g_stats.max_ms, g_stats.max_event.c_str(), g_stats.calls, g_stats.configure_ms);
        pk_log(PK_INFO, buf);
    }
}
