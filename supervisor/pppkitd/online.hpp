// online.hpp - boot ordering (issue 8 section 7), the daemon side:
//  - pppkit-online@NAME.target, started through sd-bus (StartUnit, "replace",
//    asynchronous on the one sd-event loop) when a link is up and its
//    plugins said Applied, in place (core/online.hpp Gate); stopped when it
//    goes down or its pppd ends. Outside systemd (no /run/systemd/system, or
//    no system bus): logged once, nothing started.
//  - the opt-in LAN status answer ([pppkitd] status-listen): TCP listeners
//    bound to the configured LAN addresses and to the interface that holds
//    each (SO_BINDTODEVICE, so the same address asked for from the WAN side
//    finds no socket), rate-limited, at most 2 connections per client
//    address waiting to ask (online::Slots), each 500 ms at most
//    (online::kRequestMs), answering "is link NAME online" only.
// Runs on the loop's thread; never blocks (except one bounded bus flush at exit).
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/online.hpp"

namespace pppkit::supervisor {

struct Link;

// systemd's manager: its own private socket first (root only; what systemctl
// uses, and there even without a D-Bus daemon), else the system bus. The
// connection completes on the bus's first use: on the event loop once
// attached to it, or inside a blocking sd_bus_call (restart.cpp).
int open_manager_bus(sd_bus** out);

class OnlineWatch {
public:
    struct Hooks {
        // The answer for NAME ("" = every autostart link): Online, Offline or Unknown.
        std::function<online::Answer(const std::string& name)> answer;
        // What is WAN now (links' interfaces and carriers, [firewall] wan and
        // lan-interfaces): a status-listen address is never bound there.
        std::function<online::InterfaceRoles()> roles;
    };
    OnlineWatch(sd_event* ev, std::vector<online::ListenAddr> listen, Hooks hooks);
    ~OnlineWatch();
    OnlineWatch(const OnlineWatch&) = delete;
    OnlineWatch& operator=(const OnlineWatch&) = delete;

    void start();
    // [pppkitd] status-listen again (reload): listeners for addresses no
    // longer listed are closed, new ones bound; the others keep their socket.
    void listen(std::vector<online::ListenAddr> addrs);
    // Closes every listener whose interface is no longer LAN by the roles
    // now (a reload named it in [firewall] wan or took it out of
    // lan-interfaces; a link's carrier or interface is on it): it is bound
    // again only where the address is on a LAN interface. listen() does
    // this too; update() after a link's interfaces may have changed.
    void recheck_listeners();
    // After anything that may change whether l is online: starts or stops its
    // target when that changed (or was never said since pppkitd started).
    void update(Link& l);
    // The status --json "online" object of l.
    [[nodiscard]] static nlohmann::json status(const Link& l);
    // "pppkit-online@NAME.target", NAME escaped as systemd-escape does.
    [[nodiscard]] static std::string unit_name(const std::string& link);

private:
    struct Listener;
    struct Client;

    sd_event* ev_;
    std::vector<online::ListenAddr> listen_addrs_;
    Hooks hooks_;
    sd_bus* bus_ = nullptr;
    bool bus_warned_ = false;
    std::vector<std::unique_ptr<Listener>> listeners_;
    std::map<int, std::unique_ptr<Client>> clients_;
    sd_event_source* retry_ = nullptr;  // binding addresses not there yet
    online::RateLimiter limiter_;
    online::Slots slots_;  // clients_ counted per address; taken on accept, released with the Client
    uint64_t refused_window_ = 0;
    unsigned refused_ = 0;

    void call_unit(const Link& l, bool start);
    bool close_unfit();  // recheck_listeners without binding again: true when one was closed
    void bind_missing();
    static int on_retry(sd_event_source* s, uint64_t usec, void* ud);
    static int on_accept(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_client(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_client_timeout(sd_event_source* s, uint64_t usec, void* ud);
    static int on_reply(sd_bus_message* m, void* ud, sd_bus_error* err);
};

}  // namespace pppkit::supervisor
