#include "common/schema.hpp"

#include <sys/stat.h>

#include <algorithm>

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

namespace {

// [pppkit] and the supervisor's sections: in every schema.
std::vector<SectionSpec> base_sections()
{
    auto v = global_sections();
    for (auto& s : supervisor::link_sections())
        v.push_back(std::move(s));
    return v;
}

}  // namespace

config::LoadResult load_config(const std::string& main_file, bool must_exist, const SchemaPart* own,
                               std::span<const std::string_view> other_sections, const trust::Policy& policy)
{
    auto specs = base_sections();
    if (own != nullptr)
        for (auto& s : own->sections())
            specs.push_back(std::move(s));
    const size_t checked = specs.size();
    for (auto type : other_sections) {
        bool mine = false;
        for (size_t i = 0; i < checked; ++i)
            mine = mine || specs[i].type == type;
        if (!mine)
            specs.push_back(SectionSpec{.type = type, .foreign = true});
    }
    auto r = config::load(main_file, must_exist, specs, policy);
    if (own != nullptr && own->cross_check != nullptr)
        for (auto& d : own->cross_check(r.doc))
            r.diags.push_back(std::move(d));
    for (auto& d : supervisor::link_cross_check(r.doc))
        r.diags.push_back(std::move(d));
    refuse_secrets_file(r);
    hide_private_values(r);
    return r;
}

void hide_private_values(config::LoadResult& r)
{
    for (auto& d : r.diags) {
        struct stat st {};
        if (!d.has_value || std::find(r.doc.files.begin(), r.doc.files.end(), d.file) == r.doc.files.end() ||
            ::stat(d.file.c_str(), &st) != 0 || (st.st_mode & S_IROTH) != 0)
            continue;
        d.has_value = false;
        d.value.clear();
        d.problem += " (value not shown: the file is not world-readable)";
    }
}

void refuse_secrets_file(config::LoadResult& r)
{
    const std::string secrets = secrets_path(r.doc);
    struct stat sec {};
    if (::stat(secrets.c_str(), &sec) != 0)
        return;
    for (const auto& f : r.doc.files) {
        struct stat st {};
        if (::stat(f.c_str(), &st) != 0 || st.st_dev != sec.st_dev || st.st_ino != sec.st_ino)
            continue;
        config::Diagnostic d;
        d.file = f;
        d.problem =
            "this is the secrets file (" + secrets + "), not a configuration file: refused, nothing of it shown";
        r.diags.clear();
        r.diags.push_back(std::move(d));
        r.doc.sections.clear();
        r.unread = true;
        return;
    }
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
