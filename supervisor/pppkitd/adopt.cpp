// adopt.cpp - re-adopting a running pppd when pppkitd starts. After a crash
// or kill -9 of pppkitd, systemd restarts it (Restart=on-failure) and the
// pppd it had started is still running (KillMode=process): it is found in
// /proc as "pppd call NAME" running as root (root_called_peer) and watched
// by pidfd instead of a second pppd being started. Its plugin says nothing
// until the next phase change, so the link's interface comes from pppd's
// /run/pppN.pid (or is the only ppp interface of this netns no other link
// claims) and its addresses from the kernel. Runs once, on the loop's thread,
// before the autostart links start.
#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <charconv>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.hpp"
#include "core/adopt.hpp"
#include "pppkitd/daemon.hpp"
#include "pppkitd/journal.hpp"

namespace pppkit::supervisor {
namespace {

// The leading decimal number of S (a pid file, a /proc entry); 0 if none.
long number(const std::string& s)
{
    long v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

// The whole file; empty when it cannot be read: /proc/PID/cmdline of a
// process that exits meanwhile fails (ESRCH).
std::string read_all(const std::string& p)
{
    constexpr std::size_t kLimit = std::size_t{1} << 20;  // a pid file, /proc/PID/{cmdline,status}
    std::string s;
    if (text::read_path(p, s, kLimit) != 0)
        s.clear();
    return s;
}

// The names in directory dir but "." and ".."; none when it cannot be read.
std::vector<std::string> entries(const char* dir)
{
    std::vector<std::string> names;
    if (DIR* d = ::opendir(dir)) {
        while (const dirent* e = ::readdir(d)) {
            const std::string_view n = e->d_name;
            if (n != "." && n != "..")
                names.emplace_back(n);
        }
        ::closedir(d);
    }
    return names;
}

// pppd writes its pid into /run/IFNAME.pid while the interface exists.
std::string ifname_of(pid_t pid)
{
    constexpr std::string_view kSuffix = ".pid";
    for (const auto& n : entries("/run")) {
        if (n.rfind("ppp", 0) != 0 || n.rfind("ppp-", 0) == 0 || n.size() <= kSuffix.size() ||
            n.compare(n.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
            continue;
        if (number(read_all("/run/" + n)) == pid)
            return n.substr(0, n.size() - kSuffix.size());
    }
    return {};
}

}  // namespace

std::string running_peer(pid_t pid)
{
    const std::string proc = "/proc/" + std::to_string(pid);
    return root_called_peer(read_all(proc + "/cmdline"), read_all(proc + "/status"));
}

CheckedPppd open_pppd(pid_t pid, const std::string& name)
{
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0)
        return {PppdCheck::Gone, -1};
    if (running_peer(pid) != name) {  // also a zombie: its cmdline is empty
        ::close(pidfd);
        return {PppdCheck::NotPppd, -1};
    }
    return {PppdCheck::Pppd, pidfd};
}

void Daemon::adopt_running()
{
    // every "pppd call NAME" of a configured link, first, so that the
    // interfaces their pid files name are known before any guess
    std::vector<Link*> adopted;
    std::vector<std::string> pid_file_ifname;
    for (const auto& pidstr : entries("/proc")) {
        if (pidstr.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const std::string proc = "/proc/" + pidstr;
        const std::string peer = root_called_peer(read_all(proc + "/cmdline"), read_all(proc + "/status"));
        if (peer.empty())
            continue;
        for (auto& lp : links_) {
            Link& l = *lp;
            if (l.cfg.name != peer || l.pid != 0)
                continue;
            const auto pid = static_cast<pid_t>(number(pidstr));
            const CheckedPppd c = open_pppd(pid, l.cfg.name);  // the pidfd, then the check again
            if (c.check != PppdCheck::Pppd)
                continue;  // gone meanwhile, or the pid was reused
            watch_adopted(l, pid, c.pidfd);
            adopted.push_back(&l);
            pid_file_ifname.push_back(ifname_of(pid));
        }
    }
    if (adopted.empty())
        return;
    // IPv4 of each point-to-point ppp* interface of this netns
    std::map<std::string, std::pair<std::string, std::string>> p2p;
    ifaddrs* ifa = nullptr;
    if (getifaddrs(&ifa) == 0) {
        for (auto* i = ifa; i != nullptr; i = i->ifa_next) {
            if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_POINTOPOINT) == 0 ||
                std::string(i->ifa_name).rfind("ppp", 0) != 0)
                continue;
            char a[INET_ADDRSTRLEN] = "", d[INET_ADDRSTRLEN] = "";
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr, a, sizeof a);
            if (i->ifa_dstaddr != nullptr)
                inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(i->ifa_dstaddr)->sin_addr, d, sizeof d);
            p2p[i->ifa_name] = {a, d};
        }
        freeifaddrs(ifa);
    }
    std::set<std::string> names;
    for (const auto& [n, _] : p2p)
        names.insert(n);
    const auto ifnames = adopted_ifnames(pid_file_ifname, names);
    for (size_t i = 0; i < adopted.size(); ++i) {
        Link& l = *adopted[i];
        l.ifname = ifnames[i];
        if (auto it = p2p.find(l.ifname); it != p2p.end()) {
            l.local4 = it->second.first;
            l.remote4 = it->second.second;
        }
        feed(l, l.local4.empty() ? Input::Hello : Input::NetworkUp);
        jlog::link(LOG_NOTICE, jlog::kAdopt, l,
                   "pppd pid " + std::to_string(l.pid) +
                       (l.local4.empty() ? " has no IPv4 address yet" + (l.ifname.empty() ? "" : " on " + l.ifname)
                                         : " was already up on " + l.ifname + ": " + l.local4));
    }
}

}  // namespace pppkit::supervisor
