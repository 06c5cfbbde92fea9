// The [firewall] part of the pppkit.conf schema (see plugins/common/config.hpp).
#include "common/schema.hpp"

namespace pppkit {

std::vector<config::SectionSpec> firewall_sections() { return {}; }

}  // namespace pppkit
