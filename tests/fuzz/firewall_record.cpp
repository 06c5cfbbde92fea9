// Fuzz target: the firewall's link record reader (firewall::parse_record in
// plugins/firewall/core/lifecycle), which `pppkit firewall apply` and
// pppkitd use to bring a flushed table's links back from
// /run/pppkit/firewall/PID.
// Oracles: parse_record never crashes; what it takes is exactly what
// record_of writes (the input byte for byte), with a valid interface name,
// a canonical IPv4 address or none, a valid link name or none, and nonzero
// numbers; so parse_record(record_of(r)) == r.
#include <cstdint>
#include <string>

#include "common/ifname.hpp"
#include "firewall/core/firewall.hpp"
#include "firewall/core/lifecycle.hpp"
#include "oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit::firewall;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto r = parse_record(text);
    if (!r)
        return 0;
    if (!pppkit::ifname::valid_name(r->link.ifname))
        fuzz::fail("an invalid interface name taken", r->link.ifname);
    if (!r->link.name.empty() && !valid_link_name(r->link.name))
        fuzz::fail("an invalid link name taken", r->link.name);
    if (r->ifindex == 0 || r->start == 0 || r->netns == 0)
        fuzz::fail("a zero ifindex, start time or namespace taken", text);
    const std::string back = record_of(*r);
    if (back != text)
        fuzz::fail("a record that record_of does not write", text);
    if (parse_record(back) != r)
        fuzz::fail("record_of's text read back differently", back);
    return 0;
}
