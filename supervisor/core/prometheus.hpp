// prometheus.hpp - `pppkit status --prometheus`: pppkitd's status answer
// (the JSON of `pppkit status --json`, schema in supervisor/README.md) in the
// Prometheus text exposition format 0.0.4, for node_exporter's textfile
// collector. Pure: no I/O, no clock.
//
// Contract: the metric names, their labels and their meaning are stable
// (documented in supervisor/README.md and pppkit(8)); a metric is added,
// never renamed. A field the answer lacks or holds as null gives no sample.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace pppkit::supervisor {

// The whole exposition for one status answer: every metric family with its
// # HELP and # TYPE lines, samples grouped by family, ending in a newline.
// pppkit_daemon_up is 1.
std::string to_prometheus(const nlohmann::json& status);

// What to expose when pppkitd did not answer: pppkit_daemon_up 0 alone.
std::string prometheus_daemon_down();

// "2026-11-30T05:41:17Z" -> seconds since the epoch; -1 when S is not that form.
long long parse_iso_utc(const std::string& s);

// A label value escaped as the format requires (\\, \", \n).
std::string prometheus_label(const std::string& v);

}  // namespace pppkit::supervisor
