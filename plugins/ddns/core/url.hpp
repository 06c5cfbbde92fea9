// url.hpp - percent-escaping, the custom URL template, and redaction of
// secrets from anything that gets logged. Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pppkit::ddns {

// RFC 3986 unreserved characters stay, everything else becomes %XX.
[[nodiscard]] std::string url_escape(std::string_view s);
// Expands {name} variables with url_escape()d values; an unknown variable
// expands to nothing (the schema refuses unknown names).
[[nodiscard]] std::string expand_template(std::string_view tmpl, const std::map<std::string, std::string>& vars);

// What must never leave the core in text a server sent (or a log line): the
// profile's secret values, and the user names sent with them in HTTP Basic.
struct Hidden {
    std::vector<std::string> secrets;  // password, token; empty ones are ignored
    std::vector<std::string> users;    // names that go with a secret in "Authorization: Basic"
};

// The one redaction of pppkit-ddns (the core's answer texts and the worker's
// log both use it). Replaces with "***" every occurrence of every form in
// which a secret travels or can come back: raw (so "Bearer <token>" too),
// percent-escaped (upper- and lower-case hex), as server_text() escapes it,
// and base64("user:secret") for each user (HTTP Basic; with or without its
// '=' padding). Longer forms are replaced first. Apply it to the raw text
// BEFORE it is cut: half a secret is no longer found. Pure.
[[nodiscard]] std::string redact(std::string text, const Hidden& h);
// redact() with secrets and no user names.
[[nodiscard]] std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace pppkit::ddns
