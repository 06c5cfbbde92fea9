// peer_options.cpp - see peer_options.hpp.
#include "core/peer_options.hpp"

namespace pppkit::supervisor {

namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// The words of text, as pppd reads them (simplified: pppd's octal and
// control escapes only matter inside values; here they keep the character).
std::vector<std::string> words(std::string_view text)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        if (space(text[i])) {
            ++i;
            continue;
        }
        if (text[i] == '#') {  // a comment, to the end of the line
            while (i < text.size() && text[i] != '\n')
                ++i;
            continue;
        }
        std::string w;
        char quote = 0;
        for (; i < text.size(); ++i) {
            char c = text[i];
            if (c == '\\' && i + 1 < text.size()) {
                w += text[++i];
                continue;
            }
            if (quote != 0) {
                if (c == quote)
                    quote = 0;
                else
                    w += c;
                continue;
            }
            if (c == '"' || c == '\'') {
                quote = c;
                continue;
            }
            if (space(c))
                break;
            w += c;
        }
        out.push_back(std::move(w));
    }
    return out;
}

}  // namespace

OptionsScan scan_options(std::string_view text)
{
    OptionsScan s;
    const auto w = words(text);
    for (size_t i = 0; i + 1 < w.size(); ++i) {
        if (w[i] == "plugin") {
            const std::string& p = w[i + 1];
            const auto slash = p.rfind('/');
            if (p.compare(slash == std::string::npos ? 0 : slash + 1, 7, "pppkit-") == 0)
                s.pppkit_plugin = true;
        } else if (w[i] == "file") {
            s.files.push_back(w[i + 1]);
        } else if (w[i] == "call") {
            s.calls.push_back(w[i + 1]);
        } else {
            continue;
        }
        ++i;  // the argument is not an option name
    }
    return s;
}

}  // namespace pppkit::supervisor
