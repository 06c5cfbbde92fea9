// http.hpp - the HTTP(S) protocol modules: each builds its request(s) and
// classifies the provider's answer into one Outcome by exact tokens. Pure;
// the worker does the transfer (libcurl) and the logging.
// One file per protocol: dyndns2.cpp (dyndns2, noip, desec), duckdns.cpp,
// mydns.cpp (mydns-http, mydns-directip), cloudflare.cpp, custom.cpp.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ddns/core/outcome.hpp"
#include "ddns/core/profile.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns {

// Secret values for one attempt; the worker wipes them afterwards.
struct Creds {
    std::string username;  // not secret, but goes with the password
    std::string password;
    std::string token;
    [[nodiscard]] std::vector<std::string> secrets() const { return {password, token}; }
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;                   // may carry a secret only where the provider needs it there
    std::vector<std::string> headers;  // e.g. "Authorization: Bearer <token>"
    bool basic = false;                // libcurl sends username:password as an Authorization header
    std::string basic_user, basic_pass;
    std::string body;  // with Content-Type in headers
    // The address travels in the request, so the connection may use either
    // family (an IPv6 update over IPv4 when the endpoint has no AAAA, say).
    // false: the connection must use the family being updated (the provider
    // records its source address, or reads no address from the request).
    bool any_family = false;
};

// "pppkit/<version> (Linux) <contact>": providers ask for a unique
// User-Agent with a contact (No-IP refuses others with badagent; Dyn's
// guidelines); the contact is debian/control's Maintainer address.
[[nodiscard]] std::string user_agent();

struct HttpAnswer {
    long status = 0;  // HTTP status
    std::string body;
    // The profile's secrets: every piece of the body a classifier puts in
    // Answer::detail goes through redact() with these, before it is cut.
    Hidden hidden;
    // Retry-After in seconds, as libcurl reads it (CURLINFO_RETRY_AFTER: the
    // seconds form, or an HTTP date made relative); -1 when absent.
    long retry_after_s = -1;
};

// The most a Retry-After may hold the next attempt back (review 19 §4).
inline constexpr long kRetryAfterMaxS = 86400;
// The floor a 429 or 503 asks for with Retry-After: min(retry_after_s,
// kRetryAfterMaxS); 0 for any other status, or without a positive value.
[[nodiscard]] long retry_after_floor(long status, long retry_after_s);

// What redact() must hide for one profile: the password and the token, with
// the user names a request sends them with in HTTP Basic (username; deSEC's
// host name when it has none).
[[nodiscard]] Hidden hidden(const Profile& p, const Creds& c);

// scheme://host[:port] for the profile's endpoint ("[v6]" bracketed).
[[nodiscard]] std::string base_url(const Profile& p, Family f);
// The part of a body that a log line or the state may show: its first line,
// redacted (before the cut), through server_text(), at most 80 bytes.
[[nodiscard]] std::string excerpt(std::string_view body, const Hidden& h);
// Splits into lines without '\r'; trailing empty lines dropped.
[[nodiscard]] std::vector<std::string> body_lines(std::string_view body);
// Whitespace-separated words of one line.
[[nodiscard]] std::vector<std::string> words(std::string_view line);
// How long a bare 401/403 holds the next attempt back (review 19 §2).
inline constexpr long kBareAuthStatusFloorS = 3600;
// What an HTTP status says when the body carries no known token. Contract:
// a 401 or 403 alone is RetryLater with a floor of kBareAuthStatusFloorS, not
// AuthFailed: a WAF, a rate limiter, a CDN or a captive portal answers so too,
// and AuthFailed suspends the profile until its configuration changes. Only a
// provider's own refusal (dyndns2 badauth/!donator, DuckDNS KO, MyDNS
// login_status = 0 / notify NG, Cloudflare's auth error codes, custom's
// auth-failed tokens) is AuthFailed; each module detects it before calling
// this. 429 is RetryLater (floor 300 s); 408 and 5xx RetryLater; any other
// status ProtocolError. A 429 or 503 with a Retry-After (retry_after_s > 0)
// waits at least that long (retry_after_floor()), never less than the
// default floor.
[[nodiscard]] Answer classify_status(long status, std::string detail, long retry_after_s = -1);

// dyndns2.cpp: dyndns2, noip and desec (all speak the dyndns2 answer tokens).
[[nodiscard]] HttpRequest dyndns2_request(const Profile& p, Family f, std::string_view address, const Creds& c);
// hosts: how many host names were sent (one answer line each, or one for all).
[[nodiscard]] Answer classify_dyndns2(Provider prov, const HttpAnswer& a, size_t hosts, std::string_view sent);

// duckdns.cpp
[[nodiscard]] HttpRequest duckdns_request(const Profile& p, Family f, std::string_view address, const Creds& c);
[[nodiscard]] Answer classify_duckdns(const HttpAnswer& a);

// mydns.cpp: HTTP-BASIC login (records the source address) and DIRECTIP.
[[nodiscard]] HttpRequest mydns_request(const Profile& p, Family f, std::string_view address, const Creds& c);
[[nodiscard]] Answer classify_mydns(const HttpAnswer& a);

// custom.cpp
[[nodiscard]] HttpRequest custom_request(const Profile& p, Family f, std::string_view address, const Creds& c);
[[nodiscard]] Answer classify_custom(const CustomTokens& t, const HttpAnswer& a);

// cloudflare.cpp: zone id, then record id and content, then PATCH.
namespace cloudflare {
[[nodiscard]] HttpRequest zone_request(const Profile& p, const Creds& c);
[[nodiscard]] HttpRequest record_request(const Profile& p, Family f, std::string_view zone_id, const Creds& c);
[[nodiscard]] HttpRequest update_request(const Profile& p, std::string_view zone_id, std::string_view record_id,
                                         std::string_view address, const Creds& c);
struct Record {
    std::string id;
    std::string content;
};
// The id of the first result, or the Answer that ends the attempt.
[[nodiscard]] std::variant<std::string, Answer> parse_zone(const HttpAnswer& a);
[[nodiscard]] std::variant<Record, Answer> parse_record(const HttpAnswer& a);
[[nodiscard]] Answer classify_update(const HttpAnswer& a);
}  // namespace cloudflare

}  // namespace pppkit::ddns
