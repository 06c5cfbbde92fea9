#include "core/control.hpp"

#include <grp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>

namespace pppkit::supervisor::control {

namespace {

bool good_name(std::string_view n)
{
    return !n.empty() && n.size() <= 64 && n.front() != '.' &&
           std::all_of(n.begin(), n.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f && c != '/'; });
}

std::optional<Verb> verb_of(std::string_view w)
{
    for (Verb v : {Verb::Status, Verb::Start, Verb::Stop, Verb::Restart, Verb::Reload})
        if (verb_name(v) == w)
            return v;
    return std::nullopt;
}

// The next space-separated word of s (removed from s).
std::string_view word(std::string_view& s)
{
    const size_t sp = s.find(' ');
    std::string_view w = s.substr(0, sp);
    s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
    return w;
}

const LinkConfig* find(const std::vector<LinkConfig>& v, const std::string& name)
{
    for (const auto& c : v)
        if (c.name == name)
            return &c;
    return nullptr;
}

}  // namespace

std::string_view verb_name(Verb v)
{
    switch (v) {
    case Verb::Status: return "status";
    case Verb::Start: return "start";
    case Verb::Stop: return "stop";
    case Verb::Restart: return "restart";
    case Verb::Reload: return "reload";
    }
    return "?";
}

std::string_view error_text(ParseError e)
{
    switch (e) {
    case ParseError::Incomplete: return "request too long or incomplete";
    case ParseError::Version: return "unsupported request version (this pppkitd speaks v1)";
    case ParseError::Verb: return "unknown request";
    case ParseError::Name: return "bad or missing link name";
    }
    return "?";
}

bool needs_root(Verb v) { return v != Verb::Status; }

std::variant<Request, ParseError> parse_request(std::string_view b)
{
    const size_t nl = b.find('\n');
    if (nl >= kMaxRequest)  // npos too: no newline
        return ParseError::Incomplete;
    std::string_view s = b.substr(0, nl);
    if (!s.empty() && s.back() == '\r')
        s.remove_suffix(1);
    std::string_view w = word(s);
    const bool versioned = w.size() >= 2 && w.front() == 'v' &&
                           std::all_of(w.begin() + 1, w.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (versioned) {
        if (w != "v1")
            return ParseError::Version;
        w = word(s);
    }
    auto v = verb_of(w);
    if (!v || (!versioned && *v != Verb::Status))
        return ParseError::Verb;
    Request r{*v, std::string(word(s))};
    if (!s.empty())
        return ParseError::Name;  // a second word
    const bool named = !r.name.empty();
    if (named && !good_name(r.name))
        return ParseError::Name;
    if ((*v == Verb::Reload && named) || (*v != Verb::Reload && *v != Verb::Status && !named))
        return ParseError::Name;
    return r;
}

std::string format_request(const Request& r)
{
    return "v1 " + std::string(verb_name(r.verb)) + (r.name.empty() ? "" : " " + r.name) + "\n";
}

bool same_settings(const LinkConfig& a, const LinkConfig& b)
{
    const auto& x = a.backoff;
    const auto& y = b.backoff;
    return a.name == b.name && a.autostart == b.autostart && a.lan_interface == b.lan_interface &&
           x.floor_ms == y.floor_ms && x.ceiling_ms == y.ceiling_ms && x.stable_after_ms == y.stable_after_ms &&
           x.max_dials_per_hour == y.max_dials_per_hour && a.auth_failures == b.auth_failures && a.probes == b.probes &&
           a.probe_interval_ms == b.probe_interval_ms && a.probe_timeout_ms == b.probe_timeout_ms &&
           a.probe_failures == b.probe_failures;
}

LinkDiff diff_links(const std::vector<LinkConfig>& before, const std::vector<LinkConfig>& after)
{
    LinkDiff d;
    for (const auto& o : before)
        if (find(after, o.name) == nullptr)
            d.removed.push_back(o.name);
    for (const auto& n : after) {
        const LinkConfig* o = find(before, n.name);
        if (o == nullptr)
            d.added.push_back(n.name);
        else if (!same_settings(*o, n))
            d.changed.push_back(n.name);
    }
    return d;
}

std::optional<gid_t> control_group(std::string_view group_file, std::string_view name)
{
    if (group_file.empty())
        return std::nullopt;
    std::string text(group_file);  // fmemopen reads a mutable buffer
    struct Close {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, Close> f(::fmemopen(text.data(), text.size(), "r"));
    if (!f)
        return std::nullopt;
    group g{};
    group* got = nullptr;
    std::string buf(4096, '\0');
    for (;;) {
        const int rc = ::fgetgrent_r(f.get(), &g, buf.data(), buf.size(), &got);
        if (rc == ERANGE) {  // a line longer than buf (many members): read it again, bigger
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || got == nullptr)
            return std::nullopt;  // ENOENT: the end
        if (name == got->gr_name)
            return got->gr_gid != 0 ? std::optional<gid_t>(got->gr_gid) : std::nullopt;
    }
}

}  // namespace pppkit::supervisor::control
