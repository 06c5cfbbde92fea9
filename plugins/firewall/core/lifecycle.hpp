// lifecycle.hpp - the fail-closed load sequence shared by pppkit-firewall.so
// (configure(), before pppd dials) and "pppkit firewall apply" (boot, through
// pppkit-firewall.service). Talks to the kernel through one nft::Context but
// never logs: it returns outcomes and messages, the adapters log them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/nft.hpp"
#include "common/nft_json.hpp"
#include "firewall/core/firewall.hpp"

namespace pppkit::firewall {

// The extras text as prepare() read it, sealed in a memfd for the life of
// the process. Every nft run includes it as /proc/self/fd/N, so nft parses
// byte for byte the text that was checked (the file on disk may change at
// any time), and its last line always ends in a newline. Errors that name
// /proc/self/fd/N are mapped back to the real path (see map_errors).
class StagedExtras {
public:
    StagedExtras(const std::string& text, std::string path);
    ~StagedExtras();
    StagedExtras(const StagedExtras&) = delete;
    StagedExtras& operator=(const StagedExtras&) = delete;
    [[nodiscard]] bool valid() const { return fd_ >= 0; }
    [[nodiscard]] std::string ref() const { return "/proc/self/fd/" + std::to_string(fd_); }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    int fd_ = -1;
    std::string path_;
};

// Config file -> Settings (with the extras text read, pre-checked and staged).
struct Prepared {
    std::optional<Settings> settings;   // set when there are no problems
    std::vector<std::string> problems;  // "file:line: [section] key: problem (got 'value')"
    std::vector<std::string> lan;       // valid LAN interface names for the failsafe, even when the config is broken
    std::vector<std::string> lan_networks, wan;  // the failsafe's anti-spoofing (failsafe_networks, failsafe_wan)
    size_t files = 0;
    // false when the files were all read and have no [firewall] and no
    // [forward] section (pppkit installed for its other plugins): the boot
    // unit then loads nothing. A file that could not be read makes it true
    // (with a problem): fail closed. The plugin treats false as an error too
    // (it was asked to filter).
    bool configured = false;
    std::shared_ptr<const StagedExtras> extras;  // when settings->extras
    // The digest whose ruleset passed check_isolated (empty: not yet). Only
    // then may libnftables parse the text in this process.
    std::string isolated_ok;
    // A lan-interfaces item matches a WAN-side interface: the PPPoE carrier
    // (carrier_in_lan, here) or the link's own interface (link_in_lan, the
    // plugin at ESTABLISH): a problem like any other, and apply_fail_closed
    // replaces whatever is loaded (full or failsafe, which both take that
    // item as LAN) by the failsafe without it (lan: without_carrier).
    bool wan_in_lan = false;
    // The PPPoE carrier that made wan_in_lan (empty: none, or the link's own
    // interface did): the failsafe apply_fail_closed loads names it in its
    // mark set (failsafe_ruleset's carrier), and carrier_problem is the
    // problem (also in problems) in "file:line:" form.
    std::string carrier;
    std::optional<config::Diagnostic> carrier_problem;
    // The configuration as read (null: not read). apply_fail_closed checks
    // its lan-interfaces against the carriers a loaded failsafe names
    // (named_carriers_in_lan) before it replaces that failsafe.
    std::shared_ptr<const config::Document> doc;
};
// carrier: pppd's devnam (the plugin), empty when unknown (the CLI).
Prepared prepare(const std::string& main_file, bool must_exist, std::string_view carrier = {});

// The full ruleset of p (including the staged extras).
std::string ruleset_of(const Prepared& p, const Dynamic& d);

// The dry run of p's full ruleset in a child process (nft::check_in_child):
// text libnftables has not seen is parsed first where an abort() costs
// nothing. On success records p.isolated_ok (so later loads, e.g. at ip-up,
// need no child); else returns the problem: nft's errors with the extras
// file's real path and line, or "nft crashed on FILE ...".
inline constexpr int kIsolatedTimeoutMs = 10000;
std::optional<std::string> check_isolated(Prepared& p);

// What table inet pppkit_fw holds now.
enum class Loaded {
    Missing,   // no table: nothing protects the WAN
    Failsafe,  // failsafe_ruleset(): input only from loopback (and the LAN), no forwarding
    Current,   // a full ruleset whose digest equals the config's
    Stale,     // a full ruleset from another config (or another pppkit version)
};
Loaded inspect(nft::Context& nft, const std::string& digest);
// The same from the table's JSON listing (nft_json.hpp), which exists. Pure.
// Only the set kMarkSet says Current or Failsafe; anything else is Stale.
Loaded loaded_from(std::string_view listing, const std::string& digest);
std::string_view to_string(Loaded l);
// The PPPoE carriers a failsafe's listing names (kMarkSet's elements that
// are valid interface names): the devices whose lan-interfaces match made a
// plugin load it. Empty for any other listing, or a failsafe loaded for
// another reason. Pure.
std::vector<std::string> failsafe_carriers(std::string_view listing);
// The carriers of failsafe_carriers(listing) that doc's lan-interfaces still
// match, one problem each (carrier_in_lan's line, saying that the failsafe
// stays): while there is one, no full ruleset may replace that failsafe (it
// would take the ISP's side for LAN), whoever loads it (another pppd's
// plugin, `pppkit firewall apply`, pppkitd). Empty when listing is no
// failsafe or names none that is matched. Pure.
std::vector<config::Diagnostic> named_carriers_in_lan(const config::Document& doc, std::string_view listing);

// Every link's dynamic state as loaded now (empty when the table or sets
// are missing): active_wan, the wan_public4 record, and the names of the
// links forwards name (set linkN_wan, comment "link NAME").
Dynamic read_dynamic(nft::Context& nft);

// A link's removal from a full ruleset of another configuration (a reload
// loaded one that this pppd's file does not give): link_changes cannot
// serve (its slots are positions in this pppd's configuration), so the
// elements are found by value in `sets` (`list sets table` and the
// wan_public4 map): mine.public4 from public4, wan_public4 and every
// linkN_public4; with `whole` (the link is over) mine.ifname from
// active_wan, every linkN_wan, and set wan unless it is one of that
// ruleset's configured names there (comment kConfiguredWan) as well. Guarded by the loaded ruleset's
// mark (kMarkSet's one element, deleted and re-added first): a reload
// between the listing and the batch makes the kernel refuse all of it.
// Empty when none of it is there, or the listing has no single mark. Pure.
std::vector<nfnl::Change> stale_removals(const std::vector<nft::SetListing>& sets, const WanLink& mine, bool whole);
// Lists the table's sets and commits stale_removals as one element batch
// on nl (nft commands when nl has no socket). removed: how many elements.
struct StaleRemoval {
    bool ok = false;
    size_t removed = 0;
    std::string error;
};
StaleRemoval remove_from_stale(nft::Context& nft, nfnl::Socket& nl, const WanLink& mine, bool whole);
// The same from the table's JSON listing, and the sets and maps of a second
// listing (read_dynamic: "list sets table" and "list map"). Pure.
Dynamic dynamic_from(std::string_view listing, std::string_view more = {});
// Each pppd's record of its link. The dynamic part lives in the kernel's
// sets only; a flush with no pppkitd running (`systemctl restart nftables`)
// would lose it, and `pppkit firewall apply` would load the rules without
// any link's interface and public address (port forwards and reflection
// dead until the next ip-up). So the plugin also writes it down, in
// kRecordDir/PID (PID: the pppd's), one line
//   "IFNAME PUBLIC4 NAME IFINDEX START NETNS" ("-": no address or name)
// before each update of its elements (the link as it is now, whether the
// kernel takes the update or not: a full load that raced the update reads
// it there, apply_current); it removes the file with them. The
// last three say whose it is: a record counts only while that very pppd
// runs (START: its start time, /proc/PID/stat field 22; a reused pid has
// another), in the reader's network namespace (NETNS: the inode of
// /proc/self/ns/net), on that very interface (IFINDEX: a name another
// link's pppd got since has another index).
inline constexpr const char* kRecordDir = "/run/pppkit/firewall";
struct Record {
    WanLink link;
    unsigned ifindex = 0;
    std::uint64_t start = 0;  // the writer's start time (clock ticks after boot)
    std::uint64_t netns = 0;  // the writer's network namespace (inode)
    bool operator==(const Record&) const = default;
};
// The record's text. Pure.
std::string record_of(const Record& r);
// A record's text back: nullopt unless it is exactly what record_of writes
// for a valid interface name, IPv4 address and link name. Pure.
std::optional<Record> parse_record(std::string_view text);
// This process's start time and network namespace (nullopt: /proc unreadable).
struct Self {
    std::uint64_t start = 0;
    std::uint64_t netns = 0;
};
std::optional<Self> self_identity();
// Writes this process's record of l (its interface's index now), or removes
// it (nullopt, or the interface is gone), in dir (created 0755 when
// missing). false: it could not (errno set); never throws.
bool write_record(const std::optional<WanLink>& l, const std::string& dir = kRecordDir);
// The links of the records in dir (a trusted directory: trust.hpp) whose
// pppd still runs (same pid and start time), in this network namespace, on
// the same interface; any other is skipped (a dead pppd's removed).
Dynamic recorded_links(const std::string& dir = kRecordDir);
// An interface of this network namespace now, with its IPv4 addresses.
struct Iface {
    std::string name;
    std::vector<std::string> local4;
    bool operator==(const Iface&) const = default;
};
// What of d is live now: the links whose interface exists, each public4
// only while its interface holds that address. A full load reads the
// dynamic part and writes it back whole; one that raced a link's ip-down
// and exit put the dead link's address back (review 28 F1): LAN connections
// to whoever has that address next were reflected to a LAN server, and every
// later full load kept it. Pure.
Dynamic live_links(const Dynamic& d, const std::vector<Iface>& now);
// The interfaces now (getifaddrs); nullopt when they cannot be read.
std::optional<std::vector<Iface>> interfaces_now();
// live_links() with interfaces_now(); d as it is when they cannot be read.
Dynamic live_only(const Dynamic& d);
// The links of kernel, each replaced by the record of the same interface
// or link name (a pppd writes its record before its element batch: the
// newer of the two), and the records' other links added; sorted by
// interface. Pure.
Dynamic with_records(const Dynamic& kernel, const Dynamic& records);
// What a full load carries as the dynamic part: what the table holds (none
// when flushed, or the failsafe) with the records (with_records); only what
// is live (live_only).
Dynamic dynamic_to_load(nft::Context& nft, const std::string& dir = kRecordDir);

// The links in_kernel holds that `mine` replaces: its own interface, its
// own name, and every link whose interface no longer exists (its pppd died
// without ip-down: kill -9). Asks the kernel (if_nametoindex).
std::vector<WanLink> superseded(const Dynamic& in_kernel, const WanLink& mine);
// One link's update (link_changes) as one element batch on nl; through nft
// only when nl has no socket. Fails (the kernel's refusal in error) when the
// table or a set is missing, a record holds another address, or the table
// holds another configuration's ruleset (digest: s.digest()): then nothing
// changed.
nft::Result update_link(nft::Context& nft, nfnl::Socket& nl, const Settings& s, std::string_view digest,
                        const std::vector<WanLink>& gone, const std::optional<WanLink>& now);
// A dynamic part that fills every set (each slot too): what the dry runs
// check, so that any later load with real values parses as well.
Dynamic sample_dynamic(const Settings& s);

enum class Outcome {
    Applied,          // the full ruleset is live
    KeptPrevious,     // config or ruleset refused; the previous full ruleset stays
    KeptFailsafe,     // refused; the failsafe was already there and stays
    FailsafeApplied,  // refused and nothing was loaded (or what was is unsafe: wan_in_lan): the failsafe is now loaded
    FailsafeFailed,   // refused, and even the constant failsafe could not be loaded: NO firewall
};
struct ApplyResult {
    Outcome outcome = Outcome::FailsafeFailed;
    std::vector<std::string> problems;  // config diagnostics, or nft's (mapped) error
    // KeptFailsafe because the loaded failsafe names these PPPoE carriers
    // and lan-interfaces still match them (named_carriers_in_lan): a caller
    // that must load a failsafe itself leaves them out of its LAN.
    std::vector<std::string> carriers;
    // The fresh context an extras file's ruleset ran in (see
    // needs_fresh_context), or null. Closing its socket right after the
    // commit makes the kernel hold the nftables commit lock for an RCU grace
    // period (5-20 ms: another pppd's ip-up waits): a caller that commits
    // again soon, or that others do, keeps it a while (pppkitd: until its
    // own context is unloaded); dropping it frees it at once.
    std::unique_ptr<nft::Context> spent;
};
// Checks an extras file's ruleset in a child first (check_isolated, unless p already
// passed it), then applies it in one transaction. A loaded failsafe that
// names a carrier p.doc's lan-interfaces still match is never replaced by
// the full ruleset: KeptFailsafe, its problems (named_carriers_in_lan)
// first. On any problem it never
// opens anything: see Outcome. The failsafe tried is
// failsafe_ruleset(p.lan, p.lan_networks, p.wan, p.carrier), then the
// constant failsafe_ruleset({}) (it too names p.carrier).
ApplyResult apply_fail_closed(nft::Context& nft, Prepared& p, const Dynamic& d);
// A full load replaces the table whole, and with it any other process's
// commit that came between the read of the dynamic part and the load: a
// pppd's ip-up element batch (that link's address and forwards, until its
// next event). The ruleset's generation id (nfnl::generation; each commit
// moves it on by one) before the read and after the load tells: Raced when
// it moved by more than this load's own commit, Unknown when either was
// not read. Pure.
enum class Race : std::uint8_t { None, Raced, Unknown };
Race raced(std::optional<std::uint32_t> before, std::optional<std::uint32_t> after);
// At most this many full loads per apply_current.
inline constexpr int kRaceRounds = 3;
// apply_fail_closed of the dynamic part `read` gives (dynamic_to_load, or
// pppkitd's own view) right before the load; read and loaded again while
// raced() says Raced (the pppd that committed wrote its record first, so
// the next read has its link), kRaceRounds loads at most. gen gives the
// generation id now (nfnl::Socket::generation); empty: one load,
// unchecked. *loads: how many full loads were committed.
ApplyResult apply_current(nft::Context& nft, Prepared& p, const std::function<Dynamic()>& read,
                          const std::function<std::optional<std::uint32_t>()>& gen, int* loads = nullptr);
// The in-process dry run (the plugin's warm-up); runs check_isolated first
// when p has an extras file and has not passed it.
std::optional<std::string> check_in_kernel(nft::Context& nft, Prepared& p, const Dynamic& d);

// After Outcome::Applied (or a current boot ruleset kept), never before:
// this configuration's forward chain is in the kernel and drops what it does
// not allow, so IPv4 forwarding can go on (forwarding_step). Never turned
// off: pppkit's table outlives pppd, and with it the forward chain. Reads
// and writes /proc/sys of the caller's network namespace.
struct ForwardingResult {
    ForwardingStep step = ForwardingStep::On;
    int error = 0;              // TurnOn: errno of the failed write, else 0
    bool ipv6_missing = false;  // ipv6_forwarding_missing
};
ForwardingResult set_forwarding(const Settings& s);
// What the adapters log of it: none, one or two lines; warn: at warning
// level (nothing is routed that the configuration means to route).
struct ForwardingLine {
    bool warn = false;
    std::string text;
};
std::vector<ForwardingLine> describe(const ForwardingResult& r);

}  // namespace pppkit::firewall
