// drift.hpp - the pure half of pppkitd's drift repair: from the nftables
// notifications of one committed transaction (NFNLGRP_NFTABLES, parsed by
// pppkitd/drift.cpp), decide whether pppkit's tables were changed by someone
// else and must be re-asserted. Never logs, never touches the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firewall/core/firewall.hpp"
#include "firewall/core/lifecycle.hpp"

namespace pppkit::supervisor::drift {

// Which of pppkit's tables an object belongs to.
enum class Table { None, Firewall, Mss };  // None: not pppkit's
// family: nfgenmsg.nfgen_family (NFPROTO_INET = 1 for both of pppkit's).
Table table_of(uint8_t family, std::string_view name);

enum class Object { Table, Chain, Rule, Set, Element, Other };
enum class Change { Added, Deleted };

// One notification of a transaction, reduced to what the decision needs.
struct Touch {
    Table table = Table::None;
    Object object = Object::Other;
    Change change = Change::Added;
};

// One committed transaction: its notifications, then NFT_MSG_NEWGEN's
// NFTA_GEN_PROC_PID / NFTA_GEN_PROC_NAME (the committing process).
struct Commit {
    std::vector<Touch> touches;
    uint32_t pid = 0;
    std::string proc;  // comm, at most 15 bytes
};

// Whose commit it is (by NEWGEN's pid and name):
//  - Self: this pppkitd. Its commits are its repairs, which assert the
//    dynamic part it remembered: they change nothing to remember. Re-reading
//    the tables after them could only lose it (a flush committed meanwhile);
//  - Pppkit: the pppd it watches (their pppkit plugins), and any process
//    named pppd, pppkitd or pppkit (a pppd pppkitd does not supervise,
//    another pppkitd, `pppkit firewall apply|up|down`, `pppkit mss apply`):
//    their commits define pppkit's new state (e.g. ip-up's address);
//  - Foreign: anyone else.
// Names are comm, which root could fake; only root can commit to nftables.
struct Own {
    uint32_t self = 0;
    std::vector<uint32_t> pppd;
};
enum class Origin { Foreign, Pppkit, Self };
Origin origin_of(const Commit& c, const Own& own);

enum class Decision {
    Ignore,    // pppkit's tables untouched, or touched by this pppkitd's own repair (then
               // firewall/mss say which: a read after it would not show pppkit's commit)
    Remember,  // pppkit's commit: what is loaded now is what should be there
    Repair,    // someone else changed pppkit's tables: re-assert them
};
struct Verdict {
    Decision decision = Decision::Ignore;
    bool firewall = false;  // inet pppkit_fw touched (Remember) or changed by someone else (Repair)
    bool mss = false;       // inet pppkit_mss likewise
    std::string what;       // e.g. "table inet pppkit_fw deleted, 3 rules deleted" (empty for Ignore)
    // The tables whose state to read and remember: a commit by pppkit was
    // the last to touch them (see merge).
    bool remember_firewall = false;
    bool remember_mss = false;
    // Someone else's commit deleted the table: pppkitd's image of it may be
    // put back (pppkitd/image.hpp; refused, and harmless, when the table is
    // there again by then). Unknown (overrun): true.
    bool firewall_gone = false;
    bool mss_gone = false;
};
Verdict decide(const Commit& c, const Own& own);

// Several verdicts of one burst (read until the socket was empty) give one
// repair, in commit order (b, one commit's verdict, after a): Repair wins,
// the tables and the descriptions add up; a table is remembered when
// pppkit's commit was the last to touch it (after someone else's change,
// or this pppkitd's repair, what is there is not pppkit's).
Verdict merge(const Verdict& a, const Verdict& b);

// The verdict when notifications were lost (ENOBUFS: the socket overflowed):
// nothing is known, so both tables are re-asserted.
Verdict overrun();

// A read of the tables after pppkit's commit is only what that commit left
// when no other commit came in between: the generation nftables reports
// after the read (NFT_MSG_GETGEN) must be the one of the last NEWGEN heard.
// When it is not, the read is dropped and the tables are read again after
// the next burst: retry() starts that burst (merged with what it brings;
// a later change by someone else or by this pppkitd's repair cancels it).
bool read_is_current(std::optional<uint32_t> last_heard, std::optional<uint32_t> gen_after_read);
Verdict retry(bool firewall, bool mss);

// The firewall's dynamic part to re-assert: the remembered one (read from
// the kernel after pppkit's last own commit: every link) with every link
// pppkitd knows to be up added or updated: its interface, its IPv4 address
// as that link's public address, its name.
struct LinkView {
    std::string ifname;
    std::string local4;  // empty: no IPv4 address
    std::string name;    // [link NAME]; empty: unknown
};
firewall::Dynamic dynamic_to_assert(const firewall::Dynamic& remembered, const std::vector<LinkView>& up);

// Before pppkitd's first dial (and after a reload, before a new link's): is
// table inet pppkit_fw to be loaded now? pppkit-firewall.service loads it at
// boot, but it may have failed or not run (a unit enabled and not started,
// `systemctl start pppkitd` right after install), and a peer without the
// firewall plugin would then dial with no firewall. Load when a [firewall]
// is configured and the table is missing, or, with the config valid, holds
// the failsafe or anything but the config's own ruleset (Stale: another
// config's or version's, or a table someone emptied: not known to be
// closed), keeping its dynamic part. With the config invalid, what is there
// stays (as `pppkit firewall apply` keeps a previous ruleset).
// A PPPoE carrier (pppd's devnam, the ISP's side) that the configuration's
// lan-interfaces match (firewall::carrier_in_lan): its full ruleset would
// take the ISP's segment for LAN, the router's services open to it.
enum class CarrierInLan {
    None,
    // the failsafe loaded names it (firewall::failsafe_carriers: a pppd's
    // plugin refused the configuration for it)
    Named,
    // a carrier of a link pppkitd supervises (its pppd's events, its saved
    // PPPoE session) that the table loaded does not name
    Known,
};
// Named, with that failsafe loaded: it stays (KeepFailsafe: pppkitd commits
// to it, so that a repair puts it back, and says why), valid config or not.
// Known: as the plugin does, whatever is loaded but the configuration's own
// ruleset (and with no [firewall], nothing) is replaced by the failsafe
// without the items that match it (LoadFailsafe), valid config or not; the
// configuration's own ruleset (Current, from the boot unit) stays until the
// link's next dial, whose plugin refuses it. Once lan-interfaces no longer
// match a carrier, the rule above holds.
enum class AtStart { Leave, Load, KeepFailsafe, LoadFailsafe };
AtStart at_start(bool configured, bool config_valid, firewall::Loaded loaded,
                 CarrierInLan carrier = CarrierInLan::None);

}  // namespace pppkit::supervisor::drift
