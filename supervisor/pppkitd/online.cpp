#include "pppkitd/online.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/text.hpp"
#include "firewall/core/firewall.hpp"
#include "pppkitd/daemon.hpp"
#include "pppkitd/journal.hpp"
#include "pppkitd/stream_client.hpp"

namespace pppkit::supervisor {

namespace {

constexpr uint64_t kSec = 1000000;
constexpr uint64_t kRetry = 5 * kSec;  // a status-listen address not (yet) on an interface
// a LAN client must ask within this (the contract: core/online.hpp kRequestMs)
constexpr uint64_t kClientTimeout = static_cast<uint64_t>(online::kRequestMs) * 1000;
constexpr uint64_t kClientTimeoutAccuracy = 50000;  // us: a silent client holds its slot 550 ms at most
constexpr uint64_t kRefusedWindow = 60 * kSec;      // at most one "rate-limited" log line per minute

// One StartUnit/StopUnit call in flight; owned by its floating bus slot.
struct Pending {
    std::string unit, method;
};

std::string endpoint(const online::ListenAddr& a)
{
    return (a.address.find(':') != std::string::npos ? "[" + a.address + "]" : a.address) + ":" +
           std::to_string(a.port);
}

// The interfaces holding address a, in getifaddrs' order.
std::vector<std::string> interfaces_of(const std::string& a)
{
    std::vector<std::string> found;
    ifaddrs* ifa = nullptr;
    if (getifaddrs(&ifa) != 0)
        return found;
    for (auto* i = ifa; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr)
            continue;
        char b[INET6_ADDRSTRLEN] = "";
        if (i->ifa_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr, b, sizeof b);
        else if (i->ifa_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr, b, sizeof b);
        in6_addr want{}, have{};
        const bool same = a == b || (inet_pton(AF_INET6, a.c_str(), &want) == 1 && inet_pton(AF_INET6, b, &have) == 1 &&
                                     std::memcmp(&want, &have, 16) == 0);
        if (same && std::find(found.begin(), found.end(), i->ifa_name) == found.end())
            found.emplace_back(i->ifa_name);
    }
    freeifaddrs(ifa);
    return found;
}

}  // namespace

int open_manager_bus(sd_bus** out)
{
    sd_bus* b = nullptr;
    if (::geteuid() == 0 && ::access("/run/systemd/private", F_OK) == 0 && sd_bus_new(&b) >= 0) {
        if (sd_bus_set_address(b, "unix:path=/run/systemd/private") >= 0 && sd_bus_start(b) >= 0) {
            *out = b;
            return 0;
        }
        sd_bus_unref(b);
    }
    return sd_bus_open_system(out);
}

struct OnlineWatch::Listener {
    online::ListenAddr addr;
    int fd = -1;
    std::string ifname;  // the interface fd is bound to (SO_BINDTODEVICE)
    sd_event_source* io = nullptr;
    std::string said;  // the last "cannot listen" logged: each reason once
    OnlineWatch* w = nullptr;
};

struct OnlineWatch::Client : StreamClient {
    OnlineWatch* w = nullptr;
    online::AddressKey addr;  // its slot in w->slots_, given back when it ends
    Client() = default;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client()
    {
        if (w != nullptr)
            w->slots_.release(addr);
    }
};

OnlineWatch::OnlineWatch(sd_event* ev, std::vector<online::ListenAddr> listen, Hooks hooks)
    : ev_(ev), listen_addrs_(std::move(listen)), hooks_(std::move(hooks))
{
}

OnlineWatch::~OnlineWatch()
{
    clients_.clear();
    for (auto& l : listeners_) {
        sd_event_source_disable_unref(l->io);
        if (l->fd >= 0)
            ::close(l->fd);
    }
    sd_event_source_disable_unref(retry_);
    if (bus_ != nullptr) {
        // the last StopUnit calls (pppkitd stopping) leave before we do
        sd_bus_detach_event(bus_);
        bus_ = sd_bus_flush_close_unref(bus_);
    }
}

void OnlineWatch::start()
{
    if (sd_booted() <= 0) {
        jlog::plain(LOG_INFO, "not running under systemd: pppkit-online@ targets are not started");
    } else if (int r = open_manager_bus(&bus_); r < 0) {
        bus_ = nullptr;
        jlog::plain(LOG_WARNING, std::string("no bus to systemd (") + std::strerror(-r) +
                                     "): pppkit-online@ targets are not started");
    } else {
        sd_bus_attach_event(bus_, ev_, SD_EVENT_PRIORITY_NORMAL);
    }
    listen(listen_addrs_);
}

void OnlineWatch::listen(std::vector<online::ListenAddr> addrs)
{
    std::erase_if(listeners_, [&](const std::unique_ptr<Listener>& l) {
        if (std::find(addrs.begin(), addrs.end(), l->addr) != addrs.end())
            return false;
        sd_event_source_disable_unref(l->io);
        if (l->fd >= 0) {
            ::close(l->fd);
            jlog::plain(LOG_INFO, "status-listen " + endpoint(l->addr) + ": closed (no longer configured)");
        }
        return true;
    });
    for (const auto& a : addrs) {
        if (std::any_of(listeners_.begin(), listeners_.end(), [&](const auto& l) { return l->addr == a; }))
            continue;
        auto l = std::make_unique<Listener>();
        l->addr = a;
        l->w = this;
        listeners_.push_back(std::move(l));
    }
    listen_addrs_ = std::move(addrs);
    close_unfit();
    bind_missing();
}

void OnlineWatch::recheck_listeners()
{
    if (close_unfit())
        bind_missing();
}

bool OnlineWatch::close_unfit()
{
    const online::InterfaceRoles roles = hooks_.roles ? hooks_.roles() : online::InterfaceRoles{};
    bool closed = false;
    for (auto& l : listeners_) {
        if (l->fd < 0)
            continue;
        const online::ListenSide side = online::listen_side(l->ifname, roles);
        if (side == online::ListenSide::Lan)
            continue;
        l->io = sd_event_source_disable_unref(l->io);
        ::close(l->fd);
        l->fd = -1;
        l->said = "the address is on " + l->ifname + ", " + std::string(online::listen_side_text(side)) +
                  ": not bound there (it would answer that side)";
        jlog::plain(LOG_WARNING, "status-listen " + endpoint(l->addr) + " on " + l->ifname + ": closed, " +
                                     std::string(online::listen_side_text(side)) + " now; trying again every 5 s");
        l->ifname.clear();
        closed = true;
    }
    return closed;
}

std::string OnlineWatch::unit_name(const std::string& link)
{
    std::string out = "pppkit-online@";
    for (unsigned char c : link) {
        if (std::isalnum(c) != 0 || c == ':' || c == '_' || c == '.' || c == '-') {
            out += static_cast<char>(c);
        } else {
            char b[5];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        }
    }
    return out + ".target";
}

void OnlineWatch::update(Link& l)
{
    const bool now = l.machine.state == LinkState::Up && l.gate.ready();
    if (now && !l.online)
        l.online_since = std::time(nullptr);
    const bool changed = now != l.online;
    l.online = now;
    if (l.online_said && *l.online_said == now)
        return;
    l.online_said = now;
    if (changed)
        jlog::link(LOG_NOTICE, jlog::kOnline, l,
                   now ? "online: up on " + l.ifname + ", firewall and MSS in place; starting " + unit_name(l.cfg.name)
                       : "offline; stopping " + unit_name(l.cfg.name));
    call_unit(l, now);
}

void OnlineWatch::call_unit(const Link& l, bool start)
{
    if (bus_ == nullptr)
        return;
    auto* p = new Pending{unit_name(l.cfg.name), start ? "StartUnit" : "StopUnit"};
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_call_method_async(bus_, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", p->method.c_str(), on_reply, p, "ss",
                                     p->unit.c_str(), "replace");
    if (r < 0) {
        if (!bus_warned_)
            jlog::plain(LOG_WARNING, p->method + " " + p->unit + ": " + std::strerror(-r));
        bus_warned_ = true;
        delete p;
        return;
    }
    sd_bus_slot_set_destroy_callback(slot, [](void* ud) { delete static_cast<Pending*>(ud); });
    sd_bus_slot_set_floating(slot, 1);
    sd_bus_slot_unref(slot);
}

int OnlineWatch::on_reply(sd_bus_message* m, void* ud, sd_bus_error*)
{
    const auto* p = static_cast<const Pending*>(ud);
    if (sd_bus_message_is_method_error(m, nullptr) != 0) {
        const sd_bus_error* e = sd_bus_message_get_error(m);
        jlog::plain(LOG_WARNING, p->method + " " + p->unit + " failed: " +
                                     (e != nullptr && e->message != nullptr ? e->message : "unknown error"));
    }
    return 0;
}

nlohmann::json OnlineWatch::status(const Link& l)
{
    using nlohmann::json;
    return json{{"reached", l.online},
                {"since", l.online ? json(iso(l.online_since)) : json(nullptr)},
                {"target", unit_name(l.cfg.name)},
                {"waiting_for", l.machine.state == LinkState::Up && !l.online ? json(l.gate.pending()) : json::array()},
                {"failed", l.gate.failed()}};
}

// ---------------------------------------------------------------- LAN answer

void OnlineWatch::bind_missing()
{
    retry_ = sd_event_source_disable_unref(retry_);
    bool missing = false;
    for (auto& l : listeners_) {
        if (l->fd >= 0)
            continue;
        // the first interface holding the address that is LAN; a WAN one
        // (IPCP gave ppp0 this address) would answer the Internet
        const online::InterfaceRoles roles = hooks_.roles ? hooks_.roles() : online::InterfaceRoles{};
        std::string ifname, why;
        for (const auto& name : interfaces_of(l->addr.address)) {
            const online::ListenSide side = online::listen_side(name, roles);
            if (side == online::ListenSide::Lan) {
                ifname = name;
                break;
            }
            if (why.empty())
                why = "the address is on " + name + ", " + std::string(online::listen_side_text(side)) +
                      ": not bound there (it would answer that side)";
        }
        const unsigned ifindex = ifname.empty() ? 0 : if_nametoindex(ifname.c_str());
        const bool v6 = l->addr.address.find(':') != std::string::npos;
        int fd = -1;
        if (ifname.empty()) {
            if (why.empty())
                why = "the address is on no interface (yet)";
        } else {
            fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            int one = 1;
            sockaddr_storage ss{};
            socklen_t len = 0;
            if (v6) {
                auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons(l->addr.port);
                inet_pton(AF_INET6, l->addr.address.c_str(), &s6->sin6_addr);
                if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
                    s6->sin6_scope_id = ifindex;
                len = sizeof *s6;
            } else {
                auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
                s4->sin_family = AF_INET;
                s4->sin_port = htons(l->addr.port);
                inet_pton(AF_INET, l->addr.address.c_str(), &s4->sin_addr);
                len = sizeof *s4;
            }
            // Bound to the LAN interface too: a packet for this address that
            // arrives on another interface (the WAN) matches no socket.
            if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
                ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size())) !=
                    0 ||
                (v6 && ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
                ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 16) != 0) {
                why = std::strerror(errno);
                if (fd >= 0)
                    ::close(fd);
                fd = -1;
            }
        }
        if (fd < 0) {
            missing = true;
            if (l->said != why)
                jlog::plain(LOG_WARNING, "status-listen " + endpoint(l->addr) + ": cannot listen: " + why +
                                             "; trying again every 5 s");
            l->said = why;
            continue;
        }
        l->fd = fd;
        l->ifname = ifname;
        add_listener(ev_, &l->io, fd, on_accept, l.get());
        jlog::plain(LOG_INFO, "status-listen " + endpoint(l->addr) + " on " + ifname +
                                  ": answering 'is link NAME online' for the LAN");
    }
    if (missing)
        sd_event_add_time_relative(ev_, &retry_, CLOCK_MONOTONIC, kRetry, kSec, on_retry, this);
}

int OnlineWatch::on_retry(sd_event_source*, uint64_t, void* ud)
{
    static_cast<OnlineWatch*>(ud)->bind_missing();
    return 0;
}

int OnlineWatch::on_accept(sd_event_source*, int fd, uint32_t, void* ud)
{
    auto* l = static_cast<Listener*>(ud);
    OnlineWatch* w = l->w;
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    int c = ::accept4(fd, reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0)
        return 0;
    char src[INET6_ADDRSTRLEN] = "";
    if (peer.ss_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, src, sizeof src);
    else if (peer.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, src, sizeof src);
    uint64_t now = 0;
    sd_event_now(w->ev_, CLOCK_MONOTONIC, &now);
    // a source is its /32 or /64 (online::source_key); an address that is none shares one bucket
    const online::SourceKey key = online::source_key(src).value_or(online::SourceKey{});
    const online::AddressKey addr = online::address_key(src).value_or(online::AddressKey{});
    // the slots first: a connection they refuse takes no token of the rate limiter
    const online::SlotVerdict sv = w->slots_.check(addr);
    const online::Verdict v = sv != online::SlotVerdict::Free
                                  ? online::Verdict::AllLimited
                                  : w->limiter_.allow(key, static_cast<int64_t>(now / 1000));
    if (v != online::Verdict::Allowed) {
        const auto busy = online::answer_line(online::Answer::Busy);
        (void)::send(c, busy.data(), busy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        ::close(c);
        if (now - w->refused_window_ >= kRefusedWindow) {
            w->refused_window_ = now;
            const std::string why =
                sv == online::SlotVerdict::AddressFull
                    ? "its address holds " + std::to_string(w->slots_.policy().per_address) + " connections already"
                : sv == online::SlotVerdict::AllFull
                    ? "all " + std::to_string(w->slots_.policy().total) + " connections held"
                : v == online::Verdict::SourceLimited ? "its source's limit"
                                                      : "the overall limit";
            jlog::plain(LOG_NOTICE,
                        std::string("status-listen: rate-limited a client (") + src + ", " + why +
                            (w->refused_ ? "; " + std::to_string(w->refused_) + " more in the last minute)" : ")"));
            w->refused_ = 0;
        } else {
            ++w->refused_;
        }
        return 0;
    }
    auto cl = std::make_unique<Client>();
    (void)w->slots_.take(addr);  // Free: checked above, nothing ran since
    cl->w = w;
    cl->addr = addr;
    cl->fd = c;
    sd_event_add_io(w->ev_, &cl->io, c, EPOLLIN, on_client, cl.get());
    sd_event_add_time_relative(w->ev_, &cl->timeout, CLOCK_MONOTONIC, kClientTimeout, kClientTimeoutAccuracy,
                               on_client_timeout, cl.get());
    // a line that came in by then is answered first: the timeout runs after the I/O of the same wakeup
    (void)sd_event_source_set_priority(cl->timeout, SD_EVENT_PRIORITY_NORMAL + 1);
    w->clients_[c] = std::move(cl);
    return 0;
}

int OnlineWatch::on_client(sd_event_source*, int fd, uint32_t, void* ud)
{
    auto* cl = static_cast<Client*>(ud);
    OnlineWatch* w = cl->w;
    char buf[online::kMaxRequest + 1];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n > 0)
        cl->buf.append(buf, static_cast<size_t>(n));
    const bool complete = cl->buf.find('\n') != std::string::npos;
    if (!complete && n > 0 && cl->buf.size() <= online::kMaxRequest)
        return 0;
    online::Answer a = online::Answer::Error;
    if (complete) {
        // exactly one line: anything after it is not a request either
        auto name = online::parse_request(cl->buf.substr(0, cl->buf.find('\n') + 1));
        if (name && cl->buf.size() == cl->buf.find('\n') + 1)
            a = w->hooks_.answer(*name);
    }
    const auto line = online::answer_line(a);
    (void)::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    w->clients_.erase(fd);  // the connection ends; cl is gone
    return 0;
}

int OnlineWatch::on_client_timeout(sd_event_source*, uint64_t, void* ud)
{
    auto* cl = static_cast<Client*>(ud);
    cl->w->clients_.erase(cl->fd);
    return 0;
}

// ---------------------------------------------------------------- Daemon hooks

void Daemon::start_online(const config::Document& doc)
{
    OnlineWatch::Hooks h;
    h.answer = [this](const std::string& name) {
        bool any = false, all = true;
        for (const auto& l : links_) {
            if (name.empty() ? !l->cfg.autostart : l->cfg.name != name)
                continue;
            any = true;
            all = all && l->online;
        }
        if (!any)
            return online::Answer::Unknown;
        return all ? online::Answer::Online : online::Answer::Offline;
    };
    h.roles = [this] {
        online::InterfaceRoles r{fw_wan_, fw_lan_, {}, {}};
        for (const auto& l : links_) {
            if (!l->ifname.empty())
                r.links.push_back(l->ifname);
            if (!l->eth_ifname.empty())
                r.carriers.push_back(l->eth_ifname);
        }
        return r;
    };
    listen_warnings(doc);
    read_interface_roles(doc);
    online_ = std::make_unique<OnlineWatch>(ev_, online::read_listen(doc), std::move(h));
    online_->start();
}

void Daemon::read_interface_roles(const config::Document& doc)
{
    fw_wan_ = firewall::failsafe_wan(doc);
    fw_lan_ = firewall::lan_interfaces(doc);
}

void Daemon::listen_warnings(const config::Document& doc)
{
    std::string value;
    if (text::read_path("/proc/sys/net/ipv4/ip_unprivileged_port_start", value, 64) != 0)
        value.clear();
    for (const auto& w : online::listen_warnings(doc, online::unprivileged_port_start(value)))
        jlog::plain(LOG_WARNING, w.str());
}

void Daemon::online_changed(Link& l)
{
    if (online_)
        online_->update(l);
}

}  // namespace pppkit::supervisor
