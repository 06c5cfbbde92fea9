// http.hpp - the HTTP(S) providers' whole exchange with libcurl: dyndns2,
// DuckDNS, MyDNS, custom, Cloudflare (zone, record, update). Every request
// leaves by the link (SO_BINDTODEVICE) and the family, from the chosen
// source address when the provider records it; nothing is sent if binding
// fails. No proxy, no redirect, no protocol but http and https.
#pragma once

#include <string>

#include "ddns/io/attempt.hpp"

namespace pppkit::ddns::io {

[[nodiscard]] Answer http_notify(const Ctx& c, const std::string& address);

// The URL as it may be logged: user info and the values of query parameters
// that are not known to be harmless (tokens, passwords: MyDNS PWD, DuckDNS
// token, a custom template's own names) become "***".
[[nodiscard]] std::string loggable_url(std::string url);

}  // namespace pppkit::ddns::io
