// Unit tests of the interface of each adopted pppd (supervisor/core/adopt.cpp).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "core/adopt.hpp"

using namespace pppkit::supervisor;

TEST_SUITE("supervisor")
{
    TEST_CASE("adopted_ifnames: pid files first, then the one interface no pppd claims")
    {
        struct Row {
            int line;
            std::vector<std::string> pid_file;  // per adopted pppd, in /proc order
            std::set<std::string> p2p;
            std::vector<std::string> want;
        };
        const std::vector<Row> rows = {
            {__LINE__, {"ppp0"}, {"ppp0"}, {"ppp0"}},
            {__LINE__, {""}, {"ppp0"}, {"ppp0"}},      // pid file rewritten by another netns's pppd
            {__LINE__, {"ppp3"}, {"ppp0"}, {"ppp0"}},  // a file naming another netns's interface
            {__LINE__, {""}, {}, {""}},                // still dialling: no interface yet
            {__LINE__, {""}, {"ppp0", "ppp1"}, {""}},  // an unsupervised pppd too: no guess
            {__LINE__, {"ppp0", "ppp1"}, {"ppp0", "ppp1"}, {"ppp0", "ppp1"}},
            // two links, the first one's /run/ppp0.pid overwritten: the second
            // one's file claims ppp1 before the first is guessed (was: none)
            {__LINE__, {"", "ppp1"}, {"ppp0", "ppp1"}, {"ppp0", "ppp1"}},
            {__LINE__, {"ppp0", ""}, {"ppp0", "ppp1"}, {"ppp0", "ppp1"}},
            {__LINE__, {"", ""}, {"ppp0", "ppp1"}, {"", ""}},  // two unknown: no guess
            {__LINE__, {"", ""}, {"ppp0"}, {"", ""}},          // either could own it
            {__LINE__, {"", "ppp1"}, {"ppp1"}, {"", "ppp1"}},  // the first is still dialling
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(adopted_ifnames(r.pid_file, r.p2p) == r.want);
        }
    }
}

TEST_SUITE("supervisor")
{
    TEST_CASE("called_peer: the NAME of pppd call NAME in /proc/PID/cmdline")
    {
        using namespace std::string_literals;
        struct Row {
            int line;
            std::string cmdline;
            std::string want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "/usr/sbin/pppd\0call\0dsl\0nodetach\0"s, "dsl"},
            {__LINE__, "pppd\0call\0dsl-provider\0"s, "dsl-provider"},
            {__LINE__, "pppd\0nodetach\0call\0x\0"s, "x"},
            {__LINE__, "/usr/sbin/pppd\0call\0"s, ""},          // no NAME after call
            {__LINE__, "/usr/sbin/pppd\0file\0/etc/x\0"s, ""},  // not a call
            {__LINE__, "/usr/sbin/pppoe-server\0call\0x\0"s, ""},
            {__LINE__, "/usr/sbin/notpppd\0call\0x\0"s, ""},
            {__LINE__, "/bin/sh\0/usr/sbin/pppd\0call\0x\0"s, ""},  // a shell running a script named pppd
            {__LINE__, "pppd"s, ""},
            {__LINE__, ""s, ""},  // a process gone meanwhile: empty cmdline
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(called_peer(r.cmdline) == r.want);
        }
    }
}

TEST_SUITE("supervisor")
{
    TEST_CASE("root_called_peer: only a pppd running as root is adopted, watched or signalled")
    {
        using namespace std::string_literals;
        const std::string call = "/usr/sbin/pppd\0call\0dsl\0nodetach\0"s;
        const std::string head = "Name:\tpppd\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t812\n";
        struct Row {
            int line;
            std::string cmdline;
            std::string status;
            std::string want;
        };
        const std::vector<Row> rows = {
            {__LINE__, call, head + "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n", "dsl"},
            // Debian's setuid pppd started with pon by a member of group dip: the user's
            // (its poff or failed logins would stop root's link), as a setuid su look-alike
            {__LINE__, call, head + "Uid:\t1000\t0\t0\t0\nGid:\t30\t30\t30\t30\n", ""},
            {__LINE__, call, head + "Uid:\t65534\t0\t0\t0\n", ""},
            {__LINE__, call, head + "Uid:\t0\t0\t0\t1000\n", ""},
            {__LINE__, call, head + "Uid:\t0\t0\t1000\t0\n", ""},
            // a user's look-alike: argv says "pppd call dsl", the process is not root
            {__LINE__, call, head + "Uid:\t1000\t1000\t1000\t1000\n", ""},
            {__LINE__, call, head + "Uid:\t0\t1000\t1000\t1000\n", ""},  // root dropped to a user
            {__LINE__, call, "Uid:\t0\t0\t0\t0\n", "dsl"},               // the first line
            {__LINE__, call, head + "Uid:\t0\t0\t0\n", ""},              // not four ids
            {__LINE__, call, head + "Uid:\t00\t00\t0\t0\n", ""},         // not the kernel's text
            {__LINE__, call, head + "Gid:\t0\t0\t0\t0\n", ""},           // no Uid line
            {__LINE__, call, head + "XUid:\t0\t0\t0\t0\n", ""},
            {__LINE__, call, "", ""},                                           // gone meanwhile
            {__LINE__, "/bin/sleep\0100\0"s, head + "Uid:\t0\t0\t0\t0\n", ""},  // root, not pppd call
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(root_called_peer(r.cmdline, r.status) == r.want);
        }
    }
}
