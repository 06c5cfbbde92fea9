// ifaddr.hpp - the IPv6 addresses of one interface in the answer to an
// RTM_GETADDR dump, parsed with libmnl's bounds checks (nothing in the
// datagram is trusted). Pure: io/rtnl.cpp sends the request and reads the
// socket.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ddns/core/address.hpp"

namespace pppkit::ddns {

// Appends to out the RTM_NEWADDR messages of one datagram that answer the
// dump seq and are IPv6 addresses of ifindex (notifications, other
// interfaces and families are skipped; so are malformed messages). Returns
// true when the dump is over (NLMSG_DONE or NLMSG_ERROR) or the datagram is
// truncated.
[[nodiscard]] bool parse_addr_dump(std::span<const uint8_t> datagram, uint32_t seq, unsigned ifindex,
                                   std::vector<V6Addr>& out);

}  // namespace pppkit::ddns
