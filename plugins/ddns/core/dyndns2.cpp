// dyndns2.cpp - the dyndns2 protocol (help.dyn.com remote access API) as
// spoken by Dyn-compatible servers, No-IP and deSEC. Credentials go in an
// HTTP Basic header, never in the URL.
#include <algorithm>

#include "common/text.hpp"
#include "ddns/core/address.hpp"
#include "ddns/core/http.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns {
namespace {

using text::join;

// One answer line: "<token> [address]".
Answer classify_line(Provider prov, const std::vector<std::string>& w, std::string_view sent, const Hidden& h)
{
    Answer a;
    const std::string& t = w[0];
    a.detail = server_text(redact(join(w, " "), h));
    if (w.size() >= 2 && classify_address(w[1]) != AddrClass::Invalid)
        a.echoed = w[1];
    if (t == "good") {
        // "good 127.0.0.1" is how Dyn refuses a client it does not trust.
        if (w.size() >= 2 && w[1] == "127.0.0.1" && sent != "127.0.0.1")
            a.outcome = Outcome::Abuse;
        else
            a.outcome = Outcome::Updated;
    } else if (t == "nochg") {
        a.outcome = Outcome::Unchanged;
    } else if (t == "badauth" || t == "!donator") {
        a.outcome = Outcome::AuthFailed;
    } else if (t == "notfqdn" || t == "nohost" || t == "numhost" || t == "!yours" || t == "!active" || t == "badsys") {
        a.outcome = Outcome::BadHost;
    } else if (t == "abuse" || t == "badagent") {
        a.outcome = Outcome::Abuse;
    } else if (t == "911" || t == "dnserr") {
        a.outcome = Outcome::RetryLater;
        a.transient = Transient::Other;
        a.floor_s = preset(prov).retry_floor_s;
    } else {
        a.outcome = Outcome::ProtocolError;
        a.echoed.reset();
    }
    if (a.outcome != Outcome::Updated && a.outcome != Outcome::Unchanged)
        a.echoed.reset();
    return a;
}

}  // namespace

HttpRequest dyndns2_request(const Profile& p, Family f, std::string_view address, const Creds& c)
{
    HttpRequest r;
    std::string path = p.path.empty() ? std::string(p.pre().path) : p.path;
    std::string q = "hostname=";
    for (size_t i = 0; i < p.hostnames.size(); ++i)
        q += (i ? "," : "") + url_escape(p.hostnames[i]);
    if (p.provider == Provider::Desec) {
        // deSEC: updating one family alone clears the other unless it says "preserve".
        std::string v4 = f == Family::V4 ? url_escape(address) : "preserve";
        std::string v6 = f == Family::V6 ? url_escape(address) : "preserve";
        q += "&myipv4=" + v4 + "&myipv6=" + v6;
        r.basic_user = !c.username.empty() ? c.username : (p.hostnames.empty() ? "" : p.hostnames[0]);
        r.basic_pass = c.token;
    } else {
        // No-IP takes IPv6 as myipv6= (noip.com/integrate/request); an address
        // in the query may travel over either family.
        if (!address.empty()) {
            q += (p.provider == Provider::Noip && f == Family::V6 ? "&myipv6=" : "&myip=") + url_escape(address);
            r.any_family = p.provider == Provider::Noip;
        }
        r.basic_user = c.username;
        r.basic_pass = c.password;
    }
    r.basic = true;
    r.url = base_url(p, f) + path + "?" + q;
    return r;
}

namespace {
Answer classify_body(Provider prov, const HttpAnswer& ans, size_t hosts, std::string_view sent);
}  // namespace

// A 5xx is RetryLater whatever the body says (review 19 §4): a "good" from a
// failing server or a proxy's error page is not an update. A 911/dnserr
// keeps its provider floor.
Answer classify_dyndns2(Provider prov, const HttpAnswer& ans, size_t hosts, std::string_view sent)
{
    Answer a = classify_body(prov, ans, hosts, sent);
    if (a.outcome == Outcome::RetryLater)  // a 911 keeps its floor, or the server's Retry-After if longer
        a.floor_s = std::max(a.floor_s, retry_after_floor(ans.status, ans.retry_after_s));
    if (ans.status >= 500 && a.outcome != Outcome::RetryLater)
        return classify_status(ans.status, "HTTP " + std::to_string(ans.status) + ": " + excerpt(ans.body, ans.hidden),
                               ans.retry_after_s);
    return a;
}

namespace {
Answer classify_body(Provider prov, const HttpAnswer& ans, size_t hosts, std::string_view sent)
{
    auto lines = body_lines(ans.body);
    std::vector<std::vector<std::string>> parsed;
    for (const auto& l : lines)
        if (auto w = words(l); !w.empty())
            parsed.push_back(std::move(w));
    if (parsed.empty())
        return classify_status(ans.status, "HTTP " + std::to_string(ans.status) + ", empty answer", ans.retry_after_s);
    // The body is parsed whatever the status (Dyn's guideline); a status-only
    // reading applies when no line is a known token.
    Answer result;
    bool first = true;
    size_t n = std::max<size_t>(hosts, 1);
    if (parsed.size() != 1 && parsed.size() != n) {
        Answer a = classify_line(prov, parsed[0], sent, ans.hidden);
        if (a.outcome == Outcome::ProtocolError)
            return classify_status(ans.status,
                                   "HTTP " + std::to_string(ans.status) + ": " + excerpt(ans.body, ans.hidden),
                                   ans.retry_after_s);
        a.detail += " (" + std::to_string(parsed.size()) + " lines for " + std::to_string(n) + " hosts)";
        if (!is_fatal(a.outcome) && a.outcome != Outcome::RetryLater) {
            a.outcome = Outcome::ProtocolError;  // cannot tell which host got which answer
            a.echoed.reset();
        }
        return a;
    }
    for (const auto& w : parsed) {
        Answer a = classify_line(prov, w, sent, ans.hidden);
        if (a.outcome == Outcome::ProtocolError) {
            Answer s =
                classify_status(ans.status, "HTTP " + std::to_string(ans.status) + ": " + excerpt(ans.body, ans.hidden),
                                ans.retry_after_s);
            if (s.outcome != Outcome::ProtocolError)
                return s;
        }
        if (first) {
            result = a;
            first = false;
        } else {
            Answer keep = worse(result, a);
            result = keep;
        }
    }
    return result;
}
}  // namespace

}  // namespace pppkit::ddns
