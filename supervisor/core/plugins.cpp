// The whole pppkit.conf schema: every plugin's part (plugins/registry.hpp).
// For pppkitd, `pppkit check` and the tests; a plugin loads only its own.
#include <span>

#include "common/schema.hpp"
#include "core/link_config.hpp"
#include "registry.hpp"

namespace pppkit {
namespace {

// Every plugin's part, in the order of the list.
std::span<const SchemaPart* const> parts()
{
#define PPPKIT_SCHEMA_PTR(name, ...) &name::kSchema,
    static constexpr const SchemaPart* kParts[] = {PPPKIT_PLUGINS(PPPKIT_SCHEMA_PTR)};
#undef PPPKIT_SCHEMA_PTR
    return kParts;
}

}  // namespace

config::Schema schema()
{
    static const std::vector<config::SectionSpec> all = [] {
        auto v = global_sections();
        for (const auto* part : parts())
            for (auto& s : part->sections())
                v.push_back(std::move(s));
        for (auto& s : supervisor::link_sections())
            v.push_back(std::move(s));
        return v;
    }();
    return all;
}

config::LoadResult load_config(const std::string& main_file, bool must_exist, const trust::Policy& policy)
{
    auto r = config::load(main_file, must_exist, schema(), policy);
    for (const auto* part : parts())
        if (part->cross_check != nullptr)
            for (auto& d : part->cross_check(r.doc))
                r.diags.push_back(std::move(d));
    for (auto& d : supervisor::link_cross_check(r.doc))
        r.diags.push_back(std::move(d));
    refuse_secrets_file(r);
    hide_private_values(r);
    return r;
}

}  // namespace pppkit
