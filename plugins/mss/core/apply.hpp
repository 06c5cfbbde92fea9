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
    Recreated,  // the base was refused (a table of another shape: an older
                // version's, a hand edit; see error), so the table was deleted
                // and created again in one transaction: every other link's
                // elements went with it (see README, "A table of another shape")
    Failed,     // the slow path was refused too (see error)
};

// The handles on the kernel, opened once before the link is up.
struct Kernel {
    nft::Context nft;  // tables, chains, rules, listings and the slow path
    nfnl::Socket nl;   // the fast path: element batches
};

struct Result {
    Outcome outcome = Outcome::Failed;
    std::string error;  // the kernel's or nft's words (first line only), for Repaired, Recreated and Failed
    [[nodiscard]] bool ok() const { return outcome != Outcome::Failed; }
};

// Creates the shared table, or rewrites its chains; every element stays
// (Done). When nft refuses that (the table exists with another shape), deletes
// and creates it in one transaction (Recreated: no link's element is left),
// or Failed when that is refused too.
Result install_base(Kernel& k);

// ifname had `before` (what this process installed; empty if nothing) and
// needs `now`: one transaction of deletes and adds, or the slow path.
Result install_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& before,
                    const std::vector<Entry>& now);

// The slow path alone: base, ifname out of every slot, then `now` in.
// Recreated when install_base was; Failed when anything was refused.
Result replace_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& now);

// Deletes `installed`; if nft refuses (already gone), deletes ifname from
// whichever slots still hold it (Repaired). Failed when the ruleset cannot be
// read (e.g. no CAP_NET_ADMIN) or that delete is refused.
Result remove_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& installed);

// What purge() did: Done (removed > 0 elements), Unchanged (ifname is in no
// slot, or there is no table) or Failed (the ruleset could not be read, or
// nft refused the delete; see error).
struct Purged {
    Outcome outcome = Outcome::Failed;
    int removed = 0;
    std::string error;
};
// Deletes ifname from every slot that holds it.
Purged purge(Kernel& k, std::string_view ifname);

// Deletes the elements of interfaces that do not exist now: what a pppd
// that was killed left behind. Returns their names. Run before dialling,
// when this pppd's own interface does not exist yet either.
std::vector<std::string> purge_absent(Kernel& k);

// Interface names per slot, as the kernel holds them now.
struct Listing {
    bool ok = false;     // false: the ruleset could not be read (see error)
    bool table = false;  // inet pppkit_mss exists (ok only)
    // one entry per slot the table has (none when there is no table)
    std::vector<std::pair<Slot, std::vector<std::string>>> slots;
    std::string error;  // "cannot read the ruleset: " + the kernel's reason
                        // at the end of nft's first line, e.g. "Operation not permitted"
};
// A missing table is ok (table false, no slots); any other refusal is not.
Listing list(Kernel& k);

// The first line of nft's multi-line error (the rest repeats the script and
// points at it with carets).
std::string first_line(std::string_view error);

}  // namespace pppkit::mss
