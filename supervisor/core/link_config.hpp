// link_config.hpp - [link NAME] sections of pppkit.conf: one per peer file
// /etc/ppp/peers/NAME that pppkitd supervises. Pure: nothing here logs.
#pragma once

#include <string>
#include <vector>

#include "common/config.hpp"
#include "core/backoff.hpp"
#include "core/probe.hpp"

namespace pppkit::supervisor {

struct LinkConfig {
    std::string name;  // the peer file's name
    bool autostart = true;
    std::string lan_interface;  // empty: dial without waiting
    BackoffPolicy backoff;
    int auth_failures = 3;  // give up after this many in a row (0: never)
    // upstream probes (probe.hpp): none by default
    std::vector<probe::Target> probes;
    int64_t probe_interval_ms = 30000;
    int64_t probe_timeout_ms = 5000;  // never longer than the interval
    unsigned probe_failures = 3;
    std::string file;  // where the section is, for messages
    int line = 0;
};

// The schema of [link NAME] (registered in plugins/common/schema.cpp).
std::vector<config::SectionSpec> link_sections();
// Problems between keys (backoff-floor > backoff-ceiling) and bad names.
std::vector<config::Diagnostic> link_cross_check(const config::Document& doc);
// The links of a validated document, in file order.
std::vector<LinkConfig> read_links(const config::Document& doc);

}  // namespace pppkit::supervisor
