// The DDNS send policy (plugins/ddns/core/state.cpp): backoff schedule,
// keep-alive, min-interval, suspension until config or secrets change.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ddns/core/state.hpp"

using namespace pppkit::ddns;

namespace {
Profile profile(Provider prov, long keepalive, long min_interval = 0)
{
    Profile p;
    p.name = "home";
    p.provider = prov;
    p.keepalive_s = keepalive;
    p.min_interval_s = min_interval;
    return p;
}
Answer answer(Outcome o, Transient t = Transient::None, long floor = 0)
{
    Answer a;
    a.outcome = o;
    a.transient = t;
    a.floor_s = floor;
    a.detail = std::string(outcome_name(o));
    return a;
}
}  // namespace

TEST_SUITE("ddns_policy")
{
    TEST_CASE("backoff: 30 s doubling to 1 h, jitter only downwards, quick DNS retries, provider floors")
    {
        struct Row {
            int line;
            int failures;
            Transient why;
            long floor;
            double u;
            long want;
        };
        const std::vector<Row> rows = {
            {__LINE__, 1, Transient::Other, 0, 0.0, 30},
            {__LINE__, 2, Transient::Other, 0, 0.0, 60},
            {__LINE__, 3, Transient::Other, 0, 0.0, 120},
            {__LINE__, 4, Transient::Other, 0, 0.0, 240},
            {__LINE__, 7, Transient::Other, 0, 0.0, 1920},
            {__LINE__, 8, Transient::Other, 0, 0.0, 3600},  // capped
            {__LINE__, 50, Transient::Other, 0, 0.0, 3600},
            {__LINE__, 1, Transient::Other, 0, 0.5, 27},      // 30 - 10 % of 30
            {__LINE__, 1, Transient::Other, 0, 0.999, 25},    // at most 20 % less
            {__LINE__, 9, Transient::Other, 0, 0.999, 2881},  // the cap is jittered too
            {__LINE__, 1, Transient::Dns, 0, 0.9, 2},         // ip-up: resolv.conf not written yet
            {__LINE__, 2, Transient::Dns, 0, 0.9, 4},
            {__LINE__, 3, Transient::Dns, 0, 0.9, 8},
            {__LINE__, 4, Transient::Dns, 0, 0.0, 30},  // then the long backoff from 30 s
            {__LINE__, 5, Transient::Dns, 0, 0.0, 60},
            {__LINE__, 1, Transient::Other, 1800, 0.0, 1800},  // No-IP 911: at least 30 min
            {__LINE__, 9, Transient::Other, 1800, 0.0, 3600},
            {__LINE__, 0, Transient::Other, 0, 0.0, 30},  // never below the first step
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(retry_delay(r.failures, r.why, r.floor, r.u) == r.want);
        }
    }

    TEST_CASE("decide: new address at once, same address only when the keep-alive is due")
    {
        const int64_t now = 1'800'000'000;
        Profile mydns = profile(Provider::MydnsPop3, 86400);
        Profile dyn = profile(Provider::Dyndns2, 0);
        Profile damped = profile(Provider::Dyndns2, 0, 300);
        auto ok_state = [&](int64_t success_ago, std::string addr) {
            State s;
            s.v4.address = std::move(addr);
            s.v4.outcome = Outcome::Updated;
            s.v4.last_success = s.v4.last_attempt = now - success_ago;
            return s;
        };
        State fail;
        fail.v4.address = "203.0.113.1";
        fail.v4.outcome = Outcome::RetryLater;
        fail.v4.failures = 2;
        fail.v4.next_attempt = now + 40;
        State fail_due = fail;
        fail_due.v4.next_attempt = now - 1;
        State suspended = ok_state(100, "203.0.113.1");
        suspended.suspended = true;
        suspended.fingerprint = "fp1";
        struct Row {
            int line;
            const Profile* p;
            State s;
            std::string addr;
            std::string fp;
            bool force;
            Action action;
            Reason reason;
            int64_t at;  // -1: don't care
        };
        const std::vector<Row> rows = {
            {__LINE__, &mydns, State{}, "203.0.113.1", "fp", false, Action::Send, Reason::Unknown, now},
            {__LINE__, &mydns, ok_state(100, "203.0.113.1"), "203.0.113.2", "fp", false, Action::Send,
             Reason::NewAddress, now},
            {__LINE__, &mydns, ok_state(100, "203.0.113.1"), "203.0.113.1", "fp", false, Action::Skip, Reason::UpToDate,
             now - 100 + 86400},
            {__LINE__, &mydns, ok_state(86400, "203.0.113.1"), "203.0.113.1", "fp", false, Action::Send,
             Reason::KeepAlive, now},
            {__LINE__, &mydns, ok_state(90000, "203.0.113.1"), "", "fp", false, Action::Send, Reason::KeepAlive,
             now},  // source-address login
            {__LINE__, &dyn, ok_state(10LL * 86400, "203.0.113.1"), "203.0.113.1", "fp", false, Action::Skip,
             Reason::UpToDate, 0},  // nochg is abuse
            {__LINE__, &dyn, ok_state(10, "203.0.113.1"), "203.0.113.9", "fp", false, Action::Send, Reason::NewAddress,
             now},
            {__LINE__, &damped, ok_state(10, "203.0.113.1"), "203.0.113.9", "fp", false, Action::Wait,
             Reason::MinInterval, now + 290},
            {__LINE__, &dyn, fail, "203.0.113.1", "fp", false, Action::Wait, Reason::Backoff, now + 40},
            {__LINE__, &dyn, fail_due, "203.0.113.1", "fp", false, Action::Send, Reason::Retry, now},
            {__LINE__, &dyn, fail, "203.0.113.7", "fp", false, Action::Send, Reason::NewAddress,
             now},  // a new address does not wait out the old backoff
            {__LINE__, &dyn, suspended, "203.0.113.7", "fp1", false, Action::Suspended, Reason::Fatal, 0},
            {__LINE__, &dyn, suspended, "203.0.113.7", "fp2", false, Action::Send, Reason::Retry,
             now},  // config or secret changed
            {__LINE__, &dyn, suspended, "203.0.113.1", "fp1", true, Action::Send, Reason::Forced, now},
            {__LINE__, &dyn, ok_state(10, "203.0.113.1"), "203.0.113.1", "fp", true, Action::Send, Reason::Forced, now},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Decision d = decide(*r.p, r.s, Family::V4, r.addr, r.fp, now, r.force);
            CHECK(static_cast<int>(d.action) == static_cast<int>(r.action));
            CHECK(reason_name(d.reason) == reason_name(r.reason));
            if (r.at >= 0)
                CHECK(d.at == r.at);
        }
    }

    TEST_CASE(
        "record: successes reset, transient failures back off, fatal answers suspend until the fingerprint changes")
    {
        const int64_t now = 1'800'000'000;
        Profile p = profile(Provider::Noip, 0);
        State s;
        record(s, p, Family::V4, "203.0.113.5", answer(Outcome::RetryLater, Transient::Other, 1800), "fpA", now, 0.0);
        CHECK(s.v4.failures == 1);
        CHECK(s.v4.next_attempt == now + 1800);
        CHECK(s.v4.address.empty());  // nothing was taken yet
        CHECK(next_wakeup(p, s, Family::V4) == now + 1800);
        record(s, p, Family::V4, "203.0.113.5", answer(Outcome::RetryLater, Transient::Other), "fpA", now + 1800, 0.0);
        CHECK(s.v4.failures == 2);
        CHECK(s.v4.next_attempt == now + 1800 + 60);
        record(s, p, Family::V4, "203.0.113.5", answer(Outcome::Updated), "fpA", now + 2000, 0.0);
        CHECK(s.v4.failures == 0);
        CHECK(s.v4.address == "203.0.113.5");
        CHECK(s.v4.last_success == now + 2000);
        CHECK(next_wakeup(p, s, Family::V4) == 0);  // no keep-alive for No-IP-style providers
        record(s, p, Family::V6, "2001:db8::5", answer(Outcome::Abuse), "fpA", now + 3000, 0.0);
        CHECK(s.suspended);
        CHECK(s.fingerprint == "fpA");
        CHECK(s.suspended_why.find("ipv6: abuse") == 0);
        CHECK(s.v4.address == "203.0.113.5");  // the other family's record stays
        CHECK(decide(p, s, Family::V4, "203.0.113.6", "fpA", now + 4000, false).action == Action::Suspended);
        CHECK(next_wakeup(p, s, Family::V4) == 0);
        CHECK(decide(p, s, Family::V4, "203.0.113.6", "fpB", now + 4000, false).action == Action::Send);
        record(s, p, Family::V4, "203.0.113.6", answer(Outcome::Updated), "fpB", now + 4001, 0.0);
        CHECK_FALSE(s.suspended);

        Profile mydns = profile(Provider::MydnsPop3, 86400);
        State m;
        record(m, mydns, Family::V4, "203.0.113.5", answer(Outcome::Updated), "fp", now, 0.0);
        CHECK(next_wakeup(mydns, m, Family::V4) == now + 86400);  // the keep-alive timer while the link stays up
    }
}
