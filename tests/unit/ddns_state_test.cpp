// The DDNS state file (plugins/ddns/core/state.cpp): round trip, atomic
// write, and corrupt files read as unknown state.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "ddns/core/state.hpp"
#include "testutil.hpp"

using namespace pppkit::ddns;

TEST_SUITE("ddns_state")
{
    TEST_CASE("round trip through text and through the file")
    {
        State s;
        s.fingerprint = "0123456789abcdef";
        s.suspended = true;
        s.suspended_why = "ipv4: auth-failed (badauth)";
        s.v4.address = "203.0.113.5";
        s.v4.last_success = 1800000000;
        s.v4.last_attempt = 1800000100;
        s.v4.outcome = Outcome::AuthFailed;
        s.v4.failures = 3;
        s.v4.next_attempt = 1800000200;
        s.v4.detail = "badauth";
        s.v6.address = "2001:db8::1";
        s.v6.outcome = Outcome::Unchanged;
        bool corrupt = true;
        State back = parse_state(serialize_state(s), &corrupt);
        CHECK_FALSE(corrupt);
        CHECK(serialize_state(back) == serialize_state(s));

        std::string path = state_path("statedir", "home");
        CHECK(path == "statedir/ddns/home.state");
        REQUIRE_FALSE(write_state(path, s));
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        REQUIRE(::stat("statedir/ddns", &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
        State f = read_state(path, &corrupt);
        CHECK_FALSE(corrupt);
        CHECK(f.v4.failures == 3);
        CHECK(f.v6.address == "2001:db8::1");
        // rewriting leaves no temporary files behind
        REQUIRE_FALSE(write_state(path, back));
        CHECK(::stat((path + ".tmp." + std::to_string(::getpid())).c_str(), &st) != 0);
    }

    TEST_CASE("a missing file is unknown, not corrupt; a newline in a detail cannot forge a line")
    {
        bool corrupt = true;
        State s = read_state("nowhere/ddns/x.state", &corrupt);
        CHECK_FALSE(corrupt);
        CHECK_FALSE(s.v4.outcome);
        State inj;
        inj.v4.outcome = Outcome::RetryLater;
        inj.v4.detail = "x\nsuspended=yes";
        State back = parse_state(serialize_state(inj), &corrupt);
        CHECK_FALSE(corrupt);
        CHECK_FALSE(back.suspended);
    }

    TEST_CASE("corrupt state files read as unknown state, never a crash")
    {
        const std::string good = serialize_state([] {
            State s;
            s.v4.address = "203.0.113.5";
            s.v4.outcome = Outcome::Updated;
            s.v4.last_success = 5;
            return s;
        }());
        struct Row {
            int line;
            std::string text;
            bool corrupt;
        };
        const std::vector<Row> rows = {
            {__LINE__, "", false},  // empty: unknown
            {__LINE__, good, false},
            {__LINE__, good.substr(0, good.size() / 2), true},  // truncated mid-way
            {__LINE__, good.substr(0, good.size() - 1), true},  // no final newline
            {__LINE__, good.substr(0, good.size() - 4), true},  // "end" missing
            {__LINE__, "garbage\n", true},
            {__LINE__, std::string(5000, '\0'), true},
            {__LINE__, "# pppkit-ddns state 1\nipv4.failures=-3\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\nipv4.outcome=splendid\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\nipv4.last-success=12x\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\nsuspended=maybe\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\nno equals sign\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\nend\nextra=1\n", true},
            {__LINE__, "# pppkit-ddns state 1\nfuture-key=1\nend\n", false},  // newer versions may add keys
            {__LINE__, "# pppkit-ddns state 1\nipv4.address=" + std::string(100, '1') + "\nend\n", true},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            bool corrupt = !r.corrupt;
            State s = parse_state(r.text, &corrupt);
            CHECK(corrupt == r.corrupt);
            if (r.corrupt) {
                CHECK_FALSE(s.v4.outcome);
                CHECK_FALSE(s.suspended);
                CHECK(s.v4.failures == 0);
            }
        }
        pppkit::test::write_file("bad.state", "# pppkit-ddns state 1\nipv4.outcome=");
        bool corrupt = false;
        State s = read_state("bad.state", &corrupt);
        CHECK(corrupt);
        CHECK_FALSE(s.v4.outcome);
    }
}
