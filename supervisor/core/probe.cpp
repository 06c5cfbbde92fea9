#include "core/probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

#include "common/text.hpp"

namespace pppkit::supervisor::probe {
namespace {

using text::trim;

// A numeric address of either family, normalised; 0: not one.
int parse_address(std::string_view s, std::string& out)
{
    if (s.empty() || s.size() >= INET6_ADDRSTRLEN)
        return 0;
    const std::string z(s);
    unsigned char buf[16];
    char b[INET6_ADDRSTRLEN] = "";
    for (int fam : {AF_INET, AF_INET6})
        if (inet_pton(fam, z.c_str(), buf) == 1 && inet_ntop(fam, buf, b, sizeof b) != nullptr) {
            out = b;
            return fam;
        }
    return 0;
}

std::variant<Target, std::string> parse_one(std::string_view item)
{
    const auto sp = item.find_first_of(" \t");
    if (sp == std::string_view::npos)
        return std::string("'icmp ADDRESS' or 'tcp ADDRESS:PORT' expected");
    const std::string_view kind = item.substr(0, sp);
    const std::string_view rest = trim(item.substr(sp));
    Target t;
    if (kind == "icmp") {
        t.kind = Kind::Icmp;
        t.family = parse_address(rest, t.address);
        if (t.family == 0)
            return "not an IP address: '" + std::string(rest) + "'";
        return t;
    }
    if (kind != "tcp")
        return "unknown probe kind '" + std::string(kind) + "' (icmp or tcp)";
    t.kind = Kind::Tcp;
    std::string_view host, port;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find("]:");
        if (close == std::string_view::npos)
            return std::string("'tcp [IPV6]:PORT' expected");
        host = rest.substr(1, close - 1);
        port = rest.substr(close + 2);
    } else {
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos || rest.find(':') != colon)
            return std::string("'tcp ADDRESS:PORT' expected (an IPv6 address in brackets)");
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    t.family = parse_address(host, t.address);
    if (t.family == 0 || (rest.front() == '[' && t.family != AF_INET6))
        return "not an IP address: '" + std::string(host) + "'";
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
        return "not a port (1-65535): '" + std::string(port) + "'";
    t.port = static_cast<uint16_t>(p);
    return t;
}

uint16_t checksum(std::span<const uint8_t> b)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < b.size(); i += 2)
        sum += static_cast<uint32_t>(b[i] << 8 | b[i + 1]);
    if (b.size() % 2 != 0)
        sum += static_cast<uint32_t>(b.back() << 8);
    while ((sum >> 16) != 0)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

constexpr uint8_t kPayload[8] = {'p', 'p', 'p', 'k', 'i', 't', '-', 'p'};

}  // namespace

std::variant<std::vector<Target>, std::string> parse_targets(std::string_view v)
{
    std::vector<Target> out;
    for (;;) {
        const auto comma = v.find(',');
        const std::string_view item = trim(v.substr(0, comma));
        if (item.empty())
            return std::string("an empty target (targets are separated by ',')");
        auto r = parse_one(item);
        if (auto* e = std::get_if<std::string>(&r))
            return *e;
        out.push_back(std::get<Target>(r));
        if (out.size() > kMaxTargets)
            return "more than " + std::to_string(kMaxTargets) + " targets";
        if (comma == std::string_view::npos)
            break;
        v.remove_prefix(comma + 1);
    }
    return out;
}

std::variant<config::Value, config::Problem> check_targets(std::string_view v)
{
    auto r = parse_targets(v);
    if (auto* e = std::get_if<std::string>(&r))
        return config::Problem{std::move(*e)};
    return config::Value{std::get<std::vector<Target>>(std::move(r))};
}

std::string_view result_name(Result r)
{
    switch (r) {
    case Result::None: return "none";
    case Result::Ok: return "ok";
    case Result::Refused: return "refused";
    case Result::Timeout: return "timeout";
    case Result::Unreachable: return "unreachable";
    case Result::Error: return "error";
    }
    return "?";
}

bool answered(Result r) { return r == Result::Ok || r == Result::Refused; }

Verdict on_round(State& s, unsigned failures, bool link_up, std::span<const Result> results)
{
    if (!link_up)
        return Verdict::Fine;
    ++s.rounds;
    for (Result r : results)
        if (answered(r)) {
            s.failed_rounds = 0;
            return Verdict::Fine;
        }
    if (++s.failed_rounds < failures)
        return Verdict::Failing;
    s.failed_rounds = 0;
    ++s.redials;
    return Verdict::Redial;
}

void on_link_up(State& s)
{
    s.failed_rounds = 0;
    s.rounds = 0;
}

std::vector<uint8_t> echo_request(int family, uint16_t id, uint16_t seq)
{
    std::vector<uint8_t> p(8 + sizeof kPayload, 0);
    p[0] = family == AF_INET6 ? 128 : 8;
    p[4] = static_cast<uint8_t>(id >> 8);
    p[5] = static_cast<uint8_t>(id);
    p[6] = static_cast<uint8_t>(seq >> 8);
    p[7] = static_cast<uint8_t>(seq);
    for (size_t i = 0; i < sizeof kPayload; ++i)
        p[8 + i] = kPayload[i];
    if (family == AF_INET) {
        const uint16_t c = checksum(p);
        p[2] = static_cast<uint8_t>(c >> 8);
        p[3] = static_cast<uint8_t>(c);
    }
    return p;
}

bool is_echo_reply(std::span<const uint8_t> pkt, int family, bool ip_header, bool check_id, uint16_t id, uint16_t seq)
{
    if (family == AF_INET && ip_header) {
        if (pkt.empty() || (pkt[0] >> 4) != 4)
            return false;
        const size_t ihl = static_cast<size_t>(pkt[0] & 0x0f) * 4;
        if (ihl < 20 || pkt.size() < ihl || pkt[9] != IPPROTO_ICMP)
            return false;
        pkt = pkt.subspan(ihl);
    }
    if (pkt.size() < 8)
        return false;
    const uint8_t reply = family == AF_INET6 ? 129 : 0;
    const auto rid = static_cast<uint16_t>(pkt[4] << 8 | pkt[5]);
    const auto rseq = static_cast<uint16_t>(pkt[6] << 8 | pkt[7]);
    return pkt[0] == reply && pkt[1] == 0 && (!check_id || rid == id) && rseq == seq;
}

bool quotes_echo_request(std::span<const uint8_t> quoted, int family, bool check_id, uint16_t id, uint16_t seq)
{
    if (quoted.size() < 8)
        return false;
    const uint8_t request = family == AF_INET6 ? 128 : 8;
    const auto qid = static_cast<uint16_t>(quoted[4] << 8 | quoted[5]);
    const auto qseq = static_cast<uint16_t>(quoted[6] << 8 | quoted[7]);
    return quoted[0] == request && quoted[1] == 0 && (!check_id || qid == id) && qseq == seq;
}

}  // namespace pppkit::supervisor::probe
