// plugin.cpp - pppkit-mss.so: the pppd adapter over mss/core.
//
// pppd options (in /etc/ppp/peers/<peer>, after "plugin pppkit-mss.so"):
//   pppkit-mss auto|pmtu|N   overrides [mss] mss
//   pppkit-mss-ipv4 yes|no   overrides [mss] ipv4
//   pppkit-mss-ipv6 yes|no   overrides [mss] ipv6
//
// Events: configure() at the first phase change loads pppkit.conf and warms
// the nftables context; ip-up/ipv6-up install the interface's table in one
// transaction; when both families are down (ip-down/ipv6-down) and on exit the
// table is removed. Failures are logged and the link stays up: MSS clamping is
// not a security control.
#include <memory>

#include "common/nft.hpp"
#include "common/schema.hpp"
#include "host/host.hpp"
#include "mss/core/mss.hpp"

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
        auto cfg = load_config(host::config_path(), host::config_path_explicit());
        std::vector<std::string> problems;
        for (const auto& d : cfg.diags)
            problems.push_back(d.str());
        if (!problems.empty())
            return problems;
        mss::apply_config(cfg.doc, settings_);
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
        nft_ = std::make_unique<nft::Context>();
        // Warm the parser now, so that ip-up pays ~1 ms, not ~10 ms.
        auto probe = nft_->check(mss::ruleset("ppp0", settings_, mss::compute(settings_, 1492)));
        if (!probe.ok)
            host::log(Level::Warn, "nftables cannot take the MSS rules (" + probe.error +
                                       "); the link will come up without clamping");
        return {};
    }

    void on_ip_up(const host::Link& l) override { up(l, v4_); }
    void on_ipv6_up(const host::Link& l) override { up(l, v6_); }
    void on_ip_down(const host::Link& l) override { down(l, v4_); }
    void on_ipv6_down(const host::Link& l) override { down(l, v6_); }

    void on_exit(const host::Link& l, int /*status*/) override
    {
        v4_ = v6_ = false;
        remove(l.ifname.empty() ? installed_ : l.ifname);
    }

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
        if (!nft_)
            return;
        if (!mss::valid_ifname(l.ifname)) {
            host::log(Level::Error, "cannot clamp on interface '" + l.ifname + "': unusable name");
            return;
        }
        auto clamp = mss::compute(settings_, l.mtu);
        auto r = nft_->run(mss::ruleset(l.ifname, settings_, clamp));
        if (!r.ok) {
            host::log(Level::Error, "could not install MSS rules, link stays up without clamping: " + r.error);
            return;
        }
        installed_ = l.ifname;
        host::log(Level::Info,
                  mss::describe(l.ifname, settings_, clamp, l.mtu) + ", table inet " + mss::table_name(l.ifname));
    }

    void down(const host::Link& l, bool& family_up)
    {
        family_up = false;
        if (!v4_ && !v6_)
            remove(l.ifname.empty() ? installed_ : l.ifname);
    }

    void remove(const std::string& ifname)
    {
        if (!nft_ || ifname.empty() || installed_.empty())
            return;
        auto r = nft_->run(mss::removal(ifname));
        if (!r.ok)
            host::log(Level::Error, "could not remove MSS rules for " + ifname + ": " + r.error);
        else
            host::log(Level::Info, "removed MSS rules for " + ifname);
        installed_.clear();
    }

    mss::Settings settings_;
    std::optional<mss::Settings> opt_mode_;
    std::optional<bool> opt_ipv4_, opt_ipv6_;
    std::unique_ptr<nft::Context> nft_;
    std::string installed_;
    bool v4_ = false, v6_ = false;
};

}  // namespace

pppkit::host::Plugin* pppkit_make_plugin() { return new MssPlugin(); }
