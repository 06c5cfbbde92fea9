#include "core/host_name.hpp"

#include <algorithm>
#include <cctype>

#include "common/text.hpp"

namespace pppkit::supervisor::host_name {
namespace {

bool same_name(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// Each line of text without its comment, split into blank-separated words.
template <typename Fn>
void each_line(std::string_view text, Fn fn)
{
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (const size_t hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        if (fn(text::split(line, " \t\r")))
            return;
    }
}

}  // namespace

bool resolves_locally(std::string_view name, std::string_view hosts, std::string_view nsswitch)
{
    if (name.empty())
        return false;
    bool found = false;
    each_line(hosts, [&](const std::vector<std::string>& w) {
        found = w.size() > 1 && std::any_of(w.begin() + 1, w.end(), [&](const auto& n) { return same_name(n, name); });
        return found;
    });
    if (found)
        return true;
    each_line(nsswitch, [&](const std::vector<std::string>& w) {
        found = !w.empty() && w.front() == "hosts:" && std::find(w.begin() + 1, w.end(), "myhostname") != w.end();
        return !w.empty() && w.front() == "hosts:";
    });
    return found;
}

std::string warning(std::string_view name)
{
    const std::string n(name);
    return "/etc/hosts: this host's name '" + n + "' is not in it: its lookups (sudo: 'unable to resolve host " + n +
           "') go to the DNS servers the link brings, and wait for them while the link is down; add a line "
           "'127.0.1.1 " +
           n + "' to /etc/hosts";
}

}  // namespace pppkit::supervisor::host_name
