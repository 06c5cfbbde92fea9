// supervisor_host_name_test.cpp - host_name::resolves_locally
// (core/host_name.hpp): does this host's own name resolve without DNS.
#include <doctest/doctest.h>

#include <string>

#include "core/host_name.hpp"

using namespace pppkit::supervisor;

TEST_SUITE("supervisor")
{
    TEST_CASE("host_name: the own name in /etc/hosts or by nss-myhostname, by row")
    {
        const std::string debian = "127.0.0.1\tlocalhost\n::1     localhost ip6-localhost ip6-loopback\n";
        const std::string files_dns = "passwd: files\nhosts:          files dns\n";
        struct Row {
            std::string name, hosts, nsswitch;
            int line;
            bool local;
        };
        const Row rows[] = {
            // the seed: renamed to router2, /etc/hosts still names the old name
            {"router2", debian + "127.0.1.1\tubuntu\n", files_dns, __LINE__, false},
            {"router2", debian + "127.0.1.1\trouter2\n", files_dns, __LINE__, true},  // the user's fix
            {"router2", debian + "127.0.1.1 router2.example.org router2\n", files_dns, __LINE__, true},
            {"ROUTER2", debian + "127.0.1.1 router2\n", files_dns, __LINE__, true},     // names compare without case
            {"router2", debian + "# 127.0.1.1 router2\n", files_dns, __LINE__, false},  // a comment
            {"router2", debian + "127.0.1.1 router1 # router2\n", files_dns, __LINE__, false},  // a trailing one
            {"router2", "router2\n", files_dns, __LINE__, false},                    // a name alone is no entry
            {"router", debian + "127.0.1.1 router2\n", files_dns, __LINE__, false},  // whole names only
            {"router2", debian + "127.0.1.1 router2", files_dns, __LINE__, true},    // no final newline
            {"router2", debian + "127.0.1.1 router2\r\n", files_dns, __LINE__, true},
            {"router2", debian, "hosts: files myhostname dns\n", __LINE__, true},  // nss-myhostname answers
            {"router2", debian, "hosts: files dns # myhostname\n", __LINE__, false},
            {"router2", debian, "hosts: files dns\nnetworks: myhostname\n", __LINE__, false},
            {"router2", "", "", __LINE__, false},  // neither file readable
            {"", debian, "hosts: files myhostname\n", __LINE__, false},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(host_name::resolves_locally(r.name, r.hosts, r.nsswitch) == r.local);
        }
        CHECK(host_name::warning("router2") ==
              "/etc/hosts: this host's name 'router2' is not in it: its lookups (sudo: 'unable to resolve host "
              "router2') go to the DNS servers the link brings, and wait for them while the link is down; add a "
              "line '127.0.1.1 router2' to /etc/hosts");
    }
}
