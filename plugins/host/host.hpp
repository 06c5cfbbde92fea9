// host.hpp - the narrow C++ interface every pppkit plugin sees of pppd.
//
// Threading and phase contract: every function here runs on pppd's single
// thread. Plugin callbacks run inside pppd's main loop and must return in well
// under a millisecond: no network I/O, no waiting on children, no sleeping.
// An exception thrown by a callback is caught by the host, logged, and never
// reaches pppd. A plugin that cannot initialise (pppkit_make_plugin() or
// register_options() throws) or configure (configure() throws or reports
// problems) stops pppd with exit status 2 (EXIT_OPTION_ERROR) at the first
// phase change, before the link is dialled: it never silently goes missing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pppkit::host {

enum class Level { Debug, Info, Notice, Warn, Error };

enum class Phase : int {
    Dead = 0,
    Initialize,
    SerialConn,
    Dormant,
    Establish,
    Authenticate,
    Callback,
    Network,
    Running,
    Terminate,
    Disconnect,
    Holdoff,
    Master
};

// A snapshot of pppd's view of the link, taken when the event fires.
struct Link {
    std::string ifname;  // e.g. "ppp0"; empty before the interface exists
    int unit = -1;
    std::string ipparam;
    uint32_t local4 = 0;   // IPCP local address, network byte order (0: none)
    uint32_t remote4 = 0;  // IPCP peer address, network byte order
    uint64_t ourid6 = 0;   // IPV6CP interface identifiers
    uint64_t hisid6 = 0;
    // Interface MTU (0: unknown). The kernel is asked only while the interface
    // exists (ip-up/ipv6-up until link-down); link-down and exit get the last
    // value read, never a fresh query of a removed interface.
    int mtu = 0;
    bool persist = false;
    // pppd's devnam: the device the channel runs over (PPPoE: the Ethernet
    // interface, rp-pppoe's "nic-" cut off; a serial line: its path); set
    // once pppd parsed its options.
    std::string devnam;

    [[nodiscard]] std::string local4_str() const;
    [[nodiscard]] std::string remote4_str() const;
};

// Logs through pppd (syslog facility daemon, and the pppd logfile), prefixed
// with the plugin's name. The only way pppkit plugins log.
void log(Level level, std::string_view msg);

[[nodiscard]] Link link();
[[nodiscard]] std::string_view pppd_version();

// An option parser returns an error message, or nullopt when the value is
// accepted. value is empty for options without argument.
using OptionParser = std::function<std::optional<std::string>(std::string_view value)>;

// Registers a pppd option. Only valid inside Plugin::register_options().
// Options are privileged (root or root-owned options files only).
void add_option(const char* name, const char* description, bool takes_arg, OptionParser parse, bool hidden = false);

using TimerId = uint64_t;
// Runs fn once from pppd's main loop after delay. fn must follow the same
// rules as any callback.
TimerId after(std::chrono::milliseconds delay, std::function<void()> fn);
void cancel(TimerId id);

// Logs msg as an option error and makes pppd exit with EXIT_OPTION_ERROR (2).
[[noreturn]] void die_option_error(const std::string& msg);

// From a callback (an event after configure()): this pppd must not go on,
// e.g. the link turned out to be one the configuration cannot run safely.
// Once the callback has returned, msg goes to pppd's log as an error;
// pppd then ends the link from its main loop as on SIGTERM (LCP
// Terminate-Request, the channel's disconnect: rp-pppoe's PADT), without
// persist, and exits with EXIT_OPTION_ERROR (2), as when configure() reports
// problems (pppkitd: failed-config, no restart). The plugin logs the why
// itself first; no later event (exit neither) reaches it.
void stop_pppd(std::string msg);

// The main configuration file: the value of the "pppkit-config FILE" option
// if given (in any pppkit plugin), else /etc/ppp/pppkit.conf.
[[nodiscard]] std::string config_path();
// true when the path was given explicitly, so a missing file is an error.
[[nodiscard]] bool config_path_explicit();

// The longest time one callback of this plugin has held pppd's loop, and
// the event it was, since plugin_init.
struct CallbackStats {
    double max_ms = 0;
    std::string max_event;
    unsigned calls = 0;
    double configure_ms = 0;  // the one-off configure() before dialling
};
[[nodiscard]] const CallbackStats& callback_stats();

// One per .so. The adapter (plugins/<name>/plugin.cpp) derives from it and
// defines pppkit_make_plugin().
class Plugin {
public:
    virtual ~Plugin() = default;
    // Used as the log prefix, e.g. "pppkit-mss".
    [[nodiscard]] virtual const char* name() const noexcept = 0;
    // Inside plugin_init, while pppd parses options: register options only.
    virtual void register_options() {}
    // Once, at the first phase change after all options are parsed (before
    // the link is dialled, after pppd detached). Return the problems found;
    // a non-empty list stops pppd with exit status 2 before the link is used.
    virtual std::vector<std::string> configure() { return {}; }
    virtual void on_phase(Phase) {}
    virtual void on_ip_up(const Link&) {}
    virtual void on_ip_down(const Link&) {}
    virtual void on_ipv6_up(const Link&) {}
    virtual void on_ipv6_down(const Link&) {}
    virtual void on_link_down(const Link&) {}
    // The last event before pppd exits (status: pppd's exit status). The
    // link is the last snapshot taken while the interface existed.
    virtual void on_exit(const Link&, int /*status*/) {}
    // Asked right after on_ip_up/on_ipv6_up returned (pppkitd's online
    // target waits for it): is what this plugin puts in place for the link
    // there now? A plugin that installs nothing at ip-up keeps the default.
    [[nodiscard]] virtual bool in_place() const noexcept { return true; }
};

}  // namespace pppkit::host

// Defined by each plugin adapter; called once from plugin_init. The host owns
// the returned object for the life of pppd.
pppkit::host::Plugin* pppkit_make_plugin();
