// lifecycle.hpp - the fail-closed load sequence shared by pppkit-firewall.so
// (configure(), before pppd dials) and "pppkit firewall apply" (boot, through
// pppkit-firewall.service). Talks to the kernel through one nft::Context but
// never logs: it returns outcomes and messages, the adapters log them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/nft.hpp"
#include "firewall/core/firewall.hpp"

namespace pppkit::firewall {

// Config file -> Settings (with the extras text read and pre-checked).
struct Prepared {
    std::optional<Settings> settings;      // set when there are no problems
    std::vector<std::string> problems;     // "file:line: [section] key: problem (got 'value')"
    std::vector<std::string> wan{"ppp*"};  // for the failsafe, even when the config is broken
    size_t files = 0;
    // false when the files have no [firewall] and no [forward] section at
    // all (pppkit installed for its other plugins): the boot unit then loads
    // nothing. The plugin still treats it as an error (it was asked to filter).
    bool configured = false;
};
Prepared prepare(const std::string& main_file, bool must_exist);

// What table inet pppkit_fw holds now.
enum class Loaded {
    Missing,   // no table: nothing protects the WAN
    Failsafe,  // failsafe_ruleset(): everything from the WAN dropped
    Current,   // a full ruleset whose digest equals the config's
    Stale,     // a full ruleset from another config (or another pppkit version)
};
Loaded inspect(nft::Context& nft, const std::string& digest);
std::string_view to_string(Loaded l);

// The dynamic sets as loaded now (empty when the table or sets are missing).
Dynamic read_dynamic(nft::Context& nft);

enum class Outcome {
    Applied,          // the full ruleset is live
    KeptPrevious,     // config or ruleset refused; the previous full ruleset stays
    KeptFailsafe,     // refused; the failsafe was already there and stays
    FailsafeApplied,  // refused and nothing was loaded: the failsafe now drops the WAN
    FailsafeFailed,   // refused, and even the failsafe could not be loaded
};
struct ApplyResult {
    Outcome outcome = Outcome::FailsafeFailed;
    std::vector<std::string> problems;  // config diagnostics, or nft's (mapped) error
};
// Checks the full ruleset with nft (dry run), then applies it in one
// transaction. On any problem it never opens anything: see Outcome.
ApplyResult apply_fail_closed(nft::Context& nft, const Prepared& p, const Dynamic& d);
// The dry run alone (what "pppkit firewall check" and the plugin's warm-up do).
std::optional<std::string> check_in_kernel(nft::Context& nft, const Settings& s, const Dynamic& d);

}  // namespace pppkit::firewall
