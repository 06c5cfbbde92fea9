// reload.cpp - SIGHUP / systemctl reload / pppkit reload: read pppkit.conf
// and its drop-ins again and apply the [link] changes to the running links;
// and the root-only commands of the control socket (pppkit start, stop,
// restart NAME; the status socket answers status alone). The pure parts (request parser, old/new diff) are
// core/control.hpp. Runs on the loop; nothing here blocks beyond reading the
// configuration files.
#include <signal.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/schema.hpp"
#include "core/control.hpp"
#include "pppkitd/daemon.hpp"
#include "pppkitd/drift.hpp"
#include "pppkitd/journal.hpp"
#include "pppkitd/online.hpp"
#include "pppkitd/probe.hpp"

namespace pppkit::supervisor {

namespace {

std::string joined(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? "none" : s;
}

}  // namespace

std::string Daemon::reload()
{
    using nlohmann::json;
    if (sweep_ == nullptr)
        sd_event_add_post(ev_, &sweep_, on_sweep, this);
    // Type=notify: the unit shows "reloading" until READY=1 (systemd.service(5), Type=notify-reload)
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", static_cast<unsigned long long>(now_usec()));
    auto cfg = load_config(opt_.config, opt_.config_explicit);
    if (cfg.absent) {
        // renamed away or truncated by an editor saving it: not "no links", which would stop them all
        config::Diagnostic d;
        d.file = opt_.config;
        d.problem = "missing or empty (an editor saving it?): not read as a configuration without links; a file "
                    "with only comments in it is one";
        cfg.diags.insert(cfg.diags.begin(), std::move(d));
    }
    json answer = {{"version", 1}};
    if (!cfg.ok()) {
        json problems = json::array();
        for (const auto& d : cfg.diags) {
            jlog::config_problem(d);
            problems.push_back(d.str());
        }
        jlog::plain(LOG_ERR, "reload refused: the configuration has " + std::to_string(cfg.diags.size()) +
                                 " problem(s); pppkitd keeps running with the one it had");
        sd_notify(0, "READY=1");
        notify_status();
        answer["reload"] = "refused";
        answer["problems"] = std::move(problems);
        return answer.dump();
    }
    if (!opt_.state_dir_explicit)  // the next session written goes there (what is on disk is read at start)
        opt_.state_dir = state_dir(cfg.doc);
    std::vector<LinkConfig> before;
    for (const auto& l : links_)
        if (!l->removed)
            before.push_back(l->cfg);
    std::vector<LinkConfig> after = read_links(cfg.doc);
    const control::LinkDiff diff = control::diff_links(before, after);
    if (drift_) {  // before a new link dials
        drift_->reload();
        drift_->load_if_missing();
    }
    auto find = [this](const std::string& name) -> Link* {
        for (auto& l : links_)
            if (l->cfg.name == name && !l->removed)
                return l.get();
        return nullptr;
    };
    for (const auto& name : diff.removed) {
        Link& l = *find(name);
        l.removed = true;
        l.restart = false;
        feed(l, Input::Stop);  // SIGTERM to its pppd, as poff; forgotten once it ended (sweep_links)
        jlog::link(LOG_NOTICE, jlog::kConfig, l, "reload: the link is no longer configured; stopping it");
    }
    for (auto& lc : after) {
        Link* l = find(lc.name);
        if (l == nullptr) {
            auto n = std::make_unique<Link>();
            n->owner = this;
            n->cfg = std::move(lc);
            n->machine.auth_limit = n->cfg.auth_failures;
            n->since = std::time(nullptr);
            if (!n->cfg.probes.empty())
                n->prober = std::make_unique<Prober>(ev_, *n);
            links_.push_back(std::move(n));
            Link& a = *links_.back();
            jlog::link(LOG_NOTICE, jlog::kConfig, a, "reload: new link");
            if (a.cfg.autostart)
                feed(a, Input::Start);
            else
                online_changed(a);
            continue;
        }
        if (std::find(diff.changed.begin(), diff.changed.end(), lc.name) == diff.changed.end()) {
            l->cfg.file = lc.file;  // messages name where the section is now
            l->cfg.line = lc.line;
            continue;
        }
        // A changed link keeps its pppd; the new settings count from the next event or dial on.
        const bool probes_changed = l->cfg.probes != lc.probes || l->cfg.probe_interval_ms != lc.probe_interval_ms ||
                                    l->cfg.probe_timeout_ms != lc.probe_timeout_ms ||
                                    l->cfg.probe_failures != lc.probe_failures;
        const bool now_autostart = lc.autostart && !l->cfg.autostart;
        l->cfg = std::move(lc);
        l->machine.auth_limit = l->cfg.auth_failures;
        if (probes_changed) {
            l->prober.reset();
            if (!l->cfg.probes.empty()) {
                l->prober = std::make_unique<Prober>(ev_, *l);
                if (l->machine.state == LinkState::Up)
                    l->prober->link_up();
            }
        }
        jlog::link(LOG_NOTICE, jlog::kConfig, *l, "reload: new settings, from the next event or dial on");
        if (now_autostart && l->machine.state == LinkState::Stopped)
            feed(*l, Input::Start);
        else if (l->machine.state == LinkState::WaitingForLan && lan_up(*l))
            feed(*l, Input::LanUp);  // the new lan-interface is up already
        else
            notify_status();
    }
    if (online_) {
        listen_warnings(cfg.doc);
        read_interface_roles(cfg.doc);
        online_->listen(online::read_listen(cfg.doc));
    }
    sweep_links();
    jlog::plain(LOG_NOTICE, "reloaded " + std::to_string(cfg.doc.files.size()) + " file(s): links added " +
                                joined(diff.added) + "; removed " + joined(diff.removed) + "; changed " +
                                joined(diff.changed));
    sd_notify(0, "READY=1");
    notify_status();
    answer["reload"] = "taken";
    answer["added"] = diff.added;
    answer["removed"] = diff.removed;
    answer["changed"] = diff.changed;
    return answer.dump();
}

void Daemon::sweep_links()
{
    for (auto& l : links_)
        if (l->restart && l->pid == 0 && !stopping_) {
            l->restart = false;
            feed(*l, Input::Start);
        }
    std::erase_if(links_, [this](const std::unique_ptr<Link>& l) {
        if (!l->removed || l->pid != 0)
            return false;
        l->prober.reset();
        l->machine.state = LinkState::Stopped;
        online_changed(*l);  // its pppkit-online@ target goes with it
        l->child = sd_event_source_disable_unref(l->child);
        l->timer = sd_event_source_disable_unref(l->timer);
        jlog::link(LOG_NOTICE, jlog::kConfig, *l, "reload: link forgotten");
        return true;
    });
    if (stopping_)
        exit_when_children_gone();
}

// After every event: a removed link whose pppd ended is forgotten, a restart
// whose pppd ended dials.
int Daemon::on_sweep(sd_event_source*, void* ud)
{
    static_cast<Daemon*>(ud)->sweep_links();
    return 0;
}

std::string Daemon::control_reply(const std::string& bytes, Door door)
{
    using nlohmann::json;
    if (sweep_ == nullptr)
        sd_event_add_post(ev_, &sweep_, on_sweep, this);
    auto parsed = control::parse_request(bytes);
    if (const auto* e = std::get_if<control::ParseError>(&parsed))
        return json{{"error", control::error_text(*e)}}.dump();
    const auto& rq = std::get<control::Request>(parsed);
    if (control::needs_root(rq.verb) && door != Door::Control)
        return json{{"error", "permission denied: only root may " + std::string(control::verb_name(rq.verb)) + ", on " +
                                  opt_.runtime_dir + "/control"}}
            .dump();
    if (rq.verb == control::Verb::Status)
        return status_json(rq.name);
    if (rq.verb == control::Verb::Reload) {
        jlog::plain(LOG_NOTICE, "reload asked on the control socket");
        return reload();
    }
    Link* l = nullptr;
    for (auto& x : links_)
        if (x->cfg.name == rq.name && !x->removed)
            l = x.get();
    if (l == nullptr)
        return json{{"error", "no link " + rq.name + " in the configuration"}}.dump();
    const std::string verb(control::verb_name(rq.verb));
    jlog::link(LOG_NOTICE, jlog::kDial, *l, "pppkit " + verb + " " + l->cfg.name);
    switch (rq.verb) {
    case control::Verb::Stop:
        l->restart = false;
        feed(*l, Input::Stop);
        break;
    case control::Verb::Restart:
        if (l->pid != 0 || has_pppd(l->machine.state)) {
            l->restart = true;  // sweep_links dials once this pppd ended
            feed(*l, Input::Stop);
            break;
        }
        [[fallthrough]];
    case control::Verb::Start:
        // the user's word: dial now, the failure counts start over
        l->restart = false;
        l->backoff.failures = 0;
        if (l->machine.state == LinkState::BackingOff) {
            cancel_backoff(*l);
            l->machine.state = LinkState::StoppedByUser;  // so that Start dials at once
        }
        feed(*l, Input::Start);
        break;
    default: break;
    }
    return json{
        {"version", 1}, {"link", l->cfg.name}, {"state", state_name(l->machine.state)}, {"restart_pending", l->restart}}
        .dump();
}

}  // namespace pppkit::supervisor
