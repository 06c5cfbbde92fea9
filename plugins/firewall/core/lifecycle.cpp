#include "firewall/core/lifecycle.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <variant>

#include "common/ifname.hpp"
#include "common/nft_json.hpp"
#include "common/text.hpp"
#include "common/trust.hpp"
#include "registry.hpp"

namespace pppkit::firewall {
namespace {

// Replaces the sealed copy's /proc/self/fd/N by the extras file's path, and
// drops nft's "In file included from <cmdline>:..." lines, so that an error
// in the extras file starts with "FILE:LINE:".
std::string map_errors(const Prepared& p, std::string text)
{
    if (!p.extras)
        return text;
    for (size_t at = text.find("In file included from "); at != std::string::npos;
         at = text.find("In file included from ", at)) {
        auto nl = text.find('\n', at);
        text.erase(at, nl == std::string::npos ? std::string::npos : nl + 1 - at);
    }
    const std::string ref = p.extras->ref();
    for (auto at = text.find(ref); at != std::string::npos; at = text.find(ref, at + p.extras->path().size()))
        text.replace(at, ref.size(), p.extras->path());
    return text;
}

// The full ruleset through nft, on a fresh context when it defines
// variables (see needs_fresh_context).
// The fresh context goes to *spent when given (ApplyResult::spent).
nft::Result run_full(nft::Context& warm, const Prepared& p, const Dynamic& d, bool dry,
                     std::unique_ptr<nft::Context>* spent = nullptr)
{
    std::string text = ruleset_of(p, d);
    nft::Result r;
    if (needs_fresh_context(*p.settings)) {
        auto fresh = std::make_unique<nft::Context>();
        r = dry ? fresh->check(text) : fresh->run(text);
        if (spent)
            *spent = std::move(fresh);
    } else {
        r = dry ? warm.check(text) : warm.run(text);
    }
    r.error = map_errors(p, r.error);
    return r;
}

std::string signal_name(int sig)
{
    const char* d = sigdescr_np(sig);
    return "signal " + std::to_string(sig) + (d != nullptr ? std::string(", ") + d : std::string());
}

}  // namespace

Prepared prepare(const std::string& main_file, bool must_exist, std::string_view carrier)
{
    Prepared p;
    auto cfg = load_plugin_config(main_file, must_exist, &kSchema);
    p.files = cfg.doc.files.size();
    p.lan = lan_interfaces(cfg.doc);
    p.lan_networks = failsafe_networks(cfg.doc);
    p.wan = failsafe_wan(cfg.doc);
    // A file that could not be read may hold the [firewall]: configured
    // (and broken), so that every caller fails closed rather than leave the
    // router without a firewall (a config made group-writable, a drop-in
    // missing for a moment while an editor saves it).
    p.doc = std::make_shared<const config::Document>(cfg.doc);
    p.configured = cfg.unread || cfg.doc.first("firewall") != nullptr || cfg.doc.first("forward") != nullptr;
    for (const auto& d : cfg.diags)
        p.problems.push_back(d.str());
    if (auto d = carrier_in_lan(cfg.doc, carrier)) {
        p.problems.push_back(d->str());
        p.wan_in_lan = true;
        p.lan = without_carrier(p.lan, carrier);
        p.carrier = carrier;
        p.carrier_problem = std::move(d);
    }
    // Missing or empty, with no [firewall] in a drop-in: maybe an editor
    // saving it. Closed, and said why; a file with only comments in it is
    // how to say "no firewall".
    if (cfg.absent && !p.configured) {
        p.configured = true;
        config::Diagnostic d;
        d.file = main_file;
        d.problem = "missing or empty, so the firewall cannot tell whether it is configured: it fails closed (a file "
                    "with only comments in it says 'no [firewall]')";
        p.problems.push_back(d.str());
    }
    if (!p.problems.empty())
        return p;
    auto r = from_config(cfg.doc);
    if (auto* diags = std::get_if<std::vector<config::Diagnostic>>(&r)) {
        for (const auto& d : *diags)
            p.problems.push_back(d.str());
        return p;
    }
    Settings s = std::get<Settings>(std::move(r));
    if (auto d = read_extras(s, cfg.doc)) {
        p.problems.push_back(d->str());
        return p;
    }
    if (s.extras) {
        auto staged = std::make_shared<StagedExtras>(s.extras_text, *s.extras);
        if (!staged->valid()) {
            p.problems.push_back(*s.extras + ": cannot stage a sealed copy for nft: " + std::strerror(errno));
            return p;
        }
        p.extras = std::move(staged);
    }
    p.settings = std::move(s);
    return p;
}

StagedExtras::StagedExtras(const std::string& text, std::string path) : path_(std::move(path))
{
    int fd = memfd_create("pppkit-extras", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return;
    std::string body = text;
    if (!body.empty() && body.back() != '\n')
        body += '\n';  // the last line must not merge with pppkit's next one
    size_t done = 0;
    while (done < body.size()) {
        ssize_t n = write(fd, body.data() + done, body.size() - done);
        if (n <= 0) {
            close(fd);
            return;
        }
        done += static_cast<size_t>(n);
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        close(fd);
        return;
    }
    fd_ = fd;
}

StagedExtras::~StagedExtras()
{
    if (fd_ >= 0)
        close(fd_);
}

std::string ruleset_of(const Prepared& p, const Dynamic& d)
{
    return full_ruleset(*p.settings, d, p.extras ? p.extras->ref() : std::string());
}

std::optional<std::string> check_isolated(Prepared& p)
{
    if (!p.settings)
        return "no valid configuration";
    // The dynamic sets as ip-up fills them: names and addresses pppkit
    // formats itself, so this check covers every later load of the ruleset.
    auto r = nft::check_in_child(ruleset_of(p, sample_dynamic(*p.settings)), kIsolatedTimeoutMs);
    if (r.ok) {
        p.isolated_ok = p.settings->digest();
        return std::nullopt;
    }
    std::string what = p.extras ? p.extras->path() : std::string("the generated ruleset");
    if (r.signal != 0) {
        // libnftables' last words (e.g. its assert() message), if any
        std::string last = r.error.substr(r.error.rfind('\n') == std::string::npos ? 0 : r.error.rfind('\n') + 1);
        return "nft crashed on " + what + " (" + signal_name(r.signal) +
               " in a child process that checked it; nothing was loaded" + (last.empty() ? "" : ": " + last) +
               "): fix the file";
    }
    if (r.timed_out)
        return "nft did not finish checking " + what + ": " + r.error;
    std::string e = map_errors(p, r.error);
    if (p.extras && e.rfind(p.extras->path() + ":", 0) == 0)
        return e;  // already "FILE:LINE:COL: Error: ..." with nft's context lines
    return "nft refused the ruleset: " + e;
}

std::string_view to_string(Loaded l)
{
    switch (l) {
    case Loaded::Missing: return "missing";
    case Loaded::Failsafe: return "failsafe";
    case Loaded::Current: return "current";
    case Loaded::Stale: return "stale";
    }
    return "missing";
}

Loaded loaded_from(std::string_view listing, const std::string& digest)
{
    auto sets = nft::sets_of(listing);
    if (!sets)
        return Loaded::Stale;  // a table, but not one we can read: load ours again
    for (const auto& set : *sets)
        if (set.name == kMarkSet) {
            if (set.comment == kFailsafeMark)
                return Loaded::Failsafe;
            if (set.comment == "pppkit digest " + digest)
                return Loaded::Current;
        }
    // also a table of an older pppkit (its digest only in the table's
    // comment, which JSON does not show): reloading it is safe, trusting it is not
    return Loaded::Stale;
}

std::vector<std::string> failsafe_carriers(std::string_view listing)
{
    std::vector<std::string> out;
    auto sets = nft::sets_of(listing);
    if (!sets)
        return out;
    for (const auto& set : *sets)
        if (set.name == kMarkSet && set.comment == kFailsafeMark)
            for (const auto& e : set.elems)
                if (ifname::valid_name(e.first) && std::find(out.begin(), out.end(), e.first) == out.end())
                    out.push_back(e.first);
    return out;
}

std::vector<config::Diagnostic> named_carriers_in_lan(const config::Document& doc, std::string_view listing)
{
    std::vector<config::Diagnostic> out;
    for (const auto& c : failsafe_carriers(listing))
        if (auto d = carrier_in_lan(doc, c)) {
            d->problem += "; the failsafe loaded because of it stays (no full ruleset replaces it while "
                          "lan-interfaces matches '" +
                          c + "')";
            out.push_back(std::move(*d));
        }
    return out;
}

Loaded inspect(nft::Context& nft, const std::string& digest)
{
    // The mark set alone says which ruleset is loaded: listed by itself it
    // costs about 0.07 ms, the whole table (every rule) about 2 ms (seed
    // config, one reused context). Only without that set is the table listed,
    // to tell a missing table ("list table" fails) from another one.
    auto m = nft.list_json("list set inet " + std::string(kTable) + " " + std::string(kMarkSet));
    if (m.ok)
        return loaded_from(m.output, digest);
    auto r = nft.list_json("list table inet " + std::string(kTable));
    if (!r.ok)
        return Loaded::Missing;
    return loaded_from(r.output, digest);
}

Dynamic dynamic_from(std::string_view listing, std::string_view more)
{
    Dynamic d;
    auto sets = nft::sets_of(listing);
    if (!sets)
        return d;
    if (!more.empty())
        if (auto extra = nft::sets_of(more))
            sets->insert(sets->end(), extra->begin(), extra->end());
    auto set = [&](const std::string& name) -> const nft::SetListing* {
        for (const auto& s : *sets)
            if (s.name == name)
                return &s;
        return nullptr;
    };
    auto valid4 = [](const std::string& a) {
        in_addr in{};
        return inet_pton(AF_INET, a.c_str(), &in) == 1;
    };
    // Only what pppkit itself would have written goes back into a ruleset.
    if (const auto* wan = set("active_wan"))
        for (const auto& e : wan->elems)
            if (ifname::valid_name(e.first))
                d.links.push_back(WanLink{e.first, std::nullopt, ""});
    auto find = [&](const std::string& ifname) -> WanLink* {
        for (auto& l : d.links)
            if (l.ifname == ifname)
                return &l;
        return nullptr;
    };
    // the record: "ppp0" : 203.0.113.7, ...
    if (const auto* record = set("wan_public4")) {
        for (const auto& [ifname, addr] : record->elems)
            if (ifname::valid_name(ifname) && valid4(addr)) {
                WanLink* l = find(ifname);
                if (l == nullptr) {
                    d.links.push_back(WanLink{ifname, std::nullopt, ""});
                    l = &d.links.back();
                }
                l->public4 = addr;
            }
    } else if (const auto* pub = set("public4")) {
        // a table from a pppkit before per-link state: one link
        if (d.links.size() == 1 && pub->elems.size() == 1 && valid4(pub->elems.front().first))
            d.links.front().public4 = pub->elems.front().first;
    }
    // the names: set linkN_wan carries comment "link NAME"
    for (int i = 0;; ++i) {
        const auto* slot = set("link" + std::to_string(i) + "_wan");
        if (slot == nullptr)
            break;
        if (slot->comment.rfind("link ", 0) != 0)
            continue;
        const std::string name = slot->comment.substr(5);
        for (const auto& e : slot->elems)
            if (WanLink* l = find(e.first))
                l->name = name;
    }
    return d;
}

Dynamic read_dynamic(nft::Context& nft)
{
    // The table's sets with their elements (no rules: 0.5 ms against 2 ms
    // for the whole table) and the one map read (a map is not among "sets").
    const std::string t = "inet " + std::string(kTable);
    auto sets = nft.list_json("list sets table " + t);
    if (sets.ok) {
        auto map = nft.list_json("list map " + t + " wan_public4");  // absent in an older table
        return dynamic_from(sets.output, map.ok ? std::string_view(map.output) : std::string_view());
    }
    auto r = nft.list_json("list table " + t);
    return r.ok ? dynamic_from(r.output) : Dynamic{};
}

namespace {
// "linkN_<what>": a slot set of some configuration (firewall.cpp slot_set)
bool slot_named(std::string_view set, std::string_view what)
{
    if (!set.starts_with("link") || !set.ends_with(what))
        return false;
    set = set.substr(4, set.size() - 4 - what.size());
    return set.size() >= 2 && set.back() == '_' &&
           std::all_of(set.begin(), set.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::vector<nfnl::Change> stale_removals(const std::vector<nft::SetListing>& sets, const WanLink& mine, bool whole)
{
    using nfnl::Op;
    std::vector<nfnl::Change> out;
    std::optional<std::string> mark;
    for (const auto& s : sets)
        if (s.name == kMarkSet) {
            if (s.elems.size() != 1 || mark)
                return {};
            mark = s.elems.front().first;
        }
    if (!mark)
        return {};
    auto holds = [](const nft::SetListing& s, const std::string& key) {
        return std::any_of(s.elems.begin(), s.elems.end(), [&](const auto& e) { return e.first == key; });
    };
    // set wan's static elements: that ruleset's configured wan names
    auto configured = [](const nft::SetListing& s, const std::string& key) {
        return std::find(s.comments.begin(), s.comments.end(), std::pair{key, std::string(kConfiguredWan)}) !=
               s.comments.end();
    };
    for (const auto& s : sets) {
        if (whole && ifname::valid_name(mine.ifname) &&
            (s.name == "active_wan" || slot_named(s.name, "wan") || (s.name == "wan" && !configured(s, mine.ifname))) &&
            holds(s, mine.ifname))
            out.push_back({Op::Delete, s.name, nfnl::Ifname{mine.ifname}, {}});
        if (!mine.public4)
            continue;
        if ((s.name == "public4" || slot_named(s.name, "public4")) && holds(s, *mine.public4))
            out.push_back({Op::Delete, s.name, nfnl::Ipv4{*mine.public4}, {}});
        // the record: only this interface's, and only with this address
        if (s.name == "wan_public4")
            for (const auto& [ifn, addr] : s.elems)
                if (ifn == mine.ifname && addr == *mine.public4 && ifname::valid_name(ifn))
                    out.push_back({Op::Delete, s.name, nfnl::Ifname{ifn}, {}});
    }
    if (!out.empty()) {
        const nfnl::Ifname m{*mark};
        out.insert(out.begin(), {{Op::Delete, std::string(kMarkSet), m, {}}, {Op::Add, std::string(kMarkSet), m, {}}});
    }
    return out;
}

StaleRemoval remove_from_stale(nft::Context& nft, nfnl::Socket& nl, const WanLink& mine, bool whole)
{
    const std::string t = "inet " + std::string(kTable);
    auto listed = nft.list_json("list sets table " + t);
    if (!listed.ok)
        return {false, 0, listed.error};
    auto sets = nft::sets_of(listed.output);
    if (!sets)
        return {false, 0, "the table's sets could not be read"};
    auto map = nft.list_json("list map " + t + " wan_public4");
    if (map.ok)
        if (auto more = nft::sets_of(map.output))
            sets->insert(sets->end(), more->begin(), more->end());
    const auto changes = stale_removals(*sets, mine, whole);
    if (changes.empty())
        return {true, 0, {}};
    const size_t n = changes.size() - 2;  // after the mark's delete and add
    if (!nl.valid()) {
        auto r = nft.run(nfnl::nft_text(kTable, changes));
        return {r.ok, r.ok ? n : 0, r.error};
    }
    const int err = nl.commit(kTable, changes);
    if (err != 0)
        return {false, 0, std::string("the kernel refused the element batch: ") + std::strerror(err)};
    return {true, n, {}};
}

std::string record_of(const Record& r)
{
    const WanLink& l = r.link;
    return l.ifname + " " + l.public4.value_or("-") + " " + (l.name.empty() ? "-" : l.name) + " " +
           std::to_string(r.ifindex) + " " + std::to_string(r.start) + " " + std::to_string(r.netns) + "\n";
}

namespace {
template <typename T>
bool whole_number(const std::string& f, T& out)
{
    if (f.empty() || (f.size() > 1 && f[0] == '0'))
        return false;
    auto res = std::from_chars(f.data(), f.data() + f.size(), out);
    return res.ec == std::errc() && res.ptr == f.data() + f.size() && out != 0;
}

std::optional<std::uint64_t> netns_of(const char* path)
{
    struct stat st {};
    if (::stat(path, &st) != 0)
        return std::nullopt;
    return static_cast<std::uint64_t>(st.st_ino);
}

std::optional<std::uint64_t> start_of(pid_t pid)
{
    std::string text;
    // the kernel's own file: a plain read (trust's checks are for the config)
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    if (n <= 0)
        return std::nullopt;
    return trust::stat_field(std::string_view(buf, static_cast<size_t>(n)), 22);
}
}  // namespace

std::optional<Record> parse_record(std::string_view text)
{
    if (text.empty() || text.back() != '\n')
        return std::nullopt;
    text.remove_suffix(1);
    std::vector<std::string> f;
    size_t at = 0;
    for (;;) {
        const size_t sp = text.find(' ', at);
        f.emplace_back(text.substr(at, sp == std::string_view::npos ? std::string_view::npos : sp - at));
        if (sp == std::string_view::npos)
            break;
        at = sp + 1;
    }
    if (f.size() != 6 || !ifname::valid_name(f[0]))
        return std::nullopt;
    Record r{WanLink{f[0], std::nullopt, ""}};
    if (f[1] != "-") {
        in_addr in{};
        char back[INET_ADDRSTRLEN];
        // the canonical form only: what inet_ntop wrote
        if (inet_pton(AF_INET, f[1].c_str(), &in) != 1 || inet_ntop(AF_INET, &in, back, sizeof back) == nullptr ||
            f[1] != back)
            return std::nullopt;
        r.link.public4 = f[1];
    }
    if (f[2] != "-") {
        if (!valid_link_name(f[2]))
            return std::nullopt;
        r.link.name = f[2];
    }
    if (!whole_number(f[3], r.ifindex) || !whole_number(f[4], r.start) || !whole_number(f[5], r.netns))
        return std::nullopt;
    return r;
}

std::optional<Self> self_identity()
{
    auto start = start_of(::getpid());
    auto netns = netns_of("/proc/self/ns/net");
    if (!start || !netns)
        return std::nullopt;
    return Self{*start, *netns};
}

bool write_record(const std::optional<WanLink>& l, const std::string& dir)
{
    const std::string path = dir + "/" + std::to_string(::getpid());
    const unsigned ifindex = l ? ::if_nametoindex(l->ifname.c_str()) : 0;
    if (ifindex == 0)  // no link, or its interface is gone
        return ::unlink(path.c_str()) == 0 || errno == ENOENT;
    static const std::optional<Self> self = self_identity();  // a pppd's, for its life
    if (!self) {
        errno = ENOENT;
        return false;
    }
    // the parent first (/run/pppkit: pppkitd's runtime directory, or none
    // under `pon`), then ours; both root's, 0755
    const std::string parent = dir.substr(0, dir.rfind('/'));
    for (const std::string& d : {parent, dir})
        if (!d.empty() && ::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
            return false;
    const std::string tmp = path + ".new";
    const std::string text = record_of(Record{*l, ifindex, self->start, self->netns});
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

Dynamic recorded_links(const std::string& dir)
{
    Dynamic d;
    const auto netns = netns_of("/proc/self/ns/net");
    auto opened = trust::open(dir, trust::Kind::Directory);
    if (!netns || !opened.ok())
        return d;
    DIR* ds = ::fdopendir(opened.fd.get());
    if (ds == nullptr)
        return d;
    (void)opened.fd.release();  // the DIR owns it now
    while (const dirent* e = ::readdir(ds)) {
        const std::string name = e->d_name;
        // PID, or PID.new (a write cut short)
        const std::string digits = name.substr(0, name.find('.'));
        pid_t pid = 0;
        if ((digits.size() != name.size() && name != digits + ".new") || digits.size() > 9 ||
            !whole_number(digits, pid))
            continue;
        const auto start = start_of(pid);
        if (!start && ::kill(pid, 0) != 0 && errno == ESRCH) {
            ::unlinkat(::dirfd(ds), name.c_str(), 0);  // its pppd is gone (kill -9: no DEAD)
            continue;
        }
        std::string text;
        if (digits.size() != name.size() || trust::read_file(dir + "/" + name, text))
            continue;
        auto r = parse_record(text);
        if (!r || !start || r->start != *start || r->netns != *netns ||
            ::if_nametoindex(r->link.ifname.c_str()) != r->ifindex)
            continue;  // another process's pid now, another namespace's, another interface
        d.links.push_back(r->link);
    }
    ::closedir(ds);
    std::sort(d.links.begin(), d.links.end(), [](const WanLink& a, const WanLink& b) { return a.ifname < b.ifname; });
    return d;
}

Dynamic live_links(const Dynamic& d, const std::vector<Iface>& now)
{
    Dynamic out;
    for (const auto& l : d.links) {
        auto it = std::find_if(now.begin(), now.end(), [&](const Iface& i) { return i.name == l.ifname; });
        if (it == now.end())
            continue;  // its pppd is gone, and the interface with it
        WanLink w = l;
        if (w.public4 && std::find(it->local4.begin(), it->local4.end(), *w.public4) == it->local4.end())
            w.public4.reset();  // ip-down: the link is down, or another one uses the name now
        out.links.push_back(std::move(w));
    }
    return out;
}

std::optional<std::vector<Iface>> interfaces_now()
{
    ifaddrs* all = nullptr;
    if (::getifaddrs(&all) != 0)
        return std::nullopt;
    std::vector<Iface> now;
    for (const ifaddrs* a = all; a != nullptr; a = a->ifa_next) {
        if (a->ifa_name == nullptr)
            continue;
        auto it = std::find_if(now.begin(), now.end(), [&](const Iface& i) { return i.name == a->ifa_name; });
        if (it == now.end())
            it = now.insert(now.end(), Iface{a->ifa_name, {}});
        if (a->ifa_addr != nullptr && a->ifa_addr->sa_family == AF_INET) {
            char buf[INET_ADDRSTRLEN];
            const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
            if (::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf) != nullptr)
                it->local4.emplace_back(buf);
        }
    }
    ::freeifaddrs(all);
    return now;
}

Dynamic live_only(const Dynamic& d)
{
    const auto now = interfaces_now();
    return now ? live_links(d, *now) : d;
}

Dynamic with_records(const Dynamic& kernel, const Dynamic& records)
{
    Dynamic out = records;
    for (const auto& k : kernel.links)
        if (std::none_of(records.links.begin(), records.links.end(), [&](const WanLink& r) {
                return r.ifname == k.ifname || (!r.name.empty() && r.name == k.name);
            }))
            out.links.push_back(k);
    std::sort(out.links.begin(), out.links.end(),
              [](const WanLink& a, const WanLink& b) { return a.ifname < b.ifname; });
    return out;
}

Dynamic dynamic_to_load(nft::Context& nft, const std::string& dir)
{
    return live_only(with_records(read_dynamic(nft), recorded_links(dir)));
}

std::vector<WanLink> superseded(const Dynamic& in_kernel, const WanLink& mine)
{
    std::vector<WanLink> out;
    for (const auto& l : in_kernel.links)
        if (l.ifname == mine.ifname || (!mine.name.empty() && l.name == mine.name) ||
            if_nametoindex(l.ifname.c_str()) == 0)
            out.push_back(l);
    return out;
}

nft::Result update_link(nft::Context& nft, nfnl::Socket& nl, const Settings& s, std::string_view digest,
                        const std::vector<WanLink>& gone, const std::optional<WanLink>& now)
{
    auto changes = link_changes(s, digest, gone, now);
    if (!nl.valid())
        return nft.run(nfnl::nft_text(kTable, changes));
    int err = nl.commit(kTable, changes);
    if (err == 0)
        return {true, {}, {}};
    return {false, std::string("the kernel refused the element batch: ") + std::strerror(err), {}};
}

Dynamic sample_dynamic(const Settings& s)
{
    Dynamic d{{WanLink{"ppp0", "192.0.2.1", ""}}};
    for (size_t i = 0; i < s.links.size(); ++i)
        d.links.push_back(WanLink{"ppp" + std::to_string(i + 1), "192.0.2." + std::to_string(i + 2), s.links[i]});
    return d;
}

namespace {
// Only text the user wrote (the extras file) must pass a child first: the
// rest of the ruleset is pppkit's own generator output over values the
// schema validated, which the in-process dry run checks. Forking a fresh
// libnftables context costs seconds in an emulated VM.
bool needs_isolation(const Prepared& p)
{
    return p.extras && (p.isolated_ok.empty() || p.isolated_ok != p.settings->digest());
}
}  // namespace

std::optional<std::string> check_in_kernel(nft::Context& nft, Prepared& p, const Dynamic& d)
{
    if (needs_isolation(p))
        if (auto err = check_isolated(p))
            return err;
    auto r = run_full(nft, p, d, true);
    if (r.ok)
        return std::nullopt;
    return "nft refused the ruleset: " + r.error;
}

ApplyResult apply_fail_closed(nft::Context& nft, Prepared& p, const Dynamic& d)
{
    ApplyResult res;
    res.problems = p.problems;
    // A failsafe that a pppd's plugin loaded because lan-interfaces matched
    // its PPPoE carrier stays while they still match it: the full ruleset
    // would take that carrier's segment (the ISP's side) for LAN.
    if (p.settings && !p.wan_in_lan && p.doc) {
        // the mark set alone says failsafe and names its carriers: no rules
        // are listed (a whole-table listing costs about a millisecond)
        auto listed = nft.list_json("list set inet " + std::string(kTable) + " " + std::string(kMarkSet));
        if (listed.ok && loaded_from(listed.output, "-") == Loaded::Failsafe) {
            auto taken = named_carriers_in_lan(*p.doc, listed.output);
            if (!taken.empty()) {
                std::vector<std::string> first;
                for (const auto& t : taken)
                    first.push_back(t.str());
                res.carriers = failsafe_carriers(listed.output);
                std::erase_if(res.carriers, [&](const std::string& c) { return !carrier_in_lan(*p.doc, c); });
                res.problems.insert(res.problems.begin(), first.begin(), first.end());
                res.outcome = Outcome::KeptFailsafe;
                return res;
            }
        }
    }
    if (p.settings) {
        std::optional<std::string> refused;
        if (needs_isolation(p))
            refused = check_isolated(p);
        if (!refused) {
            auto r = run_full(nft, p, d, false, &res.spent);
            if (r.ok) {
                res.outcome = Outcome::Applied;
                return res;
            }
            // One transaction: nothing of it was applied.
            refused = "nft refused the ruleset: " + r.error;
        }
        res.problems.push_back(*refused);
    }
    // What is loaded stays, unless it takes the PPPoE carrier or the link's
    // own interface for LAN (the full ruleset, or a failsafe, of a config
    // whose lan-interfaces matches it): then the failsafe without it
    // replaces it.
    switch (p.wan_in_lan ? Loaded::Missing : inspect(nft, "")) {
    case Loaded::Current:
    case Loaded::Stale: res.outcome = Outcome::KeptPrevious; return res;
    case Loaded::Failsafe: res.outcome = Outcome::KeptFailsafe; return res;
    case Loaded::Missing: break;
    }
    // First the failsafe that keeps the LAN interfaces reachable, then the
    // pure constant one: nothing the user wrote can keep that from loading.
    auto f = nft.run(failsafe_ruleset(p.lan, p.lan_networks, p.wan, p.carrier));
    if (!f.ok)
        f = nft.run(failsafe_ruleset({}, {}, {}, p.carrier));
    if (f.ok) {
        res.outcome = Outcome::FailsafeApplied;
    } else {
        res.outcome = Outcome::FailsafeFailed;
        res.problems.push_back("nft refused even the constant failsafe ruleset (" + f.error +
                               "): THERE IS NO FIREWALL (is nftables in this kernel?)");
    }
    return res;
}

Race raced(std::optional<uint32_t> before, std::optional<uint32_t> after)
{
    if (!before || !after)
        return Race::Unknown;
    return *after - *before == 1 ? Race::None : Race::Raced;  // unsigned: the id wraps
}

ApplyResult apply_current(nft::Context& nft, Prepared& p, const std::function<Dynamic()>& read,
                          const std::function<std::optional<uint32_t>()>& gen, int* loads)
{
    int n = 0;
    std::unique_ptr<nft::Context> held;  // an earlier round's spent context: see ApplyResult::spent
    for (;;) {
        const auto before = gen ? gen() : std::nullopt;
        ApplyResult r = apply_fail_closed(nft, p, read());
        if (!r.spent)
            r.spent = std::move(held);
        if (r.outcome != Outcome::Applied)
            return r;  // nothing of the dynamic part was loaded
        ++n;
        if (loads)
            *loads = n;
        if (!gen || n >= kRaceRounds || raced(before, gen()) != Race::Raced)
            return r;
        held = std::move(r.spent);
    }
}

ForwardingResult set_forwarding(const Settings& s)
{
    ForwardingResult r;
    std::string v4;
    std::string v6;
    (void)text::read_path("/proc/sys/net/ipv4/ip_forward", v4, 16);  // unreadable: "" (TurnOn tries the write)
    (void)text::read_path("/proc/sys/net/ipv6/conf/all/forwarding", v6, 16);
    r.step = forwarding_step(s, v4);
    r.ipv6_missing = ipv6_forwarding_missing(s, v6);
    if (r.step == ForwardingStep::TurnOn) {
        const int fd = ::open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || ::write(fd, "1\n", 2) != 2)
            r.error = errno != 0 ? errno : EIO;
        if (fd >= 0)
            ::close(fd);
    }
    return r;
}

std::vector<ForwardingLine> describe(const ForwardingResult& r)
{
    std::vector<ForwardingLine> out;
    switch (r.step) {
    case ForwardingStep::On: break;
    case ForwardingStep::TurnOn:
        if (r.error == 0)
            out.push_back({false, "IPv4 forwarding turned on (net.ipv4.ip_forward = 1), behind the ruleset's forward "
                                  "chain"});
        else
            out.push_back({true, std::string("cannot turn on IPv4 forwarding (net.ipv4.ip_forward): ") +
                                     std::strerror(r.error) + "; nothing is routed between the LAN and the WAN"});
        break;
    case ForwardingStep::LeaveOff:
        out.push_back({true, "IPv4 forwarding is off and [firewall] forwarding = no: nothing is routed between the "
                             "LAN and the WAN until net.ipv4.ip_forward = 1"});
        break;
    }
    if (r.ipv6_missing)
        out.push_back({true, "IPv6 forwarding is off (net.ipv6.conf.all.forwarding = 0): the LAN's IPv6 is not "
                             "routed; pppkit leaves it to you, because with it on the kernel ignores router "
                             "advertisements on an interface whose accept_ra is not 2 (set accept_ra = 2 on the "
                             "WAN first)"});
    return out;
}

}  // namespace pppkit::firewall
