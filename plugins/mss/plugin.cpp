// plugin.cpp - pppkit-mss.so: the pppd adapter over mss/core.
//
// pppd options (in /etc/ppp/peers/<peer>, after "plugin pppkit-mss.so"):
//   pppkit-mss auto|pmtu|N   overrides [mss] mss
//   pppkit-mss-ipv4 yes|no   overrides [mss] ipv4
//   pppkit-mss-ipv6 yes|no   overrides [mss] ipv6
//
// Events (see mss/core/apply.hpp for the kernel side):
//   configure()  at the first phase change, before dialling: loads pppkit.conf,
//                creates the nftables context, installs (or refreshes) the
//                shared table inet pppkit_mss and drops elements that killed
//                pppds left behind. Not time-critical.
//   ip-up, ipv6-up      the first of them adds the link's elements (one
//                       transaction, ~0.1 ms); the second finds them in place.
//   ip-down, ipv6-down  once both families are down, deletes them.
//   exit                deletes them if still there. The table stays: it is
//                       shared with other links and inert when empty.
// Failures are logged and the link stays up: MSS clamping is not a security
// control.
#include <memory>

#include "common/nft.hpp"
#include "host/host.hpp"
#include "mss/core/apply.hpp"
#include "mss/core/mss.hpp"
#include "registry.hpp"

namespace {

using namespace pppkit;
using host::Level;

class MssPlugin final : public host::Plugin {
public:
    const char* name() const noexcept override { return "pppkit-mss"; }

    void register_options() override
    {
        host::add_option("pppkit-mss", "TCP MSS clamp: auto, pmtu or a number", true,
                         [this](std::string_view v) -> std::optional<std::string> {
                             mss::Settings s;
                             if (auto p = mss::parse_mode(v, s))
                                 return "pppkit-mss: " + *p;
                             opt_mode_ = s;
                             return std::nullopt;
                         });
        host::add_option("pppkit-mss-ipv4", "clamp IPv4 SYNs: yes or no", true,
                         [this](std::string_view v) { return parse_flag("pppkit-mss-ipv4", v, opt_ipv4_); });
        host::add_option("pppkit-mss-ipv6", "clamp IPv6 SYNs: yes or no", true,
                         [this](std::string_view v) { return parse_flag("pppkit-mss-ipv6", v, opt_ipv6_); });
    }

    std::vector<std::string> configure() override
    {
        auto cfg = load_plugin_config(host::config_path(), host::config_path_explicit(), &mss::kSchema);
        std::vector<std::string> problems;
        for (const auto& d : cfg.diags)
            problems.push_back(d.str());
        if (!problems.empty())
            return problems;
        settings_ = mss::from_config(cfg.doc);  // without [mss]: the documented defaults
        if (opt_mode_) {
            settings_.mode = opt_mode_->mode;
            settings_.fixed = opt_mode_->fixed;
        }
        if (opt_ipv4_)
            settings_.ipv4 = *opt_ipv4_;
        if (opt_ipv6_)
            settings_.ipv6 = *opt_ipv6_;
        if (!settings_.enabled) {
            host::log(Level::Info, "disabled by [mss] enabled = no");
            return {};
        }
        k_ = std::make_unique<mss::Kernel>();
        // Loading the table here, before dialling, leaves ip-up a single
        // netlink batch (~0.1 ms) instead of a ruleset (~10 ms cold).
        auto base = mss::install_base(*k_);
        if (!base.ok())
            host::log(Level::Warn, "nftables refused the MSS table (" + base.error +
                                       "); ip-up will try again, and the link comes up without clamping if it fails");
        else if (base.outcome == mss::Outcome::Recreated)
            host::log(Level::Warn, recreated(base.error));
        for (const auto& n : mss::purge_absent(*k_))
            host::log(Level::Info, "removed the MSS clamp of " + n + ", left by a pppd that did not clean up");
        return {};
    }

    void on_ip_up(const host::Link& l) override { up(l, v4_); }
    void on_ipv6_up(const host::Link& l) override { up(l, v6_); }
    void on_ip_down(const host::Link& l) override { down(l, v4_); }
    void on_ipv6_down(const host::Link& l) override { down(l, v6_); }

    void on_exit(const host::Link& /*l*/, int /*status*/) override
    {
        v4_ = v6_ = false;
        remove();
    }

    [[nodiscard]] bool in_place() const noexcept override { return in_place_; }

private:
    static std::optional<std::string> parse_flag(const char* opt, std::string_view v, std::optional<bool>& out)
    {
        auto b = config::parse_bool(v);
        if (!b)
            return std::string(opt) + ": expected yes or no (got '" + std::string(v) + "')";
        out = *b;
        return std::nullopt;
    }

    void up(const host::Link& l, bool& family_up)
    {
        family_up = true;
        in_place_ = !k_;  // no kernel context: [mss] enabled = no, nothing to put in place
        if (!k_)
            return;
        if (!mss::valid_ifname(l.ifname)) {
            host::log(Level::Error, "cannot clamp on interface '" + l.ifname + "': unusable name");
            return;
        }
        auto clamp = mss::compute(settings_, l.mtu);
        auto want = mss::entries(settings_, clamp);
        // A different interface than last time (pppd got another unit):
        // the old one's elements go first.
        if (!ifname_.empty() && ifname_ != l.ifname)
            remove();
        auto r = mss::install_link(*k_, l.ifname, installed_, want);
        in_place_ = r.outcome == mss::Outcome::Unchanged || r.ok();
        if (r.outcome == mss::Outcome::Unchanged)
            return;
        if (!r.ok()) {
            host::log(Level::Error, "could not install the MSS clamp, link stays up without clamping: " + r.error);
            installed_.clear();  // unknown now; the next ip-up starts over
            ifname_.clear();
            return;
        }
        ifname_ = l.ifname;
        installed_ = want;
        if (r.outcome == mss::Outcome::Repaired)
            host::log(Level::Info, "replaced stale MSS elements for " + l.ifname + " (" + r.error + ")");
        if (r.outcome == mss::Outcome::Recreated)
            host::log(Level::Warn, recreated(r.error));
        host::log(Level::Info, mss::describe(l.ifname, settings_, clamp, l.mtu) + ", in table inet pppkit_mss");
        if (mss::fit(settings_, clamp, l.mtu) == mss::Fit::AboveMtu)
            host::log(Level::Warn, mss::above_mtu(l.ifname, settings_, l.mtu));
    }

    // The line for Outcome::Recreated (why: nft's first line).
    static std::string recreated(const std::string& why)
    {
        return "table inet pppkit_mss had another shape (" + why +
               "): deleted and created it again; other links lose their clamp until their next ip-up";
    }

    void down(const host::Link& /*l*/, bool& family_up)
    {
        family_up = false;
        if (!v4_ && !v6_ && !ifname_.empty())
            remove();
    }

    void remove()
    {
        if (!k_ || ifname_.empty() || installed_.empty())
            return;
        auto r = mss::remove_link(*k_, ifname_, installed_);
        if (!r.ok())
            host::log(Level::Error, "could not remove the MSS clamp of " + ifname_ + ": " + r.error);
        else
            host::log(Level::Info, "removed the MSS clamp of " + ifname_);
        installed_.clear();
        ifname_.clear();
    }

    mss::Settings settings_;
    std::optional<mss::Settings> opt_mode_;
    std::optional<bool> opt_ipv4_, opt_ipv6_;
    std::unique_ptr<mss::Kernel> k_;     // created in configure()
    std::string ifname_;                 // the interface installed_ belongs to
    std::vector<mss::Entry> installed_;  // what this process put in the table
    bool v4_ = false, v6_ = false;
    bool in_place_ = false;  // the last up() left this link's elements in the table
};

}  // namespace

pppkit::host::Plugin* pppkit_make_plugin() { return new MssPlugin(); }
