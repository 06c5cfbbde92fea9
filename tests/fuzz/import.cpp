// Fuzz target: the iptables importer (parse, map, render). Every
// translator run is taken as failed (the adapter runs iptables-restore-translate;
// here nothing runs). Oracle: the pppkit.conf the importer writes is one the
// loader and the firewall accept, and its ruleset passes the same text
// checks as the firewall target's: an import never hands the user a
// configuration that `pppkit check` refuses, that nft reads differently, or
// that nft refuses (tests/fuzz/run.sh runs nft -c on each imported ruleset).
// A script that names no LAN is the exception: the user must add it.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "common/schema.hpp"
#include "firewall/cli/core/import.hpp"
#include "firewall/core/firewall.hpp"
#include "oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit;
    namespace im = firewall::import;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = im::parse(text);
    auto m = im::map(parsed);
    std::vector<im::Translation> none;
    for (auto fam : {im::Family::V4, im::Family::V6})
        (void)im::translator_run(parsed, m, fam, none);
    std::vector<im::Translation> tr(m.leftovers.size(), im::Translation{std::nullopt, "not run"});
    auto x = im::render_extras(parsed, m, tr);
    (void)im::render_report(parsed, m, x, "fuzz.sh");
    std::string ini = im::render_ini(m, "fuzz.sh", "");
    auto r = config::parse_text(ini, "imported.conf", schema());
    if (!r.ok())
        fuzz::fail("the imported pppkit.conf is refused: " + r.diags.front().str(), ini);
    // A script that names no LAN leaves it to the user (the report says so):
    // from_config rightly refuses a firewall without one.
    if (m.lan_interfaces.empty() && m.lan_networks.empty())
        return 0;
    auto v = firewall::from_config(r.doc);
    if (auto* diags = std::get_if<std::vector<config::Diagnostic>>(&v))
        fuzz::fail("the imported pppkit.conf is refused: " + diags->front().str(), ini);
    firewall::Dynamic d{{firewall::WanLink{"ppp0", "203.0.113.7", ""}}};
    std::string ruleset = firewall::full_ruleset(std::get<firewall::Settings>(v), d);
    fuzz::expect_nft_text(ruleset, "inet pppkit_fw");
    // The nft oracle (tests/fuzz/run.sh), as for the firewall target.
    if (const char* dir = std::getenv("PPPKIT_FUZZ_DUMP"))
        std::ofstream(std::string(dir) + "/" + std::to_string(std::hash<std::string_view>{}(text)) + ".nft") << ruleset;
    return 0;
}
