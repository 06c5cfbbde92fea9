// link_config.hpp - [link NAME] sections of pppkit.conf: one per peer file
// /etc/ppp/peers/NAME that pppkitd supervises. Pure: nothing here logs.
#pragma once

#include <string>
#include <vector>

#include "common/config.hpp"
#include "core/backoff.hpp"
#include "core/probe.hpp"

namespace pppkit::supervisor {

// A [link NAME] section as read_links() reads it: every key from the
// section or the key's documented default (the schema's def, link_sections());
// link_defaults() is a section with no key set. LinkConfig and its
// BackoffPolicy have no defaults of their own (their initial values are
// zeros, not defaults), so the schema is the one list of them.
struct LinkConfig {
    std::string name;  // the peer file's name
    bool autostart = false;
    std::string lan_interface;  // empty: dial without waiting
    BackoffPolicy backoff;
    int auth_failures = 0;  // give up after this many in a row (0: never)
    // upstream probes (probe.hpp): none by default
    std::vector<probe::Target> probes;
    int64_t probe_interval_ms = 0;
    int64_t probe_timeout_ms = 0;  // never longer than the interval
    unsigned probe_failures = 0;
    std::string file;  // where the section is, for messages
    int line = 0;
};

// The schema of [link NAME] (registered in plugins/common/schema.cpp).
std::vector<config::SectionSpec> link_sections();
// Problems between keys (backoff-floor > backoff-ceiling) and bad names.
std::vector<config::Diagnostic> link_cross_check(const config::Document& doc);
// The links of a validated document, in file order.
std::vector<LinkConfig> read_links(const config::Document& doc);
// The documented defaults of [link NAME]: what read_links() gives a section
// with no key set (pppd's redial backoff for a peer without a section).
LinkConfig link_defaults();

}  // namespace pppkit::supervisor
