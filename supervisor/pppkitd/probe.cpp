#include "pppkitd/probe.hpp"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>

#include "pppkitd/daemon.hpp"
#include "pppkitd/journal.hpp"

namespace pppkit::supervisor {

namespace {

uint64_t mono_usec(sd_event* ev)
{
    uint64_t t = 0;
    sd_event_now(ev, CLOCK_MONOTONIC, &t);
    return t;
}

socklen_t sockaddr_of(const probe::Target& t, sockaddr_storage& ss)
{
    ss = {};
    if (t.family == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(t.port);
        inet_pton(AF_INET, t.address.c_str(), &a->sin_addr);
        return sizeof(sockaddr_in);
    }
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(t.port);
    inet_pton(AF_INET6, t.address.c_str(), &a->sin6_addr);
    return sizeof(sockaddr_in6);
}

// Whether from (recvfrom's source) is the target's address.
bool from_target(const probe::Target& t, const sockaddr_storage& from)
{
    sockaddr_storage want;
    (void)sockaddr_of(t, want);
    if (from.ss_family != want.ss_family)
        return false;
    if (t.family == AF_INET)
        return reinterpret_cast<const sockaddr_in&>(from).sin_addr.s_addr ==
               reinterpret_cast<const sockaddr_in&>(want).sin_addr.s_addr;
    return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(from).sin6_addr,
                       &reinterpret_cast<const sockaddr_in6&>(want).sin6_addr, sizeof(in6_addr)) == 0;
}

// A fresh random 16-bit value (an echo's id and sequence): an off-path host
// cannot guess which echo to quote in a forged ICMP error.
uint16_t random16()
{
    uint16_t v = 0;
    if (::getrandom(&v, sizeof v, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof v)) {
        static std::random_device rd;
        v = static_cast<uint16_t>(rd());
    }
    return v;
}

// What a failed connect or send says about the path.
probe::Result from_errno(int e)
{
    switch (e) {
    case 0: return probe::Result::Ok;
    case ECONNREFUSED: return probe::Result::Refused;
    case ETIMEDOUT: return probe::Result::Timeout;
    default: return probe::Result::Unreachable;
    }
}

}  // namespace

Prober::Prober(sd_event* ev, Link& link) : ev_(ev), link_(link), last_(link.cfg.probes.size()) {}

Prober::~Prober()
{
    close_pending();
    sd_event_source_disable_unref(tick_);
}

void Prober::link_up()
{
    link_down();
    probe::on_link_up(state_);
    said_failing_ = false;  // a new link: its first answer is not "again"
    // the first round one interval after ip-up: the link settles first
    sd_event_add_time_relative(ev_, &tick_, CLOCK_MONOTONIC, static_cast<uint64_t>(link_.cfg.probe_interval_ms) * 1000,
                               10000, on_tick, this);
}

void Prober::link_down()
{
    close_pending();
    tick_ = sd_event_source_disable_unref(tick_);
}

void Prober::close_pending()
{
    for (auto& p : pending_) {
        sd_event_source_disable_unref(p.io);
        if (p.fd >= 0)
            ::close(p.fd);
    }
    pending_.clear();
    timeout_ = sd_event_source_disable_unref(timeout_);
}

int Prober::on_tick(sd_event_source* s, uint64_t usec, void* ud)
{
    auto* p = static_cast<Prober*>(ud);
    // a round still under way (timeout == interval): it ends now, unanswered
    if (!p->pending_.empty())
        p->finish_round();
    if (p->tick_ == nullptr)  // the round's end took the link down (SIGHUP is async: not yet)
        return 0;
    sd_event_source_set_time(s, usec + static_cast<uint64_t>(p->link_.cfg.probe_interval_ms) * 1000);
    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
    p->start_round();
    return 0;
}

void Prober::start_round()
{
    const size_t n = link_.cfg.probes.size();
    round_.assign(n, probe::Result::None);
    pending_.assign(n, Pending{});
    round_start_ = mono_usec(ev_);
    seq_ = random16();  // a new, unguessable sequence each round (and id each probe)
    sd_event_add_time_relative(ev_, &timeout_, CLOCK_MONOTONIC,
                               static_cast<uint64_t>(link_.cfg.probe_timeout_ms) * 1000, 10000, on_timeout, this);
    for (size_t i = 0; i < n && !pending_.empty(); ++i)
        open_probe(i);
}

void Prober::open_probe(size_t i)
{
    const probe::Target& t = link_.cfg.probes[i];
    Pending& p = pending_[i];
    p.owner = this;
    p.target = i;
    const bool icmp = t.kind == probe::Kind::Icmp;
    const int proto = !icmp ? 0 : t.family == AF_INET ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
    p.fd = ::socket(t.family, (icmp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (p.fd < 0 && icmp) {  // no ping socket for our group (net.ipv4.ping_group_range): raw
        p.raw = true;
        p.fd = ::socket(t.family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    }
    if (p.fd < 0 || link_.ifname.empty() ||
        ::setsockopt(p.fd, SOL_SOCKET, SO_BINDTODEVICE, link_.ifname.c_str(),
                     static_cast<socklen_t>(link_.ifname.size())) != 0) {
        done(i, errno == ENODEV ? probe::Result::Unreachable : probe::Result::Error);
        return;
    }
    sockaddr_storage ss;
    const socklen_t len = sockaddr_of(t, ss);
    // An ICMP error to an echo request (host or net unreachable, filtered)
    // is queued on the socket's error queue and wakes on_io at once
    // (EPOLLERR); on_io ends the probe only if the error quotes this probe's
    // echo (id and sequence). Without IP_RECVERR an unconnected ping or raw
    // socket drops it and the probe ends as a timeout. A TCP connect gets
    // these errors without it (the kernel checks the quoted TCP sequence).
    const int on = 1;
    if (icmp && (t.family == AF_INET ? ::setsockopt(p.fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on)
                                     : ::setsockopt(p.fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on)) != 0) {
        done(i, probe::Result::Error);
        return;
    }
    if (icmp) {
        // raw: the id is ours, random (a ping socket's is the kernel's)
        p.id = random16();
        const auto pkt = probe::echo_request(t.family, p.id, seq_);
        if (::sendto(p.fd, pkt.data(), pkt.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
            done(i, from_errno(errno == 0 ? EIO : errno));
            return;
        }
        sd_event_add_io(ev_, &p.io, p.fd, EPOLLIN, on_io, &p);
        return;
    }
    if (::connect(p.fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
        done(i, probe::Result::Ok);
        return;
    }
    if (errno != EINPROGRESS) {
        done(i, from_errno(errno));
        return;
    }
    sd_event_add_io(ev_, &p.io, p.fd, EPOLLOUT, on_io, &p);
}

int Prober::on_io(sd_event_source*, int fd, uint32_t, void* ud)
{
    auto* p = static_cast<Pending*>(ud);
    Prober* self = p->owner;
    const probe::Target& t = self->link_.cfg.probes[p->target];
    if (t.kind == probe::Kind::Tcp) {
        int err = 0;
        socklen_t n = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &n) != 0)
            err = errno;
        self->done(p->target, from_errno(err));
        return 0;
    }
    // every ICMP packet of the interface reaches a raw socket: only our
    // reply counts, from the target itself (an echo reply with our id and
    // sequence from anyone else is a forgery, or someone else's answer).
    // An ICMP error counts only if it quotes our echo request, sent to the
    // target: anyone may send one quoting anything (a forged error must not
    // end a probe, or a host off the path could make pppkitd redial).
    const bool check_id = p->raw;
    for (int k = 0; k < 64; ++k) {
        uint8_t buf[1500];
        for (int e = 0; e < 64; ++e) {  // the error queue first: it keeps EPOLLERR up
            sockaddr_storage to{};
            alignas(cmsghdr) char ctl[512];
            iovec iov{buf, sizeof buf};
            msghdr m{};
            m.msg_name = &to;
            m.msg_namelen = sizeof to;
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            m.msg_control = ctl;
            m.msg_controllen = sizeof ctl;
            const ssize_t n = ::recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
            if (n < 0)
                break;
            int err = 0;
            for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c))
                if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
                    sock_extended_err ee;
                    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
                    if (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6)
                        err = static_cast<int>(ee.ee_errno);
                }
            if (err != 0 && from_target(t, to) &&
                probe::quotes_echo_request({buf, static_cast<size_t>(n)}, t.family, check_id, p->id, self->seq_)) {
                self->done(p->target, from_errno(err));
                return 0;
            }
        }
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        const ssize_t n = ::recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            continue;  // EINTR, or the pending error of a queued ICMP error (judged above): read on
        if (n < 0)
            break;
        if (from_target(t, from) && probe::is_echo_reply({buf, static_cast<size_t>(n)}, t.family,
                                                         p->raw && t.family == AF_INET, check_id, p->id, self->seq_)) {
            self->done(p->target, probe::Result::Ok);
            break;
        }
    }
    return 0;
}

int Prober::on_timeout(sd_event_source*, uint64_t, void* ud)
{
    static_cast<Prober*>(ud)->finish_round();
    return 0;
}

void Prober::done(size_t i, probe::Result r)
{
    if (i >= pending_.size() || round_[i] != probe::Result::None)
        return;
    round_[i] = r;
    Pending& p = pending_[i];
    p.io = sd_event_source_disable_unref(p.io);
    if (p.fd >= 0)
        ::close(p.fd);
    p.fd = -1;
    last_[i] = {r, std::time(nullptr),
                probe::answered(r) ? static_cast<double>(mono_usec(ev_) - round_start_) / 1000.0 : -1};
    for (auto x : round_)
        if (x == probe::Result::None)
            return;
    finish_round();
}

void Prober::finish_round()
{
    if (pending_.empty())
        return;
    for (size_t i = 0; i < round_.size(); ++i)
        if (round_[i] == probe::Result::None) {
            round_[i] = probe::Result::Timeout;
            last_[i] = {probe::Result::Timeout, std::time(nullptr), -1};
        }
    close_pending();
    const auto v = probe::on_round(state_, link_.cfg.probe_failures, link_.machine.state == LinkState::Up, round_);
    std::string what;
    for (size_t i = 0; i < round_.size(); ++i)
        what += (i ? ", " : "") + link_.cfg.probes[i].text() + " " + std::string(probe::result_name(round_[i]));
    switch (v) {
    case probe::Verdict::Fine:
        // "again" after any failed round of this link, also when a redial
        // (which starts the count anew) came in between
        if (std::exchange(said_failing_, false))
            jlog::link(LOG_NOTICE, jlog::kProbe, link_, "probes answer again on " + link_.ifname + ": " + what);
        break;
    case probe::Verdict::Failing:
        said_failing_ = true;
        jlog::link(LOG_WARNING, jlog::kProbe, link_,
                   "probe round failed (" + std::to_string(state_.failed_rounds) + " of " +
                       std::to_string(link_.cfg.probe_failures) + " in a row) on " + link_.ifname + ": " + what);
        break;
    case probe::Verdict::Redial:
        said_failing_ = true;
        jlog::link(LOG_WARNING, jlog::kProbeRedial, link_,
                   "probe failed, redial: no target answered through " + link_.ifname + " in " +
                       std::to_string(link_.cfg.probe_failures) + " rounds in a row (" + what + "); SIGHUP to pppd " +
                       std::to_string(link_.pid));
        signal_pppd(link_, SIGHUP);
        break;
    }
}

nlohmann::json Prober::status() const
{
    using nlohmann::json;
    json targets = json::array();
    for (size_t i = 0; i < last_.size(); ++i)
        targets.push_back({{"target", link_.cfg.probes[i].text()},
                           {"result", std::string(probe::result_name(last_[i].result))},
                           {"at", last_[i].at != 0 ? json(iso(last_[i].at)) : json(nullptr)},
                           {"rtt_ms", last_[i].rtt_ms >= 0 ? json(last_[i].rtt_ms) : json(nullptr)}});
    return {{"targets", std::move(targets)},
            {"interval_ms", link_.cfg.probe_interval_ms},
            {"timeout_ms", link_.cfg.probe_timeout_ms},
            {"failures", link_.cfg.probe_failures},
            {"failures_in_row", state_.failed_rounds},
            {"rounds", state_.rounds},
            {"redials", state_.redials}};
}

}  // namespace pppkit::supervisor
