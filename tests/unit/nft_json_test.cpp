// Unit tests of the readers of libnftables' JSON listings: common/nft_json.cpp
// (sets, maps, their elements and comments) and what the firewall's
// lifecycle makes of them (firewall/core/lifecycle.cpp: loaded_from,
// dynamic_from). The listings are nft 1.0.6's own output (nft -j list table
// inet pppkit_fw) and hostile or odd JSON, which must never throw.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/nft_json.hpp"
#include "firewall/core/lifecycle.hpp"

using namespace pppkit;

namespace {

const std::string kMeta =
    R"({"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}})";

std::string listing(const std::string& items) { return R"({"nftables": [)" + kMeta + items + "]}"; }

}  // namespace

TEST_SUITE("nft_json")
{
    TEST_CASE("sets_of: sets and maps with their elements and comments, by row")
    {
        using E = std::vector<std::pair<std::string, std::string>>;
        struct Row {
            int line;
            std::string json;
            std::optional<std::vector<nft::SetListing>> want;
        };
        const std::vector<Row> rows = {
            {__LINE__, listing(R"(, {"table": {"family": "inet", "name": "t", "handle": 1}})"),
             std::vector<nft::SetListing>{}},
            {__LINE__,
             listing(R"(, {"set": {"family": "inet", "name": "active_wan", "table": "t", "type": "ifname",)"
                     R"( "handle": 2, "comment": "link x", "elem": ["p1", "ppp0"]}})"),
             std::vector<nft::SetListing>{{"active_wan", "link x", E{{"p1", ""}, {"ppp0", ""}}}}},
            {__LINE__,
             listing(R"(, {"map": {"family": "inet", "name": "wan_public4", "table": "t", "type": "ifname",)"
                     R"( "handle": 3, "map": "ipv4_addr", "elem": [["ppp0", "1.2.3.4"]]}})"
                     R"(, {"map": {"name": "mss4", "elem": [["ppp0", 1414], ["ppp1", 1452]]}})"),
             std::vector<nft::SetListing>{{"wan_public4", "", E{{"ppp0", "1.2.3.4"}}},
                                          {"mss4", "", E{{"ppp0", "1414"}, {"ppp1", "1452"}}}}},
            // an element with options is wrapped (its comment kept aside); intervals and prefixes are
            // left out
            {__LINE__,
             listing(R"(, {"set": {"name": "s", "elem": [{"elem": {"val": "ppp0", "comment": "c"}},)"
                     R"( {"prefix": {"addr": "10.0.0.0", "len": 8}}, {"range": ["1.1.1.1", "1.1.1.9"]}, 7]}})"),
             std::vector<nft::SetListing>{{"s", "", E{{"ppp0", ""}}, E{{"ppp0", "c"}}}}},
            // set wan as nft 1.0.6 lists it: the configured names with their comment, a link's without;
            // a comment that is no string is none
            {__LINE__,
             listing(
                 R"(, {"set": {"name": "wan", "elem": [{"elem": {"val": "ppp0", "comment": "configured"}},)"
                 R"( "ppp1", {"elem": {"val": "eth9", "comment": "configured"}}, {"elem": {"val": "x", "comment": 1}}]}})"),
             std::vector<nft::SetListing>{{"wan", "", E{{"ppp0", ""}, {"ppp1", ""}, {"eth9", ""}, {"x", ""}},
                                           E{{"ppp0", "configured"}, {"eth9", "configured"}}}}},
            // escapes are decoded, not cut: the caller checks the names
            {__LINE__, listing(R"(, {"set": {"name": "s", "comment": "a\"b\u0041", "elem": ["x\"}y", "\u00e9"]}})"),
             std::vector<nft::SetListing>{{"s", "a\"bA", E{{"x\"}y", ""}, {"\xc3\xa9", ""}}}}},
            // odd values: negative, huge, fractional and non-scalar map data are ""
            {__LINE__,
             listing(R"(, {"map": {"name": "m", "elem": [["a", -1], ["b", 1e300], ["c", 1.5], ["d", [1]],)"
                     R"( ["e", 18446744073709551615], ["f"], [1, 2]]}})"),
             std::vector<nft::SetListing>{
                 {"m", "", E{{"a", ""}, {"b", ""}, {"c", ""}, {"d", ""}, {"e", "18446744073709551615"}}}}},
            // wrong types where names, comments and elements belong
            {__LINE__,
             listing(R"(, {"set": {"name": 5}}, {"set": "x"}, {"set": {"name": "ok", "comment": 3, "elem": "ppp0"}},)"
                     R"( 42, null, {"map": {"name": "m", "elem": [{"elem": 1}, {"elem": {"x": 1}}, {}]}})"),
             std::vector<nft::SetListing>{{"ok", "", {}}, {"m", "", {}}}},
            {__LINE__, "", std::nullopt},
            {__LINE__, "table inet t {\n\tset s {\n\t\ttype ifname\n\t\telements = { \"ppp0\" }\n\t}\n}", std::nullopt},
            {__LINE__, R"({"nftables": {}})", std::nullopt},
            {__LINE__, R"([{"nftables": []}])", std::nullopt},
            {__LINE__, R"({"nftables": [)", std::nullopt},
            {__LINE__, std::string(R"({"nftables": [{"set": {"name": "s", "elem": [)") + std::string(4000, '['),
             std::nullopt},
            {__LINE__, std::string("{\"nftables\": [], \"x\": \"\xff\xfe\"}"), std::nullopt},
            {__LINE__, R"({"nftables": []} trailing)", std::nullopt},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(nft::sets_of(r.json) == r.want);
        }
        CHECK(nft::has_table(rows[0].json));
        CHECK_FALSE(nft::has_table(listing("")));
        CHECK_FALSE(nft::has_table("nonsense"));
    }

    TEST_CASE("loaded_from: only the mark set says current or failsafe; an older table is stale")
    {
        const std::string d = "0123456789abcdef";
        auto mark = [](const std::string& comment) {
            return listing(R"(, {"table": {"family": "inet", "name": "pppkit_fw", "handle": 1}})"
                           R"(, {"set": {"family": "inet", "name": "pppkit_mark", "table": "pppkit_fw",)"
                           R"( "type": "ifname", "handle": 2, "comment": ")" +
                           comment + R"("}})");
        };
        struct Row {
            int line;
            std::string json;
            firewall::Loaded want;
        };
        const std::vector<Row> rows = {
            {__LINE__, mark("pppkit digest " + d), firewall::Loaded::Current},
            {__LINE__, mark("pppkit digest fedcba9876543210"), firewall::Loaded::Stale},
            {__LINE__, mark("pppkit digest " + d + "0"), firewall::Loaded::Stale},
            {__LINE__, mark("pppkit failsafe"), firewall::Loaded::Failsafe},
            {__LINE__, mark(""), firewall::Loaded::Stale},
            // a pppkit before the mark set: the digest only in the table's
            // comment, which nft 1.0.6's JSON leaves out: reloaded, never trusted
            {__LINE__, listing(R"(, {"table": {"family": "inet", "name": "pppkit_fw", "handle": 1}})"),
             firewall::Loaded::Stale},
            // the digest in another set's comment is not the mark
            {__LINE__, listing(R"(, {"set": {"name": "active_wan", "comment": "pppkit digest )" + d + R"("}})"),
             firewall::Loaded::Stale},
            {__LINE__, "not json", firewall::Loaded::Stale},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(firewall::loaded_from(r.json, d) == r.want);
        }
    }

    TEST_CASE("failsafe_carriers: the PPPoE carriers a failsafe's mark set names")
    {
        auto mark = [](const std::string& comment, const std::string& elem) {
            return listing(R"(, {"table": {"family": "inet", "name": "pppkit_fw", "handle": 1}})"
                           R"(, {"set": {"family": "inet", "name": "pppkit_mark", "table": "pppkit_fw",)"
                           R"( "type": "ifname", "handle": 2, "comment": ")" +
                           comment + R"(")" + elem + "}}");
        };
        struct Row {
            int line;
            std::string json;
            std::vector<std::string> want;
        };
        const std::vector<Row> rows = {
            {__LINE__, mark("pppkit failsafe", R"(, "elem": ["eth1"])"), {"eth1"}},
            {__LINE__, mark("pppkit failsafe", R"(, "elem": ["eth1", "enc0", "eth1"])"), {"eth1", "enc0"}},
            {__LINE__, mark("pppkit failsafe", ""), {}},  // refused for another reason
            // only a failsafe's mark names a carrier; only valid interface names count
            {__LINE__, mark("pppkit digest 0123456789abcdef", R"(, "elem": ["eth1"])"), {}},
            {__LINE__, mark("pppkit failsafe", R"(, "elem": ["eth1 }", "a-name-longer-than-15"])"), {}},
            {__LINE__,
             listing(R"(, {"set": {"name": "active_wan", "comment": "pppkit failsafe", "elem": ["eth1"]}})"),
             {}},
            {__LINE__, "not json", {}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(firewall::failsafe_carriers(r.json) == r.want);
        }
    }

    TEST_CASE("dynamic_from: the links of a listing; only what pppkit would have written")
    {
        using firewall::Dynamic;
        using firewall::WanLink;
        struct Row {
            int line;
            std::string items;
            Dynamic want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "", Dynamic{}},
            {__LINE__,
             R"(, {"set": {"name": "active_wan", "elem": ["ppp0", "ppp1"]}})"
             R"(, {"map": {"name": "wan_public4", "map": "ipv4_addr", "elem": [["ppp1", "203.0.113.7"]]}})"
             R"(, {"set": {"name": "link0_wan", "comment": "link dsl", "elem": ["ppp1"]}})"
             R"(, {"set": {"name": "link1_wan", "comment": "link lte", "elem": []}})",
             Dynamic{{WanLink{"ppp0", std::nullopt, ""}, WanLink{"ppp1", "203.0.113.7", "dsl"}}}},
            // a record without active_wan still names its link
            {__LINE__, R"(, {"map": {"name": "wan_public4", "elem": [["ppp3", "198.51.100.1"]]}})",
             Dynamic{{WanLink{"ppp3", "198.51.100.1", ""}}}},
            // an older table: one link, its address in public4
            {__LINE__,
             R"(, {"set": {"name": "active_wan", "elem": ["ppp0"]}}, {"set": {"name": "public4", "elem": ["192.0.2.9"]}})",
             Dynamic{{WanLink{"ppp0", "192.0.2.9", ""}}}},
            // hostile: names nft cannot hold, addresses that are none, odd shapes
            {__LINE__,
             R"(, {"set": {"name": "active_wan", "elem": ["x\"}y", "", "sixteen-chars-xx", 5, ["ppp0", 1]]}})"
             R"(, {"map": {"name": "wan_public4", "elem": [["ppp0", "999.1.1.1"], ["ppp0", 3232235777], ["a b", "1.2.3.4"]]}})",
             Dynamic{{WanLink{"ppp0", std::nullopt, ""}}}},
            // a slot whose comment is not "link NAME" names nobody; slots end at the first gap
            {__LINE__,
             R"(, {"set": {"name": "active_wan", "elem": ["ppp0", "ppp1"]}})"
             R"(, {"set": {"name": "link0_wan", "comment": "other", "elem": ["ppp0"]}})"
             R"(, {"set": {"name": "link2_wan", "comment": "link far", "elem": ["ppp1"]}})",
             Dynamic{{WanLink{"ppp0", std::nullopt, ""}, WanLink{"ppp1", std::nullopt, ""}}}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(firewall::dynamic_from(listing(r.items)) == r.want);
        }
        CHECK(firewall::dynamic_from("{").links.empty());
        // read_dynamic's two listings: "list sets table" (no maps) and "list map ... wan_public4"
        CHECK(firewall::dynamic_from(
                  listing(R"(, {"set": {"name": "active_wan", "elem": ["ppp0"]}})"
                          R"(, {"set": {"name": "link0_wan", "comment": "link dsl", "elem": ["ppp0"]}})"),
                  listing(R"(, {"map": {"name": "wan_public4", "elem": [["ppp0", "203.0.113.7"]]}})")) ==
              Dynamic{{WanLink{"ppp0", "203.0.113.7", "dsl"}}});
        CHECK(firewall::dynamic_from(listing(R"(, {"set": {"name": "active_wan", "elem": ["ppp0"]}})"), "{") ==
              Dynamic{{WanLink{"ppp0", std::nullopt, ""}}});
    }

    TEST_CASE("stale_removals: a link's elements by value in another configuration's ruleset, by row")
    {
        using firewall::WanLink;
        using nfnl::Op;
        const nfnl::Ifname mark{"0123456789abcde"}, ppp0{"ppp0"};
        const nfnl::Ipv4 addr{"203.0.113.7"};
        const std::vector<nfnl::Change> guard = {{Op::Delete, "pppkit_mark", mark, {}},
                                                 {Op::Add, "pppkit_mark", mark, {}}};
        auto guarded = [&](std::vector<nfnl::Change> v) {
            v.insert(v.begin(), guard.begin(), guard.end());
            return v;
        };
        const std::string mark_set = R"(, {"set": {"name": "pppkit_mark", "elem": ["0123456789abcde"]}})";
        const std::string loaded = mark_set +
                                   R"(, {"set": {"name": "active_wan", "elem": ["ppp0", "ppp1"]}})"
                                   R"(, {"set": {"name": "public4", "elem": ["203.0.113.7", "198.51.100.1"]}})"
                                   R"(, {"set": {"name": "link0_wan", "comment": "link b", "elem": ["ppp1"]}})"
                                   R"(, {"set": {"name": "link1_wan", "comment": "link a", "elem": ["ppp0"]}})"
                                   R"(, {"set": {"name": "link1_public4", "elem": ["203.0.113.7"]}})"
                                   R"(, {"set": {"name": "linkx_public4", "elem": ["203.0.113.7"]}})"
                                   R"(, {"set": {"name": "wan_spoof4", "elem": ["203.0.113.7"]}})"
                                   R"(, {"map": {"name": "wan_public4", "elem": [["ppp0", "203.0.113.7"], )"
                                   R"(["ppp1", "198.51.100.1"]]}})";
        struct Row {
            int line;
            std::string items;
            WanLink mine;
            bool whole;
            std::vector<nfnl::Change> want;
        };
        const std::vector<Row> rows = {
            // ip-down: the address from public4, this link's slot, the record (not wan_spoof4, not linkx_)
            {__LINE__, loaded, WanLink{"ppp0", "203.0.113.7", "a"}, false,
             guarded({{Op::Delete, "public4", addr, {}},
                      {Op::Delete, "link1_public4", addr, {}},
                      {Op::Delete, "wan_public4", ppp0, {}}})},
            // exit: the interface as well
            {__LINE__, loaded, WanLink{"ppp0", "203.0.113.7", "a"}, true,
             guarded({{Op::Delete, "active_wan", ppp0, {}},
                      {Op::Delete, "public4", addr, {}},
                      {Op::Delete, "link1_wan", ppp0, {}},
                      {Op::Delete, "link1_public4", addr, {}},
                      {Op::Delete, "wan_public4", ppp0, {}}})},
            // set wan: a link's interface goes at exit, a configured name (comment "configured") never
            {__LINE__,
             mark_set + R"(, {"set": {"name": "wan", "elem": [{"elem": {"val": "ppp0", "comment": "configured"}},)"
                        R"( "ppp1"]}})",
             WanLink{"ppp1", std::nullopt, ""}, true, guarded({{Op::Delete, "wan", nfnl::Ifname{"ppp1"}, {}}})},
            {__LINE__,
             mark_set + R"(, {"set": {"name": "active_wan", "elem": ["ppp0"]}})"
                        R"(, {"set": {"name": "wan", "elem": [{"elem": {"val": "ppp0", "comment": "configured"}},)"
                        R"( "ppp1"]}})",
             WanLink{"ppp0", std::nullopt, ""}, true, guarded({{Op::Delete, "active_wan", ppp0, {}}})},
            // ... and only at exit
            {__LINE__,
             mark_set +
                 R"(, {"set": {"name": "wan", "elem": ["ppp1"]}}, {"set": {"name": "public4", "elem": ["203.0.113.7"]}})",
             WanLink{"ppp1", "203.0.113.7", ""}, false, guarded({{Op::Delete, "public4", addr, {}}})},
            // another comment is not "configured"
            {__LINE__, mark_set + R"(, {"set": {"name": "wan", "elem": [{"elem": {"val": "ppp1", "comment": "x"}}]}})",
             WanLink{"ppp1", std::nullopt, ""}, true, guarded({{Op::Delete, "wan", nfnl::Ifname{"ppp1"}, {}}})},
            // exit without an address (ip-down removed it already)
            {__LINE__, loaded, WanLink{"ppp0", std::nullopt, ""}, true,
             guarded({{Op::Delete, "active_wan", ppp0, {}}, {Op::Delete, "link1_wan", ppp0, {}}})},
            // ip-down without an address: nothing
            {__LINE__, loaded, WanLink{"ppp0", std::nullopt, ""}, false, {}},
            // another link's record (ppp1 holds another address): only by this interface and address
            {__LINE__, loaded, WanLink{"ppp1", "203.0.113.7", ""}, false,
             guarded({{Op::Delete, "public4", addr, {}}, {Op::Delete, "link1_public4", addr, {}}})},
            // nothing of mine there
            {__LINE__, loaded, WanLink{"ppp7", "192.0.2.1", ""}, true, {}},
            // no mark, or not one element (the failsafe names its carrier; two is no ruleset of pppkit's)
            {__LINE__,
             R"(, {"set": {"name": "public4", "elem": ["203.0.113.7"]}})",
             WanLink{"ppp0", "203.0.113.7", ""},
             true,
             {}},
            {__LINE__,
             R"(, {"set": {"name": "pppkit_mark", "elem": ["a", "b"]}}, {"set": {"name": "public4", "elem": ["203.0.113.7"]}})",
             WanLink{"ppp0", "203.0.113.7", ""},
             true,
             {}},
            {__LINE__,
             mark_set + mark_set + R"(, {"set": {"name": "public4", "elem": ["203.0.113.7"]}})",
             WanLink{"ppp0", "203.0.113.7", ""},
             true,
             {}},
            // an interface name nft cannot hold is never sent
            {__LINE__,
             mark_set + R"(, {"set": {"name": "active_wan", "elem": ["sixteen-chars-xx"]}})",
             WanLink{"sixteen-chars-xx", std::nullopt, ""},
             true,
             {}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto sets = nft::sets_of(listing(r.items));
            REQUIRE(sets);
            CHECK(firewall::stale_removals(*sets, r.mine, r.whole) == r.want);
        }
    }

    TEST_CASE("live_links: only links whose interface exists, each address only while it holds it, by row")
    {
        using firewall::Dynamic;
        using firewall::Iface;
        using firewall::WanLink;
        const WanLink p0{"ppp0", "11.0.0.2", "a"}, p1{"ppp1", "11.0.1.2", "b"};
        const Iface up0{"ppp0", {"11.0.0.2"}}, up1{"ppp1", {"11.0.1.2"}}, lo{"lo", {"127.0.0.1"}};
        struct Row {
            int line;
            Dynamic d;
            std::vector<Iface> now;
            Dynamic want;
        };
        const std::vector<Row> rows = {
            {__LINE__, Dynamic{{p0, p1}}, {lo, up0, up1}, Dynamic{{p0, p1}}},
            // ppp1's pppd ended (ip-down, exit) while a full load had read the table: gone with its address
            {__LINE__, Dynamic{{p0, p1}}, {lo, up0}, Dynamic{{p0}}},
            // ppp1 still there after ip-down (its address removed): still WAN, no public address
            {__LINE__, Dynamic{{p0, p1}}, {lo, up0, Iface{"ppp1", {}}}, Dynamic{{p0, WanLink{"ppp1", {}, "b"}}}},
            // ppp1 is another link's now, with another address: not the old one
            {__LINE__, Dynamic{{p1}}, {Iface{"ppp1", {"11.0.9.9"}}}, Dynamic{{WanLink{"ppp1", {}, "b"}}}},
            // a link in ESTABLISH (no address yet) stays
            {__LINE__, Dynamic{{WanLink{"ppp2", {}, "c"}}}, {Iface{"ppp2", {}}}, Dynamic{{WanLink{"ppp2", {}, "c"}}}},
            // no interfaces at all: nothing is live
            {__LINE__, Dynamic{{p0}}, {}, Dynamic{}},
            // the address on another interface does not keep it
            {__LINE__,
             Dynamic{{p1}},
             {Iface{"ppp1", {}}, Iface{"eth0", {"11.0.1.2"}}},
             Dynamic{{WanLink{"ppp1", {}, "b"}}}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(firewall::live_links(r.d, r.now) == r.want);
        }
    }

    TEST_CASE("with_records: a pppd's record replaces the kernel's entry for its interface or link name, by row")
    {
        using firewall::Dynamic;
        using firewall::WanLink;
        const WanLink p0{"ppp0", "11.0.0.2", "a"}, p1{"ppp1", "11.0.1.2", "b"};
        struct Row {
            int line;
            Dynamic kernel, records, want;
        };
        const std::vector<Row> rows = {
            {__LINE__, Dynamic{{p0, p1}}, Dynamic{}, Dynamic{{p0, p1}}},  // no records (no pppd plugins)
            {__LINE__, Dynamic{}, Dynamic{{p1, p0}}, Dynamic{{p0, p1}}},  // flushed: the records, sorted
            // the race: ppp1's ip-up committed (and recorded) after the table was read
            {__LINE__, Dynamic{{p0}}, Dynamic{{p1}}, Dynamic{{p0, p1}}},
            // a new address since: the record's
            {__LINE__, Dynamic{{p0}}, Dynamic{{WanLink{"ppp0", "11.0.0.9", "a"}}},
             Dynamic{{WanLink{"ppp0", "11.0.0.9", "a"}}}},
            // ip-down recorded, its batch not yet in the table: no address
            {__LINE__, Dynamic{{p0}}, Dynamic{{WanLink{"ppp0", {}, "a"}}}, Dynamic{{WanLink{"ppp0", {}, "a"}}}},
            // link a redialled into ppp3: the kernel's ppp0 entry for a goes
            {__LINE__, Dynamic{{p0, p1}}, Dynamic{{WanLink{"ppp3", "11.0.0.3", "a"}}},
             Dynamic{{p1, WanLink{"ppp3", "11.0.0.3", "a"}}}},
            // unnamed links match by interface only
            {__LINE__, Dynamic{{WanLink{"ppp0", "11.0.0.2", ""}}}, Dynamic{{WanLink{"ppp1", "11.0.1.2", ""}}},
             Dynamic{{WanLink{"ppp0", "11.0.0.2", ""}, WanLink{"ppp1", "11.0.1.2", ""}}}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(firewall::with_records(r.kernel, r.records) == r.want);
        }
    }

    TEST_CASE("raced: another commit between the read and the load, from the generation ids, by row")
    {
        using firewall::Race;
        struct Row {
            int line;
            std::optional<uint32_t> before, after;
            Race want;
        };
        const std::vector<Row> rows = {
            {__LINE__, 7, 8, Race::None},   // this load's own commit only
            {__LINE__, 7, 9, Race::Raced},  // one more: a pppd's element batch, say
            {__LINE__, 7, 7, Race::Raced},  // not even ours counted: never trusted
            {__LINE__, 7, 6, Race::Raced},
            {__LINE__, 0xffffffffU, 0, Race::None},  // the id wraps
            {__LINE__, 0xffffffffU, 1, Race::Raced},
            {__LINE__, std::nullopt, 8, Race::Unknown},
            {__LINE__, 7, std::nullopt, Race::Unknown},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(firewall::raced(r.before, r.after) == r.want);
        }
    }
}
