// padt_send.cpp - see padt_send.hpp.
#include "core/padt_send.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace pppkit::supervisor::pppoe {

std::string send_padt(const Session& s, std::string_view error_text) noexcept
{
    try {
        const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);  // protocol 0: sends only
        if (fd < 0)
            return std::string("raw socket: ") + std::strerror(errno);
        std::string err;
        ifreq ifr{};
        std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", s.ethernet.c_str());
        const unsigned idx = ::if_nametoindex(s.ethernet.c_str());
        if (idx == 0) {
            err = s.ethernet + ": " + std::strerror(errno);
        } else if (::ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
            err = s.ethernet + ": no hardware address: " + std::strerror(errno);
        } else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
            err = s.ethernet + " is not an Ethernet interface";
        } else {
            Mac ours{};
            std::memcpy(ours.data(), ifr.ifr_hwaddr.sa_data, ours.size());
            const auto frame = padt_frame(s, ours, error_text);
            sockaddr_ll to{};
            to.sll_family = AF_PACKET;
            to.sll_protocol = htons(kEtherDiscovery);
            to.sll_ifindex = static_cast<int>(idx);
            to.sll_halen = 6;
            std::memcpy(to.sll_addr, s.ac_mac.data(), 6);
            if (::sendto(fd, frame.data(), frame.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof to) !=
                static_cast<ssize_t>(frame.size()))
                err = s.ethernet + ": " + std::strerror(errno);
        }
        ::close(fd);
        return err;
    } catch (...) {
        return "out of memory";
    }
}

}  // namespace pppkit::supervisor::pppoe
