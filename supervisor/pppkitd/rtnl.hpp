// rtnl.hpp - pppkitd's view of the kernel's interfaces and addresses:
// rtnetlink (libmnl) on the daemon's sd-event loop, subscribed to
// RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR, with a dump at
// start and after lost notifications (ENOBUFS). So a link's interface and
// addresses are known without the plugins, and a LAN interface coming up is
// an event, not a poll. Parsing and state are core/rtnl.hpp; this adapter
// only reads the socket. Single-threaded: every call runs on the loop.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <vector>

#include "core/rtnl.hpp"

struct mnl_socket;

namespace pppkit::supervisor {

class RtnlWatch {
public:
    // Called on the loop after each burst of notifications, with the indexes it touched.
    using Changed = std::function<void(const std::vector<int>& indexes)>;
    RtnlWatch(sd_event* ev, Changed changed);
    ~RtnlWatch();
    RtnlWatch(const RtnlWatch&) = delete;
    RtnlWatch& operator=(const RtnlWatch&) = delete;

    // Subscribes, then dumps the links and addresses. false: errno says why.
    bool start();
    [[nodiscard]] const rtnl::View& view() const { return view_; }

private:
    sd_event* ev_;
    Changed changed_;
    mnl_socket* nl_ = nullptr;
    sd_event_source* io_ = nullptr;
    rtnl::View view_;

    bool resync();  // dump on a socket of its own; false: errno says why
    static int on_io(sd_event_source* s, int fd, uint32_t revents, void* ud);
};

}  // namespace pppkit::supervisor
