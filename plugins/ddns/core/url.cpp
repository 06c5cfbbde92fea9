// url.cpp - see url.hpp.
#include "ddns/core/url.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "ddns/core/outcome.hpp"

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

namespace {

std::string base64(std::string_view in)
{
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return out;
}

std::string lower_hex_escape(std::string_view s)
{
    std::string out = url_escape(s);
    for (size_t i = 0; i + 2 < out.size(); ++i)
        if (out[i] == '%')  // url_escape() puts two hex digits after every '%'
            for (size_t k = i + 1; k <= i + 2; ++k)
                out[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[k])));
    return out;
}

}  // namespace

std::string redact(std::string text, const Hidden& h)
{
    std::vector<std::string> forms;
    for (const auto& s : h.secrets) {
        if (s.empty())
            continue;
        for (std::string f : {s, url_escape(s), lower_hex_escape(s), server_text(s, 4 * s.size() + 3)})
            forms.push_back(std::move(f));
        for (const auto& u : h.users) {
            std::string b = base64(u + ":" + s);
            forms.push_back(b);
            while (!b.empty() && b.back() == '=')
                b.pop_back();
            forms.push_back(std::move(b));
        }
    }
    std::sort(forms.begin(), forms.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
    for (const auto& needle : forms) {
        if (needle.empty())
            continue;
        size_t pos = 0;
        while ((pos = text.find(needle, pos)) != std::string::npos) {
            text.replace(pos, needle.size(), "***");
            pos += 3;
        }
    }
    return text;
}

std::string redact(std::string text, const std::vector<std::string>& secrets)
{
    return redact(std::move(text), Hidden{secrets, {}});
}

}  // namespace pppkit::ddns
