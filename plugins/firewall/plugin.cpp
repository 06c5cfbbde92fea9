// plugin.cpp - pppkit-firewall.so: the pppd adapter over firewall/core.
//
// pppd options: only the host's "pppkit-config FILE". Everything else is in
// [firewall] and [forward "name"] of pppkit.conf (see pppkit.conf(5)).
//
// Phases and notifiers (all on pppd's single thread; each callback is one
// in-process transaction: the link's elements as one nfnetlink element
// batch (common/nfnl.hpp), the full ruleset through a libnftables context
// warmed in configure()):
//   configure()  first phase change after pppd parsed every option
//                (SERIALCONN, or DORMANT with "demand"): before pppd opens the
//                device or dials. plugin_init is earlier but runs while the
//                options after "plugin ..." are still unparsed (pppkit-config
//                may come later), so it cannot know the config. Here:
//                config + extras validated, ruleset dry-run first in a
//                child process (libnftables 1.0.6 aborts on some malformed
//                extras: only the child dies; bounded wait, before dialling),
//                then in the kernel in-process (this warms the context: later
//                updates cost ~0.2 ms); the result is kept (Prepared::
//                isolated_ok), so a reload at ESTABLISH/ip-up never forks. Then
//                  - table inet pppkit_fw current (the boot unit loaded it): kept;
//                  - missing, failsafe or from another config: the full
//                    ruleset is loaded now, before the link exists;
//                  - a lan-interfaces item that matches pppd's devnam (the
//                    PPPoE carrier): refused like any problem, and the
//                    failsafe without it replaces what is loaded;
//                  - any problem: fail closed (previous ruleset kept, else the
//                    constant failsafe: input only from loopback and the LAN
//                    interfaces, no forwarding) and the problems go back to
//                    the host: pppd exits 2, the link never comes up. If even
//                    the constant failsafe cannot load: "NO FIREWALL", exit 2.
//   Per link: several pppds (ppp0, ppp1: two PPPoE sessions on one line)
//   share the table; each one adds and removes only its own elements (its
//   interface, its public address, its "call NAME" link's sets), one
//   transaction per event. The first update of this pppd reads what the
//   kernel holds (at ESTABLISH, before IPCP), to remove what a previous
//   pppd of the same link or interface left (kill -9: no ip-down), and any
//   link whose interface is gone; later updates know what they added.
//   phase ESTABLISH (pppd has created pppN, LCP not yet run, interface down):
//                the interface joins sets active_wan and wan (and its link's
//                set), so it is WAN even when no [firewall] wan pattern
//                matches it.
//                Unless a lan-interfaces item matches it (the uplink's pppd
//                without `unit` took a pppN the LAN's PPP servers use): then,
//                as with the carrier, the failsafe without that item
//                replaces the ruleset and pppd exits 2 once the callback
//                returned (host::stop_pppd). Checked again at ip-up, and in
//                configure() with demand (the unit exists already).
//   ip-up        (runs after the interface is up, before pppd forks the
//                ip-up scripts): this link's public address joins public4
//                (and its link's set) in one transaction: NAT reflection
//                follows the address. If the kernel disagrees with what the
//                plugin remembers, it reads the state and tries once more;
//                if the table vanished meanwhile, the full ruleset is loaded
//                again with every link the kernel still held, from the
//                configuration file as it is now. Every update names the
//                configuration it was computed from (link_changes: its link
//                sets are numbered by it): after a reload the kernel refuses
//                it, and the plugin takes the file's settings when they are
//                what is loaded, else leaves the table alone.
//   ip-down      this link's public address leaves public4 (and its link's
//                set); the interface stays in active_wan and wan, WAN while it lives
//                (IPv6CP may still be up).
//   phase DEAD   (the link is over, pppd has released its unit) and exit:
//                this link's elements are removed once its interface is
//                gone; every rule and every other link's elements stay.
//   Before each update its record (/run/pppkit/firewall/PID, lifecycle.hpp)
//   says what this pppd's elements are, for a full load after a flush or
//   one that raced the update (apply_current); removed with them.
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

#include "common/ifname.hpp"
#include "common/nfnl.hpp"
#include "common/nft.hpp"
#include "firewall/core/firewall.hpp"
#include "firewall/core/lifecycle.hpp"
#include "host/events.hpp"
#include "host/host.hpp"

namespace {

using namespace pppkit;
using namespace pppkit::firewall;
using host::Level;

double ms_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string fmt_ms(double ms)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f ms", ms);
    return buf;
}

class FirewallPlugin final : public host::Plugin {
public:
    const char* name() const noexcept override { return "pppkit-firewall"; }

    std::vector<std::string> configure() override
    {
        // pppd's devnam (PPPoE: the carrier's Ethernet device) is never
        // LAN: a lan-interfaces item matching it is refused (prepare).
        Prepared p = prepare(host::config_path(), host::config_path_explicit(), host::link().devnam);
        nft_ = std::make_unique<nft::Context>();
        if (p.settings) {
            // First in a child process (libnftables may abort on the user's
            // extras text; a bounded wait is fine before dialling), then in
            // this process, which warms the parser so that ip-up pays ~1 ms.
            if (auto err = check_in_kernel(*nft_, p, sample_dynamic(*p.settings))) {
                p.problems.push_back(*err);
                p.settings.reset();
            }
        }
        if (!p.settings)
            return fail_closed(p);
        // with demand, pppd made its unit already: is it taken for LAN?
        const std::string ifn = host::link().ifname;
        if (auto refused = lan_link_refused(p, ifn))
            return *refused;

        prepared_ = std::move(p);
        const Settings& s = *prepared_->settings;
        digest_ = s.digest();
        Loaded loaded = inspect(*nft_, digest_);
        if (loaded == Loaded::Current) {
            warm();
            host::log(Level::Info, "boot ruleset in place (table inet pppkit_fw, digest " + digest_ + "), kept");
            forwarding(s);
            return {};
        }
        // Another config's ruleset may carry a live link's dynamic state;
        // after a flush, the other pppds' records do.
        auto t0 = std::chrono::steady_clock::now();
        spent_.reset();
        auto r = apply_current(
            *nft_, *prepared_, [&] { return dynamic_to_load(*nft_); }, [&] { return nl_.generation(); });
        keep_spent(r);
        if (r.outcome != Outcome::Applied) {
            prepared_.reset();
            r.problems.push_back(describe(r.outcome));
            return r.problems;
        }
        warm();
        host::log(loaded == Loaded::Stale ? Level::Notice : Level::Warn,
                  std::string(loaded == Loaded::Stale      ? "ruleset from another config replaced"
                              : loaded == Loaded::Failsafe ? "failsafe ruleset replaced"
                                                           : "no boot ruleset (is pppkit-firewall.service enabled?)") +
                      ": loaded table inet pppkit_fw before dialling (" + std::to_string(s.forwards.size()) +
                      " forwards, " + fmt_ms(ms_since(t0)) + ")");
        forwarding(s);
        return {};
    }

    // Once this configuration's ruleset is in the kernel (configure(), before
    // the dial): IPv4 forwarding on unless forwarding = no (set_forwarding).
    static void forwarding(const Settings& s)
    {
        for (const auto& l : firewall::describe(set_forwarding(s)))
            host::log(l.warn ? Level::Warn : Level::Notice, l.text);
    }

    void on_phase(host::Phase ph) override
    {
        if (!prepared_)
            return;
        if (ph == host::Phase::Dead) {
            // The link is over and pppd has released its unit (not with
            // demand: the interface stays): this link's elements go now, so
            // that a redial on another unit never takes out the name another
            // pppd has meanwhile (the one it now has stays WAN).
            if (mine_ && ::if_nametoindex(mine_->ifname.c_str()) == 0)
                update(std::nullopt, "link down");
            return;
        }
        if (ph != host::Phase::Establish)
            return;
        host::Link l = host::link();
        if (l.ifname.empty())
            return;
        if (!ifname::valid_name(l.ifname)) {
            host::log(Level::Error, "interface name from pppd refused: not a valid interface name");
            return;
        }
        if (refused_as_lan(l.ifname))
            return;
        if (!wan_matches(prepared_->settings->wan, l.ifname))
            host::log(Level::Warn, l.ifname + " is not matched by [firewall] wan; it is WAN through set wan");
        update(WanLink{l.ifname, std::nullopt, peer_}, "establish");
    }

    void on_ip_up(const host::Link& l) override
    {
        in_place_ = false;
        if (!prepared_ || !ifname::valid_name(l.ifname) || refused_as_lan(l.ifname))
            return;
        update(WanLink{l.ifname, l.local4 != 0 ? std::optional<std::string>(l.local4_str()) : std::nullopt, peer_},
               "ip-up");
    }

    // IPCP is down, the interface may live on (IPv6CP still up, IPCP
    // renegotiated): only the address goes; the interface stays WAN (in
    // active_wan, wan and its link's set) until pppd exits.
    void on_ip_down(const host::Link& l) override
    {
        if (!prepared_ || (!mine_ && synced_))
            return;
        const std::string ifn = mine_ ? mine_->ifname : l.ifname;
        if (ifname::valid_name(ifn))
            update(WanLink{ifn, std::nullopt, peer_}, "ip-down");
        else
            update(std::nullopt, "ip-down");
    }

    void on_exit(const host::Link& /*l*/, int /*status*/) override
    {
        if (prepared_ && mine_)
            update(std::nullopt, "exit");
    }

private:
    // A dry run of the ip-up transaction: the context's parser is ready
    // (with extras the full ruleset went through a fresh context).
    void warm()
    {
        nft_->check(link_update(*prepared_->settings, digest_, {WanLink{"ppp0", "192.0.2.1", peer_}},
                                WanLink{"ppp0", "192.0.2.1", peer_}));
    }

    // Config or ruleset refused: keep what protects the box, and stop pppd.
    // taken: the WAN-side interface p.wan_in_lan says lan-interfaces took.
    std::vector<std::string> fail_closed(const Prepared& p, const std::string& taken = "the PPPoE device")
    {
        Prepared refused = p;  // keeps p.lan for the failsafe
        refused.settings.reset();
        auto r = apply_fail_closed(*nft_, refused, Dynamic{});
        std::vector<std::string> problems = p.problems;
        if (p.wan_in_lan && r.outcome == Outcome::FailsafeApplied)
            problems.push_back("the failsafe replaced the loaded ruleset, which took " + taken +
                               " for LAN (input only " +
                               (refused.lan.empty() ? "from loopback" : "from loopback and the other LAN interfaces") +
                               ", no forwarding)");
        else
            problems.push_back(describe(r.outcome));
        return problems;
    }

    // This link's own interface (ifn) matches a lan-interfaces item of p's
    // valid config: treated like the PPPoE carrier under lan-interfaces (the
    // failsafe without that item replaces whatever is loaded, pppd stops).
    // The problems to log; nullopt when no item matches ifn.
    std::optional<std::vector<std::string>> lan_link_refused(Prepared p, const std::string& ifn)
    {
        auto why = link_in_lan(*p.settings, ifn, host::config_path());
        if (!why)
            return std::nullopt;
        p.problems.push_back(*why);
        p.wan_in_lan = true;
        p.lan = without_carrier(p.lan, ifn);
        return fail_closed(p, "this link's interface " + ifn);
    }

    // At ESTABLISH (pppd made this attempt's unit: a redial may get another
    // one) and ip-up: true when ifn is taken for LAN; then the failsafe is
    // loaded and pppd stops once this callback returns (host::stop_pppd).
    bool refused_as_lan(const std::string& ifn)
    {
        auto problems = lan_link_refused(*prepared_, ifn);
        if (!problems)
            return false;
        for (const auto& p : *problems)
            host::log(Level::Error, p);
        // whatever this pppd had went with the ruleset the failsafe replaced
        prepared_.reset();
        in_place_ = false;
        mine_.reset();
        record();
        host::stop_pppd("[firewall] lan-interfaces takes this link's interface " + ifn +
                        " for LAN, not bringing the link up");
        return true;
    }

    static std::string describe(Outcome o)
    {
        switch (o) {
        case Outcome::Applied: return "ruleset loaded";
        case Outcome::KeptPrevious: return "firewall not changed: the previous ruleset stays in force";
        case Outcome::KeptFailsafe:
            return "firewall not changed: the failsafe ruleset stays (input only from loopback and the LAN, no "
                   "forwarding)";
        case Outcome::FailsafeApplied:
            return "no ruleset was loaded: the failsafe is now loaded (input only from loopback and the LAN, no "
                   "forwarding)";
        case Outcome::FailsafeFailed:
            return "NO FIREWALL: nft refused even the constant failsafe ruleset; pppd stops before dialling";
        }
        return "";
    }

    static std::string describe(const std::optional<WanLink>& l)
    {
        if (!l)
            return "this link's elements removed, rules and other links kept";
        return "active_wan " + l->ifname + (l->public4 ? ", public4 " + *l->public4 : std::string()) +
               (l->name.empty() ? std::string() : " (link " + l->name + ")");
    }

    // This link's elements: `now` replaces what it had (nullopt: removed).
    void update(const std::optional<WanLink>& now, const char* event)
    {
        auto t0 = std::chrono::steady_clock::now();
        std::vector<WanLink> gone;
        bool read = false;
        auto learn = [&] {  // what the kernel holds for this link (or dead ones)
            WanLink key = now ? *now : mine_ ? *mine_ : WanLink{host::link().ifname, std::nullopt, peer_};
            gone = superseded(read_dynamic(*nft_), key);
            read = synced_ = true;
        };
        // An interface this pppd no longer has, which exists again: another
        // pppd's now, left in place (an extra WAN name is harmless).
        const bool theirs =
            mine_ && now && now->ifname != mine_->ifname && ::if_nametoindex(mine_->ifname.c_str()) != 0;
        if (!synced_)
            learn();
        else if (mine_ && !theirs)
            gone = {*mine_};
        // before the batch: a full load (another process's) that reads the
        // links between this batch and its own commit, which replaces it,
        // finds this link here when it reads them again (apply_current)
        record(now);
        auto r = update_link(*nft_, nl_, *prepared_->settings, digest_, gone, now);
        Loaded loaded = Loaded::Current;
        if (!r.ok) {
            loaded = inspect(*nft_, digest_);
            if (loaded == Loaded::Stale && adopt_loaded_config(event))
                loaded = Loaded::Current;
            if (loaded == Loaded::Current) {
                if (!read)
                    learn();  // the kernel disagrees with what this pppd remembers
                r = update_link(*nft_, nl_, *prepared_->settings, digest_, gone, now);
            }
        }
        if (!r.ok && loaded == Loaded::Stale) {
            // Another configuration's full ruleset, not the one of this
            // pppd's configuration file: its link sets are numbered by that
            // configuration, so this link's update could take another
            // link's place (its forwards). Left as it is: closed for this
            // link, open for none.
            in_place_ = false;
            synced_ = false;
            // What goes (ip-down: the address; exit: the interface too) is
            // removed all the same, by value: an address kept in public4
            // would reflect LAN connections to whoever gets it next.
            if (mine_ && (!now || (!now->public4 && mine_->public4))) {
                auto rm = remove_from_stale(*nft_, nl_, *mine_, !now);
                if (rm.ok) {
                    mine_ = now;
                    record();
                }
                host::log(rm.ok ? Level::Warn : Level::Error,
                          std::string(event) + ": table inet pppkit_fw holds a ruleset other than " +
                              host::config_path() + "'s, and that file gives no other: " +
                              (rm.ok ? "this link's " + std::to_string(rm.removed) + " elements removed from it (" +
                                           describe(now) + ")"
                                     : "this link's elements could not be removed from it: " + rm.error) +
                              "; run `pppkit firewall apply` or reload pppkitd");
                return;
            }
            host::log(Level::Error,
                      std::string(event) + ": table inet pppkit_fw holds a ruleset other than " + host::config_path() +
                          "'s, and that file gives no other: this link's elements were not " + "updated (" +
                          describe(now) + "); run `pppkit firewall apply` or reload " + "pppkitd");
            return;
        }
        in_place_ = r.ok;
        if (r.ok) {
            mine_ = now;
            record();
            host::log(Level::Info, std::string(event) + ": " + describe(now) + " (" + fmt_ms(ms_since(t0)) + ")");
            return;
        }
        // The table is gone (someone flushed the ruleset) or holds the
        // failsafe: load it all again with every link it still held (or the
        // pppds' records of theirs), from the configuration file as it is
        // now: a reload since configure() may have removed a forward, and a
        // broken file gives the failsafe. When it is still what configure()
        // loaded, that checked it in a child (prepared_->isolated_ok), so no
        // fork happens here.
        Prepared fresh = prepare(host::config_path(), host::config_path_explicit(), host::link().devnam);
        const bool same = fresh.settings && fresh.settings->digest() == digest_;
        auto keep = [&] {
            Dynamic d = dynamic_to_load(*nft_);
            std::erase_if(d.links,
                          [&](const WanLink& l) { return std::find(gone.begin(), gone.end(), l) != gone.end(); });
            if (now) {
                std::erase_if(d.links, [&](const WanLink& l) { return l.ifname == now->ifname; });
                d.links.push_back(*now);
            }
            return d;
        };
        spent_.reset();
        auto full = apply_current(*nft_, same ? *prepared_ : fresh, keep, [&] { return nl_.generation(); });
        keep_spent(full);
        in_place_ = full.outcome == Outcome::Applied;
        if (!same && full.outcome == Outcome::Applied) {
            prepared_ = std::move(fresh);
            digest_ = prepared_->settings->digest();
        }
        std::string why = r.error.substr(0, r.error.find('\n'));  // nft repeats itself per command
        if (full.outcome == Outcome::Applied) {
            mine_ = now;
            synced_ = true;
            record();
            host::log(Level::Warn, std::string(event) + ": table inet pppkit_fw was missing or the failsafe (" + why +
                                       "); full ruleset loaded again, " + describe(now));
        } else {
            synced_ = false;  // read again next time
            // why it was refused (a config problem, the carrier a loaded
            // failsafe names), file:line first
            for (const auto& problem : full.problems)
                host::log(Level::Error, std::string(event) + ": " + problem);
            host::log(Level::Error, std::string(event) + ": cannot update table inet pppkit_fw: " + why + "; " +
                                        describe(full.outcome));
        }
    }

    // The batch failed and the table holds another configuration's full
    // ruleset: a reload (pppkitd, `pppkit firewall apply`) since configure().
    // When the configuration file gives exactly that ruleset, its settings
    // (and so its link sets' numbering) replace this pppd's. Only after a
    // reload: reads the files and lists the table (about a millisecond).
    bool adopt_loaded_config(const char* event)
    {
        Prepared p = prepare(host::config_path(), host::config_path_explicit(), host::link().devnam);
        if (!p.settings)
            return false;
        std::string d = p.settings->digest();
        if (inspect(*nft_, d) != Loaded::Current)
            return false;
        // loaded, so checked (check_isolated), by whoever loaded it
        p.isolated_ok = d;
        prepared_ = std::move(p);
        digest_ = std::move(d);
        synced_ = false;
        host::log(Level::Notice, std::string(event) + ": table inet pppkit_fw holds " + host::config_path() +
                                     "'s ruleset as reloaded (digest " + digest_ + "): using that configuration");
        return true;
    }

    // kRecordDir/PID follows mine_ (lifecycle.hpp: for `pppkit firewall
    // apply` after a flush with no pppkitd); a small file on /run's tmpfs.
    void record() { record(mine_); }
    void record(const std::optional<WanLink>& l)
    {
        // the record names the interface's index too: a redial's new unit
        // under the same name is a new record
        const Written now{l, l ? ::if_nametoindex(l->ifname.c_str()) : 0U};
        if (written_ && *written_ == now)
            return;
        if (write_record(l)) {
            written_ = now;
            return;
        }
        const int err = errno;
        written_.reset();
        if (write_record(std::nullopt))  // never an older record than what the kernel holds
            written_ = Written{};
        errno = err;
        if (record_failed_)
            return;
        record_failed_ = true;  // once: the elements themselves are in place
        host::log(Level::Warn, std::string("cannot write ") + kRecordDir + "/" + std::to_string(::getpid()) + ": " +
                                   std::strerror(errno) + "; after a flush, `pppkit firewall apply` cannot restore " +
                                   "this link's elements (pppkitd's drift repair can)");
    }

    // spent_: see there
    void keep_spent(ApplyResult& r)
    {
        if (r.spent)
            spent_ = std::move(r.spent);
    }

    [[nodiscard]] bool in_place() const noexcept override { return in_place_; }

    std::optional<Prepared> prepared_;  // set once configure() loaded or kept a full ruleset
    std::string digest_;                // prepared_->settings->digest(), computed once per configuration
    bool in_place_ = false;             // the last update() committed the dynamic part
    std::unique_ptr<nft::Context> nft_;
    // An extras file's ruleset runs in a fresh context: freed before the
    // next full apply or at exit, never right after a commit (closing an
    // nftables socket then waits an RCU grace period for the commit's
    // destroy work: 8-20 ms of pppd's loop)
    std::unique_ptr<nft::Context> spent_;
    nfnl::Socket nl_;                                // ESTABLISH, ip-up, ip-down, exit: one element batch each
    const std::string peer_ = host::events::peer();  // "call NAME": the link's name
    std::optional<WanLink> mine_;                    // what this pppd's last update left in the kernel
    bool synced_ = false;                            // mine_ is known (the kernel was read once)
    bool record_failed_ = false;                     // write_record's failure was logged
    struct Written {
        std::optional<WanLink> link;  // none: no record
        unsigned ifindex = 0;
        bool operator==(const Written&) const = default;
    };
    std::optional<Written> written_;  // what the record holds (unset: unknown)
};

}  // namespace

pppkit::host::Plugin* pppkit_make_plugin() { return new FirewallPlugin(); }
