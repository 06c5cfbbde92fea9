// log.hpp - the worker's log: syslog (LOG_DAEMON, "pppkit-ddns-worker"), and
// stderr with --verbose. Every line goes through redact() (core/url.hpp, the
// one redaction) with every secret the worker holds and through server_text(): no secret and no byte a
// terminal or syslog acts on. The worker's io/ pieces and main log only here.
#pragma once

#include <string>
#include <vector>

#include "ddns/core/url.hpp"

namespace pppkit::ddns::io {

struct LogState {
    bool verbose = false;    // --verbose: lines and the protocol trace on stderr too
    Hidden hidden;           // every secret value in memory and its Basic user names, for redact()
    std::string last_error;  // the last LOG_ERR line (redacted): the plugin logs it with the status
};
// The process's one log state (main fills it before any I/O).
LogState& log_state();

void log_line(int prio, const std::string& raw);
// The protocol dialogue, only with --verbose.
void trace(const std::string& raw);

}  // namespace pppkit::ddns::io
