#include "pppkitd/journal.hpp"

#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-login.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <initializer_list>
#include <string_view>
#include <vector>

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

// "OBJECT_SYSTEMD_UNIT=pppkitd.service" when pppkitd runs as a service, read
// once from our own cgroup while we are alive. journald files a line under a
// unit by reading the sender's cgroup when it processes the line; the last
// lines before an exit (an invalid configuration, "stopping") reach it after
// the process is gone and would carry no _SYSTEMD_UNIT=. journalctl -u also
// matches OBJECT_SYSTEMD_UNIT= on lines from root (_UID=0, a field journald
// takes from the socket's credentials), so they are found all the same.
const std::string& unit_field()
{
    static const std::string field = [] {
        char* unit = nullptr;
        std::string f;
        if (sd_pid_get_unit(0, &unit) >= 0 && std::string_view(unit).ends_with(".service"))
            f = std::string("OBJECT_SYSTEMD_UNIT=") + unit;
        std::free(unit);
        return f;
    }();
    return field;
}

// One journal entry: MESSAGE=, PRIORITY=, the given fields, then
// SYSLOG_IDENTIFIER= and, unless a field names the object already
// (OBJECT_PID=), our unit.
void send(int priority, const std::string& msg, std::initializer_list<std::string> fields)
{
    std::vector<std::string> all{"MESSAGE=" + msg, "PRIORITY=" + std::to_string(priority)};
    all.insert(all.end(), fields.begin(), fields.end());
    all.emplace_back("SYSLOG_IDENTIFIER=pppkitd");
    const bool has_object =
        std::any_of(fields.begin(), fields.end(), [](const std::string& f) { return f.starts_with("OBJECT_"); });
    if (!has_object && !unit_field().empty())
        all.push_back(unit_field());
    std::vector<iovec> iov;
    iov.reserve(all.size());
    for (auto& f : all)
        iov.push_back({f.data(), f.size()});
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
    echo(msg);
}

std::string field(const char* key, const std::string& value) { return std::string(key) + "=" + value; }
}  // namespace

void plain(int priority, const std::string& msg) { send(priority, msg, {}); }

void link(int priority, const char* message_id, const Link& l, const std::string& msg)
{
    send(priority, l.cfg.name + ": " + msg,
         {field("MESSAGE_ID", message_id), field("PEER", l.cfg.name), field("IFNAME", l.ifname)});
}

void handover(const Link& l, const std::string& msg)
{
    send(LOG_NOTICE, l.cfg.name + ": " + msg,
         {field("MESSAGE_ID", kHandover), field("PEER", l.cfg.name), field("IFNAME", l.ifname),
          field("OBJECT_PID", std::to_string(l.pid))});
}

void config_problem(const config::Diagnostic& d)
{
    send(LOG_ERR, d.str(),
         {field("MESSAGE_ID", kConfig), field("CONFIG_FILE", d.file), field("CONFIG_LINE", std::to_string(d.line))});
}

void link_problem(const Link& l, const std::string& text)
{
    const std::string full = l.cfg.name + ": pppd refuses to bring the link up: " + text;
    if (const auto loc = problem_location(text))
        send(LOG_ERR, full,
             {field("MESSAGE_ID", kConfig), field("PEER", l.cfg.name), field("IFNAME", l.ifname),
              field("CONFIG_FILE", loc->file), field("CONFIG_LINE", std::to_string(loc->line))});
    else
        send(LOG_ERR, full, {field("MESSAGE_ID", kConfig), field("PEER", l.cfg.name), field("IFNAME", l.ifname)});
}

void event_dropped(const std::string& msg) { send(LOG_WARNING, msg, {field("MESSAGE_ID", kEventDropped)}); }

void drift(int priority, const std::string& msg) { send(priority, msg, {field("MESSAGE_ID", kDriftRepaired)}); }

void stale_session(int priority, const Link& l, const std::string& ethernet, const std::string& msg)
{
    send(priority, l.cfg.name + ": " + msg,
         {field("MESSAGE_ID", kStaleSession), field("PEER", l.cfg.name), field("IFNAME", ethernet)});
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
