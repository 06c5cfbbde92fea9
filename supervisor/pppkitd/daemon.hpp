// daemon.hpp - pppkitd: one sd-event loop that starts, watches and restarts
// the configured links' pppd, hears their pppkit plugins on the event socket,
// takes root's commands on the control socket and answers "status" there and
// on the status socket (group pppkit). Single-threaded: every callback
// runs on the loop and never blocks. The adapter: the only part that logs
// (journal, with structured fields) and touches processes and sockets.
#pragma once

#include <sys/types.h>
#include <systemd/sd-event.h>

#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/backoff.hpp"
#include "core/event_codec.hpp"
#include "core/exit_status.hpp"
#include "core/link_config.hpp"
#include "core/link_state.hpp"
#include "core/online.hpp"
#include "core/pppoe.hpp"

namespace pppkit::supervisor {

struct Options {
    std::string config = "/etc/ppp/pppkit.conf";
    bool config_explicit = false;
    std::string runtime_dir = "/run/pppkit";  // event, control and status sockets
    std::string pppd = "/usr/sbin/pppd";
    std::string ppp_dir = "/etc/ppp";           // options and peers/NAME: does a pppd load a pppkit plugin (spawn)
    std::string state_dir = "/var/lib/pppkit";  // the links' last PPPoE session (padt.cpp)
    bool state_dir_explicit = false;            // --state-dir given: [pppkit] state-dir is not read
};

// adopt.cpp: the NAME of the "pppd call NAME" that pid runs now as root
// ("" when it runs something else, is not root, or is gone; root_called_peer)
std::string running_peer(pid_t pid);

// adopt.cpp: whether a pid pppkitd did not start may be adopted for a link
enum class PppdCheck {
    Pppd,     // root's "pppd call NAME" of the link: pidfd refers to it
    Gone,     // no such process (ended, reaped): no pidfd
    NotPppd,  // runs something else, or not as root
};
struct CheckedPppd {
    PppdCheck check = PppdCheck::Gone;
    int pidfd = -1;  // the caller's when check is Pppd, else -1
};
// Opens a pidfd of PID first, then checks that it runs root's "pppd call
// NAME" (running_peer): a process that reused the pid after the check can
// never be the one the pidfd (and every signal through it) refers to.
[[nodiscard]] CheckedPppd open_pppd(pid_t pid, const std::string& name);

class Daemon;
class DriftWatch;
class RtnlWatch;
class Prober;
class OnlineWatch;

// What pppkitd knows of one link, for status and the state machine.
struct Link {
    Daemon* owner = nullptr;
    LinkConfig cfg;
    Machine machine;
    BackoffState backoff;
    pid_t pid = 0;                            // the pppd, 0: none
    bool own_child = false;                   // started by pppkitd (else adopted: pon NAME)
    bool handed_over = false;                 // adopted, but started by the pppkitd before a restart: ends at a stop
    sd_event_source* child = nullptr;         // child source (own) or pidfd io source (adopted)
    int pidfd = -1;                           // adopted: a pidfd of pid, which watches and signals it
    sd_event_source* timer = nullptr;         // backoff
    uint64_t timer_due = 0;                   // CLOCK_MONOTONIC usec
    std::time_t since = 0;                    // when the state last changed (realtime)
    unsigned dials = 0;                       // pppds pppkitd started for this link
    unsigned pppd_redials = 0;                // dials a persist pppd began by itself (after its holdoff)
    bool in_holdoff = false;                  // this pppd's last phase was HOLDOFF (or DORMANT after it)
    std::optional<int> exit_status_reported;  // by the plugin of an adopted pppd
    std::optional<ProcessEnd> last_end;
    std::string last_reason;
    // A plugin's refusal (event Problem: why this pppd is about to exit 2),
    // then, once it ended, last_end's ("last_exit"."problem"); "" when none.
    std::string problem, last_problem;
    // auth_failure.cpp: pppd's status (19, 11) of the last attempt that
    // failed authentication, and when; 0: none since pppkitd started
    int auth_status = 0;
    std::time_t auth_at = 0;
    // from the plugin's events
    std::string ifname, eth_ifname, local4, remote4, local6, remote6, ac_mac;
    int mtu = 0;
    std::optional<uint16_t> session;
    int phase = -1;
    unsigned events = 0;  // messages accepted from this link's pppd
    // padt.cpp: the session in the state file, and the last PADT sent for it
    std::optional<pppoe::Session> saved_session;
    struct Padt {
        std::time_t at = 0;
        pppoe::Session session;
        std::string why, error;  // error empty: sent
    };
    std::optional<Padt> last_padt;
    // from rtnetlink (rtnl.cpp): the kernel's index of ifname, 0: not known yet;
    // interfaces the kernel showed after dial_gen may be this pppd's
    int ifindex = 0;
    uint64_t dial_gen = 0;
    std::unique_ptr<Prober> prober;  // upstream probes (probe.cpp), when configured
    // boot ordering (online.hpp): the plugins' Applied messages, and whether
    // pppkit-online@NAME.target is (and was last said to systemd to be) reached
    online::Gate gate;
    bool online = false;
    std::time_t online_since = 0;
    std::optional<bool> online_said;
    // spawn(): the peer's options load no pppkit plugin, so its pppd runs
    // with "maxfail 1" (core/peer_options.hpp); logged when it changes
    std::optional<bool> plain;
    // spawn(): the peer's options turn on pppd's debug, and it was said
    bool warned_debug = false;
    // reload.cpp: the link left the configuration (its pppd ends, then it is
    // forgotten); pppkit restart NAME: dial again once the pppd ended
    bool removed = false;
    bool restart = false;
};

// Sends SIG to l's pppd: one pppkitd started by kill() (its pid stays
// reserved until the child source reaps it), an adopted one through its
// pidfd only, so that a process that reused the pid never gets it. false
// (errno set) when l has no pppd or the signal cannot be sent.
bool signal_pppd(const Link& l, int sig);

class Daemon {
public:
    explicit Daemon(Options o);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Loads the configuration, binds the sockets, starts the autostart links
    // and runs the loop until SIGTERM/SIGINT. Returns the exit status.
    int run();

private:
    struct Client;

    Options opt_;
    sd_event* ev_ = nullptr;
    int event_fd_ = -1;
    // The local sockets that take requests (core/control.hpp): control, root's
    // alone (every verb); status, root's and group pppkit's (status only).
    // Each has its own listener, backlog, accept budget and client bound, so
    // that a group member flooding the status socket never delays root.
    enum class Door { Control, Status };
    int control_fd_ = -1;
    int status_fd_ = -1;
    gid_t control_gid_ = 0;  // group pppkit, 0: the status socket is root's only too
    std::vector<std::unique_ptr<Link>> links_;
    std::map<int, std::unique_ptr<Client>> clients_;
    // rate limit of "dropped event" log lines
    uint64_t drop_window_start_ = 0;
    unsigned drops_in_window_ = 0;
    unsigned drops_suppressed_ = 0;
    std::string last_status_;
    bool stopping_ = false;              // SIGTERM: waiting for our pppd to end
    std::unique_ptr<DriftWatch> drift_;  // nftables drift repair (drift.hpp)
    std::unique_ptr<RtnlWatch> rtnl_;    // interfaces and addresses (rtnl.hpp)

    // rtnl.cpp: the kernel's interfaces and addresses
    bool start_rtnl_watch();
    void on_kernel(const std::vector<int>& indexes);
    void follow_kernel(Link& l);  // ifname, addresses and up/down of l from the kernel
    void bind_ifindex(Link& l);   // l.ifindex of l.ifname (the plugin named it)
    [[nodiscard]] uint64_t kernel_gen() const;

    void start_drift_watch();
    // reload.cpp: SIGHUP, pppkit reload and the root-only commands of the control socket
    std::string reload();  // logs what it did or refused; returns the control answer (JSON)
    // The answer to one request that came in through door (root's control
    // socket, or the status socket, which answers status alone).
    std::string control_reply(const std::string& bytes, Door door);
    void sweep_links();  // forgets removed links whose pppd ended, restarts what `restart` asked
    sd_event_source* sweep_ = nullptr;
    static int on_sweep(sd_event_source* s, void* ud);
    // padt.cpp: stale PPPoE sessions (issue 8 section 5)
    void session_seen(Link& l, const event::Message& m);
    void session_closed(Link& l);
    void session_ended(Link& l, bool unclean);
    void clear_stale_sessions();  // at start, after adopt_running()
    void clear_stale_session(Link& l, const std::string& why);
    [[nodiscard]] std::string session_file(const Link& l) const;
    std::unique_ptr<OnlineWatch> online_;  // online target and LAN status answer (online.hpp)
    // [firewall] wan and lan-interfaces as last loaded: status-listen binds no WAN interface
    std::vector<std::string> fw_wan_, fw_lan_;
    void read_interface_roles(const config::Document& doc);
    void start_online(const config::Document& doc);
    void listen_warnings(const config::Document& doc);  // logs online::listen_warnings
    void online_changed(Link& l);

    bool setup_sockets();
    void start_links();
    [[nodiscard]] bool lan_up(const Link& l) const;
    [[nodiscard]] uint64_t now_usec() const;
    void feed(Link& l, Input in, ExitClass end = {});
    void act(Link& l, Action a);
    void spawn(Link& l);
    void arm_backoff(Link& l);
    void cancel_backoff(Link& l);
    void watch_adopted(Link& l, pid_t pid, int pidfd);  // takes pidfd (open_pppd's)
    void adopt_running();                               // adopt.cpp: a pppd that outlived a previous pppkitd
    void forget_pppd(Link& l);
    void pppd_ended(Link& l, ProcessEnd end);
    void pppd_phase(Link& l, int phase);  // Phase events: pppd's own redials
    static unsigned redials(const Link& l);
    void clear_addresses(Link& l);
    void notify_status();
    void drop_event(const std::string& why);
    void handle_event(const event::Message& m);
    // auth_failure.cpp: a Phase event of the link's pppd; ESTABLISH and DEAD
    // (with the attempt's status) bound one attempt
    void attempt_phase(Link& l, const event::Message& m);
    [[nodiscard]] std::string status_json(const std::string& only) const;
    void stop_all();
    // restart.cpp: SIGTERM of a restart of pppkitd's unit: the pppd it
    // started are left running (the handover file names them) and the loop
    // exits; false (nothing done) on a stop, outside systemd, on any error.
    bool hand_over();
    // after adopt_running(): the handover file of the pppkitd before; a pppd
    // it names whose link is no longer configured is stopped (SIGTERM)
    void take_over();
    void exit_when_children_gone();

    static int on_signal(sd_event_source* s, const struct signalfd_siginfo* si, void* ud);
    static int on_event_socket(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_control_accept(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_status_accept(sd_event_source* s, int fd, uint32_t revents, void* ud);
    void accept_client(int fd, Door door);
    static int on_client(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_client_timeout(sd_event_source* s, uint64_t usec, void* ud);
    static int on_child(sd_event_source* s, const siginfo_t* si, void* ud);
    static int on_pidfd(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_backoff(sd_event_source* s, uint64_t usec, void* ud);
    static int on_stop_timeout(sd_event_source* s, uint64_t usec, void* ud);
};

}  // namespace pppkit::supervisor
