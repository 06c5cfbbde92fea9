#include "common/ifname.hpp"

namespace pppkit::ifname {
namespace {

bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

std::optional<std::string> check(std::string_view v, bool pattern)
{
    std::string_view body = v;
    if (pattern && !body.empty() && body.back() == '*')
        body.remove_suffix(1);
    if (body.empty())
        return std::string(pattern ? "not an interface name (1-15 characters, '*' allowed at the end)"
                                   : "not an interface name (1-15 characters)");
    if (v.size() > kMaxLen)
        return "longer than " + std::to_string(kMaxLen) + " bytes (" + std::to_string(v.size()) +
               (pattern && body.size() != v.size() ? ", the '*' included" : "") +
               "): Linux and nft hold at most 15, so it can never match";
    for (char c : body)
        if (!name_char(c))
            return std::string("not an interface name (letters, digits, '-', '_', '.')");
    if (body == "." || body == "..")
        return std::string("not an interface name ('.' and '..' are reserved)");
    return std::nullopt;
}

}  // namespace

std::optional<std::string> check_name(std::string_view v) { return check(v, false); }
std::optional<std::string> check_pattern(std::string_view v) { return check(v, true); }

}  // namespace pppkit::ifname
