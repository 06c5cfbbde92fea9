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
