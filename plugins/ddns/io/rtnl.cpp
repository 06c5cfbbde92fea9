#include "ddns/io/rtnl.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "ddns/core/address.hpp"
#include "ddns/core/ifaddr.hpp"
#include "ddns/io/log.hpp"

namespace pppkit::ddns::io {

namespace {

using Clock = std::chrono::steady_clock;

struct SocketDeleter {
    void operator()(mnl_socket* s) const noexcept { mnl_socket_close(s); }
};
using Socket = std::unique_ptr<mnl_socket, SocketDeleter>;

// The IPv6 addresses of one interface, by an RTM_GETADDR dump.
std::vector<V6Addr> dump_ipv6(mnl_socket* nl, unsigned ifindex, uint32_t seq)
{
    alignas(nlmsghdr) char buf[16384];
    nlmsghdr* req = mnl_nlmsg_put_header(buf);
    req->nlmsg_type = RTM_GETADDR;
    req->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req->nlmsg_seq = seq;
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(req, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET6;
    std::vector<V6Addr> out;
    if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
        return out;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        if (n <= 0 ||
            parse_addr_dump({reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(n)}, seq, ifindex, out))
            return out;
    }
}

}  // namespace

std::string interface_ipv4(const std::string& ifname)
{
    ifaddrs* list = nullptr;
    std::string out;
    if (::getifaddrs(&list) != 0)
        return out;
    for (ifaddrs* i = list; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && ifname == i->ifa_name) {
            char buf[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
            out = buf;
            break;
        }
    ::freeifaddrs(list);
    return out;
}

std::optional<std::string> wait_ipv6(const std::string& ifname, long wait_s)
{
    Socket nl(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
    if (!nl)
        return std::nullopt;
    // without the group subscription the loop below still re-dumps every second
    (void)mnl_socket_bind(nl.get(), RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID);
    const int fd = mnl_socket_get_fd(nl.get());
    auto until = Clock::now() + std::chrono::seconds(wait_s);
    std::optional<std::string> found;
    std::string last_seen;
    uint32_t seq = 0;
    for (;;) {
        unsigned idx = if_nametoindex(ifname.c_str());
        if (idx != 0) {
            auto addrs = dump_ipv6(nl.get(), idx, ++seq);
            found = pick_ipv6(addrs);
            if (found)
                break;
            std::string seen;
            for (const auto& a : addrs)
                seen += "skipping " + a.text + ": " + std::string(v6_verdict_name(judge_ipv6(a))) + "\n";
            if (seen != last_seen)
                for (const auto& a : addrs)
                    trace("skipping " + a.text + ": " + std::string(v6_verdict_name(judge_ipv6(a))));
            last_seen = seen;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left <= 0)
            break;
        // any address event (or one second passing) means: look again
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000))) == 1) {
            char drain[8192];
            while (::recv(fd, drain, sizeof drain, MSG_DONTWAIT) > 0) {
            }
        }
    }
    return found;
}

}  // namespace pppkit::ddns::io
