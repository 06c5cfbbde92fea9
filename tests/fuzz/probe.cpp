// Fuzz target: the upstream probes' parsers (supervisor/core/probe): the
// ICMP echo reply check, which reads packets anyone on the link may send to
// pppkitd's ICMP socket, and the `probe =` target list of pppkit.conf.
// and which echo an ICMP error quotes (anyone may forge one).
// Oracles: no read past the packet (ASan); only an echo reply of the right
// type, sequence and (raw socket) identifier matches, so the packet pppkitd
// itself would send never does; accepted targets are 1-8, print back as
// text that parses to the same targets.
#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/probe.hpp"
#include "oracle.hpp"

using namespace pppkit::supervisor::probe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const std::span<const uint8_t> rest(data + 1, size - 1);
    const int family = (data[0] & 1) != 0 ? AF_INET6 : AF_INET;
    const bool ip_header = (data[0] & 2) != 0, check_id = (data[0] & 4) != 0;
    if ((data[0] & 8) == 0) {
        if (is_echo_reply(rest, family, ip_header, check_id, 0x1234, 7)) {
            const auto own = echo_request(family, 0x1234, 7);
            if (!ip_header && rest.size() >= 8 && rest[0] == own[0])
                fuzz::fail("an echo request matched as a reply", "");
        }
        if (is_echo_reply(echo_request(family, 0x1234, 7), family, false, true, 0x1234, 7))
            fuzz::fail("pppkitd's own request matches as a reply", "");
        // an ICMP error's quote (anyone may send one): only our own request matches
        if (quotes_echo_request(rest, family, check_id, 0x1234, 7)) {
            const auto own = echo_request(family, 0x1234, 7);
            if (rest[0] != own[0] || rest[1] != 0 || rest[6] != own[6] || rest[7] != own[7] ||
                (check_id && (rest[4] != own[4] || rest[5] != own[5])))
                fuzz::fail("an ICMP error quoting another echo matched", "");
        }
        if (!quotes_echo_request(echo_request(family, 0x1234, 7), family, true, 0x1234, 7))
            fuzz::fail("an ICMP error quoting pppkitd's own request does not match", "");
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
    auto r = parse_targets(text);
    const auto* ts = std::get_if<std::vector<Target>>(&r);
    if (ts == nullptr)
        return 0;
    if (ts->empty() || ts->size() > kMaxTargets)
        fuzz::fail("accepted a number of targets out of 1-8", text);
    std::string joined;
    for (const auto& t : *ts)
        joined += (joined.empty() ? "" : ", ") + t.text();
    if (!fuzz::printable(joined))
        fuzz::fail("a target that prints unprintable", joined);
    auto again = parse_targets(joined);
    const auto* ts2 = std::get_if<std::vector<Target>>(&again);
    if (ts2 == nullptr || *ts2 != *ts)
        fuzz::fail("targets that do not parse back from their text", joined);
    return 0;
}
