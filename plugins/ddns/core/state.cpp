// state.cpp - the state file and the send/backoff/keep-alive policy.
#include "ddns/core/state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "common/config.hpp"
#include "common/text.hpp"
#include "ddns/core/address.hpp"

namespace pppkit::ddns {
namespace {

constexpr std::string_view kMagic = "# pppkit-ddns state 1";
constexpr std::size_t kMaxStateSize = std::size_t{64} * 1024;

// pop3-stls: "host:port" as endpoint() gives it (a host name, an IPv4
// address or a bracketless IPv6 address, then a port)
bool valid_endpoint(std::string_view v)
{
    const size_t colon = v.rfind(':');
    if (v.empty() || v.size() > 320 || colon == 0 || colon == std::string_view::npos || colon + 1 == v.size() ||
        v.size() - colon > 6)
        return false;
    return std::all_of(v.begin(), v.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f && c != '='; });
}

constexpr std::array<std::pair<Phase, std::string_view>, 4> kPhaseKeys = {{
    {Phase::Idle, "idle"},
    {Phase::BackingOff, "backing-off"},
    {Phase::Suspended, "suspended"},
    {Phase::InFlight, "in-flight"},
}};

std::string_view phase_key(Phase p)
{
    for (const auto& [ph, k] : kPhaseKeys)
        if (ph == p)
            return k;
    return "idle";
}

std::optional<Phase> parse_phase(std::string_view v)
{
    for (const auto& [ph, k] : kPhaseKeys)
        if (k == v)
            return ph;
    return std::nullopt;
}

// An address field: empty or an address (older versions stored what a server echoed).
std::string only_address(std::string_view v)
{
    return v.size() <= 64 && classify_address(v) != AddrClass::Invalid ? std::string(v) : std::string();
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
    kv("detail", server_text(f.detail));
}

// Keys newer than format 1's first release: "ipv4-state" etc. (see state.hpp).
void put_family_ext(std::string& out, std::string_view fam, const FamilyState& f, Phase ph)
{
    out += std::string(fam) + "-state=" + std::string(phase_key(ph)) + "\n";
    out += std::string(fam) + "-attempted=" + f.attempted + "\n";
    out += std::string(fam) + "-floor-until=" + std::to_string(f.floor_until) + "\n";
}

// Times and counts: 0 to 10^12 (year 33658), so that time + interval never overflows.
bool set_int(int64_t& out, std::string_view v)
{
    auto n = config::parse_int(v);
    if (!n || *n < 0 || *n > 1'000'000'000'000)
        return false;
    out = *n;
    return true;
}

bool set_family(FamilyState& f, std::string_view k, std::string_view v)
{
    if (k == "address") {
        if (v.size() > 64)
            return false;
        f.address = only_address(v);
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
        f.detail = server_text(v);
        return true;
    }
    return false;
}

// "ipv4-state" and friends; false: a bad value.
bool set_family_ext(FamilyState& f, std::string_view k, std::string_view v, bool& has_phase)
{
    if (k == "state") {
        auto ph = parse_phase(v);
        if (!ph)
            return false;
        f.phase = *ph;
        has_phase = true;
        return true;
    }
    if (k == "attempted") {
        if (v.size() > 64)
            return false;
        f.attempted = only_address(v);
        return true;
    }
    if (k == "floor-until")
        return set_int(f.floor_until, v);
    return true;  // newer still: ignored
}

// A file from before the explicit phases: derive them.
void migrate(State& s, FamilyState& f)
{
    if (s.suspended)
        f.phase = Phase::Suspended;
    else if (f.outcome && !is_success(*f.outcome) && !is_fatal(*f.outcome))
        f.phase = Phase::BackingOff;
    else
        f.phase = Phase::Idle;
}

}  // namespace

std::string serialize_state(const State& s)
{
    std::string out(kMagic);
    out += "\n";
    out += "fingerprint=" + s.fingerprint + "\n";
    out += std::string("suspended=") + (s.suspended ? "yes" : "no") + "\n";
    out += "suspended-why=" + server_text(s.suspended_why) + "\n";
    if (!s.pop3_stls.empty())
        out += "pop3-stls=" + s.pop3_stls + "\n";
    put_family(out, "ipv4", s.v4);
    put_family(out, "ipv6", s.v6);
    put_family_ext(out, "ipv4", s.v4, phase_of(s, Family::V4));
    put_family_ext(out, "ipv6", s.v6, phase_of(s, Family::V6));
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
    bool first = true, ended = false, phase4 = false, phase6 = false;
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
            s.suspended_why = server_text(v);
        } else if (k == "pop3-stls") {
            if (!valid_endpoint(v))
                return bad();
            s.pop3_stls = std::string(v);
        } else if (k.substr(0, 5) == "ipv4.") {
            if (!set_family(s.v4, k.substr(5), v))
                return bad();
        } else if (k.substr(0, 5) == "ipv6.") {
            if (!set_family(s.v6, k.substr(5), v))
                return bad();
        } else if (k.substr(0, 5) == "ipv4-") {
            if (!set_family_ext(s.v4, k.substr(5), v, phase4))
                return bad();
        } else if (k.substr(0, 5) == "ipv6-") {
            if (!set_family_ext(s.v6, k.substr(5), v, phase6))
                return bad();
        }
        // unknown keys from a newer version are ignored
    }
    if (first)
        return State{};  // empty file: nothing known, not corrupt
    if (!ended)
        return bad();
    for (auto [f, has] : {std::pair{&s.v4, phase4}, std::pair{&s.v6, phase6}}) {
        if (!has)
            migrate(s, *f);
        else if ((f->phase == Phase::Suspended) != s.suspended && f->phase != Phase::InFlight)
            return bad();  // the two records of a suspension disagree
    }
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
    // the worker writes a few hundred bytes: a larger file, or one that
    // cannot be read, is damaged
    std::string text;
    const int err = text::read_all(fd, text, kMaxStateSize);
    ::close(fd);
    if (err != 0) {
        if (corrupt)
            *corrupt = true;
        return State{};
    }
    return parse_state(text, corrupt);
}

std::optional<std::string> write_state(const std::string& path, const State& s, bool sync)
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
    if ((sync && ::fsync(fd) != 0) || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return "cannot write " + tmp + ": " + std::strerror(errno);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string err = std::strerror(errno);
        ::unlink(tmp.c_str());
        return "cannot rename " + tmp + ": " + err;
    }
    int dfd = sync ? ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
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

std::string_view phase_name(Phase p)
{
    switch (p) {
    case Phase::Idle: return "idle";
    case Phase::BackingOff: return "backing off";
    case Phase::Suspended: return "suspended";
    case Phase::InFlight: return "in flight";
    }
    return "?";
}

std::string_view reason_name(Reason r)
{
    switch (r) {
    case Reason::NewAddress: return "new address";
    case Reason::KeepAlive: return "keep-alive due";
    case Reason::Retry: return "retry after failure";
    case Reason::Forced: return "forced";
    case Reason::Unknown: return "no previous update";
    case Reason::ProfileChanged: return "profile changed since the fatal answer";
    case Reason::Backoff: return "backing off";
    case Reason::ProviderFloor: return "the provider's least wait";
    case Reason::MinInterval: return "min-interval";
    case Reason::InFlight: return "update in flight";
    case Reason::UpToDate: return "up to date";
    case Reason::Fatal: return "suspended after a fatal answer";
    }
    return "?";
}

Phase phase_of(const State& s, Family f)
{
    const FamilyState& fs = s.of(f);
    if (s.suspended && fs.phase != Phase::InFlight)
        return Phase::Suspended;
    return fs.phase;
}

namespace {

bool differs(std::string_view address, std::string_view from)
{
    return !address.empty() && !from.empty() && !same_address(address, from);
}

// An InFlight attempt may be lost (cancelled, killed, out of time): it counts
// as a transient failure, so nothing is retried before the next retry delay
// from its start (u = 0: the longest, which the jittered one never exceeds).
int64_t in_flight_until(const FamilyState& fs)
{
    return std::max(fs.last_attempt + retry_delay(fs.failures + 1, Transient::Other, 0, 0.0), fs.floor_until);
}

Decision on_trigger(const Profile& p, const State& s, Family f, const Trigger& t)
{
    const FamilyState& fs = s.of(f);
    const int64_t now = t.now;
    Phase ph = phase_of(s, f);
    // One attempt at a time, whatever the trigger; a lost one is a failure.
    if (ph == Phase::InFlight && now < in_flight_until(fs))
        return {Action::Wait, Reason::InFlight, in_flight_until(fs)};
    // The provider's least wait holds for every trigger, a forced one included.
    if (fs.floor_until > now)
        return {Action::Wait, Reason::ProviderFloor, fs.floor_until};
    if (t.force)
        return {Action::Send, Reason::Forced, now};
    switch (ph) {
    case Phase::Suspended:
        if (s.fingerprint == t.fp)
            return {Action::Suspended, Reason::Fatal, 0};
        return {Action::Send, Reason::ProfileChanged, now};
    case Phase::InFlight:  // lost: its worker died without a word
        return {Action::Send, Reason::Retry, now};
    case Phase::BackingOff:
        // Only an address different from the last attempt's may cut the wait short.
        if (differs(t.address, fs.attempted)) {
            int64_t at = fs.last_success > 0 ? fs.last_success + p.min_interval_s : now;
            if (at > now)
                return {Action::Wait, Reason::MinInterval, std::min(at, std::max(fs.next_attempt, now + 1))};
            return {Action::Send, Reason::NewAddress, now};
        }
        if (fs.next_attempt > now)
            return {Action::Wait, Reason::Backoff, fs.next_attempt};
        return {Action::Send, Reason::Retry, now};
    case Phase::Idle: break;
    }
    if (!fs.outcome)
        return {Action::Send, Reason::Unknown, now};
    if (!is_success(*fs.outcome))  // the other family's suspension was lifted: one attempt
        return {Action::Send, Reason::Retry, now};
    if (!t.address.empty() && t.address != fs.address && !same_address(t.address, fs.address)) {
        int64_t at = fs.last_success > 0 ? fs.last_success + p.min_interval_s : now;
        if (at > now)
            return {Action::Wait, Reason::MinInterval, at};
        return {Action::Send, Reason::NewAddress, now};
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

// A non-fatal answer ends a suspension: the provider took the credentials, or
// at least did not refuse them, after the profile changed or a user forced.
void lift(State& s)
{
    if (!s.suspended)
        return;
    s.suspended = false;
    s.suspended_why.clear();
    for (FamilyState* o : {&s.v4, &s.v6})
        if (o->phase == Phase::Suspended)
            o->phase = Phase::Idle;
}

void on_result(State& s, Family f, const Result& r)
{
    static const Answer kNone;
    const Answer& a = r.answer ? *r.answer : kNone;
    FamilyState& fs = s.of(f);
    fs.last_attempt = r.now;
    fs.attempted = std::string(r.address);
    fs.outcome = a.outcome;
    fs.detail = server_text(a.detail);
    if (valid_endpoint(a.stls_at))
        s.pop3_stls = a.stls_at;
    if (is_success(a.outcome)) {
        lift(s);
        fs.phase = Phase::Idle;
        fs.last_success = r.now;
        fs.failures = 0;
        fs.next_attempt = 0;
        fs.floor_until = 0;
        if (!r.address.empty())
            fs.address = std::string(r.address);
        else if (a.echoed && classify_address(*a.echoed) != AddrClass::Invalid)
            fs.address = *a.echoed;
    } else if (is_fatal(a.outcome)) {
        s.suspended = true;
        s.fingerprint = std::string(r.fp);
        s.suspended_why = server_text(std::string(family_name(f)) + ": " + std::string(outcome_name(a.outcome)) +
                                      (a.detail.empty() ? "" : " (" + a.detail + ")"));
        fs.next_attempt = 0;
        for (FamilyState* o : {&s.v4, &s.v6})
            if (o->phase != Phase::InFlight || o == &fs)
                o->phase = Phase::Suspended;
    } else {
        lift(s);
        fs.phase = Phase::BackingOff;
        fs.failures = std::min(fs.failures + 1, 100000);
        long floor_s = std::clamp<long>(a.floor_s, 0, 86400);
        fs.next_attempt = r.now + retry_delay(fs.failures, a.transient, floor_s, r.u);
        if (floor_s > 0)
            fs.floor_until = std::max(fs.floor_until, r.now + floor_s);
    }
}

void on_lost(State& s, Family f, const Lost& l)
{
    FamilyState& fs = s.of(f);
    if (fs.phase != Phase::InFlight)
        return;
    if (s.suspended) {  // a forced attempt while suspended: no answer lifts nothing
        fs.phase = Phase::Suspended;
        return;
    }
    Answer a;
    a.outcome = Outcome::RetryLater;
    a.transient = Transient::Other;
    a.detail = "no answer: the attempt was cancelled or its worker ended";
    const std::string attempted = fs.attempted;
    on_result(s, f, Result{attempted, &a, s.fingerprint, fs.last_attempt, l.u});
}

}  // namespace

Step step(const Profile& p, const State& s, Family f, const Event& e)
{
    Step out{s, {}};
    if (const auto* t = std::get_if<Trigger>(&e)) {
        out.decision = on_trigger(p, s, f, *t);
    } else if (const auto* b = std::get_if<Start>(&e)) {
        FamilyState& fs = out.next.of(f);
        fs.phase = Phase::InFlight;
        fs.attempted = std::string(b->address);
        fs.last_attempt = b->now;
    } else if (const auto* r = std::get_if<Result>(&e)) {
        on_result(out.next, f, *r);
    } else {
        on_lost(out.next, f, std::get<Lost>(e));
    }
    return out;
}

Decision decide(const Profile& p, const State& s, Family f, std::string_view address, std::string_view fp, int64_t now,
                bool force)
{
    return step(p, s, f, Trigger{address, fp, now, force}).decision;
}

void begin(State& s, const Profile& p, Family f, std::string_view address, int64_t now)
{
    s = step(p, s, f, Start{address, now}).next;
}

void record(State& s, const Profile& p, Family f, std::string_view address, const Answer& a, std::string_view fp,
            int64_t now, double u)
{
    s = step(p, s, f, Result{address, &a, fp, now, u}).next;
}

bool lose(State& s, const Profile& p, Family f, double u)
{
    if (s.of(f).phase != Phase::InFlight)
        return false;
    s = step(p, s, f, Lost{u}).next;
    return true;
}

int64_t next_wakeup(const Profile& p, const State& s, Family f)
{
    const FamilyState& fs = s.of(f);
    switch (phase_of(s, f)) {
    case Phase::Suspended: return 0;
    case Phase::InFlight: return in_flight_until(fs);
    case Phase::BackingOff: return std::max({fs.next_attempt, fs.floor_until, fs.last_attempt + 1, int64_t{1}});
    case Phase::Idle: break;
    }
    if (!fs.outcome || !is_success(*fs.outcome) || p.keepalive_s <= 0)
        return 0;
    return fs.last_success + p.keepalive_s;
}

std::string describe(const State& s, Family f, int64_t now)
{
    const FamilyState& fs = s.of(f);
    auto in = [&](int64_t t) { return t > now ? "in " + std::to_string(t - now) + "s" : "now"; };
    Phase ph = phase_of(s, f);
    std::string out(phase_name(ph));
    switch (ph) {
    case Phase::Suspended: out += " (" + server_text(s.suspended_why) + ")"; break;
    case Phase::BackingOff:
        out += " after " + std::string(fs.outcome ? outcome_name(*fs.outcome) : "a failure") + " (failure " +
               std::to_string(fs.failures) + "), next attempt " + in(std::max(fs.next_attempt, fs.floor_until));
        if (fs.floor_until > now)
            out += "; the provider asked for no request before " + in(fs.floor_until);
        break;
    case Phase::InFlight: out += " since " + std::to_string(std::max<int64_t>(0, now - fs.last_attempt)) + "s"; break;
    case Phase::Idle: break;
    }
    return out;
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
        // The directory belongs to the worker's user: a hard link it made
        // there to a file of root's must not be handed to it by the fchown
        // below (O_NOFOLLOW stops symlinks only; fs.protected_hardlinks may be off).
        else if (!(flags & O_DIRECTORY) && st.st_nlink != 1)
            err = path + " has " + std::to_string(st.st_nlink) + " hard links: refused (remove it)";
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
