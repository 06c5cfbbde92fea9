// rtnl.hpp - rtnetlink link and address messages (RTM_NEWLINK/DELLINK,
// RTM_NEWADDR/DELADDR), as the kernel sends them to RTNLGRP_LINK,
// RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR or in answer to a dump, and the
// view of the interfaces they build. Pure: parse() reads bytes (libmnl's
// bounds checks, nothing trusted), View::apply() keeps the state; nothing
// here logs or touches a socket. pppkitd's adapter is pppkitd/rtnl.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace pppkit::supervisor::rtnl {

struct LinkMsg {
    bool deleted = false;  // RTM_DELLINK
    int index = 0;
    std::string name;    // IFLA_IFNAME: 1-15 printable bytes, else the message is skipped
    unsigned flags = 0;  // IFF_*
    bool operator==(const LinkMsg&) const = default;
};

struct AddrMsg {
    bool deleted = false;  // RTM_DELADDR
    int index = 0;
    int family = 0;     // AF_INET or AF_INET6
    int prefix = 0;     // prefix length
    std::string local;  // the interface's own address (IFA_LOCAL, else IFA_ADDRESS)
    std::string peer;   // the point-to-point peer (IFA_ADDRESS when it differs from IFA_LOCAL), or empty
    bool operator==(const AddrMsg&) const = default;
};

using Msg = std::variant<LinkMsg, AddrMsg>;

struct Parsed {
    std::vector<Msg> msgs;  // in the order of the buffer
    bool done = false;      // NLMSG_DONE: the end of a dump
    int error = 0;          // NLMSG_ERROR's errno (positive), 0: none
    unsigned skipped = 0;   // messages of the wanted types that were malformed
};

// Every message of one datagram (a recv of a netlink socket). Messages of other
// types are ignored; malformed ones are counted in `skipped`; a truncated
// datagram ends the walk.
[[nodiscard]] Parsed parse(std::span<const uint8_t> datagram);

struct Address {
    int family = 0;
    int prefix = 0;
    std::string local, peer;
    bool operator==(const Address&) const = default;
};

struct Iface {
    std::string name;
    unsigned flags = 0;
    uint64_t gen = 0;  // View::gen() when the kernel first told of this index
    std::vector<Address> addrs;
    [[nodiscard]] bool up_running() const;  // IFF_UP and IFF_RUNNING (a LAN interface ready)
    [[nodiscard]] bool carries() const;     // IFF_UP and at least one address (a PPP link up)
    // the first IPv4 address; for IPv6 the first link-local one (what IPV6CP
    // negotiates), else the first; nullptr: none
    [[nodiscard]] const Address* first(int family) const;
};

class View {
public:
    // Applies one message; returns the index it concerned.
    int apply(const Msg& m);
    // Replaces the view with what a dump of the links and addresses says
    // (at start, and after notifications were lost); an index seen before
    // keeps its gen. Returns every index before or after.
    std::vector<int> resync(const std::vector<Msg>& dump);
    [[nodiscard]] const Iface* find(int index) const;
    [[nodiscard]] const Iface* find(const std::string& name, int* index = nullptr) const;
    [[nodiscard]] const std::map<int, Iface>& all() const { return ifaces_; }
    [[nodiscard]] uint64_t gen() const { return gen_; }

private:
    std::map<int, Iface> ifaces_;
    uint64_t gen_ = 0;  // counts the indexes seen for the first time
};

}  // namespace pppkit::supervisor::rtnl
