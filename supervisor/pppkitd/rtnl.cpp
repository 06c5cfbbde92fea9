#include "pppkitd/rtnl.hpp"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include "common/text.hpp"
#include "pppkitd/daemon.hpp"
#include "pppkitd/journal.hpp"

namespace pppkit::supervisor {

namespace {
constexpr int kRcvBuf = 1 << 20;  // a burst of interfaces (a hundred VLANs) fits

// A buffer netlink messages may be parsed in place from (4-byte aligned).
struct Buffer {
    std::vector<uint32_t> words = std::vector<uint32_t>(MNL_SOCKET_BUFFER_SIZE * 4 / sizeof(uint32_t));
    void* data() { return words.data(); }
    size_t size() const { return words.size() * sizeof(uint32_t); }
};
}  // namespace

RtnlWatch::RtnlWatch(sd_event* ev, Changed changed) : ev_(ev), changed_(std::move(changed)) {}

RtnlWatch::~RtnlWatch()
{
    sd_event_source_disable_unref(io_);
    if (nl_ != nullptr)
        mnl_socket_close(nl_);
}

bool RtnlWatch::start()
{
    nl_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (nl_ == nullptr || mnl_socket_bind(nl_,
                                          (1U << (RTNLGRP_LINK - 1)) | (1U << (RTNLGRP_IPV4_IFADDR - 1)) |
                                              (1U << (RTNLGRP_IPV6_IFADDR - 1)),
                                          MNL_SOCKET_AUTOPID) < 0)
        return false;
    int sz = kRcvBuf;
    const int fd = mnl_socket_get_fd(nl_);
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    // subscribed before the dump: what changes meanwhile is queued, and
    // applied after it in order
    if (!resync())
        return false;
    return sd_event_add_io(ev_, &io_, fd, EPOLLIN, on_io, this) >= 0;
}

bool RtnlWatch::resync()
{
    std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> s(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC),
                                                        mnl_socket_close);
    if (!s || mnl_socket_bind(s.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return false;
    timeval tv{2, 0};  // the kernel answers at once; never hang the loop
    ::setsockopt(mnl_socket_get_fd(s.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::vector<rtnl::Msg> dump;
    Buffer buf;
    const auto seq = static_cast<unsigned>(std::time(nullptr));
    for (uint16_t type : {RTM_GETLINK, RTM_GETADDR}) {
        char req[MNL_SOCKET_BUFFER_SIZE];
        nlmsghdr* nlh = mnl_nlmsg_put_header(req);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = seq + type;
        auto* g = static_cast<rtgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtgenmsg)));
        g->rtgen_family = AF_UNSPEC;
        if (mnl_socket_sendto(s.get(), nlh, nlh->nlmsg_len) < 0)
            return false;
        for (bool done = false; !done;) {
            const ssize_t n = mnl_socket_recvfrom(s.get(), buf.data(), buf.size());
            if (n <= 0)
                return false;
            auto p = rtnl::parse({static_cast<const uint8_t*>(buf.data()), static_cast<size_t>(n)});
            if (p.error != 0) {
                errno = p.error;
                return false;
            }
            dump.insert(dump.end(), p.msgs.begin(), p.msgs.end());
            done = p.done;
        }
    }
    const auto touched = view_.resync(dump);
    if (changed_ && io_ != nullptr)  // not at start(): the daemon asks the view itself
        changed_(touched);
    return true;
}

int RtnlWatch::on_io(sd_event_source*, int, uint32_t, void* ud)
{
    auto* w = static_cast<RtnlWatch*>(ud);
    Buffer buf;
    std::vector<int> touched;
    bool lost = false;
    for (;;) {  // until empty: one burst, one call of changed_
        const ssize_t n = mnl_socket_recvfrom(w->nl_, buf.data(), buf.size());
        if (n < 0) {
            if (errno == ENOBUFS) {  // notifications lost: ask the kernel again
                lost = true;
                continue;
            }
            break;
        }
        for (const auto& m : rtnl::parse({static_cast<const uint8_t*>(buf.data()), static_cast<size_t>(n)}).msgs)
            touched.push_back(w->view_.apply(m));
    }
    if (lost && w->resync())
        return 0;  // resync() reported every index
    if (!touched.empty() && w->changed_)
        w->changed_(touched);
    return 0;
}

// ------------------------------------------------- the daemon's side

namespace {
// pppd writes its pid into /run/IFNAME.pid once the interface exists.
bool pidfile_names(const std::string& ifname, pid_t pid)
{
    std::string s;
    if (text::read_path("/run/" + ifname + ".pid", s, 64) != 0)
        return false;
    const std::string_view t = text::trim(s);
    long v = 0;
    return std::from_chars(t.data(), t.data() + t.size(), v).ec == std::errc() && v == pid;
}
}  // namespace

bool Daemon::start_rtnl_watch()
{
    rtnl_ = std::make_unique<RtnlWatch>(ev_, [this](const std::vector<int>& ix) { on_kernel(ix); });
    if (!rtnl_->start()) {
        jlog::plain(LOG_ERR, std::string("cannot watch the interfaces (rtnetlink): ") + std::strerror(errno));
        rtnl_.reset();
        return false;
    }
    return true;
}

uint64_t Daemon::kernel_gen() const { return rtnl_ ? rtnl_->view().gen() : 0; }

void Daemon::bind_ifindex(Link& l)
{
    if (rtnl_ && l.ifindex == 0 && !l.ifname.empty())
        (void)rtnl_->view().find(l.ifname, &l.ifindex);
}

void Daemon::on_kernel(const std::vector<int>& indexes)
{
    for (auto& lp : links_) {
        Link& l = *lp;
        if (l.machine.state == LinkState::WaitingForLan && lan_up(l)) {
            jlog::link(LOG_INFO, jlog::kWaitingLan, l, l.cfg.lan_interface + " is up");
            feed(l, Input::LanUp);
        }
        if (l.ifindex == 0 || std::find(indexes.begin(), indexes.end(), l.ifindex) != indexes.end())
            follow_kernel(l);
    }
}

// The kernel is the truth of a link's interface and addresses: they are
// followed whether or not the pppd's plugins speak (a pppd without pppkit
// plugins, or events lost). Which interface is the pppd's: the one its plugin
// named; else the ppp* interface /run/IFNAME.pid names it in; else the one ppp*
// interface that appeared since the pppd was started, when no other link waits
// for its interface and no other link has it.
void Daemon::follow_kernel(Link& l)
{
    if (!rtnl_)
        return;
    const rtnl::View& v = rtnl_->view();
    bind_ifindex(l);
    if (l.ifindex == 0 && l.ifname.empty() && l.pid != 0) {
        std::vector<int> fresh;
        for (const auto& [i, f] : v.all()) {
            if (f.name.rfind("ppp", 0) != 0)
                continue;
            bool claimed = false;
            for (const auto& o : links_)
                claimed = claimed || (o.get() != &l && (o->ifindex == i || o->ifname == f.name));
            if (claimed)
                continue;
            if (pidfile_names(f.name, l.pid)) {
                fresh = {i};
                break;
            }
            if (f.gen > l.dial_gen)
                fresh.push_back(i);
        }
        unsigned waiting = 0;
        for (const auto& o : links_)
            waiting += o->pid != 0 && o->ifindex == 0 && o->ifname.empty() ? 1 : 0;
        if (fresh.size() != 1 || (waiting != 1 && !pidfile_names(v.find(fresh[0])->name, l.pid)))
            return;
        l.ifindex = fresh[0];
        l.ifname = v.find(l.ifindex)->name;
        jlog::link(LOG_INFO, jlog::kAddress, l, "interface " + l.ifname + " is this link's (rtnetlink)");
    }
    if (l.ifindex == 0)
        return;
    const rtnl::Iface* f = v.find(l.ifindex);
    const bool was_up = l.machine.state == LinkState::Up;
    if (f == nullptr) {
        const std::string gone = l.ifname;
        l.ifindex = 0;
        clear_addresses(l);
        if (was_up)
            feed(l, Input::NetworkDown);
        jlog::link(LOG_NOTICE, was_up ? jlog::kLinkDown : jlog::kAddress, l,
                   "interface " + gone + " is gone" + (was_up ? ": link down" : ""));
        l.ifname.clear();
        notify_status();
        return;
    }
    l.ifname = f->name;
    const rtnl::Address* a4 = f->first(AF_INET);
    const rtnl::Address* a6 = f->first(AF_INET6);
    const std::string before = l.local4 + " " + l.remote4 + " " + l.local6 + " " + l.remote6;
    l.local4 = a4 ? a4->local : "";
    l.remote4 = a4 ? a4->peer : "";
    l.local6 = a6 ? a6->local : "";
    l.remote6 = a6 ? a6->peer : "";
    const std::string addrs = l.local4.empty() ? l.local6 : l.local4;
    // Up from the kernel only for a pppd whose plugins say nothing (none
    // loaded, or a pppd adopted since its ip-up): a plugin's ip-down comes
    // while the interface still has its IPv6 link-local address, and that
    // must not read as "up again" (pppkit-online@ would flap).
    if (f->carries() && l.machine.state == LinkState::Dialling && l.events == 0) {
        backoff_link_up(l.backoff, static_cast<int64_t>(now_usec() / 1000));
        feed(l, Input::NetworkUp);
        jlog::link(LOG_NOTICE, jlog::kLinkUp, l, "up on " + l.ifname + ": " + addrs + " (rtnetlink)");
    } else if (!f->carries() && was_up) {
        feed(l, Input::NetworkDown);
        jlog::link(LOG_NOTICE, jlog::kLinkDown, l, "link down on " + l.ifname + " (rtnetlink: no address)");
    } else if (before != l.local4 + " " + l.remote4 + " " + l.local6 + " " + l.remote6) {
        if (was_up)
            jlog::link(LOG_NOTICE, jlog::kAddress, l, "addresses on " + l.ifname + " now " + addrs + " (rtnetlink)");
        notify_status();
    }
}

}  // namespace pppkit::supervisor
