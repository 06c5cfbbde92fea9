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

// The processes whose commits are pppkit's own: pppkitd itself, the pppd it
// watches (their pppkit plugins), and any process named pppd, pppkitd or
// pppkit (a pppd pppkitd does not supervise, `pppkit firewall apply|up|down`,
// `pppkit mss apply`). Names are comm, which root could fake; only root can
// commit to nftables at all.
struct Own {
    uint32_t self = 0;
    std::vector<uint32_t> pppd;
};
bool is_own(const Commit& c, const Own& own);

enum class Decision {
    Ignore,    // pppkit's tables untouched
    Remember,  // pppkit's own commit: what is loaded now is what should be there
    Repair,    // someone else changed pppkit's tables: re-assert them
};
struct Verdict {
    Decision decision = Decision::Ignore;
    bool firewall = false;  // inet pppkit_fw touched
    bool mss = false;       // inet pppkit_mss touched
    std::string what;       // e.g. "table inet pppkit_fw deleted, 3 rules deleted" (empty for Ignore)
};
Verdict decide(const Commit& c, const Own& own);

// Several verdicts of one burst (read until the socket was empty) give one
// repair: Repair wins, the tables and the descriptions add up.
Verdict merge(const Verdict& a, const Verdict& b);

// The verdict when notifications were lost (ENOBUFS: the socket overflowed):
// nothing is known, so both tables are re-asserted.
Verdict overrun();

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

}  // namespace pppkit::supervisor::drift
