// supervisor_peer_options_test.cpp - scan_options (core/peer_options.hpp):
// does a pppd options file load a pppkit plugin, which files it names, and
// does it turn on pppd's debug.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/peer_options.hpp"

using namespace pppkit::supervisor;

TEST_SUITE("supervisor")
{
    TEST_CASE("scan_options: a pppkit plugin, and the files and peers an options file names, by row")
    {
        struct Row {
            int line;
            std::string text;
            bool plugin;
            std::vector<std::string> files, calls;
        };
        const std::vector<Row> rows = {
            {__LINE__, "plugin pppkit-mss.so\n", true, {}, {}},
            {__LINE__, "plugin /usr/lib/pppd/2.4.9/pppkit-firewall.so\n", true, {}, {}},
            {__LINE__, "plugin \"/opt/my dir/pppkit-ddns.so\"\n", true, {}, {}},
            {__LINE__, "plugin 'pppkit-mss.so'", true, {}, {}},  // no final newline
            {__LINE__, "noauth plugin rp-pppoe.so nic-eth0 plugin pppkit-mss.so", true, {}, {}},
            {__LINE__, "plugin rp-pppoe.so\nnic-eth0\npersist\n", false, {}, {}},
            {__LINE__, "# plugin pppkit-mss.so\n", false, {}, {}},
            {__LINE__, "persist # plugin pppkit-mss.so\n", false, {}, {}},
            {__LINE__, "plugin my-pppkit-mss.so\n", false, {}, {}},  // the file name must start with pppkit-
            {__LINE__, "plugin /pppkit-dir/rp-pppoe.so\n", false, {}, {}},
            {__LINE__, "plugin\n", false, {}, {}},  // no argument: pppd refuses it
            {__LINE__, "user \"plugin\" password pppkit-x\n", false, {}, {}},
            {__LINE__, "ipparam plugin pppkit-mss.so\n", false, {}, {}},  // "plugin" is ipparam's value
            {__LINE__, "user file\nremotename call\nname plugin\n", false, {}, {}},
            {__LINE__, "password plugin plugin pppkit-mss.so\n", true, {}, {}},
            {__LINE__, "pppoe-service plugin nic-eth0 plugin pppkit-firewall.so\n", true, {}, {}},
            {__LINE__, "noipdefault plugin pppkit-mss.so\n", true, {}, {}},  // a flag takes no argument
            {__LINE__, "connect 'plugin pppkit-mss.so'\n", false, {}, {}},
            {__LINE__, "ipparam\n", false, {}, {}},                   // no argument: pppd refuses it
            {__LINE__, "plugin\\ x pppkit-mss.so\n", false, {}, {}},  // "plugin x" is one word
            {__LINE__, "file /etc/ppp/more\ncall other\nfile \"/a b\"\n", false, {"/etc/ppp/more", "/a b"}, {"other"}},
            {__LINE__, "file plugin\nplugin pppkit-mss.so\n", true, {"plugin"}, {}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            const OptionsScan s = scan_options(r.text);
            CHECK(s.pppkit_plugin == r.plugin);
            CHECK(s.files == r.files);
            CHECK(s.calls == r.calls);
        }
    }

    TEST_CASE("scan_options: pppd's debug, and show-password after hide-password, by row")
    {
        struct Row {
            int line;
            std::string text;
            bool debug;
            std::optional<bool> show;
            bool plugin;
        };
        const std::vector<Row> rows = {
            {__LINE__, "debug\n", true, {}, false},
            {__LINE__, "debug", true, {}, false},  // the last word, no newline: a flag takes no argument
            {__LINE__, "-d\n", true, {}, false},
            {__LINE__, "noauth\ndebug plugin pppkit-mss.so\n", true, {}, true},  // the word after a flag is an option
            {__LINE__, "#debug\n", false, {}, false},
            {__LINE__, "persist # debug\n", false, {}, false},
            {__LINE__, "kdebug 1\n", false, {}, false},    // the kernel driver's, not pppd's packets
            {__LINE__, "user debug\n", false, {}, false},  // "debug" is the user name
            {__LINE__, "ipparam -d\n", false, {}, false},  // ipparam's value
            {__LINE__, "debugging\n", false, {}, false},
            {__LINE__, "show-password\n", false, true, false},
            {__LINE__, "show-password\nhide-password\n", false, false, false},  // the last one wins
            {__LINE__, "hide-password debug show-password\n", true, true, false},
            {__LINE__, "password show-password\n", false, {}, false},  // the password's value
            {__LINE__, "plugin pppkit-mss.so debug\n", true, {}, true},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            const OptionsScan s = scan_options(r.text);
            CHECK(s.debug == r.debug);
            CHECK(s.show_password == r.show);
            CHECK(s.pppkit_plugin == r.plugin);
        }
    }
}
