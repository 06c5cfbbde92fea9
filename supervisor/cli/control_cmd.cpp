// pppkit start|stop|restart NAME, pppkit reload [--socket PATH]: ask pppkitd
// on its control socket (root's alone; group pppkit may only read status, on
// the status socket).
// The request is core/control.hpp's "v1 VERB [NAME]".
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "core/control.hpp"

namespace pppkit::cli {

std::string status_socket() { return ::geteuid() == 0 ? kControlSocket : kStatusSocket; }

namespace {

int64_t now_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

std::optional<std::string> ask_pppkitd(const std::string& path, const std::string& request, const std::string& who,
                                       int timeout_s)
{
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) {
        std::fprintf(stderr, "%s: socket path too long: %s\n", who.c_str(), path.c_str());
        return std::nullopt;
    }
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    const int64_t deadline = now_ms() + static_cast<int64_t>(timeout_s) * 1000;
    // A blocking connect() to a unix socket whose backlog is full waits for
    // room, bounded by the send timeout (EAGAIN once it passed).
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{std::min(timeout_s, kConnectTimeoutS), 0};
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        const int e = errno;
        std::fprintf(stderr, "%s: cannot reach pppkitd at %s: %s\n", who.c_str(), path.c_str(),
                     e == EAGAIN ? "it accepts no connection (busy?)" : std::strerror(e));
        if (fd >= 0)
            ::close(fd);
        return std::nullopt;
    }
    (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    std::string out;
    const char* why = nullptr;
    for (;;) {
        const int64_t left = deadline - now_ms();
        pollfd p{fd, POLLIN, 0};
        const int r = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            why = r == 0 ? "no answer in time" : std::strerror(errno);
            break;
        }
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            why = std::strerror(errno);
            break;
        }
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > (1u << 20)) {
            why = "answer too long";
            break;
        }
    }
    ::close(fd);
    if (why != nullptr || out.empty()) {
        std::fprintf(stderr, "%s: no answer from pppkitd: %s\n", who.c_str(), why != nullptr ? why : "closed");
        return std::nullopt;
    }
    return out;
}

namespace {

using supervisor::control::Request;
using supervisor::control::Verb;

std::string list(const nlohmann::json& a)
{
    std::string s;
    if (a.is_array())
        for (const auto& x : a)
            if (x.is_string())
                s += (s.empty() ? "" : ", ") + x.get<std::string>();
    return s.empty() ? "none" : s;
}

}  // namespace

int control(const std::string& verb, const Args& in)
{
    Args args = in;
    std::string sock = kControlSocket;
    std::string name;
    bool usage = false;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--socket" && i + 1 < args.size())
            sock = args[++i];
        else if (args[i] == "--config" && i + 1 < args.size())
            ++i;  // pppkitd reads its own configuration
        else if (name.empty() && !args[i].empty() && args[i][0] != '-')
            name = args[i];
        else
            usage = true;
    }
    Request rq;
    rq.verb = verb == "start"     ? Verb::Start
              : verb == "stop"    ? Verb::Stop
              : verb == "restart" ? Verb::Restart
                                  : Verb::Reload;
    rq.name = name;
    if (usage || (rq.verb == Verb::Reload) != name.empty() ||
        !std::holds_alternative<Request>(supervisor::control::parse_request(format_request(rq)))) {
        std::fprintf(stderr,
                     rq.verb == Verb::Reload ? "usage: pppkit reload [--socket PATH]\n"
                                             : "usage: pppkit %s NAME [--socket PATH]\n",
                     verb.c_str());
        return 2;
    }
    // a reload reads the configuration and prepares the firewall: 15 s
    auto answer = ask_pppkitd(sock, supervisor::control::format_request(rq),
                              "pppkit " + std::string(supervisor::control::verb_name(rq.verb)), 15);
    if (!answer)
        return 1;
    auto j = nlohmann::json::parse(*answer, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        std::fprintf(stderr, "pppkit %s: pppkitd's answer is not JSON\n", verb.c_str());
        return 1;
    }
    if (j.contains("error") && j["error"].is_string()) {
        std::fprintf(stderr, "pppkit %s: %s\n", verb.c_str(), j["error"].get<std::string>().c_str());
        return 1;
    }
    if (rq.verb == Verb::Reload) {
        if (j.value("reload", "") != "taken") {
            if (j.contains("problems") && j["problems"].is_array())
                for (const auto& p : j["problems"])
                    if (p.is_string())
                        std::fprintf(stderr, "%s\n", p.get<std::string>().c_str());
            std::fprintf(stderr, "pppkit reload: refused, pppkitd keeps the configuration it had\n");
            return 2;
        }
        std::printf("pppkit reload: taken; links added: %s; removed: %s; changed: %s\n", list(j["added"]).c_str(),
                    list(j["removed"]).c_str(), list(j["changed"]).c_str());
        return 0;
    }
    std::printf("%s: %s%s\n", j.value("link", name).c_str(), j.value("state", "?").c_str(),
                j.value("restart_pending", false) ? " (dials again once its pppd ended)" : "");
    return 0;
}

}  // namespace pppkit::cli
