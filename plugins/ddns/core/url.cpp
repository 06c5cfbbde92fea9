// url.cpp - see url.hpp.
#include "ddns/core/url.hpp"

namespace pppkit::ddns {

std::string url_escape(std::string_view s)
{
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string expand_template(std::string_view tmpl, const std::map<std::string, std::string>& vars)
{
    std::string out;
    size_t i = 0;
    while (i < tmpl.size()) {
        if (tmpl[i] == '{') {
            auto close = tmpl.find('}', i);
            if (close != std::string_view::npos) {
                auto it = vars.find(std::string(tmpl.substr(i + 1, close - i - 1)));
                if (it != vars.end())
                    out += url_escape(it->second);
                i = close + 1;
                continue;
            }
        }
        out += tmpl[i++];
    }
    return out;
}

std::string base64(std::string_view s)
{
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    while (i + 2 < s.size()) {
        uint32_t v =
            static_cast<uint8_t>(s[i]) << 16 | static_cast<uint8_t>(s[i + 1]) << 8 | static_cast<uint8_t>(s[i + 2]);
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += tbl[v & 63];
        i += 3;
    }
    if (i + 1 == s.size()) {
        uint32_t v = static_cast<uint8_t>(s[i]) << 16;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == s.size()) {
        uint32_t v = static_cast<uint8_t>(s[i]) << 16 | static_cast<uint8_t>(s[i + 1]) << 8;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string redact(std::string text, const std::vector<std::string>& secrets)
{
    auto replace_all = [&](const std::string& needle) {
        if (needle.empty())
            return;
        size_t pos = 0;
        while ((pos = text.find(needle, pos)) != std::string::npos) {
            text.replace(pos, needle.size(), "***");
            pos += 3;
        }
    };
    for (const auto& s : secrets) {
        if (s.empty())
            continue;
        replace_all(s);
        replace_all(url_escape(s));
    }
    return text;
}

}  // namespace pppkit::ddns
