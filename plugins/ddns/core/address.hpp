// address.hpp - address sanity and the IPv6 address filter. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pppkit::ddns {

enum class AddrClass { Public, Private, Cgnat, Loopback, LinkLocal, Unique, Reserved, Invalid };
[[nodiscard]] AddrClass classify_address(std::string_view addr);  // IPv4 or IPv6 text
[[nodiscard]] std::string_view addr_class_name(AddrClass c);
// true for the families a DDNS name can make reachable from the Internet.
[[nodiscard]] inline bool publishable(AddrClass c) { return c == AddrClass::Public; }
[[nodiscard]] bool same_address(std::string_view a, std::string_view b);  // textual forms may differ (IPv6)

// One IPv6 address as netlink reports it (RTM_NEWADDR).
struct V6Addr {
    std::string text;        // "2001:db8::1"
    uint8_t scope = 0;       // ifa_scope (0 = universe/global)
    uint32_t flags = 0;      // IFA_F_* (the 32-bit IFA_FLAGS when present)
    uint32_t preferred = 0;  // preferred lifetime, s (0xffffffff: forever)
    uint32_t valid = 0;
};
enum class V6Verdict { Usable, NotGlobal, Ula, Temporary, Deprecated, Tentative, Invalid };
[[nodiscard]] V6Verdict judge_ipv6(const V6Addr& a);
[[nodiscard]] std::string_view v6_verdict_name(V6Verdict v);
// The best usable address: stable (valid forever) before dynamic, then the
// longest preferred lifetime, then the lowest address. nullopt if none.
[[nodiscard]] std::optional<std::string> pick_ipv6(const std::vector<V6Addr>& addrs);

}  // namespace pppkit::ddns
