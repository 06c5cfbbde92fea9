// pop3.cpp - see pop3.hpp.
#include "ddns/core/pop3.hpp"

#include <algorithm>
#include <cctype>

#include "ddns/core/md5.hpp"

namespace pppkit::ddns::pop3 {

std::optional<Reply> parse_reply(std::string_view line)
{
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
        line.remove_suffix(1);
    Reply r;
    if (line.substr(0, 3) == "+OK" && (line.size() == 3 || line[3] == ' ')) {
        r.ok = true;
        line.remove_prefix(3);
    } else if (line.substr(0, 4) == "-ERR" && (line.size() == 4 || line[4] == ' ')) {
        line.remove_prefix(4);
    } else {
        return std::nullopt;
    }
    if (!line.empty())
        line.remove_prefix(1);
    if (!line.empty() && line.front() == '[') {
        auto close = line.find(']');
        if (close != std::string_view::npos) {
            r.code = std::string(line.substr(1, close - 1));
            line.remove_prefix(close + 1);
            if (!line.empty() && line.front() == ' ')
                line.remove_prefix(1);
        }
    }
    r.text = std::string(line.substr(0, 200));
    return r;
}

std::optional<std::string> apop_timestamp(std::string_view greeting)
{
    auto open = greeting.find('<');
    if (open == std::string_view::npos)
        return std::nullopt;
    auto close = greeting.find('>', open);
    if (close == std::string_view::npos || close == open + 1)
        return std::nullopt;
    std::string_view ts = greeting.substr(open, close - open + 1);
    for (char c : ts)
        if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 127)
            return std::nullopt;
    return std::string(ts);
}

std::string apop_command(std::string_view user, std::string_view timestamp, std::string_view password)
{
    std::string in(timestamp);
    in += password;
    std::string cmd = "APOP " + std::string(user) + " " + md5_hex(in);
    std::fill(in.begin(), in.end(), '\0');
    return cmd;
}

std::variant<Login, Answer> choose_login(Pop3Auth mode, const std::optional<std::string>& timestamp, bool after_stls)
{
    switch (mode) {
    case Pop3Auth::User: return Login::UserPass;
    case Pop3Auth::Apop:
        if (after_stls) {
            Answer a;
            a.outcome = Outcome::ProtocolError;
            a.detail = "pop3-auth = apop after STLS: the APOP timestamp was read before TLS (RFC 2595), nothing sent";
            return a;
        }
        if (!timestamp) {
            Answer a;
            a.outcome = Outcome::ProtocolError;
            a.detail = "pop3-auth = apop, but the greeting offers no APOP timestamp";
            return a;
        }
        return Login::Apop;
    case Pop3Auth::Auto: return timestamp && !after_stls ? Login::Apop : Login::UserPass;
    }
    return Login::UserPass;
}

bool capa_has(const std::vector<std::string>& capa, std::string_view cap)
{
    for (const auto& l : capa) {
        std::string_view w = l;
        auto sp = w.find(' ');
        w = w.substr(0, sp);
        if (w.size() == cap.size()) {
            bool eq = true;
            for (size_t i = 0; i < w.size(); ++i)
                if (std::toupper(static_cast<unsigned char>(w[i])) != std::toupper(static_cast<unsigned char>(cap[i])))
                    eq = false;
            if (eq)
                return true;
        }
    }
    return false;
}

Answer classify(Stage stage, const std::optional<Reply>& r, const Hidden& h)
{
    Answer a;
    if (!r) {
        a.outcome = Outcome::ProtocolError;
        a.detail = "not a POP3 reply";
        return a;
    }
    // redacted whole (the code too: a server may put anything in it), then cut
    a.detail = server_text(redact(std::string(r->ok ? "+OK" : "-ERR") + (r->code.empty() ? "" : " [" + r->code + "]") +
                                      (r->text.empty() ? "" : " " + r->text),
                                  h),
                           100);
    if (r->ok) {
        a.outcome = stage == Stage::Pass ? Outcome::Updated : Outcome::Unchanged;  // only Pass ends the login
        return a;
    }
    // RFC 2449/3206 codes: SYS/TEMP, IN-USE, LOGIN-DELAY are transient; AUTH
    // is the credentials; SYS/PERM is the server refusing for good.
    const std::string& c = r->code;
    if (c == "SYS/TEMP" || c == "IN-USE" || c == "LOGIN-DELAY") {
        a.outcome = Outcome::RetryLater;
        a.transient = Transient::Other;
        return a;
    }
    switch (stage) {
    case Stage::Greeting:
    case Stage::Stls:
        a.outcome = Outcome::RetryLater;
        a.transient = Transient::Other;
        if (stage == Stage::Stls)
            a.outcome = Outcome::ProtocolError;  // refused STLS: never fall back to plain text
        return a;
    case Stage::User:
    case Stage::Pass: a.outcome = c == "SYS/PERM" ? Outcome::Abuse : Outcome::AuthFailed; return a;
    }
    return a;
}

std::string loggable(std::string_view line)
{
    auto sp = line.find(' ');
    std::string verb(line.substr(0, sp));
    for (char& ch : verb)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (verb == "USER" || verb == "CAPA" || verb == "STLS" || verb == "QUIT" || verb == "NOOP" || verb == "STAT")
        return std::string(line);
    if (sp == std::string_view::npos)
        return verb == "AUTH" || verb == "PASS" || verb == "APOP" ? verb : "***";
    if (verb == "APOP") {
        auto user_end = line.find(' ', sp + 1);
        return user_end == std::string_view::npos ? "APOP ***" : std::string(line.substr(0, user_end)) + " ***";
    }
    if (verb == "PASS" || verb == "AUTH")
        return verb + " ***";
    return "***";
}

}  // namespace pppkit::ddns::pop3
