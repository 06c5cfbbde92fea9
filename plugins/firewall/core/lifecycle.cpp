#include "firewall/core/lifecycle.hpp"

#include <variant>

#include "common/schema.hpp"

namespace pppkit::firewall {
namespace {

// The names or addresses between "elements = {" and "}" of an nft listing.
std::vector<std::string> elements_of(const std::string& listing)
{
    std::vector<std::string> out;
    auto at = listing.find("elements = {");
    if (at == std::string::npos)
        return out;
    auto end = listing.find('}', at);
    std::string body = listing.substr(at + 12, end == std::string::npos ? std::string::npos : end - at - 12);
    for (auto& item : config::split_list(body)) {
        std::string v;
        for (char c : item)
            if (c != '"' && c != '\n' && c != '\t')
                v += c;
        if (!v.empty())
            out.push_back(v);
    }
    return out;
}

// The full ruleset through nft, on a fresh context when it defines
// variables (see needs_fresh_context).
nft::Result run_full(nft::Context& warm, const Settings& s, const Dynamic& d, bool dry)
{
    std::string text = full_ruleset(s, d);
    if (needs_fresh_context(s)) {
        nft::Context fresh;
        return dry ? fresh.check(text) : fresh.run(text);
    }
    return dry ? warm.check(text) : warm.run(text);
}

}  // namespace

Prepared prepare(const std::string& main_file, bool must_exist)
{
    Prepared p;
    auto cfg = load_config(main_file, must_exist);
    p.files = cfg.doc.files.size();
    p.wan = wan_patterns(cfg.doc);
    p.configured = cfg.doc.first("firewall") != nullptr || cfg.doc.first("forward") != nullptr;
    for (const auto& d : cfg.diags)
        p.problems.push_back(d.str());
    if (!p.problems.empty())
        return p;
    auto r = from_config(cfg.doc);
    if (auto* diags = std::get_if<std::vector<config::Diagnostic>>(&r)) {
        for (const auto& d : *diags)
            p.problems.push_back(d.str());
        return p;
    }
    Settings s = std::get<Settings>(std::move(r));
    if (auto d = read_extras(s, cfg.doc)) {
        p.problems.push_back(d->str());
        return p;
    }
    p.settings = std::move(s);
    return p;
}

std::string_view to_string(Loaded l)
{
    switch (l) {
    case Loaded::Missing: return "missing";
    case Loaded::Failsafe: return "failsafe";
    case Loaded::Current: return "current";
    case Loaded::Stale: return "stale";
    }
    return "missing";
}

Loaded inspect(nft::Context& nft, const std::string& digest)
{
    // "list table" of a missing table fails; only the comment line matters,
    // but nft has no cheaper query for it.
    auto r = nft.run("list table inet " + std::string(kTable));
    if (!r.ok)
        return Loaded::Missing;
    if (r.output.find(kFailsafeMark) != std::string::npos)
        return Loaded::Failsafe;
    if (r.output.find("pppkit digest " + digest) != std::string::npos)
        return Loaded::Current;
    return Loaded::Stale;
}

Dynamic read_dynamic(nft::Context& nft)
{
    Dynamic d;
    std::string t = "inet " + std::string(kTable);
    if (auto r = nft.run("list set " + t + " active_wan"); r.ok)
        d.active_wan = elements_of(r.output);
    if (auto r = nft.run("list set " + t + " public4"); r.ok) {
        auto e = elements_of(r.output);
        if (!e.empty())
            d.public4 = e.front();
    }
    return d;
}

std::optional<std::string> check_in_kernel(nft::Context& nft, const Settings& s, const Dynamic& d)
{
    auto r = run_full(nft, s, d, true);
    if (r.ok)
        return std::nullopt;
    return "nft refused the ruleset: " + r.error;
}

ApplyResult apply_fail_closed(nft::Context& nft, const Prepared& p, const Dynamic& d)
{
    ApplyResult res;
    res.problems = p.problems;
    if (p.settings) {
        auto r = run_full(nft, *p.settings, d, false);
        if (r.ok) {
            res.outcome = Outcome::Applied;
            return res;
        }
        // One transaction: nothing of it was applied.
        res.problems.push_back("nft refused the ruleset: " + r.error);
    }
    switch (inspect(nft, "")) {
    case Loaded::Current:
    case Loaded::Stale: res.outcome = Outcome::KeptPrevious; return res;
    case Loaded::Failsafe: res.outcome = Outcome::KeptFailsafe; return res;
    case Loaded::Missing: break;
    }
    auto f = nft.run(failsafe_ruleset(p.wan));
    if (f.ok) {
        res.outcome = Outcome::FailsafeApplied;
    } else {
        res.outcome = Outcome::FailsafeFailed;
        res.problems.push_back("nft refused even the failsafe ruleset: " + f.error);
    }
    return res;
}

}  // namespace pppkit::firewall
