// duckdns.cpp - DuckDNS (duckdns.org/spec.jsp): GET www.duckdns.org/update.
// The token must travel in the query (the API has no header form); it is
// redacted from every log line.
#include "ddns/core/address.hpp"
#include "ddns/core/http.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns {

HttpRequest duckdns_request(const Profile& p, Family f, std::string_view address, const Creds& c)
{
    HttpRequest r;
    std::string domains;
    for (const auto& h : p.hostnames) {
        std::string d = h;
        const std::string suffix = ".duckdns.org";
        if (d.size() > suffix.size() && d.compare(d.size() - suffix.size(), suffix.size(), suffix) == 0)
            d.resize(d.size() - suffix.size());
        domains += (domains.empty() ? "" : ",") + url_escape(d);
    }
    r.url = base_url(p, f) + std::string(p.pre().path) + "?domains=" + domains + "&token=" + url_escape(c.token) +
            (f == Family::V6 ? "&ipv6=" : "&ip=") + url_escape(address) + "&verbose=true";
    // DuckDNS reads IPv6 only from the ipv6 parameter (spec.jsp), and
    // www.duckdns.org may have no AAAA: an IPv6 update goes over whatever
    // family connects, never forced to IPv6 (a DNS error there).
    r.any_family = f == Family::V6 && !address.empty();
    return r;
}

Answer classify_duckdns(const HttpAnswer& ans)
{
    auto lines = body_lines(ans.body);
    Answer a;
    if (lines.empty())
        return classify_status(ans.status, "HTTP " + std::to_string(ans.status) + ", empty answer", ans.retry_after_s);
    // a 5xx is RetryLater whatever the body says (review 19 §4), an OK or a KO included
    if (ans.status >= 500)
        return classify_status(ans.status, "HTTP " + std::to_string(ans.status) + ": " + excerpt(ans.body, ans.hidden),
                               ans.retry_after_s);
    if (lines[0] == "KO") {
        a.outcome = Outcome::AuthFailed;  // DuckDNS says KO for a bad token and for a domain not in the account
        a.detail = "KO (token or domain refused)";
        return a;
    }
    if (lines[0] != "OK")
        return classify_status(ans.status, "HTTP " + std::to_string(ans.status) + ": " + excerpt(ans.body, ans.hidden),
                               ans.retry_after_s);
    // verbose: OK, IPv4, IPv6, UPDATED|NOCHANGE
    if (lines.size() >= 4) {
        if (lines[3] == "UPDATED")
            a.outcome = Outcome::Updated;
        else if (lines[3] == "NOCHANGE")
            a.outcome = Outcome::Unchanged;
        else {
            a.outcome = Outcome::ProtocolError;
            a.detail = "OK with unknown status '" + excerpt(lines[3], ans.hidden) + "'";
            return a;
        }
        a.detail = "OK " + lines[3];
        for (const std::string* echoed : {&lines[1], &lines[2]})
            if (!a.echoed && classify_address(*echoed) != AddrClass::Invalid)
                a.echoed = *echoed;
        return a;
    }
    if (lines.size() == 1) {
        a.outcome = Outcome::Updated;
        a.detail = "OK";
        return a;
    }
    a.outcome = Outcome::ProtocolError;
    a.detail = "OK with " + std::to_string(lines.size()) + " lines";
    return a;
}

}  // namespace pppkit::ddns
