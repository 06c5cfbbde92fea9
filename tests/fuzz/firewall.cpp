// Fuzz target: the firewall's ruleset generation. Every configuration the
// loader and from_config accept gives a ruleset whose values stay inside
// their quoting and pppkit's table (fuzz::expect_nft_text), and whose
// failsafe does too.
//
// The nft oracle: with PPPKIT_FUZZ_DUMP=DIR set, each accepted input's
// ruleset is also written to DIR/<name>.nft, and tests/fuzz/run.sh runs
// `nft -c` on each in a network namespace of its own. nft runs in a child
// process there and not here: libnftables 1.0.6 aborts on some input, and
// 10 ms per input would slow the search a hundredfold.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "common/schema.hpp"
#include "firewall/core/firewall.hpp"
#include "oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = config::parse_text(text, "/etc/ppp/pppkit.conf", schema());
    if (!r.ok()) {
        if (fuzz::verbose())
            for (const auto& d : r.diags)
                std::fprintf(stderr, "refused: %s\n", d.str().c_str());
        return 0;
    }
    auto lan = firewall::lan_interfaces(r.doc);
    fuzz::expect_nft_text(firewall::failsafe_ruleset(lan), "inet pppkit_fw");
    auto v = firewall::from_config(r.doc);
    auto* s = std::get_if<firewall::Settings>(&v);
    if (!s) {
        if (fuzz::verbose())
            for (const auto& d : std::get<std::vector<config::Diagnostic>>(v))
                std::fprintf(stderr, "refused: %s\n", d.str().c_str());
        return 0;
    }
    // one link without a name, and one in each link a forward names
    firewall::Dynamic d{{firewall::WanLink{"ppp0", "203.0.113.7", ""}}};
    for (size_t i = 0; i < s->links.size(); ++i)
        d.links.push_back(firewall::WanLink{"ppp" + std::to_string(i + 1), "203.0.113.8", s->links[i]});
    fuzz::expect_nft_text(firewall::full_ruleset(*s, d), "inet pppkit_fw");
    fuzz::expect_nft_text(firewall::link_update(*s, s->digest(), d.links, d.links.back()), "inet pppkit_fw");
    if (const char* dir = std::getenv("PPPKIT_FUZZ_DUMP")) {
        // nft -c cannot include a file that does not exist: the extras path
        // is checked by expect_nft_text above, the dump goes without it.
        s->extras.reset();
        auto name = std::to_string(std::hash<std::string_view>{}(text));
        std::ofstream(std::string(dir) + "/" + name + ".nft") << firewall::full_ruleset(*s, d);
        std::ofstream(std::string(dir) + "/" + name + ".failsafe.nft") << firewall::failsafe_ruleset(lan);
    }
    return 0;
}
