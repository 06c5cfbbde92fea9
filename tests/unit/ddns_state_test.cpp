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
        // rewriting leaves no temporary files behind, fsynced or not
        REQUIRE_FALSE(write_state(path, back));
        CHECK(::stat((path + ".tmp." + std::to_string(::getpid())).c_str(), &st) != 0);
        s.v4.failures = 4;
        REQUIRE_FALSE(write_state(path, s, false));
        CHECK(::stat((path + ".tmp." + std::to_string(::getpid())).c_str(), &st) != 0);
        CHECK(read_state(path, &corrupt).v4.failures == 4);
        CHECK_FALSE(corrupt);
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

    TEST_CASE("a state file that cannot be read, or is larger than 64 KiB, is corrupt, not an empty or short file")
    {
        bool corrupt = false;
        (void)read_state("/proc/self/mem", &corrupt);  // a regular file whose read() fails with EIO
        CHECK(corrupt);
        State s;
        s.v4.address = "203.0.113.5";
        const std::string path = state_path("statedir", "big");
        REQUIRE_FALSE(write_state(path, s));
        pppkit::test::write_file(path, serialize_state(s) + std::string(70000, '\n'));
        corrupt = false;
        CHECK(read_state(path, &corrupt).v4.address.empty());
        CHECK(corrupt);
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
            {__LINE__, "# pppkit-ddns state 1\nipv4.last-success=9223372036854775807\nend\n",
             true},  // + keep-alive would overflow
            {__LINE__, "# pppkit-ddns state 1\nipv4-floor-until=99999999999999999999\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\nsuspended=maybe\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\nno equals sign\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\nend\nextra=1\n", true},
            {__LINE__, "# pppkit-ddns state 1\nfuture-key=1\nend\n", false},  // newer versions may add keys
            {__LINE__, "# pppkit-ddns state 1\nipv4.address=" + std::string(100, '1') + "\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\npop3-stls=pop.example.net:110\nend\n", false},
            {__LINE__, "# pppkit-ddns state 1\npop3-stls=2001:db8::1:110\nend\n", false},
            {__LINE__, "# pppkit-ddns state 1\npop3-stls=pop.example.net\nend\n", true},  // no port
            {__LINE__, "# pppkit-ddns state 1\npop3-stls=:110\nend\n", true},             // no host
            {__LINE__, "# pppkit-ddns state 1\npop3-stls=a b:110\nend\n", true},
            {__LINE__, "# pppkit-ddns state 1\npop3-stls=h:1100000\nend\n", true},
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

TEST_SUITE("ddns_state")
{
    TEST_CASE("explicit phases: written as ipv4-state (older readers skip it), files without it migrated")
    {
        const std::string old_backoff = "# pppkit-ddns state 1\nfingerprint=\nsuspended=no\nsuspended-why=\n"
                                        "ipv4.address=\nipv4.last-success=0\nipv4.last-attempt=1800000000\n"
                                        "ipv4.outcome=retry-later\nipv4.failures=1\nipv4.next-attempt=1800000600\n"
                                        "ipv4.detail=911\nend\n";
        const std::string old_suspended =
            "# pppkit-ddns state 1\nfingerprint=fp1\nsuspended=yes\nsuspended-why=ipv4: auth-failed (badauth)\n"
            "ipv4.outcome=auth-failed\nend\n";
        struct Row {
            int line;
            std::string text;
            bool corrupt;
            Phase v4, v6;
        };
        const std::vector<Row> rows = {
            {__LINE__, old_backoff, false, Phase::BackingOff, Phase::Idle},
            {__LINE__, old_suspended, false, Phase::Suspended, Phase::Suspended},
            {__LINE__, "# pppkit-ddns state 1\nipv4.outcome=updated\nend\n", false, Phase::Idle, Phase::Idle},
            {__LINE__, "# pppkit-ddns state 1\nipv4-state=backing-off\nipv4.outcome=retry-later\nend\n", false,
             Phase::BackingOff, Phase::Idle},
            {__LINE__, "# pppkit-ddns state 1\nipv4-state=in-flight\nend\n", false, Phase::InFlight, Phase::Idle},
            {__LINE__, "# pppkit-ddns state 1\nipv4-state=bored\nend\n", true, Phase::Idle, Phase::Idle},
            {__LINE__, "# pppkit-ddns state 1\nsuspended=no\nipv4-state=suspended\nend\n", true, Phase::Idle,
             Phase::Idle},  // the two records of a suspension disagree
            {__LINE__, "# pppkit-ddns state 1\nipv4-floor-until=-5\nend\n", true, Phase::Idle, Phase::Idle},
            {__LINE__, "# pppkit-ddns state 1\nipv4-from-the-future=1\nend\n", false, Phase::Idle, Phase::Idle},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            bool corrupt = !r.corrupt;
            State s = parse_state(r.text, &corrupt);
            CHECK(corrupt == r.corrupt);
            CHECK(phase_of(s, Family::V4) == r.v4);
            CHECK(phase_of(s, Family::V6) == r.v6);
        }
        // A migrated backoff: the attempted address is unknown, so no trigger cuts the wait short.
        Profile p;
        p.provider = Provider::Dyndns2;
        State s = parse_state(old_backoff);
        CHECK(s.v4.attempted.empty());
        Decision d = decide(p, s, Family::V4, "203.0.113.9", "", 1800000010, false);
        CHECK(d.action == Action::Wait);
        CHECK(d.at == 1800000600);
        // Every new key lies outside the "ipv4." prefix that format-1 readers check strictly.
        std::string text = serialize_state(s);
        size_t pos = 0;
        while ((pos = text.find("\nipv", pos)) != std::string::npos) {
            ++pos;
            std::string key = text.substr(pos, text.find('=', pos) - pos);
            bool old_key = key.find("-state") == std::string::npos && key.find("-attempted") == std::string::npos &&
                           key.find("-floor-until") == std::string::npos;
            CAPTURE(key);
            CHECK(old_key == (key.substr(4, 1) == "."));
        }
    }

    TEST_CASE("server text reaches the state file escaped and bounded (issue 12 §5)")
    {
        Profile p;
        p.provider = Provider::Dyndns2;
        State s;
        Answer a;
        a.outcome = Outcome::Updated;
        a.detail = "good 203.0.113.7\x1b[2J" + std::string(5000, 'A');
        a.echoed = "203.0.113.7\x1b[2J";  // a module that forgot to check: record() checks again
        record(s, p, Family::V4, "", a, "fp", 1800000000, 0.0);
        CHECK(s.v4.address.empty());
        std::string text = serialize_state(s);
        CHECK(text.find('\x1b') == std::string::npos);
        CHECK(text.size() < 1500);
        a.outcome = Outcome::AuthFailed;
        a.detail = "badauth\nJan 01 00:00:00 router pppkit: fake line";
        record(s, p, Family::V4, "203.0.113.7", a, "fp", 1800000001, 0.0);
        text = serialize_state(s);
        CHECK(text.find("\nJan 01") == std::string::npos);
        bool corrupt = true;
        State back = parse_state(text, &corrupt);
        CHECK_FALSE(corrupt);
        CHECK(back.suspended_why == "ipv4: auth-failed (badauth\\x0aJan 01 00:00:00 router pppkit: fake line)");
        // an older file with raw escapes in it is escaped on reading
        State old = parse_state("# pppkit-ddns state 1\nipv4.detail=x\x1b[2J\nipv4.address=203.0.113.7\x1b\nend\n");
        CHECK(old.v4.detail == "x\\x1b[2J");
        CHECK(old.v4.address.empty());
        // an address with NUL bytes after it is no address (fuzz/ddns_state)
        State nul = parse_state(std::string("# pppkit-ddns state 1\nipv4.address=203.0.113.7\0\x01\nend\n", 53));
        CHECK(nul.v4.address.empty());
    }
}

TEST_SUITE("ddns_state")
{
    // tls = auto takes STLS when CAPA lists it; the state remembers where it
    // did, so that a CAPA without STLS there later (stripped on the path) is
    // refused instead of sending the password in plain text (io/pop3.cpp).
    TEST_CASE("pop3-stls: an answer that took STLS pins its server, whatever its outcome; the pin survives the file")
    {
        Profile p;
        p.name = "pop";
        struct Row {
            int line;
            Outcome outcome;
            std::string stls_at;
            std::string before;
            std::string want;
        };
        const std::vector<Row> rows = {
            {__LINE__, Outcome::Updated, "pop.example.net:110", "", "pop.example.net:110"},
            {__LINE__, Outcome::AuthFailed, "pop.example.net:110", "", "pop.example.net:110"},
            {__LINE__, Outcome::RetryLater, "pop.example.net:110", "", "pop.example.net:110"},
            // no STLS on this attempt (POP3S, tls = none, refused before TLS): the pin stays
            {__LINE__, Outcome::ProtocolError, "", "pop.example.net:110", "pop.example.net:110"},
            {__LINE__, Outcome::Updated, "", "", ""},
            // another server took it: the pin follows
            {__LINE__, Outcome::Updated, "pop2.example.net:110", "pop.example.net:110", "pop2.example.net:110"},
            // never from a value the file could not hold
            {__LINE__, Outcome::Updated, "bad host:110", "", ""},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            State s;
            s.pop3_stls = r.before;
            Answer a;
            a.outcome = r.outcome;
            a.stls_at = r.stls_at;
            record(s, p, Family::V4, "", a, "fp", 1800000000, 0.0);
            CHECK(s.pop3_stls == r.want);
            bool corrupt = true;
            CHECK(parse_state(serialize_state(s), &corrupt).pop3_stls == r.want);
            CHECK_FALSE(corrupt);
        }
    }
}
