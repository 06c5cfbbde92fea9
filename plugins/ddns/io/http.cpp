#include "ddns/io/http.hpp"

#include <curl/curl.h>
#include <syslog.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <variant>
#include <vector>

#include "ddns/core/address.hpp"
#include "ddns/core/url.hpp"
#include "ddns/io/curl.hpp"
#include "ddns/io/log.hpp"

namespace pppkit::ddns::io {

namespace {

// What the HTTP socket callback needs: the source address, and its failure.
struct SourceBind {
    const std::string* source;
    std::string error;
};

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
    std::string why;
    if (!load_curl(&why)) {
        log_line(LOG_ERR, "profile " + c.p->name + ": " + why + ", nothing sent");
        return transient("libcurl: " + why);
    }
    Slist headers;  // Bearer tokens: libcurl frees its copies
    for (const auto& hd : r.headers)
        if (!append(headers, hd))
            return transient("out of memory");
    Easy easy(curl().easy_init());
    if (!easy)
        return transient("libcurl init failed");
    CURL* h = easy.get();
    char errbuf[CURL_ERROR_SIZE] = "";
    HttpAnswer ans;
    curl().easy_setopt(h, CURLOPT_URL, r.url.c_str());
    curl().easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl().easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    const std::string ua = user_agent();
    curl().easy_setopt(h, CURLOPT_USERAGENT, ua.c_str());
    curl().easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl().easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl().easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from the environment
    curl().easy_setopt(h, CURLOPT_TIMEOUT_MS, std::max(1L, c.left_ms()));
    curl().easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::max(1L, c.left_ms()));
    curl().easy_setopt(h, CURLOPT_IPRESOLVE,
                       r.any_family ? CURL_IPRESOLVE_WHATEVER
                                    : (c.fam == Family::V6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4));
    std::string iface = "if!" + c.ifname;
    if (!c.ifname.empty())
        curl().easy_setopt(h, CURLOPT_INTERFACE, iface.c_str());
    // libcurl 7.88 binds either to a device or to an address; the address is
    // bound here, before libcurl binds the device and connects
    SourceBind sb{&c.source, {}};
    if (!c.source.empty()) {
        curl().easy_setopt(h, CURLOPT_SOCKOPTDATA, &sb);
        curl().easy_setopt(
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
        curl().easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl().easy_setopt(h, CURLOPT_USERNAME, r.basic_user.c_str());
        curl().easy_setopt(h, CURLOPT_PASSWORD, r.basic_pass.c_str());
    }
    if (headers)
        curl().easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    if (r.method != "GET")
        curl().easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (!r.body.empty()) {
        curl().easy_setopt(h, CURLOPT_POSTFIELDS, r.body.c_str());
        curl().easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
    }
    curl().easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl().easy_setopt(h, CURLOPT_WRITEDATA, &ans.body);
    bool secret_in_request =
        r.basic || !r.headers.empty() ||
        std::any_of(log_state().hidden.secrets.begin(), log_state().hidden.secrets.end(), [&](const std::string& x) {
            return !x.empty() && (r.url.find(x) != std::string::npos || r.url.find(url_escape(x)) != std::string::npos);
        });
    if (secret_in_request && r.url.rfind("http://", 0) == 0)
        log_line(LOG_WARNING, "profile " + c.p->name + ": plain HTTP, the credentials cross the link in clear text");
    trace(r.method + " " + loggable_url(r.url));
    CURLcode rc = curl().easy_perform(h);
    curl().easy_getinfo(h, CURLINFO_RESPONSE_CODE, &ans.status);
    curl_off_t retry_after = -1;  // libcurl >= 7.66: seconds, an HTTP date made relative; 0 when absent
    if (curl().easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        ans.retry_after_s = static_cast<long>(std::min<curl_off_t>(retry_after, kRetryAfterMaxS));
    easy.reset();
    headers.reset();
    if (!sb.error.empty()) {
        log_line(LOG_ERR, "profile " + c.p->name + ": " + sb.error + ", nothing sent");
        return transient(sb.error);
    }
    if (rc != CURLE_OK)
        return curl_failure(rc, errbuf, c);
    ans.hidden = hidden(*c.p, c.creds);
    trace("HTTP " + std::to_string(ans.status) + " " + excerpt(ans.body, ans.hidden));
    return ans;
}

}  // namespace

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
}  // namespace pppkit::ddns::io
