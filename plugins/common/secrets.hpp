// secrets.hpp - the secrets file (/etc/ppp/pppkit-secrets): "name = value"
// lines, whole-line '#' comments. It must be a regular file owned by root
// with no group or other permission bits (0600 or 0400); anything else is
// refused. Values never appear in diagnostics, nor anything of a line
// whose name is not valid (only a valid name is shown), and are wiped when
// the Secrets object is destroyed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/config.hpp"

namespace pppkit::secrets {

inline constexpr const char* kDefaultPath = "/etc/ppp/pppkit-secrets";

class Secrets {
public:
    Secrets() = default;
    Secrets(const Secrets&) = delete;
    Secrets& operator=(const Secrets&) = delete;
    Secrets(Secrets&&) noexcept = default;
    Secrets& operator=(Secrets&&) noexcept = default;
    ~Secrets();

    // The value for name, or nullptr.
    [[nodiscard]] const std::string* get(std::string_view name) const;
    [[nodiscard]] bool has(std::string_view name) const { return get(name) != nullptr; }
    [[nodiscard]] size_t size() const { return items_.size(); }

    void set(std::string name, std::string value);

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// Loads and checks a secrets file. expected_uid is 0 in production; tests
// may pass their own uid. Diagnostics never contain a secret value or a
// byte of a line that is not "name = value" with a valid name.
std::variant<Secrets, std::vector<config::Diagnostic>> load(const std::string& path, unsigned expected_uid = 0);

// Overwrites s's bytes so the value does not linger in freed memory.
void wipe(std::string& s) noexcept;

}  // namespace pppkit::secrets
