// mss.hpp - pure core of pppkit-mss: settings, the MSS computation and the
// nftables ruleset that clamps TCP SYNs crossing one PPP interface.
// Nothing here logs or touches the kernel; plugin.cpp applies the text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"

namespace pppkit::mss {

enum class Mode {
    Auto,   // negotiated MTU - 40 (IPv4) and - 60 (IPv6)
    Pmtu,   // the route MTU, as iptables --clamp-mss-to-pmtu (nft "rt mtu")
    Fixed,  // a fixed IPv4 MSS; IPv6 gets 20 less (its header is 20 bytes longer)
};

struct Settings {
    Mode mode = Mode::Auto;
    int fixed = 0;  // IPv4 MSS when mode == Fixed
    bool ipv4 = true;
    bool ipv6 = true;
    bool enabled = true;
};

inline constexpr int kMinMss = 536;    // RFC 879 default, the smallest sane clamp
inline constexpr int kMaxMss = 65495;  // 65535 - 40

// "auto", "pmtu" or a number kMinMss..kMaxMss. Returns the problem, if any.
std::optional<std::string> parse_mode(std::string_view v, Settings& out);
// For the config schema: checks a value of [mss] mss.
std::optional<std::string> check_mode(std::string_view v);

// Reads [mss] from a validated document into s (absent keys keep s's values).
void apply_config(const config::Document& doc, Settings& s);

struct Clamp {
    // nullopt: use the route MTU ("rt mtu"). Otherwise the MSS to clamp to.
    std::optional<int> mss4;
    std::optional<int> mss6;
};
// mtu: the interface MTU pppd negotiated (0 when unknown: falls back to pmtu).
Clamp compute(const Settings& s, int mtu);

// The table that holds one interface's rules: inet pppkit_mss_<ifname>.
std::string table_name(std::string_view ifname);
// Interface names nft can match as a literal (no quotes or backslashes).
bool valid_ifname(std::string_view ifname);

// One atomic nft script that (re)creates the interface's table: rewrites
// the MSS of TCP SYNs forwarded out of and into ifname. Idempotent: applying
// it twice leaves one copy.
std::string ruleset(std::string_view ifname, const Settings& s, const Clamp& c);
// One atomic nft script that removes the interface's table if present.
std::string removal(std::string_view ifname);

// A one-line human summary: "ppp0: IPv4 MSS 1414, IPv6 MSS 1394 (auto, MTU 1454)".
std::string describe(std::string_view ifname, const Settings& s, const Clamp& c, int mtu);

}  // namespace pppkit::mss
