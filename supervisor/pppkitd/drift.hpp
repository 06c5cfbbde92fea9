// drift.hpp - pppkitd's drift repair: listens to nftables' notifications
// (NFNLGRP_NFTABLES, libmnl) on the daemon's sd-event loop, and when someone
// other than pppkit deletes or changes inet pppkit_fw or inet pppkit_mss
// (`nft flush ruleset`, a restart of nftables.service), re-asserts them in
// one repair per burst: the firewall fail-closed (firewall/core/lifecycle)
// with the dynamic part pppkit last loaded plus the links pppkitd knows to
// be up, and the MSS table as pppkit last left it. The decision is
// core/drift.hpp; this adapter logs (MESSAGE_ID "drift repaired") and talks
// to the kernel. Single-threaded: every call runs on the loop.
#pragma once

#include <systemd/sd-event.h>

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/nft.hpp"
#include "core/drift.hpp"
#include "firewall/core/lifecycle.hpp"
#include "pppkitd/guard.hpp"
#include "pppkitd/image.hpp"

struct mnl_socket;
struct nlmsghdr;

namespace pppkit::supervisor {

class DriftWatch {
public:
    struct Hooks {
        std::function<std::vector<drift::LinkView>()> links_up;  // links with an address, for the dynamic part
        std::function<std::vector<uint32_t>()> pppd_pids;        // the pppd pppkitd watches
        // the PPPoE carriers of the links (pppd's events, saved sessions): never LAN
        std::function<std::vector<std::string>()> carriers;
    };
    DriftWatch(sd_event* ev, std::string config, bool config_explicit, Hooks hooks);
    ~DriftWatch();
    DriftWatch(const DriftWatch&) = delete;
    DriftWatch& operator=(const DriftWatch&) = delete;

    // Prepares the [firewall], subscribes and remembers what pppkit's tables
    // hold now. false (logged): no repair, the daemon runs on without it;
    // load_if_missing(), reload() and status() still work.
    bool start();
    // pppkitd reloaded a valid configuration: prepare its [firewall] now, so
    // that status and the next repair compare with and assert the new ruleset.
    void reload();
    // Before the first dial, and after reload() before a new link's: loads
    // table inet pppkit_fw (fail closed, as `pppkit firewall apply`) when a
    // [firewall] is configured and the table is missing, or holds the
    // failsafe while the config is valid (drift::at_start); logged. The
    // dynamic part is what the table held plus the links up (adopted).
    // A PPPoE carrier the config's lan-interfaces match (one the loaded
    // failsafe names, or a link's: Hooks::carriers) is never taken for LAN:
    // that failsafe stays, or the failsafe without it is loaded, committed
    // (a repair puts it back) and the problem logged in file:line form.
    void load_if_missing();
    // For `pppkit status`: {"loaded", "guard", "repairs", "last_repair", "last_repair_ms", "last_change"}.
    [[nodiscard]] nlohmann::json status();

private:
    sd_event* ev_;
    std::string config_;
    bool config_explicit_;
    Hooks hooks_;
    mnl_socket* nl_ = nullptr;
    mnl_socket* gen_nl_ = nullptr;  // NFT_MSG_GETGEN requests (a socket of its own: nl_ gets the notifications)
    uint32_t gen_seq_ = 0;
    std::optional<uint32_t> heard_gen_;  // NFTA_GEN_ID of the last NEWGEN read (nullopt: none, or lost)
    sd_event_source* io_ = nullptr;
    // libnftables, loaded for one burst, start(), or one status (nft()),
    // then unloaded (unload_nft): pppkitd rests for days between repairs
    std::unique_ptr<nft::Context> nft_;
    bool nft_used_ = false;                             // nft() called since the unload timer was last set
    std::vector<std::unique_ptr<nft::Context>> spent_;  // repairs' extras contexts (keep_spent), freed with nft_
    GuardSocket guard_;
    drift::Commit pending_;                         // notifications of the transaction not yet closed by NEWGEN
    drift::Verdict burst_;                          // verdicts of what this read brought
    std::unique_ptr<firewall::Prepared> prepared_;  // the last config prepared (its isolated check passed)
    firewall::Dynamic remembered_;                  // the dynamic sets after pppkit's last commit (not ours)
    // What the last commit by pppkit (a pppd's plugin, the pppkit command,
    // this pppkitd) left in inet pppkit_fw: a repair puts back that, not
    // whatever the configuration says now (broken, without its [firewall]
    // while an editor saves a drop-in, edited and not applied).
    enum class Committed {
        Unknown,   // nothing known: the configuration decides; broken or absent: the failsafe
        Prepared,  // the full ruleset of prepared_ (its digest): the last good one
        Failsafe,  // a failsafe a plugin loaded (e.g. lan-interfaces matched its PPPoE carrier): committed_failsafe_
    };
    Committed committed_ = Committed::Unknown;
    std::string committed_failsafe_;  // `list table` of that failsafe
    std::string mss_listing_;         // inet pppkit_mss after pppkit's last commit (not ours)
    // The tables as the kernel held them after pppkit's last commit (the
    // firewall's only when that was prepared_'s full ruleset): a repair puts
    // them back first (image.hpp), then checks what the configuration and the
    // links up want, and loads with libnftables only when that differs.
    TableImage fw_image_;                 // inet pppkit_fw
    TableImage mss_image_;                // inet pppkit_mss
    std::string fw_image_digest_;         // prepared_'s digest when fw_image_ was taken
    firewall::Dynamic fw_image_dynamic_;  // its dynamic part (remembered_ then)
    unsigned repairs_ = 0;
    std::time_t last_repair_ = 0;
    double last_repair_ms_ = 0;
    std::string last_change_;
    // The flush guard (firewall.hpp, guard_ruleset): owned by guard_'s
    // netlink socket, so it lives as long as pppkitd.
    bool watching_ = false;  // start() succeeded: the repair runs
    bool guard_on_ = false;
    bool guard_refused_ = false;  // logged once; not retried (an old kernel has no owner flag)
    // log rate limit: a tool that keeps deleting pppkit's tables gets every
    // repair, but at most kLogBurst lines per minute
    uint64_t log_window_start_ = 0;
    unsigned logged_in_window_ = 0;
    unsigned unlogged_ = 0;

    static int on_io(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_message(const ::nlmsghdr* nlh, void* ud);
    // Reads and remembers the tables; a read that is not the state after the
    // last commit heard (drift::read_is_current) is dropped: the returned
    // verdict starts the next burst to read them again then.
    [[nodiscard]] drift::Verdict remember(bool fw, bool mss);
    [[nodiscard]] std::optional<uint32_t> generation();
    // The context of this burst (loads libnftables, ~3 ms, when none is);
    // a Context that could not load it fails every command (logged by the caller).
    nft::Context& nft();
    // Unloads libnftables kUnloadDelay from now (a burst meanwhile reuses it)
    // and gives the heap back. Not at once: closing the context's netlink
    // socket right after a commit that deleted a table (every repair: add,
    // delete, load) makes the kernel wait for that table's destroy work (an
    // RCU grace period, 5-20 ms) while it holds the nftables commit lock, so
    // pppkitd's loop and any other commit (a pppd's ip-up) would wait too.
    void unload_nft_soon();
    void keep_spent(std::unique_ptr<nft::Context> spent);
    static int on_unload(sd_event_source* s, uint64_t usec, void* ud);
    sd_event_source* unload_ = nullptr;
    void repair(const drift::Verdict& v, uint64_t heard_usec);
    struct Done {
        bool restored = true;  // false: the table is not back (not even the failsafe)
        std::string what;      // for the log line; empty: nothing to do
        bool acted = true;     // false: left alone on purpose (no repair counted, logged as info)
    };
    // back: the image was put back (the table is there, as pppkit last left it)
    [[nodiscard]] Done repair_firewall(bool back);
    // The dynamic part a load asserts (drift::dynamic_to_assert).
    [[nodiscard]] firewall::Dynamic to_assert() const;
    [[nodiscard]] Done repair_mss(bool back);
    // The configuration prepared as for the first of carriers its
    // lan-interfaces match (Prepared::carrier_problem), its failsafe's LAN
    // without the items that match any of them; nullptr when none does.
    [[nodiscard]] std::unique_ptr<firewall::Prepared> carrier_taken(const std::vector<std::string>& carriers) const;
    // The guard on when a [firewall] is configured and pppkit_fw sets the
    // guard's mark (never before: it would drop everything); off when none
    // is configured.
    void update_guard(bool configured);
};

}  // namespace pppkit::supervisor
