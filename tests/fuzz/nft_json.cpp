// Fuzz target: the readers of libnftables' JSON listings (common/nft_json.cpp)
// and the firewall's use of them (lifecycle.cpp: dynamic_from, loaded_from,
// failsafe_carriers).
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
    return 0;
}
