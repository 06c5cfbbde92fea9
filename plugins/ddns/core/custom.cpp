// custom.cpp - a URL template and the answers the user says each outcome
// has. An answer matches a token when the body's first word, its first line,
// or the whole (trimmed) body equals it exactly.
#include <algorithm>
#include <map>

#include "ddns/core/http.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns {

HttpRequest custom_request(const Profile& p, Family f, std::string_view address, const Creds& c)
{
    std::string hosts;
    for (const auto& h : p.hostnames)
        hosts += (hosts.empty() ? "" : ",") + h;
    std::map<std::string, std::string> vars = {
        {"hostname", hosts},
        {"address", std::string(address)},
        {"ipv4", f == Family::V4 ? std::string(address) : ""},
        {"ipv6", f == Family::V6 ? std::string(address) : ""},
        {"family", f == Family::V6 ? "6" : "4"},
        {"username", c.username},
        {"password", c.password},
        {"token", c.token},
    };
    HttpRequest r;
    r.url = expand_template(p.url, vars);
    for (auto& [k, v] : vars)
        secrets::wipe(v);
    // Basic auth only when the template does not carry the password itself.
    if (!c.username.empty() && !c.password.empty() && p.url.find("{password}") == std::string::npos) {
        r.basic = true;
        r.basic_user = c.username;
        r.basic_pass = c.password;
    }
    return r;
}

namespace {
Answer classify_tokens(const CustomTokens& t, const HttpAnswer& ans);
}  // namespace

// A 5xx is RetryLater whatever the body says (review 19 §4, review 29 F5), as
// for dyndns2 and DuckDNS: a success token from a failing server is no update,
// an auth-failed token from a proxy's error page no reason to suspend. A
// retry token keeps its reading (the Retry-After floor applies either way).
Answer classify_custom(const CustomTokens& t, const HttpAnswer& ans)
{
    Answer a = classify_tokens(t, ans);
    if (ans.status >= 500 && a.outcome != Outcome::RetryLater)
        return classify_status(ans.status, "HTTP " + std::to_string(ans.status) + ": " + excerpt(ans.body, ans.hidden),
                               ans.retry_after_s);
    return a;
}

namespace {
Answer classify_tokens(const CustomTokens& t, const HttpAnswer& ans)
{
    auto lines = body_lines(ans.body);
    std::vector<std::string> candidates;
    if (!lines.empty()) {
        if (auto w = words(lines[0]); !w.empty())
            candidates.push_back(w[0]);
        candidates.push_back(lines[0]);
    }
    std::string whole;
    for (const auto& l : lines)
        whole += (whole.empty() ? "" : "\n") + l;
    candidates.push_back(whole);
    const std::pair<const std::vector<std::string>*, Outcome> table[] = {
        {&t.success, Outcome::Updated},  {&t.unchanged, Outcome::Unchanged}, {&t.auth_failed, Outcome::AuthFailed},
        {&t.bad_host, Outcome::BadHost}, {&t.abuse, Outcome::Abuse},         {&t.retry, Outcome::RetryLater},
    };
    for (const auto& cand : candidates) {
        if (cand.empty())
            continue;
        for (const auto& [list, outcome] : table) {
            if (std::find(list->begin(), list->end(), cand) != list->end()) {
                Answer a;
                a.outcome = outcome;
                if (outcome == Outcome::RetryLater) {
                    a.transient = Transient::Other;
                    a.floor_s = retry_after_floor(ans.status, ans.retry_after_s);
                }
                a.detail = excerpt(cand, ans.hidden);
                return a;
            }
        }
    }
    return classify_status(ans.status, "HTTP " + std::to_string(ans.status) + ": " + excerpt(ans.body, ans.hidden),
                           ans.retry_after_s);
}
}  // namespace

}  // namespace pppkit::ddns
