// schema.hpp - the pppkit.conf schema: [pppkit], the parts the plugins own
// (plugins/registry.hpp lists them) and the supervisor's [link]/[pppkitd].
//
// Who checks what: a plugin (its .so, its tools) carries only its own part.
// It checks [pppkit], [link], [pppkitd] and its own sections key by key,
// accepts the sections another plugin owns as they are (that plugin checks
// them) and refuses a section nobody owns. `pppkit check` and pppkitd load
// the whole schema: every key of every section.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "common/config.hpp"

namespace pppkit {

// One plugin's part of the schema: its sections and the checks between
// their keys (reported at the line of the key at fault; null when none).
struct SchemaPart {
    std::string_view plugin;
    std::vector<config::SectionSpec> (*sections)();
    std::vector<config::Diagnostic> (*cross_check)(const config::Document& doc) = nullptr;
};

// [pppkit]: settings shared by all plugins.
std::vector<config::SectionSpec> global_sections();

// The whole schema, every plugin's part (supervisor/core/plugins.cpp), built once.
config::Schema schema();
// Loads the configuration with the whole schema and every cross-check
// (trusted files only, see config::load and common/trust.hpp).
config::LoadResult load_config(const std::string& main_file, bool must_exist,
                               const trust::Policy& policy = trust::current());

// Loads the configuration as the plugin `own` reads it (null: no plugin's
// sections are checked, only [pppkit], [link], [pppkitd]). other_sections are
// the section types the other plugins own, accepted unchecked; use
// load_plugin_config() (plugins/registry.hpp), which knows them.
config::LoadResult load_config(const std::string& main_file, bool must_exist, const SchemaPart* own,
                               std::span<const std::string_view> other_sections,
                               const trust::Policy& policy = trust::current());

// [pppkit] secrets-file, or the default.
std::string secrets_path(const config::Document& doc);

// When a file the configuration was read from is the secrets file (the same
// inode: `pppkit --config /etc/ppp/pppkit-secrets check`, or a drop-in that
// secrets-file names), its problems would quote its values (an unknown key's
// "(got 'VALUE')"): r becomes one diagnostic at that file, nothing of it
// shown, no section, unread. Both load_config()s apply it.
void refuse_secrets_file(config::LoadResult& r);
// A file of the configuration that others may not read (0600, 0640: a
// secrets file under another name, a copy of chap-secrets given as --config)
// has no value quoted in its problems: each loses its "(got 'VALUE')" and
// says why. Both load_config()s apply it, after refuse_secrets_file().
void hide_private_values(config::LoadResult& r);
// [pppkit] state-dir, or /var/lib/pppkit.
std::string state_dir(const config::Document& doc);

}  // namespace pppkit
