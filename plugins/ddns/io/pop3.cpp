#include "ddns/io/pop3.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "common/secrets.hpp"
#include "ddns/core/pop3.hpp"
#include "ddns/io/log.hpp"
#include "ddns/io/tls.hpp"

namespace pppkit::ddns::io {

namespace {

// ---- POP3 over our own socket; OpenSSL provides TLS on it --------------------

class Pop3Conn {
public:
    explicit Pop3Conn(const Ctx& c) : c_(c) {}
    ~Pop3Conn()
    {
        tls_ = TlsSession();  // before the socket it uses is closed
        if (fd_ >= 0)
            ::close(fd_);
    }
    Pop3Conn(const Pop3Conn&) = delete;
    Pop3Conn& operator=(const Pop3Conn&) = delete;

    // Resolves, binds to the link, connects. nullopt: connected.
    std::optional<Answer> connect(const Endpoint& e)
    {
        addrinfo hints{};
        hints.ai_family = c_.fam == Family::V6 ? AF_INET6 : AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        int gai = ::getaddrinfo(e.host.c_str(), std::to_string(e.port).c_str(), &hints, &res);
        if (gai != 0)
            return transient("DNS: " + e.host + ": " + gai_strerror(gai),
                             gai == EAI_NONAME || gai == EAI_AGAIN || gai == EAI_FAIL ? Transient::Dns
                                                                                      : Transient::Other);
        std::optional<Answer> err;
        for (addrinfo* ai = res; ai; ai = ai->ai_next) {
            fd_ = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            if (fd_ < 0)
                continue;
            if (!c_.ifname.empty() && ::setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, c_.ifname.c_str(),
                                                   static_cast<socklen_t>(c_.ifname.size())) != 0) {
                std::string why = std::strerror(errno);
                log_line(LOG_ERR, "profile " + c_.p->name + ": cannot bind to " + c_.ifname + ", nothing sent: " + why);
                ::freeaddrinfo(res);
                return transient("cannot bind to " + c_.ifname + ": " + why);
            }
            if (!c_.source.empty())
                if (auto be = bind_source(fd_, c_.source)) {
                    log_line(LOG_ERR, "profile " + c_.p->name + ": " + *be + ", nothing sent");
                    ::freeaddrinfo(res);
                    return transient(*be);
                }
            char host[INET6_ADDRSTRLEN] = "";
            const void* a = ai->ai_family == AF_INET6
                                ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
                                : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
            inet_ntop(ai->ai_family, a, host, sizeof host);
            peer_ = host;
            int rc = ::connect(fd_, ai->ai_addr, ai->ai_addrlen);
            if (rc != 0 && errno == EINPROGRESS) {
                pollfd p{fd_, POLLOUT, 0};
                rc = ::poll(&p, 1, static_cast<int>(c_.left_ms())) == 1 ? 0 : -1;
                int soerr = ETIMEDOUT;
                socklen_t sl = sizeof soerr;
                if (rc == 0 && ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
                    ::freeaddrinfo(res);
                    return std::nullopt;
                }
                err = transient("connect " + peer_ + ": " + std::strerror(soerr));
            } else if (rc == 0) {
                ::freeaddrinfo(res);
                return std::nullopt;
            } else {
                err = transient("connect " + peer_ + ": " + std::strerror(errno));
            }
            ::close(fd_);
            fd_ = -1;
        }
        ::freeaddrinfo(res);
        return err ? *err : transient("no address for " + e.host);
    }

    // The TLS handshake on the connected socket (POP3S, or after STLS).
    // Nothing may be buffered when TLS starts: a byte read in plain text after
    // the STLS reply would later pass for an answer over TLS (STARTTLS
    // response injection, the class of CVE-2021-22947). Any such byte is a
    // protocol error and ends the attempt before a credential is sent.
    std::optional<Answer> start_tls(const Endpoint& e)
    {
        if (!buf_.empty()) {
            Answer a;
            a.outcome = Outcome::ProtocolError;
            a.detail = std::to_string(buf_.size()) +
                       " byte(s) arrived in plain text before the TLS handshake (injected answer?), nothing sent";
            secrets::wipe(buf_);
            return a;
        }
        if (auto err = tls_.connect(fd_, e.host, c_)) {
            Answer a = *err;
            a.detail = "TLS handshake: " + a.detail;
            return a;
        }
        trace("TLS established with " + e.host);
        return std::nullopt;
    }

    std::optional<Answer> send_line(const std::string& line)
    {
        trace("> " + pop3::loggable(line));
        std::string out = line + "\r\n";
        size_t off = 0;
        while (off < out.size()) {
            ssize_t n = -1;
            short events = POLLOUT;
            if (tls_.active()) {
                TlsSession::Io io = tls_.send(out.data() + off, out.size() - off);
                if (io.error)
                    return transient("send: " + *io.error);
                n = static_cast<ssize_t>(io.n);
                if (io.events != 0)
                    events = io.events;
            } else {
                n = ::send(fd_, out.data() + off, out.size() - off, MSG_NOSIGNAL);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                    n = 0;
                else if (n < 0)
                    return transient(std::string("send: ") + std::strerror(errno));
            }
            if (n == 0 && !wait(events))
                return transient("timeout sending to the POP3 server");
            off += static_cast<size_t>(n);
        }
        secrets::wipe(out);
        return std::nullopt;
    }

    // One line without CRLF, or the Answer that ends the attempt.
    std::variant<std::string, Answer> read_line()
    {
        for (;;) {
            auto nl = buf_.find('\n');
            if (nl != std::string::npos) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                if (!line.empty() && line.back() == '\r')
                    line.pop_back();
                trace("< " + line);
                return line;
            }
            if (buf_.size() > 4096)
                return transient("POP3 line too long");
            char tmp[1024];
            ssize_t n = -1;
            short events = POLLIN;
            if (tls_.active()) {
                TlsSession::Io io = tls_.recv(tmp, sizeof tmp);
                if (io.error)
                    return transient("recv: " + *io.error);
                if (io.closed)
                    return transient("the POP3 server closed the connection");
                n = io.events ? -2 : static_cast<ssize_t>(io.n);
                if (io.events != 0)
                    events = io.events;
            } else {
                n = ::recv(fd_, tmp, sizeof tmp, 0);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                    n = -2;
                else if (n < 0)
                    return transient(std::string("recv: ") + std::strerror(errno));
                else if (n == 0)
                    return transient("the POP3 server closed the connection");
            }
            if (n == -2) {
                if (!wait(events))
                    return transient("timeout waiting for the POP3 server");
                continue;
            }
            buf_.append(tmp, static_cast<size_t>(n));
        }
    }

    [[nodiscard]] const std::string& peer() const { return peer_; }

private:
    bool wait(short events)
    {
        long left = c_.left_ms();
        if (left <= 0)
            return false;
        pollfd p{fd_, events, 0};
        return ::poll(&p, 1, static_cast<int>(left)) == 1;
    }

    const Ctx& c_;
    int fd_ = -1;
    TlsSession tls_;  // on fd_ once started
    std::string peer_;
    std::string buf_;
};

}  // namespace

// The whole MyDNS POP3 notification: greeting, [STLS], login, QUIT.
Answer pop3_notify(const Ctx& c)
{
    Endpoint e = endpoint(*c.p, c.fam);
    Pop3Conn conn(c);
    if (auto err = conn.connect(e))
        return *err;
    trace("connected to " + conn.peer() + " port " + std::to_string(e.port) +
          (c.ifname.empty() ? "" : " via " + c.ifname));
    if (e.tls == Tls::Pop3s)
        if (auto err = conn.start_tls(e))
            return *err;
    auto reply = [&](pop3::Stage stage) -> std::variant<pop3::Reply, Answer> {
        auto line = conn.read_line();
        if (auto* a = std::get_if<Answer>(&line))
            return *a;
        auto r = pop3::parse_reply(std::get<std::string>(line));
        if (!r || !r->ok)
            return pop3::classify(stage, r, hidden(*c.p, c.creds));
        return *r;
    };
    auto quit = [&](Answer a) {
        if (a.outcome != Outcome::RetryLater || a.detail.rfind("timeout", 0) != 0)
            if (!conn.send_line("QUIT"))
                (void)conn.read_line();
        return a;
    };
    auto greeting_line = conn.read_line();
    if (auto* a = std::get_if<Answer>(&greeting_line))
        return *a;
    std::string greeting = std::get<std::string>(greeting_line);
    auto g = pop3::parse_reply(greeting);
    if (!g || !g->ok)
        return quit(pop3::classify(pop3::Stage::Greeting, g, hidden(*c.p, c.creds)));
    auto timestamp = pop3::apop_timestamp(greeting);
    // tls = stls demands STLS; tls = auto on the plain port takes it when CAPA
    // offers it (an explicit tls = none never asks)
    bool opportunistic = e.tls == Tls::None && c.p->tls == Tls::Auto;
    const std::string here = e.host + ":" + std::to_string(e.port);
    std::string stls_at;  // set once STLS took: every answer after it carries it (the state pins it)
    auto pinned = [&](Answer a) {
        a.stls_at = stls_at;
        return a;
    };
    bool secure = e.tls == Tls::Pop3s;
    if (e.tls == Tls::Stls || opportunistic) {
        if (auto err = conn.send_line("CAPA"))
            return *err;
        auto first = conn.read_line();
        if (auto* a = std::get_if<Answer>(&first))
            return *a;
        std::vector<std::string> capa;
        if (auto r = pop3::parse_reply(std::get<std::string>(first)); r && r->ok) {
            for (;;) {
                auto l = conn.read_line();
                if (auto* a = std::get_if<Answer>(&l))
                    return *a;
                if (std::get<std::string>(l) == ".")
                    break;
                if (capa.size() == pop3::kMaxCapaLines) {
                    Answer a;
                    a.outcome = Outcome::ProtocolError;
                    a.detail = "CAPA listing longer than " + std::to_string(pop3::kMaxCapaLines) +
                               " lines (endless?), nothing sent";
                    return a;
                }
                capa.push_back(std::get<std::string>(l));
            }
        }
        bool offered = pop3::capa_has(capa, "STLS");
        if (!offered && opportunistic && c.stls_pinned == here) {
            Answer a;
            a.outcome = Outcome::ProtocolError;
            a.detail = "CAPA does not list STLS, which this server offered before: someone on the path may have "
                       "removed it; not logging in without TLS (tls = none if the server no longer has it)";
            return quit(a);
        }
        if (!offered && !opportunistic)
            log_line(LOG_WARNING, "profile " + c.p->name + ": the server does not list STLS in CAPA; trying it anyway");
        if (offered || !opportunistic) {
            if (auto err = conn.send_line("STLS"))
                return *err;
            auto r = reply(pop3::Stage::Stls);
            if (auto* a = std::get_if<Answer>(&r)) {
                Answer x = *a;
                x.detail = "STLS refused, not logging in without TLS: " + x.detail;
                return quit(x);
            }
            if (auto err = conn.start_tls(e)) {
                if (opportunistic)
                    err->detail += " (the server offers STLS; tls = none logs in without TLS)";
                return *err;
            }
            secure = true;
            stls_at = here;
        }
    }
    // after STLS the plain-text greeting's timestamp is not trusted (choose_login())
    auto login = pop3::choose_login(c.p->pop3_auth, timestamp, !stls_at.empty());
    if (auto* a = std::get_if<Answer>(&login))
        return pinned(quit(*a));
    if (std::get<pop3::Login>(login) == pop3::Login::Apop) {
        if (!secure)
            log_line(LOG_WARNING, "profile " + c.p->name +
                                      ": APOP without TLS, the digest crosses the link in clear text (enough to "
                                      "guess the password offline)");
        std::string cmd = pop3::apop_command(c.creds.username, *timestamp, c.creds.password);
        auto sent = conn.send_line(cmd);
        secrets::wipe(cmd);
        if (sent)
            return pinned(*sent);
    } else {
        if (!secure)
            log_line(LOG_WARNING,
                     "profile " + c.p->name + ": USER/PASS without TLS, the password crosses the link in clear text");
        if (auto err = conn.send_line("USER " + c.creds.username))
            return *err;
        auto r = reply(pop3::Stage::User);
        if (auto* a = std::get_if<Answer>(&r))
            return pinned(quit(*a));
        std::string cmd = "PASS " + c.creds.password;
        auto sent = conn.send_line(cmd);
        secrets::wipe(cmd);
        if (sent)
            return pinned(*sent);
    }
    auto line = conn.read_line();
    if (auto* a = std::get_if<Answer>(&line))
        return pinned(*a);
    Answer result =
        pop3::classify(pop3::Stage::Pass, pop3::parse_reply(std::get<std::string>(line)), hidden(*c.p, c.creds));
    std::string how = std::get<pop3::Login>(login) == pop3::Login::Apop ? "APOP" : "USER/PASS";
    std::string tls = e.tls == Tls::Pop3s ? "POP3S" : secure ? "STLS" : "plain";
    result.detail = how + " " + tls + ": " + result.detail;
    return pinned(quit(result));
}
}  // namespace pppkit::ddns::io
