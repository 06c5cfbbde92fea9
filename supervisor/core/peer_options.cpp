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

// pppd's options (2.4.9 and 2.5, and rp-pppoe's) whose one argument is
// free text, which could read "plugin", "file" or "call": it is skipped,
// as pppd skips it. Options with a number or an address need no entry; a
// flag must never have one (the word after it is an option).
bool takes_text(std::string_view w)
{
    // clang-format off
    static constexpr std::string_view kText[] = {
        "user", "password", "name", "remotename", "ipparam", "linkname", "logfile", "connect", "disconnect",
        "init", "welcome", "pty", "socket", "ifname", "remotenumber", "domain", "active-filter", "pass-filter",
        "precompiled-active-filter", "precompiled-pass-filter", "ip-up-script", "ip-down-script",
        "ipv6-up-script", "ipv6-down-script", "net-init-script", "net-pre-up-script", "net-down-script",
        "pppoe-service", "pppoe-ac-name", "rp_pppoe_service", "rp_pppoe_ac", "pppoe-host-uniq", "host-uniq",
        "pppoe-mac", "ca", "capath", "cert", "key", "crl", "crl-dir", "pkcs12", "max-tls-version",
        "tls-verify-method",
    };
    // clang-format on
    for (auto t : kText)
        if (w == t)
            return true;
    return false;
}

}  // namespace

OptionsScan scan_options(std::string_view text)
{
    OptionsScan s;
    const auto w = words(text);
    for (size_t i = 0; i < w.size(); ++i) {
        if (w[i] == "debug" || w[i] == "-d") {  // flags: no argument
            s.debug = true;
            continue;
        }
        if (w[i] == "show-password" || w[i] == "hide-password") {
            s.show_password = w[i] == "show-password";
            continue;
        }
        if (i + 1 == w.size())
            break;  // an option with no argument left: pppd refuses it
        if (w[i] == "plugin") {
            const std::string& p = w[i + 1];
            const auto slash = p.rfind('/');
            if (p.compare(slash == std::string::npos ? 0 : slash + 1, 7, "pppkit-") == 0)
                s.pppkit_plugin = true;
        } else if (w[i] == "file") {
            s.files.push_back(w[i + 1]);
        } else if (w[i] == "call") {
            s.calls.push_back(w[i + 1]);
        } else if (!takes_text(w[i])) {
            continue;
        }
        ++i;  // the argument is not an option name
    }
    return s;
}

}  // namespace pppkit::supervisor
