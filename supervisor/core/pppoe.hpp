// pppoe.hpp - the PPPoE session pppkitd remembers per link, and the PADT that
// ends it at the access concentrator when pppd could not (kill -9, crash,
// power cut: issue 8 section 5).
// Pure: values in, values out; nothing here logs, reads or sends.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pppkit::supervisor::pppoe {

using Mac = std::array<uint8_t, 6>;

inline constexpr uint16_t kEtherDiscovery = 0x8863;  // RFC 2516: discovery stage
inline constexpr uint8_t kCodePadt = 0xA7;
inline constexpr uint16_t kTagGenericError = 0x0203;
inline constexpr size_t kMinFrame = 60;  // Ethernet minimum without FCS: PADT is padded to it

// One session: the id the AC gave in its PADS, the AC's MAC, the Ethernet
// interface it runs on. A valid one has id 1..0xFFFE (0 and 0xFFFF are
// reserved), a unicast AC MAC that is not all zero, an interface name
// ifname::valid_name accepts.
struct Session {
    uint16_t id = 0;
    Mac ac_mac{};
    std::string ethernet;
    bool operator==(const Session&) const = default;
};

[[nodiscard]] bool valid_id(long id);
[[nodiscard]] bool valid_ac_mac(const Mac& m);
[[nodiscard]] bool valid(const Session& s);

// "aa:bb:cc:dd:ee:ff" (either case, as pppd's channel writes remote_number:
// "AA:BB:..."). Exactly six pairs of hex digits separated by ':'.
[[nodiscard]] std::optional<Mac> parse_mac(std::string_view s);
[[nodiscard]] std::string format_mac(const Mac& m);  // lower case

// The session as pppd's channel reports it (ppp_session_number,
// remote_number, devnam): nullopt unless all three are valid.
[[nodiscard]] std::optional<Session> from_pppd(long id, std::string_view remote_number, std::string_view devnam);

// The whole Ethernet frame of a PADT for s, sent from our_mac (RFC 2516
// section 5.5): destination the AC, source our interface, ethertype 0x8863,
// VER 1, TYPE 1, CODE 0xA7, SESSION_ID s.id, LENGTH of the tags; one
// Generic-Error tag with error_text when it is not empty (cut at 64 bytes);
// zero padding to 60 bytes.
[[nodiscard]] std::vector<uint8_t> padt_frame(const Session& s, const Mac& our_mac, std::string_view error_text);

// The state file of one link (a few "key=value" lines):
//   session=4711
//   ac-mac=52:54:00:12:34:56
//   ethernet=wan0
//   pid=2081              (the pppd that had it; informative)
// Lines starting with '#' and empty lines are skipped; unknown keys are
// errors (the file is pppkitd's own: anything else is not trusted), each key
// once, session/ac-mac/ethernet required, at most kMaxStateFile bytes.
inline constexpr size_t kMaxStateFile = 1024;
struct Saved {
    Session session;
    long pid = 0;  // 0: not recorded
    bool operator==(const Saved&) const = default;
};
[[nodiscard]] std::string format_state(const Saved& s);
// The problem in words, or the saved session.
[[nodiscard]] std::variant<Saved, std::string> parse_state(std::string_view text);

}  // namespace pppkit::supervisor::pppoe
