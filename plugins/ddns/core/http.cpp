// http.cpp - helpers shared by the HTTP protocol modules.
#include "ddns/core/http.hpp"

#include <algorithm>

#include "common/text.hpp"

namespace pppkit::ddns {

std::string user_agent()
{
#ifndef PPPKIT_VERSION
#define PPPKIT_VERSION "0"
#endif
    return "pppkit/" PPPKIT_VERSION " (Linux) pppkit@example.invalid";
}

std::string base_url(const Profile& p, Family f)
{
    Endpoint e = endpoint(p, f);
    std::string host = e.host.find(':') != std::string::npos ? "[" + e.host + "]" : e.host;
    bool tls = e.tls != Tls::Http;
    std::string url = (tls ? "https://" : "http://") + host;
    if ((tls && e.port != 443) || (!tls && e.port != 80))
        url += ":" + std::to_string(e.port);
    return url;
}

std::string excerpt(std::string_view body, const Hidden& h)
{
    return server_text(redact(std::string(body.substr(0, body.find('\n'))), h), 80);
}

Hidden hidden(const Profile& p, const Creds& c)
{
    Hidden h;
    h.secrets = c.secrets();
    if (!c.username.empty())
        h.users.push_back(c.username);
    if (p.provider == Provider::Desec && !p.hostnames.empty())
        h.users.push_back(p.hostnames[0]);  // dyndns2_request(): deSEC's Basic user without a username
    return h;
}

std::vector<std::string> body_lines(std::string_view body)
{
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= body.size()) {
        auto nl = body.find('\n', pos);
        std::string_view line = body.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        out.emplace_back(text::trim(line));
        if (nl == std::string_view::npos)
            break;
        pos = nl + 1;
    }
    while (!out.empty() && out.back().empty())
        out.pop_back();
    return out;
}

std::vector<std::string> words(std::string_view line) { return text::split(line, " \t\r"); }

long retry_after_floor(long status, long retry_after_s)
{
    if ((status != 429 && status != 503) || retry_after_s <= 0)
        return 0;
    return std::min(retry_after_s, kRetryAfterMaxS);
}

Answer classify_status(long status, std::string detail, long retry_after_s)
{
    Answer a;
    a.detail = std::move(detail);
    if (status == 401 || status == 403) {
        a.outcome = Outcome::RetryLater;  // see http.hpp: never a suspension without the provider's own word
        a.transient = Transient::Other;
        a.floor_s = kBareAuthStatusFloorS;
    } else if (status == 429 || status == 408 || status >= 500) {
        a.outcome = Outcome::RetryLater;
        a.transient = Transient::Other;
        if (status == 429)
            a.floor_s = 300;
        a.floor_s = std::max(a.floor_s, retry_after_floor(status, retry_after_s));
    } else {
        a.outcome = Outcome::ProtocolError;
    }
    return a;
}

}  // namespace pppkit::ddns
