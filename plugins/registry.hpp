// registry.hpp - the plugins, and the pppkit.conf sections each owns.
//
// X(name, sections...): plugins/<name>/ defines
//   pppkit::<name>::kSchema        its SchemaPart (core/schema.cpp)
//   pppkit::cli::<name>_plugin     its pppkit subcommand (cli/, common/cli.hpp)
// The pppkit command (supervisor/cli/main.cpp) and the whole schema
// (supervisor/core/plugins.cpp) take them from this list; a plugin takes
// only the section names, so that it accepts the others' sections without
// carrying their code (tests/load/symbols.test.sh checks it does not).
#pragma once

#include <string_view>

#include "common/schema.hpp"

#define PPPKIT_PLUGINS(X)                                                                                              \
    X(mss, "mss")                                                                                                      \
    X(firewall, "firewall", "forward")                                                                                 \
    X(ddns, "ddns")

namespace pppkit {

#define PPPKIT_SECTION_NAMES(name, ...) __VA_ARGS__,
// Every section some plugin owns.
inline constexpr std::string_view kPluginSections[] = {PPPKIT_PLUGINS(PPPKIT_SECTION_NAMES)};
#undef PPPKIT_SECTION_NAMES

#define PPPKIT_DECLARE_SCHEMA(name, ...)                                                                               \
    namespace name {                                                                                                   \
    extern const SchemaPart kSchema;                                                                                   \
    }
PPPKIT_PLUGINS(PPPKIT_DECLARE_SCHEMA)
#undef PPPKIT_DECLARE_SCHEMA

namespace cli {
struct Plugin;  // common/cli.hpp
#define PPPKIT_DECLARE_CLI(name, ...) extern const Plugin name##_plugin;
PPPKIT_PLUGINS(PPPKIT_DECLARE_CLI)
#undef PPPKIT_DECLARE_CLI
}  // namespace cli

// The configuration as the plugin `own` reads it (see common/schema.hpp).
inline config::LoadResult load_plugin_config(const std::string& main_file, bool must_exist, const SchemaPart* own,
                                             const trust::Policy& policy = trust::current())
{
    return load_config(main_file, must_exist, own, kPluginSections, policy);
}

}  // namespace pppkit
