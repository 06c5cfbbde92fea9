// Fuzz target: the nft extras file's text checks (check_extras_text). What
// they accept is the user's own nft text, which only nft can judge: with
// PPPKIT_FUZZ_DUMP=DIR set, each accepted input is written as DIR/<name>.extras
// with the ruleset that includes it, DIR/<name>.nft, and tests/fuzz/run.sh
// runs `nft -c` on it in a child. The text checks are a pre-filter: the
// product checks every extras file with nft in a child before loading it
// (fail closed), so nft may refuse what they accept, and libnftables 1.0.6
// may even crash on it (issue 14; noted, not failed). What the oracle
// asserts is that the extras cannot break pppkit's own lines: nft's first
// error points inside the extras file, never at a line of pppkit's (see
// run.sh). The dump holds the text as the product stages it (a final
// newline added): without it an unfinished last statement ("counter")
// would run into pppkit's closing '}' and nft would point there.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "common/schema.hpp"
#include "firewall/core/firewall.hpp"
#include "firewall/core/lifecycle.hpp"
#include "oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto problem = firewall::check_extras_text(text);
    if (problem) {
        if (problem->line < 0)
            fuzz::fail("a negative line number", problem->problem);
        return 0;
    }
    if (const char* dir = std::getenv("PPPKIT_FUZZ_DUMP")) {
        auto name = std::string(dir) + "/" + std::to_string(std::hash<std::string_view>{}(text));
        // What nft reads in the product: the sealed copy (lifecycle.hpp),
        // whose last line always ends in a newline.
        firewall::StagedExtras staged(std::string(text), name + ".extras");
        if (!staged.valid())
            std::abort();
        std::ifstream in(staged.ref(), std::ios::binary);
        std::ofstream(name + ".extras", std::ios::binary) << in.rdbuf();
        auto r = config::parse_text("[firewall]\nlan-interfaces = eth1\nlan-networks = 192.168.1.0/24\n"
                                    "extras = " +
                                        name + ".extras\n",
                                    "fuzz.conf", schema());
        auto v = firewall::from_config(r.doc);
        if (auto* s = std::get_if<firewall::Settings>(&v)) {
            s->extras_text = std::string(text);
            firewall::Dynamic d{{firewall::WanLink{"ppp0", std::nullopt, ""}}};
            std::ofstream(name + ".nft") << firewall::full_ruleset(*s, d);
        }
    }
    return 0;
}
