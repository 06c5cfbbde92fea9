// outcome.cpp - names and ranks of Outcome.
#include "ddns/core/outcome.hpp"

namespace pppkit::ddns {

std::string server_text(std::string_view s, size_t max)
{
    static constexpr char kHex[] = "0123456789abcdef";
    auto piece = [](unsigned char c) {
        return c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c))
                                     : std::string{'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    };
    std::string all;
    for (size_t i = 0; i < s.size() && all.size() <= max; ++i)
        all += piece(static_cast<unsigned char>(s[i]));
    if (all.size() <= max)
        return all;
    std::string out;
    for (char c : s) {
        std::string p = piece(static_cast<unsigned char>(c));
        if (out.size() + p.size() + 3 > max)
            break;
        out += p;
    }
    return out + "...";
}

bool is_fatal(Outcome o) { return o == Outcome::AuthFailed || o == Outcome::BadHost || o == Outcome::Abuse; }
bool is_success(Outcome o) { return o == Outcome::Updated || o == Outcome::Unchanged; }

std::string_view outcome_name(Outcome o)
{
    switch (o) {
    case Outcome::Updated: return "updated";
    case Outcome::Unchanged: return "unchanged";
    case Outcome::AuthFailed: return "auth-failed";
    case Outcome::BadHost: return "bad-host";
    case Outcome::Abuse: return "abuse";
    case Outcome::RetryLater: return "retry-later";
    case Outcome::ProtocolError: return "protocol-error";
    }
    return "protocol-error";
}

std::optional<Outcome> parse_outcome(std::string_view s)
{
    for (auto o : {Outcome::Updated, Outcome::Unchanged, Outcome::AuthFailed, Outcome::BadHost, Outcome::Abuse,
                   Outcome::RetryLater, Outcome::ProtocolError})
        if (outcome_name(o) == s)
            return o;
    return std::nullopt;
}

int exit_status(Outcome o)
{
    if (is_success(o))
        return 0;
    return is_fatal(o) ? 2 : 1;
}

namespace {
int rank(Outcome o)
{
    switch (o) {
    case Outcome::Unchanged: return 0;
    case Outcome::Updated: return 1;
    case Outcome::ProtocolError: return 2;
    case Outcome::RetryLater: return 3;
    default: return 4;  // fatal
    }
}
}  // namespace

const Answer& worse(const Answer& a, const Answer& b) { return rank(b.outcome) > rank(a.outcome) ? b : a; }

}  // namespace pppkit::ddns
