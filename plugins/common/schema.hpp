// schema.hpp - the whole pppkit.conf schema: every plugin's sections. Every
// plugin validates the whole file against it, so a typo anywhere is caught by
// whichever pppkit plugin or tool reads the file first.
#pragma once

#include <vector>

#include "common/config.hpp"

namespace pppkit {

// [pppkit]: settings shared by all plugins.
std::vector<config::SectionSpec> global_sections();
// Defined by each plugin core (plugins/<name>/core/schema.cpp).
std::vector<config::SectionSpec> mss_sections();
std::vector<config::SectionSpec> firewall_sections();
std::vector<config::SectionSpec> ddns_sections();
// Problems between keys of [ddns "name"] sections (a provider's required keys...),
// defined in plugins/ddns/core/schema.cpp; load_config() adds them.
std::vector<config::Diagnostic> ddns_cross_check(const config::Document& doc);

// All of the above, built once.
config::Schema schema();

// Loads the configuration with the whole schema (trusted files only, see
// config::load and common/trust.hpp).
config::LoadResult load_config(const std::string& main_file, bool must_exist,
                               const trust::Policy& policy = trust::current());

// [pppkit] secrets-file, or the default.
std::string secrets_path(const config::Document& doc);
// [pppkit] state-dir, or /var/lib/pppkit.
std::string state_dir(const config::Document& doc);

}  // namespace pppkit
