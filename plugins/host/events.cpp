#include "host/events.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/event_codec.hpp"
#include "core/pppoe.hpp"
#include "host/host.hpp"

namespace pppkit::host::events {
namespace {

constexpr const char* kSenderEnv = "PPPKIT_EVENT_SENDER";
// For tests only: another socket path (pppkitd --runtime-dir). Whoever sets
// pppd's environment is root already.
constexpr const char* kSocketEnv = "PPPKIT_EVENT_SOCKET";
constexpr const char* kSocket = "/run/pppkit/event";
constexpr const char* kPluginsEnv = "PPPKIT_EVENT_PLUGINS";

char g_tag;  // its address tells this .so's copy from the others
pid_t g_decided_for = 0;
bool g_sender = false;
bool g_hello_sent = false;
bool g_warned = false;
int g_fd = -1;
std::string g_peer;

bool is_sender()
{
    const pid_t pid = ::getpid();
    if (g_decided_for == pid)
        return g_sender;
    g_decided_for = pid;
    g_hello_sent = false;
    char mine[64];
    std::snprintf(mine, sizeof mine, "%ld:%p", static_cast<long>(pid), static_cast<void*>(&g_tag));
    const char* cur = std::getenv(kSenderEnv);
    const std::string prefix = std::to_string(pid) + ":";
    if (cur == nullptr || std::strncmp(cur, prefix.c_str(), prefix.size()) != 0) {
        ::setenv(kSenderEnv, mine, 1);
        g_sender = true;
    } else {
        g_sender = std::strcmp(cur, mine) == 0;
    }
    return g_sender;
}

}  // namespace

bool sends() noexcept
{
    try {
        return is_sender();
    } catch (...) {
        return false;
    }
}

// NAME of "pppd call NAME" (what pon runs), from our own command line.
std::string peer_name()
{
    int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {};
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0)
        return {};
    std::string prev;
    for (size_t i = 0; i < static_cast<size_t>(n);) {
        std::string arg(buf + i);
        i += arg.size() + 1;
        if (prev == "call") {
            // what the daemon accepts (event_codec.hpp), or no name: a bad one
            // would make it drop every message of this pppd
            const bool ok =
                !arg.empty() && arg.size() <= supervisor::event::kMaxString &&
                std::all_of(arg.begin(), arg.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f && c != '/'; });
            return ok ? arg : std::string();
        }
        prev = arg;
    }
    return {};
}

namespace {

void send(const supervisor::event::Message& m)
{
    if (g_fd < 0)
        g_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (g_fd < 0)
        return;
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    const char* path = std::getenv(kSocketEnv);
    if (path == nullptr || *path != '/')
        path = kSocket;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    auto bytes = supervisor::event::encode(m);
    // The credentials say the effective uid: pppd's privilege. The kernel
    // would fill in the real uid, which for Debian's setuid pppd started by
    // a member of group dip (pon) is the user's, and pppkitd reads only
    // root's messages. Only a process whose real, effective or saved uid is
    // 0 may claim uid 0 (the kernel checks it: scm_check_creds).
    iovec iov{bytes.data(), bytes.size()};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(ucred))] = {};
    msghdr mh{};
    mh.msg_name = &a;
    mh.msg_namelen = sizeof a;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(ucred));
    const ucred cred{::getpid(), ::geteuid(), ::getegid()};
    std::memcpy(CMSG_DATA(c), &cred, sizeof cred);
    if (::sendmsg(g_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
        return;
    if (!g_warned) {
        g_warned = true;
        // no pppkitd at all is a normal setup; a daemon that does not keep up is not
        const bool absent = errno == ENOENT || errno == ECONNREFUSED;
        log(absent ? Level::Debug : Level::Warn, std::string("pppkitd does not hear this pppd (") + path + ": " +
                                                     std::strerror(errno) + "); its events are dropped");
    }
}

supervisor::event::Message snapshot(supervisor::event::MsgType type)
{
    supervisor::event::Message m;
    m.type = type;
    m.pid = static_cast<uint32_t>(::getpid());
    m.peer = g_peer;
    pk_link raw{};
    // The MTU is read from the kernel only while the interface surely exists
    // (ip-up, ipv6-up): after link-down the read of a missing interface makes
    // the kernel run its module loader (issue 13).
    pk_get_link(&raw, type == supervisor::event::MsgType::IpUp || type == supervisor::event::MsgType::Ipv6Up);
    m.ifname = raw.ifname;
    if (raw.mtu > 0 && raw.mtu <= 65535)
        m.mtu = static_cast<uint16_t>(raw.mtu);
    return m;
}

// The PPPoE session rides on the events of a connected channel: from
// ESTABLISH (the channel has its PADS) to link-down. Not on DEAD or later:
// by then the channel sent its PADT, and pppd keeps the old number until the
// next PADS, so a session number there would be a closed one.
bool session_is_live(pk_event ev, int arg)
{
    switch (ev) {
    case PK_EV_PHASE: return arg >= PK_PHASE_ESTABLISH && arg <= PK_PHASE_DISCONNECT;
    case PK_EV_IP_UP:
    case PK_EV_IP_DOWN:
    case PK_EV_IPV6_UP:
    case PK_EV_IPV6_DOWN:
    case PK_EV_LINK_DOWN: return true;
    case PK_EV_EXIT: return false;
    }
    return false;
}

// Only a complete, valid session is sent (id 1..0xFFFE, a unicast AC MAC, an
// interface name pppkit accepts): anything else from the channel is left out.
void add_session(supervisor::event::Message& m, const pk_link& raw)
{
    const auto s = supervisor::pppoe::from_pppd(raw.session, raw.remote_number, raw.devnam);
    if (!s)
        return;
    m.session = s->id;
    m.ac_mac = s->ac_mac;
    m.eth_ifname = s->ethernet;
}

std::string short_name(const char* plugin_name)
{
    std::string n = plugin_name;
    return n.rfind("pppkit-", 0) == 0 ? n.substr(7) : n;
}

// The plugins list of this process, "" when another process wrote it.
std::string loaded_list()
{
    const char* cur = std::getenv(kPluginsEnv);
    const std::string prefix = std::to_string(::getpid()) + ":";
    if (cur == nullptr || std::strncmp(cur, prefix.c_str(), prefix.size()) != 0)
        return {};
    return cur + prefix.size();
}

std::array<uint8_t, 16> link_local(uint64_t id)
{
    std::array<uint8_t, 16> a{0xfe, 0x80};
    std::memcpy(a.data() + 8, &id, 8);  // pppd keeps the identifier in network order
    return a;
}

}  // namespace

std::string peer() { return peer_name(); }

void forward(pk_event ev, int arg) noexcept
{
    using supervisor::event::MsgType;
    try {
        if (!is_sender())
            return;
        if (!g_hello_sent) {
            g_hello_sent = true;
            g_peer = peer_name();
            auto hello = snapshot(MsgType::Hello);
            hello.plugins = loaded_list();
            send(hello);
        }
        MsgType t = MsgType::Phase;
        switch (ev) {
        case PK_EV_PHASE: t = MsgType::Phase; break;
        case PK_EV_IP_UP: t = MsgType::IpUp; break;
        case PK_EV_IP_DOWN: t = MsgType::IpDown; break;
        case PK_EV_IPV6_UP: t = MsgType::Ipv6Up; break;
        case PK_EV_IPV6_DOWN: t = MsgType::Ipv6Down; break;
        case PK_EV_LINK_DOWN: t = MsgType::LinkDown; break;
        case PK_EV_EXIT: t = MsgType::Exit; break;
        }
        auto m = snapshot(t);
        pk_link raw{};
        pk_get_link(&raw, 0);  // addresses only
        if (session_is_live(ev, arg))
            add_session(m, raw);
        if (t == MsgType::Phase)
            m.phase = static_cast<uint8_t>(arg);
        // pppd's status as it stands: what ends an attempt sets it before
        // lcp_close (19: we failed to authenticate), so TERMINATE, DISCONNECT
        // and DEAD carry it; with `persist` pppd redials without exiting, and
        // this is how pppkitd learns of each failed attempt. (Not link-down:
        // pppd sends that only after the network phase began.)
        if (t == MsgType::Phase && raw.status > 0 && raw.status < 256)
            m.exit_status = static_cast<uint8_t>(raw.status);
        if (t == MsgType::Exit)
            m.exit_status = static_cast<uint8_t>(arg);
        if (t == MsgType::IpUp) {
            if (raw.local4 != 0)
                std::memcpy(m.local4.emplace().data(), &raw.local4, 4);
            if (raw.remote4 != 0)
                std::memcpy(m.remote4.emplace().data(), &raw.remote4, 4);
        }
        if (t == MsgType::Ipv6Up) {
            if (raw.ourid6 != 0)
                m.local6 = link_local(raw.ourid6);
            if (raw.hisid6 != 0)
                m.remote6 = link_local(raw.hisid6);
        }
        send(m);
    } catch (...) {
        // an event lost, never pppd
    }
}

void loaded(const char* plugin_name) noexcept
{
    try {
        std::vector<std::string> names;
        std::string cur = loaded_list();
        for (size_t a = 0; !cur.empty() && a <= cur.size();) {
            size_t e = cur.find(',', a);
            if (e == std::string::npos)
                e = cur.size();
            names.push_back(cur.substr(a, e - a));
            a = e + 1;
        }
        names.push_back(short_name(plugin_name));
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        std::string v = std::to_string(::getpid()) + ":";
        for (size_t i = 0; i < names.size(); ++i)
            v += (i ? "," : "") + names[i];
        ::setenv(kPluginsEnv, v.c_str(), 1);
    } catch (...) {
        // the daemon then waits for nobody's Applied: online at ip-up
    }
}

void applied(pk_event ev, const char* plugin_name, bool in_place) noexcept
{
    using supervisor::event::MsgType;
    if (ev != PK_EV_IP_UP && ev != PK_EV_IPV6_UP)
        return;
    try {
        if (g_peer.empty())
            g_peer = peer_name();
        supervisor::event::Message m;
        m.type = MsgType::Applied;
        m.pid = static_cast<uint32_t>(::getpid());
        m.peer = g_peer;
        pk_link raw{};
        pk_get_link(&raw, 0);
        m.ifname = raw.ifname;
        m.plugin = short_name(plugin_name);
        m.outcome = in_place ? 0 : 1;
        m.up_type = static_cast<uint8_t>(ev == PK_EV_IP_UP ? MsgType::IpUp : MsgType::Ipv6Up);
        send(m);
    } catch (...) {
        // an event lost, never pppd
    }
}

void problem(std::string_view text) noexcept
{
    try {
        if (g_peer.empty())
            g_peer = peer_name();
        supervisor::event::Message m;
        m.type = supervisor::event::MsgType::Problem;
        m.pid = static_cast<uint32_t>(::getpid());
        m.peer = g_peer;
        pk_link raw{};
        pk_get_link(&raw, 0);
        m.ifname = raw.ifname;
        m.text = supervisor::event::printable(text);
        if (!m.text.empty())
            send(m);
    } catch (...) {
        // the reason stays in pppd's log only
    }
}

}  // namespace pppkit::host::events
