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
// Replaces every occurrence of each secret (raw and percent-escaped) with "***".
[[nodiscard]] std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace pppkit::ddns
