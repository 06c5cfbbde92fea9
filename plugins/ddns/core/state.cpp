// state.cpp - the state file and the send/backoff/keep-alive policy.
#include "ddns/core/state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "common/config.hpp"

namespace pppkit::ddns {
namespace {

constexpr std::string_view kMagic = "# pppkit-ddns state 1";

bool clean(std::string_view v)
{
    return std::none_of(v.begin(), v.end(), [](char c) { return c == '\n' || c == '\r' || c == '\0'; });
}

void put_family(std::string& out, std::string_view fam, const FamilyState& f)
{
    auto kv = [&](std::string_view k, const std::string& v) {
        out += std::string(fam) + "." + std::string(k) + "=" + v + "\n";
    };
    kv("address", f.address);
    kv("last-success", std::to_string(f.last_success));
    kv("last-attempt", std::to_string(f.last_attempt));
    kv("outcome", f.outcome ? std::string(outcome_name(*f.outcome)) : "");
    kv("failures", std::to_string(f.failures));
    kv("next-attempt", std::to_string(f.next_attempt));
    kv("detail", clean(f.detail) ? f.detail : "");
}

bool set_int(int64_t& out, std::string_view v)
{
    auto n = config::parse_int(v);
    if (!n || *n < 0)
        return false;
    out = *n;
    return true;
}

bool set_family(FamilyState& f, std::string_view k, std::string_view v)
{
    if (k == "address") {
        if (v.size() > 64)
            return false;
        f.address = std::string(v);
        return true;
    }
    if (k == "last-success")
        return set_int(f.last_success, v);
    if (k == "last-attempt")
        return set_int(f.last_attempt, v);
    if (k == "next-attempt")
        return set_int(f.next_attempt, v);
    if (k == "failures") {
        int64_t n = 0;
        if (!set_int(n, v) || n > 100000)
            return false;
        f.failures = static_cast<int>(n);
        return true;
    }
    if (k == "outcome") {
        if (v.empty()) {
            f.outcome.reset();
            return true;
        }
        f.outcome = parse_outcome(v);
        return f.outcome.has_value();
    }
    if (k == "detail") {
        f.detail = std::string(v.substr(0, 200));
        return true;
    }
    return false;
}

}  // namespace

std::string serialize_state(const State& s)
{
    std::string out(kMagic);
    out += "\n";
    out += "fingerprint=" + s.fingerprint + "\n";
    out += std::string("suspended=") + (s.suspended ? "yes" : "no") + "\n";
    out += "suspended-why=" + (clean(s.suspended_why) ? s.suspended_why : std::string()) + "\n";
    put_family(out, "ipv4", s.v4);
    put_family(out, "ipv6", s.v6);
    out += "end\n";
    return out;
}

State parse_state(std::string_view text, bool* corrupt)
{
    auto bad = [&] {
        if (corrupt)
            *corrupt = true;
        return State{};
    };
    if (corrupt)
        *corrupt = false;
    State s;
    size_t pos = 0;
    bool first = true, ended = false;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            return bad();  // truncated: every line ends with '\n'
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (first) {
            if (line != kMagic)
                return bad();
            first = false;
            continue;
        }
        if (ended)
            return bad();
        if (line == "end") {
            ended = true;
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string_view::npos)
            return bad();
        std::string_view k = line.substr(0, eq), v = line.substr(eq + 1);
        if (k == "fingerprint") {
            if (v.size() > 64)
                return bad();
            s.fingerprint = std::string(v);
        } else if (k == "suspended") {
            auto b = config::parse_bool(v);
            if (!b)
                return bad();
            s.suspended = *b;
        } else if (k == "suspended-why") {
            s.suspended_why = std::string(v.substr(0, 200));
        } else if (k.substr(0, 5) == "ipv4.") {
            if (!set_family(s.v4, k.substr(5), v))
                return bad();
        } else if (k.substr(0, 5) == "ipv6.") {
            if (!set_family(s.v6, k.substr(5), v))
                return bad();
        }
        // unknown keys from a newer version are ignored
    }
    if (first)
        return State{};  // empty file: nothing known, not corrupt
    if (!ended)
        return bad();
    return s;
}

std::string state_path(const std::string& state_dir, std::string_view profile)
{
    return state_dir + "/ddns/" + std::string(profile) + ".state";
}

State read_state(const std::string& path, bool* corrupt)
{
    if (corrupt)
        *corrupt = false;
    // O_NONBLOCK, regular files only: the directory belongs to the worker's
    // unprivileged user, and the plugin reads this in pppd's loop (a FIFO
    // planted there must not block it)
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st {};
    if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        ::close(fd);
        fd = -1;
        errno = EINVAL;
    }
    if (fd < 0) {
        if (errno != ENOENT && corrupt)
            *corrupt = true;
        return State{};
    }
    std::string text;
    char buf[2048];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > 65536)
            break;
    }
    ::close(fd);
    return parse_state(text, corrupt);
}

std::optional<std::string> write_state(const std::string& path, const State& s)
{
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    // the ddns directory, and its parent (state-dir) if missing
    auto parent = dir.rfind('/');
    if (parent != std::string::npos && parent > 0)
        ::mkdir(dir.substr(0, parent).c_str(), 0755);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return "cannot create " + dir + ": " + std::strerror(errno);
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return "cannot write " + tmp + ": " + std::strerror(errno);
    std::string text = serialize_state(s);
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            std::string err = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return "cannot write " + tmp + ": " + err;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return "cannot write " + tmp + ": " + std::strerror(errno);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string err = std::strerror(errno);
        ::unlink(tmp.c_str());
        return "cannot rename " + tmp + ": " + err;
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return std::nullopt;
}

long retry_delay(int failures, Transient why, long floor_s, double u)
{
    if (failures < 1)
        failures = 1;
    long d;
    if (why == Transient::Dns && failures <= 3) {
        d = 2L << (failures - 1);  // 2, 4, 8
    } else {
        int n = why == Transient::Dns ? failures - 3 : failures;  // the long schedule restarts after quick ones
        long base = 30;
        for (int i = 1; i < n && base < 3600; ++i)
            base *= 2;
        base = std::min(base, 3600L);
        u = std::clamp(u, 0.0, 0.999999);
        d = base - static_cast<long>(std::floor(static_cast<double>(base) * 0.2 * u));
    }
    return std::max(d, floor_s);
}

std::string_view reason_name(Reason r)
{
    switch (r) {
    case Reason::NewAddress: return "new address";
    case Reason::KeepAlive: return "keep-alive due";
    case Reason::Retry: return "retry after failure";
    case Reason::Forced: return "forced";
    case Reason::Unknown: return "no previous update";
    case Reason::Backoff: return "backing off";
    case Reason::MinInterval: return "min-interval";
    case Reason::UpToDate: return "up to date";
    case Reason::Fatal: return "suspended after a fatal answer";
    }
    return "?";
}

Decision decide(const Profile& p, const State& s, Family f, std::string_view address, std::string_view fp, int64_t now,
                bool force)
{
    if (force)
        return {Action::Send, Reason::Forced, now};
    if (s.suspended && s.fingerprint == fp)
        return {Action::Suspended, Reason::Fatal, 0};
    const FamilyState& fs = s.of(f);
    bool lifted = s.suspended;  // config or secrets changed since the fatal answer
    if (lifted || !fs.outcome)
        return {Action::Send, lifted ? Reason::Retry : Reason::Unknown, now};
    bool changed = !address.empty() && address != fs.address;
    if (changed) {
        int64_t at = fs.last_success > 0 ? fs.last_success + p.min_interval_s : now;
        if (at > now)
            return {Action::Wait, Reason::MinInterval, at};
        return {Action::Send, Reason::NewAddress, now};
    }
    if (!is_success(*fs.outcome)) {
        if (fs.next_attempt > now)
            return {Action::Wait, Reason::Backoff, fs.next_attempt};
        return {Action::Send, Reason::Retry, now};
    }
    if (p.keepalive_s <= 0)
        return {Action::Skip, Reason::UpToDate, 0};
    int64_t due = fs.last_success + p.keepalive_s;
    if (due <= now) {
        int64_t floor_at = fs.last_success + p.min_interval_s;
        if (floor_at > now)
            return {Action::Wait, Reason::MinInterval, floor_at};
        return {Action::Send, Reason::KeepAlive, now};
    }
    return {Action::Skip, Reason::UpToDate, due};
}

void record(State& s, const Profile& p, Family f, std::string_view address, const Answer& a, std::string_view fp,
            int64_t now, double u)
{
    FamilyState& fs = s.of(f);
    fs.last_attempt = now;
    fs.outcome = a.outcome;
    fs.detail = a.detail.substr(0, 200);
    if (is_success(a.outcome)) {
        fs.last_success = now;
        fs.failures = 0;
        fs.next_attempt = 0;
        if (!address.empty())
            fs.address = std::string(address);
        else if (a.echoed)
            fs.address = *a.echoed;
        if (s.suspended) {
            s.suspended = false;
            s.suspended_why.clear();
        }
    } else if (is_fatal(a.outcome)) {
        s.suspended = true;
        s.fingerprint = std::string(fp);
        s.suspended_why = std::string(family_name(f)) + ": " + std::string(outcome_name(a.outcome)) +
                          (a.detail.empty() ? "" : " (" + a.detail.substr(0, 120) + ")");
        fs.next_attempt = 0;
    } else {
        fs.failures += 1;
        long floor_s = a.floor_s;
        fs.next_attempt = now + retry_delay(fs.failures, a.transient, floor_s, u);
        (void)p;
    }
}

int64_t next_wakeup(const Profile& p, const State& s, Family f)
{
    if (s.suspended)
        return 0;
    const FamilyState& fs = s.of(f);
    if (!fs.outcome)
        return 0;
    if (!is_success(*fs.outcome))
        return fs.next_attempt;
    if (p.keepalive_s <= 0)
        return 0;
    return fs.last_success + p.keepalive_s;
}

// ---- the profile's lock ------------------------------------------------------

namespace {
std::string dir_of(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}
}  // namespace

std::optional<std::string> prepare_state_dir(const std::string& state_file, long owner_uid, long owner_gid)
{
    std::string dir = dir_of(state_file);
    auto parent = dir.rfind('/');
    if (parent != std::string::npos && parent > 0)
        ::mkdir(dir.substr(0, parent).c_str(), 0755);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return "cannot create " + dir + ": " + std::strerror(errno);
    if (owner_uid < 0)
        return std::nullopt;
    auto own = [&](const std::string& path, int flags) -> std::optional<std::string> {
        int fd = ::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            return errno == ENOENT && !(flags & O_DIRECTORY)
                       ? std::nullopt
                       : std::optional<std::string>("cannot open " + path + ": " + std::strerror(errno));
        struct stat st {};
        std::optional<std::string> err;
        if (::fstat(fd, &st) != 0 || ((flags & O_DIRECTORY) ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
            err = path + " is not a " + ((flags & O_DIRECTORY) ? "directory" : "regular file");
        else if ((st.st_uid != static_cast<uid_t>(owner_uid) || st.st_gid != static_cast<gid_t>(owner_gid)) &&
                 ::fchown(fd, static_cast<uid_t>(owner_uid), static_cast<gid_t>(owner_gid)) != 0)
            err = "cannot chown " + path + ": " + std::strerror(errno);
        else if ((flags & O_DIRECTORY) && (st.st_mode & 077) && ::fchmod(fd, 0700) != 0)
            err = "cannot chmod " + path + ": " + std::strerror(errno);
        ::close(fd);
        return err;
    };
    if (auto e = own(dir, O_RDONLY | O_DIRECTORY))
        return e;
    if (auto e = own(state_file, O_RDONLY))
        return e;
    return own(state_file + ".lock", O_RDONLY);
}

ProfileLock lock_profile(const std::string& state_file)
{
    ProfileLock l;
    if (auto e = prepare_state_dir(state_file, -1, -1)) {
        l.error = *e;
        return l;
    }
    std::string path = state_file + ".lock";
    l.fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    if (l.fd < 0) {
        l.error = "cannot open " + path + ": " + std::strerror(errno);
        return l;
    }
    while (::flock(l.fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        l.status = errno == EWOULDBLOCK ? ProfileLock::Status::Busy : ProfileLock::Status::Error;
        l.error = "flock " + path + ": " + std::strerror(errno);
        ::close(l.fd);
        l.fd = -1;
        return l;
    }
    l.status = ProfileLock::Status::Held;
    return l;
}

}  // namespace pppkit::ddns
