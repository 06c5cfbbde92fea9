#include "common/schema.hpp"

#include "common/secrets.hpp"
#include "core/link_config.hpp"  // [link NAME]: supervisor/core/schema.cpp

namespace pppkit {

using config::KeySpec;
using config::SectionSpec;
using config::Type;

std::vector<SectionSpec> global_sections()
{
    return {
        SectionSpec{
            "pppkit",
            SectionSpec::Naming::None,
            {
                KeySpec{.key = "secrets-file",
                        .type = Type::Path,
                        .def = secrets::kDefaultPath,
                        .help = "root-owned 0600 file with the secrets other sections name",
                        .trust = KeySpec::Trust::File},
                KeySpec{.key = "state-dir",
                        .type = Type::Path,
                        .def = "/var/lib/pppkit",
                        .help = "where pppkit keeps state between runs",
                        .trust = KeySpec::Trust::Directory},
            },
            "settings shared by every pppkit plugin and tool",
        },
    };
}

config::Schema schema()
{
    static const std::vector<SectionSpec> all = [] {
        std::vector<SectionSpec> v;
        for (auto part :
             {global_sections(), mss_sections(), firewall_sections(), ddns_sections(), supervisor::link_sections()})
            for (auto& s : part)
                v.push_back(std::move(s));
        return v;
    }();
    return all;
}

config::LoadResult load_config(const std::string& main_file, bool must_exist, const trust::Policy& policy)
{
    auto r = config::load(main_file, must_exist, schema(), policy);
    for (auto& d : ddns_cross_check(r.doc))
        r.diags.push_back(std::move(d));
    for (auto& d : supervisor::link_cross_check(r.doc))
        r.diags.push_back(std::move(d));
    return r;
}

std::string secrets_path(const config::Document& doc)
{
    if (const auto* s = doc.first("pppkit"))
        if (const auto* e = s->get("secrets-file"))
            return e->value;
    return secrets::kDefaultPath;
}

std::string state_dir(const config::Document& doc)
{
    if (const auto* s = doc.first("pppkit"))
        if (const auto* e = s->get("state-dir"))
            return e->value;
    return "/var/lib/pppkit";
}

}  // namespace pppkit
