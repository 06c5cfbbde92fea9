// padt_send.hpp - sends the PADT of a PPPoE session: one raw Ethernet frame
// (pppoe::padt_frame) on the session's interface, never blocking. The one
// place that sends it: pppkitd (a stale session, padt.cpp) and the plugins'
// host (pppd 2.4.9 stopped by a plugin sends none itself, host.cpp).
// Needs CAP_NET_RAW.
#pragma once

#include <string>
#include <string_view>

#include "core/pppoe.hpp"

namespace pppkit::supervisor::pppoe {

// The problem in words, or "" when the frame went out. error_text: the
// PADT's Generic-Error tag (the access concentrator's log says who ended it).
[[nodiscard]] std::string send_padt(const Session& s, std::string_view error_text) noexcept;

}  // namespace pppkit::supervisor::pppoe
