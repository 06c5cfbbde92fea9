// The [link NAME] part of the pppkit.conf schema (see plugins/common/config.hpp).
#include "common/schema.hpp"
#include "core/link_config.hpp"
#include "core/online.hpp"

#include <algorithm>
#include <chrono>
#include <variant>

namespace pppkit::supervisor {

using config::KeySpec;
using config::Type;

namespace {
std::optional<std::string> one_interface(std::string_view v)
{
    if (v.find('*') != std::string_view::npos)
        return "one interface name, not a pattern";
    return std::nullopt;
}
}  // namespace

std::vector<config::SectionSpec> link_sections()
{
    return {
        config::SectionSpec{
            "link",
            config::SectionSpec::Naming::Required,
            {
                KeySpec{.key = "autostart", .type = Type::Bool, .def = "yes", .help = "dial when pppkitd starts"},
                KeySpec{.key = "lan-interface",
                        .type = Type::Interface,
                        .help = "dial only once this interface is up",
                        .check = one_interface},
                KeySpec{.key = "backoff-floor",
                        .type = Type::Duration,
                        .def = "2s",
                        .min = 1,
                        .max = 3600,
                        .help = "the first delay before a redial"},
                KeySpec{.key = "backoff-ceiling",
                        .type = Type::Duration,
                        .def = "5m",
                        .min = 1,
                        .max = 86400,
                        .help = "the longest delay before a redial"},
                KeySpec{.key = "stable-after",
                        .type = Type::Duration,
                        .def = "60s",
                        .min = 1,
                        .max = 86400,
                        .help = "a link up this long resets the backoff"},
                KeySpec{.key = "auth-failures",
                        .type = Type::Int,
                        .def = "3",
                        .min = 0,
                        .max = 1000,
                        .help = "authentication failures in a row before giving up (0: never)"},
                KeySpec{.key = "max-dials-per-hour",
                        .type = Type::Int,
                        .def = "30",
                        .min = 1,
                        .max = 3600,
                        .help = "dial attempts per hour, whatever the cause"},
                KeySpec{.key = "probe",
                        .type = Type::String,
                        .help = "upstream probes through the link: icmp ADDRESS, tcp ADDRESS:PORT (comma-separated)",
                        .parse = probe::check_targets},
                KeySpec{.key = "probe-interval",
                        .type = Type::Duration,
                        .def = "30s",
                        .min = 1,
                        .max = 3600,
                        .help = "how often every probe target is tried"},
                KeySpec{.key = "probe-timeout",
                        .type = Type::Duration,
                        .def = "5s",
                        .min = 1,
                        .max = 60,
                        .help = "how long a probe waits for its answer (at most probe-interval)"},
                KeySpec{.key = "probe-failures",
                        .type = Type::Int,
                        .def = "3",
                        .min = 1,
                        .max = 100,
                        .help = "rounds in a row with no target answering before the link is re-dialled"},
            },
            "a pppd peer (/etc/ppp/peers/NAME) that pppkitd starts and supervises",
        },
        online::pppkitd_sections().front(),  // [pppkitd]: core/online.cpp
    };
}

namespace {
bool good_name(const std::string& n)
{
    if (n.empty() || n.size() > 64 || n[0] == '.')
        return false;
    for (unsigned char c : n)
        if (c <= 0x20 || c >= 0x7f || c == '/')
            return false;
    return true;
}

// [link]'s spec, for its documented defaults.
const config::SectionSpec& link_spec()
{
    static const std::vector<config::SectionSpec> specs = link_sections();
    return specs.front();
}

// The key's value parsed at load, or its documented default when it is not
// set; nullopt for a value load() refused (already reported).
template <class T>
std::optional<T> value_of(const config::Section& s, std::string_view key)
{
    const auto* e = s.get(key);
    const config::Value v = e != nullptr ? e->parsed : config::documented_default(link_spec(), key);
    const auto* t = std::get_if<T>(&v);
    return t != nullptr ? std::optional<T>(*t) : std::nullopt;
}

std::optional<std::chrono::seconds> seconds_of(const config::Section& s, std::string_view key)
{
    return value_of<std::chrono::seconds>(s, key);
}

int64_t ms(std::chrono::seconds s) { return std::chrono::milliseconds(s).count(); }
}  // namespace

std::vector<config::Diagnostic> link_cross_check(const config::Document& doc)
{
    std::vector<config::Diagnostic> out;
    for (const auto* s : doc.of_type("link")) {
        if (!good_name(s->name))
            out.push_back(
                {s->file, s->line, s->label(), "", "not a peer file name (1-64 characters, no '/')", s->name, true});
        const auto* f = s->get("backoff-floor");
        const auto* c = s->get("backoff-ceiling");
        const auto floor = seconds_of(*s, "backoff-floor");
        const auto ceiling = seconds_of(*s, "backoff-ceiling");
        if (floor && ceiling && *floor > *ceiling) {
            const auto* at = c ? c : f;
            out.push_back({at->file, at->line, s->label(), at->key,
                           "backoff-ceiling must not be below backoff-floor (" + std::to_string(floor->count()) + "s)",
                           at->value, true});
        }
        const auto* probe = s->get("probe");
        for (const char* k : {"probe-interval", "probe-timeout", "probe-failures"})
            if (const auto* e = s->get(k); e != nullptr && probe == nullptr)
                out.push_back({e->file, e->line, s->label(), e->key, "has no effect without probe", e->value, true});
        const auto* pt = s->get("probe-timeout");
        const auto interval = seconds_of(*s, "probe-interval");
        if (const auto timeout = pt ? pt->seconds() : std::nullopt; timeout && interval && *timeout > *interval)
            out.push_back(
                {pt->file, pt->line, s->label(), pt->key, "must not be longer than probe-interval", pt->value, true});
    }
    return out;
}

namespace {
// Every value comes from the section or from the key's documented default
// (documented_default): LinkConfig has no defaults of its own. A value load()
// refused reads as nullopt and leaves the member zero; such a document is not
// ok() and its users do not read it.
LinkConfig read_link(const config::Section& s)
{
    LinkConfig l;
    l.name = s.name;
    l.file = s.file;
    l.line = s.line;
    if (auto b = value_of<bool>(s, "autostart"))
        l.autostart = *b;
    if (const auto* e = s.get("lan-interface"))
        l.lan_interface = e->value;
    if (auto v = seconds_of(s, "backoff-floor"))
        l.backoff.floor_ms = ms(*v);
    if (auto v = seconds_of(s, "backoff-ceiling"))
        l.backoff.ceiling_ms = ms(*v);
    if (auto v = seconds_of(s, "stable-after"))
        l.backoff.stable_after_ms = ms(*v);
    if (auto n = value_of<long long>(s, "auth-failures"))
        l.auth_failures = static_cast<int>(*n);
    if (auto n = value_of<long long>(s, "max-dials-per-hour"))
        l.backoff.max_dials_per_hour = static_cast<int>(*n);
    if (auto t = value_of<std::vector<probe::Target>>(s, "probe"))
        l.probes = std::move(*t);
    if (auto v = seconds_of(s, "probe-interval"))
        l.probe_interval_ms = ms(*v);
    // the documented default, within the interval; a value set is checked by link_cross_check
    if (auto v = config::documented_default(link_spec(), "probe-timeout");
        const auto* d = std::get_if<std::chrono::seconds>(&v))
        l.probe_timeout_ms = std::min<int64_t>(ms(*d), l.probe_interval_ms);
    if (const auto* e = s.get("probe-timeout"))
        if (auto v = e->seconds())
            l.probe_timeout_ms = ms(*v);
    if (auto n = value_of<long long>(s, "probe-failures"))
        l.probe_failures = static_cast<unsigned>(*n);
    return l;
}
}  // namespace

std::vector<LinkConfig> read_links(const config::Document& doc)
{
    std::vector<LinkConfig> out;
    for (const auto* s : doc.of_type("link"))
        out.push_back(read_link(*s));
    return out;
}

LinkConfig link_defaults() { return read_link(config::Section{.type = "link"}); }

}  // namespace pppkit::supervisor
