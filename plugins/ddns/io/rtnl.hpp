// rtnl.hpp - where the worker finds the address to announce: the link's IPv4
// address, and (rtnetlink through libmnl) a usable global IPv6 address,
// waited for as the kernel adds it.
#pragma once

#include <optional>
#include <string>

namespace pppkit::ddns::io {

// The first IPv4 address of ifname; empty: none.
[[nodiscard]] std::string interface_ipv4(const std::string& ifname);

// Waits (RTMGRP_IPV6_IFADDR, and a fresh dump at least every second) up to
// wait_s for a usable global IPv6 address on ifname: not ULA, not temporary,
// not deprecated or tentative (pick_ipv6()). Skipped addresses go to the trace.
[[nodiscard]] std::optional<std::string> wait_ipv6(const std::string& ifname, long wait_s);

}  // namespace pppkit::ddns::io
