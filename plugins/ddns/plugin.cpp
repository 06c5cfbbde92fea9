// plugin.cpp - pppkit-ddns.so: the pppd adapter that starts DDNS workers.
//
// pppd options (in /etc/ppp/peers/<peer>, after "plugin pppkit-ddns.so"):
//   pppkit-ddns-worker PATH   the worker binary (default /usr/libexec/pppkit/pppkit-ddns-worker)
//
// Contract with pppd's loop: every callback here only reads a small state file,
// queues the worker's start to a spawner thread (posix_spawn; see Spawner)
// and sets timers. Workers
// are reaped with WNOHANG from a timer; pppd 2.4.9, which waits for any child
// while one of its scripts runs, may reap one first, which is harmless.
// All network I/O, waiting and TLS happen in pppkit-ddns-worker.
//
// Events:
//   configure()  loads pppkit.conf and the [ddns] profiles (errors stop pppd, as in every pppkit plugin)
//   ip-up        for each enabled IPv4 profile matching the link (links, ipparam): decide() on the IPCP
//                address and the state; start a worker now, or set a timer (min-interval, backoff, keep-alive)
//   ipv6-up      for each IPv6 profile: start a worker, which waits (bounded) for a global address
//   ip-down / ipv6-down   cancel that family's workers (close the cancel socket) and timers
//   link-down / exit      cancel everything
// A worker reports its exit status as one byte on the cancel socket, then EOF; a
// 200 ms timer polls in-flight sockets. When a worker ends, the state file says
// when to look again (backoff or keep-alive), while the link stays up.
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "ddns/core/profile.hpp"
#include "ddns/core/state.hpp"
#include "host/host.hpp"
#include "registry.hpp"

namespace {

using namespace pppkit;
using namespace pppkit::ddns;
using host::Level;
using namespace std::chrono_literals;

constexpr const char* kDefaultWorker = "/usr/libexec/pppkit/pppkit-ddns-worker";
constexpr long kMaxTimerS = 86400;  // longer waits are re-decided when the timer fires

int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One profile's updates of one family: at most one worker and one timer each.
struct JobKey {
    std::string profile;
    Family family = Family::V4;
    bool operator<(const JobKey& o) const { return std::tie(profile, family) < std::tie(o.profile, o.family); }
    [[nodiscard]] std::string str() const { return profile + "/" + std::string(family_name(family)); }
};

struct Job {
    int fd = -1;       // our end of the cancel socket
    int status = -1;   // the last byte the worker sent, -1: none yet
    std::string said;  // what the worker sent before it: the reason of a failure (bounded)
    uint64_t generation = 0;
};

// Starts workers off pppd's thread. posix_spawn holds its caller until the
// child has exec'd, which on a loaded host can take milliseconds of waiting
// for a CPU; a callback must return in well under one. So the callback only
// queues the request, and this thread, created with every signal blocked (pppd's
// handlers, some of which siglongjmp, must only ever run on pppd's thread),
// does the posix_spawn. It never logs and never calls into pppd: results go
// back through take(), read by the plugin's poll timer on pppd's thread.
// Created at the first request (after pppd has detached), lives until exit.
class Spawner {
public:
    struct Request {
        std::vector<std::string> args;  // args[0]: the worker
        int fd;                         // the worker's end of the cancel socket; closed here
        JobKey key;
    };
    struct Result {
        JobKey key;
        pid_t pid = -1;
        int error = 0;
    };

    void submit(Request r)
    {
        {
            std::lock_guard<std::mutex> lock(m_);
            queue_.push_back(std::move(r));
            ++pending_;
        }
        if (!started_) {
            env_ = ddns::worker_environment(environ);  // pppd's thread: environ is read before the thread exists
            sigset_t all, old;
            sigfillset(&all);
            pthread_sigmask(SIG_SETMASK, &all, &old);
            std::thread([this] { run(); }).detach();
            pthread_sigmask(SIG_SETMASK, &old, nullptr);
            started_ = true;
        }
        cv_.notify_one();
    }
    std::vector<Result> take()
    {
        std::lock_guard<std::mutex> lock(m_);
        std::vector<Result> out;
        out.swap(done_);
        return out;
    }
    bool busy()
    {
        std::lock_guard<std::mutex> lock(m_);
        return pending_ > 0 || !done_.empty();
    }

private:
    void run()
    {
        for (;;) {
            Request r;
            {
                std::unique_lock<std::mutex> lock(m_);
                cv_.wait(lock, [this] { return !queue_.empty(); });
                r = std::move(queue_.front());
                queue_.pop_front();
            }
            Result res{r.key, -1, 0};
            res.error = start(r, res.pid);
            ::close(r.fd);
            std::lock_guard<std::mutex> lock(m_);
            done_.push_back(std::move(res));
            --pending_;
        }
    }

    // The worker gets its own session, default signals, /dev/null on 0-2,
    // the cancel socket on 3 and no other descriptor of pppd's; PATH only.
    int start(Request& r, pid_t& pid)
    {
        if (r.fd == 3) {  // dup2(3, 3) would keep close-on-exec
            int moved = ::fcntl(r.fd, F_DUPFD_CLOEXEC, 10);
            ::close(r.fd);
            r.fd = moved;
            if (r.fd < 0)
                return EMFILE;
        }
        std::vector<char*> argv;
        for (auto& a : r.args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        std::vector<char*> envp;
        for (auto& e : env_)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
        posix_spawn_file_actions_adddup2(&fa, 0, 1);
        posix_spawn_file_actions_adddup2(&fa, 0, 2);
        posix_spawn_file_actions_adddup2(&fa, r.fd, 3);
        posix_spawn_file_actions_addclosefrom_np(&fa, 4);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        int rc = ::posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return rc;
    }

    std::mutex m_;
    std::condition_variable cv_;
    std::deque<Request> queue_;
    std::vector<Result> done_;
    int pending_ = 0;
    bool started_ = false;          // only touched on pppd's thread
    std::vector<std::string> env_;  // the workers' environment: written before the thread starts, then only read by it
};

// One per process, never destroyed: the thread may outlive the plugin object
// while pppd exits.
Spawner& spawner()
{
    static auto* s = new Spawner();
    return *s;
}

class DdnsPlugin final : public host::Plugin {
public:
    const char* name() const noexcept override { return "pppkit-ddns"; }

    void register_options() override
    {
        host::add_option("pppkit-ddns-worker", "path of pppkit-ddns-worker", true,
                         [this](std::string_view v) -> std::optional<std::string> {
                             if (v.empty() || v.front() != '/')
                                 return "pppkit-ddns-worker needs an absolute path (got '" + std::string(v) + "')";
                             worker_ = std::string(v);
                             return std::nullopt;
                         });
    }

    std::vector<std::string> configure() override
    {
        config_ = host::config_path();
        auto cfg = load_plugin_config(config_, host::config_path_explicit(), &ddns::kSchema);
        std::vector<std::string> problems;
        for (const auto& d : cfg.diags)
            problems.push_back(d.str());
        auto profiles = load_profiles(cfg.doc);  // cross-key problems are already in cfg.diags
        if (!problems.empty())
            return problems;
        profiles_ = std::move(profiles.list);
        state_dir_ = state_dir(cfg.doc);
        if (::access(worker_.c_str(), X_OK) != 0)
            host::log(Level::Error, "worker " + worker_ + " is not executable; DDNS updates will fail");
        size_t enabled = 0;
        for (const auto& p : profiles_)
            enabled += p.enabled ? 1 : 0;
        host::log(Level::Info, std::to_string(enabled) + " DDNS profile" + (enabled == 1 ? "" : "s") + " enabled");
        return {};
    }

    void on_ip_up(const host::Link& l) override
    {
        link_ = l;
        up4_ = true;
        ++generation_;
        for (const auto& p : profiles_)
            if (p.enabled && p.wants(Family::V4) && matches_link(p, l.ifname, l.ipparam))
                consider(p, Family::V4);
    }

    void on_ipv6_up(const host::Link& l) override
    {
        link_ = l;
        up6_ = true;
        ++generation_;
        for (const auto& p : profiles_)
            if (p.enabled && p.wants(Family::V6) && matches_link(p, l.ifname, l.ipparam))
                consider(p, Family::V6);
    }

    void on_ip_down(const host::Link&) override
    {
        up4_ = false;
        stop_family(Family::V4, "IPv4 went down");
    }
    void on_ipv6_down(const host::Link&) override
    {
        up6_ = false;
        stop_family(Family::V6, "IPv6 went down");
    }
    void on_link_down(const host::Link&) override { stop_all("link down"); }
    void on_exit(const host::Link&, int) override { stop_all("pppd exits"); }

private:
    static JobKey key(const Profile& p, Family f) { return JobKey{p.name, f}; }
    bool link_up(Family f) const { return f == Family::V6 ? up6_ : up4_; }

    // ip-up, or a timer: send now, or come back later.
    void consider(const Profile& p, Family f)
    {
        JobKey k = key(p, f);
        cancel_timer(k);
        if (jobs_.count(k) != 0)
            return;  // one in flight for this profile and family already
        if (f == Family::V6) {
            // The address is not known yet (IPV6CP gives only link-local IDs):
            // the worker waits for it and decides.
            spawn(p, f, "");
            return;
        }
        std::string address = link_.local4_str();
        State st = read_state(state_path(state_dir_, p.name));
        if (st.suspended) {
            spawn(p, f, address);  // the worker checks whether config or secrets changed, and says so loudly
            return;
        }
        Decision d = decide(p, st, f, address, st.fingerprint, unix_now(), false);
        if (d.action == Action::Send) {
            spawn(p, f, address);
        } else if (d.at > 0) {
            host::log(Level::Info, "profile " + p.name + " ipv4 " + address + ": " +
                                       std::string(reason_name(d.reason)) + ", next look in " +
                                       std::to_string(std::max<int64_t>(0, d.at - unix_now())) + "s");
            schedule(p, f, d.at - unix_now());
        } else {
            host::log(Level::Info,
                      "profile " + p.name + " ipv4 " + address + ": " + std::string(reason_name(d.reason)));
        }
    }

    void schedule(const Profile& p, Family f, int64_t in_s)
    {
        if (!link_up(f))
            return;
        JobKey k = key(p, f);
        cancel_timer(k);
        long s = static_cast<long>(std::clamp<int64_t>(in_s, 0, kMaxTimerS));
        std::string name = p.name;
        timers_[k] = host::after(std::chrono::seconds(s), [this, name, f, k] {
            timers_.erase(k);
            for (const auto& q : profiles_)
                if (q.name == name && link_up(f))
                    consider(q, f);
        });
    }

    void cancel_timer(const JobKey& k)
    {
        if (auto it = timers_.find(k); it != timers_.end()) {
            host::cancel(it->second);
            timers_.erase(it);
        }
    }

    void spawn(const Profile& p, Family f, const std::string& address)
    {
        std::vector<std::string> args = {worker_,
                                         "--config",
                                         config_,
                                         "--profile",
                                         p.name,
                                         "--family",
                                         f == Family::V6 ? "6" : "4",
                                         "--ifname",
                                         link_.ifname,
                                         "--generation",
                                         std::to_string(generation_),
                                         "--cancel-fd",
                                         "3"};
        if (!address.empty()) {
            args.emplace_back("--address");
            args.push_back(address);
        }
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            host::log(Level::Error, "profile " + p.name + ": socketpair failed, no update");
            return;
        }
        ::fcntl(sv[0], F_SETFL, O_NONBLOCK);
        // The spawner thread owns sv[1] from here; we keep sv[0]. Closing
        // sv[0] (ip-down) cancels the worker even before it has started.
        spawner().submit(Spawner::Request{std::move(args), sv[1], key(p, f)});
        jobs_[key(p, f)] = Job{sv[0], -1, {}, generation_};
        host::log(Level::Info, "profile " + p.name + " " + std::string(family_name(f)) +
                                   (address.empty() ? "" : " " + address) + ": worker queued for " + link_.ifname +
                                   " (generation " + std::to_string(generation_) + ")");
        if (!poll_timer_)
            poll_timer_ = host::after(200ms, [this] { poll_jobs(); });
    }

    void reap()
    {
        for (auto it = children_.begin(); it != children_.end();) {
            int st = 0;
            pid_t r = ::waitpid(*it, &st, WNOHANG);
            if (r == *it || (r < 0 && errno == ECHILD))
                it = children_.erase(it);
            else
                ++it;
        }
    }

    // Results of the spawner thread: log them, and remember the pids to reap.
    void collect_spawned()
    {
        for (const auto& r : spawner().take()) {
            if (r.error != 0) {
                host::log(Level::Error,
                          r.key.str() + ": cannot start " + worker_ + ": " + std::strerror(r.error) + "; no update");
            } else {
                children_.push_back(r.pid);
                host::log(Level::Info,
                          r.key.str() + ": worker started on " + link_.ifname + " (pid " + std::to_string(r.pid) + ")");
            }
        }
    }

    void poll_jobs()
    {
        poll_timer_.reset();
        collect_spawned();
        reap();
        for (auto it = jobs_.begin(); it != jobs_.end();) {
            char buf[8];
            ssize_t n;
            bool done = false;
            while ((n = ::recv(it->second.fd, buf, sizeof buf, 0)) > 0) {
                Job& j = it->second;
                if (j.status >= 0 && j.said.size() < 512)
                    j.said += static_cast<char>(j.status);
                if (j.said.size() + static_cast<size_t>(n - 1) <= 512)
                    j.said.append(buf, static_cast<size_t>(n - 1));
                j.status = static_cast<unsigned char>(buf[n - 1]);
            }
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                done = true;
            if (!done) {
                ++it;
                continue;
            }
            ::close(it->second.fd);
            JobKey k = it->first;
            int status = it->second.status;
            std::string said = std::move(it->second.said);
            it = jobs_.erase(it);
            finished(k, status, said);
        }
        if (!jobs_.empty() || !children_.empty() || spawner().busy())
            poll_timer_ = host::after(200ms, [this] { poll_jobs(); });
    }

    // A worker ended: the state file says when to look again.
    // said: the worker's one-line reason of a failure (already redacted by it).
    void finished(const JobKey& k, int status, const std::string& said)
    {
        const std::string& name = k.profile;
        const Family f = k.family;
        const Profile* p = nullptr;
        for (const auto& q : profiles_)
            if (q.name == name)
                p = &q;
        if (!p)
            return;
        State st = read_state(state_path(state_dir_, name));
        int64_t at = next_wakeup(*p, st, f);
        int64_t now = unix_now();
        // Transient, but nothing recorded for this family (no IPv6 address
        // yet, the profile's lock held by another worker to the end): retry
        // on our own schedule, whatever the keep-alive says.
        if (status == 1 && (at <= now || phase_of(st, f) == Phase::Idle)) {
            int n = ++unrecorded_[k];
            at = now + retry_delay(n, Transient::Other, 0, 0.5);
        } else {
            unrecorded_.erase(k);
        }
        std::string what = status < 0 ? "ended without a status" : "exit " + std::to_string(status);
        std::string why;
        for (char ch : said)  // one line of printable text into pppd's log
            if (ch >= ' ' && ch != 127)
                why += ch;
        if (!why.empty())
            what += " (" + why + ")";
        Level lvl = status >= 2 ? Level::Error : Level::Info;  // 2 suspended, 3 configuration
        if (at > 0 && link_up(f)) {
            host::log(lvl, "profile " + name + " " + std::string(family_name(f)) + ": worker " + what +
                               "; next look in " + std::to_string(std::max<int64_t>(0, at - now)) + "s");
            schedule(*p, f, at - now);
        } else {
            host::log(lvl, "profile " + name + " " + std::string(family_name(f)) + ": worker " + what);
        }
    }

    void stop_family(Family f, const char* why)
    {
        ++generation_;
        for (auto it = jobs_.begin(); it != jobs_.end();) {
            if (it->first.family == f) {
                ::close(it->second.fd);  // the worker sees EOF and exits without sending or writing
                host::log(Level::Notice, "cancelled the in-flight update of " + it->first.str() + " (" + why + ")");
                it = jobs_.erase(it);
            } else {
                ++it;
            }
        }
        for (auto it = timers_.begin(); it != timers_.end();) {
            if (it->first.family == f) {
                host::cancel(it->second);
                it = timers_.erase(it);
            } else {
                ++it;
            }
        }
    }

    void stop_all(const char* why)
    {
        up4_ = up6_ = false;
        stop_family(Family::V4, why);
        stop_family(Family::V6, why);
        collect_spawned();
        reap();
        if (!poll_timer_ && (!children_.empty() || spawner().busy()))  // cancelled workers exit at once: reap them
            poll_timer_ = host::after(200ms, [this] { poll_jobs(); });
    }

    std::string worker_ = kDefaultWorker;
    std::string config_;
    std::string state_dir_;
    std::vector<Profile> profiles_;
    host::Link link_;
    bool up4_ = false, up6_ = false;
    uint64_t generation_ = 0;
    std::map<JobKey, Job> jobs_;
    std::map<JobKey, host::TimerId> timers_;
    std::map<JobKey, int> unrecorded_;
    std::vector<pid_t> children_;  // started workers not yet reaped
    std::optional<host::TimerId> poll_timer_;
};

}  // namespace

pppkit::host::Plugin* pppkit_make_plugin() { return new DdnsPlugin(); }
