// firewall.hpp - pure core of pppkit-firewall: the typed settings read from
// [firewall] and [forward "name"], and the nftables text that implements
// them in pppkit's own table, inet pppkit_fw.
//
// Nothing here logs or touches the kernel: the plugin (plugins/firewall/
// plugin.cpp) and the CLI (plugins/firewall/cli/firewall_cmd.cpp) run the
// text through common/nft.hpp. The only I/O is read_extras(), which reads
// the extras file named in the config (it still never logs).
//
// Ruleset shape (see README.md for the full picture):
//   - static part: everything the config says; interfaces are matched by
//     NAME (patterns such as ppp*), so the rules protect a ppp0 that does
//     not exist yet. Loaded at boot by pppkit-firewall.service, or by the
//     plugin's configure() when it is missing.
//   - dynamic part, per link (several pppds at once: ppp0 and ppp1), each
//     link's elements changed in one transaction on its own ESTABLISH,
//     ip-up and ip-down, never another link's:
//       set active_wan (type ifname)    every link's interface (the record
//                                       of which links are up)
//       set wan (type ifname)           what the rules match as WAN: the
//                                       configured wan names that are plain
//                                       names (static elements, comment
//                                       kConfiguredWan: never removed) and
//                                       every link's interface, WAN even if
//                                       no [firewall] wan item matches it.
//                                       wan items with a '*' keep a pattern
//                                       rule of their own beside @wan
//       set public4 (type ipv4_addr)    every link's IPCP local address:
//                                       the only destination of WAN DNAT
//                                       (empty before ip-up: nothing is
//                                       forwarded) and of NAT reflection;
//                                       $public4 in extras
//       map wan_public4 (ifname : ipv4_addr)  which address is whose: the
//                                       record a link's next update (or a
//                                       reload) reads back
//       set linkN_wan, linkN_public4    one pair per link a forward names
//                                       (Settings::links[N], comment "link
//                                       NAME"): the interface and address of
//                                       that link only
//   - static sets wan_spoof4 (and wan_spoof6 with ipv6): the sources a WAN
//     interface never brings (the LAN's networks, loopback, multicast, ...),
//     dropped first in input and forward, before conntrack's accept. Their
//     elements are merged here (merge_prefixes), not by nft's auto-merge.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/config.hpp"
#include "common/nfnl.hpp"

namespace pppkit::firewall {

inline constexpr std::string_view kTable = "pppkit_fw";  // always family inet
inline constexpr std::string_view kDefaultExtras = "/etc/ppp/pppkit-firewall.nft";

using config::PortRange;  // the types of the values parsed at load (common/config.hpp)
using config::Proto;
using config::Rate;
using config::Service;
enum class LanDefault { Drop, Accept };
enum class LogLevel { Emerg, Alert, Crit, Err, Warn, Notice, Info, Debug };

// The names of the enum keys' values (config::Choices): the schema parses by
// them, to_string() writes by them.
inline constexpr std::array kProtoNames{config::choice("tcp", Proto::Tcp), config::choice("udp", Proto::Udp),
                                        config::choice("both", Proto::Both)};
inline constexpr config::Choices kProtoChoices = config::choices_of<Proto>(kProtoNames);
inline constexpr std::array kLanDefaultNames{config::choice("drop", LanDefault::Drop),
                                             config::choice("accept", LanDefault::Accept)};
inline constexpr config::Choices kLanDefaultChoices = config::choices_of<LanDefault>(kLanDefaultNames);
inline constexpr std::array kLogLevelNames{
    config::choice("emerg", LogLevel::Emerg), config::choice("alert", LogLevel::Alert),
    config::choice("crit", LogLevel::Crit),   config::choice("err", LogLevel::Err),
    config::choice("warn", LogLevel::Warn),   config::choice("notice", LogLevel::Notice),
    config::choice("info", LogLevel::Info),   config::choice("debug", LogLevel::Debug),
};
inline constexpr config::Choices kLogLevelChoices = config::choices_of<LogLevel>(kLogLevelNames);

struct Forward {
    std::string name;  // the section name: [forward "https"]
    Proto proto = Proto::Tcp;
    std::vector<PortRange> ports;    // external ports
    std::string to;                  // internal IPv4 host
    std::optional<int> to_port;      // only when ports is one single port
    std::vector<std::string> from4;  // allowed IPv4 sources, from the WAN and reflected alike (empty: any)
    std::vector<std::string> from6;  // (IPv6 sources never match a DNAT; kept for validation)
    bool reflection = true;
    // "link = NAME, ...": arrives only on these links (and reflects only on
    // their public addresses); empty: every link. Each is in Settings::links.
    std::vector<std::string> links;
    std::string file;  // where the section starts, for messages
    int line = 0;
};

// The firewall's settings. from_config() sets every member from its key or
// the key's documented default (the schema's def, config::documented_default):
// Settings has no defaults of its own (its initial values are zeros, not
// defaults), so the schema is the one list of them.
struct Settings {
    std::vector<std::string> wan;
    std::vector<std::string> lan_interfaces;
    std::vector<std::string> lan_networks4;
    std::vector<std::string> lan_networks6;
    std::vector<Service> router_services;
    bool lan_icmp = false;
    LanDefault lan_default = LanDefault::Drop;
    bool wan_ping = false;
    Rate wan_ping_rate;
    std::vector<Service> wan_services;
    std::vector<Service> forward_block;
    bool masquerade = false;
    bool reflection = false;
    bool egress_guard = false;
    bool ipv6 = false;
    bool forwarding = false;  // turn on IPv4 forwarding once the ruleset is loaded (not in the ruleset)
    bool log = false;
    LogLevel log_level = LogLevel::Emerg;
    int log_group = 0;  // > 0: nflog group instead of the kernel log
    Rate log_rate;
    std::string log_prefix;
    std::optional<std::string> extras;  // path; nullopt: none
    std::string extras_text;            // its contents, once read_extras() ran
    std::vector<Forward> forwards;
    // The links forwards name ([link NAME] sections, or interfaces listed in
    // wan), in order of first use: link N has sets linkN_wan/linkN_public4.
    std::vector<std::string> links;
    // A digest of the static ruleset's inputs: the plugin compares it with
    // the one in the loaded table to see whether the boot ruleset is current.
    [[nodiscard]] std::string digest() const;
};

// IPv4 forwarding (net.ipv4.ip_forward; Debian ships it off) against what
// the configuration asks: a router that masquerades and forwards needs it.
// ip_forward is the text of /proc/sys/net/ipv4/ip_forward.
enum class ForwardingStep {
    On,        // already on: nothing to do
    TurnOn,    // off and [firewall] forwarding = yes: turn it on, once the ruleset is loaded
    LeaveOff,  // off and forwarding = no: the admin's to set; nothing is routed meanwhile
};
[[nodiscard]] ForwardingStep forwarding_step(const Settings& s, std::string_view ip_forward);
// True when the configuration routes IPv6 (ipv6 = yes and an IPv6
// lan-network) but all_forwarding (/proc/sys/net/ipv6/conf/all/forwarding)
// is 0. pppkit leaves IPv6 forwarding to the admin: turning it on makes the
// kernel ignore router advertisements on every interface whose accept_ra is
// not 2, the WAN's too, and with them the link's IPv6 default route.
[[nodiscard]] bool ipv6_forwarding_missing(const Settings& s, std::string_view all_forwarding);

// One link's dynamic state, from its pppd (ESTABLISH: interface only;
// ip-up: with the address) or "pppkit firewall up".
struct WanLink {
    std::string ifname;                  // e.g. "ppp1"
    std::optional<std::string> public4;  // IPCP local address, e.g. "203.0.113.7"
    std::string name;                    // pppd's "call NAME" ([link NAME]); empty: unknown
    bool operator==(const WanLink&) const = default;
};
// Every link's dynamic state (what a full load puts into the sets).
struct Dynamic {
    std::vector<WanLink> links;
    bool operator==(const Dynamic&) const = default;
};
// The index in s.links of the link l belongs to: by its name, else by its
// interface name (a forward may name an interface listed in wan); -1: none.
int link_slot(const Settings& s, const WanLink& l);

// The typed settings of a document that already passed the schema, plus the
// checks that involve several keys (each reported on the line of the key at
// fault). Does not read the extras file (see read_extras).
std::variant<Settings, std::vector<config::Diagnostic>> from_config(const config::Document& doc);

// Reads s.extras into s.extras_text (for the text checks, the digest, and
// the sealed copy nft includes: lifecycle.hpp). A missing file is not an
// error when the path is the default one and was not set explicitly.
// Returns the problem as a Diagnostic on the "extras" key's line, or on the
// extras file's own line for check_extras_text's findings.
std::optional<config::Diagnostic> read_extras(Settings& s, const config::Document& doc);

// Text-level checks of an extras file before nft sees it: plain text (no
// control bytes), balanced braces, only chain/set/map/... definitions at its
// top level (nothing that leaves pppkit's table), none of them named like
// one of the table's own (reserved_name), and no "include" anywhere (nft
// would read a file nobody checked). A last line without a newline is
// fine: the staged copy gets one. Returns the 1-based line and the problem.
struct TextProblem {
    int line = 0;
    std::string problem;
};
std::optional<TextProblem> check_extras_text(std::string_view text);

// Whether NAME is one of the table's own objects in some configuration
// (build(): every set, map and chain it can declare), so that an extras
// file declaring it would not get one of its own: nft merges a repeated
// declaration into the existing object, so "set wan { ... elements = {
// "eth1" } }" made eth1 WAN and a "chain wan_input { ... }" appended rules
// after its final goto, never reached. kind: "chain", "set" or "map" (sets
// and maps share one namespace). The extra_* chains are the extras file's
// own and never reserved. check_extras_text refuses the declaration.
bool reserved_name(std::string_view kind, std::string_view name);

// The whole ruleset: replaces pppkit's table (and only it) atomically and
// fills the dynamic sets from d.
// extras_ref: the path nft includes for the extras (lifecycle.hpp passes its
// sealed copy); empty: s.extras itself (for "pppkit firewall show").
std::string full_ruleset(const Settings& s, const Dynamic& d, std::string_view extras_ref = {});
// true when full_ruleset(s, ...) holds "define" lines (the extras
// variables): libnftables 1.0.6 crashes (use after free) when one context
// runs a second buffer that defines variables, so such a ruleset must go
// through a fresh nft::Context each time (~10 ms instead of ~1 ms).
// Without extras the ruleset has no defines and a warm context is reused.
bool needs_fresh_context(const Settings& s);
// One link's update, atomically, touching no other link's elements: removes
// the elements of `gone` (what this link, or a dead one, had; each removal
// is idempotent for the sets, the wan_public4 record must match), then adds
// `now` (nullopt: the link is down). ESTABLISH, ip-up, ip-down and exit are
// each one such transaction. Needs the table loaded by full_ruleset.
// link_changes is the transaction as one element batch (common/nfnl.hpp),
// link_update the same as nft commands. digest is s.digest(), which the
// caller computed once (it costs a ruleset generation): the transaction
// starts by deleting and re-adding kMarkSet's digest_key(digest), so the
// kernel refuses all of it, and nothing changes, unless the table holds the
// ruleset of these very Settings. A slot (linkN_*) is a position in one
// configuration: after a reload, another configuration's link0 may be
// another link, whose elements this link's "flush the slot" would replace.
std::vector<nfnl::Change> link_changes(const Settings& s, std::string_view digest, const std::vector<WanLink>& gone,
                                       const std::optional<WanLink>& now);
std::string link_update(const Settings& s, std::string_view digest, const std::vector<WanLink>& gone,
                        const std::optional<WanLink>& now);
// kMarkSet's one element in a full ruleset: the digest's first 15 hex
// digits (an ifname element holds 15 bytes). Pure.
std::string digest_key(std::string_view digest);
// The last resort when no valid ruleset can be loaded, built from constants
// so that nothing a user wrote can make nft refuse it: input is dropped
// except from loopback, replies (established/related) and - only when every
// name passes ifname::check_pattern - the LAN interfaces; all forwarding is
// dropped; output is left alone. Marked so that the plugin knows it is not a
// real ruleset. failsafe_ruleset({}) is the pure constant one.
// Anti-spoofing like the full ruleset's, before the replies' accept: from
// ppp* and each wan pattern that passes ifname::check_pattern, a source in
// wan_spoof4/wan_spoof6 (each lan_networks item that passes check_network,
// and the constants: 0/8, 127/8, 169.254/16, 224/4, 240/4, ::1, ff00::/8)
// is logged and dropped, so a forged reply joins no flow.
// carrier: the PPPoE carrier (pppd's devnam) a lan-interfaces item matched,
// the reason for this failsafe (carrier_in_lan); when it is a valid
// interface name it is the one element of the mark set (kMarkSet), so that
// whoever finds this failsafe loaded (pppkitd at start and reload:
// lifecycle.hpp's failsafe_carriers) knows the configuration takes the
// ISP's side for LAN. Empty: refused for another reason, the set stays empty.
std::string failsafe_ruleset(const std::vector<std::string>& lan_interfaces,
                             const std::vector<std::string>& lan_networks = {},
                             const std::vector<std::string>& wan = {}, std::string_view carrier = {});
inline constexpr std::string_view kFailsafeMark = "pppkit failsafe";
// A set in both rulesets whose comment says what the table holds:
// "pppkit digest <Settings::digest()>" or kFailsafeMark (lifecycle.hpp's
// inspect() reads it from a JSON listing). The table's comment says the same
// for people reading "nft list table". Empty, but in a failsafe loaded
// because lan-interfaces matched the PPPoE carrier: that carrier's name.
inline constexpr std::string_view kMarkSet = "pppkit_mark";

// The flush guard. `nft flush ruleset` (nftables.service's reload, any
// script) deletes pppkit_fw in one transaction, and until pppkitd's repair
// commits the router would be open. So pppkit_fw (full_ruleset and the
// failsafe alike) sets kGuardMark on every packet as the first rule of its
// input and forward chains, and clears it again in two base chains of its
// own at priority filter + 20. pppkitd (supervisor/pppkitd/drift.cpp) keeps
// guard_ruleset() loaded while a [firewall] is configured and pppkit_fw has
// been seen: table inet pppkit_guard, owned by pppkitd's netlink socket
// (NFT_TABLE_F_OWNER, Linux >= 5.12: no other process can change or delete
// it, `flush ruleset` leaves it, and it goes when pppkitd's socket closes).
// At priority filter + 10 it passes (and unmarks) what pppkit_fw saw and
// accepted, and drops every other input and forwarded packet but loopback's:
// what arrives while pppkit_fw is gone.
inline constexpr std::string_view kGuardTable = "pppkit_guard";
inline constexpr uint32_t kGuardMark = 0x80000000U;
// The first of the two unmark chains: where it is, pppkit_fw sets the mark.
inline constexpr std::string_view kUnmarkChain = "input_unmark";
std::string guard_ruleset();

// The [firewall] lan-interfaces of a document, even one with errors
// elsewhere (for the failsafe); empty when unset, when any name is invalid,
// or when any of them could also name a WAN interface (a wan item as
// written, or ppp*).
std::vector<std::string> lan_interfaces(const config::Document& doc);
// The PPPoE carrier (pppd's devnam: the Ethernet device the session runs
// over, whose segment is the ISP's side) is never LAN. The problem, on the
// line of lan-interfaces, when one of its items matches carrier (a pattern
// such as en* as much as the exact name); nullopt when none does, or when
// carrier is not an interface name (empty, or a serial device's path).
std::optional<config::Diagnostic> carrier_in_lan(const config::Document& doc, std::string_view carrier);
// names without the items that match carrier (the failsafe's LAN).
std::vector<std::string> without_carrier(const std::vector<std::string>& names, std::string_view carrier);
// A link's own interface (pppd's ifname, e.g. ppp0: the WAN side) is never
// LAN either. The uplink's pppd without `unit` takes the lowest free pppN,
// which may be a name lan-interfaces gives to the LAN's PPP servers
// (xl2tpd, pptpd, a PPPoE server): the full ruleset would take its WAN
// traffic for LAN (reflection's SNAT masquerades inbound forwards, so LAN
// servers see the router as the client). The problem (for pppd's log,
// naming the item, the interface and the way out) when an item of s's
// lan-interfaces matches ifname; nullopt when none does or ifname is not
// an interface name. config: the configuration file, named in the text.
std::optional<std::string> link_in_lan(const Settings& s, std::string_view ifname, std::string_view config);
// The [firewall] lan-networks and wan items of a document, even one with
// errors, as written (for the failsafe's anti-spoofing, which keeps only
// the valid ones); empty when unset.
std::vector<std::string> failsafe_networks(const config::Document& doc);
std::vector<std::string> failsafe_wan(const config::Document& doc);
// Strict network check for lan-networks and from: inet_pton address, plain
// decimal prefix in range (no sign, no leading zero: nft reads "024" as
// octal), no control bytes. nullopt: valid.
std::optional<std::string> check_network(std::string_view v);
// A link's name as pppkit writes it into set comments ("link NAME") and
// records: 1-64 letters, digits, '-', '_', '.'.
bool valid_link_name(std::string_view v);
// true when ifname is matched by one of the patterns ("ppp*" or "ppp0").
bool wan_matches(const std::vector<std::string>& patterns, std::string_view ifname);
// The comment of set wan's static elements (the configured wan names
// without '*'): a link's update, and stale_removals (lifecycle.hpp) in
// another configuration's ruleset, never remove such an element.
inline constexpr std::string_view kConfiguredWan = "configured";
// The fewest prefixes that cover exactly what `prefixes` cover together:
// overlapping, contained, duplicate and adjacent ones merged into one where
// a prefix can say it. IPv4 and IPv6 ("addr/len", or a bare address: /32,
// /128); IPv4 first, each family in address order, as "addr/len" with the
// host bits cleared. Text that is no prefix is kept as it is, after them.
// The interval sets (wan_spoof4/6) take it instead of nft's auto-merge,
// which makes nft 1.0.6 read the set's elements back from the kernel on
// every load. Pure.
std::vector<std::string> merge_prefixes(const std::vector<std::string>& prefixes);

// The [firewall] section's spec (schema.cpp), for its documented defaults.
const config::SectionSpec& firewall_spec();

// "8000-8010" or "443"; whether two ranges share a port (schema.cpp).
std::string range_str(const PortRange& r);
bool overlaps(const PortRange& a, const PortRange& b);

// The parsers of the keys with a domain type, run once, at load, by the
// schema (KeySpec::parse; schema.cpp): from_config reads their results
// (nullopt: not valid).
std::optional<std::vector<Service>> parse_services(std::string_view v, std::string* problem);
std::optional<std::vector<PortRange>> parse_ports(std::string_view v, std::string* problem);
std::optional<Rate> parse_rate(std::string_view v, std::string* problem);

std::string_view to_string(Proto p);
std::string_view to_string(LogLevel l);

}  // namespace pppkit::firewall
