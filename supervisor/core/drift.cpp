#include "core/drift.hpp"

#include <algorithm>
#include <array>

namespace pppkit::supervisor::drift {

namespace {
constexpr uint8_t kInet = 1;  // NFPROTO_INET

const char* table_name(Table t) { return t == Table::Firewall ? "inet pppkit_fw" : "inet pppkit_mss"; }

const char* object_name(Object o, bool plural)
{
    switch (o) {
    case Object::Table: return plural ? "tables" : "table";
    case Object::Chain: return plural ? "chains" : "chain";
    case Object::Rule: return plural ? "rules" : "rule";
    case Object::Set: return plural ? "sets" : "set";
    case Object::Element: return plural ? "set elements" : "set element";
    case Object::Other: break;
    }
    return plural ? "objects" : "object";
}
}  // namespace

Table table_of(uint8_t family, std::string_view name)
{
    if (family != kInet)
        return Table::None;
    if (name == "pppkit_fw")
        return Table::Firewall;
    if (name == "pppkit_mss")
        return Table::Mss;
    return Table::None;
}

Origin origin_of(const Commit& c, const Own& own)
{
    if (c.pid != 0 && c.pid == own.self)
        return Origin::Self;
    if (c.pid != 0 && std::find(own.pppd.begin(), own.pppd.end(), c.pid) != own.pppd.end())
        return Origin::Pppkit;
    return c.proc == "pppd" || c.proc == "pppkitd" || c.proc == "pppkit" ? Origin::Pppkit : Origin::Foreign;
}

Verdict decide(const Commit& c, const Own& own)
{
    Verdict v;
    const Origin origin = origin_of(c, own);
    // counts[table][object][change]
    std::array<std::array<std::array<unsigned, 2>, 6>, 2> counts{};
    for (const auto& t : c.touches) {
        if (t.table == Table::None)
            continue;
        (t.table == Table::Firewall ? v.firewall : v.mss) = true;
        ++counts[t.table == Table::Firewall ? 0 : 1][static_cast<size_t>(t.object)]
                [t.change == Change::Deleted ? 1 : 0];
    }
    if ((!v.firewall && !v.mss) || origin == Origin::Self)
        return v;
    v.decision = origin == Origin::Pppkit ? Decision::Remember : Decision::Repair;
    v.remember_firewall = v.decision == Decision::Remember && v.firewall;
    v.remember_mss = v.decision == Decision::Remember && v.mss;
    for (size_t ti = 0; ti < 2; ++ti) {
        const Table tab = ti == 0 ? Table::Firewall : Table::Mss;
        auto& per = counts[ti];
        const unsigned tables_gone = per[static_cast<size_t>(Object::Table)][1];
        if (v.decision == Decision::Repair && tables_gone != 0)
            (tab == Table::Firewall ? v.firewall_gone : v.mss_gone) = true;
        for (size_t oi = 0; oi < per.size(); ++oi)
            for (size_t ch = 0; ch < 2; ++ch) {
                const unsigned n = per[oi][ch];
                if (n == 0)
                    continue;
                const auto o = static_cast<Object>(oi);
                // the objects of a deleted table go with it; name the table only
                if (tables_gone != 0 && o != Object::Table && ch == 1)
                    continue;
                if (!v.what.empty())
                    v.what += ", ";
                v.what += o == Object::Table
                              ? std::string("table ") + table_name(tab)
                              : std::to_string(n) + " " + object_name(o, n != 1) + " of " + table_name(tab);
                v.what += ch == 1 ? " deleted" : " added";
            }
    }
    return v;
}

Verdict merge(const Verdict& a, const Verdict& b)
{
    Verdict v;
    if (b.decision == Decision::Ignore)
        v = a;
    else if (a.decision == Decision::Ignore)
        v = b;
    else {
        v.decision = std::max(a.decision, b.decision);
        // what a Remember described is pppkit's own doing: only foreign changes are reported
        auto foreign = [](const Verdict& x) { return x.decision == Decision::Repair; };
        v.firewall = (foreign(a) && a.firewall) || (foreign(b) && b.firewall);
        v.mss = (foreign(a) && a.mss) || (foreign(b) && b.mss);
        v.firewall_gone = (foreign(a) && a.firewall_gone) || (foreign(b) && b.firewall_gone);
        v.mss_gone = (foreign(a) && a.mss_gone) || (foreign(b) && b.mss_gone);
        if (v.decision == Decision::Remember) {
            v.firewall = a.firewall || b.firewall;
            v.mss = a.mss || b.mss;
        }
        for (const Verdict* x : {&a, &b})
            if (v.decision == Decision::Remember || foreign(*x)) {
                if (!v.what.empty() && !x->what.empty())
                    v.what += "; ";
                v.what += x->what;
            }
    }
    // in commit order: the last commit to touch a table decides whether it is remembered
    v.remember_firewall = b.remember_firewall || (a.remember_firewall && !b.firewall);
    v.remember_mss = b.remember_mss || (a.remember_mss && !b.mss);
    return v;
}

Verdict overrun()
{
    return Verdict{Decision::Repair, true, true, "notifications lost (socket overrun)", false, false, true, true};
}

bool read_is_current(std::optional<uint32_t> last_heard, std::optional<uint32_t> gen_after_read)
{
    return last_heard && gen_after_read && *last_heard == *gen_after_read;
}

Verdict retry(bool firewall, bool mss)
{
    if (!firewall && !mss)
        return {};
    return Verdict{Decision::Remember, firewall, mss, "", firewall, mss};
}

firewall::Dynamic dynamic_to_assert(const firewall::Dynamic& remembered, const std::vector<LinkView>& up)
{
    firewall::Dynamic d = remembered;
    for (const auto& l : up) {
        if (l.ifname.empty())
            continue;
        auto it = std::find_if(d.links.begin(), d.links.end(),
                               [&](const firewall::WanLink& w) { return w.ifname == l.ifname; });
        if (it == d.links.end())
            it = d.links.insert(d.links.end(), firewall::WanLink{l.ifname, std::nullopt, l.name});
        if (!l.local4.empty())
            it->public4 = l.local4;
        if (!l.name.empty() || it->name.empty())  // pppkitd knows which link it started there
            it->name = l.name;
    }
    return d;
}

AtStart at_start(bool configured, bool config_valid, firewall::Loaded loaded, CarrierInLan carrier)
{
    if (!configured)
        return AtStart::Leave;
    if (carrier == CarrierInLan::Named && loaded == firewall::Loaded::Failsafe)
        return AtStart::KeepFailsafe;
    if (carrier == CarrierInLan::Known && loaded != firewall::Loaded::Current)
        return AtStart::LoadFailsafe;
    switch (loaded) {
    case firewall::Loaded::Missing:
        return AtStart::Load;  // an invalid config loads the failsafe
    // another config's or version's table, or one someone emptied or gutted
    // (any table without pppkit's mark set is Stale): not known to be closed
    case firewall::Loaded::Stale:
    case firewall::Loaded::Failsafe: return config_valid ? AtStart::Load : AtStart::Leave;
    case firewall::Loaded::Current: break;
    }
    return AtStart::Leave;
}

}  // namespace pppkit::supervisor::drift
