// event_codec.hpp - the messages a pppkit plugin sends pppkitd about its pppd
// (unix datagram socket /run/pppkit/event), one datagram per message.
//
// Wire format, version 1 (all integers big-endian):
//   header  6 bytes: 'P' 'K', version (1), type (MsgType), payload length (u16)
//   payload TLVs:    tag (u8), length (u8), value; each tag at most once
// Fixed-size tags must have exactly their size; strings are 1-64 printable
// ASCII bytes without '/'. Unknown tags are skipped (newer plugins may add
// some); everything else that does not fit is rejected. A datagram is at most
// kMaxMessage bytes.
//
// Version 2 adds two messages, Applied and Problem, and their tags (Plugin,
// Outcome, UpType; Text); every other message is still written as version 1,
// byte for byte, so a daemon that reads version 1 only drops those two
// (unknown version) and nothing else. The decoder reads both; Applied or
// Problem in a version 1 header is an unknown type. Text is the one string
// that may hold spaces and '/' (a file:line message): 1-255 printable ASCII
// bytes.
// Hello may carry Plugins (a version 1 message with a tag old daemons skip):
// its presence says the sender's plugins send Applied after their ip-up.
// Phase may carry ExitStatus (a tag every version-1 decoder knows, on any
// type): pppd's status as it stands, when it is not 0 (EXIT_OK). pppd resets
// it at each attempt's start and sets it before LCP closes: 19 on TERMINATE,
// DISCONNECT, DEAD and HOLDOFF says that attempt failed to authenticate, even
// when `persist` redials without exiting. A daemon that ignores it loses nothing.
// Pure: encode and decode only; nothing here logs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pppkit::supervisor::event {

inline constexpr uint8_t kVersion = 1;   // of every message but Applied
inline constexpr uint8_t kVersion2 = 2;  // Applied, Problem
inline constexpr size_t kHeader = 6;
inline constexpr size_t kMaxMessage = 512;
inline constexpr size_t kMaxString = 64;
inline constexpr size_t kMaxText = 255;  // Tag::Text

enum class MsgType : uint8_t {
    Hello = 1,  // the first event of a pppd: who it is
    Phase = 2,  // may carry ExitStatus: the status of the attempt so far
    IpUp = 3,
    IpDown = 4,
    Ipv6Up = 5,
    Ipv6Down = 6,
    LinkDown = 7,
    Exit = 8,
    // Version 2: sent by each pppkit plugin (not the one elected sender) after
    // its ip-up or ipv6-up handler returned: whether what it puts in place for
    // the link (firewall dynamic part, MSS elements) is there now.
    Applied = 9,
    // Version 2: a pppkit plugin refuses to bring the link up (its
    // configuration, or the link against it) and pppd is about to exit 2:
    // the first problem, "FILE:LINE: [section] key: problem (got 'value')"
    // or the plugin's words. Sent by the plugin that refuses, before pppd's
    // die(); pppkitd shows it with the link's failed-config state.
    Problem = 10,
};

enum class Tag : uint8_t {
    Pid = 1,          // u32, pppd's pid
    Peer = 2,         // string: NAME of "pppd call NAME"
    Ifname = 3,       // string: ppp0
    Phase = 4,        // u8: pppd's PHASE_*
    Local4 = 5,       // 4 bytes
    Remote4 = 6,      // 4 bytes
    Local6 = 7,       // 16 bytes (link-local address from the IPV6CP identifier)
    Remote6 = 8,      // 16 bytes
    Mtu = 9,          // u16
    Session = 10,     // u16: PPPoE session id
    AcMac = 11,       // 6 bytes: the access concentrator's MAC
    EthIfname = 12,   // string: the Ethernet interface under PPPoE
    ExitStatus = 13,  // u8: pppd's exit status (Exit); in Phase: pppd's status so far (see above)
    Plugins = 14,     // string, in Hello: the pppkit plugins loaded, "firewall,mss" (sorted, comma-separated)
    Plugin = 15,      // string, in Applied (required): which plugin, "mss"
    Outcome = 16,     // u8, in Applied (required): 0 in place, 1 failed
    UpType = 17,      // u8, in Applied (required): MsgType::IpUp or MsgType::Ipv6Up
    Text = 18,        // text (kMaxText, spaces and '/' allowed), in Problem (required)
};

// pppd's PHASE_* as Tag::Phase carries them (the same numbers in pppd 2.4.9
// and 2.5.x; plugins/host/pk_host.h mirrors them for the shim).
enum class PppPhase : uint8_t {
    Dead = 0,
    Initialize = 1,
    Serialconn = 2,
    Dormant = 3,
    Establish = 4,
    Authenticate = 5,
    Callback = 6,
    Network = 7,
    Running = 8,
    Terminate = 9,
    Disconnect = 10,
    Holdoff = 11,
    Master = 12,
};

struct Message {
    MsgType type = MsgType::Hello;
    uint32_t pid = 0;  // required in every message
    std::string peer, ifname, eth_ifname;
    std::optional<uint8_t> phase;  // required in Phase
    std::optional<std::array<uint8_t, 4>> local4, remote4;
    std::optional<std::array<uint8_t, 16>> local6, remote6;
    std::optional<uint16_t> mtu, session;
    std::optional<std::array<uint8_t, 6>> ac_mac;
    std::optional<uint8_t> exit_status;  // required in Exit
    std::string plugins;                 // Hello: "firewall,mss"; empty: not said (older plugins)
    std::string plugin;                  // required in Applied
    std::optional<uint8_t> outcome;      // required in Applied: 0 in place, 1 failed
    std::optional<uint8_t> up_type;      // required in Applied: 3 (IpUp) or 5 (Ipv6Up)
    std::string text;                    // required in Problem

    bool operator==(const Message&) const = default;
};

enum class DecodeError {
    TooShort,
    TooLong,
    BadMagic,
    BadVersion,
    BadType,
    LengthMismatch,  // header length != bytes after the header
    TruncatedTlv,
    BadTlvSize,  // a fixed-size tag with another size, or an empty/oversized string
    BadString,   // not printable ASCII, or contains '/'
    DuplicateTag,
    MissingField,  // pid, or the field the type needs
    BadValue,      // Applied: an outcome other than 0/1, an up type other than ip-up/ipv6-up
};

// Encodes m. Strings longer than kMaxString (text: kMaxText) are cut; invalid
// characters are not checked here (the decoder rejects them; printable() makes
// a text safe to send).
[[nodiscard]] std::vector<uint8_t> encode(const Message& m);
[[nodiscard]] std::variant<Message, DecodeError> decode(std::span<const uint8_t> bytes);

// s with every byte outside printable ASCII (0x20-0x7e) replaced by '?', cut to kMaxText.
[[nodiscard]] std::string printable(std::string_view s);

[[nodiscard]] std::string_view error_name(DecodeError e);
[[nodiscard]] std::string_view type_name(MsgType t);

}  // namespace pppkit::supervisor::event
