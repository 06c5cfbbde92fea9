// attempt.hpp - what one family's attempt of one profile gives its I/O:
// the profile, the link and source to bind to, the pinned CA, the deadline
// and the credentials.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "ddns/core/http.hpp"
#include "ddns/core/outcome.hpp"
#include "ddns/core/profile.hpp"

namespace pppkit::ddns::io {

using Clock = std::chrono::steady_clock;
// Debian's trust store, hashed by update-ca-certificates (ca-certificates).
inline constexpr const char* kSystemCaPath = "/etc/ssl/certs";

struct Ctx {
    const Profile* p = nullptr;
    Family fam = Family::V4;
    std::string ifname;
    std::string source;   // bind to this local address: the provider records the connection's source
    std::string ca_blob;  // the pinned CA file's contents, read before the privilege drop
    Clock::time_point deadline;
    Creds creds;
    std::string stls_pinned;  // POP3: State::pop3_stls, the server that took STLS before
    [[nodiscard]] long left_ms() const
    {
        return std::max<long>(0,
                              std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    }
};

inline Answer transient(std::string detail, Transient why = Transient::Other)
{
    Answer a;
    a.outcome = Outcome::RetryLater;
    a.transient = why;
    a.detail = std::move(detail);
    return a;
}

// Binds fd to the local address text (port 0). Returns the problem, if any.
[[nodiscard]] std::optional<std::string> bind_source(int fd, const std::string& text);

}  // namespace pppkit::ddns::io
