// online.hpp - the pure parts of boot ordering (issue 8 section 7):
//  - OnlineGate: when a link counts as online for pppkit-online@NAME.target,
//    from the plugins' Applied messages (event_codec.hpp);
//  - the [pppkitd] section: status-listen, the opt-in LAN status answer;
//  - that answer's wire format, for the daemon and `pppkit wait-online --remote`;
//  - RateLimiter: token buckets per source and overall.
// Pure: time is an input; nothing here logs or touches a socket.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"

namespace pppkit::supervisor::online {

// One link's "in place" bookkeeping. The link is online when pppkitd saw it up
// AND, for one kind of up (ip-up or ipv6-up), every pppkit plugin its pppd
// loaded said Applied, in place. A pppd whose plugins did not say which they
// are (an older plugin, or a pppd adopted after pppkitd restarted, whose rules
// were applied before) is online when it is up.
struct Gate {
    std::optional<std::set<std::string>> expected;    // from Hello/ip-up: "firewall", "mss", ...
    std::map<std::pair<std::string, int>, bool> got;  // (plugin, up type) -> in place

    void new_pppd();                           // a new pppd: nothing known
    void down();                               // ip-down, link-down, pppd gone: the next up starts over
    void expect(std::string_view comma_list);  // "firewall,mss"; "" keeps what is known
    void applied(const std::string& plugin, int up_type, bool in_place);
    [[nodiscard]] bool ready() const;
    // For status: the plugins not yet in place (of the closest kind of up),
    // and those that said failed.
    [[nodiscard]] std::vector<std::string> pending() const;
    [[nodiscard]] std::vector<std::string> failed() const;
};

// ---- [pppkitd] status-listen = ADDR[:PORT], ... ----------------------------

// The default port of status-listen and of `pppkit wait-online --remote`.
// Below 1024, so that only root (CAP_NET_BIND_SERVICE) can bind it: on an
// unprivileged port (the old 8639) a local user who binds the LAN address
// first answers every LAN client's question. 939: not in netbase's
// /etc/services, bound by no Debian daemon by default, and not a port LAN
// hosts use in practice (DNS-over-TLS 853, rsync 873, rndc 953, ftps 989/990,
// imaps 993, pop3s 995 are elsewhere).
inline constexpr uint16_t kDefaultPort = 939;
// Linux's net.ipv4.ip_unprivileged_port_start when not lowered: ports from
// here up may be bound by any user.
inline constexpr unsigned kUnprivilegedPortStart = 1024;

struct ListenAddr {
    std::string address;  // numeric IPv4 or IPv6, never a wildcard
    uint16_t port = kDefaultPort;
    bool operator==(const ListenAddr&) const = default;
};

// "192.168.1.1", "192.168.1.1:8639", "[fd00::1]:8639"; nullopt when not one.
[[nodiscard]] std::optional<ListenAddr> parse_listen(std::string_view v);
// The schema's per-item check: a wildcard or multicast address is refused.
[[nodiscard]] std::optional<std::string> check_listen(std::string_view v);
// The [pppkitd] section (registered with [link NAME] in schema.cpp).
[[nodiscard]] std::vector<config::SectionSpec> pppkitd_sections();
// status-listen of a validated document, in order, duplicates dropped.
[[nodiscard]] std::vector<ListenAddr> read_listen(const config::Document& doc);
// Warnings, not problems (pppkitd still listens there): one per status-listen
// item whose port (given, or the default) is unprivileged_from or above, as
// "file:line: [pppkitd] status-listen: port N is unprivileged: any local user
// can bind it first (got 'ITEM')". unprivileged_from: the host's
// net.ipv4.ip_unprivileged_port_start (kUnprivilegedPortStart unless lowered).
[[nodiscard]] std::vector<config::Diagnostic> listen_warnings(const config::Document& doc, unsigned unprivileged_from);
// The text of /proc/sys/net/ipv4/ip_unprivileged_port_start ("1024\n") as a
// number; kUnprivilegedPortStart when it is not one (the file unreadable: "").
[[nodiscard]] unsigned unprivileged_port_start(std::string_view proc_text);

// ---- the LAN status answer, one request and one answer per TCP connection ---
// Request: "online NAME\n", or "online\n" for every autostart link; at most
// kMaxRequest bytes. Answer: one word and "\n". Read-only: nothing else is
// understood, no state, address or configuration is ever sent.

inline constexpr size_t kMaxRequest = 80;

enum class Answer { Online, Offline, Unknown, Busy, Error };

// The NAME asked for ("" for every autostart link), or nullopt when the
// bytes are not a request (bad word, bad name, no newline, too long).
[[nodiscard]] std::optional<std::string> parse_request(std::string_view bytes);
[[nodiscard]] std::string request(const std::string& name);
[[nodiscard]] std::string_view answer_line(Answer a);  // "online\n"
// What a server sent (the client treats it as hostile): nullopt unless exactly one known line.
[[nodiscard]] std::optional<Answer> parse_answer(std::string_view bytes);

// ---- rate limit: a token bucket per source address and one for all ---------

struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;
};

class RateLimiter {
public:
    struct Policy {
        double per_source_burst = 5, per_source_per_s = 2;
        double all_burst = 20, all_per_s = 10;
        size_t max_sources = 256;  // the oldest source is forgotten beyond this
    };
    RateLimiter() = default;
    explicit RateLimiter(Policy p) : p_(p) {}
    // True when a request from `source` at now_ms may be answered (and takes a token).
    bool allow(const std::string& source, int64_t now_ms);

private:
    Policy p_;
    Bucket all_{-1, 0};
    std::map<std::string, Bucket> sources_;
};

}  // namespace pppkit::supervisor::online
