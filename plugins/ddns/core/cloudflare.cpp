// cloudflare.cpp - Cloudflare API v4: GET zones?name= (zone id), GET
// dns_records?type=&name= (record id and content), PATCH {"content": ip}.
// The API token goes in an "Authorization: Bearer" header. An unchanged
// content skips the PATCH (Unchanged). A small JSON reader is enough for the
// three fields used (success, errors[].code, result[0].id/content).
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>

#include "ddns/core/http.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns::cloudflare {
namespace {

struct Json {
    enum class T { Null, Bool, Num, Str, Arr, Obj } t = T::Null;
    bool b = false;
    double n = 0;
    std::string s;
    std::vector<Json> a;
    std::map<std::string, Json> o;
    [[nodiscard]] const Json* get(const std::string& k) const
    {
        if (t != T::Obj)
            return nullptr;
        auto it = o.find(k);
        return it == o.end() ? nullptr : &it->second;
    }
};

struct Parser {
    std::string_view in;
    size_t i = 0;
    int depth = 0;
    void ws()
    {
        while (i < in.size() && (in[i] == ' ' || in[i] == '\n' || in[i] == '\r' || in[i] == '\t'))
            ++i;
    }
    bool lit(std::string_view w)
    {
        if (in.substr(i, w.size()) != w)
            return false;
        i += w.size();
        return true;
    }
    bool str(std::string& out)
    {
        if (i >= in.size() || in[i] != '"')
            return false;
        ++i;
        while (i < in.size() && in[i] != '"') {
            char c = in[i++];
            if (c == '\\') {
                if (i >= in.size())
                    return false;
                char e = in[i++];
                switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'u':
                    if (i + 4 > in.size())
                        return false;
                    out += '?';  // non-ASCII is never needed for ids or addresses
                    i += 4;
                    break;
                default: out += e; break;
                }
            } else {
                out += c;
            }
        }
        if (i >= in.size())
            return false;
        ++i;
        return true;
    }
    bool value(Json& v)
    {
        if (++depth > 32)
            return false;
        ws();
        bool ok = false;
        if (i >= in.size()) {
            ok = false;
        } else if (in[i] == '{') {
            v.t = Json::T::Obj;
            ++i;
            ws();
            if (i < in.size() && in[i] == '}') {
                ++i;
                ok = true;
            } else {
                for (;;) {
                    ws();
                    std::string k;
                    if (!str(k))
                        break;
                    ws();
                    if (i >= in.size() || in[i] != ':')
                        break;
                    ++i;
                    Json child;
                    if (!value(child))
                        break;
                    v.o[k] = std::move(child);
                    ws();
                    if (i < in.size() && in[i] == ',') {
                        ++i;
                        continue;
                    }
                    if (i < in.size() && in[i] == '}') {
                        ++i;
                        ok = true;
                    }
                    break;
                }
            }
        } else if (in[i] == '[') {
            v.t = Json::T::Arr;
            ++i;
            ws();
            if (i < in.size() && in[i] == ']') {
                ++i;
                ok = true;
            } else {
                for (;;) {
                    Json child;
                    if (!value(child))
                        break;
                    v.a.push_back(std::move(child));
                    ws();
                    if (i < in.size() && in[i] == ',') {
                        ++i;
                        continue;
                    }
                    if (i < in.size() && in[i] == ']') {
                        ++i;
                        ok = true;
                    }
                    break;
                }
            }
        } else if (in[i] == '"') {
            v.t = Json::T::Str;
            ok = str(v.s);
        } else if (lit("true")) {
            v.t = Json::T::Bool;
            v.b = true;
            ok = true;
        } else if (lit("false")) {
            v.t = Json::T::Bool;
            ok = true;
        } else if (lit("null")) {
            ok = true;
        } else {
            size_t start = i;
            while (i < in.size() && (std::isdigit(static_cast<unsigned char>(in[i])) || in[i] == '-' || in[i] == '+' ||
                                     in[i] == '.' || in[i] == 'e' || in[i] == 'E'))
                ++i;
            if (i > start) {
                v.t = Json::T::Num;
                v.n = std::strtod(std::string(in.substr(start, i - start)).c_str(), nullptr);
                ok = true;
            }
        }
        --depth;
        return ok;
    }
};

std::optional<Json> parse(std::string_view text)
{
    Parser p{text};
    Json v;
    if (!p.value(v))
        return std::nullopt;
    p.ws();
    if (p.i != text.size())
        return std::nullopt;
    return v;
}

HttpRequest base(const Profile& p, const Creds& c)
{
    HttpRequest r;
    r.headers.push_back("Authorization: Bearer " + c.token);
    r.url = base_url(p, Family::V4) + std::string(p.pre().path);
    return r;
}

// success:false, or an HTTP error: the errors[] codes decide.
Answer failure(const HttpAnswer& a, const Json* j)
{
    std::string codes;
    bool auth = false;
    if (j)
        if (const Json* errs = j->get("errors"); errs && errs->t == Json::T::Arr)
            for (const auto& e : errs->a)
                if (const Json* c = e.get("code"); c && c->t == Json::T::Num) {
                    long code = static_cast<long>(c->n);
                    codes += (codes.empty() ? "" : ",") + std::to_string(code);
                    // 9103 unknown X-Auth-Key or token, 10000 authentication error, 6003 invalid request headers
                    if (code == 9103 || code == 10000 || code == 6003 || code == 9109)
                        auth = true;
                }
    std::string detail = "HTTP " + std::to_string(a.status) + (codes.empty() ? "" : ", errors " + codes);
    if (auth) {
        Answer r;
        r.outcome = Outcome::AuthFailed;
        r.detail = detail;
        return r;
    }
    Answer r = classify_status(a.status, detail);
    if (r.outcome == Outcome::ProtocolError && a.status >= 400 && a.status < 500 && j)
        r.outcome = Outcome::BadHost;  // a well-formed refusal of the zone/record request
    return r;
}

// The JSON of a successful envelope, or the Answer that ends the attempt.
std::variant<Json, Answer> envelope(const HttpAnswer& a)
{
    auto j = parse(a.body);
    if (!j || j->t != Json::T::Obj)
        return classify_status(a.status, "HTTP " + std::to_string(a.status) + ", not JSON");
    const Json* ok = j->get("success");
    if (!ok || ok->t != Json::T::Bool)
        return classify_status(a.status, "HTTP " + std::to_string(a.status) + ", no success field");
    if (!ok->b || a.status >= 300)
        return failure(a, &*j);
    return std::move(*j);
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
    r.body = "{\"content\":\"" + std::string(address) + "\"}";
    return r;
}

std::variant<std::string, Answer> parse_zone(const HttpAnswer& a)
{
    auto e = envelope(a);
    if (auto* ans = std::get_if<Answer>(&e))
        return *ans;
    const Json& j = std::get<Json>(e);
    const Json* res = j.get("result");
    if (!res || res->t != Json::T::Arr || res->a.empty()) {
        Answer r;
        r.outcome = Outcome::BadHost;
        r.detail = "zone not found";
        return r;
    }
    const Json* id = res->a[0].get("id");
    if (!id || id->t != Json::T::Str || id->s.empty()) {
        Answer r;
        r.detail = "zone without id";
        return r;
    }
    return id->s;
}

std::variant<Record, Answer> parse_record(const HttpAnswer& a)
{
    auto e = envelope(a);
    if (auto* ans = std::get_if<Answer>(&e))
        return *ans;
    const Json& j = std::get<Json>(e);
    const Json* res = j.get("result");
    if (!res || res->t != Json::T::Arr || res->a.empty()) {
        Answer r;
        r.outcome = Outcome::BadHost;
        r.detail = "record not found (create it once by hand)";
        return r;
    }
    const Json* id = res->a[0].get("id");
    const Json* content = res->a[0].get("content");
    if (!id || id->t != Json::T::Str || id->s.empty()) {
        Answer r;
        r.detail = "record without id";
        return r;
    }
    return Record{id->s, content && content->t == Json::T::Str ? content->s : ""};
}

Answer classify_update(const HttpAnswer& a)
{
    auto e = envelope(a);
    if (auto* ans = std::get_if<Answer>(&e))
        return *ans;
    const Json& j = std::get<Json>(e);
    Answer r;
    r.outcome = Outcome::Updated;
    r.detail = "success";
    if (const Json* res = j.get("result"))
        if (const Json* c = res->get("content"); c && c->t == Json::T::Str) {
            r.echoed = c->s;
            r.detail = "success, content " + c->s.substr(0, 45);
        }
    return r;
}

}  // namespace pppkit::ddns::cloudflare
