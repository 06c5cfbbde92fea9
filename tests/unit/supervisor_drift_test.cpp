// Unit tests of the drift-repair decision (supervisor/core/drift.cpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/drift.hpp"

using namespace pppkit::supervisor::drift;

TEST_SUITE("supervisor")
{
    TEST_CASE("drift: only pppkit's two inet tables are pppkit's")
    {
        struct Row {
            int line;
            uint8_t family;
            const char* name;
            Table want;
        };
        const std::vector<Row> rows = {
            {__LINE__, 1, "pppkit_fw", Table::Firewall},
            {__LINE__, 1, "pppkit_mss", Table::Mss},
            {__LINE__, 2, "pppkit_fw", Table::None},  // ip, not inet
            {__LINE__, 1, "pppkit_fw2", Table::None},
            {__LINE__, 1, "filter", Table::None},
            {__LINE__, 1, "", Table::None},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(table_of(r.family, r.name) == r.want);
        }
    }

    TEST_CASE("drift: a foreign change to pppkit's tables is repaired, pppkit's own is remembered")
    {
        const Touch fw_gone{Table::Firewall, Object::Table, Change::Deleted};
        const Touch fw_rule_gone{Table::Firewall, Object::Rule, Change::Deleted};
        const Touch fw_rule_added{Table::Firewall, Object::Rule, Change::Added};
        const Touch mss_gone{Table::Mss, Object::Table, Change::Deleted};
        const Touch mss_elem{Table::Mss, Object::Element, Change::Added};
        const Touch other{Table::None, Object::Table, Change::Deleted};
        const Own own{100, {200, 201}};
        struct Row {
            int line;
            std::vector<Touch> touches;
            uint32_t pid;
            const char* proc;
            Decision want;
            bool fw, mss;
            const char* what;
        };
        const std::vector<Row> rows = {
            // nft flush ruleset: every table, with its rules, goes
            {__LINE__,
             {other, fw_rule_gone, fw_rule_gone, fw_gone, mss_gone},
             7,
             "nft",
             Decision::Repair,
             true,
             true,
             "table inet pppkit_fw deleted, table inet pppkit_mss deleted"},
            {__LINE__, {fw_gone}, 7, "nft", Decision::Repair, true, false, "table inet pppkit_fw deleted"},
            {__LINE__,
             {fw_rule_gone, fw_rule_gone},
             7,
             "iptables-nft",
             Decision::Repair,
             true,
             false,
             "2 rules of inet pppkit_fw deleted"},
            {__LINE__, {fw_rule_added}, 7, "nft", Decision::Repair, true, false, "1 rule of inet pppkit_fw added"},
            {__LINE__, {mss_elem}, 7, "nft", Decision::Repair, false, true, "1 set element of inet pppkit_mss added"},
            // nftables.service reload of another table only
            {__LINE__, {other}, 7, "nft", Decision::Ignore, false, false, ""},
            {__LINE__, {}, 7, "nft", Decision::Ignore, false, false, ""},
            // this pppkitd's own commit (its repair): nothing to repair, nothing to remember
            {__LINE__, {fw_gone}, 100, "whatever", Decision::Ignore, true, false, ""},
            {__LINE__, {fw_gone, mss_gone}, 100, "pppkitd", Decision::Ignore, true, true, ""},
            // pppkit's: its pppd (pid), any pppd/pppkit/pppkitd by name
            {__LINE__, {fw_rule_added}, 201, "x", Decision::Remember, true, false, "1 rule of inet pppkit_fw added"},
            {__LINE__,
             {mss_elem},
             9,
             "pppd",
             Decision::Remember,
             false,
             true,
             "1 set element of inet pppkit_mss added"},
            {__LINE__, {fw_gone}, 9, "pppkit", Decision::Remember, true, false, "table inet pppkit_fw deleted"},
            {__LINE__, {fw_gone}, 9, "pppkitd", Decision::Remember, true, false, "table inet pppkit_fw deleted"},
            // names are compared whole
            {__LINE__, {fw_gone}, 9, "pppd2", Decision::Repair, true, false, "table inet pppkit_fw deleted"},
            {__LINE__, {fw_gone}, 0, "", Decision::Repair, true, false, "table inet pppkit_fw deleted"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto v = decide(Commit{r.touches, r.pid, r.proc}, own);
            CHECK(v.decision == r.want);
            CHECK(v.firewall == r.fw);
            CHECK(v.mss == r.mss);
            CHECK(v.what == r.what);
            // only pppkit's commit (a plugin at ip-up, the CLI) defines what to remember
            CHECK(v.remember_firewall == (r.want == Decision::Remember && r.fw));
            CHECK(v.remember_mss == (r.want == Decision::Remember && r.mss));
        }
    }

    TEST_CASE("drift: whose commit: this pppkitd, pppkit (its pppd, the plugins, the CLI), someone else")
    {
        const Own own{100, {200, 201}};
        struct Row {
            int line;
            uint32_t pid;
            const char* proc;
            Origin want;
        };
        const std::vector<Row> rows = {
            {__LINE__, 100, "pppkitd", Origin::Self},
            {__LINE__, 100, "nft", Origin::Self},        // by pid, whatever its name
            {__LINE__, 101, "pppkitd", Origin::Pppkit},  // another pppkitd
            {__LINE__, 200, "sh", Origin::Pppkit},
            {__LINE__, 9, "pppd", Origin::Pppkit},
            {__LINE__, 9, "pppkit", Origin::Pppkit},
            {__LINE__, 9, "nft", Origin::Foreign},
            {__LINE__, 0, "", Origin::Foreign},
            {__LINE__, 0, "pppd", Origin::Pppkit},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(origin_of(Commit{{}, r.pid, r.proc}, own) == r.want);
        }
    }

    // The storm of flushes (100 `nft flush ruleset` back to back on a slow
    // build): pppkitd's repair commits, a flush follows before pppkitd has
    // heard its own commit. Re-reading the tables after its own commit
    // would remember the flushed (empty) dynamic sets, and the next repair
    // would assert them: public4 lost.
    TEST_CASE("drift: in commit order, only pppkit's commit that touched a table last is remembered")
    {
        const Own own{100, {200}};
        const Touch fw_gone{Table::Firewall, Object::Table, Change::Deleted};
        const Touch fw_added{Table::Firewall, Object::Table, Change::Added};
        const Touch fw_elem{Table::Firewall, Object::Element, Change::Added};
        const Touch mss_gone{Table::Mss, Object::Table, Change::Deleted};
        const Touch mss_added{Table::Mss, Object::Table, Change::Added};
        const Commit flush{{fw_gone, mss_gone}, 7, "nft"};
        const Commit repair{{fw_gone, fw_added, mss_gone, mss_added}, 100, "pppkitd"};
        const Commit repair_fw{{fw_gone, fw_added}, 100, "pppkitd"};
        const Commit ip_up{{fw_elem}, 200, "pppd"};                // the plugin's commit at ip-up
        const Commit cli_mss{{mss_gone, mss_added}, 9, "pppkit"};  // pppkit mss apply
        const Commit other{{Touch{}}, 7, "nft"};                   // another table's commit
        struct Row {
            int line;
            std::vector<Commit> burst;
            Decision want;
            bool repair_fw, repair_mss;
            bool remember_fw, remember_mss;
        };
        const std::vector<Row> rows = {
            {__LINE__, {repair}, Decision::Ignore, false, false, false, false},  // the bug: it was Remember
            {__LINE__, {repair, flush}, Decision::Repair, true, true, false, false},
            {__LINE__, {flush, repair}, Decision::Repair, true, true, false, false},
            {__LINE__, {repair, flush, repair}, Decision::Repair, true, true, false, false},
            {__LINE__, {ip_up}, Decision::Remember, false, false, true, false},
            {__LINE__, {ip_up, other}, Decision::Remember, false, false, true, false},
            {__LINE__, {repair, ip_up}, Decision::Remember, false, false, true, false},
            // pppkit's commit, then a flush: what is there is not pppkit's
            {__LINE__, {ip_up, flush}, Decision::Repair, true, true, false, false},
            // a flush, then pppkit's commit: its state is read first, then the repair
            {__LINE__, {flush, ip_up}, Decision::Repair, true, true, true, false},
            // pppkit's commit, then this pppkitd's repair over it: not pppkit's either
            {__LINE__, {ip_up, repair_fw}, Decision::Remember, false, false, false, false},
            {__LINE__, {ip_up, cli_mss, repair_fw}, Decision::Remember, false, true, false, true},
            {__LINE__, {cli_mss, flush, ip_up}, Decision::Repair, true, true, true, false},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Verdict v;
            for (const auto& c : r.burst)
                v = merge(v, decide(c, own));
            CHECK(v.decision == r.want);
            if (v.decision == Decision::Repair) {
                CHECK(v.firewall == r.repair_fw);
                CHECK(v.mss == r.repair_mss);
            }
            CHECK(v.remember_firewall == r.remember_fw);
            CHECK(v.remember_mss == r.remember_mss);
        }
    }

    TEST_CASE("drift: a read of the tables counts only when no commit came after the last one heard")
    {
        struct Row {
            int line;
            std::optional<uint32_t> heard, now;
            bool want;
        };
        const std::vector<Row> rows = {
            {__LINE__, 41, 41, true},
            {__LINE__, 41, 42, false},            // a commit (a flush?) since: the read may show it
            {__LINE__, std::nullopt, 41, false},  // nothing heard yet (or lost)
            {__LINE__, 41, std::nullopt, false},  // the generation could not be asked
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(read_is_current(r.heard, r.now) == r.want);
        }
        // a read that did not count is tried again after the next burst,
        // unless someone else or this pppkitd's repair touched the table
        const Own own{100, {}};
        const Commit flush{{Touch{Table::Firewall, Object::Table, Change::Deleted}}, 7, "nft"};
        const Commit repair{{Touch{Table::Firewall, Object::Table, Change::Added}}, 100, "pppkitd"};
        const Commit other{{Touch{}}, 7, "nft"};
        CHECK(retry(false, false).decision == Decision::Ignore);
        auto v = merge(retry(true, true), decide(other, own));
        CHECK(v.decision == Decision::Remember);
        CHECK((v.remember_firewall && v.remember_mss));
        v = merge(retry(true, true), decide(flush, own));
        CHECK(v.decision == Decision::Repair);
        CHECK((!v.remember_firewall && v.remember_mss));
        v = merge(retry(true, false), decide(repair, own));
        CHECK((!v.remember_firewall && !v.remember_mss));
    }

    TEST_CASE("drift: the image is tried for a table someone else deleted, not for one changed")
    {
        const Touch fw_gone{Table::Firewall, Object::Table, Change::Deleted};
        const Touch fw_rule_gone{Table::Firewall, Object::Rule, Change::Deleted};
        const Touch fw_set_gone{Table::Firewall, Object::Element, Change::Deleted};
        const Touch mss_gone{Table::Mss, Object::Table, Change::Deleted};
        const Touch mss_elem{Table::Mss, Object::Element, Change::Added};
        const Own own{100, {200}};
        struct Row {
            int line;
            std::vector<Commit> burst;  // in commit order
            bool fw_gone, mss_gone;
        };
        const std::vector<Row> rows = {
            // nft flush ruleset, nft delete table
            {__LINE__, {{{fw_rule_gone, fw_gone, mss_gone}, 7, "nft"}}, true, true},
            {__LINE__, {{{fw_gone}, 7, "nft"}}, true, false},
            // emptied or changed, the table kept: the image would be refused
            {__LINE__, {{{fw_rule_gone, fw_rule_gone}, 7, "nft"}}, false, false},
            {__LINE__, {{{fw_set_gone}, 7, "nft"}, {{mss_elem}, 7, "nft"}}, false, false},
            // pppkit's own delete (pppkit firewall apply replaces the table) and this pppkitd's
            {__LINE__, {{{fw_gone, mss_gone}, 9, "pppkit"}}, false, false},
            {__LINE__, {{{fw_gone}, 100, "pppkitd"}}, false, false},
            // a flush, then pppkit's commit in the same burst: still someone else's delete
            {__LINE__, {{{fw_gone}, 7, "nft"}, {{mss_elem}, 200, "pppd"}}, true, false},
            {__LINE__, {{{mss_elem}, 200, "pppd"}, {{mss_gone}, 7, "nft"}}, false, true},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Verdict v;
            for (const auto& c : r.burst)
                v = merge(v, decide(c, own));
            CHECK(v.firewall_gone == r.fw_gone);
            CHECK(v.mss_gone == r.mss_gone);
        }
        // notifications lost: unknown, so tried (refused when the table is there)
        const Verdict lost = merge(decide(Commit{{fw_rule_gone}, 7, "nft"}, own), overrun());
        CHECK(lost.firewall_gone);
        CHECK(lost.mss_gone);
    }

    TEST_CASE("drift: a burst gives one verdict; only foreign changes are repaired and described")
    {
        const Verdict none{};
        const Verdict own_fw{Decision::Remember, true, false, "1 rule of inet pppkit_fw added"};
        const Verdict foreign_mss{Decision::Repair, false, true, "table inet pppkit_mss deleted"};
        const Verdict foreign_fw{Decision::Repair, true, false, "table inet pppkit_fw deleted"};
        struct Row {
            int line;
            std::vector<Verdict> in;
            Decision want;
            bool fw, mss;
            std::string what;
        };
        const std::vector<Row> rows = {
            {__LINE__, {none, none}, Decision::Ignore, false, false, ""},
            {__LINE__, {none, own_fw}, Decision::Remember, true, false, own_fw.what},
            {__LINE__, {own_fw, foreign_mss}, Decision::Repair, false, true, foreign_mss.what},
            {__LINE__, {foreign_mss, own_fw}, Decision::Repair, false, true, foreign_mss.what},
            {__LINE__,
             {foreign_fw, foreign_mss, none},
             Decision::Repair,
             true,
             true,
             foreign_fw.what + "; " + foreign_mss.what},
            {__LINE__,
             {foreign_fw, overrun()},
             Decision::Repair,
             true,
             true,
             foreign_fw.what + "; notifications lost (socket overrun)"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Verdict v;
            for (const auto& x : r.in)
                v = merge(v, x);
            CHECK(v.decision == r.want);
            CHECK(v.firewall == r.fw);
            CHECK(v.mss == r.mss);
            CHECK(v.what == r.what);
        }
    }

    TEST_CASE("drift: the dynamic part to re-assert: remembered, plus the links that are up")
    {
        using pppkit::firewall::Dynamic;
        using pppkit::firewall::WanLink;
        struct Row {
            int line;
            Dynamic remembered;
            std::vector<LinkView> up;
            Dynamic want;  // every link, each with its own address
        };
        const WanLink p0{"ppp0", "203.0.113.7", ""};
        const std::vector<Row> rows = {
            {__LINE__, {}, {}, {}},
            {__LINE__, {{p0}}, {}, {{p0}}},  // a pppd pppkitd does not watch
            {__LINE__, {}, {{"ppp0", "203.0.113.9", "lab"}}, {{{"ppp0", "203.0.113.9", "lab"}}}},
            {__LINE__, {{p0}}, {{"ppp0", "203.0.113.9", ""}}, {{{"ppp0", "203.0.113.9", ""}}}},
            // two links at once: both kept, each with its own address
            {__LINE__,
             {},
             {{"ppp0", "", "a"}, {"ppp1", "198.51.100.2", "b"}},
             {{{"ppp0", std::nullopt, "a"}, {"ppp1", "198.51.100.2", "b"}}}},
            {__LINE__,
             {{WanLink{"ppp1", std::nullopt, ""}}},
             {{"ppp0", "203.0.113.9", ""}, {"", "1.2.3.4", ""}},
             {{{"ppp1", std::nullopt, ""}, {"ppp0", "203.0.113.9", ""}}}},
            {__LINE__, {{p0}}, {{"ppp1", "198.51.100.2", "b"}}, {{p0, {"ppp1", "198.51.100.2", "b"}}}},
            // a record or remembered name on an interface pppkitd knows is another link's now:
            // pppkitd's name wins (review 21: a dead link's forwards must not follow its name)
            {__LINE__,
             {{WanLink{"ppp0", "203.0.113.44", "v4"}}},
             {{"ppp0", "198.51.100.7", "other"}},
             {{{"ppp0", "198.51.100.7", "other"}}}},
            {__LINE__,
             {{WanLink{"ppp0", "203.0.113.44", "v4"}}},
             {{"ppp0", "", ""}},
             {{{"ppp0", "203.0.113.44", "v4"}}}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto d = dynamic_to_assert(r.remembered, r.up);
            CHECK(d == r.want);
        }
    }

    TEST_CASE("drift: before the first dial, a missing table (or a failsafe under a valid config) is loaded")
    {
        using pppkit::firewall::Loaded;
        constexpr auto N = CarrierInLan::None, Named = CarrierInLan::Named, Known = CarrierInLan::Known;
        struct Row {
            int line;
            bool configured, valid;
            Loaded loaded;
            CarrierInLan carrier;  // a PPPoE carrier that lan-interfaces match
            AtStart want;
        };
        const std::vector<Row> rows = {
            {__LINE__, true, true, Loaded::Missing, N, AtStart::Load},   // pppkit-firewall.service did not run
            {__LINE__, true, false, Loaded::Missing, N, AtStart::Load},  // the failsafe, then
            {__LINE__, true, true, Loaded::Failsafe, N, AtStart::Load},  // a boot-time error fixed since
            {__LINE__, true, false, Loaded::Failsafe, N, AtStart::Leave},
            {__LINE__, true, true, Loaded::Current, N, AtStart::Leave},
            // another config's or version's, or a table someone emptied (review 21): not known to be closed
            {__LINE__, true, true, Loaded::Stale, N, AtStart::Load},
            {__LINE__, true, false, Loaded::Stale, N, AtStart::Leave},     // as apply: a previous ruleset stays
            {__LINE__, false, false, Loaded::Missing, N, AtStart::Leave},  // no [firewall]: pppkit's MSS or DDNS only
            {__LINE__, false, false, Loaded::Stale, N, AtStart::Leave},
            // a plugin's failsafe for its PPPoE carrier, and lan-interfaces
            // still match it: the full ruleset would take the ISP's side for
            // LAN (the old pppkitd loaded it at start and reload)
            {__LINE__, true, true, Loaded::Failsafe, Named, AtStart::KeepFailsafe},
            {__LINE__, true, false, Loaded::Failsafe, Named, AtStart::KeepFailsafe},  // broken too: said why
            // only a failsafe names a carrier; the rest as without one
            {__LINE__, true, true, Loaded::Missing, Named, AtStart::Load},
            {__LINE__, true, true, Loaded::Current, Named, AtStart::Leave},
            {__LINE__, true, true, Loaded::Stale, Named, AtStart::Load},
            {__LINE__, false, false, Loaded::Failsafe, Named, AtStart::Leave},  // no [firewall]: left alone
            // a carrier of a supervised link (its events, its saved session):
            // the failsafe without it replaces what is loaded, but for the
            // configuration's own ruleset (the plugin refuses that at dial)
            {__LINE__, true, true, Loaded::Missing, Known, AtStart::LoadFailsafe},
            {__LINE__, true, false, Loaded::Missing, Known, AtStart::LoadFailsafe},
            {__LINE__, true, true, Loaded::Failsafe, Known, AtStart::LoadFailsafe},  // which may take it for LAN
            {__LINE__, true, false, Loaded::Failsafe, Known, AtStart::LoadFailsafe},
            {__LINE__, true, true, Loaded::Stale, Known, AtStart::LoadFailsafe},
            {__LINE__, true, false, Loaded::Stale, Known, AtStart::LoadFailsafe},
            {__LINE__, true, true, Loaded::Current, Known, AtStart::Leave},
            {__LINE__, false, false, Loaded::Missing, Known, AtStart::Leave},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(at_start(r.configured, r.valid, r.loaded, r.carrier) == r.want);
        }
    }
}
