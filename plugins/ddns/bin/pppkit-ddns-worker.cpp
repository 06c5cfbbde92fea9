// pppkit-ddns-worker - one DDNS attempt for one profile, in its own process.
//
//   pppkit-ddns-worker --config FILE --profile NAME [--ifname IF] [--address ADDR]
//                      [--family 4|6] [--generation N] [--cancel-fd FD] [--force] [--verbose]
//
// Started by pppkit-ddns.so (ip-up, ipv6-up, keep-alive and retry timers) and by
// `pppkit ddns update`. It reads the configuration and the secrets file itself:
// no secret is ever on its command line or in its environment. Every request
// leaves by --ifname (SO_BINDTODEVICE) and by the family being announced; if
// binding fails nothing is sent. One syslog line per attempt (and stderr with
// --verbose), secrets redacted. The state file is updated atomically, under
// an flock, after the attempt.
//
// Exit status: 0 updated, unchanged or nothing due; 1 transient failure (or
// cancelled, or deadline); 2 fatal answer, profile suspended; 3 configuration
// or usage error. When --cancel-fd's other end closes, the worker exits at
// once (status 1) without writing state.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/schema.hpp"
#include "common/secrets.hpp"
#include "ddns/core/address.hpp"
#include "ddns/core/http.hpp"
#include "ddns/core/pop3.hpp"
#include "ddns/core/profile.hpp"
#include "ddns/core/state.hpp"
#include "ddns/core/url.hpp"

namespace {

using namespace pppkit;
using namespace pppkit::ddns;
using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0, kExitTransient = 1, kExitFatal = 2, kExitUsage = 3;

struct Options {
    std::string config = "/etc/ppp/pppkit.conf";
    bool config_explicit = false;
    std::string profile;
    std::string ifname;
    std::string address;
    int family = 0;  // 0: the profile's
    std::string generation;
    int cancel_fd = -1;
    bool force = false;
    bool verbose = false;
};

Options g_opt;
std::vector<std::string> g_secrets;  // for redaction of every log line
std::mutex g_state_mutex;            // held while the state file is written; cancel waits for it
std::string g_last_error;            // the last LOG_ERR line (redacted): the plugin logs it with the status

// The system user the worker runs as once it has read its secrets (created
// by the package: etc/sysusers.d/pppkit.conf).
constexpr const char* kWorkerUser = "pppkit-ddns";
// Debian's trust store, hashed by update-ca-certificates (ca-certificates).
constexpr const char* kSystemCaPath = "/etc/ssl/certs";

void log_line(int prio, const std::string& raw)
{
    std::string msg = server_text(redact(raw, g_secrets), 2048);  // no byte a terminal or syslog acts on
    if (prio <= LOG_ERR)
        g_last_error = msg;
    syslog(prio, "%s", msg.c_str());
    if (g_opt.verbose)
        std::fprintf(stderr, "pppkit-ddns-worker: %s\n", msg.c_str());
}
void trace(const std::string& raw)
{
    if (g_opt.verbose)
        std::fprintf(stderr, "  %s\n", server_text(redact(raw, g_secrets), 2048).c_str());
}

[[noreturn]] void usage(const char* why)
{
    std::fprintf(stderr,
                 "pppkit-ddns-worker: %s\n"
                 "usage: pppkit-ddns-worker --config FILE --profile NAME [--ifname IF] [--address ADDR]\n"
                 "                          [--family 4|6] [--generation N] [--cancel-fd FD] [--force] [--verbose]\n",
                 why);
    std::exit(kExitUsage);
}

void parse_args(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        if (a == "--config") {
            g_opt.config = val();
            g_opt.config_explicit = true;
        } else if (a == "--profile") {
            g_opt.profile = val();
        } else if (a == "--ifname" || a == "--interface") {
            g_opt.ifname = val();
        } else if (a == "--address") {
            g_opt.address = val();
        } else if (a == "--family") {
            std::string f = val();
            if (f == "4" || f == "ipv4")
                g_opt.family = 4;
            else if (f == "6" || f == "ipv6")
                g_opt.family = 6;
            else
                usage("--family takes 4 or 6");
        } else if (a == "--generation") {
            g_opt.generation = val();
        } else if (a == "--cancel-fd") {
            auto n = config::parse_int(val());
            if (!n || *n < 0 || *n > 65535)
                usage("--cancel-fd takes a file descriptor number");
            g_opt.cancel_fd = static_cast<int>(*n);
        } else if (a == "--force") {
            g_opt.force = true;
        } else if (a == "--verbose" || a == "-v") {
            g_opt.verbose = true;
        } else if (a == "--help" || a == "-h") {
            usage("help");
        } else {
            usage(("unknown argument " + a).c_str());
        }
    }
    if (g_opt.profile.empty())
        usage("--profile is required");
}

// The watcher: exits the process the moment the cancel fd's other end closes,
// and is the backstop for the hard deadline (a blocking getaddrinfo, say).
void start_watcher(int cancel_fd, Clock::time_point hard_deadline)
{
    std::thread([cancel_fd, hard_deadline] {
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(hard_deadline - Clock::now()).count();
            if (left <= 0) {
                std::lock_guard<std::mutex> lock(g_state_mutex);
                log_line(LOG_ERR, "profile " + g_opt.profile + ": hard deadline exceeded, giving up");
                _exit(kExitTransient);
            }
            pollfd p{cancel_fd, POLLIN, 0};
            int n = ::poll(&p, cancel_fd >= 0 ? 1 : 0, static_cast<int>(std::min<long long>(left, 1000)));
            if (n > 0) {
                char c;
                ssize_t r = ::read(cancel_fd, &c, 1);
                if (r <= 0 || (p.revents & (POLLHUP | POLLERR))) {
                    std::lock_guard<std::mutex> lock(g_state_mutex);
                    log_line(LOG_NOTICE, "profile " + g_opt.profile + ": cancelled (link went down)" +
                                             (g_opt.generation.empty() ? "" : ", generation " + g_opt.generation));
                    _exit(kExitTransient);
                }
            }
        }
    }).detach();
}

// ---- the attempt's context --------------------------------------------------

struct Ctx {
    const Profile* p = nullptr;
    Family fam = Family::V4;
    std::string ifname;
    std::string source;   // bind to this local address: the provider records the connection's source
    std::string ca_blob;  // the pinned CA file's contents, read before the privilege drop
    Clock::time_point deadline;
    Creds creds;
    [[nodiscard]] long left_ms() const
    {
        return std::max<long>(0,
                              std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    }
};

Answer transient(std::string detail, Transient why = Transient::Other)
{
    Answer a;
    a.outcome = Outcome::RetryLater;
    a.transient = why;
    a.detail = std::move(detail);
    return a;
}

void tls_settings(CURL* h, const Ctx& c)
{
    if (!c.ca_blob.empty()) {
        // only the pinned CA: neither the system bundle nor the hashed directory is read
        curl_blob blob{const_cast<char*>(c.ca_blob.data()), c.ca_blob.size(), CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
        curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    } else {
        // the system's trust store as the hashed directory: OpenSSL reads the
        // one issuer it needs instead of parsing the whole bundle (~140 certs)
        curl_easy_setopt(h, CURLOPT_CAINFO, nullptr);
        curl_easy_setopt(h, CURLOPT_CAPATH, kSystemCaPath);
    }
    if (c.p->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        log_line(LOG_WARNING,
                 "profile " + c.p->name + ": insecure-skip-verify = yes, the server's certificate is NOT verified");
    } else {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
}

Answer curl_failure(CURLcode rc, const char* errbuf, const Ctx& c)
{
    std::string what = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: return transient("DNS: " + what, Transient::Dns);
    case CURLE_INTERFACE_FAILED:
        log_line(LOG_ERR, "profile " + c.p->name + ": cannot bind to " + c.ifname + ", nothing sent: " + what);
        return transient("cannot bind to " + c.ifname);
    case CURLE_OPERATION_TIMEDOUT: return transient("timeout: " + what);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR: {
        Answer a = transient("TLS: " + what);
        a.outcome = Outcome::ProtocolError;
        return a;
    }
    default: return transient(what);
    }
}

// Binds fd to the local address text (port 0). Returns the problem, if any.
std::optional<std::string> bind_source(int fd, const std::string& text)
{
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    if (inet_pton(AF_INET6, text.c_str(), &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        len = sizeof *s6;
    } else if (inet_pton(AF_INET, text.c_str(), &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        len = sizeof *s4;
    } else {
        return "'" + text + "' is not an address";
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0)
        return "cannot use " + text + " as the source address: " + std::strerror(errno);
    return std::nullopt;
}

// What the HTTP socket callback needs: the source address, and its failure.
struct SourceBind {
    const std::string* source;
    std::string error;
};

// The URL as it may be logged: user info and the values of query parameters
// that are not known to be harmless (tokens, passwords: MyDNS PWD, DuckDNS
// token, a custom template's own names) become "***".
std::string loggable_url(std::string url)
{
    auto scheme = url.find("://");
    if (scheme != std::string::npos) {
        auto at = url.find('@', scheme + 3);
        auto end = url.find_first_of("/?#", scheme + 3);
        if (at != std::string::npos && (end == std::string::npos || at < end))
            url.replace(scheme + 3, at - scheme - 3, "***");
    }
    auto q = url.find('?');
    if (q == std::string::npos)
        return url;
    static const std::vector<std::string> harmless = {"hostname", "host", "myip",    "myipv6",   "myipv4",
                                                      "ip",       "ipv6", "domains", "verbose",  "ipv4addr",
                                                      "ipv6addr", "mid",  "system",  "wildcard", "offline"};
    std::string out = url.substr(0, q + 1);
    std::stringstream in(url.substr(q + 1));
    std::string kv;
    bool first = true;
    while (std::getline(in, kv, '&')) {
        auto eq = kv.find('=');
        std::string key = kv.substr(0, eq);
        std::string low = key;
        for (char& ch : low)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        out += (first ? "" : "&");
        first = false;
        if (eq == std::string::npos || std::find(harmless.begin(), harmless.end(), low) != harmless.end())
            out += kv;
        else
            out += key + "=***";
    }
    return out;
}

size_t collect(char* ptr, size_t size, size_t n, void* user)
{
    auto* s = static_cast<std::string*>(user);
    size_t len = size * n;
    if (s->size() < 65536)
        s->append(ptr, std::min(len, 65536 - s->size()));
    return len;
}

// One HTTP(S) request with libcurl, bound to the link and the family.
std::variant<HttpAnswer, Answer> http(const Ctx& c, const HttpRequest& r)
{
    CURL* h = curl_easy_init();
    if (!h)
        return transient("libcurl init failed");
    char errbuf[CURL_ERROR_SIZE] = "";
    HttpAnswer ans;
    curl_slist* headers = nullptr;
    for (const auto& hd : r.headers)
        headers = curl_slist_append(headers, hd.c_str());
    curl_easy_setopt(h, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    const std::string ua = user_agent();
    curl_easy_setopt(h, CURLOPT_USERAGENT, ua.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from the environment
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, std::max(1L, c.left_ms()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::max(1L, c.left_ms()));
    curl_easy_setopt(h, CURLOPT_IPRESOLVE,
                     r.any_family ? CURL_IPRESOLVE_WHATEVER
                                  : (c.fam == Family::V6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4));
    std::string iface = "if!" + c.ifname;
    if (!c.ifname.empty())
        curl_easy_setopt(h, CURLOPT_INTERFACE, iface.c_str());
    // libcurl 7.88 binds either to a device or to an address; the address is
    // bound here, before libcurl binds the device and connects
    SourceBind sb{&c.source, {}};
    if (!c.source.empty()) {
        curl_easy_setopt(h, CURLOPT_SOCKOPTDATA, &sb);
        curl_easy_setopt(
            h, CURLOPT_SOCKOPTFUNCTION, +[](void* u, curl_socket_t fd, curlsocktype) -> int {
                auto* b = static_cast<SourceBind*>(u);
                if (auto e = bind_source(fd, *b->source)) {
                    b->error = *e;
                    return CURL_SOCKOPT_ERROR;
                }
                return CURL_SOCKOPT_OK;
            });
    }
    tls_settings(h, c);
    if (r.basic) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, r.basic_user.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, r.basic_pass.c_str());
    }
    if (headers)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (r.method != "GET")
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (!r.body.empty()) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ans.body);
    bool secret_in_request =
        r.basic || !r.headers.empty() || std::any_of(g_secrets.begin(), g_secrets.end(), [&](const std::string& x) {
            return !x.empty() && (r.url.find(x) != std::string::npos || r.url.find(url_escape(x)) != std::string::npos);
        });
    if (secret_in_request && r.url.rfind("http://", 0) == 0)
        log_line(LOG_WARNING, "profile " + c.p->name + ": plain HTTP, the credentials cross the link in clear text");
    trace(r.method + " " + loggable_url(r.url));
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &ans.status);
    curl_slist_free_all(headers);  // Bearer tokens: libcurl frees its copies
    curl_easy_cleanup(h);
    if (!sb.error.empty()) {
        log_line(LOG_ERR, "profile " + c.p->name + ": " + sb.error + ", nothing sent");
        return transient(sb.error);
    }
    if (rc != CURLE_OK)
        return curl_failure(rc, errbuf, c);
    trace("HTTP " + std::to_string(ans.status) + " " + excerpt(ans.body));
    return ans;
}

// ---- POP3 over our own socket; libcurl provides TLS on it --------------------

class Pop3Conn {
public:
    explicit Pop3Conn(const Ctx& c) : c_(c) {}
    ~Pop3Conn()
    {
        if (tls_)
            curl_easy_cleanup(tls_);
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
        tls_ = curl_easy_init();
        if (!tls_)
            return transient("libcurl init failed");
        static char errbuf[CURL_ERROR_SIZE];
        errbuf[0] = '\0';
        std::string host = e.host.find(':') != std::string::npos ? "[" + e.host + "]" : e.host;
        std::string url = "https://" + host + ":" + std::to_string(e.port) + "/";
        // pin a host name to the address we are already connected to: no second
        // lookup (a literal address needs none; CURLOPT_RESOLVE cannot take an IPv6 literal host)
        in6_addr a6{};
        in_addr a4{};
        bool literal = inet_pton(AF_INET6, e.host.c_str(), &a6) == 1 || inet_pton(AF_INET, e.host.c_str(), &a4) == 1;
        std::string pin = e.host + ":" + std::to_string(e.port) + ":" +
                          (peer_.find(':') != std::string::npos ? "[" + peer_ + "]" : peer_);
        curl_slist* resolve = literal ? nullptr : curl_slist_append(nullptr, pin.c_str());
        curl_easy_setopt(tls_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(tls_, CURLOPT_RESOLVE, resolve);
        curl_easy_setopt(tls_, CURLOPT_CONNECT_ONLY, 1L);
        curl_easy_setopt(tls_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(tls_, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(tls_, CURLOPT_PROXY, "");
        curl_easy_setopt(tls_, CURLOPT_SSL_ENABLE_ALPN, 0L);
        curl_easy_setopt(tls_, CURLOPT_CONNECTTIMEOUT_MS, std::max(1L, c_.left_ms()));
        curl_easy_setopt(
            tls_, CURLOPT_OPENSOCKETFUNCTION,
            +[](void* fdp, curlsocktype, curl_sockaddr*) -> curl_socket_t { return *static_cast<int*>(fdp); });
        curl_easy_setopt(tls_, CURLOPT_OPENSOCKETDATA, &fd_);
        curl_easy_setopt(
            tls_, CURLOPT_SOCKOPTFUNCTION,
            +[](void*, curl_socket_t, curlsocktype) -> int { return CURL_SOCKOPT_ALREADY_CONNECTED; });
        // the socket stays ours: we close it in the destructor
        curl_easy_setopt(
            tls_, CURLOPT_CLOSESOCKETFUNCTION, +[](void*, curl_socket_t) -> int { return 0; });
        tls_settings(tls_, c_);
        CURLcode rc = curl_easy_perform(tls_);
        curl_slist_free_all(resolve);
        if (rc != CURLE_OK) {
            Answer a = curl_failure(rc, errbuf, c_);
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
            if (tls_) {
                size_t sent = 0;
                CURLcode rc = curl_easy_send(tls_, out.data() + off, out.size() - off, &sent);
                if (rc == CURLE_OK)
                    n = static_cast<ssize_t>(sent);
                else if (rc == CURLE_AGAIN)
                    n = 0;
                else
                    return transient(std::string("send: ") + curl_easy_strerror(rc));
            } else {
                n = ::send(fd_, out.data() + off, out.size() - off, MSG_NOSIGNAL);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                    n = 0;
                else if (n < 0)
                    return transient(std::string("send: ") + std::strerror(errno));
            }
            if (n == 0 && !wait(POLLOUT))
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
            if (tls_) {
                size_t got = 0;
                CURLcode rc = curl_easy_recv(tls_, tmp, sizeof tmp, &got);
                if (rc == CURLE_OK)
                    n = static_cast<ssize_t>(got);
                else if (rc == CURLE_AGAIN)
                    n = -2;
                else
                    return transient(std::string("recv: ") + curl_easy_strerror(rc));
                if (rc == CURLE_OK && got == 0)
                    return transient("the POP3 server closed the connection");
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
                if (!wait(POLLIN))
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
    CURL* tls_ = nullptr;
    std::string peer_;
    std::string buf_;
};

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
            return pop3::classify(stage, r);
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
        return quit(pop3::classify(pop3::Stage::Greeting, g));
    auto timestamp = pop3::apop_timestamp(greeting);
    // tls = stls demands STLS; tls = auto on the plain port takes it when CAPA
    // offers it (an explicit tls = none never asks)
    bool opportunistic = e.tls == Tls::None && c.p->tls == Tls::Auto;
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
                capa.push_back(std::get<std::string>(l));
            }
        }
        bool offered = pop3::capa_has(capa, "STLS");
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
        }
    }
    auto login = pop3::choose_login(c.p->pop3_auth, timestamp);
    if (auto* a = std::get_if<Answer>(&login))
        return quit(*a);
    if (std::get<pop3::Login>(login) == pop3::Login::Apop) {
        if (!secure)
            log_line(LOG_WARNING, "profile " + c.p->name +
                                      ": APOP without TLS, the digest crosses the link in clear text (enough to "
                                      "guess the password offline)");
        std::string cmd = pop3::apop_command(c.creds.username, *timestamp, c.creds.password);
        auto sent = conn.send_line(cmd);
        secrets::wipe(cmd);
        if (sent)
            return *sent;
    } else {
        if (!secure)
            log_line(LOG_WARNING,
                     "profile " + c.p->name + ": USER/PASS without TLS, the password crosses the link in clear text");
        if (auto err = conn.send_line("USER " + c.creds.username))
            return *err;
        auto r = reply(pop3::Stage::User);
        if (auto* a = std::get_if<Answer>(&r))
            return quit(*a);
        std::string cmd = "PASS " + c.creds.password;
        auto sent = conn.send_line(cmd);
        secrets::wipe(cmd);
        if (sent)
            return *sent;
    }
    auto line = conn.read_line();
    if (auto* a = std::get_if<Answer>(&line))
        return *a;
    Answer result = pop3::classify(pop3::Stage::Pass, pop3::parse_reply(std::get<std::string>(line)));
    std::string how = std::get<pop3::Login>(login) == pop3::Login::Apop ? "APOP" : "USER/PASS";
    std::string tls = e.tls == Tls::Pop3s ? "POP3S" : secure ? "STLS" : "plain";
    result.detail = how + " " + tls + ": " + result.detail;
    return quit(result);
}

Answer http_notify(const Ctx& c, const std::string& address)
{
    const Profile& p = *c.p;
    auto fetch = [&](const HttpRequest& r) { return http(c, r); };
    switch (p.pre().protocol) {
    case Protocol::Dyndns2: {
        auto r = fetch(dyndns2_request(p, c.fam, address, c.creds));
        if (auto* a = std::get_if<Answer>(&r))
            return *a;
        return classify_dyndns2(p.provider, std::get<HttpAnswer>(r), p.hostnames.size(), address);
    }
    case Protocol::Duckdns: {
        auto r = fetch(duckdns_request(p, c.fam, address, c.creds));
        if (auto* a = std::get_if<Answer>(&r))
            return *a;
        return classify_duckdns(std::get<HttpAnswer>(r));
    }
    case Protocol::Mydns: {
        auto r = fetch(mydns_request(p, c.fam, address, c.creds));
        if (auto* a = std::get_if<Answer>(&r))
            return *a;
        return classify_mydns(std::get<HttpAnswer>(r));
    }
    case Protocol::Custom: {
        auto r = fetch(custom_request(p, c.fam, address, c.creds));
        if (auto* a = std::get_if<Answer>(&r))
            return *a;
        return classify_custom(p.tokens, std::get<HttpAnswer>(r));
    }
    case Protocol::Cloudflare: {
        auto z = fetch(cloudflare::zone_request(p, c.creds));
        if (auto* a = std::get_if<Answer>(&z))
            return *a;
        auto zid = cloudflare::parse_zone(std::get<HttpAnswer>(z));
        if (auto* a = std::get_if<Answer>(&zid))
            return *a;
        auto rr = fetch(cloudflare::record_request(p, c.fam, std::get<std::string>(zid), c.creds));
        if (auto* a = std::get_if<Answer>(&rr))
            return *a;
        auto rec = cloudflare::parse_record(std::get<HttpAnswer>(rr));
        if (auto* a = std::get_if<Answer>(&rec))
            return *a;
        const auto& record = std::get<cloudflare::Record>(rec);
        if (same_address(record.content, address)) {
            Answer a;
            a.outcome = Outcome::Unchanged;
            a.detail = "record already " + address;
            return a;
        }
        auto u = fetch(cloudflare::update_request(p, std::get<std::string>(zid), record.id, address, c.creds));
        if (auto* a = std::get_if<Answer>(&u))
            return *a;
        return cloudflare::classify_update(std::get<HttpAnswer>(u));
    }
    case Protocol::Pop3: break;
    }
    return transient("no protocol");
}

// ---- where the address comes from ------------------------------------------

std::string interface_ipv4(const std::string& ifname)
{
    ifaddrs* list = nullptr;
    std::string out;
    if (::getifaddrs(&list) != 0)
        return out;
    for (ifaddrs* i = list; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && ifname == i->ifa_name) {
            char buf[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
            out = buf;
            break;
        }
    ::freeifaddrs(list);
    return out;
}

// The usable global IPv6 addresses of one interface, by an RTM_GETADDR dump.
std::vector<V6Addr> dump_ipv6(int nl, unsigned ifindex)
{
    std::vector<V6Addr> out;
    struct {
        nlmsghdr h;
        ifaddrmsg m;
    } req{};
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = RTM_GETADDR;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = 1;
    req.m.ifa_family = AF_INET6;
    if (::send(nl, &req, sizeof req, 0) < 0)
        return out;
    alignas(nlmsghdr) char buf[16384];
    for (;;) {
        ssize_t n = ::recv(nl, buf, sizeof buf, 0);
        if (n <= 0)
            return out;
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, static_cast<unsigned>(n)); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
                return out;
            if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_seq != 1)
                continue;
            auto* m = static_cast<ifaddrmsg*>(NLMSG_DATA(h));
            if (m->ifa_family != AF_INET6 || m->ifa_index != ifindex)
                continue;
            V6Addr a;
            a.scope = m->ifa_scope;
            a.flags = m->ifa_flags;
            a.preferred = a.valid = 0xffffffffU;
            int len = static_cast<int>(IFA_PAYLOAD(h));
            for (auto* rta = IFA_RTA(m); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
                if (rta->rta_type == IFA_ADDRESS && RTA_PAYLOAD(rta) == 16) {
                    char t[INET6_ADDRSTRLEN];
                    inet_ntop(AF_INET6, RTA_DATA(rta), t, sizeof t);
                    a.text = t;
                } else if (rta->rta_type == IFA_FLAGS && RTA_PAYLOAD(rta) >= 4) {
                    std::memcpy(&a.flags, RTA_DATA(rta), 4);
                } else if (rta->rta_type == IFA_CACHEINFO && RTA_PAYLOAD(rta) >= sizeof(ifa_cacheinfo)) {
                    ifa_cacheinfo ci{};
                    std::memcpy(&ci, RTA_DATA(rta), sizeof ci);
                    a.preferred = ci.ifa_prefered;
                    a.valid = ci.ifa_valid;
                }
            }
            if (!a.text.empty())
                out.push_back(a);
        }
    }
}

// Waits (netlink, RTMGRP_IPV6_IFADDR) up to wait_s for a usable global IPv6
// address on ifname: not ULA, not temporary, not deprecated or tentative.
std::optional<std::string> wait_ipv6(const std::string& ifname, long wait_s)
{
    int nl = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (nl < 0)
        return std::nullopt;
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_IPV6_IFADDR;
    // without the group subscription the loop below still re-dumps every second
    (void)::bind(nl, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    auto until = Clock::now() + std::chrono::seconds(wait_s);
    std::optional<std::string> found;
    std::string last_seen;
    for (;;) {
        unsigned idx = if_nametoindex(ifname.c_str());
        if (idx != 0) {
            auto addrs = dump_ipv6(nl, idx);
            found = pick_ipv6(addrs);
            if (found)
                break;
            std::string seen;
            for (const auto& a : addrs)
                seen += "skipping " + a.text + ": " + std::string(v6_verdict_name(judge_ipv6(a))) + "\n";
            if (seen != last_seen)
                for (const auto& a : addrs)
                    trace("skipping " + a.text + ": " + std::string(v6_verdict_name(judge_ipv6(a))));
            last_seen = seen;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left <= 0)
            break;
        // any address event (or one second passing) means: look again
        pollfd p{nl, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000))) == 1) {
            char drain[8192];
            while (::recv(nl, drain, sizeof drain, MSG_DONTWAIT) > 0) {
            }
        }
    }
    ::close(nl);
    return found;
}

double jitter()
{
    static std::random_device rd;
    return std::uniform_real_distribution<double>(0.0, 1.0)(rd);
}

int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One family of one profile: decide, send, record. Returns the exit status.
int run_family(const Profile& p, Family fam, const std::string& state_file, const std::string& fp, Creds& creds,
               const std::string& ca_blob)
{
    const std::string tag = "profile " + p.name + " " + std::string(family_name(fam));
    std::string address;
    if (!g_opt.address.empty()) {
        bool v6 = g_opt.address.find(':') != std::string::npos;
        if (v6 == (fam == Family::V6))
            address = g_opt.address;
    }
    std::string ifname = g_opt.ifname;
    if (address.empty() && fam == Family::V4 && !ifname.empty())
        address = interface_ipv4(ifname);
    if (address.empty() && fam == Family::V6) {
        std::string where = !p.ipv6_interface.empty() ? p.ipv6_interface : ifname;
        if (where.empty()) {
            log_line(LOG_ERR, tag + ": no IPv6 address to announce: give --address, --interface, or ipv6-interface");
            return kExitUsage;
        }
        auto a = wait_ipv6(where, p.ipv6_wait_s);
        if (!a) {
            log_line(LOG_ERR, tag + ": no usable global IPv6 address on " + where + " within " +
                                  std::to_string(p.ipv6_wait_s) +
                                  "s (ULA, temporary and deprecated addresses skipped)");
            return kExitTransient;
        }
        address = *a;
    }
    bool needs_address = p.pre().source == AddressSource::Sent && p.provider != Provider::Dyndns2 &&
                         p.provider != Provider::Noip && !(p.provider == Provider::Duckdns && fam == Family::V4);
    if (address.empty() && needs_address) {
        log_line(LOG_ERR, tag + ": no address to announce: give --address or --interface");
        return kExitUsage;
    }
    if (!address.empty()) {
        AddrClass k = classify_address(address);
        if (k == AddrClass::Invalid) {
            log_line(LOG_ERR, tag + ": '" + address + "' is not an address");
            return kExitUsage;
        }
        if (!publishable(k))
            log_line(LOG_WARNING, tag + ": " + address + " is " + std::string(addr_class_name(k)) +
                                      ": DDNS cannot make this host reachable from the Internet");
    }

    State st = read_state(state_file);
    Decision d = decide(p, st, fam, address, fp, unix_now(), g_opt.force);
    if (d.action == Action::Suspended) {
        log_line(LOG_ERR, tag + ": SUSPENDED after a fatal answer (" + st.suspended_why +
                              "); fix the profile or its secret, or run 'pppkit ddns update --force --profile " +
                              p.name + "'");
        return kExitFatal;
    }
    if (d.action != Action::Send) {
        std::string when = d.at > 0 ? ", next in " + std::to_string(std::max<int64_t>(0, d.at - unix_now())) + "s" : "";
        log_line(LOG_INFO, tag + ": nothing due (" + std::string(reason_name(d.reason)) + ")" + when);
        return kExitOk;
    }

    Ctx c;
    c.p = &p;
    c.fam = fam;
    c.ifname = ifname;
    // the provider records the connection's source: it must be the address we chose and record
    if (p.pre().source == AddressSource::ConnectionSource)
        c.source = address;
    c.ca_blob = ca_blob;
    c.deadline = Clock::now() + std::chrono::seconds(p.timeout_s);
    c.creds = creds;  // copied: the protocol code may move from it
    auto t0 = Clock::now();
    Answer a = p.pre().protocol == Protocol::Pop3 ? pop3_notify(c) : http_notify(c, address);
    secrets::wipe(c.creds.password);
    secrets::wipe(c.creds.token);
    long ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());

    if (a.echoed && !address.empty() && !same_address(*a.echoed, address))
        log_line(LOG_WARNING, tag + ": the provider recorded " + *a.echoed + " but we announced " + address +
                                  " (another route or NAT?)");
    {
        // the profile's flock is held since before read_state() above (see run())
        std::lock_guard<std::mutex> lock(g_state_mutex);
        State fresh = read_state(state_file);
        record(fresh, p, fam, address, a, fp, unix_now(), jitter());
        if (auto err = write_state(state_file, fresh))
            log_line(LOG_ERR, tag + ": " + *err);
        st = fresh;
    }
    std::string line = tag + (address.empty() ? "" : " " + address) + ": " + std::string(outcome_name(a.outcome)) +
                       (a.detail.empty() ? "" : " (" + a.detail + ")") +
                       (endpoint(p, fam).host.empty() ? "" : " via " + endpoint(p, fam).host) +
                       (ifname.empty() ? "" : " on " + ifname) + " in " + std::to_string(ms) + " ms [" +
                       std::string(reason_name(d.reason)) + "]";
    if (is_success(a.outcome)) {
        log_line(LOG_NOTICE, line);
        return kExitOk;
    }
    if (is_fatal(a.outcome)) {
        log_line(LOG_ERR, line + "; profile SUSPENDED until its config or secrets change");
        return kExitFatal;
    }
    const FamilyState& fs = st.of(fam);
    log_line(LOG_WARNING, line + "; retry in " + std::to_string(std::max<int64_t>(0, fs.next_attempt - unix_now())) +
                              "s (failure " + std::to_string(fs.failures) + ")");
    return kExitTransient;
}

// Gives up root for good: no supplementary groups, the worker user's uid and
// gid (real, effective, saved), an empty capability bounding set, no
// capabilities, no_new_privs, not dumpable (no core, no ptrace by the same
// uid). Without root only the last four apply. Returns the problem.
std::optional<std::string> drop_privileges(const passwd* user)
{
    auto fail = [](const char* what) { return std::string(what) + ": " + std::strerror(errno); };
    if (user) {
        // the bounding set, where CAP_SETPCAP allows (no_new_privs below makes
        // it moot for what an exec could gain)
        for (int cap = 0; ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; ++cap)  // EINVAL past CAP_LAST_CAP
            if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 && ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
                break;
        if (::setgroups(0, nullptr) != 0)
            return fail("setgroups");
        if (::setresgid(user->pw_gid, user->pw_gid, user->pw_gid) != 0)
            return fail("setresgid");
        if (::setresuid(user->pw_uid, user->pw_uid, user->pw_uid) != 0)
            return fail("setresuid");
        if (::getuid() == 0 || ::geteuid() == 0 || ::getegid() == 0)
            return std::string("still root after setresuid");
    }
    (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct none[2]{};
    if (::syscall(SYS_capset, &hdr, none) != 0)
        return fail("capset");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail("PR_SET_NO_NEW_PRIVS");
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return fail("PR_SET_DUMPABLE");
    return std::nullopt;
}

// Contract: runs as root (from pppd or `pppkit ddns update`). With privilege
// it reads the config, the secrets (keeping only this profile's), and the
// pinned CA file, and makes the state directory belong to the worker user;
// then it drops privilege for good. Everything that talks to the network or
// parses what it sends (and the state file, which the worker user owns and
// writes atomically itself) runs unprivileged.
int run(const config::LoadResult& cfg)
{
    auto profiles = load_profiles(cfg.doc);
    const auto& diags = cfg.diags;  // load_config() includes the [ddns] cross-key checks
    if (!diags.empty()) {
        for (const auto& d : diags)
            log_line(LOG_ERR, d.str());
        return kExitUsage;
    }
    const Profile* p = profiles.find(g_opt.profile);
    if (!p) {
        log_line(LOG_ERR, "no [ddns \"" + g_opt.profile + "\"] in " + g_opt.config);
        return kExitUsage;
    }
    if (!p->enabled) {
        log_line(LOG_INFO, "profile " + p->name + ": enabled = no, nothing sent");
        return kExitOk;
    }
    Creds creds;
    std::string fp;
    {
        // every secret of the file is in here: it is wiped when this block ends
        auto sec = secrets::load(secrets_path(cfg.doc), ::geteuid());
        if (auto* d = std::get_if<std::vector<config::Diagnostic>>(&sec)) {
            for (const auto& x : *d)
                log_line(LOG_ERR, x.str());
            return kExitUsage;
        }
        const auto& secrets = std::get<secrets::Secrets>(sec);
        creds.username = p->username;
        for (auto [ref, out] : {std::pair{&p->password_ref, &creds.password}, std::pair{&p->token_ref, &creds.token}}) {
            if (ref->empty())
                continue;
            const std::string* v = secrets.get(*ref);
            if (!v) {
                log_line(LOG_ERR, "profile " + p->name + ": secret '" + *ref + "' is not in " + secrets_path(cfg.doc));
                return kExitUsage;
            }
            *out = *v;
            g_secrets.push_back(*v);
        }
        fp = fingerprint(*p, secrets);
    }
    std::string ca_blob;
    if (!p->ca_file.empty()) {
        std::ifstream in(p->ca_file, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        if (!in || ss.str().empty()) {
            log_line(LOG_ERR, "profile " + p->name + ": cannot read ca-file " + p->ca_file);
            return kExitUsage;
        }
        ca_blob = ss.str();
    }
    std::string state_file = state_path(state_dir(cfg.doc), p->name);

    const passwd* user = nullptr;
    if (::geteuid() == 0) {
        user = ::getpwnam(kWorkerUser);
        if (!user) {
            log_line(LOG_ERR, std::string("system user ") + kWorkerUser +
                                  " does not exist (the package creates it: systemd-sysusers pppkit.conf); "
                                  "refusing to talk to a server as root");
            return kExitUsage;
        }
    }
    if (auto e = prepare_state_dir(state_file, user ? static_cast<long>(user->pw_uid) : -1,
                                   user ? static_cast<long>(user->pw_gid) : -1)) {
        log_line(LOG_ERR, "profile " + p->name + ": " + *e);
        return kExitUsage;
    }
    // The state directory becomes the working directory and the state file a
    // name in it: the worker user needs no access to the directories above
    // (state-dir stays root's, 0700).
    auto slash = state_file.rfind('/');
    std::string state_dir_path = slash == std::string::npos ? "." : state_file.substr(0, slash);
    if (::chdir(state_dir_path.c_str()) != 0) {
        log_line(LOG_ERR, "profile " + p->name + ": cannot enter " + state_dir_path + ": " + std::strerror(errno));
        return kExitUsage;
    }
    state_file = state_file.substr(slash + 1);
    if (auto e = drop_privileges(user)) {
        log_line(LOG_ERR, std::string("cannot drop privileges, nothing sent: ") + *e);
        return kExitUsage;
    }
    start_watcher(g_opt.cancel_fd, Clock::now() + std::chrono::seconds(5 + p->ipv6_wait_s + 2 * p->timeout_s));

    // one attempt per profile at a time, from before the state is read until it is written
    ProfileLock lock = lock_profile(state_file);
    if (lock.status == ProfileLock::Status::Busy) {
        log_line(LOG_INFO, "profile " + p->name + ": update in flight (another worker holds " + state_dir_path + "/" +
                               state_file + ".lock), nothing sent");
        return kExitOk;
    }
    if (lock.status != ProfileLock::Status::Held) {
        log_line(LOG_ERR, "profile " + p->name + ": " + lock.error + ", nothing sent");
        return kExitTransient;
    }
    bool corrupt = false;
    (void)read_state(state_file, &corrupt);
    if (corrupt)
        log_line(LOG_WARNING, "profile " + p->name + ": " + state_file +
                                  " is unreadable or corrupt; starting from an unknown state");

    std::vector<Family> fams;
    if (g_opt.family == 4 || (g_opt.family == 0 && p->wants(Family::V4)))
        fams.push_back(Family::V4);
    if (g_opt.family == 6 || (g_opt.family == 0 && p->wants(Family::V6)))
        fams.push_back(Family::V6);
    int status = kExitOk;
    for (Family f : fams) {
        if (!p->wants(f)) {
            log_line(LOG_INFO, "profile " + p->name + " announces " + std::string(family_name(p->family)) + ", not " +
                                   std::string(family_name(f)));
            continue;
        }
        int s = run_family(*p, f, state_file, fp, creds, ca_blob);
        if (s == kExitUsage || status == kExitUsage)
            status = kExitUsage;
        else
            status = std::max(status, s);
    }
    secrets::wipe(creds.password);
    secrets::wipe(creds.token);
    return status;
}

}  // namespace

int main(int argc, char** argv)
{
    ::signal(SIGPIPE, SIG_IGN);
    parse_args(argc, argv);
    openlog("pppkit-ddns-worker", LOG_PID, LOG_DAEMON);
    // SSL only: no win32 sockets, no ACK-of-the-global-state dance
    if (curl_global_init(CURL_GLOBAL_SSL) != 0) {
        log_line(LOG_ERR, "libcurl initialisation failed");
        return kExitTransient;
    }
    // The watcher (cancel fd, hard deadline: the IPv6 wait plus two attempts,
    // plus slack) starts in run() once privilege is gone. Per-attempt
    // deadlines are enforced where the I/O happens.
    int status = kExitTransient;
    try {
        status = run(load_config(g_opt.config, g_opt.config_explicit));
    } catch (const std::exception& e) {
        log_line(LOG_ERR, std::string("internal error: ") + e.what());
    }
    if (g_opt.cancel_fd >= 0) {
        // tell the plugin how it went: the reason of a failure (one line, for
        // pppd's log), then the status as the last byte; EOF when we exit
        std::lock_guard<std::mutex> lock(g_state_mutex);
        std::string msg;
        if (status != kExitOk && !g_last_error.empty())
            msg = g_last_error.substr(0, 400) + "\n";
        msg += static_cast<char>(static_cast<unsigned char>(status));
        (void)!::write(g_opt.cancel_fd, msg.data(), msg.size());
    }
    // No libcurl or OpenSSL teardown at exit (4 % of an update's instructions):
    // the kernel reclaims the process; syslog and stderr are unbuffered.
    std::fflush(nullptr);
    ::_exit(status);
}
