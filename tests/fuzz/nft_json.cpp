// Fuzz target: the readers of libnftables' JSON listings (common/nft_json.cpp)
// and the firewall's use of them (lifecycle.cpp: dynamic_from, loaded_from,
// failsafe_carriers, stale_removals).
// Any input: no exception, no crash, and only what pppkit itself would have
// written comes back as a link (a valid interface name, an IPv4 address).
#include <arpa/inet.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/ifname.hpp"
#include "common/nft_json.hpp"
#include "firewall/core/lifecycle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)nft::sets_of(text);
    (void)nft::has_table(text);
    (void)firewall::loaded_from(text, "0123456789abcdef");
    for (const auto& c : firewall::failsafe_carriers(text))  // only names nft and Linux take as they are
        if (!ifname::valid_name(c))
            std::abort();
    for (const auto& l : firewall::dynamic_from(text).links) {
        if (!ifname::valid_name(l.ifname))
            std::abort();
        in_addr in{};
        if (l.public4 && inet_pton(AF_INET, l.public4->c_str(), &in) != 1)
            std::abort();
    }
    // a removal names only this link's interface and address, after the mark
    if (auto sets = nft::sets_of(text))
        for (bool whole : {false, true}) {
            const firewall::WanLink mine{"ppp0", "203.0.113.7", "a"};
            const auto changes = firewall::stale_removals(*sets, mine, whole);
            for (size_t i = 0; i < changes.size(); ++i) {
                const auto& c = changes[i];
                const bool mark = i < 2;
                if (mark != (c.set == firewall::kMarkSet) || (i == 1) != (c.op == nfnl::Op::Add))
                    std::abort();
                if (mark)
                    continue;
                const auto* ifn = std::get_if<nfnl::Ifname>(&c.key);
                const auto* addr = std::get_if<nfnl::Ipv4>(&c.key);
                if (!(ifn != nullptr && ifn->name == "ppp0") && !(addr != nullptr && addr->addr == "203.0.113.7"))
                    std::abort();
                if (ifn != nullptr && !whole && c.set != "wan_public4")
                    std::abort();
            }
        }
    return 0;
}
