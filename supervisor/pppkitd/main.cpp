// pppkitd - the pppkit supervisor (see pppkitd(8)).
#include <cstdio>
#include <cstring>
#include <string>

#include "pppkitd/daemon.hpp"

namespace {
int usage(FILE* to)
{
    std::fprintf(to, "usage: pppkitd [--config FILE] [--runtime-dir DIR] [--state-dir DIR] [--pppd PATH]\n"
                     "               [--ppp-dir DIR]\n"
                     "  --config FILE       pppkit.conf (default /etc/ppp/pppkit.conf)\n"
                     "  --runtime-dir DIR   event, control and status sockets (default /run/pppkit)\n"
                     "  --state-dir DIR     the links' last PPPoE session (default: [pppkit] state-dir,\n"
                     "                      /var/lib/pppkit)\n"
                     "  --pppd PATH         the pppd to start (default /usr/sbin/pppd)\n"
                     "  --ppp-dir DIR       where that pppd reads options and peers/NAME (default /etc/ppp):\n"
                     "                      a peer without a pppkit plugin is started with maxfail 1\n");
    return to == stdout ? 0 : 2;
}
}  // namespace

int main(int argc, char** argv)
{
    pppkit::supervisor::Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc || argv[i + 1][0] != '/')
                return false;
            out = argv[++i];
            return true;
        };
        if (a == "--config") {
            if (!value(o.config))
                return usage(stderr);
            o.config_explicit = true;
        } else if (a == "--runtime-dir") {
            if (!value(o.runtime_dir))
                return usage(stderr);
        } else if (a == "--state-dir") {
            if (!value(o.state_dir))
                return usage(stderr);
            o.state_dir_explicit = true;
        } else if (a == "--pppd") {
            if (!value(o.pppd))
                return usage(stderr);
        } else if (a == "--ppp-dir") {
            if (!value(o.ppp_dir))
                return usage(stderr);
        } else if (a == "--help" || a == "-h") {
            return usage(stdout);
        } else if (a == "--version") {
            std::printf("pppkitd %s\n", PPPKIT_VERSION);
            return 0;
        } else {
            std::fprintf(stderr, "pppkitd: unknown argument '%s' (paths must be absolute)\n", a.c_str());
            return usage(stderr);
        }
    }
    try {
        pppkit::supervisor::Daemon d(o);
        return d.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pppkitd: %s\n", e.what());
        return 1;
    }
}
