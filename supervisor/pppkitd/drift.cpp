#include "pppkitd/drift.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <malloc.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/nfnl.hpp"
#include "firewall/core/firewall.hpp"
#include "mss/core/mss.hpp"
#include "pppkitd/journal.hpp"

namespace pppkit::supervisor {

namespace {

constexpr int kRcvBuf = 8 << 20;  // a flush of 10,000 rules sends 10,000 notifications
constexpr uint64_t kLogWindow = 60 * 1000000ULL;
constexpr unsigned kLogBurst = 10;
constexpr uint64_t kUnloadDelay = 1000000;  // 1 s: the destroy work of a repair's commit is long done
constexpr size_t kSpentMax = 8;             // spent extras contexts kept until then (keep_spent)

uint64_t mono_usec()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

// NFT_MSG_* -> what the decision needs; Other for messages that name no table.
bool classify(uint16_t msg, drift::Object& o, drift::Change& c)
{
    using drift::Change;
    using drift::Object;
    switch (msg) {
    case NFT_MSG_NEWTABLE: o = Object::Table, c = Change::Added; return true;
    case NFT_MSG_DELTABLE: o = Object::Table, c = Change::Deleted; return true;
    case NFT_MSG_NEWCHAIN: o = Object::Chain, c = Change::Added; return true;
    case NFT_MSG_DELCHAIN: o = Object::Chain, c = Change::Deleted; return true;
    case NFT_MSG_NEWRULE: o = Object::Rule, c = Change::Added; return true;
    case NFT_MSG_DELRULE: o = Object::Rule, c = Change::Deleted; return true;
    case NFT_MSG_NEWSET: o = Object::Set, c = Change::Added; return true;
    case NFT_MSG_DELSET: o = Object::Set, c = Change::Deleted; return true;
    case NFT_MSG_NEWSETELEM: o = Object::Element, c = Change::Added; return true;
    case NFT_MSG_DELSETELEM: o = Object::Element, c = Change::Deleted; return true;
    case NFT_MSG_NEWOBJ:
    case NFT_MSG_NEWFLOWTABLE: o = Object::Other, c = Change::Added; return true;
    case NFT_MSG_DELOBJ:
    case NFT_MSG_DELFLOWTABLE: o = Object::Other, c = Change::Deleted; return true;
    default: return false;
    }
}

// The first attributes of an nftables message (after its nfgenmsg), by type.
using Attrs = std::array<const nlattr*, 4>;
Attrs attrs(const nlmsghdr* nlh)
{
    Attrs tb{};
    mnl_attr_parse(
        nlh, sizeof(nfgenmsg),
        [](const nlattr* a, void* data) {
            auto& t = *static_cast<Attrs*>(data);
            const uint16_t type = mnl_attr_get_type(a);
            if (type < t.size())
                t[type] = a;
            return static_cast<int>(MNL_CB_OK);
        },
        &tb);
    return tb;
}

}  // namespace

DriftWatch::DriftWatch(sd_event* ev, std::string config, bool config_explicit, Hooks hooks)
    : ev_(ev), config_(std::move(config)), config_explicit_(config_explicit), hooks_(std::move(hooks)),
      fw_image_(firewall::kTable), mss_image_(mss::kTable)
{
}

DriftWatch::~DriftWatch()
{
    sd_event_source_disable_unref(unload_);
    sd_event_source_unref(io_);
    for (auto* s : {nl_, gen_nl_})
        if (s != nullptr)
            mnl_socket_close(s);
}

bool DriftWatch::start()
{
    // The first repair (and the load before the first dial, also when the
    // watch cannot start) must not pay for the isolated check.
    prepared_ = std::make_unique<firewall::Prepared>(firewall::prepare(config_, config_explicit_));
    if (prepared_->settings)
        (void)firewall::check_isolated(*prepared_);
    nl_ = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (nl_ == nullptr || mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
        jlog::plain(LOG_ERR,
                    std::string("drift repair off: cannot open the nftables netlink socket: ") + std::strerror(errno));
        return false;
    }
    int group = NFNLGRP_NFTABLES;
    if (mnl_socket_setsockopt(nl_, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0) {
        jlog::plain(LOG_ERR, std::string("drift repair off: cannot join NFNLGRP_NFTABLES: ") + std::strerror(errno));
        return false;
    }
    gen_nl_ = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (gen_nl_ == nullptr || mnl_socket_bind(gen_nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
        jlog::plain(LOG_ERR, std::string("drift repair off: cannot open a second nftables netlink socket: ") +
                                 std::strerror(errno));
        return false;
    }
    const int fd = mnl_socket_get_fd(nl_);
    int sz = kRcvBuf;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    sd_event_add_io(ev_, &io_, fd, EPOLLIN, on_io, this);

    watching_ = true;
    update_guard(prepared_->configured);
    // no commit heard yet: the read counts when the generation stayed the same across it
    heard_gen_ = generation();
    burst_ = remember(true, true);
    unload_nft_soon();
    jlog::plain(LOG_INFO, "drift repair: watching inet " + std::string(firewall::kTable) + " and inet " +
                              std::string(mss::kTable));
    return true;
}

drift::Verdict DriftWatch::remember(bool fw, bool mss)
{
    firewall::Dynamic d;
    std::string listing;
    Committed committed = Committed::Unknown;
    std::string failsafe;
    std::unique_ptr<firewall::Prepared> now;  // the configuration, when it is what was committed
    if (fw) {
        const std::string table = "table inet " + std::string(firewall::kTable);
        auto r = nft().list_json("list " + table);
        if (r.ok) {
            d = firewall::dynamic_from(r.output);
            auto is = [&](const firewall::Prepared& p) {
                return p.settings && firewall::loaded_from(r.output, p.settings->digest()) == firewall::Loaded::Current;
            };
            if (firewall::loaded_from(r.output, "-") == firewall::Loaded::Failsafe) {
                auto t = nft().run("list " + table);
                if (t.ok) {
                    committed = Committed::Failsafe;
                    failsafe = std::move(t.output);
                }
            } else if (prepared_ && is(*prepared_)) {
                committed = Committed::Prepared;
            } else {
                // applied from a configuration pppkitd has not prepared yet
                // (`pppkit firewall apply` after an edit): the last good one now
                now = std::make_unique<firewall::Prepared>(firewall::prepare(config_, config_explicit_));
                if (is(*now)) {
                    (void)firewall::check_isolated(*now);
                    committed = Committed::Prepared;
                } else {
                    now.reset();
                }
            }
        }
    }
    if (mss) {
        auto r = nft().run("list table inet " + std::string(mss::kTable));
        listing = r.ok ? r.output : "";
    }
    // the kernel's objects of what was read, for the next repair (image.hpp)
    if (fw) {
        if (committed != Committed::Prepared || fw_image_.take() != TableImage::Taken::Ok)
            fw_image_.clear();
    }
    if (mss && (listing.empty() || mss_image_.take() != TableImage::Taken::Ok))
        mss_image_.clear();
    // several reads: a flush committed in between would leave half of it
    if (!drift::read_is_current(heard_gen_, generation())) {
        if (fw)
            fw_image_.clear();
        if (mss)
            mss_image_.clear();
        return drift::retry(fw, mss);
    }
    if (fw) {
        remembered_ = std::move(d);
        committed_ = committed;
        committed_failsafe_ = std::move(failsafe);
        if (now)
            prepared_ = std::move(now);
        fw_image_digest_ = fw_image_.ready() && prepared_ && prepared_->settings ? prepared_->settings->digest() : "";
        fw_image_dynamic_ = remembered_;
    }
    if (mss)
        mss_listing_ = std::move(listing);
    return {};
}

std::optional<uint32_t> DriftWatch::generation()
{
    if (gen_nl_ == nullptr)  // no watch (start() failed): loads go unchecked
        return std::nullopt;
    return nfnl::generation(gen_nl_, ++gen_seq_);
}

int DriftWatch::on_message(const nlmsghdr* nlh, void* ud)
{
    auto* w = static_cast<DriftWatch*>(ud);
    if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
        return MNL_CB_OK;
    const uint16_t msg = NFNL_MSG_TYPE(nlh->nlmsg_type);
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nfgenmsg))
        return MNL_CB_OK;
    const auto* g = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
    if (msg == NFT_MSG_NEWGEN) {
        // NEWGEN closes the transaction: decide once for all it touched
        const auto tb = attrs(nlh);
        if (tb[NFTA_GEN_PROC_PID] != nullptr && mnl_attr_validate(tb[NFTA_GEN_PROC_PID], MNL_TYPE_U32) >= 0)
            w->pending_.pid = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_PROC_PID]));
        if (tb[NFTA_GEN_PROC_NAME] != nullptr && mnl_attr_validate(tb[NFTA_GEN_PROC_NAME], MNL_TYPE_NUL_STRING) >= 0)
            w->pending_.proc = mnl_attr_get_str(tb[NFTA_GEN_PROC_NAME]);
        if (tb[NFTA_GEN_ID] != nullptr && mnl_attr_validate(tb[NFTA_GEN_ID], MNL_TYPE_U32) >= 0)
            w->heard_gen_ = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_ID]));
        drift::Own own{static_cast<uint32_t>(::getpid()),
                       w->hooks_.pppd_pids ? w->hooks_.pppd_pids() : std::vector<uint32_t>{}};
        w->burst_ = drift::merge(w->burst_, drift::decide(w->pending_, own));
        w->pending_ = {};
        return MNL_CB_OK;
    }
    drift::Touch t;
    if (!classify(msg, t.object, t.change))
        return MNL_CB_OK;
    // the table's name is attribute 1 in every kind (NFTA_TABLE_NAME,
    // NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE, NFTA_SET_ELEM_LIST_TABLE, ...)
    const auto tb = attrs(nlh);
    if (tb[1] != nullptr && mnl_attr_validate(tb[1], MNL_TYPE_NUL_STRING) >= 0)
        t.table = drift::table_of(g->nfgen_family, mnl_attr_get_str(tb[1]));
    if (t.table != drift::Table::None)
        w->pending_.touches.push_back(t);
    return MNL_CB_OK;
}

int DriftWatch::on_io(sd_event_source*, int, uint32_t, void* ud)
{
    auto* w = static_cast<DriftWatch*>(ud);
    const uint64_t heard = mono_usec();
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
    // Read until the socket is empty: a burst (one transaction, or several
    // in a row) gives one repair.
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(w->nl_, buf.data(), buf.size());
        if (n < 0) {
            if (errno == ENOBUFS) {  // notifications lost: what changed is unknown
                w->pending_ = {};
                w->heard_gen_.reset();
                w->burst_ = drift::merge(w->burst_, drift::overrun());
                continue;
            }
            break;  // EAGAIN: all read
        }
        mnl_cb_run(buf.data(), static_cast<size_t>(n), 0, 0, on_message, w);
    }
    drift::Verdict v = std::move(w->burst_);
    w->burst_ = {};
    // pppkit's commit first (it may follow the foreign one): the repair asserts what it left
    if (v.remember_firewall || v.remember_mss)
        w->burst_ = w->remember(v.remember_firewall, v.remember_mss);
    if (v.decision == drift::Decision::Repair)
        w->repair(v, heard);
    if (!w->guard_on_ && (v.remember_firewall || v.decision == drift::Decision::Repair))
        w->update_guard(w->prepared_ && w->prepared_->configured);
    w->unload_nft_soon();
    return 0;
}

void DriftWatch::reload()
{
    auto p = std::make_unique<firewall::Prepared>(firewall::prepare(config_, config_explicit_));
    if (p->settings && prepared_ && prepared_->settings && prepared_->settings->digest() == p->settings->digest())
        return;  // the same [firewall]: what was prepared still holds
    if (p->settings)
        (void)firewall::check_isolated(*p);
    // Reloaded without a [firewall]: pppkitd no longer keeps one. What pppkit
    // committed is not put back (nor a failsafe for the section's absence,
    // which would stop all forwarding): a later flush or delete is left alone.
    if (!p->configured)
        committed_ = Committed::Unknown;
    prepared_ = std::move(p);
    update_guard(prepared_->configured);
    malloc_trim(0);
}

firewall::Dynamic DriftWatch::to_assert() const
{
    // what pppkit's last commit left, else the plugins' records (the table
    // was already gone when pppkitd started); plus the links up
    // only what is live: a dead link's address written back by a full load
    // that raced its ip-down is not asserted again (review 28 F1)
    return drift::dynamic_to_assert(
        firewall::live_only(firewall::with_records(remembered_, firewall::recorded_links())),
        hooks_.links_up ? hooks_.links_up() : std::vector<drift::LinkView>{});
}

void DriftWatch::load_if_missing()
{
    if (!prepared_)
        return;
    const firewall::Prepared& p = *prepared_;
    const std::string table = "table inet " + std::string(firewall::kTable);
    // as firewall::inspect, keeping the listing for the carriers a failsafe names
    const auto listed = nft().list_json("list " + table);
    const firewall::Loaded loaded = !listed.ok
                                        ? firewall::Loaded::Missing
                                        : firewall::loaded_from(listed.output, p.settings ? p.settings->digest() : "-");
    // A PPPoE carrier lan-interfaces match: a link's first (whatever is
    // loaded does not keep it out of the LAN), then one the failsafe names.
    std::vector<std::string> named, carriers = hooks_.carriers ? hooks_.carriers() : std::vector<std::string>{};
    if (loaded == firewall::Loaded::Failsafe)
        named = firewall::failsafe_carriers(listed.output);
    std::erase_if(carriers,
                  [&](const std::string& c) { return std::find(named.begin(), named.end(), c) != named.end(); });
    carriers.insert(carriers.end(), named.begin(), named.end());
    const std::unique_ptr<firewall::Prepared> taken = carrier_taken(carriers);
    const drift::CarrierInLan carrier = !taken ? drift::CarrierInLan::None
                                        : std::find(named.begin(), named.end(), taken->carrier) != named.end()
                                            ? drift::CarrierInLan::Named
                                            : drift::CarrierInLan::Known;
    const drift::AtStart at = drift::at_start(p.configured, p.settings.has_value(), loaded, carrier);
    const std::string was = loaded == firewall::Loaded::Missing    ? "missing"
                            : loaded == firewall::Loaded::Failsafe ? "the failsafe"
                                                                   : "not this configuration's ruleset";
    // committed: a repair puts this failsafe back, never the full ruleset
    auto commit_failsafe = [&] {
        auto t = nft().run("list " + table);
        if (t.ok) {
            committed_ = Committed::Failsafe;
            committed_failsafe_ = std::move(t.output);
        }
    };
    if (at == drift::AtStart::KeepFailsafe) {
        commit_failsafe();
        jlog::config_problem(*taken->carrier_problem);
        jlog::plain(LOG_ERR, table + " is the failsafe a pppd's plugin loaded because lan-interfaces matches its " +
                                 "PPPoE device " + taken->carrier +
                                 " (the ISP's side): kept, not the configuration's ruleset; fix lan-interfaces and " +
                                 "reload pppkitd");
    } else if (at == drift::AtStart::LoadFailsafe) {
        // as the plugin: the failsafe without the carrier replaces whatever is loaded
        auto r = firewall::apply_fail_closed(nft(), *taken, firewall::Dynamic{});
        committed_ = Committed::Unknown;
        jlog::config_problem(*taken->carrier_problem);
        if (r.outcome == firewall::Outcome::FailsafeApplied) {
            commit_failsafe();
            jlog::plain(LOG_ERR, table + " was " + was + "; lan-interfaces matches " + taken->carrier +
                                     ", the PPPoE device of a link pppkitd supervises (the ISP's side): the " +
                                     "configuration's ruleset refused, the failsafe without it is loaded");
        } else {
            jlog::plain(LOG_CRIT, table + " was " + was + " and lan-interfaces matches the PPPoE device " +
                                      taken->carrier + "; not even the failsafe could be loaded: " +
                                      (r.problems.empty() ? std::string() : r.problems.back()));
        }
        update_guard(p.configured);
    }
    if (at != drift::AtStart::Load) {
        unload_nft_soon();
        return;
    }
    auto r = firewall::apply_current(
        nft(), *prepared_, [this] { return to_assert(); }, [this] { return generation(); });
    keep_spent(std::move(r.spent));
    committed_ = r.outcome == firewall::Outcome::Applied ? Committed::Prepared : Committed::Unknown;
    const std::string problem = !p.problems.empty()   ? p.problems.front()
                                : !r.problems.empty() ? r.problems.front()
                                                      : "";
    switch (r.outcome) {
    case firewall::Outcome::Applied:
        jlog::plain(LOG_NOTICE, table + " was " + was + " (pppkit-firewall.service did not load it): loaded now, " +
                                    "before any link is dialled");
        break;
    case firewall::Outcome::KeptFailsafe:
    case firewall::Outcome::FailsafeApplied:
        jlog::plain(LOG_ERR,
                    table + " was " + was + "; the configuration was refused, the failsafe is loaded: " + problem);
        break;
    case firewall::Outcome::KeptPrevious:  // not reached: nothing full was there
        break;
    case firewall::Outcome::FailsafeFailed:
        jlog::plain(LOG_CRIT, table + " was " + was + " and could not be loaded, not even the failsafe: " + problem);
        break;
    }
    update_guard(p.configured);
    unload_nft_soon();
}

std::unique_ptr<firewall::Prepared> DriftWatch::carrier_taken(const std::vector<std::string>& carriers) const
{
    std::unique_ptr<firewall::Prepared> taken;
    for (const auto& c : carriers) {
        auto p = std::make_unique<firewall::Prepared>(firewall::prepare(config_, config_explicit_, c));
        if (!p->carrier_problem)
            continue;
        if (!taken)
            taken = std::move(p);
        else
            taken->lan = firewall::without_carrier(taken->lan, c);
    }
    return taken;
}

nft::Context& DriftWatch::nft()
{
    if (!nft_)
        nft_ = std::make_unique<nft::Context>();
    nft_used_ = true;
    return *nft_;
}

// An extras file's fresh context (ApplyResult::spent) lives as long as
// nft_: freed with it by the unload timer, 1 s after the last repair.
// Closing any nftables socket makes the kernel finish the destroy work of
// every commit still pending (an RCU grace period, holding the commit lock):
// right after a repair's commit that would hold up the next commit (a pppd's
// ip-up), right before it the repair itself. At rest nothing is pending.
// More than kSpentMax repairs within that second (flushes in a row): the
// oldest is freed now, to bound the memory (as before: the next commit may
// wait). Not before the commit: the repair builds its ruleset while the
// flusher's close waits for the flush's destroy work; a close of ours would
// make it wait first and build after.
void DriftWatch::keep_spent(std::unique_ptr<nft::Context> spent)
{
    if (!spent)
        return;
    spent_.push_back(std::move(spent));
    if (spent_.size() > kSpentMax)
        spent_.erase(spent_.begin());
}

void DriftWatch::unload_nft_soon()
{
    // 1 s after its last use: a burst that did not use it (a repair from
    // the image) does not keep it
    const bool used = std::exchange(nft_used_, false);
    if (!nft_ && spent_.empty())
        return;
    if (unload_ == nullptr) {
        if (sd_event_add_time_relative(ev_, &unload_, CLOCK_MONOTONIC, kUnloadDelay, kUnloadDelay / 10, on_unload,
                                       this) < 0) {
            nft_.reset();  // no timer: at once, as before
            spent_.clear();
            malloc_trim(0);
        }
        return;
    }
    if (!used)
        return;
    sd_event_source_set_time_relative(unload_, kUnloadDelay);
    sd_event_source_set_enabled(unload_, SD_EVENT_ONESHOT);
}

int DriftWatch::on_unload(sd_event_source*, uint64_t, void* ud)
{
    auto* w = static_cast<DriftWatch*>(ud);
    w->nft_.reset();
    w->spent_.clear();
    // what loading, reading and repairing took goes back to the kernel:
    // pppkitd rests for days between repairs (make bench: idle RSS and PSS)
    malloc_trim(0);
    return 0;
}

void DriftWatch::update_guard(bool configured)
{
    if (!configured) {
        if (guard_on_ && guard_.remove() == 0) {
            guard_on_ = false;
            jlog::plain(LOG_INFO, "flush guard off: no [firewall] configured");
        }
        return;
    }
    if (guard_on_ || guard_refused_ || !watching_)  // on only with a repair to end its drops
        return;
    // Only over a pppkit_fw that sets the mark (one this version built: its
    // unmark chain is there), never before one or over an older version's
    // (an upgrade): the guard would drop everything.
    if (guard_.chain_exists(firewall::kTable, firewall::kUnmarkChain) != 0)
        return;
    // guard_'s socket owns the table; it stays open for pppkitd's life
    const int err = guard_.load();
    if (err != 0) {
        guard_refused_ = true;
        jlog::plain(LOG_WARNING, "flush guard off: the kernel refused table inet " +
                                     std::string(firewall::kGuardTable) +
                                     " (Linux 5.12 or later needed for an owned table): " + std::strerror(err) +
                                     "; after a flush the router is open until the repair");
        return;
    }
    guard_on_ = true;
    jlog::plain(LOG_INFO, "flush guard on: table inet " + std::string(firewall::kGuardTable) +
                              " (owned by pppkitd) drops what inet " + std::string(firewall::kTable) +
                              " has not seen while it is gone");
}

DriftWatch::Done DriftWatch::repair_firewall(bool back)
{
    const std::string table = "table inet " + std::string(firewall::kTable);
    // A failsafe that a plugin loaded goes back as it was: the plugin knew
    // why (its PPPoE carrier among lan-interfaces, a config it refused),
    // pppkitd may not; `pppkit firewall apply` or the next dial replaces it.
    if (committed_ == Committed::Failsafe) {
        auto r = nft().run("add " + table + "\ndelete " + table + "\n" + committed_failsafe_);
        if (r.ok)
            return {true, "the failsafe pppkit had loaded was put back (the next dial or `pppkit firewall apply` "
                          "loads the configuration)"};
        committed_ = Committed::Unknown;  // the configuration's, or its failsafe, below
    }
    auto p = std::make_unique<firewall::Prepared>(firewall::prepare(config_, config_explicit_));
    const bool had = prepared_ && prepared_->configured;
    if (!p->configured && !had && committed_ == Committed::Unknown) {
        update_guard(false);
        return {true, "firewall: no [firewall] configured, left alone", false};
    }
    if (!p->configured) {
        // The [firewall] went from the configuration since pppkitd prepared
        // it (an editor saving a drop-in, a file moved away): not a reason to
        // open. Only a reload of pppkitd takes it away.
        p->problems.insert(p->problems.begin(), "the configuration has no [firewall] now (reload pppkitd to drop it)");
        if (had) {  // its failsafe, when the last good one is not what was committed
            p->lan = prepared_->lan;
            p->lan_networks = prepared_->lan_networks;
            p->wan = prepared_->wan;
        }
    }
    // A config broken since the last good one: re-assert the last good one
    // (what was loaded; its staged extras are still open), not the failsafe;
    // only when it is what pppkit committed last (not a configuration applied
    // since, by hand, which pppkitd never prepared).
    const bool last_good = !p->settings && prepared_ && prepared_->settings && committed_ == Committed::Prepared;
    // the same config as last time: its isolated check still holds
    if (p->settings && prepared_ && prepared_->settings && !prepared_->isolated_ok.empty() &&
        prepared_->settings->digest() == p->settings->digest())
        p->isolated_ok = prepared_->isolated_ok;
    // A PPPoE carrier of a link pppkitd supervises that lan-interfaces (as
    // the file says now: edited, maybe not reloaded) match: never LAN, as at
    // start (load_if_missing): the failsafe without it, whatever else.
    const std::unique_ptr<firewall::Prepared> taken =
        carrier_taken(hooks_.carriers ? hooks_.carriers() : std::vector<std::string>{});
    firewall::Prepared& use = taken ? *taken : last_good ? *prepared_ : *p;
    // The image is what this load would commit: the same configuration (its
    // digest) and the same dynamic part. Done, without libnftables.
    if (back && !taken && use.settings && use.settings->digest() == fw_image_digest_ &&
        to_assert() == fw_image_dynamic_) {
        const std::string problem = !p->problems.empty() ? p->problems.front() : "";
        committed_ = Committed::Prepared;
        if (!last_good && p->configured)
            prepared_ = std::move(p);
        std::string wan;
        for (const auto& x : fw_image_dynamic_.links)
            wan += (wan.empty() ? "" : ", ") + x.ifname + " " + x.public4.value_or("-");
        return {true,
                "firewall put back as pppkit last loaded it (links: " + (wan.empty() ? std::string("none") : wan) +
                    ")" + (last_good ? "; the config has problems, the last good one was used: " + problem : "")};
    }
    nft::Context& ctx = nft();
    firewall::Dynamic d;  // what the last load carried
    int loads = 0;
    auto r = firewall::apply_current(
        ctx, use,
        [&] {
            d = to_assert();
            return d;
        },
        [this] { return generation(); }, &loads);
    keep_spent(std::move(r.spent));
    const std::string problem = taken                  ? taken->carrier_problem->str()
                                : !p->problems.empty() ? p->problems.front()
                                : !r.problems.empty()  ? r.problems.front()
                                                       : "";
    committed_ = r.outcome == firewall::Outcome::Applied ? Committed::Prepared : Committed::Unknown;
    // the image of what this repair loaded, for the next one (pppkitd's own
    // commits are not read back by remember())
    fw_image_.clear();
    if (r.outcome == firewall::Outcome::Applied && !taken && use.settings &&
        fw_image_.take() == TableImage::Taken::Ok) {
        fw_image_digest_ = use.settings->digest();
        fw_image_dynamic_ = d;
    }
    if (!last_good && p->configured)
        prepared_ = std::move(p);
    std::string wan;
    for (const auto& x : d.links)
        wan += (wan.empty() ? "" : ", ") + x.ifname + " " + x.public4.value_or("-");
    switch (r.outcome) {
    case firewall::Outcome::Applied:
        return {true, "firewall re-applied (links: " + (wan.empty() ? std::string("none") : wan) + ")" +
                          (loads > 1 ? "; loaded " + std::to_string(loads) +
                                           " times: a pppd's update was committed between reading the links and "
                                           "loading"
                                     : "") +
                          (last_good ? "; the config has problems, the last good one was used: " + problem : "")};
    case firewall::Outcome::KeptPrevious:
    case firewall::Outcome::KeptFailsafe: {
        // what is there was changed by someone else: it cannot be kept.
        // A failsafe kept for the carriers it names (r.carriers): never
        // with them as LAN, and still naming one.
        std::vector<std::string> lan = use.lan;
        for (const auto& c : r.carriers)
            lan = firewall::without_carrier(lan, c);
        const std::string carrier = !use.carrier.empty() || r.carriers.empty() ? use.carrier : r.carriers.front();
        auto f = ctx.run(firewall::failsafe_ruleset(lan, use.lan_networks, use.wan, carrier));
        if (!f.ok)
            f = ctx.run(firewall::failsafe_ruleset({}, {}, {}, carrier));
        if (f.ok)
            return {true, "firewall refused, failsafe loaded: " + problem};
        return {false, "FIREWALL NOT RESTORED, even the failsafe was refused: " + f.error};
    }
    case firewall::Outcome::FailsafeApplied: return {true, "firewall refused, failsafe loaded: " + problem};
    case firewall::Outcome::FailsafeFailed: break;
    }
    return {false, "FIREWALL NOT RESTORED, even the failsafe was refused: " + problem};
}

DriftWatch::Done DriftWatch::repair_mss(bool back)
{
    if (mss_listing_.empty())
        return {};
    if (back)
        return {true, "MSS table put back"};
    const std::string t = "inet " + std::string(mss::kTable);
    // as pppkit left it, in one transaction whatever is there now
    auto r = nft().run("add table " + t + "\ndelete table " + t + "\n" + mss_listing_);
    if (!r.ok)
        return {false, "MSS TABLE NOT RESTORED: " + r.error};
    return {true, "MSS table re-applied"};
}

void DriftWatch::repair(const drift::Verdict& v, uint64_t heard_usec)
{
    // The images first (one small transaction each, no libnftables): a
    // table someone deleted is back before anything is read or loaded.
    // Refused (EEXIST: it is there again) or none, or a table changed but
    // not deleted: the full repair below, as without them.
    const bool fw_back = v.firewall_gone && committed_ == Committed::Prepared && fw_image_.put_back() == 0;
    const bool mss_back = v.mss_gone && mss_image_.put_back() == 0;
    std::string done;
    bool failed = false, acted = false;
    for (bool fw : {true, false}) {
        if (!(fw ? v.firewall : v.mss))
            continue;
        const Done d = fw ? repair_firewall(fw_back) : repair_mss(mss_back);
        failed = failed || !d.restored;
        acted = acted || (d.acted && !d.what.empty());
        if (!d.what.empty())
            done += (done.empty() ? "" : "; ") + d.what;
    }
    if (!acted && !failed) {  // nothing pppkitd keeps was touched: no repair
        if (!done.empty())
            jlog::plain(LOG_INFO, "drift: changed by someone else: " + v.what + "; " + done);
        return;
    }
    const double ms = static_cast<double>(mono_usec() - heard_usec) / 1000.0;
    ++repairs_;
    last_repair_ = std::time(nullptr);
    last_repair_ms_ = ms;
    last_change_ = v.what;
    const uint64_t now = mono_usec();
    if (now - log_window_start_ > kLogWindow) {
        log_window_start_ = now;
        logged_in_window_ = 0;
    }
    if (!failed && ++logged_in_window_ > kLogBurst) {
        ++unlogged_;
        return;
    }
    char took[32];
    std::snprintf(took, sizeof took, "%.1f ms", ms);
    std::string msg = "drift repaired: changed by someone else: " + v.what + "; " + done + " (" + took + ")";
    if (unlogged_ != 0)
        msg += "; " + std::to_string(unlogged_) + " earlier repairs not logged (more than " +
               std::to_string(kLogBurst) + " a minute)";
    unlogged_ = 0;
    jlog::drift(failed ? LOG_CRIT : LOG_WARNING, msg);
}

nlohmann::json DriftWatch::status()
{
    using nlohmann::json;
    const std::string digest = prepared_ && prepared_->settings ? prepared_->settings->digest() : "-";
    const std::string loaded(firewall::to_string(firewall::inspect(nft(), digest)));
    unload_nft_soon();
    return json{
        {"loaded", loaded},
        {"guard", guard_on_},
        {"repairs", repairs_},
        {"last_repair", repairs_ != 0 ? json(iso(last_repair_)) : json(nullptr)},
        {"last_repair_ms", repairs_ != 0 ? json(last_repair_ms_) : json(nullptr)},
        {"last_change", repairs_ != 0 ? json(last_change_) : json(nullptr)},
    };
}

}  // namespace pppkit::supervisor
