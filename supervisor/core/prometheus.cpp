// prometheus.cpp - pppkitd's status in the Prometheus text format (see
// prometheus.hpp; the metrics are documented in supervisor/README.md).
#include "core/prometheus.hpp"

#include "core/link_state.hpp"
#include "firewall/core/lifecycle.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace pppkit::supervisor {

namespace {

using nlohmann::json;

// Every state of core/link_state.hpp and firewall::Loaded: a link (the
// firewall) has one pppkit_link_state (pppkit_firewall_loaded) sample per
// state, 1 for its own, so that an alert can match a state that is absent.
constexpr LinkState kStates[] = {LinkState::Stopped,    LinkState::WaitingForLan, LinkState::Dialling,
                                 LinkState::Up,         LinkState::BackingOff,    LinkState::StoppedByUser,
                                 LinkState::FailedAuth, LinkState::FailedConfig};
constexpr firewall::Loaded kLoaded[] = {firewall::Loaded::Current, firewall::Loaded::Failsafe, firewall::Loaded::Stale,
                                        firewall::Loaded::Missing};

std::string num(double v)
{
    char b[40];
    if (v == static_cast<double>(static_cast<long long>(v)) && v > -1e15 && v < 1e15)
        std::snprintf(b, sizeof b, "%lld", static_cast<long long>(v));
    else
        std::snprintf(b, sizeof b, "%.9g", v);
    return b;
}

const json* field(const json& j, std::initializer_list<const char*> path)
{
    const json* p = &j;
    for (const char* k : path) {
        if (!p->is_object())
            return nullptr;
        auto it = p->find(k);
        if (it == p->end())
            return nullptr;
        p = &*it;
    }
    return p;
}

std::string text(const json& j, std::initializer_list<const char*> path)
{
    const json* p = field(j, path);
    if (p == nullptr)
        return "";
    if (p->is_string())
        return p->get<std::string>();
    if (p->is_number_integer())
        return std::to_string(p->get<long long>());
    return "";
}

// One metric family: its header, then its samples.
struct Family {
    const char* name;
    const char* type;  // gauge, counter
    const char* help;
    std::vector<std::pair<std::string, std::string>> samples;  // labels ("" or {a="b"}), value

    void add(const std::string& labels, double v) { samples.emplace_back(labels, num(v)); }
    void emit(std::string& out) const
    {
        if (samples.empty())
            return;
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
        for (const auto& [labels, value] : samples)
            out += std::string(name) + labels + " " + value + "\n";
    }
};

std::string labels(std::initializer_list<std::pair<const char*, std::string>> kv)
{
    std::string s = "{";
    for (const auto& [k, v] : kv) {
        if (s.size() > 1)
            s += ",";
        s += std::string(k) + "=\"" + prometheus_label(v) + "\"";
    }
    return s + "}";
}

}  // namespace

std::string prometheus_label(const std::string& v)
{
    std::string o;
    for (char c : v) {
        if (c == '\\')
            o += "\\\\";
        else if (c == '"')
            o += "\\\"";
        else if (c == '\n')
            o += "\\n";
        else
            o += c;
    }
    return o;
}

long long parse_iso_utc(const std::string& s)
{
    // exactly "YYYY-MM-DDTHH:MM:SSZ", as pppkitd writes it
    if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return -1;
    auto field = [&s](size_t at, size_t len, int lo, int hi) {
        int v = -1;
        const char* end = s.data() + at + len;
        auto r = std::from_chars(s.data() + at, end, v);
        return r.ec == std::errc() && r.ptr == end && v >= lo && v <= hi ? v : -1;
    };
    std::tm tm{};
    tm.tm_year = field(0, 4, 1970, 9999) - 1900;
    tm.tm_mon = field(5, 2, 1, 12) - 1;
    tm.tm_mday = field(8, 2, 1, 31);
    tm.tm_hour = field(11, 2, 0, 23);
    tm.tm_min = field(14, 2, 0, 59);
    tm.tm_sec = field(17, 2, 0, 60);
    if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mday < 0 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
        return -1;
    return static_cast<long long>(timegm(&tm));
}

std::string prometheus_daemon_down()
{
    Family up{"pppkit_daemon_up", "gauge", "1 when pppkitd answered on its control socket, 0 when not", {}};
    up.add("", 0);
    std::string out;
    up.emit(out);
    return out;
}

std::string to_prometheus(const json& status)
{
    Family up{"pppkit_daemon_up", "gauge", "1 when pppkitd answered on its control socket, 0 when not", {}};
    Family link_up{"pppkit_link_up", "gauge", "1 when the link is up (state up), else 0", {}};
    Family state{"pppkit_link_state", "gauge", "1 for the link's current state, 0 for the others", {}};
    Family since{"pppkit_link_state_since_timestamp_seconds",
                 "gauge",
                 "when the link entered its current state (Unix time)",
                 {}};
    Family info{
        "pppkit_link_info", "gauge", "always 1; the link's interface, addresses, PPPoE session and pppd in labels", {}};
    Family mtu{"pppkit_link_mtu_bytes", "gauge", "the MTU of the link's PPP interface", {}};
    Family dials{"pppkit_link_dials_total", "counter", "pppd started for the link by this pppkitd", {}};
    Family redials{"pppkit_link_redials_total", "counter", "dials after the first one", {}};
    Family auth{"pppkit_link_auth_failures", "gauge", "authentication failures in a row", {}};
    Family backoff{"pppkit_link_backoff_remaining_seconds", "gauge", "time left until the next dial", {}};
    Family events{"pppkit_link_events_total", "counter", "events accepted from the link's pppd", {}};
    Family exit_status{"pppkit_link_last_exit_status", "gauge", "exit status of the link's last pppd (pppd(8))", {}};
    Family exit_signal{"pppkit_link_last_exit_signal", "gauge", "signal that ended the link's last pppd", {}};
    Family fw_loaded{"pppkit_firewall_loaded",
                     "gauge",
                     "1 for what the drift repair found loaded: current, failsafe, stale or missing",
                     {}};
    Family fw_repairs{"pppkit_firewall_repairs_total",
                      "counter",
                      "drift repairs: pppkit's tables re-asserted after someone else changed them",
                      {}};
    Family fw_guard{"pppkit_firewall_flush_guard",
                    "gauge",
                    "1 while pppkitd's owned table inet pppkit_guard drops what arrives when pppkit_fw is gone",
                    {}};
    Family fw_last{"pppkit_firewall_last_repair_timestamp_seconds", "gauge", "when the last drift repair ran", {}};
    Family fw_ms{"pppkit_firewall_last_repair_duration_seconds", "gauge", "how long the last drift repair took", {}};

    up.add("", 1);
    if (const json* ls = field(status, {"links"}); ls != nullptr && ls->is_array()) {
        for (const auto& l : *ls) {
            const std::string name = text(l, {"name"});
            if (name.empty())
                continue;
            const std::string L = labels({{"link", name}});
            const std::string st = text(l, {"state"});
            link_up.add(L, st == "up" ? 1 : 0);
            for (LinkState s : kStates)
                state.add(labels({{"link", name}, {"state", std::string(state_name(s))}}), st == state_name(s) ? 1 : 0);
            if (long long t = parse_iso_utc(text(l, {"since"})); t >= 0)
                since.add(L, static_cast<double>(t));
            info.add(labels({{"link", name},
                             {"ifname", text(l, {"ifname"})},
                             {"ipv4", text(l, {"ipv4", "local"})},
                             {"ipv4_peer", text(l, {"ipv4", "remote"})},
                             {"ipv6", text(l, {"ipv6", "local"})},
                             {"pppoe_session", text(l, {"pppoe", "session"})},
                             {"pppoe_ac_mac", text(l, {"pppoe", "ac_mac"})},
                             {"pppoe_ethernet", text(l, {"pppoe", "ethernet"})},
                             {"pid", text(l, {"pid"})},
                             {"adopted", l.value("adopted", false) ? "true" : "false"}}),
                     1);
            auto number = [&](Family& f, std::initializer_list<const char*> path, double scale = 1) {
                if (const json* v = field(l, path); v != nullptr && v->is_number())
                    f.add(L, v->get<double>() * scale);
            };
            number(mtu, {"mtu"});
            number(dials, {"dials"});
            number(redials, {"redials"});
            number(auth, {"auth_failures"});
            number(backoff, {"backoff_left_ms"}, 0.001);
            number(events, {"events"});
            number(exit_status, {"last_exit", "status"});
            number(exit_signal, {"last_exit", "signal"});
        }
    }
    if (const json* fw = field(status, {"firewall"}); fw != nullptr && fw->is_object()) {
        const std::string loaded = text(*fw, {"loaded"});
        for (firewall::Loaded s : kLoaded)
            fw_loaded.add(labels({{"state", std::string(firewall::to_string(s))}}),
                          loaded == firewall::to_string(s) ? 1 : 0);
        if (const json* v = field(*fw, {"repairs"}); v != nullptr && v->is_number())
            fw_repairs.add("", v->get<double>());
        if (const json* v = field(*fw, {"guard"}); v != nullptr && v->is_boolean())
            fw_guard.add("", v->get<bool>() ? 1 : 0);
        if (long long t = parse_iso_utc(text(*fw, {"last_repair"})); t >= 0)
            fw_last.add("", static_cast<double>(t));
        if (const json* v = field(*fw, {"last_repair_ms"}); v != nullptr && v->is_number())
            fw_ms.add("", v->get<double>() / 1000.0);
    }
    std::string out;
    for (const Family* f : {&up, &link_up, &state, &since, &info, &mtu, &dials, &redials, &auth, &backoff, &events,
                            &exit_status, &exit_signal, &fw_loaded, &fw_repairs, &fw_guard, &fw_last, &fw_ms})
        f->emit(out);
    return out;
}

}  // namespace pppkit::supervisor
