// online.hpp - the pure parts of boot ordering (issue 8 section 7):
//  - OnlineGate: when a link counts as online for pppkit-online@NAME.target,
//    from the plugins' Applied messages (event_codec.hpp);
//  - the [pppkitd] section: status-listen, the opt-in LAN status answer;
//  - that answer's wire format, for the daemon and `pppkit wait-online --remote`;
//  - RateLimiter: token buckets per source network (IPv4 /32, IPv6 /64) and overall;
//  - Slots: the connections waiting to ask, at most a few per address.
// Pure: time is an input; nothing here logs or touches a socket.
#pragma once

#include <array>
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

// ---- which interface status-listen may bind -------------------------------
// The listener is bound (SO_BINDTODEVICE) to the interface that holds its
// address. That interface must be LAN: if the address is on a WAN interface
// (IPCP gave ppp0 that address, a misconfiguration) the Internet would get
// the answers. What is WAN, as the firewall sees it:
struct InterfaceRoles {
    std::vector<std::string> wan;       // [firewall] wan patterns ("eth1", "wwan*")
    std::vector<std::string> lan;       // [firewall] lan-interfaces patterns; empty: not set
    std::vector<std::string> links;     // every supervised link's current interface (ppp0)
    std::vector<std::string> carriers;  // every link's PPPoE carrier (pppd's devnam, eth0)
};
enum class ListenSide {
    Lan,            // may be bound
    Ppp,            // ppp*: a PPP link's interface (an uplink's, or one a pppd may take)
    FirewallWan,    // matches a [firewall] wan pattern
    LinkInterface,  // a supervised link's interface
    Carrier,        // a link's PPPoE carrier: the ISP's Ethernet segment
    NotInLan,       // [firewall] lan-interfaces is set and does not match it
    NoName,         // not an interface name
};
// Where ifname stands (the first reason that applies, in the order above).
[[nodiscard]] ListenSide listen_side(std::string_view ifname, const InterfaceRoles& roles);
// "a PPP interface (ppp*)", ... for the log; "" for Lan.
[[nodiscard]] std::string_view listen_side_text(ListenSide s);
// An interface name pattern ("ppp*": a prefix; else the exact name) matches name.
[[nodiscard]] bool ifname_matches(std::string_view pattern, std::string_view name);

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

// ---- rate limit: a token bucket per source network and one for all ---------
// A source is a network, not an address: IPv4 /32, IPv6 /64 (a host takes
// any address of its /64 at will, privacy addresses), an IPv4-mapped IPv6
// address as its IPv4 address. Each source has its own bucket, so that one
// source that floods is refused alone; the overall bucket, well above one
// source's rate, only bounds what many sources at once may take.

struct SourceKey {
    bool v6 = false;
    std::array<uint8_t, 8> net{};  // IPv4: the 4 bytes, then zeros; IPv6: the /64
    bool operator==(const SourceKey&) const = default;
};
// The source of a numeric address ("192.168.1.10", "fd00::1"); nullopt when not one.
[[nodiscard]] std::optional<SourceKey> source_key(std::string_view address);

struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;
};

enum class Verdict {
    Allowed,        // answered (a token of the source's bucket and of the overall one taken)
    SourceLimited,  // this source used up its own bucket
    AllLimited,     // the overall bucket is used up (many sources at once)
};

class RateLimiter {
public:
    struct Policy {
        double per_source_burst = 5, per_source_per_s = 2;
        // above what 11 sources at their own rate take (22 a second): the old
        // 10 a second was used up by them, and every other source refused
        double all_burst = 100, all_per_s = 50;
        size_t max_sources = 64;  // the least recently seen source is forgotten beyond this
    };
    RateLimiter() = default;
    explicit RateLimiter(Policy p) : p_(p) {}
    // Whether a request from source at now_ms may be answered; Allowed takes a
    // token of the source's bucket and of the overall one, a refusal takes
    // none (SourceLimited nothing of the overall bucket, AllLimited nothing of
    // the source's). The table holds at most
    // max_sources sources: a new one beyond that replaces the least recently
    // seen, which starts again with a full bucket when it comes back.
    Verdict allow(const SourceKey& source, int64_t now_ms);
    [[nodiscard]] size_t sources() const { return sources_.size(); }

private:
    struct Entry {
        SourceKey key;
        Bucket bucket;
        int64_t seen_ms = 0;
    };
    Policy p_;
    Bucket all_{-1, 0};
    std::vector<Entry> sources_;  // at most p_.max_sources; a linear scan of 64 is cheap
};

// ---- connection slots: the clients that have not asked yet -------------------
// An accepted connection holds a slot from accept until its request line is
// answered, or until kRequestMs is over (then it is closed, unanswered). The
// contract with a client: connect, send the whole line at once, read one word.
// `pppkit wait-online --remote` sends the line as soon as it is connected,
// so on a LAN the line is there a round trip after accept (well under 10 ms);
// 500 ms leaves it a wide margin (a loaded Wi-Fi, a busy router) and is the
// longest time a client that sends nothing holds its slot. Short enough that
// the overall rate (RateLimiter::Policy all_per_s, 50 a second) cannot keep
// every slot held: 50 x 0.5 s = 25 connections in flight at most once the
// overall burst is spent, below Slots::Policy total (32).
// Before, a client had 2 s and there was no per-address cap: one LAN host
// with 9 or more addresses, each connecting and sending nothing, held all 32
// slots and other hosts were answered "busy" (6 of 8 tries with 14 addresses).
inline constexpr int64_t kRequestMs = 500;

// A client's address, the key of the per-address cap: the address itself
// (IPv4, or all 16 bytes of IPv6; an IPv4-mapped IPv6 address as its IPv4
// address). Not the rate limiter's /64: the IPv6 hosts of one LAN share a
// /64, and a cap of 2 for all of them would let one host's 2 idle
// connections refuse every other. A host's many IPv6 addresses are held by
// its /64's rate bucket instead (5 at once, then 2 a second, each held
// kRequestMs at most).
struct AddressKey {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // IPv4: the 4 bytes, then zeros
    bool operator==(const AddressKey&) const = default;
    bool operator<(const AddressKey& o) const { return v6 != o.v6 ? !v6 : bytes < o.bytes; }  // a map's order
};
// The key of a numeric address ("192.168.1.10", "fd00::1"); nullopt when not one.
[[nodiscard]] std::optional<AddressKey> address_key(std::string_view address);

enum class SlotVerdict {
    Free,         // a slot may be taken
    AddressFull,  // this address holds per_address connections already
    AllFull,      // every slot is held
};

// The open connections, counted per address. Pure bookkeeping: the daemon
// asks check() before the rate limiter (a refusal here takes no token), take()s
// the slot once the connection is accepted, release()s it when it closes. A
// refused connection is answered "busy" and closed at once: it never holds a slot.
class Slots {
public:
    struct Policy {
        size_t total = 32;       // connections open at once, from all addresses
        size_t per_address = 2;  // from one address
    };
    Slots() = default;
    explicit Slots(Policy p) : p_(p) {}
    [[nodiscard]] SlotVerdict check(const AddressKey& a) const;
    // check(), and when Free the slot is taken (held until release(a)).
    SlotVerdict take(const AddressKey& a);
    // A connection from a closed; releasing an address holding none is a no-op.
    void release(const AddressKey& a);
    [[nodiscard]] size_t open() const { return open_; }
    [[nodiscard]] size_t open_from(const AddressKey& a) const;
    [[nodiscard]] size_t addresses() const { return by_address_.size(); }  // those holding one or more
    [[nodiscard]] const Policy& policy() const { return p_; }

private:
    Policy p_;
    size_t open_ = 0;
    std::map<AddressKey, size_t> by_address_;  // never 0: an address is erased with its last slot
};

}  // namespace pppkit::supervisor::online
