// mydns.cpp - MyDNS.JP over HTTP: the BASIC-auth login page (the server
// records the connection's source address, so the request must leave by the
// PPP link and family) and DIRECTIP (the address in the query; MyDNS takes the
// password only there, so the URL is redacted before it is logged).
//
// Answers (research/ddns.md §2.1, UNVERIFIED against the live service): a
// page saying "login_status = 0" or "notify NG" (seen in third-party code),
// on either page, DIRECTIP included, is a refused login whatever its status;
// a 200 page saying "login_status = 1" or "notify OK" is success; a 200
// without either marker (a captive portal, a proxy's page) is not understood
// (review 19 §4); a 401/403 without a marker may be a proxy's or
// a WAF's and is retried an hour later (classify_status(), review 19 §2);
// 5xx, 408 and 429 are transient; any other status is not understood.
#include "ddns/core/http.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns {

HttpRequest mydns_request(const Profile& p, Family f, std::string_view address, const Creds& c)
{
    HttpRequest r;
    if (p.provider == Provider::MydnsDirectip) {
        r.url = base_url(p, f) + std::string(p.pre().path) + "?MID=" + url_escape(c.username) +
                "&PWD=" + url_escape(c.password) + (f == Family::V6 ? "&IPV6ADDR=" : "&IPV4ADDR=") +
                url_escape(address);
        return r;
    }
    r.url = base_url(p, f) + std::string(p.pre().path);
    r.basic = true;
    r.basic_user = c.username;
    r.basic_pass = c.password;
    return r;
}

Answer classify_mydns(const HttpAnswer& ans)
{
    // Tokens of the page: runs of [A-Za-z0-9_]; look for "login_status" followed by a 0/1 token.
    std::vector<std::string> toks;
    std::string cur;
    for (char c : ans.body) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
            cur += c;
        } else if (!cur.empty()) {
            toks.push_back(cur);
            cur.clear();
        }
    }
    if (!cur.empty())
        toks.push_back(cur);
    std::optional<bool> login;
    for (size_t i = 0; i + 1 < toks.size(); ++i) {
        if (toks[i] == "login_status" && (toks[i + 1] == "0" || toks[i + 1] == "1"))
            login = toks[i + 1] == "1";
        else if (toks[i] == "notify" && (toks[i + 1] == "NG" || toks[i + 1] == "OK") && !login)
            login = toks[i + 1] == "OK";
    }
    Answer a;
    if (login && !*login && ans.status < 500) {
        a.outcome = Outcome::AuthFailed;
        a.detail = "HTTP " + std::to_string(ans.status) + ", login_status = 0 / notify NG";
        return a;
    }
    if (ans.status == 200) {
        a.outcome = login ? Outcome::Updated : Outcome::ProtocolError;
        a.detail = login ? "HTTP 200, login_status = 1 / notify OK" : "HTTP 200 without login_status or notify OK";
        return a;
    }
    return classify_status(ans.status, "HTTP " + std::to_string(ans.status), ans.retry_after_s);
}

}  // namespace pppkit::ddns
