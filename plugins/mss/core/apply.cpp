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
        return r.ok ? "" : r.error;
    }
    int err = k.nl.commit(kTable, changes(ifname, before, now));
    return err == 0 ? "" : std::string("the kernel refused the element batch: ") + std::strerror(err);
}

}  // namespace

Result install_base(Kernel& k)
{
    auto r = k.nft.run(base_ruleset());
    if (r.ok)
        return {Outcome::Done, {}};
    return {Outcome::Failed, r.error};
}

std::vector<std::pair<Slot, std::vector<std::string>>> list(Kernel& k)
{
    std::vector<std::pair<Slot, std::vector<std::string>>> out;
    auto r = k.nft.list_json("list table inet " + std::string(kTable));
    auto sets = r.ok ? nft::sets_of(r.output) : std::nullopt;
    if (!sets)
        return out;
    for (Slot s : kSlots)
        for (const auto& set : *sets)
            if (set.name == slot_name(s)) {
                std::vector<std::string> names;
                for (const auto& e : set.elems)
                    names.push_back(e.first);
                out.emplace_back(s, std::move(names));
            }
    return out;
}

int purge(Kernel& k, std::string_view ifname)
{
    std::vector<Entry> there;
    for (const auto& [slot, names] : list(k))
        if (std::find(names.begin(), names.end(), ifname) != names.end())
            there.push_back({slot, 0});
    if (there.empty())
        return 0;
    if (!k.nft.run(delete_entries(ifname, there)).ok)
        return -1;
    return static_cast<int>(there.size());
}

std::vector<std::string> purge_absent(Kernel& k)
{
    std::vector<std::string> gone;
    std::string script;
    for (const auto& [slot, names] : list(k))
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
    if (purge(k, ifname) < 0)
        return {Outcome::Failed, "nft refused to delete the elements of " + std::string(ifname)};
    if (now.empty())
        return {Outcome::Done, {}};
    auto r = k.nft.run(add_entries(ifname, now));
    if (!r.ok)
        return {Outcome::Failed, r.error};
    return {Outcome::Done, {}};
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
    return {Outcome::Repaired, refused};
}

Result remove_link(Kernel& k, std::string_view ifname, const std::vector<Entry>& installed)
{
    if (installed.empty())
        return {Outcome::Unchanged, {}};
    auto refused = fast(k, ifname, installed, {});
    if (refused.empty())
        return {Outcome::Done, {}};
    if (purge(k, ifname) < 0)
        return {Outcome::Failed, refused};
    return {Outcome::Repaired, refused};
}

}  // namespace pppkit::mss
