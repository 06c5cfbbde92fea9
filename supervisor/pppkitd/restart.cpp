// restart.cpp - SIGTERM during "systemctl restart pppkitd" (issue 8): the
// pppd pppkitd started stay up for the next pppkitd, which adopts them
// (adopt.cpp) and, told so by the handover file in the runtime directory
// (RuntimeDirectoryPreserve=yes keeps it), still ends them at a stop.
// Runs on the loop's thread. The bus query BLOCKS: at most kCallTimeout for
// each of its four calls, once, when SIGTERM came and before any pppd is
// signalled; outside systemd (no /run/systemd/system) it asks nothing.
#include <fcntl.h>
#include <sys/syscall.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "core/restart.hpp"
#include "pppkitd/daemon.hpp"
#include "pppkitd/journal.hpp"
#include "pppkitd/online.hpp"

namespace pppkit::supervisor {
namespace {

constexpr uint64_t kCallTimeout = 1500000;  // usec, each bus call
constexpr const char* kSystemd = "org.freedesktop.systemd1";
constexpr size_t kHandoverMax = size_t{64} * 1024;  // a "PID NAME" line per link

// Creates or truncates path (mode 0666 less the umask) and writes data.
// Returns 0 or the errno of the open(), write() or close() that failed.
int write_file(const std::string& path, const std::string& data)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return errno;
    for (size_t done = 0; done < data.size();) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return err;
        }
        done += static_cast<size_t>(n);
    }
    return ::close(fd) == 0 ? 0 : errno;
}

struct Query {
    StopOutcome outcome = StopOutcome::StopLinks;
    std::string unit;  // pppkitd's own unit, once known
    std::string why;   // of StopLinks
};

std::string bus_problem(const char* what, int r, const sd_bus_error& e)
{
    return std::string(what) + ": " + (e.message != nullptr ? e.message : std::strerror(-r));
}

// The bus connection and what the calls return, freed on every path.
struct Bus {
    sd_bus* bus = nullptr;
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    char* str = nullptr;
    Bus() = default;
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;
    ~Bus()
    {
        std::free(str);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&err);
        sd_bus_flush_close_unref(bus);
    }
    // A string property of OBJECT; r < 0 on failure.
    int string_property(const std::string& object, const char* iface, const char* name, std::string& out)
    {
        std::free(str);
        str = nullptr;
        const int r = sd_bus_get_property_string(bus, kSystemd, object.c_str(), iface, name, &err, &str);
        if (r >= 0)
            out = str;
        return r;
    }
};

// Which job systemd runs on the unit of this process.
Query ask_systemd()
{
    Query q;
    if (::access("/run/systemd/system", F_OK) != 0) {  // as sd_booted()
        q.why = "not running under systemd";
        return q;
    }
    Bus b;
    if (int r = open_manager_bus(&b.bus); r < 0) {
        q.why = std::string("no bus to systemd: ") + std::strerror(-r);
        return q;
    }
    sd_bus_set_method_call_timeout(b.bus, kCallTimeout);
    const char* path = nullptr;
    int r = sd_bus_call_method(b.bus, kSystemd, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                               "GetUnitByPID", &b.err, &b.reply, "u", static_cast<uint32_t>(::getpid()));
    if (r < 0 || (r = sd_bus_message_read(b.reply, "o", &path)) < 0) {
        q.why = bus_problem("GetUnitByPID", r, b.err);
        return q;
    }
    const std::string unit_path = path;
    if (r = b.string_property(unit_path, "org.freedesktop.systemd1.Unit", "Id", q.unit); r < 0) {
        q.why = bus_problem("the unit's Id", r, b.err);
        return q;
    }
    b.reply = sd_bus_message_unref(b.reply);
    uint32_t job = 0;
    const char* job_path = nullptr;
    r = sd_bus_get_property(b.bus, kSystemd, unit_path.c_str(), "org.freedesktop.systemd1.Unit", "Job", &b.err,
                            &b.reply, "(uo)");
    if (r < 0 || (r = sd_bus_message_read(b.reply, "(uo)", &job, &job_path)) < 0) {
        q.why = bus_problem(("the Job of " + q.unit).c_str(), r, b.err);
        return q;
    }
    if (job == 0) {
        q.why = "no job on " + q.unit + ": the signal came from elsewhere than systemctl stop or restart";
        return q;
    }
    std::string type;
    if (r = b.string_property(job_path, "org.freedesktop.systemd1.Job", "JobType", type); r < 0) {
        q.why = bus_problem(("the JobType of job " + std::to_string(job)).c_str(), r, b.err);
        return q;
    }
    q.outcome = stop_outcome(type);
    q.why = "job " + std::to_string(job) + " on " + q.unit + " is a " + type;
    return q;
}

}  // namespace

bool Daemon::hand_over()
{
    std::vector<Handover> ours;
    for (const auto& l : links_)
        if (l->pid > 0 && (l->own_child || l->handed_over))
            ours.push_back({l->pid, l->cfg.name});
    if (ours.empty())
        return false;  // nothing to stop or to keep
    const Query q = ask_systemd();
    if (q.outcome == StopOutcome::StopLinks) {
        jlog::plain(LOG_INFO, "SIGTERM, not a restart (" + q.why + "): stopping the pppd pppkitd started");
        return false;
    }
    const std::string file = opt_.runtime_dir + "/handover";
    const std::string tmp = file + ".new";
    if (const int err = write_file(tmp, format_handover(ours)); err != 0 || ::rename(tmp.c_str(), file.c_str()) != 0) {
        const int e = err != 0 ? err : errno;
        ::unlink(tmp.c_str());
        jlog::plain(LOG_ERR, "restart of " + q.unit + ", but " + file + " cannot be written (" + std::strerror(e) +
                                 "): stopping the pppd pppkitd started");
        return false;
    }
    sd_notify(0, "STOPPING=1");
    stopping_ = true;
    jlog::plain(LOG_NOTICE, "SIGTERM, " + q.why + ": the pppd pppkitd started stay up, " + file + " names them");
    for (const auto& l : links_)
        if (l->pid > 0 && (l->own_child || l->handed_over))
            jlog::handover(*l, "restart of " + q.unit + ": leaving pppd " + std::to_string(l->pid) + " (link " +
                                   l->cfg.name + ", " + std::string(state_name(l->machine.state)) +
                                   ") running for the next pppkitd (SIGTERM, " + q.why + ")");
    sd_event_exit(ev_, 0);
    return true;
}

void Daemon::take_over()
{
    const std::string file = opt_.runtime_dir + "/handover";
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno != ENOENT)
            jlog::plain(LOG_WARNING, file + " cannot be opened (" + std::strerror(errno) + "): nothing taken over");
        return;
    }
    std::string text;
    const int err = text::read_all(fd, text, kHandoverMax);
    ::close(fd);
    ::unlink(file.c_str());
    if (err != 0) {
        jlog::plain(LOG_WARNING, file + " cannot be read (" + std::strerror(err) + "): nothing taken over");
        return;
    }
    for (const auto& h : parse_handover(text)) {
        Link* l = nullptr;
        for (auto& x : links_)
            if (x->cfg.name == h.link)
                l = x.get();
        // the pidfd first, then the check: a signal through it reaches the
        // process checked, never one that reused the pid meanwhile
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, h.pid, 0));
        const std::string peer = pidfd < 0 ? std::string() : running_peer(h.pid);
        const std::string who = "pppd " + std::to_string(h.pid) + " (link " + h.link + ")";
        switch (handover_fate(h, l != nullptr, peer)) {
        case HandoverFate::Adopt:
            if (l->pid == h.pid && !l->own_child) {
                l->handed_over = true;
                jlog::link(LOG_NOTICE, jlog::kHandover, *l,
                           "pppd " + std::to_string(h.pid) +
                               " was started by the pppkitd before the restart: it ends when pppkitd stops");
            }
            break;
        case HandoverFate::StopUnconfigured:
            if (::syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, nullptr, 0) == 0)
                jlog::plain(LOG_NOTICE, who + " was started by the pppkitd before the restart, and its link is no " +
                                            "longer configured: stopping it (SIGTERM)");
            else
                jlog::plain(LOG_WARNING, who + ": its link is no longer configured, but it cannot be stopped (" +
                                             std::strerror(errno) + ")");
            break;
        case HandoverFate::NotOurs:
            jlog::plain(LOG_INFO, file + " names " + who + ", which no longer runs: nothing to take over");
            break;
        }
        if (pidfd >= 0)
            ::close(pidfd);
    }
}

}  // namespace pppkit::supervisor
