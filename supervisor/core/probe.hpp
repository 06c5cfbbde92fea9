// probe.hpp - upstream probes of a link ([link NAME] probe = ...): the
// targets, the decision (when a link that pppd calls up but that carries
// nothing is re-dialled) and the ICMP echo bytes. Pure: time, results and
// packets are inputs; nothing here logs or opens a socket. The adapter that
// sends the probes is pppkitd/probe.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/config.hpp"

namespace pppkit::supervisor::probe {

// A target as [link NAME] probe = ... is parsed at load (common/config.hpp).
using Target = config::ProbeTarget;
using Kind = Target::Kind;

// "icmp 192.0.2.1, tcp 198.51.100.7:443, icmp 2001:db8::1, tcp [2001:db8::1]:443":
// the targets, or the problem (for `file:line: [link "x"] probe: problem`).
// At most kMaxTargets.
inline constexpr size_t kMaxTargets = 8;
[[nodiscard]] std::variant<std::vector<Target>, std::string> parse_targets(std::string_view v);
// parse_targets for the schema (KeySpec::parse): the targets, parsed once,
// at load, are what read_links() takes.
[[nodiscard]] std::variant<config::Value, config::Problem> check_targets(std::string_view v);

enum class Result {
    None,         // not probed yet
    Ok,           // echo reply, or the TCP connection was accepted
    Refused,      // TCP RST: the far end answered, so the link carries (counts as an answer)
    Timeout,      // nothing within probe-timeout
    Unreachable,  // the kernel refused at once (no route, ICMP unreachable, interface gone)
    Error,        // the socket could not be opened or bound
};
[[nodiscard]] std::string_view result_name(Result r);
[[nodiscard]] bool answered(Result r);

struct State {
    unsigned failed_rounds = 0;  // in a row: rounds in which no target answered
    unsigned rounds = 0;         // since the link came up
    unsigned redials = 0;        // redials this link's probes asked for, since pppkitd started
};

enum class Verdict {
    Fine,     // a target answered (or the link is not up: the round does not count)
    Failing,  // no target answered; failed_rounds < failures
    Redial,   // no target answered `failures` rounds in a row: SIGHUP the pppd
};

// One round (every target probed once) ended. link_up: pppd still says the
// link is up (a round that ends after ip-down does not count). After Redial
// the count starts again (a pppd that ignores SIGHUP is asked again
// `failures` rounds later).
[[nodiscard]] Verdict on_round(State& s, unsigned failures, bool link_up, std::span<const Result> results);
// A new link (ip-up after a dial): nothing of the last one counts.
void on_link_up(State& s);

// ICMP echo. An echo request with identifier id and sequence seq and 8 bytes
// of payload; the IPv4 checksum is filled in (the kernel fills ICMPv6's).
[[nodiscard]] std::vector<uint8_t> echo_request(int family, uint16_t id, uint16_t seq);
// Whether pkt, read from an ICMP socket, is the echo reply to (id, seq).
// ip_header: an IPv4 raw socket's packets start with the IP header.
// check_id: false on a ping datagram socket (the kernel matched the id).
[[nodiscard]] bool is_echo_reply(std::span<const uint8_t> pkt, int family, bool ip_header, bool check_id, uint16_t id,
                                 uint16_t seq);
// Whether an ICMP error is about the echo request (id, seq): quoted is what
// the socket's error queue (IP_RECVERR, MSG_ERRQUEUE) holds, the offending
// packet from its ICMP header on. Anyone can send an ICMP error quoting
// anything: only one about our own echo (random id and sequence each round)
// may end a probe; the others are ignored. check_id as above.
[[nodiscard]] bool quotes_echo_request(std::span<const uint8_t> quoted, int family, bool check_id, uint16_t id,
                                       uint16_t seq);

}  // namespace pppkit::supervisor::probe
