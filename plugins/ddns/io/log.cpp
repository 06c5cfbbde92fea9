#include "ddns/io/log.hpp"

#include <syslog.h>

#include <cstdio>

#include "ddns/core/outcome.hpp"
#include "ddns/core/url.hpp"

namespace pppkit::ddns::io {

LogState& log_state()
{
    static LogState s;
    return s;
}

void log_line(int prio, const std::string& raw)
{
    std::string msg = server_text(redact(raw, log_state().hidden), 2048);  // no byte a terminal or syslog acts on
    if (prio <= LOG_ERR)
        log_state().last_error = msg;
    syslog(prio, "%s", msg.c_str());
    if (log_state().verbose)
        std::fprintf(stderr, "pppkit-ddns-worker: %s\n", msg.c_str());
}
void trace(const std::string& raw)
{
    if (log_state().verbose)
        std::fprintf(stderr, "  %s\n", server_text(redact(raw, log_state().hidden), 2048).c_str());
}
}  // namespace pppkit::ddns::io
