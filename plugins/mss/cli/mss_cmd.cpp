// pppkit mss show|apply|remove IFNAME [MTU] | remove --all
// (see plugins/mss/README.md).
//
// The same core (mss/core) and kernel code (mss/core/apply) as pppkit-mss.so, run by hand:
// to see what the plugin would install for a link, to install it without
// pppd (tests, debugging) and to clean up after a crashed pppd. Reads the
// [mss] section of pppkit.conf (or --config FILE) exactly as the plugin does;
// pppd options (pppkit-mss ...) are not seen here.
// Exit status: 0 done, 1 nftables refused, the ruleset cannot be read (no
// CAP_NET_ADMIN) or the MTU cannot be read,
// 2 usage or configuration error.
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "common/cli.hpp"
#include "common/nft.hpp"
#include "common/schema.hpp"
#include "mss/core/apply.hpp"
#include "mss/core/mss.hpp"
#include "registry.hpp"

namespace pppkit::cli {
namespace {

int usage()
{
    std::fprintf(stderr, "usage: pppkit [--config FILE] mss show|apply|remove IFNAME [MTU]\n"
                         "       pppkit mss remove --all\n"
                         "  show    print the table and the elements pppkit-mss would install for IFNAME,\n"
                         "          and what is installed now\n"
                         "  apply   install them (replaces IFNAME's elements in table inet pppkit_mss)\n"
                         "  remove  delete IFNAME's elements (cleanup after a crashed pppd)\n"
                         "  remove --all  delete table inet pppkit_mss, every link's clamp with it\n"
                         "  MTU     default: the interface's current MTU\n");
    return 2;
}

// The kernel's MTU of ifname, or the errno text.
std::optional<int> read_mtu(const std::string& ifname, std::string& err)
{
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err = std::strerror(errno);
        return std::nullopt;
    }
    ifreq req{};
    std::snprintf(req.ifr_name, sizeof req.ifr_name, "%s", ifname.c_str());
    int rc = ::ioctl(fd, SIOCGIFMTU, &req);
    int saved = errno;
    ::close(fd);
    if (rc != 0) {
        err = std::strerror(saved);
        return std::nullopt;
    }
    return req.ifr_mtu;
}

}  // namespace

int mss(const Args& in)
{
    Args args = in;
    bool explicit_path = false;
    std::string path = take_config(args, explicit_path);
    if (args.size() < 2 || args.size() > 3)
        return usage();
    const std::string& verb = args[0];
    const std::string& ifname = args[1];
    if (verb != "show" && verb != "apply" && verb != "remove")
        return usage();
    if (!mss::valid_ifname(ifname)) {
        std::fprintf(stderr, "pppkit mss: unusable interface name '%s'\n", ifname.c_str());
        return 2;
    }

    mss::Kernel k;
    if (verb == "remove" && ifname == "--all") {
        if (args.size() != 2)
            return usage();
        auto r = k.nft.run(mss::removal());
        if (!r.ok) {
            std::fprintf(stderr, "pppkit mss: nft refused to delete table inet pppkit_mss: %s\n", r.error.c_str());
            return 1;
        }
        std::printf("deleted table inet pppkit_mss (if it existed)\n");
        return 0;
    }
    if (verb == "remove") {
        auto p = mss::purge(k, ifname);
        if (p.outcome == mss::Outcome::Failed) {
            std::fprintf(stderr, "pppkit mss: %s\n", p.error.c_str());
            return 1;
        }
        const int n = p.removed;
        if (n == 0)
            std::printf("%s has no MSS clamp in table inet pppkit_mss\n", ifname.c_str());
        else
            std::printf("removed the MSS clamp of %s (%d element%s)\n", ifname.c_str(), n, n == 1 ? "" : "s");
        return 0;
    }

    auto cfg = load_config(path, explicit_path);
    for (const auto& d : cfg.diags)
        std::fprintf(stderr, "%s\n", d.str().c_str());
    if (!cfg.ok())
        return 2;
    const mss::Settings settings = mss::from_config(cfg.doc);

    int mtu = 0;
    if (args.size() == 3) {
        auto n = config::parse_int(args[2]);
        if (!n || *n < 68 || *n > 65535) {
            std::fprintf(stderr, "pppkit mss: MTU must be 68-65535 (got '%s')\n", args[2].c_str());
            return 2;
        }
        mtu = static_cast<int>(*n);
    } else {
        std::string err;
        auto m = read_mtu(ifname, err);
        if (!m) {
            std::fprintf(stderr, "pppkit mss: cannot read the MTU of %s (%s); give it: pppkit mss %s %s MTU\n",
                         ifname.c_str(), err.c_str(), verb.c_str(), ifname.c_str());
            return 1;
        }
        mtu = *m;
    }

    auto clamp = mss::compute(settings, mtu);
    auto want = mss::entries(settings, clamp);
    const bool above = mss::fit(settings, clamp, mtu) == mss::Fit::AboveMtu;
    if (verb == "show") {
        std::printf("%s%s\n", mss::describe(ifname, settings, clamp, mtu).c_str(),
                    settings.enabled ? "" : " - but [mss] enabled = no: the plugin installs nothing");
        if (above)
            std::printf("warning: %s\n", mss::above_mtu(ifname, settings, mtu).c_str());
        std::printf("# the table every link shares (installed before the first ip-up):\n%s", mss::base_table().c_str());
        std::printf("# the transaction pppkit-mss runs on ip-up (ipv6-up finds it done):\n%s",
                    mss::add_entries(ifname, want).c_str());
        auto l = mss::list(k);
        if (!l.ok) {
            std::fprintf(stderr, "pppkit mss: %s\n", l.error.c_str());
            return 1;
        }
        auto live = l.table ? k.nft.run("list table inet pppkit_mss") : nft::Result{};
        if (live.ok)
            std::printf("# installed now:\n%s\n", live.output.c_str());
        else if (!l.table)
            std::printf("# installed now: nothing (no table inet pppkit_mss)\n");
        else {  // deleted between the two reads, or refused
            std::fprintf(stderr, "pppkit mss: cannot read the ruleset: %s\n", mss::first_line(live.error).c_str());
            return 1;
        }
        return 0;
    }

    // apply
    if (!settings.enabled) {
        std::printf("[mss] enabled = no in %s: nothing installed\n", path.c_str());
        return 0;
    }
    auto r = mss::replace_link(k, ifname, want);
    if (!r.ok()) {
        std::fprintf(stderr, "pppkit mss: nft refused the MSS clamp for %s: %s\n", ifname.c_str(), r.error.c_str());
        return 1;
    }
    if (r.outcome == mss::Outcome::Recreated)
        std::printf("table inet pppkit_mss had another shape (%s): deleted and created it again; other links lose "
                    "their clamp until their next ip-up\n",
                    r.error.c_str());
    std::printf("%s, in table inet pppkit_mss\n", mss::describe(ifname, settings, clamp, mtu).c_str());
    if (above)
        std::printf("warning: %s\n", mss::above_mtu(ifname, settings, mtu).c_str());
    return 0;
}

constinit const Plugin mss_plugin{.name = "mss",
                                  .usage = "show|apply|remove IFNAME [MTU]",
                                  .summary = "MSS clamp rules by hand (see pppkit-mss(8))",
                                  .command = &mss};

}  // namespace pppkit::cli
