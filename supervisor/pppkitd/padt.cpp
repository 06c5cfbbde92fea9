// padt.cpp - stale PPPoE sessions (issue 8 section 5). pppd ends its session
// itself (the channel's PADT) unless it is killed, crashes or the power goes:
// then the access concentrator keeps the session open, and many refuse a new
// one from the same MAC for minutes. pppkitd remembers each link's current
// session in STATE_DIR/NAME.pppoe (written atomically when it changes,
// removed when pppd ends it: phase DEAD, or a clean exit) and, when pppd ended
// uncleanly or pppkitd starts and finds a file no running pppd owns, sends
// the PADT itself: one raw Ethernet frame (AF_PACKET, CAP_NET_RAW) on that
// interface, built by core/pppoe.cpp. Runs on the loop's thread; a send
// never blocks (MSG_DONTWAIT) and a failure only logs: the dial goes on.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/trust.hpp"
#include "core/padt_send.hpp"
#include "pppkitd/daemon.hpp"
#include "pppkitd/journal.hpp"

namespace pppkit::supervisor {
namespace {

// The PADT's Generic-Error tag: the AC's log says who ended the session.
constexpr const char* kPadtText = "pppkitd: session left open by a pppd that ended uncleanly";

// Writes path atomically (temporary file, fsync, rename, fsync of the
// directory): after a power cut the file is the old or the new one.
bool write_atomic(const std::string& dir, const std::string& path, const std::string& text)
{
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return false;
    }
    if (const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
        (void)::fsync(d);
        ::close(d);
    }
    return true;
}

// The session file at path, read only when it and every directory above it
// are trusted (root's, not writable by others: trust.hpp), so that a file
// or link planted in a state-dir others can write never names the session
// to end: the PADT goes to the MAC and interface it names. nullopt: no file;
// problem: there is one, and it is not read.
std::optional<std::string> read_session_file(const std::string& path, std::string& problem)
{
    std::string text;
    int err = 0;
    if (auto p = trust::read_file(path, text, trust::current(), &err)) {
        if (err != ENOENT)
            problem = *p;
        return std::nullopt;
    }
    return text;
}

}  // namespace

std::string Daemon::session_file(const Link& l) const { return opt_.state_dir + "/" + l.cfg.name + ".pppoe"; }

// An event of a connected pppd that carries its session (events.cpp sends it
// from phase ESTABLISH to link-down): remembered, on disk when it changed.
void Daemon::session_seen(Link& l, const event::Message& m)
{
    if (!m.session || !m.ac_mac || m.eth_ifname.empty())
        return;
    pppoe::Session s{*m.session, *m.ac_mac, m.eth_ifname};
    if (!pppoe::valid(s) || l.saved_session == s)
        return;
    ::mkdir(opt_.state_dir.c_str(), 0700);
    const pppoe::Saved saved{s, l.pid};
    // a state-dir that others could write (made by someone else under /tmp,
    // say) gets nothing: what is written there could be swapped for a lie
    if (auto problem = trust::check(opt_.state_dir, trust::Kind::Directory, trust::current())) {
        jlog::link(LOG_WARNING, jlog::kStaleSession, l,
                   "not recording PPPoE session " + std::to_string(s.id) + ": " + *problem +
                       " (a stale session after a crash will not be cleared)");
    } else if (!write_atomic(opt_.state_dir, session_file(l), pppoe::format_state(saved)))
        jlog::link(LOG_WARNING, jlog::kStaleSession, l,
                   "cannot record PPPoE session " + std::to_string(s.id) + " in " + session_file(l) + ": " +
                       std::strerror(errno) + " (a stale session after a crash will not be cleared)");
    l.saved_session = s;
}

// pppd passed phase DEAD: its channel has ended the session (PADT) itself.
void Daemon::session_closed(Link& l)
{
    l.session.reset();
    l.ac_mac.clear();
    l.eth_ifname.clear();
    if (l.saved_session) {
        ::unlink(session_file(l).c_str());
        l.saved_session.reset();
    }
}

// The pppd of l ended: a clean end leaves no session; an unclean one (killed,
// crashed) may have left its session open: PADT now, before the next dial.
void Daemon::session_ended(Link& l, bool unclean)
{
    if (unclean)
        clear_stale_session(l, "pppd ended uncleanly");
    else
        session_closed(l);
    l.session.reset();
    l.ac_mac.clear();
    l.eth_ifname.clear();
}

// At start, after adopt_running(): a file whose link has no running pppd is
// a session from before (pppkitd or the machine went down with pppd): PADT.
// An adopted pppd's file is its live session, shown in status until its
// events say more; a file of another pid than the adopted one is dropped
// without a PADT (the adopted pppd may hold the same id on the same AC).
void Daemon::clear_stale_sessions()
{
    for (auto& lp : links_) {
        Link& l = *lp;
        std::string untrusted;
        const auto text = read_session_file(session_file(l), untrusted);
        if (!untrusted.empty())
            jlog::link(LOG_WARNING, jlog::kStaleSession, l,
                       "ignoring " + session_file(l) + ": " + untrusted + "; no PADT sent for it");
        if (!text)
            continue;
        const auto parsed = pppoe::parse_state(*text);
        if (const auto* problem = std::get_if<std::string>(&parsed)) {
            jlog::link(LOG_WARNING, jlog::kStaleSession, l,
                       "ignoring " + session_file(l) + ": " + *problem + "; removed");
            ::unlink(session_file(l).c_str());
            continue;
        }
        const auto& saved = std::get<pppoe::Saved>(parsed);
        l.saved_session = saved.session;
        if (l.pid == 0) {
            clear_stale_session(l, "left open when pppkitd last stopped (power cut or crash?)");
        } else if (saved.pid == l.pid) {
            l.session = saved.session.id;
            l.ac_mac = pppoe::format_mac(saved.session.ac_mac);
            l.eth_ifname = saved.session.ethernet;
        } else {
            ::unlink(session_file(l).c_str());
            l.saved_session.reset();
        }
    }
}

// Sends the PADT of the remembered session, if there is one. The file stays
// when the send failed, so that the next dial (spawn) tries again.
void Daemon::clear_stale_session(Link& l, const std::string& why)
{
    if (!l.saved_session)
        return;
    const pppoe::Session s = *l.saved_session;
    // A record kept from a PADT that failed (the interface was down at boot)
    // waits for this link's next dial, maybe hours. By then the access
    // concentrator may have given the same session id to another link on the
    // same Ethernet (one MAC, several sessions): that PADT would end the other
    // link's live session. Its id in use by another says ours is gone anyway.
    for (const auto& o : links_) {
        if (o.get() == &l || o->pid == 0 || !o->session || *o->session != s.id || o->eth_ifname != s.ethernet ||
            o->ac_mac != pppoe::format_mac(s.ac_mac))
            continue;
        jlog::stale_session(LOG_NOTICE, l, s.ethernet,
                            "no PADT for stale PPPoE session " + std::to_string(s.id) + " with access concentrator " +
                                o->ac_mac + " on " + s.ethernet + " (" + why + "): it is link " + o->cfg.name +
                                "'s live session now; record dropped");
        ::unlink(session_file(l).c_str());
        l.saved_session.reset();
        return;
    }
    const std::string err = pppoe::send_padt(s, kPadtText);
    l.last_padt = Link::Padt{std::time(nullptr), s, why, err};
    const std::string what = "PPPoE session " + std::to_string(s.id) + " with access concentrator " +
                             pppoe::format_mac(s.ac_mac) + " on " + s.ethernet + " (" + why + ")";
    if (!err.empty()) {
        jlog::stale_session(LOG_WARNING, l, s.ethernet, "cannot send the PADT for stale " + what + ": " + err);
        return;
    }
    jlog::stale_session(LOG_NOTICE, l, s.ethernet, "stale session cleared: PADT sent for " + what);
    ::unlink(session_file(l).c_str());
    l.saved_session.reset();
}

}  // namespace pppkit::supervisor
