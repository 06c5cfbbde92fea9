// pop3.hpp - the POP3 login that notifies MyDNS (RFC 1939, STLS RFC 2595,
// response codes RFC 2449/3206). Pure pieces of the dialogue; the worker
// owns the socket:
//   greeting -> [CAPA, STLS, TLS handshake] -> APOP | USER+PASS -> QUIT
// Why our own dialogue and not libcurl's pop3:// : libcurl picks SASL, then
// APOP, by itself and cannot be made to send USER/PASS when the greeting has
// an APOP timestamp (research/ddns.md §3), and it cannot STLS-upgrade a
// connect-only connection. The worker therefore speaks POP3 itself and lets
// libcurl do only the TLS handshake and record layer on the connected socket.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ddns/core/outcome.hpp"
#include "ddns/core/profile.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns::pop3 {

struct Reply {
    bool ok = false;
    std::string code;  // RFC 2449 response code without brackets ("AUTH", "SYS/TEMP"), or ""
    std::string text;  // the rest of the line
};
// "+OK ..." or "-ERR ..."; nullopt for anything else.
[[nodiscard]] std::optional<Reply> parse_reply(std::string_view line);
// The APOP timestamp "<...>" of a greeting, brackets included; nullopt when absent.
[[nodiscard]] std::optional<std::string> apop_timestamp(std::string_view greeting);
// "APOP user <md5(timestamp + password) hex>" (no CRLF).
[[nodiscard]] std::string apop_command(std::string_view user, std::string_view timestamp, std::string_view password);

enum class Login { Apop, UserPass };
// auto: APOP when the greeting offers it, else USER/PASS; apop: APOP or an
// error; user: USER/PASS always, even when the greeting offers APOP.
// after_stls: the login follows STLS, so the greeting (and its timestamp) was
// read in plain text before TLS and must be discarded (RFC 2595 §4): anyone
// on the path can add a timestamp, and an APOP the server does not take
// would read as the provider refusing the password (review 29 F2). auto then
// means USER/PASS under TLS; apop is a protocol error, nothing sent (the
// config check refuses apop where STLS may be taken: tls = stls or auto).
[[nodiscard]] std::variant<Login, Answer> choose_login(Pop3Auth mode, const std::optional<std::string>& timestamp,
                                                       bool after_stls);
// The most lines a CAPA listing may have (RFC 2449 defines 11 capabilities;
// servers list about 10). It arrives before STLS, in plain text: anyone on
// the path can make it endless, so a longer one is a protocol error.
inline constexpr size_t kMaxCapaLines = 64;
// True when a CAPA listing (lines between "+OK" and ".") offers STLS.
[[nodiscard]] bool capa_has(const std::vector<std::string>& capa, std::string_view cap);
// The outcome of the server's answer to the greeting, STLS, USER, PASS or APOP.
// The reply's text is redact()ed with h before it is cut for Answer::detail.
enum class Stage { Greeting, Stls, User, Pass };
[[nodiscard]] Answer classify(Stage stage, const std::optional<Reply>& r, const Hidden& h);
// A client line as it may be logged: commands that carry no credential
// (USER, CAPA, STLS, QUIT, NOOP, STAT) as they are; APOP keeps the user and
// hides the digest; any other line (PASS, AUTH, an AUTH continuation, anything
// unknown) keeps only a leading command word and hides the rest as "***".
[[nodiscard]] std::string loggable(std::string_view line);

}  // namespace pppkit::ddns::pop3
