#include "mss/core/apply.hpp"

#include <net/if.h>

#include <algorithm>
#include <cstring>

#include "common/nft_json.hpp"

namespace pppkit::mss {
namespace {

// The fast path: one netlink batch. Returns "" or the kernel's refusal.
std::string fast(Kernel& k, std::string_view ifname, const std::vector<Entry>& before, const std::vector<Entry>& now)
{
    if (!k.nl.valid()) {  // no netlink socket: the same transaction as text
        auto r = k.nft.run(delete_entries(ifname, before) + add_entries(ifname, now));
        return r.ok ? "" : first_line(r.error);
    }
    int err = k.nl.commit(kTable, changes(ifname, before, now));
    return err == 0 ? "" : std::string("the kernel refused the element batch: ") + std::strerror(err);
}

}  // namespace

std::string first_line(std::string_view error)
{
    auto nl = error.find('\n');
    return std::string(error.substr(0, nl));
}

Result install_base(Kernel& k)
{
    auto r = k.nft.run(base_ruleset());
    if (r.ok)
        return {Outcome::Done, {}};
    // A table of another shape (an older version's, a hand edit) refuses the
    // "add" of a map or set it has under another type, at every ip-up: the
    // only repair is a fresh table. One transaction, so there is never a
    // moment without the table; every link's elements are lost with it.
    const std::string refused = first_line(r.error);
    auto again = k.nft.run(removal() + base_ruleset());
    if (!again.ok)
        return {Outcome::Failed, refused + "; then deleting and creating it: " + first_line(again.error)};
    return {Outcome::Recreated, refused};
}

Listing list(Kernel& k)
{
    Listing out;
    auto r = k.nft.list_json("list table inet " + std::string(kTable));
    if (!r.ok) {
        // the one refusal that is an answer: there is no table (ENOENT)
        if (r.error.find("No such file or directory") != std::string::npos)
            out.ok = true;
        else {
            // "netlink: Error: cache initialization failed: Operation not
            // permitted": the kernel's reason is what follows the last ": "
            const std::string line = first_line(r.error);
            const auto colon = line.rfind(": ");
            out.error = "cannot read the ruleset: " + (colon == std::string::npos ? line : line.substr(colon + 2));
        }
        return out;
    }
    auto sets = nft::sets_of(r.output);
    if (!sets) {
        out.error = "cannot read the ruleset: nft's listing of table inet pppkit_mss is not understood";
        return out;
    }
    out.ok = true;
    out.table = true;
    for (Slot s : kSlots)
        for (const auto& set : *sets)
            if (set.name == slot_name(s)) {
                std::vector<std::string> names;
                for (const auto& e : set.elems)
                    names.push_back(e.first);
                out.slots.emplace_back(s, std::move(names));
            }
    return out;
}

Purged purge(Kernel& k, std::string_view ifname)
{
    auto l = list(k);
    if (!l.ok)
        return {Outcome::Failed, 0, l.error};
    std::vector<Entry> there;
    for (const auto& [slot, names] : l.slots)
        if (std::find(names.begin(), names.end(), ifname) != names.end())
            there.push_back({slot, 0});
    if (there.empty())
        return {Outcome::Unchanged, 0, {}};
    auto r = k.nft.run(delete_entries(ifname, there));
    if (!r.ok)
        return {Outcome::Failed, 0,
                "nft refused to delete the elements of " + std::string(ifname) + ": " + first_line(r.error)};
    return {Outcome::Done, static_cast<int>(there.size()), {}};
}

std::vector<std::string> purge_absent(Kernel& k)
{
    std::vector<std::string> gone;
    std::string script;
    for (const auto& [slot, names] : list(k).slots)
        for (const auto& n : names)
            if (valid_ifname(n) && if_nametoindex(n.c_str()) == 0) {
                script += delete_slot(n, slot);
                if (std::find(gone.begin(), gone.end(), n) == gone.end())
                    gone.push_back(n);
            }
    if (script.empty() || !k.nft.run(script).ok)
        return {};
    return gone;
}

Result replace_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& now)
{
    auto base = install_base(k);
    if (!base.ok())
        return base;
    // after a Recreated base there is nothing of ifname's left to delete
    if (base.outcome != Outcome::Recreated) {
        auto p = purge(k, ifname);
        if (p.outcome == Outcome::Failed)
            return {Outcome::Failed, p.error};
    }
    if (!now.empty()) {
        auto r = k.nft.run(add_entries(ifname, now));
        if (!r.ok)
            return {Outcome::Failed, first_line(r.error)};
    }
    return base;  // Done, or Recreated with the base's refusal
}

Result install_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& before, const std::vector<Entry>& now)
{
    if (before == now)
        return {Outcome::Unchanged, {}};
    auto refused = fast(k, ifname, before, now);
    if (refused.empty())
        return {Outcome::Done, {}};
    auto slow = replace_link(k, ifname, now);
    if (!slow.ok())
        return {Outcome::Failed, refused + "; then: " + slow.error};
    if (slow.outcome == Outcome::Recreated)
        return {Outcome::Recreated, refused + "; then: " + slow.error};
    return {Outcome::Repaired, refused};
}

Result remove_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& installed)
{
    if (installed.empty())
        return {Outcome::Unchanged, {}};
    auto refused = fast(k, ifname, installed, {});
    if (refused.empty())
        return {Outcome::Done, {}};
    auto p = purge(k, ifname);
    if (p.outcome == Outcome::Failed)
        return {Outcome::Failed, refused + "; then: " + p.error};
    return {Outcome::Repaired, refused};
}

}  // namespace pppkit::mss
