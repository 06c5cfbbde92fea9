// Unit tests of `pppkit status --prometheus` (supervisor/core/prometheus.cpp):
// pppkitd's status JSON in, exposition lines out.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/prometheus.hpp"

using namespace pppkit::supervisor;
using nlohmann::json;

namespace {

// The README's example answer, with a repair and a last exit.
const char* kStatus = R"({"version":1,"links":[
 {"name":"dsl","state":"up","since":"2026-11-30T05:41:17Z","pid":2081,"adopted":false,"ifname":"ppp0",
  "ipv4":{"local":"203.0.113.10","remote":"192.0.2.1"},"ipv6":{"local":null,"remote":null},"mtu":1454,
  "pppoe":{"session":4711,"ac_mac":"52:54:00:12:34:56","ethernet":"eth0"},"dials":3,"redials":2,
  "auth_failures":0,"backoff_left_ms":null,"lan_interface":null,"autostart":true,"events":6,
  "last_exit":{"status":16,"signal":null,"reason":"hangup"}},
 {"name":"v6\"x","state":"backing-off","since":"2026-11-30T05:42:00Z","pid":null,"adopted":false,"ifname":null,
  "ipv4":{"local":null,"remote":null},"ipv6":{"local":null,"remote":null},"mtu":null,
  "pppoe":{"session":null,"ac_mac":null,"ethernet":null},"dials":4,"redials":3,"auth_failures":2,
  "backoff_left_ms":2500,"lan_interface":"eth1","autostart":true,"events":0,
  "last_exit":{"status":null,"signal":9,"reason":"killed"}}],
 "firewall":{"loaded":"current","guard":true,"repairs":5,"last_repair":"2026-11-30T06:00:00Z","last_repair_ms":3.1,
  "last_change":"table inet pppkit_fw deleted"}})";

std::vector<std::string> lines_of(const std::string& s)
{
    std::vector<std::string> v;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);)
        v.push_back(l);
    return v;
}

bool has_line(const std::vector<std::string>& v, const std::string& l)
{
    for (const auto& x : v)
        if (x == l)
            return true;
    return false;
}

}  // namespace

TEST_SUITE("supervisor")
{
    TEST_CASE("to_prometheus: one sample per field of the status answer")
    {
        const auto out = lines_of(to_prometheus(json::parse(kStatus)));
        struct Row {
            int line;
            std::string sample;  // a whole line of the exposition
            bool present;
        };
        const std::vector<Row> rows = {
            {__LINE__, "pppkit_daemon_up 1", true},
            {__LINE__, "pppkit_link_up{link=\"dsl\"} 1", true},
            {__LINE__, "pppkit_link_up{link=\"v6\\\"x\"} 0", true},  // a quote in a label is escaped
            {__LINE__, "pppkit_link_state{link=\"dsl\",state=\"up\"} 1", true},
            {__LINE__, "pppkit_link_state{link=\"dsl\",state=\"dialling\"} 0", true},
            {__LINE__, "pppkit_link_state{link=\"dsl\",state=\"failed-config\"} 0", true},
            {__LINE__, "pppkit_link_state{link=\"v6\\\"x\",state=\"backing-off\"} 1", true},
            {__LINE__, "pppkit_link_state_since_timestamp_seconds{link=\"dsl\"} 1796017277", true},
            {__LINE__,
             "pppkit_link_info{link=\"dsl\",ifname=\"ppp0\",ipv4=\"203.0.113.10\",ipv4_peer=\"192.0.2.1\",ipv6=\"\","
             "pppoe_session=\"4711\",pppoe_ac_mac=\"52:54:00:12:34:56\",pppoe_ethernet=\"eth0\",pid=\"2081\","
             "adopted=\"false\"} 1",
             true},
            {__LINE__, "pppkit_link_mtu_bytes{link=\"dsl\"} 1454", true},
            {__LINE__, "pppkit_link_mtu_bytes{link=\"v6\\\"x\"} 0", false},  // null: no sample
            {__LINE__, "pppkit_link_dials_total{link=\"dsl\"} 3", true},
            {__LINE__, "pppkit_link_redials_total{link=\"dsl\"} 2", true},
            {__LINE__, "pppkit_link_redials_total{link=\"v6\\\"x\"} 3", true},
            {__LINE__, "pppkit_link_auth_failures{link=\"v6\\\"x\"} 2", true},
            {__LINE__, "pppkit_link_backoff_remaining_seconds{link=\"v6\\\"x\"} 2.5", true},
            {__LINE__, "pppkit_link_backoff_remaining_seconds{link=\"dsl\"} 0", false},
            {__LINE__, "pppkit_link_events_total{link=\"dsl\"} 6", true},
            {__LINE__, "pppkit_link_last_exit_status{link=\"dsl\"} 16", true},
            {__LINE__, "pppkit_link_last_exit_signal{link=\"v6\\\"x\"} 9", true},
            {__LINE__, "pppkit_link_last_exit_status{link=\"v6\\\"x\"} 0", false},
            {__LINE__, "pppkit_firewall_loaded{state=\"current\"} 1", true},
            {__LINE__, "pppkit_firewall_loaded{state=\"failsafe\"} 0", true},
            {__LINE__, "pppkit_firewall_loaded{state=\"missing\"} 0", true},
            {__LINE__, "pppkit_firewall_repairs_total 5", true},
            {__LINE__, "pppkit_firewall_flush_guard 1", true},
            {__LINE__, "pppkit_firewall_last_repair_timestamp_seconds 1796018400", true},
            {__LINE__, "pppkit_firewall_last_repair_duration_seconds 0.0031", true},
            {__LINE__, "# TYPE pppkit_link_redials_total counter", true},
            {__LINE__, "# TYPE pppkit_link_up gauge", true},
            {__LINE__, "# TYPE pppkit_firewall_repairs_total counter", true},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CAPTURE(r.sample);
            CHECK(has_line(out, r.sample) == r.present);
        }
    }

    TEST_CASE("to_prometheus: the format's rules")
    {
        const std::string text = to_prometheus(json::parse(kStatus));
        const auto out = lines_of(text);
        REQUIRE(!text.empty());
        CHECK(text.back() == '\n');
        // each family once, its HELP and TYPE before its samples, samples not interleaved
        std::vector<std::string> families;
        std::string current;
        for (const auto& l : out) {
            CAPTURE(l);
            if (l.rfind("# HELP ", 0) == 0) {
                const std::string f = l.substr(7, l.find(' ', 7) - 7);
                for (const auto& seen : families)
                    CHECK(seen != f);
                families.push_back(f);
                current = f;
                continue;
            }
            if (l.rfind("# TYPE ", 0) == 0) {
                CHECK(l.substr(7, current.size()) == current);
                continue;
            }
            const std::string name = l.substr(0, l.find_first_of("{ "));
            CHECK(name == current);
        }
        CHECK(families.size() == 18);
    }

    TEST_CASE("to_prometheus: an answer without links or firewall, and pppkitd down")
    {
        struct Row {
            int line;
            const char* json;
            const char* want;
        };
        const std::vector<Row> rows = {
            {__LINE__, R"({"version":1,"links":[]})",
             "# HELP pppkit_daemon_up 1 when pppkitd answered on its control socket, 0 when not\n"
             "# TYPE pppkit_daemon_up gauge\npppkit_daemon_up 1\n"},
            {__LINE__, R"({"version":1,"links":[],"firewall":null})",
             "# HELP pppkit_daemon_up 1 when pppkitd answered on its control socket, 0 when not\n"
             "# TYPE pppkit_daemon_up gauge\npppkit_daemon_up 1\n"},
            {__LINE__, R"({"version":1,"links":[{"state":"up"}]})",  // no name: no sample
             "# HELP pppkit_daemon_up 1 when pppkitd answered on its control socket, 0 when not\n"
             "# TYPE pppkit_daemon_up gauge\npppkit_daemon_up 1\n"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(to_prometheus(json::parse(r.json)) == r.want);
        }
        CHECK(prometheus_daemon_down() ==
              "# HELP pppkit_daemon_up 1 when pppkitd answered on its control socket, 0 when not\n"
              "# TYPE pppkit_daemon_up gauge\npppkit_daemon_up 0\n");
    }

    TEST_CASE("parse_iso_utc and prometheus_label")
    {
        struct Row {
            int line;
            const char* in;
            long long want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "1970-01-01T00:00:00Z", 0},
            {__LINE__, "2026-11-30T05:41:17Z", 1796017277},
            {__LINE__, "2026-11-30T05:41:17", -1},    // no Z
            {__LINE__, "2026-11-30T05:41:17Zx", -1},  // trailing bytes
            {__LINE__, "2026-13-30T05:41:17Z", -1},   // month 13
            {__LINE__, "", -1},
            {__LINE__, "2026-11-30T05:41:+7Z", -1},  // a sign is not a digit
            {__LINE__, "2026-11-30T24:00:00Z", -1},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(parse_iso_utc(r.in) == r.want);
        }
        CHECK(prometheus_label("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
    }
}
