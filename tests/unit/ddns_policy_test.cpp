// The DDNS send policy (plugins/ddns/core/state.cpp): backoff schedule,
// keep-alive, min-interval, suspension until config or secrets change.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ddns/core/http.hpp"
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
        fail.v4.phase = Phase::BackingOff;
        fail.v4.address = "203.0.113.1";
        fail.v4.attempted = "203.0.113.1";
        fail.v4.outcome = Outcome::RetryLater;
        fail.v4.failures = 2;
        fail.v4.next_attempt = now + 40;
        State fail_due = fail;
        fail_due.v4.next_attempt = now - 1;
        State suspended = ok_state(100, "203.0.113.1");
        suspended.suspended = true;
        suspended.v4.phase = suspended.v6.phase = Phase::Suspended;
        suspended.fingerprint = "fp1";
        State floored = fail;
        floored.v4.floor_until = now + 20;
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
             now},  // an address different from the last attempt's does not wait out a transient backoff
            {__LINE__, &damped, fail, "203.0.113.7", "fp", false, Action::Send, Reason::NewAddress,
             now},  // min-interval counts from a success (there was none)
            {__LINE__, &dyn, floored, "203.0.113.7", "fp", false, Action::Wait, Reason::ProviderFloor,
             now + 20},  // ... but never the provider's floor
            {__LINE__, &dyn, floored, "203.0.113.1", "fp", true, Action::Wait, Reason::ProviderFloor,
             now + 20},  // not even when forced
            {__LINE__, &dyn, fail, "203.0.113.1", "fp", true, Action::Send, Reason::Forced,
             now},  // a user may cut a transient backoff short
            {__LINE__, &dyn, suspended, "203.0.113.7", "fp1", false, Action::Suspended, Reason::Fatal, 0},
            {__LINE__, &dyn, suspended, "203.0.113.7", "fp2", false, Action::Send, Reason::ProfileChanged,
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

namespace {
// The phase as `pppkit ddns status` shows it.
std::string phase_str(const State& s, Family f) { return std::string(phase_name(phase_of(s, f))); }
}  // namespace

TEST_SUITE("ddns_policy")
{
    // Issue 11 §1-2, replayed event by event on one state. Each row is a
    // trigger (what decide() says) or an answer (what record() leaves).
    // Reasons are compared by name and phases as status shows them.
    TEST_CASE("issue 11 sequences: 911 on a flapping link; badauth, edit, 911; a new address and a transient wait")
    {
        const int64_t t = 1'800'000'000;
        const std::string A = "203.0.113.7", B = "203.0.113.8";
        Profile dyn = profile(Provider::Dyndns2, 0);
        const Answer k911 = classify_dyndns2(Provider::Dyndns2, {200, "911\n"}, 1, A);
        const Answer kBadauth = classify_dyndns2(Provider::Dyndns2, {200, "badauth\n"}, 1, A);
        const Answer kGood = classify_dyndns2(Provider::Dyndns2, {200, "good " + A + "\n"}, 1, A);
        const Answer k503 = classify_status(503, "HTTP 503");
        REQUIRE(k911.floor_s == 600);
        enum Kind { Trig, Ans, Beg, Lose };  // Beg: begin(); Lose: lose(), the worker found gone
        struct Row {
            int line;
            Kind kind;
            int64_t at;  // the event's time
            std::string addr, fp;
            bool force;
            const Answer* answer;  // Ans rows
            std::string action;    // Trig rows: "send", "wait", "skip", "suspended"
            std::string reason;    // Trig rows: reason_name()
            int64_t until;         // Trig rows: Decision::at; others: next_wakeup(); -1: don't care
            std::string phase;     // after the row
        };
        auto run = [&](const std::vector<Row>& rows) {
            State s;
            for (const auto& r : rows) {
                CAPTURE(r.line);
                if (r.kind == Trig) {
                    Decision d = decide(dyn, s, Family::V4, r.addr, r.fp, r.at, r.force);
                    const std::string names[] = {"send", "wait", "skip", "suspended"};
                    CHECK(names[static_cast<int>(d.action)] == r.action);
                    CHECK(reason_name(d.reason) == r.reason);
                    if (r.until >= 0)
                        CHECK(d.at == r.until);
                } else {
                    if (r.kind == Ans)
                        record(s, dyn, Family::V4, r.addr, *r.answer, r.fp, r.at, 0.0);
                    else if (r.kind == Beg)
                        begin(s, dyn, Family::V4, r.addr, r.at);
                    else
                        CHECK(lose(s, dyn, Family::V4, 0.0) == (r.action == "lost"));
                    if (r.until >= 0)
                        CHECK(next_wakeup(dyn, s, Family::V4) == r.until);
                }
                CHECK(phase_str(s, Family::V4) == r.phase);
            }
        };
        const std::string floor = "the provider's least wait";
        SUBCASE("911 three times in 10 s: one request, then nothing for 10 minutes whatever the trigger")
        {
            run({
                {__LINE__, Trig, t, A, "fp", false, nullptr, "send", "no previous update", t, "idle"},
                {__LINE__, Ans, t, A, "fp", false, &k911, "", "", t + 600, "backing off"},
                {__LINE__, Trig, t + 5, A, "fp", false, nullptr, "wait", floor, t + 600, "backing off"},
                {__LINE__, Trig, t + 10, B, "fp", false, nullptr, "wait", floor, t + 600, "backing off"},
                {__LINE__, Trig, t + 10, A, "fp", true, nullptr, "wait", floor, t + 600, "backing off"},
                {__LINE__, Trig, t + 600, A, "fp", false, nullptr, "send", "retry after failure", t + 600,
                 "backing off"},
                {__LINE__, Ans, t + 600, A, "fp", false, &k911, "", "", t + 1200, "backing off"},
                {__LINE__, Trig, t + 700, B, "fp", false, nullptr, "wait", floor, t + 1200, "backing off"},
                {__LINE__, Trig, t + 1200, B, "fp", false, nullptr, "send", "new address", t + 1200, "backing off"},
                {__LINE__, Ans, t + 1200, B, "fp", false, &kGood, "", "", 0, "idle"},
                {__LINE__, Trig, t + 1201, B, "fp", false, nullptr, "skip", "up to date", 0, "idle"},
            });
        }
        SUBCASE("badauth, the user edits the profile, 911: backing off, not 'send every time'")
        {
            run({
                {__LINE__, Trig, t, A, "fp1", false, nullptr, "send", "no previous update", t, "idle"},
                {__LINE__, Ans, t, A, "fp1", false, &kBadauth, "", "", 0, "suspended"},
                {__LINE__, Trig, t + 1, A, "fp1", false, nullptr, "suspended", "suspended after a fatal answer", 0,
                 "suspended"},
                {__LINE__, Trig, t + 2, A, "fp2", false, nullptr, "send", "profile changed since the fatal answer",
                 t + 2, "suspended"},
                {__LINE__, Ans, t + 2, A, "fp2", false, &k911, "", "", t + 602, "backing off"},
                {__LINE__, Trig, t + 3, A, "fp2", false, nullptr, "wait", floor, t + 602, "backing off"},
                {__LINE__, Trig, t + 4, B, "fp2", false, nullptr, "wait", floor, t + 602, "backing off"},
                {__LINE__, Trig, t + 602, A, "fp2", false, nullptr, "send", "retry after failure", t + 602,
                 "backing off"},
                {__LINE__, Ans, t + 602, A, "fp2", false, &kBadauth, "", "", 0, "suspended"},
                {__LINE__, Trig, t + 700, A, "fp2", false, nullptr, "suspended", "suspended after a fatal answer", 0,
                 "suspended"},
            });
        }
        SUBCASE("cancelled or killed in flight (review F3): a failure, backed off; the provider's floor holds")
        {
            const std::string inflight = "update in flight";
            run({
                {__LINE__, Trig, t, A, "fp", false, nullptr, "send", "no previous update", t, "idle"},
                {__LINE__, Beg, t, A, "fp", false, nullptr, "", "", t + 30, "in flight"},
                // ip-down 3 s later, ip-up: the attempt may still run, or be lost: not "send now"
                {__LINE__, Trig, t + 3, A, "fp", false, nullptr, "wait", inflight, t + 30, "in flight"},
                {__LINE__, Trig, t + 3, A, "fp", true, nullptr, "wait", inflight, t + 30, "in flight"},
                {__LINE__, Trig, t + 3, B, "fp", false, nullptr, "wait", inflight, t + 30, "in flight"},
                // the next worker holds the lock and finds it: failure 1, 30 s from the attempt
                {__LINE__, Lose, t + 6, A, "fp", false, nullptr, "lost", "", t + 30, "backing off"},
                {__LINE__, Lose, t + 6, A, "fp", false, nullptr, "", "", t + 30, "backing off"},  // once
                {__LINE__, Trig, t + 6, A, "fp", false, nullptr, "wait", "backing off", t + 30, "backing off"},
                {__LINE__, Trig, t + 30, A, "fp", false, nullptr, "send", "retry after failure", t + 30, "backing off"},
                {__LINE__, Beg, t + 30, A, "fp", false, nullptr, "", "", t + 90, "in flight"},
                {__LINE__, Trig, t + 60, A, "fp", false, nullptr, "wait", inflight, t + 90, "in flight"},
                {__LINE__, Lose, t + 95, A, "fp", false, nullptr, "lost", "", t + 90, "backing off"},  // failure 2
                {__LINE__, Trig, t + 95, A, "fp", false, nullptr, "send", "retry after failure", t + 95, "backing off"},
                {__LINE__, Beg, t + 95, A, "fp", false, nullptr, "", "", t + 95 + 120, "in flight"},
                {__LINE__, Ans, t + 96, A, "fp", false, &k911, "", "", t + 96 + 600, "backing off"},
                {__LINE__, Trig, t + 700, A, "fp", false, nullptr, "send", "retry after failure", t + 700,
                 "backing off"},
                {__LINE__, Beg, t + 700, A, "fp", false, nullptr, "", "", t + 940, "in flight"},
                {__LINE__, Lose, t + 701, A, "fp", false, nullptr, "lost", "", t + 940, "backing off"},
                {__LINE__, Trig, t + 701, B, "fp", false, nullptr, "send", "new address", t + 701, "backing off"},
                {__LINE__, Beg, t + 701, B, "fp", false, nullptr, "", "", t + 701 + 480, "in flight"},
                {__LINE__, Ans, t + 702, B, "fp", false, &kGood, "", "", 0, "idle"},
                {__LINE__, Lose, t + 703, B, "fp", false, nullptr, "", "", 0, "idle"},  // nothing in flight
            });
        }
        SUBCASE("a forced attempt while suspended, lost: still suspended, no failure counted")
        {
            run({
                {__LINE__, Trig, t, A, "fp", false, nullptr, "send", "no previous update", t, "idle"},
                {__LINE__, Ans, t, A, "fp", false, &kBadauth, "", "", 0, "suspended"},
                {__LINE__, Trig, t + 5, A, "fp", true, nullptr, "send", "forced", t + 5, "suspended"},
                {__LINE__, Beg, t + 5, A, "fp", true, nullptr, "", "", t + 35, "in flight"},
                {__LINE__, Lose, t + 9, A, "fp", false, nullptr, "lost", "", 0, "suspended"},
                {__LINE__, Trig, t + 9, A, "fp", false, nullptr, "suspended", "suspended after a fatal answer", 0,
                 "suspended"},
            });
        }
        SUBCASE("a transient wait: the same address waits, an address different from the last attempt's does not")
        {
            run({
                {__LINE__, Trig, t, A, "fp", false, nullptr, "send", "no previous update", t, "idle"},
                {__LINE__, Ans, t, A, "fp", false, &k503, "", "", t + 30, "backing off"},
                {__LINE__, Trig, t + 5, A, "fp", false, nullptr, "wait", "backing off", t + 30, "backing off"},
                {__LINE__, Trig, t + 6, B, "fp", false, nullptr, "send", "new address", t + 6, "backing off"},
                {__LINE__, Ans, t + 6, B, "fp", false, &k503, "", "", t + 66, "backing off"},
                {__LINE__, Trig, t + 7, B, "fp", false, nullptr, "wait", "backing off", t + 66, "backing off"},
                {__LINE__, Trig, t + 66, B, "fp", false, nullptr, "send", "retry after failure", t + 66, "backing off"},
            });
        }
    }

    TEST_CASE("step: one transition function; a start is in flight; status describes the true state")
    {
        const int64_t t = 1'800'000'000;
        Profile dyn = profile(Provider::Dyndns2, 0);
        State s;
        Step st = step(dyn, s, Family::V4, Trigger{"203.0.113.7", "fp", t, false});
        CHECK(st.decision.action == Action::Send);
        CHECK(serialize_state(st.next) == serialize_state(s));  // a trigger changes nothing
        begin(s, dyn, Family::V4, "203.0.113.7", t);
        CHECK(phase_of(s, Family::V4) == Phase::InFlight);
        CHECK(describe(s, Family::V4, t + 3) == "in flight since 3s");
        Decision d = decide(dyn, s, Family::V4, "203.0.113.8", "fp", t + 3, true);
        CHECK(d.action == Action::Wait);  // one attempt at a time, even forced
        CHECK(d.reason == Reason::InFlight);
        CHECK(decide(dyn, s, Family::V4, "203.0.113.8", "fp", t + 30, false).action ==
              Action::Send);  // a lost attempt does not block for ever: its retry delay
        Answer a;
        a.outcome = Outcome::RetryLater;
        a.transient = Transient::Other;
        a.floor_s = 600;
        record(s, dyn, Family::V4, "203.0.113.7", a, "fp", t + 4, 0.0);
        CHECK(describe(s, Family::V4, t + 4) ==
              "backing off after retry-later (failure 1), next attempt in 600s; the provider asked for no request "
              "before in 600s");
        a.outcome = Outcome::AuthFailed;
        a.detail = "badauth\x1b[2J";
        record(s, dyn, Family::V6, "2001:db8::1", a, "fp", t + 5, 0.0);
        CHECK(describe(s, Family::V4, t + 5) == "suspended (ipv6: auth-failed (badauth\\x1b[2J))");
        CHECK(phase_of(s, Family::V6) == Phase::Suspended);
        CHECK(next_wakeup(dyn, s, Family::V4) == 0);
    }
}
