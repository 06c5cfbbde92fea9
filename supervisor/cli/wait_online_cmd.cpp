// pppkit wait-online [NAME] [--timeout S] [--remote HOST[:PORT]] [--socket PATH]:
// for scripts and units, waits until link NAME (or every autostart link) is
// online in pppkitd's sense: up, with the firewall's dynamic part and the MSS
// elements in place (the moment pppkit-online@NAME.target is started).
// Locally it asks pppkitd's control socket as root, else its status socket;
// with --remote it asks another
// host's pppkitd on its LAN status answer ([pppkitd] status-listen). Asks
// again every 0.5 s (locally) or 1 s (remote), sleeping in between.
// Exit: 0 online, 1 not online within the timeout, 2 usage.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "core/online.hpp"

namespace pppkit::cli {

namespace online = supervisor::online;

namespace {

constexpr int kDefaultTimeout = 120;

int64_t now_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Reads until the peer closes, at most `cap` bytes, until deadline_ms.
std::optional<std::string> read_all(int fd, size_t cap, int64_t deadline_ms)
{
    std::string out;
    for (;;) {
        const int64_t left = deadline_ms - now_ms();
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0)
            return std::nullopt;
        char buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0)
            return out;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            return std::nullopt;
        }
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > cap)
            return std::nullopt;
    }
}

// Non-blocking connect bounded by deadline_ms; -1 when not connected.
int connect_by(int fd, const sockaddr* a, socklen_t len, int64_t deadline_ms)
{
    if (::connect(fd, a, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    pollfd p{fd, POLLOUT, 0};
    const int64_t left = deadline_ms - now_ms();
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0)
        return -1;
    int err = 0;
    socklen_t n = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &n) != 0 || err != 0)
        return -1;
    return 0;
}

enum class Seen { Online, Offline, NoSuchLink, Unreachable };

// One local question: "status [NAME]" on pppkitd's control or status socket.
Seen ask_local(const std::string& path, const std::string& name, int64_t deadline_ms, std::string& why)
{
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect_by(fd, reinterpret_cast<sockaddr*>(&a), sizeof a, deadline_ms) != 0) {
        why = "cannot reach pppkitd at " + path + ": " + std::strerror(errno);
        if (fd >= 0)
            ::close(fd);
        return Seen::Unreachable;
    }
    const std::string req = "status" + (name.empty() ? "" : " " + name) + "\n";
    (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    auto answer = read_all(fd, 1u << 20, deadline_ms);
    ::close(fd);
    auto j = nlohmann::json::parse(answer.value_or(""), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("links") || !j["links"].is_array()) {
        why = "no usable answer from pppkitd" +
              (j.is_object() && j.contains("error") ? ": " + j["error"].dump() : std::string());
        return Seen::Unreachable;
    }
    bool any = false, all = true;
    for (const auto& l : j["links"]) {
        if (name.empty() && !l.value("autostart", false))
            continue;
        any = true;
        const auto o = l.find("online");
        all = all && o != l.end() && o->is_object() && o->value("reached", false);
    }
    if (!any) {
        why = name.empty() ? "pppkitd has no autostart link" : "pppkitd has no link '" + name + "'";
        return Seen::NoSuchLink;
    }
    return all ? Seen::Online : Seen::Offline;
}

// One remote question: "online [NAME]" to HOST:PORT, the answer read as hostile.
Seen ask_remote(const std::string& host, const std::string& port, const std::string& name, int64_t deadline_ms,
                std::string& why)
{
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* res = nullptr;
    if (int r = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); r != 0) {
        why = "cannot resolve " + host + ": " + ::gai_strerror(r);
        return Seen::Unreachable;
    }
    Seen seen = Seen::Unreachable;
    why = "cannot connect to " + host + " port " + port;
    for (auto* ai = res; ai != nullptr; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        const int64_t by = std::min(deadline_ms, now_ms() + 3000);
        if (fd < 0 || connect_by(fd, ai->ai_addr, ai->ai_addrlen, by) != 0) {
            why = "cannot connect to " + host + " port " + port + ": " + std::strerror(errno);
            if (fd >= 0)
                ::close(fd);
            continue;
        }
        const std::string req = online::request(name);
        (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
        auto answer = read_all(fd, 16, by);
        ::close(fd);
        auto a = online::parse_answer(answer.value_or(""));
        if (!a) {
            why = host + " answered something that is not a pppkit status answer";
            continue;
        }
        switch (*a) {
        case online::Answer::Online: seen = Seen::Online; break;
        case online::Answer::Offline: seen = Seen::Offline; break;
        case online::Answer::Unknown:
            seen = Seen::NoSuchLink;
            why = host + " has no " + (name.empty() ? "autostart link" : "link '" + name + "'");
            break;
        case online::Answer::Busy: why = host + " is rate-limiting this host"; break;
        case online::Answer::Error: why = host + " did not understand the question"; break;
        }
        break;
    }
    ::freeaddrinfo(res);
    return seen;
}

int usage()
{
    std::fprintf(stderr, "usage: pppkit wait-online [NAME] [--timeout SECONDS] [--remote HOST[:PORT]] "
                         "[--socket PATH]\n");
    return 2;
}

}  // namespace

int wait_online(const Args& in)
{
    Args args = in;
    bool ignored = false;
    (void)take_config(args, ignored);
    std::string name, remote, sock = status_socket();
    int timeout = kDefaultTimeout;
    bool quiet = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--timeout" && i + 1 < args.size()) {
            const std::string& v = args[++i];
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), timeout);
            if (ec != std::errc() || end != v.data() + v.size() || timeout < 0 || timeout > 86400 * 365) {
                std::fprintf(stderr, "pppkit wait-online: --timeout: not a number of seconds (got '%s')\n", v.c_str());
                return 2;
            }
        } else if (a == "--remote" && i + 1 < args.size()) {
            remote = args[++i];
        } else if (a == "--socket" && i + 1 < args.size()) {
            sock = args[++i];
        } else if (a == "--quiet" || a == "-q") {
            quiet = true;
        } else if (!a.empty() && a[0] != '-' && name.empty()) {
            name = a;
            if (!online::parse_request(online::request(name))) {
                std::fprintf(stderr, "pppkit wait-online: not a link name (got '%s')\n", name.c_str());
                return 2;
            }
        } else {
            return usage();
        }
    }
    std::string host, port = std::to_string(online::kDefaultPort);
    if (!remote.empty()) {
        auto colon = remote.rfind(':');
        if (remote.front() == '[') {  // [v6]:port or [v6]
            auto close = remote.find(']');
            if (close == std::string::npos)
                return usage();
            host = remote.substr(1, close - 1);
            if (close + 1 < remote.size()) {
                if (remote[close + 1] != ':')
                    return usage();
                port = remote.substr(close + 2);
            }
        } else if (colon != std::string::npos && remote.find(':') == colon) {
            host = remote.substr(0, colon);
            port = remote.substr(colon + 1);
        } else {
            host = remote;  // a name, an IPv4 address or a bare IPv6 address
        }
        unsigned p = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (host.empty() || ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535) {
            std::fprintf(stderr, "pppkit wait-online: --remote: not HOST[:PORT] (got '%s')\n", remote.c_str());
            return 2;
        }
    }
    const std::string what =
        (name.empty() ? std::string("the autostart links") : "link " + name) + (remote.empty() ? "" : " of " + host);
    const int64_t start = now_ms();
    const int64_t deadline = timeout == 0 ? INT64_MAX : start + static_cast<int64_t>(timeout) * 1000;
    const int64_t period = remote.empty() ? 500 : 1000;
    std::string last_why;
    for (;;) {
        const int64_t t0 = now_ms();
        std::string why;
        const int64_t by = std::min(deadline, t0 + 5000);
        Seen s = remote.empty() ? ask_local(sock, name, by, why) : ask_remote(host, port, name, by, why);
        if (s == Seen::Online) {
            if (!quiet)
                std::printf("%s: online (after %.1f s)\n", what.c_str(), static_cast<double>(now_ms() - start) / 1000);
            return 0;
        }
        if (!why.empty() && why != last_why && !quiet)
            std::fprintf(stderr, "pppkit wait-online: %s; still waiting\n", why.c_str());
        last_why = why;
        if (now_ms() >= deadline)
            break;
        timespec ts{};
        const int64_t sleep = std::min(t0 + period, deadline) - now_ms();  // one last question at the deadline
        if (sleep > 0) {
            ts.tv_sec = sleep / 1000;
            ts.tv_nsec = (sleep % 1000) * 1000000;
            ::nanosleep(&ts, nullptr);
        }
    }
    if (!quiet)
        std::fprintf(stderr, "pppkit wait-online: %s not online within %d s\n", what.c_str(), timeout);
    return 1;
}

}  // namespace pppkit::cli
