// mss.hpp - pure core of pppkit-mss: settings, the MSS computation and the
// nftables ruleset that clamps TCP SYNs crossing one PPP interface.
// Nothing here logs or touches the kernel; plugin.cpp applies the text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/config.hpp"
#include "common/nfnl.hpp"

namespace pppkit::mss {

using Mode = config::MssMode;  // auto, pmtu or fixed (common/config.hpp)

// pppkit-mss's settings. from_config() sets every member from its [mss] key
// or the key's documented default (the schema's def, mss_spec()), also when
// there is no [mss] section at all (defaults()): Settings has no defaults of
// its own (its initial values are zeros, not defaults), so the schema is the
// one list of them.
struct Settings {
    Mode mode{};
    int fixed = 0;  // IPv4 MSS when mode == Fixed
    bool ipv4 = false;
    bool ipv6 = false;
    bool enabled = false;
    bool operator==(const Settings&) const = default;
};

inline constexpr int kMinMss = 536;    // RFC 879 default, the smallest sane clamp
inline constexpr int kMaxMss = 65495;  // 65535 - 40

// "auto", "pmtu" or a number kMinMss..kMaxMss. Returns the problem, if any.
std::optional<std::string> parse_mode(std::string_view v, Settings& out);
// For the config schema (KeySpec::parse): [mss] mss read by parse_mode, once,
// at load; from_config reads the config::Mss it keeps.
std::variant<config::Value, config::Problem> check_mode(std::string_view v);

// [mss]'s spec, for its documented defaults (schema.cpp).
const config::SectionSpec& mss_spec();

// The [mss] section of a document that passed the schema: every key as
// parsed at load, else the key's documented default; without an [mss]
// section, every key's documented default. A value load() refused (the
// document is not ok(): its users do not read it) leaves the member zero.
Settings from_config(const config::Document& doc);
// The documented defaults: from_config() of a document without [mss] (the
// plugin's settings when pppkit.conf has none).
Settings defaults();

struct Clamp {
    // nullopt: use the route MTU ("rt mtu"). Otherwise the MSS to clamp to.
    std::optional<int> mss4;
    std::optional<int> mss6;
};
// mtu: the interface MTU pppd negotiated (0 when unknown: falls back to pmtu).
Clamp compute(const Settings& s, int mtu);

// Whether a clamp suits the link's MTU. The kernel never raises an MSS, so
// a fixed MSS above what the MTU carries (IPv4: MTU - 40, IPv6: MTU - 60)
// lowers no SYN that needs it: such a link is not clamped usefully.
enum class Fit {
    Fits,      // every enabled family's MSS fits the MTU (or is the route MTU)
    Unknown,   // mtu 0: pppd did not say
    AboveMtu,  // an enabled family's fixed MSS exceeds MTU - 40 (IPv4) / MTU - 60 (IPv6)
};
Fit fit(const Settings& s, const Clamp& c, int mtu);
// The one line that says so, for Fit::AboveMtu: "ppp0: fixed MSS 1460 is above
// what MTU 1454 carries (IPv4 MSS at most 1414, IPv6 1394): SYNs are
// not clamped below it".
std::string above_mtu(std::string_view ifname, const Settings& s, int mtu);

// Interface names nft can match as a literal (no quotes or backslashes).
bool valid_ifname(std::string_view ifname);

// Every link's clamp lives in one table, inet pppkit_mss. Its chains are
// fixed: they look the interface of a TCP SYN up in four containers. A link
// is one element per family in one of them, so ip-up and ip-down only add or
// delete elements (about 0.1 ms) and never touch a rule or a hook.
inline constexpr std::string_view kTable = "pppkit_mss";

enum class Slot {
    Mss4,   // map  ifname -> IPv4 MSS
    Mss6,   // map  ifname -> IPv6 MSS
    Pmtu4,  // set  ifnames whose IPv4 SYNs get the route MTU ("rt mtu")
    Pmtu6,  // set  ifnames whose IPv6 SYNs get the route MTU
};
inline constexpr Slot kSlots[] = {Slot::Mss4, Slot::Mss6, Slot::Pmtu4, Slot::Pmtu6};
std::string_view slot_name(Slot s);  // "mss4", "mss6", "pmtu4", "pmtu6"

// One element of a link: its interface in slot, mapped to mss (maps only).
struct Entry {
    Slot slot = Slot::Mss4;
    int mss = 0;
    bool operator==(const Entry&) const = default;
};
// The elements a link needs: one per enabled family (none when disabled).
std::vector<Entry> entries(const Settings& s, const Clamp& c);

// One atomic nft script that creates the table if it is missing and rewrites
// its two chains, keeping every link's elements. Run before the first ip-up
// (configure()) and whenever the table is found missing or broken.
std::string base_ruleset();
// The declarative part of base_ruleset(): the table as a block (for docs).
std::string base_table();

// One transaction that puts ifname's elements in (or deletes them). An add
// fails if ifname already has a different value in a map: see apply.hpp.
std::string add_entries(std::string_view ifname, const std::vector<Entry>& e);
std::string delete_entries(std::string_view ifname, const std::vector<Entry>& e);
// The same changes as netlink set-element messages (the plugin's fast path,
// common/nfnl.hpp): deletes of `before`, then adds of `now`.
std::vector<nfnl::Change> changes(std::string_view ifname, const std::vector<Entry>& before,
                                  const std::vector<Entry>& now);
// Deletes ifname from one slot; fails when it is not there.
std::string delete_slot(std::string_view ifname, Slot s);
// Deletes the whole table, every link's clamp with it (succeeds if absent).
std::string removal();

// A one-line human summary:
// "ppp0: IPv4 MSS 1414, IPv6 MSS 1394 (auto, MTU 1454, both directions)".
std::string describe(std::string_view ifname, const Settings& s, const Clamp& c, int mtu);

}  // namespace pppkit::mss
