// apply.hpp - puts one link's MSS clamp into the kernel and takes it out.
// Shared by pppkit-mss.so (configure() and the ip-up/ip-down notifiers,
// inside pppd's loop) and "pppkit mss apply|remove". Talks to the kernel
// through the caller's Kernel and never logs: it returns an outcome and the
// kernel's or nft's own words, and the adapters log them.
//
// The fast path is one netlink batch of element adds/deletes on the shared
// table (mss.hpp, common/nfnl.hpp). Only when the kernel refuses it (the
// table deleted by hand, an element left by a pppd that was killed) does it
// take the slow path through libnftables: reinstall the base, delete the
// interface from every slot, add again.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/nfnl.hpp"
#include "common/nft.hpp"
#include "mss/core/mss.hpp"

namespace pppkit::mss {

enum class Outcome {
    Done,       // one transaction did it
    Unchanged,  // nothing to do: the link already has exactly these elements
    Repaired,   // the fast path was refused (see error); the slow path did it
    Failed,     // the slow path was refused too (see error)
};

// The handles on the kernel, opened once before the link is up.
struct Kernel {
    nft::Context nft;  // tables, chains, rules, listings and the slow path
    nfnl::Socket nl;   // the fast path: element batches
};

struct Result {
    Outcome outcome = Outcome::Failed;
    std::string error;  // the kernel's or nft's words, for Repaired and Failed
    [[nodiscard]] bool ok() const { return outcome != Outcome::Failed; }
};

// Creates the shared table, or rewrites its chains; every element stays.
Result install_base(Kernel& k);

// ifname had `before` (what this process installed; empty if nothing) and
// needs `now`: one transaction of deletes and adds, or the slow path.
Result install_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& before,
                    const std::vector<Entry>& now);

// The slow path alone: base, ifname out of every slot, then `now` in.
Result replace_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& now);

// Deletes `installed`; if nft refuses (already gone), deletes ifname from
// whichever slots still hold it.
Result remove_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& installed);

// Deletes ifname from every slot that holds it; returns how many elements
// went (0 when there were none or there is no table, -1 when nft refused).
int purge(Kernel& k, std::string_view ifname);

// Deletes the elements of interfaces that do not exist now: what a pppd
// that was killed left behind. Returns their names. Run before dialling,
// when this pppd's own interface does not exist yet either.
std::vector<std::string> purge_absent(Kernel& k);

// Interface names per slot, as the kernel holds them now (no entry for a
// slot that cannot be listed, e.g. when there is no table).
std::vector<std::pair<Slot, std::vector<std::string>>> list(Kernel& k);

}  // namespace pppkit::mss
