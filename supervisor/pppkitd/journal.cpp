#include "pppkitd/journal.hpp"

#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "pppkitd/daemon.hpp"

namespace pppkit::supervisor::jlog {

namespace {
// systemd sets JOURNAL_STREAM when stderr already goes to the journal.
bool echo_stderr() { return std::getenv("JOURNAL_STREAM") == nullptr; }

void echo(const std::string& msg)
{
    if (echo_stderr())
        std::fprintf(stderr, "pppkitd: %s\n", msg.c_str());
}
}  // namespace

void plain(int priority, const std::string& msg)
{
    sd_journal_send("MESSAGE=%s", msg.c_str(), "PRIORITY=%i", priority, "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    echo(msg);
}

void link(int priority, const char* message_id, const Link& l, const std::string& msg)
{
    const std::string full = l.cfg.name + ": " + msg;
    sd_journal_send("MESSAGE=%s", full.c_str(), "MESSAGE_ID=%s", message_id, "PRIORITY=%i", priority, "PEER=%s",
                    l.cfg.name.c_str(), "IFNAME=%s", l.ifname.c_str(), "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    echo(full);
}

void handover(const Link& l, const std::string& msg)
{
    const std::string full = l.cfg.name + ": " + msg;
    sd_journal_send("MESSAGE=%s", full.c_str(), "MESSAGE_ID=%s", kHandover, "PRIORITY=%i", LOG_NOTICE, "PEER=%s",
                    l.cfg.name.c_str(), "IFNAME=%s", l.ifname.c_str(), "OBJECT_PID=%i", static_cast<int>(l.pid),
                    "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    echo(full);
}

void config_problem(const config::Diagnostic& d)
{
    const std::string msg = d.str();
    sd_journal_send("MESSAGE=%s", msg.c_str(), "MESSAGE_ID=%s", kConfig, "PRIORITY=%i", LOG_ERR, "CONFIG_FILE=%s",
                    d.file.c_str(), "CONFIG_LINE=%i", d.line, "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    echo(msg);
}

void link_problem(const Link& l, const std::string& text)
{
    const std::string full = l.cfg.name + ": pppd refuses to bring the link up: " + text;
    if (const auto loc = problem_location(text))
        sd_journal_send("MESSAGE=%s", full.c_str(), "MESSAGE_ID=%s", kConfig, "PRIORITY=%i", LOG_ERR, "PEER=%s",
                        l.cfg.name.c_str(), "IFNAME=%s", l.ifname.c_str(), "CONFIG_FILE=%s", loc->file.c_str(),
                        "CONFIG_LINE=%i", loc->line, "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    else
        sd_journal_send("MESSAGE=%s", full.c_str(), "MESSAGE_ID=%s", kConfig, "PRIORITY=%i", LOG_ERR, "PEER=%s",
                        l.cfg.name.c_str(), "IFNAME=%s", l.ifname.c_str(), "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    echo(full);
}

void event_dropped(const std::string& msg)
{
    sd_journal_send("MESSAGE=%s", msg.c_str(), "MESSAGE_ID=%s", kEventDropped, "PRIORITY=%i", LOG_WARNING,
                    "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    echo(msg);
}

void drift(int priority, const std::string& msg)
{
    sd_journal_send("MESSAGE=%s", msg.c_str(), "MESSAGE_ID=%s", kDriftRepaired, "PRIORITY=%i", priority,
                    "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    echo(msg);
}

void stale_session(int priority, const Link& l, const std::string& ethernet, const std::string& msg)
{
    const std::string full = l.cfg.name + ": " + msg;
    sd_journal_send("MESSAGE=%s", full.c_str(), "MESSAGE_ID=%s", kStaleSession, "PRIORITY=%i", priority, "PEER=%s",
                    l.cfg.name.c_str(), "IFNAME=%s", ethernet.c_str(), "SYSLOG_IDENTIFIER=pppkitd", nullptr);
    echo(full);
}

}  // namespace pppkit::supervisor::jlog

namespace pppkit::supervisor {

std::string iso(std::time_t t)
{
    char b[32] = "";
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return b;
}

}  // namespace pppkit::supervisor
