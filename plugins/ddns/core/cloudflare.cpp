// cloudflare.cpp - Cloudflare API v4: GET zones?name= (zone id), GET
// dns_records?type=&name= (record id and content), PATCH {"content": ip}.
// The API token goes in an "Authorization: Bearer" header. An unchanged
// content skips the PATCH (Unchanged). The answers are read with nlohmann-json
// (the project's one JSON library), without exceptions: a body that is not
// JSON is discarded, and every value is type-checked before use.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "ddns/core/address.hpp"
#include "ddns/core/http.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns::cloudflare {
namespace {

using Json = nlohmann::json;

// The member k of an object, or nullptr.
const Json* get(const Json& j, const char* k)
{
    if (!j.is_object())
        return nullptr;
    auto it = j.find(k);
    return it == j.end() ? nullptr : &*it;
}

// A string member, or nullptr.
const std::string* get_str(const Json& j, const char* k)
{
    const Json* v = get(j, k);
    return v && v->is_string() ? v->get_ptr<const std::string*>() : nullptr;
}

// An error code from the network: an integer in [0, 10^9]; anything else
// (1e300, -1, 3.5, "9103") is no code at all.
std::optional<long> error_code(const Json& c)
{
    if (c.is_number_unsigned()) {
        auto v = c.get<uint64_t>();
        return v <= 1'000'000'000 ? std::optional<long>(static_cast<long>(v)) : std::nullopt;
    }
    if (c.is_number_integer()) {
        auto v = c.get<int64_t>();
        return v >= 0 && v <= 1'000'000'000 ? std::optional<long>(static_cast<long>(v)) : std::nullopt;
    }
    if (c.is_number_float()) {
        double d = c.get<double>();
        if (std::isfinite(d) && d >= 0 && d <= 1e9 && std::floor(d) == d)
            return static_cast<long>(d);
    }
    return std::nullopt;
}

HttpRequest base(const Profile& p, const Creds& c)
{
    HttpRequest r;
    r.headers.push_back("Authorization: Bearer " + c.token);
    r.url = base_url(p, Family::V4) + std::string(p.pre().path);
    return r;
}

// Cloudflare's error codes that say the credentials were refused: 9103
// unknown X-Auth-Key or token, 9109 invalid access token, 10000
// authentication error, 6003 invalid request headers (a malformed token).
bool auth_code(long c) { return c == 9103 || c == 9109 || c == 10000 || c == 6003; }
// ... and that the zone or record asked for does not exist (is not ours):
// 7003 "could not route to /zones/<id>..., perhaps your object identifier is
// invalid?", 1003 invalid or missing zone id, 81044 record does not exist.
bool missing_code(long c) { return c == 7003 || c == 1003 || c == 81044; }

// success:false, or an HTTP error. Contract (review 19 §3): only a known code
// ends in a suspension: an auth code is AuthFailed, a missing zone/record
// code BadHost (auth first: a token that may not see the zone can get both),
// and never with a 5xx, which is RetryLater whatever the body says (review 29
// F5: a failing server's or a proxy's answer is no reason to suspend).
// Any other answer, JSON or not, is what its status says (classify_status()):
// 401/403 RetryLater after an hour, 408/429/5xx RetryLater, any other 4xx
// (an unknown code, 9005 "content invalid", 7000 "no route") ProtocolError,
// backed off and retried: an unknown refusal is no reason to stop for good.
Answer failure(const HttpAnswer& a, const Json* j)
{
    std::string codes;
    bool auth = false;
    bool missing = false;
    int shown = 0;
    if (const Json* errs = j ? get(*j, "errors") : nullptr; errs && errs->is_array())
        for (const auto& e : *errs) {
            const Json* c = get(e, "code");
            auto code = c ? error_code(*c) : std::nullopt;
            if (!code)
                continue;
            if (shown++ < 8)
                codes += (codes.empty() ? "" : ",") + std::to_string(*code);
            auth = auth || auth_code(*code);
            missing = missing || missing_code(*code);
        }
    std::string detail = "HTTP " + std::to_string(a.status) + (codes.empty() ? "" : ", errors " + codes);
    if ((auth || missing) && a.status < 500) {
        Answer r;
        r.outcome = auth ? Outcome::AuthFailed : Outcome::BadHost;
        r.detail = detail;
        return r;
    }
    return classify_status(a.status, detail, a.retry_after_s);
}

// The JSON of a successful envelope, or the Answer that ends the attempt.
std::variant<Json, Answer> envelope(const HttpAnswer& a)
{
    // No exceptions (a discarded value instead); depth is bounded by the
    // worker's 64 KiB cap on the body.
    Json j = Json::parse(a.body, nullptr, false);
    if (!j.is_object())
        return classify_status(a.status, "HTTP " + std::to_string(a.status) + ", not JSON", a.retry_after_s);
    const Json* ok = get(j, "success");
    if (!ok || !ok->is_boolean())
        return classify_status(a.status, "HTTP " + std::to_string(a.status) + ", no success field", a.retry_after_s);
    if (!ok->get<bool>() || a.status >= 300)
        return failure(a, &j);
    return j;
}

// result[0] of a listing, or nullptr.
const Json* first_result(const Json& j)
{
    const Json* res = get(j, "result");
    return res && res->is_array() && !res->empty() ? &(*res)[0] : nullptr;
}

// Ids go back into URL paths (escaped there): letters, digits, '-', '_',
// '.', at most 64, never a dot segment. Cloudflare's are 32 hex digits.
bool plausible_id(const std::string* id)
{
    return id && !id->empty() && id->size() <= 64 && id->find("..") == std::string::npos && *id != "." &&
           std::all_of(id->begin(), id->end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.';
           });
}

}  // namespace

HttpRequest zone_request(const Profile& p, const Creds& c)
{
    HttpRequest r = base(p, c);
    r.url += "/zones?name=" + url_escape(p.zone);
    return r;
}

HttpRequest record_request(const Profile& p, Family f, std::string_view zone_id, const Creds& c)
{
    HttpRequest r = base(p, c);
    r.url += "/zones/" + url_escape(zone_id) + "/dns_records?type=" + (f == Family::V6 ? "AAAA" : "A") +
             "&name=" + url_escape(p.record);
    return r;
}

HttpRequest update_request(const Profile& p, std::string_view zone_id, std::string_view record_id,
                           std::string_view address, const Creds& c)
{
    HttpRequest r = base(p, c);
    r.method = "PATCH";
    r.url += "/zones/" + url_escape(zone_id) + "/dns_records/" + url_escape(record_id);
    r.headers.emplace_back("Content-Type: application/json");
    r.body = Json{{"content", std::string(address)}}.dump();
    return r;
}

namespace {

// The first item of a zone or record listing, with an id fit for a URL.
struct Listed {
    Json item;
    std::string id;
};

// Listed, or the Answer that ends the attempt: what the envelope said, "not
// found" (an empty listing), or an item without a plausible id.
std::variant<Listed, Answer> first_listed(const HttpAnswer& a, std::string_view what, std::string_view not_found)
{
    auto e = envelope(a);
    if (auto* ans = std::get_if<Answer>(&e))
        return *ans;
    const Json* first = first_result(std::get<Json>(e));
    Answer r;
    if (!first) {
        r.outcome = Outcome::BadHost;
        r.detail = std::string(what) + " not found" + std::string(not_found);
        return r;
    }
    const std::string* id = get_str(*first, "id");
    if (!plausible_id(id)) {
        r.detail = std::string(what) + " without a valid id";
        return r;
    }
    return Listed{*first, *id};
}

}  // namespace

std::variant<std::string, Answer> parse_zone(const HttpAnswer& a)
{
    auto l = first_listed(a, "zone", "");
    if (auto* ans = std::get_if<Answer>(&l))
        return *ans;
    return std::get<Listed>(l).id;
}

std::variant<Record, Answer> parse_record(const HttpAnswer& a)
{
    auto l = first_listed(a, "record", " (create it once by hand)");
    if (auto* ans = std::get_if<Answer>(&l))
        return *ans;
    const Listed& r = std::get<Listed>(l);
    // content is compared with our address; anything but an address is "other".
    const std::string* content = get_str(r.item, "content");
    return Record{r.id, content && classify_address(*content) != AddrClass::Invalid ? *content : ""};
}

Answer classify_update(const HttpAnswer& a)
{
    auto e = envelope(a);
    if (auto* ans = std::get_if<Answer>(&e))
        return *ans;
    Answer r;
    r.outcome = Outcome::Updated;
    r.detail = "success";
    if (const Json* res = get(std::get<Json>(e), "result"))
        if (const std::string* c = get_str(*res, "content")) {
            if (classify_address(*c) != AddrClass::Invalid)
                r.echoed = *c;
            r.detail = "success, content " + server_text(redact(*c, a.hidden), 64);
        }
    return r;
}

}  // namespace pppkit::ddns::cloudflare
